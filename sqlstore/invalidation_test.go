package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// The read cache must never answer a row older than the last commit: every write method, of every resource,
// must leave no stale entry behind. These tests run each write method against a store whose cache holds every
// row of a small fixture, and compare what the store answers with what a second store on the same file, without
// a cache, reads from the database.

var bg = context.Background()

// writeCase is one write method run against the fixture.
type writeCase struct {
	run func(tx chime.Tx, f *fixture) error // a Tx method; nil for a CredentialStore method (cred is used)
	// cred runs a CredentialStore method.
	cred func(db *DB, f *fixture) error
	// changes are the probes whose stored value the write changes (the test checks it does: a stale cache
	// would show there).
	changes []string
	// keepsCache: every other probe must still be answered from the cache afterwards (the write invalidates
	// only what it changed).
	keepsCache bool
}

func userCase(f func(tx chime.Tx, f *fixture) error, keeps bool, changes ...string) writeCase {
	return writeCase{run: f, changes: changes, keepsCache: keeps}
}

// writeCases holds every write method of chime.Tx and chime.CredentialStore.
var writeCases = map[string]writeCase{
	"InsertAccount": userCase(func(tx chime.Tx, f *fixture) error {
		d := *f.accounts[0]
		d.ID, d.Name = "acct-d", "new"
		return tx.InsertAccount(bg, &d)
	}, true),
	"UpdateAccount": userCase(func(tx chime.Tx, f *fixture) error {
		a := *f.accounts[0]
		a.Name = "renamed"
		return tx.UpdateAccount(bg, &a)
	}, true, "account acct-a"),
	"DeleteAccount": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.DeleteAccount(bg, f.accounts[1], f.now)
	}, false, "account acct-b", "user acct-b/b1"),
	"DeleteTenant": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.DeleteTenant(bg, "444455556666")
	}, false, "account acct-c", "user acct-c/c1"),
	"InsertUser": userCase(func(tx chime.Tx, f *fixture) error {
		u := *f.users[0]
		u.ID, u.Email, u.PIN = "a3", "a3@example.com", ""
		return tx.InsertUser(bg, &u)
	}, true),
	"UpdateUser": userCase(func(tx chime.Tx, f *fixture) error {
		u := *f.users[0]
		u.DisplayName, u.License = "changed", chime.LicenseBasic
		return tx.UpdateUser(bg, &u)
	}, true, "user acct-a/a1"),
	"DeleteUser": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.DeleteUser(bg, f.users[1])
	}, true, "user acct-a/a2"),
	"InsertLink": userCase(func(tx chime.Tx, f *fixture) error {
		l := *f.link
		l.Hash, l.UserID = hash("l2"), "a2"
		return tx.InsertLink(bg, &l)
	}, true),
	"UseLink": userCase(func(tx chime.Tx, f *fixture) error { return tx.UseLink(bg, f.link.Hash, f.now) }, true),
	"DeleteLinks": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.DeleteLinks(bg, "acct-a", "a1", chime.LinkSignIn)
	}, true),
	"PurgeLinks": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.PurgeLinks(bg, "acct-a", "a1", f.now.Add(time.Hour))
	}, true),
	"InsertSession": userCase(func(tx chime.Tx, f *fixture) error {
		s := *f.session
		s.Hash = hash("s2")
		return tx.InsertSession(bg, &s)
	}, true),
	"DeleteSessions": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.DeleteSessions(bg, "acct-a", "a1", time.Time{})
	}, true),
	"InsertOutbox": userCase(func(tx chime.Tx, f *fixture) error {
		m := *f.message
		m.ID = "m2"
		return tx.InsertOutbox(bg, &m)
	}, true),
	"SetOutboxStatus": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.SetOutboxStatus(bg, f.message.ID, chime.EmailSent)
	}, true),
	"PruneOutbox":  userCase(func(tx chime.Tx, f *fixture) error { return tx.PruneOutbox(bg, "111122223333", 0) }, true),
	"DeleteOutbox": userCase(func(tx chime.Tx, f *fixture) error { return tx.DeleteOutbox(bg, "111122223333", "") }, true),
	"PutUserSettings": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.PutUserSettings(bg, "acct-a", "a1", &chime.UserSettings{SMS: true})
	}, true),
	"PatchGlobalSettings": userCase(func(tx chime.Tx, f *fixture) error {
		b := "cdr-bucket"
		return tx.PatchGlobalSettings(bg, "111122223333", &b, nil)
	}, true),
	"DeleteGlobalSettings": userCase(func(tx chime.Tx, f *fixture) error {
		b := "cdr-bucket" // a row to delete: a transaction that changes nothing does not commit to the WAL
		if err := tx.PatchGlobalSettings(bg, "111122223333", nil, &b); err != nil {
			return err
		}
		return tx.DeleteGlobalSettings(bg, "111122223333")
	}, true),

	// The server clock and retention settings (clock.go, retention.go): tables the cache does not hold.
	"SetClockOffset": userCase(func(tx chime.Tx, f *fixture) error { return tx.SetClockOffset(bg, time.Hour) }, true),
	"PutRetentionSettings": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.PutRetentionSettings(bg, &chime.RetentionSettings{AccountID: "acct-a", AwsAccountID: "111122223333",
			RoomDays: 7, InitiateDeletion: f.now})
	}, true),
	"DeleteRetentionSettings": userCase(func(tx chime.Tx, f *fixture) error {
		// (a transaction that writes nothing does not move SQLite's change counter, which flushes the cache)
		if err := tx.PutRetentionSettings(bg, &chime.RetentionSettings{AccountID: "acct-b",
			AwsAccountID: "111122223333", ConversationDays: 1}); err != nil {
			return err
		}
		return tx.DeleteRetentionSettings(bg, "111122223333", "acct-b")
	}, true),

	// Phone number settings (phonesettings.go): a table the cache does not hold.
	"PutPhoneNumberSettings": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.PutPhoneNumberSettings(bg, "111122223333", &chime.PhoneNumberSettings{CallingName: "Acme",
			UpdatedAt: f.now}, time.Time{})
	}, true),
	"DeletePhoneNumberSettings": userCase(func(tx chime.Tx, f *fixture) error {
		// (a row to delete: a transaction that changes nothing does not commit to the WAL)
		if err := tx.PutPhoneNumberSettings(bg, "111122223333", &chime.PhoneNumberSettings{CallingName: "Acme",
			UpdatedAt: f.now}, time.Time{}); err != nil {
			return err
		}
		return tx.DeletePhoneNumberSettings(bg, "111122223333")
	}, true),

	// Phone numbers and orders (phonenumbers.go): tables the cache does not hold. Each case writes a row (a
	// transaction that changes nothing does not commit to the WAL).
	"AcquireNumber": userCase(func(tx chime.Tx, f *fixture) error {
		_, err := tx.AcquireNumber(bg, "111122223333", "+12065550100", f.now)
		return err
	}, true),
	"LockNumbers": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.LockNumbers(bg, "111122223333"); err != nil {
			return err
		}
		return tx.InsertPhoneNumber(bg, testNumber(f, "+12065550101"))
	}, true),
	"InsertOrder": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.InsertOrder(bg, &chime.PhoneNumberOrder{ID: "order-1", AwsAccountID: "111122223333",
			ProductType: chime.ProductBusinessCalling, Outcome: chime.OrderSuccessful, CreatedAt: f.now,
			ReadyAt: f.now, Lines: []chime.OrderLine{{E164: "+12065550102", Acquired: true}}})
	}, true),
	"InsertPhoneNumber": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.InsertPhoneNumber(bg, testNumber(f, "+12065550103"))
	}, true),
	"UpdatePhoneNumber": userCase(func(tx chime.Tx, f *fixture) error {
		n := testNumber(f, "+12065550104")
		if err := tx.InsertPhoneNumber(bg, n); err != nil {
			return err
		}
		n.Status = chime.NumberAssigned
		return tx.UpdatePhoneNumber(bg, n)
	}, true),
	"PurgePhoneNumbers": userCase(func(tx chime.Tx, f *fixture) error {
		n := testNumber(f, "+12065550105")
		n.Status, n.DeletedAt, n.PurgeAt = chime.NumberDeleteInProgress, f.now, f.now
		if err := tx.InsertPhoneNumber(bg, n); err != nil {
			return err
		}
		return tx.PurgePhoneNumbers(bg, "111122223333", f.now)
	}, true),
	"DeletePhoneNumbers": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertPhoneNumber(bg, testNumber(f, "+12065550106")); err != nil {
			return err
		}
		return tx.DeletePhoneNumbers(bg, "111122223333")
	}, true),

	// Rooms and memberships (rooms.go): tables the cache does not hold. Each case writes a row.
	"InsertRoom": userCase(func(tx chime.Tx, f *fixture) error { return tx.InsertRoom(bg, testRoom(f, "room-1"), "tok") }, true),
	"UpdateRoom": userCase(func(tx chime.Tx, f *fixture) error {
		r := testRoom(f, "room-2")
		if err := tx.InsertRoom(bg, r, ""); err != nil {
			return err
		}
		r.Name = "renamed"
		return tx.UpdateRoom(bg, r)
	}, true),
	"DeleteRoom": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertRoom(bg, testRoom(f, "room-3"), ""); err != nil {
			return err
		}
		return tx.DeleteRoom(bg, "acct-a", "room-3")
	}, true),
	"DeleteRooms": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertRoom(bg, testRoom(f, "room-4"), ""); err != nil {
			return err
		}
		return tx.DeleteRooms(bg, "111122223333", "")
	}, true),
	"InsertRoomMembership": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertRoom(bg, testRoom(f, "room-5"), ""); err != nil {
			return err
		}
		return tx.InsertRoomMembership(bg, testMembership(f, "room-5", "a1"), "")
	}, true),
	"UpdateRoomMembership": userCase(func(tx chime.Tx, f *fixture) error {
		m := testMembership(f, "room-6", "a1")
		if err := tx.InsertRoom(bg, testRoom(f, "room-6"), ""); err != nil {
			return err
		}
		if err := tx.InsertRoomMembership(bg, m, ""); err != nil {
			return err
		}
		m.Role = chime.RoleAdministrator
		return tx.UpdateRoomMembership(bg, m)
	}, true),
	"DeleteRoomMembership": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertRoom(bg, testRoom(f, "room-7"), ""); err != nil {
			return err
		}
		if err := tx.InsertRoomMembership(bg, testMembership(f, "room-7", "a1"), ""); err != nil {
			return err
		}
		return tx.DeleteRoomMembership(bg, "acct-a", "room-7", "a1")
	}, true),

	// Bots, events configurations and the bot event outbox (bots.go, botevents.go): tables the cache does not
	// hold. Each case writes a row.
	"InsertBot": userCase(func(tx chime.Tx, f *fixture) error { return tx.InsertBot(bg, testBot(f, "bot-1")) }, true),
	"UpdateBot": userCase(func(tx chime.Tx, f *fixture) error {
		b := testBot(f, "bot-2")
		if err := tx.InsertBot(bg, b); err != nil {
			return err
		}
		b.Disabled = true
		return tx.UpdateBot(bg, b)
	}, true),
	"PutEventsConfiguration": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertBot(bg, testBot(f, "bot-3")); err != nil {
			return err
		}
		return tx.PutEventsConfiguration(bg, &chime.EventsConfiguration{AccountID: "acct-a", BotID: "bot-3",
			Endpoint: "https://bot.example.com/"})
	}, true),
	"DeleteEventsConfiguration": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertBot(bg, testBot(f, "bot-4")); err != nil {
			return err
		}
		return tx.DeleteEventsConfiguration(bg, "acct-a", "bot-4")
	}, true),
	"DeleteBots": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertBot(bg, testBot(f, "bot-5")); err != nil {
			return err
		}
		return tx.DeleteBots(bg, "111122223333", "acct-a")
	}, true),
	"InsertBotEvent": userCase(func(tx chime.Tx, f *fixture) error { return tx.InsertBotEvent(bg, testBotEvent(f, "ev-1")) }, true),
	"ClaimBotEvent": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertBotEvent(bg, testBotEvent(f, "ev-2")); err != nil {
			return err
		}
		_, err := tx.ClaimBotEvent(bg, "claim", f.now, f.now.Add(time.Minute))
		return err
	}, true),
	"FinishBotEvent": userCase(func(tx chime.Tx, f *fixture) error {
		e := testBotEvent(f, "ev-3")
		if err := tx.InsertBotEvent(bg, e); err != nil {
			return err
		}
		e.Status = chime.BotEventFailed
		if err := tx.FinishBotEvent(bg, e, "nobody"); chime.ErrorCode(err) != chime.ENOTFOUND {
			return fmt.Errorf("finish without the claim: %v, want NotFound", err)
		}
		return nil
	}, true),
	"PruneBotEvents": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertBotEvent(bg, testBotEvent(f, "ev-5")); err != nil {
			return err
		}
		return tx.PruneBotEvents(bg, "111122223333", 0)
	}, true),
	"DeleteBotEvents": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertBotEvent(bg, testBotEvent(f, "ev-4")); err != nil {
			return err
		}
		return tx.DeleteBotEvents(bg, "111122223333", "")
	}, true),

	// Meeting dial-outs (dialouts.go): a table the cache does not hold. Each case writes a row.
	"InsertDialOut": userCase(func(tx chime.Tx, f *fixture) error { return tx.InsertDialOut(bg, testDialOut(f, "do-1")) }, true),
	"LockDialOuts": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.LockDialOuts(bg, "111122223333", "m"); err != nil {
			return err
		}
		return tx.InsertDialOut(bg, testDialOut(f, "do-2"))
	}, true),
	"InsertAuditEvent": userCase(func(tx chime.Tx, f *fixture) error { return tx.InsertAuditEvent(bg, testAuditEvent(f, "ev-1")) }, true),
	"UpdateAuditResponse": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertAuditEvent(bg, testAuditEvent(f, "ev-2")); err != nil {
			return err
		}
		return tx.UpdateAuditResponse(bg, "111122223333", "ev-2", `{"Account":{}}`,
			[]chime.AuditResource{{Type: "AWS::Chime::Account", Name: "acct-x"}})
	}, true),
	"PruneAuditEvents": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertAuditEvent(bg, testAuditEvent(f, "ev-3")); err != nil {
			return err
		}
		_, err := tx.PruneAuditEvents(bg, f.now.Add(time.Hour), 10)
		return err
	}, true),
	"DeleteDialOuts": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertDialOut(bg, testDialOut(f, "do-3")); err != nil {
			return err
		}
		return tx.DeleteDialOuts(bg, "111122223333")
	}, true),

	// Messages, conversations, webhooks and inbound URLs (messages.go): tables the cache does not hold.
	"InsertMessage": userCase(func(tx chime.Tx, f *fixture) error { return tx.InsertMessage(bg, testMessage(f, "msg-1")) }, true),
	"RedactMessage": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertMessage(bg, testMessage(f, "msg-2")); err != nil {
			return err
		}
		return tx.RedactMessage(bg, "acct-a", "msg-2", f.now)
	}, true),
	"PurgeMessages": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertMessage(bg, testMessage(f, "msg-3")); err != nil {
			return err
		}
		return tx.PurgeMessages(bg, "acct-a", chime.ChatRoom, f.now)
	}, true),
	"InsertConversation": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.InsertConversation(bg, &chime.Conversation{ID: "conv-1", AccountID: "acct-a", AwsAccountID: "111122223333",
			MemberIDs: []string{"a1", "a2"}, MemberKey: "k1", CreatedAt: f.now})
	}, true),
	"InsertWebhook": userCase(func(tx chime.Tx, f *fixture) error { return tx.InsertWebhook(bg, testWebhook(f, "wh-1")) }, true),
	"DeleteWebhook": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertWebhook(bg, testWebhook(f, "wh-2")); err != nil {
			return err
		}
		return tx.DeleteWebhook(bg, "acct-a", "room-w", "wh-2")
	}, true),
	"InsertInboundURL": userCase(func(tx chime.Tx, f *fixture) error { return tx.InsertInboundURL(bg, testInbound(f, "url-1")) }, true),
	"DeleteInboundURLs": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertInboundURL(bg, testInbound(f, "url-2")); err != nil {
			return err
		}
		return tx.DeleteInboundURLs(bg, "acct-a", "room-w", "wh-x", time.Time{})
	}, true),
	"DeleteRoomChats": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertMessage(bg, testMessage(f, "msg-4")); err != nil {
			return err
		}
		return tx.DeleteRoomChats(bg, "acct-a", "room-w")
	}, true),
	"DeleteChats": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertMessage(bg, testMessage(f, "msg-5")); err != nil {
			return err
		}
		return tx.DeleteChats(bg, "111122223333", "")
	}, true),

	// The command line's credential changes, in a transaction with their audit record: a statement that writes
	// the credentials table without naming a row drops every cached credential.
	"InsertConsoleSession": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.InsertConsoleSession(bg, testConsoleSession(f, "cs-1"))
	}, true),
	"DeleteConsoleSession": userCase(func(tx chime.Tx, f *fixture) error {
		s := testConsoleSession(f, "cs-2")
		if err := tx.InsertConsoleSession(bg, s); err != nil {
			return err
		}
		return tx.DeleteConsoleSession(bg, s.Hash)
	}, true),
	"DeleteConsoleSessionsOfKey": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertConsoleSession(bg, testConsoleSession(f, "cs-3")); err != nil {
			return err
		}
		return tx.DeleteConsoleSessionsOfKey(bg, f.cred.AccessKeyID)
	}, true),
	"PruneConsoleSessions": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertConsoleSession(bg, testConsoleSession(f, "cs-4")); err != nil {
			return err
		}
		_, err := tx.PruneConsoleSessions(bg, f.now.Add(48*time.Hour), 10)
		return err
	}, true),
	"AddCredential": userCase(func(tx chime.Tx, f *fixture) error {
		c := *f.cred
		c.AccessKeyID = "AKCHTHIRDKEY000000000"
		return tx.AddCredential(bg, &c)
	}, false),
	"RevokeCredentialAt": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.RevokeCredentialAt(bg, f.cred.AccessKeyID, f.now)
	}, false, "credential"),

	// Credential writes are autocommit statements of this process; its change detector then sees a commit
	// outside group commit and flushes everything, so they keep nothing.
	"InsertCredential": {cred: func(db *DB, f *fixture) error {
		c := *f.cred
		c.AccessKeyID = "AKCHSECONDKEY00000000"
		return db.InsertCredential(bg, &c)
	}},
	"PutCredential": {cred: func(db *DB, f *fixture) error {
		c := *f.cred
		c.ReadOnly = !c.ReadOnly
		return db.PutCredential(bg, &c)
	}, changes: []string{"credential"}},
	"RevokeCredential": {cred: func(db *DB, f *fixture) error {
		return db.RevokeCredential(bg, f.cred.AccessKeyID, f.now)
	}, changes: []string{"credential"}},

	// SCIM tokens and users (scim.go): tables the cache does not hold. Each case writes a row.
	"InsertSCIMToken": userCase(func(tx chime.Tx, f *fixture) error { return tx.InsertSCIMToken(bg, testSCIMToken(f)) }, true),
	"RevokeSCIMToken": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.InsertSCIMToken(bg, testSCIMToken(f)); err != nil {
			return err
		}
		return tx.RevokeSCIMToken(bg, "SCIMTOKENID00000", f.now)
	}, true),
	"PutSCIMUser": userCase(func(tx chime.Tx, f *fixture) error {
		return tx.PutSCIMUser(bg, &chime.SCIMUser{AccountID: "acct-a", ID: "a1", UserID: "a1", CreatedAt: f.now, UpdatedAt: f.now})
	}, true),
	"DeleteSCIMUser": userCase(func(tx chime.Tx, f *fixture) error {
		if err := tx.PutSCIMUser(bg, &chime.SCIMUser{AccountID: "acct-a", ID: "a1", UserID: "a1", CreatedAt: f.now, UpdatedAt: f.now}); err != nil {
			return err
		}
		return tx.DeleteSCIMUser(bg, "acct-a", "a1")
	}, true),
}

