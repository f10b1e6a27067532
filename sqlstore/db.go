// Package sqlstore implements chime.Store on database/sql: SQLite through modernc.org/sqlite (pure Go) and,
// through a dialect, other engines. It is thin: it stores and loads; every rule lives in package chime.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"

	chime "github.com/chimed/chimed"
)

//go:embed migrations
var migrations embed.FS

// DB is a chime.Store. For SQLite it keeps one writer connection (immediate transactions, so read-then-write
// never fails with SQLITE_BUSY) and a pool of query-only readers; WAL lets them run alongside the writer.
type DB struct {
	write   *sql.DB
	read    *sql.DB
	dialect dialect
}

var _ chime.Store = (*DB)(nil)

// Open opens the store named by dsn — `sqlite:PATH` (the directory is created) or `sqlite::memory:` — and
// applies the embedded migrations. Errors: an unsupported DSN, an unreachable database, a failed migration.
func Open(ctx context.Context, dsn string) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	}
	return nil, fmt.Errorf("unsupported database URL %q (want sqlite:PATH or sqlite::memory:)", dsn)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	var db *DB
	if path == ":memory:" {
		// One connection: every connection to :memory: would otherwise see its own empty database.
		w, err := sql.Open("sqlite", "file::memory:?"+pragmas)
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxIdleTime(0)
		w.SetConnMaxLifetime(0)
		db = &DB{write: w, read: w, dialect: sqliteDialect}
	} else {
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("sqlite: create data directory: %w", err)
			}
		}
		base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + pragmas + "&_pragma=journal_mode(WAL)"
		w, err := sql.Open("sqlite", base+"&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, err
		}
		n := max(4, 2*runtime.NumCPU())
		r.SetMaxOpenConns(n)
		r.SetMaxIdleConns(n)
		db = &DB{write: w, read: r, dialect: sqliteDialect}
	}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) migrate(ctx context.Context, opts ...goose.ProviderOption) error {
	fsys, err := fs.Sub(migrations, db.dialect.migrations)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(db.dialect.goose, db.write, fsys, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// Close closes the pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping reports whether the database answers a query.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Read runs fn in a read-only transaction (a consistent snapshot).
func (db *DB) Read(ctx context.Context, fn func(chime.Tx) error) error {
	t, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.read != db.write})
	if err != nil {
		return err
	}
	defer t.Rollback()
	return fn(&tx{tx: t, d: &db.dialect})
}

// Write runs fn in a write transaction and commits it (durably: synchronous=FULL) when fn succeeds.
func (db *DB) Write(ctx context.Context, fn func(chime.Tx) error) error {
	t, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer t.Rollback()
	if err := fn(&tx{tx: t, d: &db.dialect, write: true}); err != nil {
		return err
	}
	return t.Commit()
}

// Secret returns the server secret name, storing gen's value first if there is none.
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
	if _, err := db.write.ExecContext(ctx,
		`INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, fresh); err != nil {
		return nil, err
	}
	err = db.write.QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = $1`, name).Scan(&v)
	return v, err
}

// tx is one transaction; it implements chime.Tx.
type tx struct {
	tx    *sql.Tx
	d     *dialect
	write bool
}

// mapErr turns driver errors into domain errors where they have a domain meaning.
func (t *tx) mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return chime.NotFound()
	case t.d.isUnique(err):
		return chime.Errorf(chime.ECONFLICT, "A user with this email address already exists")
	}
	return err
}

func (t *tx) exec1(ctx context.Context, q string, args ...any) error {
	res, err := t.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return t.mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return chime.NotFound()
	}
	return nil
}
