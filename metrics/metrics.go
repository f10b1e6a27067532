// Package metrics defines chimed's Prometheus metrics on a registry the caller injects (no global state, no
// default registry): the request counters and histograms the HTTP layer updates, and collectors that read the
// store's, the service's and the listener's own counters when the registry is scraped. No label carries a
// tenant, user, account or key identifier: operations, status codes, reasons, outcomes and engines only.
package metrics

import (
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/buildinfo"
	"github.com/chimed/chimed/sqlstore"
)

// Metrics is the set of metrics of one chimed server, registered on one registry.
type Metrics struct {
	reg *prometheus.Registry

	// Requests counts answered requests by operation (the model's operation name, e.g. GetAccount; chimed's
	// own routes as chimed:… or web:…; "-" when no route matched) and code (the HTTP status).
	Requests *prometheus.CounterVec
	// Duration is the time from a request's arrival to its answer, by operation.
	Duration *prometheus.HistogramVec
	// InFlight is the number of requests being served.
	InFlight prometheus.Gauge
	// AuthFailures counts authentication failures by reason (the exception: InvalidSignature, …).
	AuthFailures *prometheus.CounterVec
	// Throttled counts requests refused with 429 by limiter: "api" (--rate-limit, per access key) or
	// "webhook" (--webhook-rate-limit, per incoming URL).
	Throttled *prometheus.CounterVec
}

// DurationBuckets are the request duration histogram's buckets, in seconds.
var DurationBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New creates the metrics on reg, with the build information and the Go runtime and process collectors.
func New(reg *prometheus.Registry) *Metrics {
	m := &Metrics{
		reg: reg,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "chimed_requests_total",
			Help: "Requests answered, by operation and HTTP status code."}, []string{"operation", "code"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "chimed_request_duration_seconds",
			Help: "Time from a request's arrival to its answer, by operation.", Buckets: DurationBuckets},
			[]string{"operation"}),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "chimed_requests_in_flight",
			Help: "Requests being served."}),
		AuthFailures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "chimed_auth_failures_total",
			Help: "Authentication failures, by reason (the exception without its suffix)."}, []string{"reason"}),
		Throttled: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "chimed_throttled_requests_total",
			Help: "Requests refused with 429, by limiter: api (per access key) or webhook (per incoming URL)."},
			[]string{"limiter"}),
	}
	bi := buildinfo.Read()
	build := prometheus.NewGauge(prometheus.GaugeOpts{Name: "chimed_build_info",
		Help:        "Always 1: the module version, VCS revision and Go version chimed was built from.",
		ConstLabels: prometheus.Labels{"version": bi.Version, "revision": bi.Revision, "goversion": bi.GoVersion}})
	build.Set(1)
	reg.MustRegister(m.Requests, m.Duration, m.InFlight, m.AuthFailures, m.Throttled, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry returns the registry the metrics are registered on.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus exposition formats.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// RegisterStore adds the store's metrics: transactions and retries by engine, group-commit batch sizes and
// read-cache hits and misses (SQLite), and the database/sql pool statistics (go_sql_*, by db_name).
func (m *Metrics) RegisterStore(db *sqlstore.DB) {
	m.reg.MustRegister(&storeCollector{db: db, engine: db.Engine()})
	for name, pool := range db.Pools() {
		m.reg.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
}

// RegisterService adds the mail and bot event delivery outcomes of svc.
func (m *Metrics) RegisterService(svc *chime.Service) {
	m.reg.MustRegister(&serviceCollector{svc: svc})
}

// RegisterConnections adds the listener's connection counts: stats returns the connections open now and those
// shed and refused since the start (cmd/chimed's connection limiter).
func (m *Metrics) RegisterConnections(stats func() (open int, shed, refused uint64)) {
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "chimed_connections_open",
			Help: "Client connections open on the API listener."},
			func() float64 { o, _, _ := stats(); return float64(o) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "chimed_connections_shed_total",
			Help: "Connections closed at the --max-connections cap to make room for a new one (idle keep-alive or silent)."},
			func() float64 { _, s, _ := stats(); return float64(s) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "chimed_connections_refused_total",
			Help: "New connections closed at the --max-connections cap because every connection was busy."},
			func() float64 { _, _, r := stats(); return float64(r) }),
	)
}

