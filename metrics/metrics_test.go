package metrics_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/metrics"
)

// TestStoreMetrics: store transactions by engine and kind, a retry forced on PostgreSQL (a write whose first
// run fails with a serialization failure), group commits and read-cache hits on SQLite, scraped and parsed.
func TestStoreMetrics(t *testing.T) {
	testenv.EachEngine(t, func(t *testing.T, dsn string) {
		db := testenv.MustOpen(t, dsn)
		svc := testenv.MustService(t, db, chime.ServiceOptions{})
		m := metrics.New(prometheus.NewRegistry())
		m.RegisterStore(db)
		m.RegisterService(svc)
		srv := httptest.NewServer(m.Handler())
		defer srv.Close()
		ctx := context.Background()
		before := testenv.Scrape(t, srv.URL)
		engine := db.Engine()

		a, err := svc.CreateAccount(ctx, "111122223333", ptr("metrics"))
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := svc.GetAccount(ctx, "111122223333", a.ID); err != nil {
				t.Fatal(err)
			}
		}
		runs := 0
		err = db.Write(ctx, func(chime.Tx) error {
			if runs++; runs == 1 && engine == "postgres" {
				return &pgconn.PgError{Code: "40001", Message: "could not serialize access"}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got := testenv.Scrape(t, srv.URL)
		delta := func(name string, labels ...string) float64 {
			v, _ := got.Value(name, labels...)
			w, _ := before.Value(name, labels...)
			return v - w
		}
		if d := delta("chimed_store_transactions_total", "engine", engine, "kind", "write"); d < 2 {
			t.Errorf("write transactions +%v, want ≥ 2", d)
		}
		if d := delta("chimed_store_transactions_total", "engine", engine, "kind", "read"); d < 3 {
			t.Errorf("read transactions +%v, want ≥ 3", d)
		}
		wantRetries := map[string]float64{"sqlite": 0, "postgres": 1}[engine]
		if d := delta("chimed_store_retries_total", "engine", engine, "cause", "serialization"); d != wantRetries {
			t.Errorf("serialization retries +%v, want %v", d, wantRetries)
		}
		if engine == "sqlite" {
			if d := delta("chimed_store_group_commit_batch_size"); d < 2 {
				t.Errorf("group commits +%v, want ≥ 2", d)
			}
			if d := delta("chimed_store_cache_hits_total", "kind", "account"); d < 2 {
				t.Errorf("account cache hits +%v, want ≥ 2 of 3 GetAccount", d)
			}
			if _, ok := got.Value("chimed_store_cache_misses_total", "kind", "user"); !ok {
				t.Errorf("no user cache misses reported")
			}
		}
		for name := range got {
			if strings.HasPrefix(name, "chimed_") && got[name].GetHelp() == "" {
				t.Errorf("%s has no help", name)
			}
		}
	})
}

func ptr[T any](v T) *T { return &v }