func testSCIMToken(f *fixture) *chime.SCIMToken {
	return &chime.SCIMToken{ID: "SCIMTOKENID00000", AwsAccountID: "111122223333", AccountID: "acct-a",
		Hash: make([]byte, 32), Prefix: "chs_SCIMTOKENID00000", CreatedAt: f.now}
}

// readMethods are the methods that write nothing.
var readMethods = []string{"ClockOffset", "RetentionSettings", "Account", "ListAccounts", "User", "UserByEmail", "ListUsers", "CountUsers", "PINExists",
	"UsersByEmail", "Link", "CountLiveLinks", "Session", "ListOutbox", "UserSettings", "GlobalSettings",
	"PhoneNumberSettings", "Credential", "ListCredentials", "CountCredentials",
	"AcquiredNumbers", "Order", "ListOrders", "PhoneNumber", "PhoneNumberOfUser", "ListPhoneNumbers",
	"CountPhoneNumbers", "Bot", "EventsConfiguration", "Room", "RoomMembership",
	"RoomByToken", "CountRooms", "ListRooms", "CountRoomMemberships", "CountMemberRooms", "ListRoomMemberships",
	"BotEmailTaken", "CountBots", "ListBots", "ListBotEvents", "CountDialOuts", "ListDialOuts",
	"Message", "ListMessages", "Conversation", "ConversationByMembers", "ListConversations", "Webhook", "CountWebhooks",
	"InboundURL", "RoomBotMembers", "ListAuditEvents", "ConsoleSession",
	"SCIMToken", "ListSCIMTokens", "SCIMUser", "SCIMUserOf", "ListSCIMUsers"}

