package sqlstore_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// The console sessions table (migration 00017) on every engine: insert, read back, delete one, delete a key's,
// prune the expired ones only.
func TestConsoleSessionsTable(t *testing.T) {
	testenv.EachEngine(t, func(t *testing.T, dsn string) {
		db := testenv.MustOpen(t, dsn)
		c := context.Background()
		now := time.UnixMilli(time.Now().UnixMilli()).UTC()
		mk := func(token, key string, ttl time.Duration) *chime.ConsoleSession {
			return &chime.ConsoleSession{Hash: chime.ConsoleTokenHash(token), AccessKeyID: key,
				AwsAccountID: "111122223333", CSRF: "csrf-" + token, CreatedAt: now, ExpiresAt: now.Add(ttl)}
		}
		a, b, old := mk("a", "KEYA", time.Hour), mk("b", "KEYB", time.Hour), mk("old", "KEYB", -time.Hour)
		lcMust(t, db.Write(c, func(tx chime.Tx) error {
			for _, s := range []*chime.ConsoleSession{a, b, old} {
				if err := tx.InsertConsoleSession(c, s); err != nil {
					return err
				}
			}
			return nil
		}))
		err := db.Write(c, func(tx chime.Tx) error { return tx.InsertConsoleSession(c, mk("a", "KEYA", time.Hour)) })
		if chime.ErrorCode(err) != chime.ECONFLICT {
			t.Errorf("second insert of one hash: %v, want Conflict", err)
		}
		lcMust(t, db.Read(c, func(tx chime.Tx) error {
			got, err := tx.ConsoleSession(c, a.Hash)
			lcMust(t, err)
			if !bytes.Equal(got.Hash, a.Hash) || got.AccessKeyID != "KEYA" || got.CSRF != "csrf-a" ||
				!got.ExpiresAt.Equal(a.ExpiresAt) || !got.CreatedAt.Equal(now) || got.AwsAccountID != "111122223333" {
				t.Errorf("read back %+v, want %+v", got, a)
			}
			return nil
		}))
		var pruned int
		lcMust(t, db.Write(c, func(tx chime.Tx) error {
			var err error
			pruned, err = tx.PruneConsoleSessions(c, now, 10)
			return err
		}))
		if pruned != 1 {
			t.Errorf("pruned %d sessions, want the 1 expired", pruned)
		}
		lcMust(t, db.Write(c, func(tx chime.Tx) error { return tx.DeleteConsoleSessionsOfKey(c, "KEYB") }))
		lcMust(t, db.Write(c, func(tx chime.Tx) error { return tx.DeleteConsoleSession(c, a.Hash) }))
		lcMust(t, db.Read(c, func(tx chime.Tx) error {
			for _, s := range []*chime.ConsoleSession{a, b, old} {
				if _, err := tx.ConsoleSession(c, s.Hash); chime.ErrorCode(err) != chime.ENOTFOUND {
					t.Errorf("session of %s after the deletes: %v, want NotFound", s.AccessKeyID, err)
				}
			}
			return nil
		}))
	})
}
