package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The store remembers the failures that say its database is damaged or its storage failing, so that Ping
// (the readiness check) reports them even when its own cheap query does not meet the damaged page: a corrupt
// page answers every request that reads it with an error while the rest of the store works.

// ioFaultWindow is how long an I/O failure (an I/O error, a full disk) keeps Ping failing after the last one.
// Corruption keeps it failing for the life of the store: it does not heal (`chimed check`, then a restore).
const ioFaultWindow = time.Minute

// fault is a remembered failure.
type fault struct {
	err error
	at  time.Time
}

// faults are the failures a store remembers (DB.faults).
type faults struct {
	corrupt atomic.Pointer[fault] // the first corruption seen
	io      atomic.Pointer[fault] // the latest I/O failure
}

// faultKind classifies a database error: "corrupt" (a malformed page or file), "io" (the storage failed: an
// I/O error, a full disk) or "" (anything else).
func faultKind(err error) string {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return "corrupt"
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL:
			return "io"
		}
		return ""
	}
	switch code := pgCode(err); {
	case code == "XX001" || code == "XX002": // data_corrupted, index_corrupted
		return "corrupt"
	case code == "58030" || code == "53100": // io_error, disk_full
		return "io"
	}
	return ""
}

// observe remembers *errp when it says the database is damaged or its storage failing, and marks it as
// chime.EUNAVAILABLE when it says the database is unreachable (dialect.unavailable). It is deferred by the
// store's entry points with their result.
func (db *DB) observe(errp *error) {
	if *errp == nil {
		return
	}
	*errp = db.dialect.markUnavailable(*errp)
	switch faultKind(*errp) {
	case "corrupt":
		db.faults.corrupt.CompareAndSwap(nil, &fault{*errp, time.Now()})
	case "io":
		db.faults.io.Store(&fault{*errp, time.Now()})
	}
}

// fault returns the remembered failure that makes the store unready, nil when there is none.
func (db *DB) fault() error {
	if f := db.faults.corrupt.Load(); f != nil {
		return fmt.Errorf("the database is corrupt (since %s: %w); run `chimed check`", f.at.UTC().Format(time.RFC3339), f.err)
	}
	if f := db.faults.io.Load(); f != nil && time.Since(f.at) < ioFaultWindow {
		return fmt.Errorf("the database storage failed %s ago: %w", time.Since(f.at).Round(time.Second), f.err)
	}
	return nil
}

// pingQuery reads one row of every table: it fails when the schema or the first page of a table cannot be
// read, at the cost of a few page reads.
const pingQuery = `SELECT EXISTS (SELECT 1 FROM accounts), EXISTS (SELECT 1 FROM users),
	EXISTS (SELECT 1 FROM credentials), EXISTS (SELECT 1 FROM server_secrets), EXISTS (SELECT 1 FROM user_links),
	EXISTS (SELECT 1 FROM user_sessions), EXISTS (SELECT 1 FROM outbox),
	EXISTS (SELECT 1 FROM server_clock), EXISTS (SELECT 1 FROM retention_settings),
	EXISTS (SELECT 1 FROM acquired_numbers), EXISTS (SELECT 1 FROM phone_number_settings),
	EXISTS (SELECT 1 FROM user_settings), EXISTS (SELECT 1 FROM global_settings),
	EXISTS (SELECT 1 FROM phone_numbers), EXISTS (SELECT 1 FROM phone_number_orders),
	EXISTS (SELECT 1 FROM phone_number_order_lines), EXISTS (SELECT 1 FROM dial_outs),
	EXISTS (SELECT 1 FROM rooms), EXISTS (SELECT 1 FROM room_memberships),
	EXISTS (SELECT 1 FROM bots), EXISTS (SELECT 1 FROM bot_events_configurations), EXISTS (SELECT 1 FROM bot_events),
	EXISTS (SELECT 1 FROM chat_messages), EXISTS (SELECT 1 FROM conversations), EXISTS (SELECT 1 FROM webhooks),
	EXISTS (SELECT 1 FROM inbound_urls), EXISTS (SELECT 1 FROM audit_events), EXISTS (SELECT 1 FROM audit_resources),
	EXISTS (SELECT 1 FROM console_sessions), EXISTS (SELECT 1 FROM scim_tokens), EXISTS (SELECT 1 FROM scim_users)`

// Ping reports whether the store is ready: the database answers a query reading every table, within 5 seconds
// unless ctx says otherwise, and no request met a corrupt page (ever) or a storage failure (in the last
// minute).
func (db *DB) Ping(ctx context.Context) (err error) {
	if err := db.fault(); err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
	}
	defer db.observe(&err)
	b := make([]any, strings.Count(pingQuery, "EXISTS"))
	for i := range b {
		b[i] = new(bool)
	}
	return db.read.QueryRowContext(ctx, pingQuery).Scan(b...)
}
