// Package sqlstore implements chime.Store on database/sql: SQLite through modernc.org/sqlite (pure Go) and
// PostgreSQL through jackc/pgx v5 (a pgxpool behind its database/sql adapter). The DML is shared; what differs
// between the engines lives in a dialect. It is thin: it stores and loads; every rule lives in package chime.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pressly/goose/v3"

	chime "github.com/chimed/chimed"
)

//go:embed migrations
var migrations embed.FS

// DB is a chime.Store. For SQLite it keeps one writer connection (immediate transactions, so read-then-write
// never fails with SQLITE_BUSY) and a pool of query-only readers; WAL lets them run alongside the writer. For
// PostgreSQL both are the same pool; Write there locks the rows it reads and re-runs a transaction that lost a
// race (see postgresDialect).
type DB struct {
	write     *sql.DB
	read      *sql.DB
	pool      *pgxpool.Pool // PostgreSQL only
	dialect   dialect
	retries   int
	ns        string // PostgreSQL: the schema, which namespaces advisory lock keys
	stats     struct{ serialization, deadlock, unique, foreignKey atomic.Int64 }
	stmts     stmtCache       // SQLite only
	queue     *commitQueue    // SQLite only: group commit
	cache     *readCache      // exact read cache (SQLite; PostgreSQL with its listener, pgcache.go)
	pgc       *listener       // PostgreSQL with a cache: other nodes' invalidations and syncs (pgnotify.go)
	changes   *changeDetector // SQLite file only: commits by other processes
	snapshots snapshotReads   // reads of one list query run outside a transaction (onestatement.go)
	readTxs   sync.Pool       // *tx of finished reads, reused by Read (~200 B less per cached GetUser)

	// onStatement, when set (tests), is called with every statement a transaction runs, and with a read's
	// list query run outside one (onestatement.go): whether it writes and whether it runs prepared. Point reads
	// on PostgreSQL's pool (pointRow) do not call it.
	onStatement func(q string, write, prepared bool)

	closeOnce sync.Once
	closeErr  error
	faults    faults        // corruption and storage failures met, for Ping (health.go)
	obs       observability // counters for metrics, schema version (metrics.go)
}

// RetryStats counts the transactions Write ran again, by cause, since the store was opened.
type RetryStats struct {
	Serialization, Deadlock, Unique, ForeignKey int64
}

// Retries returns the retry counters (for metrics and tests).
func (db *DB) Retries() RetryStats {
	return RetryStats{db.stats.serialization.Load(), db.stats.deadlock.Load(), db.stats.unique.Load(),
		db.stats.foreignKey.Load()}
}

func (db *DB) countRetry(cause error) {
	switch pgCode(cause) {
	case pgSerializationFailure:
		db.stats.serialization.Add(1)
	case pgDeadlockDetected:
		db.stats.deadlock.Add(1)
	case pgUniqueViolation:
		db.stats.unique.Add(1)
	case pgForeignKeyViolation:
		db.stats.foreignKey.Add(1)
	}
}

var _ chime.Store = (*DB)(nil)

// Options tune the connection pool; the zero value of each field keeps the default.
type Options struct {
	// MaxConns caps the connections: the PostgreSQL pool (default: the DSN's pool_max_conns, else
	// max(4, CPUs)), or the SQLite read pool (default max(4, 2×CPUs); SQLite always has one writer).
	MaxConns int
	// ConnTimeout bounds establishing one PostgreSQL connection (default: the DSN's connect_timeout, else
	// none). Ignored by SQLite.
	ConnTimeout time.Duration
	// MaxConnLifetime and MaxConnIdleTime recycle PostgreSQL connections (pgxpool defaults: 1 h and 30 min).
	MaxConnLifetime time.Duration
	MaxConnIdleTime time.Duration
	// CacheUsers bounds the users the read cache keeps (default 100 000; negative disables the cache). On
	// PostgreSQL the cache follows the other nodes' commits through LISTEN/NOTIFY (pgcache.go).
	CacheUsers int
	// Synchronous is SQLite's synchronous pragma: FULL (default; a commit survives power loss), NORMAL or
	// OFF. Anything but FULL gives up durability; it exists to measure what durability costs.
	Synchronous string
	// TxRetries is how many times Write re-runs a transaction that failed with a serialization failure or a
	// deadlock (PostgreSQL; default 10). A transaction that lost a race on a unique index is re-run at most
	// 5 times: once is normally enough for the service to see the winner.
	TxRetries int
}

// Open opens the store named by dsn with default Options. See OpenWith.
func Open(ctx context.Context, dsn string) (*DB, error) { return OpenWith(ctx, dsn, Options{}) }