// Every method of the store's interfaces is either in writeCases or in readMethods: a new write method cannot be
// added without a case here.
func TestEveryStoreMethodIsClassified(t *testing.T) {
	for _, it := range []reflect.Type{reflect.TypeFor[chime.Tx](), reflect.TypeFor[chime.CredentialStore]()} {
		for m := range it.Methods() {
			_, w := writeCases[m.Name]
			if r := slices.Contains(readMethods, m.Name); w == r {
				t.Errorf("%s.%s: add it to writeCases (with what it changes) or to readMethods", it.Name(), m.Name)
			}
		}
	}
}

func TestNoWriteMethodLeavesStaleCache(t *testing.T) {
	t.Parallel()
	for _, name := range slices.Sorted(maps.Keys(writeCases)) {
		wc := writeCases[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			db, truth := openPair(t)
			f := newFixture(t, db)
			before := f.warm(t, db)
			var err error
			if wc.cred != nil {
				err = wc.cred(db, f)
			} else {
				err = db.Write(bg, func(tx chime.Tx) error { return wc.run(tx, f) })
			}
			if err != nil {
				t.Fatal(err)
			}
			still := f.cached(db)
			got, want := f.probes(t, db), f.probes(t, truth)
			for p := range want {
				if got[p] != want[p] {
					t.Errorf("%s: stale read of %s:\n got %s\nwant %s", name, p, got[p], want[p])
				}
				changed := slices.Contains(wc.changes, p)
				if changed == (want[p] == before[p]) {
					t.Errorf("%s: %s changed = %v, the case says %v (fix the case)", name, p, !changed, changed)
				}
				if wc.keepsCache && !changed && !still[p] {
					t.Errorf("%s dropped %s from the cache, which it did not change", name, p)
				}
			}
		})
	}
}

