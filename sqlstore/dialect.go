package sqlstore

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds everything that differs between the engines; the DML in this package is shared.
type dialect struct {
	name       string
	goose      goose.Dialect
	migrations string // directory under migrations/
	// isUnique reports whether err is a unique-constraint violation.
	isUnique func(err error) bool
	// retryable reports whether err means "run the whole transaction again": a serialization failure, a
	// deadlock, or a constraint violation that only a concurrent transaction can have caused. nil: never.
	retryable func(err error) bool
	// lockSuffix is appended to point reads inside write transactions ("" where the engine serializes writers).
	lockSuffix string
	// tenantLock is run (with a bigint key naming the schema and the AWS account) before a write transaction
	// looks up or adds an email address of an AWS account, or adds an account to it: "" where the engine
	// serializes writers.
	tenantLock string
	// readTx and writeTx are the options Read and Write begin their transactions with.
	readTx, writeTx sql.TxOptions
	// concatListings: ListUsers reads a page as one value, its listings concatenated by the database
	// (users.go, listConcatenated), where reading it row by row costs more than the rows.
	concatListings bool
	// unavailable reports whether err means the database cannot be reached or accept writes now (a failover,
	// a restart): the store's entry points return such errors as chime.EUNAVAILABLE. nil: never.
	unavailable func(err error) bool
}

var sqliteDialect = dialect{
	name:       "sqlite",
	goose:      goose.DialectSQLite3,
	migrations: "migrations/sqlite",
	isUnique: func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		c := e.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	},
	// One writer connection whose transactions start IMMEDIATE: writers are serialized by the engine, so a
	// write transaction never sees a concurrent one and there is nothing to lock or retry.
	readTx:         sql.TxOptions{ReadOnly: true},
	concatListings: true,
}

// PostgreSQL error codes (SQLSTATE) the store acts on.
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
)

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// postgresDialect: write transactions are READ COMMITTED with locks taken in one order.
//
//  1. Account and User reads inside a write transaction take FOR UPDATE: the account row is the mutex of
//     everything that happens inside that account (every write method of the service reads its account first)
//     and a user row is locked before it is rewritten. No lost update; a waiting transaction continues on the
//     latest committed row (READ COMMITTED re-reads it, and a tombstoned account no longer matches) instead of
//     failing.
//  2. Email addresses are unique per AWS account, across its accounts: a write transaction takes a transaction
//     advisory lock on the AWS account before it looks an address up (UserByEmail) or adds one (InsertUser),
//     so invitations and creations of one AWS account run one after the other and each sees the addresses the
//     previous one added. Without it, two invitations of overlapping address lists into two accounts insert in
//     different orders and deadlock (detected only after deadlock_timeout). UserByEmail takes no row lock: a
//     user of another account is only read, and a user of the transaction's own account is covered by 1.
//     InsertAccount takes the same lock, so rows of one AWS account commit in seq order and a page token (the
//     last seq seen) never skips a row that commits later. Lock order: account row, then AWS account, then
//     user rows; no transaction takes an account row after the AWS account lock.
//  3. The unique indexes (email per AWS account, PIN) remain the guarantee; a transaction that still loses a
//     race on one (a PIN drawn at the same time) is aborted, and Write runs it again: the service's own check
//     then sees the winner. The same goes for serialization failures and deadlocks.
//
// Reads run in REPEATABLE READ READ ONLY: one snapshot, never a serialization failure.
var postgresDialect = dialect{
	name:       "postgres",
	goose:      goose.DialectPostgres,
	migrations: "migrations/postgres",
	isUnique:   func(err error) bool { return pgCode(err) == pgUniqueViolation },
	retryable: func(err error) bool {
		switch pgCode(err) {
		case pgSerializationFailure, pgDeadlockDetected, pgUniqueViolation, pgForeignKeyViolation:
			return true
		}
		return false
	},
	lockSuffix:  " FOR UPDATE",
	tenantLock:  `SELECT pg_advisory_xact_lock($1)`,
	readTx:      sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	writeTx:     sql.TxOptions{Isolation: sql.LevelReadCommitted},
	unavailable: pgUnavailable,
}