// OpenWith opens the store named by dsn — `sqlite:PATH` (the directory is created), `sqlite::memory:`, or a
// PostgreSQL URL `postgres://…`/`postgresql://…` (any pgx connection string; a `search_path` parameter selects
// the schema) — and applies the embedded migrations (on PostgreSQL under an advisory lock, so several nodes may
// start at once). Errors: an unsupported DSN, an unreachable database, a failed migration.
func OpenWith(ctx context.Context, dsn string, o Options) (*DB, error) {
	var db *DB
	var err error
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		db, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"), o)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err = openPostgres(ctx, dsn, o)
	default:
		return nil, fmt.Errorf("unsupported database URL %q (want sqlite:PATH, sqlite::memory: or postgres://…)",
			Redact(dsn))
	}
	if err != nil {
		return nil, err
	}
	db.retries = o.TxRetries
	if db.retries <= 0 {
		db.retries = 10
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.dialect.name == "sqlite" {
		if err := db.startSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"), o); err != nil {
			db.Close()
			return nil, err
		}
	} else {
		db.startPostgresCache(ctx, o)
	}
	return db, nil
}

// Redact returns dsn with any password replaced by "xxxxx", for logs and errors.
func Redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func openSQLite(path string, o Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	sync := strings.ToUpper(o.Synchronous)
	switch sync {
	case "":
		sync = "FULL"
	case "FULL", "NORMAL", "OFF":
	default:
		return nil, fmt.Errorf("sqlite: synchronous must be FULL, NORMAL or OFF, not %q", o.Synchronous)
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(" + sync + ")"
	if path == ":memory:" {
		// One connection: every connection to :memory: would otherwise see its own empty database.
		w, err := openSQLitePool("file::memory:?" + pragmas)
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxIdleTime(0)
		w.SetConnMaxLifetime(0)
		d := sqliteDialect
		d.readTx.ReadOnly = false // the one connection also writes
		return &DB{write: w, read: w, dialect: d}, nil
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas + "&_pragma=journal_mode(WAL)"
	w, err := openSQLitePool(base + "&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	if err := w.Ping(); err != nil { // a directory, a file that is not a database, no permission
		w.Close()
		return nil, fmt.Errorf("cannot open %s as a SQLite database: %w", path, err)
	}
	// Readers keep a page cache of 1 MiB each (SQLite's default is 2 MiB): the pages they share stay in the
	// OS page cache anyway, and the RSS of a node with a full read cache stays under 100 MB (BENCHMARKS.md).
	r, err := openSQLitePool(base + "&_pragma=query_only(1)&_pragma=cache_size(-1024)")
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, 2*runtime.NumCPU())
	if o.MaxConns > 0 {
		n = o.MaxConns
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return &DB{write: w, read: r, dialect: sqliteDialect}, nil
}

func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, db.dialect.migrations)
	if err != nil {
		return err
	}
	// Out of order: a migration whose version was forgotten (the email-key step, version 4, is idempotent and
	// may be re-run that way) is applied even when later versions are recorded.
	opts := []goose.ProviderOption{goose.WithGoMigrations(goMigrations()...), goose.WithAllowOutofOrder(true)} // emailkey.go
	if db.dialect.name == "postgres" {
		locker, schema, err := migrationLocker(ctx, db.write)
		if err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		db.ns = schema
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(db.dialect.goose, db.write, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	applied, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	db.obs.migrated = len(applied)
	if db.obs.schemaVersion, err = p.GetDBVersion(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// startSQLite prepares the hot statements and starts the read cache, the change detector and group commit.
func (db *DB) startSQLite(ctx context.Context, path string, o Options) error {
	db.prepareHot(ctx)
	if o.CacheUsers >= 0 {
		n := o.CacheUsers
		if n == 0 {
			n = 100_000
		}
		db.cache = newReadCache(n)
		if path != ":memory:" {
			// The detector holds one reader for the store's life: give the pool one more.
			if n := db.read.Stats().MaxOpenConnections; n > 0 {
				db.read.SetMaxOpenConns(n + 1)
				db.read.SetMaxIdleConns(n + 1)
			}
			d, err := openChangeDetector(ctx, db.read, path)
			if err != nil {
				return fmt.Errorf("sqlite: change detector: %w", err)
			}
			db.changes = d
		}
	}
	db.startCommitQueue()
	return nil
}

// Close closes the pools (after the writes in flight). Closing again returns the first result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.close() })
	return db.closeErr
}

func (db *DB) close() error {
	if db.queue != nil {
		db.queue.close()
	}
	if db.changes != nil {
		db.changes.close()
	}
	if db.pgc != nil {
		db.pgc.close()
	}
	db.stmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	if db.changes != nil {
		db.changes.closeFile() // after the connections: see changeDetector
	}
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// Read runs fn in a read-only transaction (a consistent snapshot). The transaction begins at fn's first query,
// so a read answered from the cache never touches the database. A read of one list query runs it without a
// transaction, and fn may run twice (onestatement.go).
func (db *DB) Read(ctx context.Context, fn func(chime.Tx) error) (err error) {
	defer db.observe(&err)
	db.obs.reads.Add(1)
	if db.changes != nil && db.changes.foreign() {
		db.cache.flush()
	}
	t := db.readTx(ctx, false)
	err = t.run(fn)
	if t.rerun { // a list query ran outside a transaction, then another statement needed its snapshot
		db.snapshots.reruns.Add(1)
		db.releaseReadTx(t)
		t = db.readTx(ctx, true)
		err = t.run(fn)
	}
	db.releaseReadTx(t)
	return err
}

// readTx returns a fresh read transaction (snapshot: every statement in its transaction), reusing the tx of a
// finished read. The Tx given to a read's function is valid only while it runs (chime.Store.Read): after
// t.run returned, nothing holds t. A read whose function panicked does not give its tx back.
func (db *DB) readTx(ctx context.Context, snapshot bool) *tx {
	t, _ := db.readTxs.Get().(*tx)
	if t == nil {
		t = new(tx)
	}
	*t = tx{db: db, d: &db.dialect, ns: db.ns, ctx: ctx, snapshot: snapshot}
	return t
}

// releaseReadTx gives t, ended, back for another read.
func (db *DB) releaseReadTx(t *tx) {
	*t = tx{}
	db.readTxs.Put(t)
}

// run runs fn on read t and ends t's transaction, if one was begun, also when fn panics.
func (t *tx) run(fn func(chime.Tx) error) error {
	defer t.end()
	return fn(t)
}

// maxConstraintRetries bounds the re-runs caused by unique or foreign key violations: a race is settled by one
// re-run (the service then sees the winner), so a violation that repeats is the transaction's own and comes
// back as the domain error its Tx method returned.
const maxConstraintRetries = 5

// Write runs fn in a write transaction and commits it (durably) when fn succeeds. A transaction that failed
// because of a concurrent one (serialization failure, deadlock, a unique or foreign key race: see
// dialect.retryable) is rolled back and fn runs again from the start, up to the retry limit; the service's
// transaction functions are written to be re-run. An error of fn that is not such a failure is returned
// unchanged at once.
func (db *DB) Write(ctx context.Context, fn func(chime.Tx) error) (err error) {
	defer db.observe(&err)
	db.obs.writes.Add(1)
	if db.queue != nil {
		return db.writeGrouped(ctx, fn)
	}
	constraintRetries := 0
	for attempt := 0; ; attempt++ {
		retry, err := db.writeOnce(ctx, fn)
		if retry == nil {
			return err
		}
		db.countRetry(retry)
		if pgCode(retry) == pgUniqueViolation || pgCode(retry) == pgForeignKeyViolation {
			constraintRetries++
			if constraintRetries > maxConstraintRetries {
				return err
			}
		}
		if attempt >= db.retries {
			return err
		}
		// Jittered backoff: 1–2 ms doubling up to ~100 ms, so that contenders do not meet again in lockstep.
		d := time.Millisecond << min(attempt, 6)
		d += rand.N(d)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(d):
		}
	}
}

// writeOnce runs one attempt of Write. retry is the database error that makes the attempt worth repeating.
func (db *DB) writeOnce(ctx context.Context, fn func(chime.Tx) error) (retry, err error) {
	t, err := db.write.BeginTx(ctx, &db.dialect.writeTx)
	if err != nil {
		return nil, err
	}
	defer t.Rollback()
	var before uint32
	var beforeErr error
	if db.changes != nil {
		before, beforeErr = db.changes.counter()
	}
	w := &tx{db: db, sqltx: t, d: &db.dialect, ns: db.ns, write: true}
	if err := fn(w); err != nil {
		return db.retryCause(err, w.failed), err
	}
	if err := db.notifyChanges(ctx, t, &w.changed); err != nil { // PostgreSQL: the other nodes' caches
		return db.retryCause(err), err
	}
	if err := t.Commit(); err != nil {
		db.afterCommit(&dirty{tables: cachedTables}, before, beforeErr) // the outcome is unknown
		return db.retryCause(err), err
	}
	db.afterCommit(&w.changed, before, beforeErr)
	return nil, nil
}

func (db *DB) retryCause(errs ...error) error {
	if db.dialect.retryable == nil {
		return nil
	}
	for _, err := range errs {
		if err != nil && db.dialect.retryable(err) {
			return err
		}
	}
	return nil
}

// Secret returns the server secret name, storing gen's value first if there is none. Nodes that start together
// agree: the first insert wins (ON CONFLICT DO NOTHING waits for a concurrent one) and everyone reads it back.
func (db *DB) Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	var v []byte
	err := db.read.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = $1`, name).Scan(&v)
	if err == nil {
		return v, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	fresh, err := gen()
	if err != nil {
		return nil, err
	}
	// Autocommit statements (no transaction): the SELECT takes a new snapshot after the INSERT has either
	// stored fresh or waited for the concurrent insert that won, so it always finds the winner.
	if _, err := db.autocommit(ctx,
		`INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, err
	}
	err = db.write.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = $1`, name).Scan(&v)
	return v, err
}
