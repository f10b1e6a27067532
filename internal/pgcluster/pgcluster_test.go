package pgcluster_test

import (
	"testing"
	"time"

	"github.com/chimed/chimed/internal/pgcluster"
)

// TestPrimaryStandbyPromote: a synchronous standby receives what the primary commits, and after the primary's
// process group is killed and the standby promoted, the standby has it and accepts writes.
func TestPrimaryStandbyPromote(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL servers")
	}
	pgcluster.Require(t)
	g := pgcluster.New(t)
	p := g.InitPrimary("primary", pgcluster.Settings{"synchronous_standby_names": "*", "synchronous_commit": "on"})
	s := g.InitStandby("standby", p, pgcluster.Settings{"wal_retrieve_retry_interval": "100ms"})
	if err := p.WaitSync("standby", 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if err := p.Exec("postgres", `CREATE TABLE t (v int); INSERT INTO t VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec("postgres", `INSERT INTO t VALUES (1)`); err == nil {
		t.Fatal("the standby accepted a write")
	}
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := p.Kill(); err == nil {
		t.Fatal("a second Kill of the same server succeeded")
	}
	start := time.Now()
	if err := s.Promote(); err != nil {
		t.Fatal(err)
	}
	t.Logf("promoted in %v", time.Since(start))
	if err := s.Exec("postgres", `INSERT INTO t VALUES (43)`); err != nil {
		t.Fatalf("promoted standby refuses a write: %v", err)
	}
	var n, sum int
	if err := s.QueryRow("postgres", `SELECT count(*), sum(v) FROM t`).Scan(&n, &sum); err != nil || n != 2 || sum != 85 {
		t.Fatalf("promoted standby: %d rows, sum %d, %v", n, sum, err)
	}
}
