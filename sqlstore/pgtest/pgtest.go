// Package pgtest gives tests a PostgreSQL database of their own: a fresh schema in the database named by the
// CHIMED_TEST_POSTGRES environment variable, dropped when the test ends. Tests that need PostgreSQL are
// skipped when the variable is unset.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvVar names the environment variable holding the base URL of the test database, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvVar = "CHIMED_TEST_POSTGRES"

// BaseURL returns the base URL of the test database, "" when PostgreSQL tests are not enabled.
func BaseURL() string { return os.Getenv(EnvVar) }

// Enabled reports whether PostgreSQL tests run.
func Enabled() bool { return BaseURL() != "" }

// DSN creates a fresh schema and returns a `postgres://` DSN whose search_path is that schema; the schema and
// everything in it are dropped when tb ends (after cleanups registered later, such as closing the store). It
// skips tb when CHIMED_TEST_POSTGRES is unset and fails it when the database is unreachable.
func DSN(tb testing.TB) string {
	tb.Helper()
	base := BaseURL()
	if base == "" {
		tb.Skipf("%s is not set: skipping the PostgreSQL test (set it to a base URL such as "+
			"postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvVar)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "chimed_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("pgtest: connect to %s: %v", EnvVar, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatalf("pgtest: create schema: %v", err)
	}
	tb.Cleanup(func() { drop(tb, base, schema) })
	dsn, err := withSearchPath(base, schema)
	if err != nil {
		tb.Fatalf("pgtest: %s: %v", EnvVar, err)
	}
	return dsn
}

func drop(tb testing.TB, base, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Logf("pgtest: drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	// A killed server's sessions may linger a moment; do not wait for their locks forever.
	_, err = conn.Exec(ctx, `SET lock_timeout = '15s'`)
	if err == nil {
		_, err = conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`)
	}
	if err != nil {
		tb.Logf("pgtest: drop schema %s: %v", schema, err)
	}
}

// withSearchPath adds search_path=schema to a postgres:// URL.
func withSearchPath(base, schema string) (string, error) {
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		return "", errors.New("want a postgres:// URL")
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
