package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"sync"
	"testing"

	chime "github.com/chimed/chimed"
)

// TestSQLiteConnectionsHaveNoMutex: every connection of both pools, and of an in-memory store, runs in
// multi-thread mode (no connection mutex: see openSQLitePool), and the store still works from many goroutines
// at once — concurrent readers, writers and list pages over the same pools.
func TestSQLiteConnectionsHaveNoMutex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, dsn := range []string{"sqlite:" + filepath.Join(t.TempDir(), "nomutex.db"), "sqlite::memory:"} {
		db, err := Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		for name, pool := range map[string]*sql.DB{"writer": db.write, "reader": db.read} {
			conn, err := pool.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = conn.Raw(func(dc any) error {
				m := connMutex(dc.(driver.Conn))
				if m == nil {
					t.Errorf("%s %s: not a modernc.org/sqlite connection with a db handle", dsn, name)
				} else if *m != 0 {
					t.Errorf("%s %s: the connection has a mutex (serialized mode)", dsn, name)
				}
				return nil
			})
			conn.Close()
			if err != nil {
				t.Fatal(err)
			}
		}

		svc, err := chime.NewService(ctx, db, chime.ServiceOptions{})
		if err != nil {
			t.Fatal(err)
		}
		acc, err := svc.CreateAccount(ctx, "111122223333", new("nomutex"))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := range 8 {
			wg.Go(func() {
				for i := range 20 {
					if _, err := svc.InviteUsers(ctx, "111122223333", acc.ID,
						[]string{"u" + string(rune('a'+g)) + string(rune('a'+i)) + "@example.com"}, nil); err != nil {
						errs <- err
						return
					}
					if _, _, err := svc.ListUsers(ctx, "111122223333", acc.ID, chime.ListUsersInput{}); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		users, _, err := svc.ListUsers(ctx, "111122223333", acc.ID, chime.ListUsersInput{MaxResults: 100})
		if err != nil || len(users) != 100 {
			t.Fatalf("%s: %d users listed after 160 invitations, want a full page of 100 (%v)", dsn, len(users), err)
		}
	}
}

// TestSQLitePoolPragmas: the reader connections of a file store are query-only and keep a 1 MiB page cache
// (what keeps a node with a full read cache under 100 MB, BENCHMARKS.md); the writer keeps SQLite's 2 MiB.
func TestSQLitePoolPragmas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "pragmas.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		name      string
		pool      *sql.DB
		cacheSize int
		queryOnly int
	}{{"writer", db.write, -2000, 0}, {"reader", db.read, -1024, 1}} {
		var cache, qo int
		if err := tc.pool.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
			t.Fatal(err)
		}
		if err := tc.pool.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil {
			t.Fatal(err)
		}
		if cache != tc.cacheSize || qo != tc.queryOnly {
			t.Errorf("%s: cache_size %d, query_only %d; want %d, %d", tc.name, cache, qo, tc.cacheSize, tc.queryOnly)
		}
	}
}
