package sqlstore

import (
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// The fixture of the read-cache invalidation tests (invalidation_test.go): the rows every write case runs
// against, the probes that read them back, and a constructor of a row of each newer resource.

// testAuditEvent is an audit event of AWS account 111122223333.
func testAuditEvent(f *fixture, id string) *chime.AuditEvent {
	return &chime.AuditEvent{ID: id, AwsAccountID: "111122223333", Time: f.now, AccessKeyID: "AKIDEXAMPLE",
		RequestID: "req", Operation: "CreateAccount", Params: "{}", Status: 200,
		Resources: []chime.AuditResource{{Type: "AWS::Chime::Account", Name: "acct-a"}}}
}

// testDialOut is a dial-out of AWS account 111122223333.
func testDialOut(f *fixture, id string) *chime.DialOut {
	return &chime.DialOut{TransactionID: id, AwsAccountID: "111122223333", MeetingID: "m", From: "+12065550100",
		To: "+12065550199", SealedJoinToken: []byte("sealed"), CreatedAt: f.now}
}

// testNumber is an Unassigned US number of AWS account 111122223333.
func testNumber(f *fixture, e164 string) *chime.PhoneNumber {
	return &chime.PhoneNumber{AwsAccountID: "111122223333", E164: e164, Country: "US", Type: chime.NumberLocal,
		ProductType: chime.ProductBusinessCalling, Status: chime.NumberUnassigned,
		CallingNameStatus: chime.CallingNameUnassigned, CreatedAt: f.now, UpdatedAt: f.now}
}

// testRoom is a room of account acct-a.
func testRoom(f *fixture, id string) *chime.Room {
	return &chime.Room{ID: id, AccountID: "acct-a", AwsAccountID: "111122223333", Name: id, CreatedBy: "arn",
		CreatedAt: f.now, UpdatedAt: f.now}
}

// testMembership is a Member membership of member in room of account acct-a.
func testMembership(f *fixture, room, member string) *chime.RoomMembership {
	return &chime.RoomMembership{RoomID: room, AccountID: "acct-a", MemberID: member, Type: chime.MemberUser,
		Role: chime.RoleMember, InvitedBy: "arn", CreatedAt: f.now, UpdatedAt: f.now}
}

// testMessage is a message of room room-w of account acct-a.
func testMessage(f *fixture, id string) *chime.ChatMessage {
	return &chime.ChatMessage{ID: id, AwsAccountID: "111122223333", AccountID: "acct-a", Kind: chime.ChatRoom,
		ChatID: "room-w", SenderType: chime.SenderUser, SenderID: "a1", Content: "hello", CreatedAt: f.now}
}

// testWebhook is a webhook of room room-w of account acct-a.
func testWebhook(f *fixture, id string) *chime.Webhook {
	return &chime.Webhook{ID: id, AwsAccountID: "111122223333", AccountID: "acct-a", RoomID: "room-w", Name: id,
		CreatedAt: f.now}
}

// testInbound is a webhook URL of room room-w of account acct-a.
func testInbound(f *fixture, id string) *chime.InboundURL {
	return &chime.InboundURL{ID: id, Hash: hash(id), AwsAccountID: "111122223333", AccountID: "acct-a",
		RoomID: "room-w", Kind: chime.InboundWebhook, OwnerID: "wh-x", CreatedAt: f.now}
}

// testBot is a bot of account acct-a.
func testBot(f *fixture, id string) *chime.Bot {
	return &chime.Bot{ID: id, AccountID: "acct-a", AwsAccountID: "111122223333", DisplayName: id + " (Bot)",
		Email: id + "-chimebot@example.com", SealedToken: []byte("sealed"), CreatedAt: f.now}
}

// testBotEvent is a Pending event of a bot of account acct-a.
func testBotEvent(f *fixture, id string) *chime.BotEvent {
	return &chime.BotEvent{ID: id, AwsAccountID: "111122223333", AccountID: "acct-a", BotID: "bot-x",
		Type: chime.BotEventInvite, TargetType: chime.BotTargetHTTPS, Target: "https://bot.example.com/",
		Body: []byte(`{}`), Status: chime.BotEventPending, CreatedAt: f.now}
}

func hash(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

// fixture: AWS account 111122223333 with accounts acct-a (users a1, a2; a link, a session and a message of a1)
// and acct-b (user b1); AWS account 444455556666 with acct-c (user c1); one credential.
type fixture struct {
	now      time.Time
	accounts []*chime.Account
	users    []*chime.User
	link     *chime.Link
	session  *chime.Session
	message  *chime.OutboxMessage
	cred     *chime.Credential
}

func newFixture(t *testing.T, db *DB) *fixture {
	t.Helper()
	now := time.UnixMilli(1795000000123).UTC()
	f := &fixture{now: now}
	for _, a := range [][2]string{{"111122223333", "acct-a"}, {"111122223333", "acct-b"}, {"444455556666", "acct-c"}} {
		f.accounts = append(f.accounts, &chime.Account{AwsAccountID: a[0], ID: a[1], Name: a[1],
			Type: chime.AccountEnterpriseLWA, CreatedAt: now, DefaultLicense: chime.LicensePro,
			SupportedLicenses: []chime.License{chime.LicenseBasic, chime.LicensePro}, Status: chime.AccountActive})
	}
	for i, u := range [][3]string{{"a1", "acct-a", "111122223333"}, {"a2", "acct-a", "111122223333"},
		{"b1", "acct-b", "111122223333"}, {"c1", "acct-c", "444455556666"}} {
		f.users = append(f.users, &chime.User{ID: u[0], AccountID: u[1], AwsAccountID: u[2],
			Email: u[0] + "@example.com", License: chime.LicensePro, Type: chime.UserPrivate,
			RegistrationStatus: chime.Registered, InvitationStatus: chime.InviteAccepted, RegisteredOn: now,
			PIN: fmt.Sprintf("%010d", i+1), CreatedAt: now})
	}
	f.link = &chime.Link{Hash: hash("l1"), Kind: chime.LinkSignIn, AwsAccountID: "111122223333", AccountID: "acct-a",
		UserID: "a1", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	f.session = &chime.Session{Hash: hash("s1"), AwsAccountID: "111122223333", AccountID: "acct-a", UserID: "a1",
		CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	f.message = &chime.OutboxMessage{ID: "m1", AwsAccountID: "111122223333", AccountID: "acct-a",
		Kind: chime.LinkInvite, To: "a1@example.com", Subject: "s", SealedLink: []byte{1}, EmailStatus: chime.EmailNotSent,
		CreatedAt: now}
	f.cred = &chime.Credential{AccessKeyID: "AKCHFIRSTKEY000000000", AwsAccountID: "111122223333",
		SealedSecret: []byte("sealed"), CreatedAt: now}
	err := db.Write(bg, func(tx chime.Tx) error {
		for _, a := range f.accounts {
			if err := tx.InsertAccount(bg, a); err != nil {
				return err
			}
		}
		for _, u := range f.users {
			if err := tx.InsertUser(bg, u); err != nil {
				return err
			}
		}
		if err := tx.InsertLink(bg, f.link); err != nil {
			return err
		}
		if err := tx.InsertSession(bg, f.session); err != nil {
			return err
		}
		return tx.InsertOutbox(bg, f.message)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.InsertCredential(bg, f.cred); err != nil {
		t.Fatal(err)
	}
	return f
}

// probes reads every cached row of the fixture through db: probe name → what the store answers.
func (f *fixture) probes(t *testing.T, db *DB) map[string]string {
	t.Helper()
	show := func(v any, err error) string {
		if err != nil {
			return "error " + chime.ErrorCode(err)
		}
		return fmt.Sprintf("%+v", v)
	}
	out := map[string]string{}
	err := db.Read(bg, func(tx chime.Tx) error {
		for _, a := range f.accounts {
			out["account "+a.ID] = show(tx.Account(bg, a.AwsAccountID, a.ID))
		}
		for _, u := range f.users {
			out["user "+u.AccountID+"/"+u.ID] = show(tx.User(bg, u.AccountID, u.ID))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out["credential"] = show(db.Credential(bg, f.cred.AccessKeyID))
	return out
}

// cached reports which probes the cache of db holds.
func (f *fixture) cached(db *DB) map[string]bool {
	c := db.cache
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := map[string]bool{}
	for _, a := range f.accounts {
		_, out["account "+a.ID] = c.accounts[a.ID]
	}
	for _, u := range f.users {
		_, _, out["user "+u.AccountID+"/"+u.ID] = c.users.get(u.AccountID, u.ID)
	}
	_, out["credential"] = c.credentials[f.cred.AccessKeyID]
	return out
}

// openPair opens a cached store on a fresh file and a second, uncached store on the same file (the truth).
func openPair(t *testing.T) (cached, truth *DB) {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "c.db")
	var err error
	if cached, err = Open(bg, dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cached.Close() })
	if truth, err = OpenWith(bg, dsn, Options{CacheUsers: -1}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { truth.Close() })
	return cached, truth
}

// warm fills the cache of db with every probe and returns what they answer.
func (f *fixture) warm(t *testing.T, db *DB) map[string]string {
	t.Helper()
	before := f.probes(t, db)
	for p, ok := range f.cached(db) {
		if !ok {
			t.Fatalf("%s is not cached after a read", p)
		}
	}
	return before
}
