package sqlstore

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// listIDs lists the users of account a in tx.
func listIDs(t *testing.T, tx chime.Tx, a *chime.Account) ([]string, error) {
	t.Helper()
	users, err := tx.ListUsers(bg, a, chime.UserFilter{Limit: 10})
	var ids []string
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	return ids, err
}

// A read whose one statement is a list query runs it outside any transaction (on PostgreSQL one round trip);
// a read of several statements runs again in a transaction, once per first query.
func TestListReadIsOneStatement(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		db, err := OpenWith(bg, "sqlite:"+filepath.Join(t.TempDir(), "s.db"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		f := newFixture(t, db)
		f.warm(t, db)
		testListReadIsOneStatement(t, db, f)
	})
	t.Run("postgres", func(t *testing.T) {
		nodes, _ := openNodes(t, 1)
		f := newFixture(t, nodes[0])
		warmNode(t, f, nodes[0])
		testListReadIsOneStatement(t, nodes[0], f)
	})
}

func testListReadIsOneStatement(t *testing.T, db *DB, f *fixture) {
	acctA, acctB := f.accounts[0], f.accounts[1]
	stats := func() (snapshots, reruns int64) {
		s := db.Stats()
		return s.ReadSnapshots, s.ReadReruns
	}

	s0, r0 := stats()
	var got []string
	err := db.Read(bg, func(tx chime.Tx) error {
		a, err := tx.Account(bg, acctA.AwsAccountID, acctA.ID) // a cache hit
		if err != nil {
			return err
		}
		got, err = listIDs(t, tx, a)
		return err
	})
	if s, r := stats(); err != nil || !slices.Equal(got, []string{"a1", "a2"}) || s != s0 || r != r0 {
		t.Fatalf("account + list: %v, %v; %d transactions, %d re-runs; want [a1 a2], none", got, err, s-s0, r-r0)
	}

	// Two lists need one snapshot: the first attempt stops at the second statement, fn runs again in a
	// transaction, whatever the first attempt did with the error.
	var a1, b1 []string
	runs := 0
	twoLists := func(tx chime.Tx) error {
		runs++
		var err error
		if a1, err = listIDs(t, tx, acctA); err != nil {
			return err
		}
		b1, _ = listIDs(t, tx, acctB) // the error is dropped: the re-run must not depend on fn returning it
		return nil
	}
	s0, r0 = stats()
	if err := db.Read(bg, twoLists); err != nil {
		t.Fatal(err)
	}
	s, r := stats()
	if runs != 2 || s-s0 != 1 || r-r0 != 1 || !slices.Equal(a1, []string{"a1", "a2"}) || !slices.Equal(b1, []string{"b1"}) {
		t.Fatalf("two lists: %d runs, %d transactions, %d re-runs, %v %v; want 2, 1, 1, [a1 a2] [b1]", runs, s-s0, r-r0, a1, b1)
	}
	// The first query is remembered: the next such read begins its transaction at once.
	runs = 0
	s0, r0 = stats()
	if err := db.Read(bg, twoLists); err != nil {
		t.Fatal(err)
	}
	if s, r := stats(); runs != 1 || s-s0 != 1 || r-r0 != 0 || !slices.Equal(b1, []string{"b1"}) {
		t.Fatalf("two lists again: %d runs, %d transactions, %d re-runs, %v; want 1, 1, 0, [b1]", runs, s-s0, r-r0, b1)
	}
	// The memory is per query: a read of another single list query still runs alone.
	s0, r0 = stats()
	var accounts []*chime.Account
	err = db.Read(bg, func(tx chime.Tx) error {
		accounts, err = tx.ListAccounts(bg, acctA.AwsAccountID, chime.AccountFilter{Limit: 10})
		return err
	})
	if s, r := stats(); err != nil || len(accounts) != 2 || s != s0 || r != r0 {
		t.Fatalf("accounts alone: %d, %v; %d transactions, %d re-runs; want 2, none", len(accounts), err, s-s0, r-r0)
	}
}

// A read whose function panics ends its transaction: the panic does not keep a connection of the pool. More
// panicking reads than the pool has connections, then a read that must get one, within a deadline.
func TestPanickingReadReleasesItsConnection(t *testing.T) {
	eachEngine(t, Options{MaxConns: 2}, func(t *testing.T, _ string, db *DB) {
		f := newFixture(t, db)
		ctx, cancel := context.WithTimeout(bg, 5*time.Second) // a leak makes the reads fail, not hang
		defer cancel()
		for range 5 {
			func() {
				defer func() { recover() }()
				db.Read(ctx, func(tx chime.Tx) error {
					if _, err := tx.CountUsers(ctx, f.accounts[0].ID, ""); err != nil { // begins the transaction
						return err
					}
					panic("a handler bug")
				})
			}()
		}
		var n int
		err := db.Read(ctx, func(tx chime.Tx) error {
			var err error
			n, err = tx.CountUsers(ctx, f.accounts[0].ID, "")
			return err
		})
		if err != nil || n != 2 {
			t.Fatalf("a read after five panicking ones: %d, %v", n, err)
		}
	})
}
