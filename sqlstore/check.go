package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/pressly/goose/v3"
)

// CheckReport is what Check found: what it examined and found sound, and what is wrong.
type CheckReport struct {
	Passed   []string
	Problems []string // empty when the store is sound
	// Damaged is set when a problem is damage (unreadable or inconsistent data), not only a schema version
	// other than this chimed's.
	Damaged bool
}

func (r *CheckReport) pass(format string, args ...any) {
	r.Passed = append(r.Passed, fmt.Sprintf(format, args...))
}
func (r *CheckReport) fail(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	r.Damaged = true
}

// outdated records a schema version problem.
func (r *CheckReport) outdated(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// Check examines the store named by dsn without migrating or changing it. SQLite: PRAGMA integrity_check (or
// the faster quick_check, which skips the comparison of indexes with their tables), foreign_key_check and the
// migration version. PostgreSQL: the connection, the migration version and a read of every row of every table
// of the schema. Both: that every user's listing shows what its columns hold (listing.go). Errors (the store
// could not be examined at all): an unsupported DSN, a SQLite file that does not exist, an unreachable
// PostgreSQL server.
func Check(ctx context.Context, dsn string, quick bool) (*CheckReport, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return checkSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"), quick)
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return checkPostgres(ctx, dsn)
	}
	return nil, fmt.Errorf("unsupported database URL %q (want sqlite:PATH or postgres://…)", Redact(dsn))
}

func checkSQLite(ctx context.Context, path string, quick bool) (*CheckReport, error) {
	if path == "" || path == ":memory:" {
		return nil, errors.New("give the path of a SQLite database file: sqlite:PATH")
	}
	if fi, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("there is no database at %s", path)
	} else if fi.IsDir() {
		return nil, fmt.Errorf("%s is a directory, not a database file", path)
	}
	// mode=rw: never create the file. Reading changes nothing (the last connection to close may checkpoint
	// the WAL, as any reader would).
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	r := &CheckReport{}
	pragma := "integrity_check"
	if quick {
		pragma = "quick_check"
	}
	lines, err := queryStrings(ctx, db, `PRAGMA `+pragma+`(100)`)
	switch {
	case err != nil:
		r.fail("%s: %v", pragma, err)
		return r, nil // not a database, or unreadable: the other checks cannot run
	case len(lines) == 1 && lines[0] == "ok":
		r.pass("%s: every page, row and index is consistent", pragma)
	default:
		names := treeNames(ctx, db)
		for _, l := range lines {
			for _, l := range strings.Split(strings.TrimSpace(l), "\n") {
				l = treeRef.ReplaceAllStringFunc(l, func(m string) string {
					if name, ok := names[strings.TrimPrefix(m, "Tree ")]; ok {
						return m + " (" + name + ")"
					}
					return m
				})
				r.fail("%s: %s", pragma, l)
			}
		}
	}
	rows, err := db.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		r.fail("foreign_key_check: %v", err)
	} else {
		before := len(r.Problems)
		for rows.Next() {
			var table, parent string
			var rowid sql.NullInt64
			var fk int
			if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
				r.fail("foreign_key_check: %v", err)
				break
			}
			r.fail("foreign_key_check: %s row %d refers to a %s row that does not exist", table, rowid.Int64, parent)
		}
		if err := rows.Err(); err != nil {
			r.fail("foreign_key_check: %v", err)
		}
		rows.Close()
		if len(r.Problems) == before {
			r.pass("foreign_key_check: every reference finds its row")
		}
	}
	checkVersion(ctx, db, sqliteDialect, r)
	checkListings(ctx, db, r)
	return r, nil
}

// treeRef is how integrity_check names a table or an index: by its root page.
var treeRef = regexp.MustCompile(`Tree \d+`)

// treeNames maps root pages to the tables and indexes they hold, as far as the schema can be read.
func treeNames(ctx context.Context, db *sql.DB) map[string]string {
	names := map[string]string{}
	rows, err := db.QueryContext(ctx, `SELECT rootpage, type || ' ' || name FROM sqlite_schema WHERE rootpage > 0`)
	if err != nil {
		return names
	}
	defer rows.Close()
	for rows.Next() {
		var page, name string
		if rows.Scan(&page, &name) == nil {
			names[page] = name
		}
	}
	return names
}

func checkPostgres(ctx context.Context, dsn string) (*CheckReport, error) {
	store, err := openPostgres(ctx, dsn, Options{MaxConns: 2})
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "postgres: "))
	}
	defer store.Close()
	db := store.write
	r := &CheckReport{}
	var version, schema string
	if err := db.QueryRowContext(ctx, `SELECT current_setting('server_version'), coalesce(current_schema(), '')`).Scan(&version, &schema); err != nil {
		return nil, err
	} else if schema == "" {
		return nil, errors.New("no schema of the search_path exists")
	}
	r.pass("connection: PostgreSQL %s answers, schema %s", version, schema)
	checkVersion(ctx, db, postgresDialect, r)
	tables, err := queryStrings(ctx, db, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		r.fail("tables: %v", err)
		return r, nil
	}
	for _, t := range tables {
		n, err := readAll(ctx, db, `SELECT * FROM `+pgx.Identifier{t}.Sanitize())
		if err != nil {
			r.fail("table %s: %v", t, err)
		} else {
			r.pass("table %s: %d rows read", t, n)
		}
	}
	checkListings(ctx, db, r)
	return r, nil
}

// checkVersion compares the schema version of db with the one this chimed migrates to.
func checkVersion(ctx context.Context, db *sql.DB, d dialect, r *CheckReport) {
	fsys, err := fs.Sub(migrations, d.migrations)
	if err != nil {
		r.fail("migrations: %v", err)
		return
	}
	p, err := goose.NewProvider(d.goose, db, fsys, goose.WithGoMigrations(goMigrations()...))
	if err != nil {
		r.fail("migrations: %v", err)
		return
	}
	current, target, err := p.GetVersions(ctx)
	switch {
	case err != nil:
		r.outdated("migrations: no chimed schema here (%v); `chimed serve` creates it", err)
	case current < target:
		r.outdated("migrations: the schema is at version %d, this chimed expects %d; `chimed serve` migrates it", current, target)
	case current > target:
		r.outdated("migrations: the schema is at version %d, newer than this chimed (%d): use the chimed that wrote it",
			current, target)
	default:
		r.pass("migrations: the schema is at version %d, as expected", current)
	}
}

// queryStrings returns the first column of every row of q.
func queryStrings(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// readAll reads every column of every row of q and returns the number of rows.
func readAll(ctx context.Context, db *sql.DB, q string) (int, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(sql.RawBytes)
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}
