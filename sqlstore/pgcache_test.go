package sqlstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore/pgtest"
)

// Two PostgreSQL nodes on one schema: A writes, B (its cache warm) reads. Every read of B that begins after a
// write of A was acknowledged must see it.

// openNodes opens n cached stores and one uncached store (the truth) on one fresh schema.
func openNodes(t *testing.T, n int) (nodes []*DB, truth *DB) {
	t.Helper()
	dsn := pgtest.DSN(t)
	open := func(o Options) *DB {
		db, err := OpenWith(bg, dsn, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	for range n {
		db := open(Options{})
		if s, ok := db.CacheListener(); !ok || !s.Connected {
			t.Fatalf("node's cache listener: %+v, %v", s, ok)
		}
		nodes = append(nodes, db)
	}
	return nodes, open(Options{CacheUsers: -1})
}

// warmNode fills db's cache with the fixture, after a sync: the notifications of the writes that made the
// fixture, arriving late, would otherwise refuse the fills.
func warmNode(t *testing.T, f *fixture, db *DB) map[string]string {
	t.Helper()
	if !db.pgc.sync(bg) {
		t.Fatal("no sync")
	}
	return f.warm(t, db)
}

func readUser(t *testing.T, db *DB, ctx context.Context, accountID, id string) *chime.User {
	t.Helper()
	var u *chime.User
	err := db.Read(ctx, func(tx chime.Tx) error {
		var err error
		u, err = tx.User(ctx, accountID, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func cacheHits(db *DB) (n int64) {
	for _, s := range db.Stats().Cache {
		n += s.Hits
	}
	return n
}

func TestPostgresNodesSeeAcknowledgedWrites(t *testing.T) {
	nodes, _ := openNodes(t, 2)
	a, b := nodes[0], nodes[1]
	f := newFixture(t, a)
	warmNode(t, f, b)
	for i := range 300 {
		u := *f.users[0]
		u.DisplayName = fmt.Sprintf("v%d", i)
		if err := a.Write(bg, func(tx chime.Tx) error { return tx.UpdateUser(bg, &u) }); err != nil {
			t.Fatal(err)
		}
		// Acknowledged: every read of B from now on sees it, from the cache or not, in a request scope or not.
		ctx := bg
		if i%2 == 1 {
			ctx = chime.WithReadScope(bg)
		}
		if got := readUser(t, b, ctx, u.AccountID, u.ID); got.DisplayName != u.DisplayName {
			t.Fatalf("write %d: node B answered %q, want %q", i, got.DisplayName, u.DisplayName)
		}
		// Warm again: the next write must invalidate a cached entry.
		if got := readUser(t, b, ctx, u.AccountID, u.ID); got.DisplayName != u.DisplayName {
			t.Fatalf("write %d: node B answered %q on the second read, want %q", i, got.DisplayName, u.DisplayName)
		}
		if !b.cache.holdsUser(u.AccountID, u.ID) {
			t.Fatalf("write %d: node B did not cache the user", i)
		}
	}
	hits := cacheHits(b)
	if hits < 300 {
		t.Fatalf("node B answered %d reads from its cache, want at least 300", hits)
	}
}

// A key revoked through A is refused by B at once, its cache warm.
func TestPostgresRevocationReachesOtherNode(t *testing.T) {
	nodes, _ := openNodes(t, 2)
	a, b := nodes[0], nodes[1]
	for i := range 50 {
		id := fmt.Sprintf("AKREVOKE%012d", i)
		if err := a.InsertCredential(bg, &chime.Credential{AccessKeyID: id, AwsAccountID: "111122223333",
			SealedSecret: []byte("x"), CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if c, err := b.Credential(bg, id); err != nil || !c.RevokedAt.IsZero() {
				t.Fatalf("before the revocation: %+v, %v", c, err)
			}
		}
		if !b.cache.holdsCredential(id) {
			t.Fatal("node B did not cache the credential")
		}
		if i%2 == 0 {
			err := a.RevokeCredential(bg, id, time.Now())
			if err != nil {
				t.Fatal(err)
			}
		} else {
			err := a.Write(bg, func(tx chime.Tx) error { return tx.RevokeCredentialAt(bg, id, time.Now()) })
			if err != nil {
				t.Fatal(err)
			}
		}
		if c, err := b.Credential(chime.WithReadScope(bg), id); err != nil || c.RevokedAt.IsZero() {
			t.Fatalf("key %d: node B still answers it unrevoked after the revocation: %+v, %v", i, c, err)
		}
	}
}

// listenerPID returns the backend pid of db's listening connection.
func listenerPID(t *testing.T, db *DB) int {
	t.Helper()
	var pid int
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := db.pool.QueryRow(bg, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`,
			db.pgc.appName()).Scan(&pid)
		if err == nil {
			return pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no listening session: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Killing B's listener: B bypasses its cache (no stale read, nothing answered from it) until the listener is
// back, then uses it again.
func TestPostgresListenerLossBypassesCache(t *testing.T) {
	nodes, truth := openNodes(t, 2)
	a, b := nodes[0], nodes[1]
	f := newFixture(t, a)
	warmNode(t, f, b)
	for round := range 3 {
		pid := listenerPID(t, b)
		if _, err := a.pool.Exec(bg, `SELECT pg_terminate_backend($1)`, pid); err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			u := *f.users[1]
			u.DisplayName = fmt.Sprintf("r%d-%d", round, i)
			if err := a.Write(bg, func(tx chime.Tx) error { return tx.UpdateUser(bg, &u) }); err != nil {
				t.Fatal(err)
			}
			if got := readUser(t, b, bg, u.AccountID, u.ID); got.DisplayName != u.DisplayName {
				t.Fatalf("round %d, write %d: node B answered %q, want %q", round, i, got.DisplayName, u.DisplayName)
			}
			if got, want := f.probes(t, b), f.probes(t, truth); !maps.Equal(got, want) {
				t.Fatalf("round %d: node B:\n%v\nwant\n%v", round, got, want)
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			s, _ := b.CacheListener()
			if s.Connected && s.Reconnects >= int64(round+2) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: the listener did not come back: %+v", round, s)
			}
			time.Sleep(20 * time.Millisecond)
		}
		warmNode(t, f, b)
		before := cacheHits(b)
		f.probes(t, b)
		if cacheHits(b) == before {
			t.Fatalf("round %d: the cache is not used after the listener came back", round)
		}
	}
}

// The cross-node form of TestNoWriteMethodLeavesStaleCache: every write method run on node A leaves node B
// (its cache warm) answering what the database holds. The notification is derived from the marks that
// invalidate A's own cache, so a write method that marks what it writes cannot forget the other nodes.
func TestPostgresNoWriteMethodLeavesStaleCacheOnOtherNode(t *testing.T) {
	pgtest.DSN(t) // skip early without PostgreSQL
	t.Parallel()
	slots := make(chan struct{}, 4) // each case holds three stores: a few at a time
	for _, name := range slices.Sorted(maps.Keys(writeCases)) {
		wc := writeCases[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			nodes, truth := openNodes(t, 2)
			a, b := nodes[0], nodes[1]
			f := newFixture(t, a)
			warmNode(t, f, a)
			before := warmNode(t, f, b)
			var err error
			if wc.cred != nil {
				err = wc.cred(a, f)
			} else {
				err = a.Write(bg, func(tx chime.Tx) error { return wc.run(tx, f) })
			}
			if err != nil {
				t.Fatal(err)
			}
			still := f.cached(b)
			gotA, gotB, want := f.probes(t, a), f.probes(t, b), f.probes(t, truth)
			for p := range want {
				if gotB[p] != want[p] {
					t.Errorf("%s: node B read %s stale:\n got %s\nwant %s", name, p, gotB[p], want[p])
				}
				if gotA[p] != want[p] {
					t.Errorf("%s: node A read %s stale:\n got %s\nwant %s", name, p, gotA[p], want[p])
				}
				changed := slices.Contains(wc.changes, p)
				if changed == (want[p] == before[p]) {
					t.Errorf("%s: %s changed = %v, the case says %v (fix the case)", name, p, !changed, changed)
				}
				if wc.keepsCache && !changed && !still[p] && !strings.HasPrefix(p, "credential") {
					t.Errorf("%s dropped %s from node B's cache, which it did not change", name, p)
				}
			}
		})
	}
}

func TestNotifyPayloadRoundTrip(t *testing.T) {
	for _, d := range []*dirty{
		{},
		{tables: tableCredentials},
		{tables: cachedTables},
		{accounts: []string{"a", "", "x:y"}, users: []userKey{{"acct", "u1"}, {"a:b", "7:c"}}},
		{tables: tableAccounts, users: []userKey{{"acct", strings.Repeat("u", 100)}}},
	} {
		got, err := decodeDirty(encodeDirty(d, maxNotifyPayload))
		if err != nil || fmt.Sprint(got) != fmt.Sprint(d) {
			t.Errorf("round trip of %+v: %+v, %v", d, got, err)
		}
	}
	big := &dirty{}
	for i := range 1000 {
		big.users = append(big.users, userKey{"acct", fmt.Sprint("user-", i)})
	}
	p := encodeDirty(big, maxNotifyPayload)
	if got, err := decodeDirty(p); err != nil || got.tables != tableUsers || len(got.users) != 0 {
		t.Errorf("an oversized list: %q → %+v, %v; want a flush of users", p, got, err)
	}
	for _, bad := range []string{"", "x", "9", "1a", "1a5:ab", "1u1:a", "1z1:a", "1a-1:"} {
		if d, err := decodeDirty(bad); err == nil {
			t.Errorf("decodeDirty(%q) = %+v, want an error", bad, d)
		}
	}
}

// A GetUser-shaped request (the key's lookup, then a read of the account and the user, in one request scope)
// costs one round trip on a node whose cache holds them: one sync, no statement, no transaction. Requests
// without a scope sync once per read.
func TestPostgresReadRequestIsOneRoundTrip(t *testing.T) {
	nodes, _ := openNodes(t, 2)
	a, b := nodes[0], nodes[1]
	f := newFixture(t, a)
	warmNode(t, f, b)
	var txStatements atomic.Int64
	b.onStatement = func(string, bool, bool) { txStatements.Add(1) }
	misses := func() (n int64) {
		for _, s := range b.Stats().Cache {
			n += s.Misses
		}
		return n
	}
	request := func(ctx context.Context) {
		if _, err := b.Credential(ctx, f.cred.AccessKeyID); err != nil {
			t.Fatal(err)
		}
		err := b.Read(ctx, func(tx chime.Tx) error {
			if _, err := tx.Account(ctx, "111122223333", "acct-a"); err != nil {
				return err
			}
			_, err := tx.User(ctx, "acct-a", "a1")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	s0, m0 := b.pgc.syncs.Load(), misses()
	const n = 100
	for range n {
		request(chime.WithReadScope(bg))
	}
	if syncs, m := b.pgc.syncs.Load()-s0, misses()-m0; syncs != n || m != 0 || txStatements.Load() != 0 {
		t.Fatalf("%d scoped requests: %d syncs, %d cache misses, %d statements in transactions; want %d, 0, 0",
			n, syncs, m, txStatements.Load(), n)
	}
	s0 = b.pgc.syncs.Load()
	for range n {
		request(bg)
	}
	if syncs := b.pgc.syncs.Load() - s0; syncs != 2*n {
		t.Fatalf("%d requests without a scope: %d syncs, want %d (one per read)", n, syncs, 2*n)
	}
	// A miss is one statement outside any transaction (no BEGIN, no COMMIT).
	b.cache.flush()
	request(chime.WithReadScope(bg))
	if txStatements.Load() != 0 {
		t.Fatalf("a miss ran %d statements in a transaction", txStatements.Load())
	}
}

// BenchmarkPostgresCachedGetUser runs GetUser-shaped requests (key, account, user in one request scope) in
// parallel on a warm node and reports the syncs a request costs: concurrent requests share them.
func BenchmarkPostgresCachedGetUser(b *testing.B) {
	dsn := pgtest.DSN(b)
	db, err := Open(bg, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC().Truncate(time.Millisecond)
	acct := &chime.Account{AwsAccountID: "111122223333", ID: "acct-a", Name: "a", Type: chime.AccountTeam,
		CreatedAt: now, DefaultLicense: chime.LicensePro, SupportedLicenses: []chime.License{chime.LicensePro},
		Status: chime.AccountActive}
	user := &chime.User{ID: "a1", AccountID: "acct-a", AwsAccountID: "111122223333", Email: "a1@example.com",
		License: chime.LicensePro, Type: chime.UserPrivate, RegistrationStatus: chime.Registered,
		InvitationStatus: chime.InviteAccepted, RegisteredOn: now, CreatedAt: now}
	err = db.Write(bg, func(tx chime.Tx) error {
		if err := tx.InsertAccount(bg, acct); err != nil {
			return err
		}
		return tx.InsertUser(bg, user)
	})
	if err != nil {
		b.Fatal(err)
	}
	f := &fixture{cred: &chime.Credential{AccessKeyID: "AKBENCH0000000000000", AwsAccountID: "111122223333",
		SealedSecret: []byte("x"), CreatedAt: now}}
	if err := db.InsertCredential(bg, f.cred); err != nil {
		b.Fatal(err)
	}
	db.pgc.sync(bg)
	s0 := db.pgc.syncs.Load()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ctx := chime.WithReadScope(bg)
			if _, err := db.Credential(ctx, f.cred.AccessKeyID); err != nil {
				b.Error(err)
				return
			}
			err := db.Read(ctx, func(tx chime.Tx) error {
				if _, err := tx.Account(ctx, "111122223333", "acct-a"); err != nil {
					return err
				}
				_, err := tx.User(ctx, "acct-a", "a1")
				return err
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(db.pgc.syncs.Load()-s0)/float64(b.N), "syncs/op")
}

// A node that applied migrations sends "flush" (a migration may change cached rows behind the write path):
// the other nodes drop everything.
func TestPostgresFlushNotification(t *testing.T) {
	nodes, _ := openNodes(t, 2)
	a, b := nodes[0], nodes[1]
	f := newFixture(t, a)
	warmNode(t, f, b)
	if _, err := a.pool.Exec(bg, notifyQuery, a.pgc.channel, "flush"); err != nil {
		t.Fatal(err)
	}
	if !b.pgc.sync(bg) {
		t.Fatal("no sync")
	}
	for p, ok := range f.cached(b) {
		if ok {
			t.Errorf("%s is still cached after a flush notification", p)
		}
	}
}
