package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sqlstore"
)

// The lifecycle tables (migration 00003) on every engine: single use of links, cascades, outbox bounds.

func lcStores(t *testing.T, f func(t *testing.T, db *sqlstore.DB)) {
	testenv.EachEngine(t, func(t *testing.T, dsn string) { f(t, testenv.MustOpen(t, dsn)) })
}

func lcMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func lcHash(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func TestLifecycleTables(t *testing.T) {
	lcStores(t, func(t *testing.T, db *sqlstore.DB) {
		c := context.Background()
		now := time.UnixMilli(time.Now().UnixMilli()).UTC()
		a := &chime.Account{AwsAccountID: "111122223333", ID: "acct-1", Name: "a", Type: chime.AccountTeam,
			CreatedAt: now, DefaultLicense: chime.LicensePro, Status: chime.AccountActive}
		u := &chime.User{ID: "user-1", AccountID: a.ID, AwsAccountID: a.AwsAccountID, Email: "U@example.org",
			License: chime.LicensePro, Type: chime.UserPrivate, RegistrationStatus: chime.Registered, CreatedAt: now}
		link := &chime.Link{Hash: lcHash("l1"), Kind: chime.LinkSignIn, AwsAccountID: a.AwsAccountID, AccountID: a.ID,
			UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		ss := &chime.Session{Hash: lcHash("s1"), AwsAccountID: a.AwsAccountID, AccountID: a.ID, UserID: u.ID,
			CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		lcMust(t, db.Write(c, func(tx chime.Tx) error {
			lcMust(t, tx.InsertAccount(c, a))
			lcMust(t, tx.InsertUser(c, u))
			lcMust(t, tx.InsertLink(c, link))
			return tx.InsertSession(c, ss)
		}))
		lcMust(t, db.Read(c, func(tx chime.Tx) error {
			got, err := tx.Link(c, link.Hash)
			lcMust(t, err)
			if !bytes.Equal(got.Hash, link.Hash) || got.Kind != chime.LinkSignIn || !got.ExpiresAt.Equal(link.ExpiresAt) ||
				!got.UsedAt.IsZero() || got.UserID != u.ID {
				t.Errorf("link %+v", got)
			}
			users, err := tx.UsersByEmail(c, "u@example.org")
			if err != nil || len(users) != 1 || users[0].ID != u.ID {
				t.Errorf("UsersByEmail: %v %v", users, err)
			}
			n, err := tx.CountLiveLinks(c, a.ID, u.ID, chime.LinkSignIn, now)
			if err != nil || n != 1 {
				t.Errorf("CountLiveLinks = %d, %v", n, err)
			}
			got2, err := tx.Session(c, ss.Hash)
			if err != nil || got2.UserID != u.ID || !got2.ExpiresAt.Equal(ss.ExpiresAt) {
				t.Errorf("session %+v %v", got2, err)
			}
			if _, err := tx.Link(c, lcHash("nope")); chime.ErrorCode(err) != chime.ENOTFOUND {
				t.Errorf("unknown link: %v", err)
			}
			return nil
		}))
		// Single use.
		lcMust(t, db.Write(c, func(tx chime.Tx) error { return tx.UseLink(c, link.Hash, now) }))
		if err := db.Write(c, func(tx chime.Tx) error { return tx.UseLink(c, link.Hash, now) }); chime.ErrorCode(err) != chime.ENOTFOUND {
			t.Errorf("second UseLink: %v", err)
		}
		// Outbox: oldest first, bounded, status, scoped, deletable per account.
		lcMust(t, db.Write(c, func(tx chime.Tx) error {
			for i := range 5 {
				m := &chime.OutboxMessage{ID: fmt.Sprintf("m%d", i), AwsAccountID: a.AwsAccountID, AccountID: a.ID,
					Kind: chime.LinkInvite, To: "x@example.org", Subject: "s", SealedLink: []byte{1, 2, byte(i)},
					EmailStatus: chime.EmailNotSent, CreatedAt: now}
				lcMust(t, tx.InsertOutbox(c, m))
			}
			lcMust(t, tx.PruneOutbox(c, a.AwsAccountID, 3))
			return tx.SetOutboxStatus(c, "m4", chime.EmailSent)
		}))
		// Results are checked after the read: its function may run twice (onestatement.go).
		var list, all, other []*chime.OutboxMessage
		var listErr, allErr, otherErr error
		lcMust(t, db.Read(c, func(tx chime.Tx) error {
			list, listErr = tx.ListOutbox(c, a.AwsAccountID, 2)
			all, allErr = tx.ListOutbox(c, a.AwsAccountID, 100)
			other, otherErr = tx.ListOutbox(c, "444455556666", 100)
			return nil
		}))
		if listErr != nil || len(list) != 2 || list[0].ID != "m3" || list[1].ID != "m4" ||
			list[1].EmailStatus != chime.EmailSent || !bytes.Equal(list[1].SealedLink, []byte{1, 2, 4}) {
			t.Errorf("ListOutbox(2) = %v, %v", list, listErr)
		}
		if allErr != nil || len(all) != 3 || all[0].ID != "m2" {
			t.Errorf("after pruning to 3: %d messages, %v", len(all), allErr)
		}
		if otherErr != nil || len(other) != 0 {
			t.Errorf("another AWS account sees %d messages, %v", len(other), otherErr)
		}
		if err := db.Write(c, func(tx chime.Tx) error { return tx.SetOutboxStatus(c, "m0", chime.EmailSent) }); chime.ErrorCode(err) != chime.ENOTFOUND {
			t.Errorf("status of a pruned message: %v", err)
		}
		// Deleting the user deletes its links and sessions.
		lcMust(t, db.Write(c, func(tx chime.Tx) error {
			lcMust(t, tx.DeleteOutbox(c, a.AwsAccountID, a.ID))
			return tx.DeleteUser(c, u)
		}))
		lcMust(t, db.Read(c, func(tx chime.Tx) error {
			if _, err := tx.Link(c, link.Hash); chime.ErrorCode(err) != chime.ENOTFOUND {
				t.Errorf("link outlived its user: %v", err)
			}
			if _, err := tx.Session(c, ss.Hash); chime.ErrorCode(err) != chime.ENOTFOUND {
				t.Errorf("session outlived its user: %v", err)
			}
			if list, _ := tx.ListOutbox(c, a.AwsAccountID, 100); len(list) != 0 {
				t.Errorf("outbox after DeleteOutbox: %d", len(list))
			}
			return nil
		}))
	})
}
