package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/chimed/chimed/sqlstore"
)

// runCheck is `chimed check [--db URL] [--quick]`: it examines the store without changing it and prints what
// it checked; a damaged store exits with status 1, a store that cannot be examined with 2.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chimed check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "sqlite:chimed-data/chimed.db", "store URL (CHIMED_DB)")
	quick := fs.Bool("quick", false, "SQLite: quick_check instead of integrity_check (skips the index-to-table comparison)")
	if err := envFallback(fs); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("check takes no arguments, got %q (usage: chimed check [--db URL] [--quick])", fs.Args())
	}
	r, err := sqlstore.Check(ctx, *db, *quick)
	if err != nil {
		return fmt.Errorf("--db %s: cannot check the store: %v", sqlstore.Redact(*db), err)
	}
	fmt.Fprintf(stdout, "checking %s\n", sqlstore.Redact(*db))
	for _, s := range r.Passed {
		fmt.Fprintf(stdout, "ok       %s\n", s)
	}
	for _, s := range r.Problems {
		fmt.Fprintf(stdout, "PROBLEM  %s\n", s)
	}
	if len(r.Problems) == 0 {
		fmt.Fprintln(stdout, "the store is sound")
		return nil
	}
	if !r.Damaged {
		return exitCode{1, fmt.Errorf("the store %s is sound but not at this chimed's schema version (see above)",
			sqlstore.Redact(*db))}
	}
	hint := "restore it from a backup"
	if p, ok := sqlitePath(*db); ok {
		hint = fmt.Sprintf("stop chimed, copy %s and its -wal file aside, then restore a backup or salvage what "+
			"is readable: sqlite3 %s .recover | sqlite3 recovered.db", p, p)
	}
	return exitCode{1, fmt.Errorf("the store %s is damaged (problems: %d): %s", sqlstore.Redact(*db), len(r.Problems), hint)}
}

// sqlitePath returns the file of a sqlite:PATH store (not of sqlite::memory:).
func sqlitePath(db string) (string, bool) {
	p, ok := strings.CutPrefix(db, "sqlite:")
	return p, ok && p != "" && p != ":memory:"
}

// openStoreCLI opens the store of --db for a command. With mustExist, a SQLite file that does not exist is
// refused before anything (file, directory, key) is created. Errors are phrased for the command line.
func openStoreCLI(ctx context.Context, db string, mustExist bool) (*sqlstore.DB, error) {
	if p, ok := sqlitePath(db); ok && mustExist {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("--db %s: there is no database at %s; check --db (or CHIMED_DB), or create the "+
				"database with `chimed serve --db %s` or `chimed credentials create --db %s`", db, p, db, db)
		}
	}
	store, err := sqlstore.Open(ctx, db)
	if err != nil {
		return nil, dbError(db, err)
	}
	return store, nil
}

var sqliteCode = regexp.MustCompile(` \(\d+\)`)

// dbError phrases an error of opening the store of --db for the command line.
func dbError(db string, err error) error {
	msg := sqliteCode.ReplaceAllString(err.Error(), "")
	if p, ok := sqlitePath(db); ok {
		fi, serr := os.Stat(p)
		switch {
		case serr == nil && fi.IsDir():
			return fmt.Errorf("--db %s: %s is a directory; name the database file, e.g. --db sqlite:%s", db, p,
				filepath.Join(p, "chimed.db"))
		case strings.Contains(msg, "file is not a database"):
			return fmt.Errorf("--db %s: %s is not a SQLite database, or its header is damaged (see chimed check)", db, p)
		}
		return fmt.Errorf("--db %s: %s", db, msg)
	}
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		return fmt.Errorf("--db %s: cannot use the database: %s", sqlstore.Redact(db), strings.TrimPrefix(msg, "postgres: "))
	}
	return fmt.Errorf("--db: %s", msg)
}
