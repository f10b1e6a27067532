package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"reflect"
	"unsafe"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// openSQLitePool opens a database/sql pool of SQLite connections in SQLite's multi-thread mode: what
// SQLITE_OPEN_NOMUTEX gives, for a driver (modernc.org/sqlite) that always opens its connections with
// SQLITE_OPEN_FULLMUTEX. In serialized (FULLMUTEX) mode every call into SQLite — each step, and each column
// read of each row — takes and releases the connection's recursive mutex, which the pure-Go libc emulates
// with several atomic operations; a page of 100 users reads 1,300 columns, and in a CPU profile of ListUsers
// the mutex was a fifth of the time. Multi-thread mode is safe when no connection, nor a statement of it, is
// used by two threads at once (https://www.sqlite.org/threadsafe.html): database/sql hands a connection to
// one goroutine at a time and serializes every driver call on it (statement finalization included) under its
// per-connection lock, and the driver's cancellation uses sqlite3_interrupt, which takes no mutex.
func openSQLitePool(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(noMutexConnector{c}), nil
}

// noMutexConnector drops the connection mutex of every connection it opens (see openSQLitePool).
type noMutexConnector struct{ driver.Connector }

// Connect implements driver.Connector.
func (c noMutexConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if m := connMutex(conn); m != nil {
		*m = 0 // as sqlite3_open_v2 leaves it with SQLITE_OPEN_NOMUTEX; no call is in progress on conn
	}
	return conn, nil
}

// connMutex returns the address of the mutex pointer of the sqlite3 handle behind a modernc.org/sqlite
// connection, or nil when conn is not one (another driver, or a version whose connection has no db handle).
func connMutex(conn driver.Conn) *uintptr {
	v := reflect.ValueOf(conn)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct || v.Type().Elem().PkgPath() != "modernc.org/sqlite" {
		return nil
	}
	f := v.Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Uintptr || f.Uint() == 0 {
		return nil
	}
	addr := uintptr(f.Uint()) // the handle lives in the C heap of modernc.org/libc, not in Go's
	db := *(*unsafe.Pointer)(unsafe.Pointer(&addr))
	return &(*sqlite3.Tsqlite3)(db).Fmutex
}
