package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
)

// Reads of one statement. A read transaction costs statements of its own: on PostgreSQL three round trips
// (BEGIN, the statement, ROLLBACK), on SQLite a BEGIN and a ROLLBACK on the reader connection. A read whose only
// statement is a list query needs no transaction: a statement alone sees one snapshot. So a read's first list
// query runs outside any transaction (on PostgreSQL one round trip), as point reads on PostgreSQL already do
// (pgcache.go, pointRow). A read that then issues another statement needed a snapshot shared by both: that
// statement fails with errSnapshotNeeded, Read discards the attempt (whatever fn did with the error) and runs
// fn again with every statement in one transaction, and the first query is remembered so that later reads
// beginning with it take the transaction at once. A read's fn may therefore run twice; like Write's, the
// service's read functions are written to be re-run (they assign their results, they do not accumulate them).

// errSnapshotNeeded is returned by the statement that needed a snapshot after a list query ran outside one.
var errSnapshotNeeded = errors.New("sqlstore: the read needs a snapshot: it runs again in a transaction")

// snapshotReads remembers the list queries that began reads of several statements.
type snapshotReads struct {
	queries sync.Map     // query string → struct{}
	reruns  atomic.Int64 // reads run again in a transaction
}

// outsideOK tells whether statement q of t may run outside any transaction, and if so records it as the
// read's one statement outside (a read's first statement, q not known to begin reads of several).
func (t *tx) outsideOK(q string) bool {
	if t.write || t.snapshot || t.sqltx != nil || t.outside != "" || t.fixedCtx != nil {
		return false
	}
	if _, multi := t.db.snapshots.queries.Load(q); multi {
		return false
	}
	t.outside = q
	if c := t.db.cache; c != nil {
		t.gen = c.generation()
	}
	return true
}

// queryOutside runs list query q of a read outside any transaction (see outsideOK): on SQLite through its
// statement prepared on the reader pool, when it has one.
func (t *tx) queryOutside(ctx context.Context, q string, args []any) (*sql.Rows, error) {
	ps := t.db.prepared(q, false)
	if h := t.db.onStatement; h != nil {
		h(q, false, ps != nil)
	}
	if ps != nil {
		return ps.QueryContext(ctx, args...)
	}
	return t.db.read.QueryContext(ctx, q, args...)
}

// needSnapshot is called when a read begins its transaction: if a list query already ran outside one, the
// read must run again (errSnapshotNeeded). The query is remembered unless the statement that needed the
// snapshot is an occasional one (tx.occasional: a store method's rare second look, such as ListUsers reading
// a row whose listing cannot be used), which should not send every later read of that query to a transaction.
func (t *tx) needSnapshot() error {
	if t.outside == "" {
		return nil
	}
	if !t.occasional {
		t.db.snapshots.queries.Store(t.outside, struct{}{})
	}
	t.rerun = true
	return errSnapshotNeeded
}