// A statement that writes a cached table without naming its row drops the whole table, whatever its spelling;
// tables the cache does not hold invalidate nothing.
func TestRawWriteWithoutRowKeyFlushesTable(t *testing.T) {
	t.Parallel()
	db, truth := openPair(t)
	f := newFixture(t, db)
	f.warm(t, db)
	err := db.Write(bg, func(ctx chime.Tx) error {
		t := ctx.(*tx)
		if _, err := t.exec(bg, `/* raw */ update "main"."USERS" SET display_name = 'raw' WHERE id = $1`, "a1"); err != nil {
			return err
		}
		_, err := t.exec(bg, `DELETE FROM user_sessions WHERE user_id = $1`, "a1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, ok := range f.cached(db) {
		if isUser := strings.HasPrefix(p, "user "); ok == isUser {
			t.Errorf("after a raw write of users: %s cached = %v", p, ok)
		}
	}
	got, want := f.probes(t, db), f.probes(t, truth)
	if !maps.Equal(got, want) || !strings.Contains(got["user acct-a/a1"], "DisplayName:raw") {
		t.Fatalf("after a raw write of users:\n got %v\nwant %v", got, want)
	}

	// The one way to get it wrong, and what the checks above catch: naming a row the statement does not write.
	f.warm(t, db)
	err = db.Write(bg, func(ctx chime.Tx) error {
		t := ctx.(*tx)
		_, err := t.execKey(bg, userRow("acct-a", "a2"), `UPDATE users SET display_name = 'wrong' WHERE id = $1`, "a1")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.probes(t, db), f.probes(t, truth); got["user acct-a/a1"] == want["user acct-a/a1"] {
		t.Fatal("a wrong row key went unnoticed: the stale-read check has no teeth")
	}
}

// Group commit: the requests of one batch merge what they changed; a request rolled back to its savepoint
// changed nothing and invalidates nothing.
func TestGroupCommitMergesInvalidation(t *testing.T) {
	t.Parallel()
	db, truth := openPair(t)
	f := newFixture(t, db)
	f.warm(t, db)
	req := func(fn func(chime.Tx) error) *writeReq { return &writeReq{ctx: bg, fn: fn, done: make(chan struct{})} }
	batch := []*writeReq{
		req(func(tx chime.Tx) error { return writeCases["UpdateUser"].run(tx, f) }),
		req(func(tx chime.Tx) error {
			if err := writeCases["UpdateAccount"].run(tx, f); err != nil {
				return err
			}
			return errSentinelFail
		}),
		req(func(tx chime.Tx) error { return writeCases["DeleteUser"].run(tx, f) }),
	}
	db.runBatch(batch)
	if batch[0].err != nil || batch[1].err != errSentinelFail || batch[2].err != nil {
		t.Fatalf("batch errors: %v, %v, %v", batch[0].err, batch[1].err, batch[2].err)
	}
	cached := f.cached(db)
	for p, want := range map[string]bool{"user acct-a/a1": false, "user acct-a/a2": false, "account acct-a": true,
		"user acct-b/b1": true} {
		if cached[p] != want {
			t.Errorf("after the batch: %s cached = %v, want %v", p, cached[p], want)
		}
	}
	if got, want := f.probes(t, db), f.probes(t, truth); !maps.Equal(got, want) {
		t.Fatalf("after the batch:\n got %v\nwant %v", got, want)
	}
}

var errSentinelFail = fmt.Errorf("the request fails")

func TestStatementWrites(t *testing.T) {
	one := func(ts tableSet) writeInfo { return writeInfo{tables: ts, oneRow: true} }
	many := func(ts tableSet) writeInfo { return writeInfo{tables: ts} }
	for q, want := range map[string]writeInfo{
		userByIDQuery:   {},
		insertUserQuery: one(tableUsers),
		updateUserQuery: one(tableUsers),
		deleteUserQuery: one(tableUsers),
		"-- comment\nINSERT INTO accounts (id) VALUES ($1)":                  one(tableAccounts),
		`UPDATE OR IGNORE "credentials" SET x = 1`:                           one(tableCredentials),
		"delete /* x */ from `users`":                                        one(tableUsers),
		"DELETE FROM ONLY users WHERE id = $1":                               one(tableUsers),
		"UPDATE users SET a = 1;  ":                                          one(tableUsers),
		"INSERT INTO users (id) VALUES ($1) ON CONFLICT DO NOTHING":          one(tableUsers),
		`  insert or replace into Users (id) VALUES (1)`:                     many(tableUsers),
		"REPLACE INTO main.[accounts] VALUES (1)":                            many(tableAccounts),
		"UPDATE OR REPLACE users SET pin = $1 WHERE id = $2":                 many(tableUsers),
		"INSERT INTO users (id) VALUES ($1) ON CONFLICT (x) DO UPDATE SET a": many(tableUsers),
		"DELETE FROM user_sessions WHERE hash = $1":                          {oneRow: true},
		"UPDATE users_archive SET x = 1":                                     {oneRow: true},
		"INSERT INTO temp.accounts_x SELECT * FROM accounts":                 {oneRow: true},
		insertOutboxQuery:                  {oneRow: true},
		insertLinkQuery:                    {oneRow: true},
		savepointQuery:                     {},
		releaseQuery:                       {},
		rollbackToQuery:                    {},
		"SELECT pg_advisory_xact_lock($1)": {},
		"WITH x AS (DELETE FROM users RETURNING id) SELECT * FROM x": unknownWrite,
		"TRUNCATE users": unknownWrite,
		"INSERT OR WHATEVER INTO users VALUES (1)": unknownWrite,
		"UPDATE":        unknownWrite,
		`UPDATE "users`: unknownWrite,
		"":              unknownWrite,
		"DELETE users":  unknownWrite,
		"update users set a = 1; delete from accounts": unknownWrite,
	} {
		if got := statementWrites(q); got.tables != want.tables || (got.tables != 0 && got.oneRow != want.oneRow) {
			t.Errorf("statementWrites(%q) = %+v, want %+v", q, got, want)
		}
	}
}

// A row key narrows only a statement that writes that one row of that one table.
func TestDirtyRowKeys(t *testing.T) {
	var d dirty
	d.wrote(statementWrites(updateUserQuery), userRow("a", "1"))
	d.wrote(statementWrites(`UPDATE accounts SET name = $1 WHERE id = $2`), accountRow("a"))
	d.wrote(statementWrites(insertLinkQuery), userRow("a", "2"))
	if d.tables != 0 || len(d.users) != 1 || len(d.accounts) != 1 {
		t.Fatalf("keyed writes: %+v", d)
	}
	for _, c := range []struct {
		q string
		k rowKey
	}{
		{updateUserQuery, rowKey{}},                                    // no key
		{updateUserQuery, accountRow("a")},                             // a key of another table
		{updateUserQuery, userRow("a", "")},                            // no row
		{"INSERT OR REPLACE INTO users VALUES (1)", userRow("a", "1")}, // may replace another row
		{"TRUNCATE users", userRow("a", "1")},                          // unknown
	} {
		var d dirty
		d.wrote(statementWrites(c.q), c.k)
		if d.tables&tableUsers == 0 {
			t.Errorf("%q with %+v: users not dropped whole: %+v", c.q, c.k, d)
		}
	}
	var m dirty
	m.merge(&dirty{tables: tableUsers})
	m.merge(&d) // users a/1, account a
	m.merge(&dirty{accounts: []string{"x"}})
	if m.tables != tableUsers || !slices.Equal(m.accounts, []string{"a", "x"}) || len(m.users) != 1 {
		t.Fatalf("merge: %+v", m)
	}
}
