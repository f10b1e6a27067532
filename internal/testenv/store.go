// Package testenv is the one place where tests wire up a chimed: the database they run on (a SQLite file in
// the test's temporary directory, or a fresh PostgreSQL schema when CHIMED_TEST_POSTGRES is set), the store,
// the keyring and credentials, the chime.Service, the HTTP server on 127.0.0.1:0, aws-sdk-go-v2 clients and
// SigV4-signed raw requests for it, and the built chimed binary as a child process.
//
// It uses only the public API of the packages it wires (sqlstore.Open, chimed.NewService, http.NewServer …).
// Domain-specific helpers (creating accounts, inviting users, asserting errors) stay with the tests that use
// them.
package testenv

import (
	"context"
	"path/filepath"
	"testing"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
	"github.com/chimed/chimed/sqlstore/pgtest"
)

// MasterKey is the master key of test keyrings and test servers (any secret of at least 32 characters).
const MasterKey = "a master key of at least thirty-two characters"

// SQLitePath returns the path of a fresh SQLite database: chimed.db in a directory "data" (not created yet,
// the store creates it) under tb.TempDir(). The database, its WAL and the directory go when tb ends.
func SQLitePath(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "data", "chimed.db")
}

// SQLiteDSN returns the DSN of a fresh SQLite database at SQLitePath.
func SQLiteDSN(tb testing.TB) string {
	tb.Helper()
	return "sqlite:" + SQLitePath(tb)
}

// PostgresDSN returns the DSN of a fresh PostgreSQL schema, dropped when tb ends (pgtest.DSN). It skips tb when
// CHIMED_TEST_POSTGRES is unset and fails it when the database is unreachable.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	return pgtest.DSN(tb)
}

// DSN chooses the store of tests that run on one engine: a fresh PostgreSQL schema (PostgresDSN) when
// CHIMED_TEST_POSTGRES is set, else a fresh SQLite file (SQLiteDSN).
func DSN(tb testing.TB) string {
	tb.Helper()
	if pgtest.Enabled() {
		return PostgresDSN(tb)
	}
	return SQLiteDSN(tb)
}

// Engine is a database engine tests run on, with a function returning a fresh, empty database of it.
type Engine struct {
	Name string                     // "sqlite" or "postgres": the subtest name
	DSN  func(tb testing.TB) string // a fresh database; PostgreSQL skips tb when CHIMED_TEST_POSTGRES is unset
}

// Engines returns every engine: SQLite always, PostgreSQL when CHIMED_TEST_POSTGRES is set (its tests are
// skipped otherwise, saying why).
func Engines() []Engine {
	return []Engine{{"sqlite", SQLiteDSN}, {"postgres", PostgresDSN}}
}

// EachEngine marks t parallel and runs f once per engine, as parallel subtests named after the engine, each
// with a fresh database.
func EachEngine(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Helper()
	t.Parallel()
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			f(t, e.DSN(t))
		})
	}
}

// MustOpen opens a store on dsn (sqlstore.Open), closed when tb ends.
func MustOpen(tb testing.TB, dsn string) *sqlstore.DB {
	tb.Helper()
	return MustOpenWith(tb, dsn, sqlstore.Options{})
}

// MustOpenWith opens a store on dsn with options o (sqlstore.OpenWith), closed when tb ends.
func MustOpenWith(tb testing.TB, dsn string, o sqlstore.Options) *sqlstore.DB {
	tb.Helper()
	db, err := sqlstore.OpenWith(context.Background(), dsn, o)
	if err != nil {
		tb.Fatalf("open %s: %v", sqlstore.Redact(dsn), err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// MustService returns a chimed.Service over store (chimed.NewService).
func MustService(tb testing.TB, store chimed.Store, o chimed.ServiceOptions) *chimed.Service {
	tb.Helper()
	svc, err := chimed.NewService(context.Background(), store, o)
	if err != nil {
		tb.Fatalf("new service: %v", err)
	}
	return svc
}

// MustKeyring returns the keyring of MasterKey.
func MustKeyring(tb testing.TB) *chimed.Keyring {
	tb.Helper()
	k, err := chimed.NewKeyring([]byte(MasterKey))
	if err != nil {
		tb.Fatalf("new keyring: %v", err)
	}
	return k
}
