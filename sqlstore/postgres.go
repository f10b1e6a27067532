package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3/lock"
)

// openPostgres opens a pgxpool for dsn and wraps it in a *sql.DB, which the shared store code and goose use.
// Options override the pool settings of the DSN (pool_max_conns, connect_timeout, …) when set.
func openPostgres(ctx context.Context, dsn string, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err) // pgconn redacts the password
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = int32(min(o.MaxConns, 1<<20))
	}
	if o.ConnTimeout > 0 {
		cfg.ConnConfig.ConnectTimeout = o.ConnTimeout
		cfg.ConnConfig.DialFunc = (&net.Dialer{Timeout: o.ConnTimeout, KeepAlive: 5 * time.Minute}).DialContext
	}
	if o.MaxConnLifetime > 0 {
		cfg.MaxConnLifetime = o.MaxConnLifetime
	}
	if o.MaxConnIdleTime > 0 {
		cfg.MaxConnIdleTime = o.MaxConnIdleTime
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "chimed"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	// Lengths and prefixes count characters (substr), and every string the service accepts is valid UTF-8.
	var enc string
	if err := pool.QueryRow(ctx, `SHOW server_encoding`).Scan(&enc); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	} else if enc != "UTF8" {
		pool.Close()
		return nil, fmt.Errorf("postgres: the database encoding is %s; chimed needs UTF8", enc)
	}
	db := stdlib.OpenDBFromPool(pool)
	return &DB{write: db, read: db, pool: pool, dialect: postgresDialect}, nil
}

// migrationLocker returns goose's advisory-lock session locker with a lock id derived from the schema the
// migrations go to (the first existing schema of search_path), so nodes of one schema migrate one at a time
// while stores in other schemas of the same database (tests) do not wait for each other.
// It also returns the schema.
func migrationLocker(ctx context.Context, db *sql.DB) (lock.SessionLocker, string, error) {
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, "", err
	}
	if !schema.Valid {
		return nil, "", errors.New("no schema of the search_path exists (create it, or fix search_path)")
	}
	h := fnv.New64a()
	h.Write([]byte(schema.String + "\x00migrations"))
	// Poll every second for up to 5 minutes, then give up; unlocking is retried for a minute.
	l, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 300),
		lock.WithUnlockTimeout(1, 60))
	return l, schema.String, err
}
