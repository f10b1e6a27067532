package sqlstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestPingReadsEveryTable: readiness reads one row of every table the migrations create, so a table added by a
// later migration cannot be left out of it unnoticed.
func TestPingReadsEveryTable(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		n++
		if !strings.Contains(pingQuery, "FROM "+name+")") {
			t.Errorf("readiness does not read table %s", name)
		}
	}
	if n == 0 {
		t.Fatal("no tables")
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}
