package sqlstore

import (
	"context"
	"database/sql"
	"time"

	chime "github.com/chimed/chimed"
)

// The read cache on PostgreSQL nodes. The cache itself is the one SQLite uses (cache.go), and so is the write
// path that invalidates it when this node commits (writes.go); what other nodes commit arrives through the
// listener (pgnotify.go). Exactness is defined per read, or per request when the request carries a
// chime.ReadScope (the HTTP layer opens one per request):
//
//	a read (a request) that begins after a write was acknowledged, by any node, never answers a value older
//	than that write.
//
// The cache answers a hit only after a sync that began after the read (the request) began; a miss reads the
// database with one statement, outside any transaction. So a read request costs one round trip: the sync when
// the cache holds everything it needs (shared by the concurrent requests), the statement otherwise.

// startPostgresCache starts the cache and its listener (Options.CacheUsers < 0: neither). It waits a moment for
// the listener's first connection; until it connects the cache is bypassed.
func (db *DB) startPostgresCache(ctx context.Context, o Options) {
	if o.CacheUsers < 0 {
		return
	}
	n := o.CacheUsers
	if n == 0 {
		n = 100_000
	}
	db.cache = newReadCache(n)
	db.pgc = newListener(db.pool.Config().ConnConfig, db.pool, db.ns, db.cache)
	db.pgc.start()
	if db.obs.migrated > 0 {
		// A migration may have changed cached rows behind the write path: nodes already running flush.
		if _, err := db.pool.Exec(ctx, notifyQuery, db.pgc.channel, "flush"); err != nil {
			db.pgc.log.Warn("could not tell the other nodes to flush their caches after the migrations", "error", err)
		}
	}
	select {
	case <-db.pgc.connected:
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
	}
}

// liveCache returns the read cache when it may be used now: nil without one, and on a PostgreSQL node whose
// listener is not connected.
func (db *DB) liveCache() *readCache {
	if db.pgc != nil && !db.pgc.up.Load() {
		return nil
	}
	return db.cache
}

// fresh makes the cache's answers exact for a read that began before the call, on a PostgreSQL node: it waits
// for a sync, unless the request's scope already did. false: bypass the cache.
func (db *DB) fresh(ctx context.Context) bool {
	if db.pgc == nil {
		return true
	}
	sc := chime.ReadScopeFrom(ctx)
	if sc != nil && sc.Done(db) {
		return db.pgc.up.Load()
	}
	if !db.pgc.sync(ctx) {
		return false
	}
	if sc != nil {
		sc.MarkDone(db)
	}
	return true
}

// freshTx is fresh once per read transaction (its reads began when it did).
func (t *tx) freshTx(ctx context.Context) bool {
	if t.synced {
		return t.db.pgc == nil || t.db.pgc.up.Load()
	}
	t.synced = t.db.fresh(ctx)
	return t.synced
}

// cachedAccount answers account id from c when it holds it and may answer (after a sync on PostgreSQL).
func (t *tx) cachedAccount(ctx context.Context, c *readCache, id string) (*chime.Account, bool) {
	if t.db.pgc != nil && (!c.holdsAccount(id) || !t.freshTx(ctx)) {
		c.count(cacheAccount, false)
		return nil, false
	}
	return c.account(id)
}

// cachedUser answers user (accountID, id) from c when it holds it and may answer.
func (t *tx) cachedUser(ctx context.Context, c *readCache, accountID, id string) (*chime.User, bool) {
	if t.db.pgc != nil && (!c.holdsUser(accountID, id) || !t.freshTx(ctx)) {
		c.count(cacheUser, false)
		return nil, false
	}
	return c.user(accountID, id)
}

// cachedCredential answers credential id from c when it holds it and may answer.
func (db *DB) cachedCredential(ctx context.Context, c *readCache, id string) (*chime.Credential, bool) {
	if db.pgc != nil && (!c.holdsCredential(id) || !db.fresh(ctx)) {
		c.count(cacheCredential, false)
		return nil, false
	}
	return c.credential(id)
}

// pointRow runs the point read q of a read transaction. On PostgreSQL, until the transaction has begun its
// snapshot, it is one statement on the pool (no BEGIN, no COMMIT: one round trip), after capturing the cache
// generation its fill will be checked against. Elsewhere it is queryRow.
func (t *tx) pointRow(ctx context.Context, c *readCache, q string, args ...any) scanner {
	if t.write || t.sqltx != nil || t.outside != "" || t.db.pool == nil {
		return t.queryRow(ctx, q, args...)
	}
	if c != nil {
		t.gen = c.generation()
	}
	return t.db.pool.QueryRow(ctx, q, args...)
}

// notifyQuery sends a write transaction's invalidation to the other nodes, delivered when it commits.
const notifyQuery = `SELECT pg_notify($1, $2)`

// notifyChanges sends, inside write transaction st, what it changed in cached tables (nothing when it changed
// none of them).
func (db *DB) notifyChanges(ctx context.Context, st *sql.Tx, d *dirty) error {
	if db.pgc == nil || d.empty() {
		return nil
	}
	_, err := st.ExecContext(ctx, notifyQuery, db.pgc.channel, db.notifyPayload(d))
	return err
}

func (db *DB) notifyPayload(d *dirty) string {
	return "i" + db.pgc.node + ":" + encodeDirty(d, maxNotifyPayload-len(db.pgc.node)-2)
}

// CacheListenerStats are the counters of a PostgreSQL node's cache listener.
type CacheListenerStats struct {
	Connected  bool  // listening now (the cache is in use)
	Syncs      int64 // syncs sent
	Remote     int64 // other nodes' invalidations applied
	Reconnects int64 // times the listener connected
}

// CacheListener returns the listener's counters; ok is false when the store has none (SQLite, no cache).
func (db *DB) CacheListener() (s CacheListenerStats, ok bool) {
	if db.pgc == nil {
		return s, false
	}
	return CacheListenerStats{db.pgc.up.Load(), db.pgc.syncs.Load(), db.pgc.remote.Load(),
		db.pgc.reconnects.Load()}, true
}
