package http

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chimed/chimed/internal/buildinfo"
	"github.com/chimed/chimed/metrics"
	"github.com/chimed/chimed/sigv4"
)

// observability is what the server reports about itself: the request metrics (with every route's metric
// children resolved once, at start, so that a request only adds to counters it already holds), /metrics, and
// the facts /_chimed/health answers.
type observability struct {
	m         *metrics.Metrics
	serve     http.Handler // /metrics on this handler; nil: /metrics is an unknown route
	inFlight  prometheus.Gauge
	unmatched *routeMetrics                                  // requests no route matched (operation "-")
	auth      [sigv4.InvalidSignature + 1]prometheus.Counter // by sigv4.Kind
	throttled struct{ api, webhook prometheus.Counter }

	started  time.Time
	version  string
	authMode string // "sigv4", "any" or "custom"
}

// routeMetrics are the metric children of one operation.
type routeMetrics struct {
	name     string
	okStatus int                // the operation's success status, whose counter is resolved already
	ok       prometheus.Counter // requests_total{operation, code=okStatus}
	duration prometheus.Observer
}

// newObservability resolves the children of every route of rs (routes sharing a name share them).
func newObservability(m *metrics.Metrics, serve bool, auth Authenticator, rs []route) *observability {
	o := &observability{m: m, inFlight: m.InFlight, started: time.Now(), version: buildinfo.Read().Version}
	if serve {
		o.serve = m.Handler()
	}
	switch auth.(type) {
	case AnyAuth, *AnyAuth:
		o.authMode = "any"
	case SigV4Auth, *SigV4Auth:
		o.authMode = "sigv4"
	default:
		o.authMode = "custom"
	}
	byName := map[string]*routeMetrics{}
	resolve := func(name string, status int) *routeMetrics {
		if status == 0 {
			status = http.StatusOK
		}
		if rm := byName[name]; rm != nil && rm.okStatus == status {
			return rm
		}
		rm := &routeMetrics{name: name, okStatus: status, ok: m.Requests.WithLabelValues(name, metrics.Code(status)),
			duration: m.Duration.WithLabelValues(name)}
		byName[name] = rm
		return rm
	}
	for i := range rs {
		rs[i].m = resolve(rs[i].name, rs[i].status)
	}
	o.unmatched = resolve("-", http.StatusNotFound)
	for k := sigv4.MissingAuthenticationToken; k <= sigv4.InvalidSignature; k++ {
		name := k.ExceptionName()
		o.auth[k] = m.AuthFailures.WithLabelValues(name[:len(name)-len("Exception")])
	}
	o.throttled.api = m.Throttled.WithLabelValues("api")
	o.throttled.webhook = m.Throttled.WithLabelValues("webhook")
	return o
}

// end counts the answered request c, which took d.
func (o *observability) end(c *call, d time.Duration) {
	status := c.status
	if status == 0 { // the handler wrote nothing: net/http answers 200
		status = http.StatusOK
	}
	rm := o.unmatched
	switch {
	case c.rt != nil && c.rt.m != nil:
		rm = c.rt.m
	case c.op != rm.name: // an operation outside the route table (one of a fixed set of names)
		o.m.Requests.WithLabelValues(c.op, metrics.Code(status)).Inc()
		o.m.Duration.WithLabelValues(c.op).Observe(d.Seconds())
		return
	}
	if status == rm.okStatus {
		rm.ok.Inc()
	} else {
		o.m.Requests.WithLabelValues(rm.name, metrics.Code(status)).Inc()
	}
	rm.duration.Observe(d.Seconds())
}

// authFailure counts an authentication failure of kind k.
func (o *observability) authFailure(k sigv4.Kind) {
	if k >= 0 && int(k) < len(o.auth) && o.auth[k] != nil {
		o.auth[k].Inc()
		return
	}
	o.m.AuthFailures.WithLabelValues("other").Inc()
}

// serveMetrics answers GET /metrics (public, like health) when the server exposes them on its listener.
func (s *Server) serveMetrics(c *call) {
	if s.obs.serve == nil {
		s.writeFrontError(c, http.StatusNotFound, excUnknownOperation, "No operation matches "+c.r.Method+" "+c.logPath())
		return
	}
	c.status = http.StatusOK
	s.obs.serve.ServeHTTP(c.w, c.r)
}

// healthBody is the answer of /_chimed/health.
type healthBody struct {
	Status        string `json:"status"`
	Version       string `json:"version"`
	Store         string `json:"store"` // "sqlite" or "postgres"
	Auth          string `json:"auth"`  // "sigv4" or "any"
	UptimeSeconds int64  `json:"uptimeSeconds"`
}

func (s *Server) health(c *call) {
	store := "unknown"
	if e, ok := s.svc.Store().(interface{ Engine() string }); ok {
		store = e.Engine()
	}
	s.writeJSON(c, http.StatusOK, healthBody{Status: "ok", Version: s.obs.version, Store: store, Auth: s.obs.authMode,
		UptimeSeconds: int64(time.Since(s.obs.started).Seconds())})
}
