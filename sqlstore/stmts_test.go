package sqlstore

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	chime "github.com/chimed/chimed"
)

// Every statement of hotQueries is prepared when a SQLite store opens, and the hot write methods, run by the
// group-commit writer, use the prepared statements: a hot query that does not compile, or a method that runs
// a statement other than its constant, shows here.
func TestHotQueriesArePreparedAndUsed(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{"sqlite:" + filepath.Join(t.TempDir(), "hot.db"), "sqlite::memory:"} {
		db, err := Open(bg, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		reads, writes := hotQueries()
		for _, q := range reads {
			if db.prepared(q, false) == nil {
				t.Errorf("%s: read query not prepared: %s", dsn, q)
			}
		}
		for _, q := range writes {
			if db.prepared(q, true) == nil {
				t.Errorf("%s: write query not prepared: %s", dsn, q)
			}
		}
		if !slices.Contains(writes, insertUserQuery) || !strings.HasPrefix(insertUserQuery, "INSERT INTO users") {
			t.Errorf("the INSERT INTO users is not a hot write: %q", insertUserQuery)
		}

		type run struct {
			q               string
			write, prepared bool
		}
		var mu sync.Mutex
		var ran []run
		db.onStatement = func(q string, write, prepared bool) {
			mu.Lock()
			ran = append(ran, run{q, write, prepared})
			mu.Unlock()
		}
		f := newFixture(t, db) // InsertAccount, InsertUser, InsertLink, InsertSession, InsertOutbox
		// Two requests in one batch: the savepoint statements run too.
		req := func(fn func(chime.Tx) error) *writeReq { return &writeReq{ctx: bg, fn: fn, done: make(chan struct{})} }
		batch := []*writeReq{
			req(func(tx chime.Tx) error {
				if _, err := tx.Account(bg, "111122223333", "acct-a"); err != nil {
					return err
				}
				u, err := tx.User(bg, "acct-a", "a1")
				if err != nil {
					return err
				}
				if _, err := tx.UserByEmail(bg, "111122223333", "a2@example.com"); err != nil {
					return err
				}
				if _, err := tx.PINExists(bg, "0123456789"); err != nil {
					return err
				}
				if _, err := tx.CountUsers(bg, "acct-a", chime.Suspended); err != nil {
					return err
				}
				u.DisplayName = "hot"
				return tx.UpdateUser(bg, u)
			}),
			req(func(tx chime.Tx) error { return errSentinelFail }),
		}
		db.runBatch(batch)
		if batch[0].err != nil {
			t.Fatal(batch[0].err)
		}
		if err := db.Read(bg, func(tx chime.Tx) error {
			_, err := tx.ListUsers(bg, f.accounts[0], chime.UserFilter{Type: chime.UserPrivate, Limit: 10})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		db.onStatement = nil

		seen := map[string]bool{}
		for _, r := range ran {
			hot := slices.Contains(writes, r.q)
			if !r.write {
				hot = slices.Contains(reads, r.q)
			}
			if hot && !r.prepared {
				t.Errorf("%s: hot statement ran unprepared (write=%v): %s", dsn, r.write, r.q)
			}
			if strings.HasPrefix(strings.TrimSpace(r.q), "INSERT INTO users") && (r.q != insertUserQuery || !r.prepared) {
				t.Errorf("%s: InsertUser ran %q (prepared %v), want insertUserQuery prepared", dsn, r.q, r.prepared)
			}
			if r.prepared {
				seen[r.q] = true
			}
		}
		for _, q := range []string{insertUserQuery, setListingQuery, updateUserQuery, userByEmailQuery, pinExistsQuery, countUsersQuery,
			insertLinkQuery, insertOutboxQuery, savepointQuery, releaseQuery, rollbackToQuery, userByIDQuery,
			accountByIDQuery, concatListingsQuery(false, true)} {
			if !seen[q] {
				t.Errorf("%s: never ran prepared: %s", dsn, q)
			}
		}
	}
}
