package sqlstore

import (
	"errors"

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
	// lockSuffix is appended to point reads inside write transactions ("" where the engine serializes writers).
	lockSuffix string
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
}
