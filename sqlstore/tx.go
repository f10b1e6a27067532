package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	chime "github.com/chimed/chimed"
)

// tx is one transaction; it implements chime.Tx.
type tx struct {
	db         *DB
	sqltx      *sql.Tx         // nil until a read transaction's first query
	ctx        context.Context // the context a lazily begun read transaction begins with
	fixedCtx   context.Context // when set, every statement runs with it (a group-commit batch)
	gen        uint64          // the cache generation captured before the read snapshot began
	changed    dirty           // what a write transaction changed, for the read cache (see tx.target)
	d          *dialect
	ns         string
	write      bool
	failed     error           // the first database error of the transaction (PostgreSQL aborts the transaction on it)
	tenants    map[string]bool // AWS accounts whose lock the transaction holds
	synced     bool            // a read transaction waited for a cache sync (PostgreSQL: pgcache.go)
	outside    string          // the list query a read ran outside a transaction (onestatement.go)
	snapshot   bool            // every statement of this read runs in its transaction (a re-run: onestatement.go)
	rerun      bool            // the read must run again in a transaction (onestatement.go)
	occasional bool            // the statement about to run is an occasional second look (onestatement.go)
}

// mapErr turns driver errors into domain errors where they have a domain meaning, and remembers the first
// database failure so that Write can tell a lost race from a rule's refusal.
func (t *tx) mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return chime.NotFound()
	}
	if t.failed == nil {
		t.failed = err
	}
	if t.d.isUnique(err) {
		return chime.Errorf(chime.ECONFLICT, "A user with this email address already exists")
	}
	return err
}

// begin returns the SQL transaction, beginning a read transaction at its first use.
func (t *tx) begin() (*sql.Tx, error) {
	if t.sqltx != nil {
		return t.sqltx, nil
	}
	if err := t.needSnapshot(); err != nil {
		return nil, err
	}
	if t.db.cache != nil {
		t.gen = t.db.cache.generation()
	}
	st, err := t.db.read.BeginTx(t.ctx, &t.d.readTx)
	if err != nil {
		return nil, err
	}
	t.db.obs.snapshots.Add(1)
	t.sqltx = st
	return st, nil
}

// end closes a read transaction, if one was begun.
func (t *tx) end() {
	if t.sqltx != nil {
		t.sqltx.Rollback()
	}
}

// errRow is a row whose Scan reports the error that prevented the query.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// stmt returns the transaction's handle on q: on SQLite a statement prepared once per connection (compiling
// SQL costs more than running these point queries), elsewhere nil (pgx caches statements itself).
func (t *tx) stmt(ctx context.Context, st *sql.Tx, q string) *sql.Stmt {
	ps := t.db.prepared(q, t.write)
	if ps == nil {
		return nil
	}
	return st.StmtContext(ctx, ps)
}

// target resolves where a statement of t runs: the SQL transaction (begun now for a read), q's prepared
// statement on it (nil when q is not prepared), and the context (a group-commit batch fixes its own). It is
// the write path: in a write transaction it records what q writes for the read cache, k naming the one row
// written (see tx.row; the zero rowKey names none).
func (t *tx) target(ctx context.Context, q string, k rowKey) (*sql.Tx, *sql.Stmt, context.Context, error) {
	st, err := t.begin()
	if err != nil {
		return nil, nil, nil, err
	}
	if t.fixedCtx != nil {
		ctx = t.fixedCtx
	}
	if t.write {
		t.written(q, k)
	}
	ps := t.stmt(ctx, st, q)
	if h := t.db.onStatement; h != nil {
		h(q, t.write, ps != nil)
	}
	return st, ps, ctx, nil
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) scanner {
	return t.queryRowKey(ctx, rowKey{}, q, args...)
}

func (t *tx) queryRowKey(ctx context.Context, k rowKey, q string, args ...any) scanner {
	st, ps, ctx, err := t.target(ctx, q, k)
	switch {
	case err != nil:
		return errRow{err}
	case ps != nil:
		return ps.QueryRowContext(ctx, args...)
	}
	return st.QueryRowContext(ctx, q, args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if t.outsideOK(q) {
		return t.queryOutside(ctx, q, args)
	}
	st, ps, ctx, err := t.target(ctx, q, rowKey{})
	switch {
	case err != nil:
		return nil, err
	case ps != nil:
		return ps.QueryContext(ctx, args...)
	}
	return st.QueryContext(ctx, q, args...)
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.execKey(ctx, rowKey{}, q, args...)
}

func (t *tx) execKey(ctx context.Context, k rowKey, q string, args ...any) (sql.Result, error) {
	st, ps, ctx, err := t.target(ctx, q, k)
	switch {
	case err != nil:
		return nil, err
	case ps != nil:
		return ps.ExecContext(ctx, args...)
	}
	return st.ExecContext(ctx, q, args...)
}

func (t *tx) exec1(ctx context.Context, q string, args ...any) error {
	return t.exec1Key(ctx, rowKey{}, q, args...)
}

// exec1Key runs a statement that must change one row: ENOTFOUND when it changed none.
func (t *tx) exec1Key(ctx context.Context, k rowKey, q string, args ...any) error {
	res, err := t.execKey(ctx, k, q, args...)
	if err != nil {
		return t.mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return t.mapErr(err)
	} else if n == 0 {
		return chime.NotFound()
	}
	return nil
}