var (
	descTx = prometheus.NewDesc("chimed_store_transactions_total",
		"Store transactions, by engine and kind (read or write; a write re-run after a conflict counts once).",
		[]string{"engine", "kind"}, nil)
	descRetries = prometheus.NewDesc("chimed_store_retries_total",
		"Write transactions run again after a conflict, by engine and cause.", []string{"engine", "cause"}, nil)
	descBatch = prometheus.NewDesc("chimed_store_group_commit_batch_size",
		"Write requests committed together by one SQLite group commit.", nil, nil)
	descHits = prometheus.NewDesc("chimed_store_cache_hits_total",
		"Point reads answered by the read cache, by kind of row.", []string{"kind"}, nil)
	descMisses = prometheus.NewDesc("chimed_store_cache_misses_total",
		"Point reads the read cache sent to the database, by kind of row.", []string{"kind"}, nil)
	descPool = prometheus.NewDesc("chimed_store_pool_connections",
		"PostgreSQL pool connections (pgxpool) by state: acquired, idle, total (open) and max.", []string{"state"}, nil)
	descPoolWaits = prometheus.NewDesc("chimed_store_pool_empty_acquires_total",
		"PostgreSQL connection acquisitions that had to wait for a connection.", nil, nil)
)

// batchBuckets are the group-commit batch size buckets (the largest batch is 128 requests).
var batchBuckets = []float64{1, 2, 4, 8, 16, 32, 64, 128}

// storeCollector reads the store's counters at scrape time.
type storeCollector struct {
	db     *sqlstore.DB
	engine string
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descTx, descRetries, descBatch, descHits, descMisses, descPool, descPoolWaits} {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.db.Stats()
	ch <- prometheus.MustNewConstMetric(descTx, prometheus.CounterValue, float64(s.ReadTransactions), c.engine, "read")
	ch <- prometheus.MustNewConstMetric(descTx, prometheus.CounterValue, float64(s.WriteTransactions), c.engine, "write")
	for _, r := range []struct {
		cause string
		n     int64
	}{{"serialization", s.Retries.Serialization}, {"deadlock", s.Retries.Deadlock}, {"unique", s.Retries.Unique},
		{"foreign_key", s.Retries.ForeignKey}} {
		ch <- prometheus.MustNewConstMetric(descRetries, prometheus.CounterValue, float64(r.n), c.engine, r.cause)
	}
	if s.Batches != nil {
		var count uint64
		var sum float64
		buckets := make(map[float64]uint64, len(batchBuckets))
		for n, k := range s.Batches {
			count += uint64(k)
			sum += float64(n) * float64(k)
			for _, b := range batchBuckets {
				if float64(n) <= b {
					buckets[b] += uint64(k)
				}
			}
		}
		ch <- prometheus.MustNewConstHistogram(descBatch, count, sum, buckets)
	}
	for _, k := range s.Cache {
		ch <- prometheus.MustNewConstMetric(descHits, prometheus.CounterValue, float64(k.Hits), k.Kind)
		ch <- prometheus.MustNewConstMetric(descMisses, prometheus.CounterValue, float64(k.Misses), k.Kind)
	}
	if p := c.db.PoolStat(); p != nil {
		for _, g := range []struct {
			state string
			n     int32
		}{{"acquired", p.AcquiredConns()}, {"idle", p.IdleConns()}, {"total", p.TotalConns()}, {"max", p.MaxConns()}} {
			ch <- prometheus.MustNewConstMetric(descPool, prometheus.GaugeValue, float64(g.n), g.state)
		}
		ch <- prometheus.MustNewConstMetric(descPoolWaits, prometheus.CounterValue, float64(p.EmptyAcquireCount()))
	}
}

var (
	descMail = prometheus.NewDesc("chimed_mail_deliveries_total",
		"Mail messages (invitations, sign-in links) by outcome: sent, failed or not_sent (no SMTP server).",
		[]string{"outcome"}, nil)
	descBot = prometheus.NewDesc("chimed_bot_event_deliveries_total",
		"Bot event deliveries by outcome: delivered, failed (after retries) or interrupted (by shutdown; retried later).",
		[]string{"outcome"}, nil)
)

// serviceCollector reads the service's delivery counters at scrape time.
type serviceCollector struct{ svc *chime.Service }

func (c *serviceCollector) Describe(ch chan<- *prometheus.Desc) { ch <- descMail; ch <- descBot }

func (c *serviceCollector) Collect(ch chan<- prometheus.Metric) {
	d := c.svc.DeliveryStats()
	for _, o := range []struct {
		desc    *prometheus.Desc
		outcome string
		n       int64
	}{{descMail, "sent", d.MailSent}, {descMail, "failed", d.MailFailed}, {descMail, "not_sent", d.MailNotSent},
		{descBot, "delivered", d.BotDelivered}, {descBot, "failed", d.BotFailed},
		{descBot, "interrupted", d.BotInterrupted}} {
		ch <- prometheus.MustNewConstMetric(o.desc, prometheus.CounterValue, float64(o.n), o.outcome)
	}
}

// statusCodes holds the code label of every HTTP status (100–599), so that labelling a request allocates nothing.
var statusCodes = func() []string {
	s := make([]string, 600)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

// Code returns the code label of status.
func Code(status int) string {
	if status >= 0 && status < len(statusCodes) {
		return statusCodes[status]
	}
	return strconv.Itoa(status)
}
