package sqlstore

import (
	"context"
	"database/sql"
)

// stmtCache holds the statements of a SQLite store prepared when it opens (compiling SQL costs more than
// running these point queries). The maps are not changed after Open.
type stmtCache struct {
	enabled bool
	read    map[string]*sql.Stmt
	write   map[string]*sql.Stmt
}

// hotQueries are the statements prepared when a SQLite store opens: the point reads and list queries of
// every request, and the writes of the common operations.
func hotQueries() (reads, writes []string) {
	reads = []string{userByIDQuery, accountByIDQuery, credentialByIDQuery}
	for _, e := range []bool{false, true} {
		for _, t := range []bool{false, true} {
			reads = append(reads, listUsersQuery(e, t), concatListingsQuery(e, t))
		}
	}
	writes = append([]string{updateUserQuery, insertUserQuery, setListingQuery, countUsersQuery, userByEmailQuery, pinExistsQuery,
		insertLinkQuery, insertOutboxQuery, savepointQuery, releaseQuery, rollbackToQuery}, reads...)
	return reads, writes
}

// prepareHot prepares hotQueries on both pools. A statement that fails to prepare is left out: its query then
// runs unprepared and reports the error itself.
func (db *DB) prepareHot(ctx context.Context) {
	c := &db.stmts
	c.enabled, c.read, c.write = true, map[string]*sql.Stmt{}, map[string]*sql.Stmt{}
	reads, writes := hotQueries()
	for _, q := range reads {
		if s, err := db.read.PrepareContext(ctx, q); err == nil {
			c.read[q] = s
		}
	}
	for _, q := range writes {
		if s, err := db.write.PrepareContext(ctx, q); err == nil {
			c.write[q] = s
		}
	}
}

// prepared returns q prepared on the read or write pool, or nil when it is not (PostgreSQL, where pgx caches
// statements itself, or a query outside hotQueries). It never prepares: preparing needs a connection, and the
// caller may hold the only one.
func (db *DB) prepared(q string, write bool) *sql.Stmt {
	c := &db.stmts
	if !c.enabled {
		return nil
	}
	if write {
		return c.write[q]
	}
	return c.read[q]
}

func (c *stmtCache) close() {
	for _, m := range []map[string]*sql.Stmt{c.read, c.write} {
		for _, s := range m {
			s.Close()
		}
	}
}
