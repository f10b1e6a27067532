// Package http is chimed's rest-json wire layer: it routes requests by (method, path, ?operation=), authenticates
// them, decodes and validates their shape, calls the chime.Service, and encodes results and errors exactly as
// the AWS SDKs expect.
package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/http/admin"
	"github.com/chimed/chimed/metrics"
	"github.com/chimed/chimed/scim"
	"github.com/chimed/chimed/sigv4"
)

// MaxBodyBytes is the largest request body accepted (D17).
const MaxBodyBytes = 1 << 20

// maxLabelBytes bounds a path label or query value; longer ones are refused with 400.
const maxLabelBytes = 2048

// Server is the HTTP handler of chimed.
type Server struct {
	svc        *chime.Service
	auth       Authenticator
	logger     *slog.Logger
	routes     routeIndex
	api        *handlers // implements API; concrete, so that inputs and outputs stay on the stack
	limits     *RateLimiter
	budget     *bodyBudget    // request bodies held at once (bodybudget.go)
	sels       []string       // the selector query parameters ("operation", "type"), each allowed once
	allowClock bool           // PUT /_chimed/clock is allowed (--allow-clock-control)
	webhooks   *RateLimiter   // per incoming URL (--webhook-rate-limit, §9.7); nil: no limit
	obs        *observability // metrics, /metrics and health (metrics.go)
	bufs       sync.Pool      // *[]byte response buffers
	console    *admin.Console // the admin console at /admin/ (package http/admin)
	scim       *scim.Handler  // SCIM 2.0 under /scim/v2/ (package scim): Bearer tokens, not SigV4
	reqIDs     *requestIDs    // x-amzn-RequestId (requestid.go)
	dates      httpDates      // the Date header (httpdate.go)
}

// Options configure a Server.
type Options struct {
	Service       *chime.Service
	Authenticator Authenticator
	Logger        *slog.Logger // default slog.Default()
	RateLimiter   *RateLimiter // nil: no throttling
	// MaxBodyMemory bounds the bytes of request bodies held at once, server-wide, before and after
	// authentication; 0 means DefaultMaxBodyMemory, and it is never less than MaxBodyBytes (bodybudget.go).
	MaxBodyMemory int64
	// BodyMemoryWait is how long a request waits for body memory before 503; 0 means DefaultBodyMemoryWait.
	BodyMemoryWait time.Duration
	// AllowClockControl lets PUT /_chimed/clock move the server clock (--allow-clock-control, §9.5).
	AllowClockControl bool
	// WebhookRateLimit is the requests per second each incoming webhook or bot reply URL accepts
	// (--webhook-rate-limit, §9.7); 0 means no limit.
	WebhookRateLimit float64
	// Metrics receives the request metrics (metrics.go); nil: a private registry nobody scrapes.
	Metrics *metrics.Metrics
	// ServeMetrics answers GET /metrics, unauthenticated, from Metrics' registry; else /metrics is unknown (404).
	ServeMetrics bool
}

// NewServer returns the handler for o.
func NewServer(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	rs := routeTable()
	if o.Metrics == nil {
		o.Metrics = metrics.New(prometheus.NewRegistry())
	}
	obs := newObservability(o.Metrics, o.ServeMetrics, o.Authenticator, rs)
	var sels []string
	for _, rt := range rs {
		if rt.selKey != "" && !slices.Contains(sels, rt.selKey) {
			sels = append(sels, rt.selKey)
		}
	}
	return &Server{svc: o.Service, auth: o.Authenticator, logger: o.Logger, routes: indexRoutes(rs),
		api: &handlers{svc: o.Service}, limits: o.RateLimiter, budget: newBodyBudget(o.MaxBodyMemory,
			o.BodyMemoryWait), sels: sels, allowClock: o.AllowClockControl,
		webhooks: NewRateLimiter(o.WebhookRateLimit, 1), obs: obs, console: newConsole(o),
		scim: scim.New(scim.Options{Service: o.Service, Logger: o.Logger}), reqIDs: newRequestIDs()}
}

// newConsole returns the admin console of o: its sign-in checks the stored credentials (SigV4Auth), or, in the
// emulator mode (AnyAuth), takes any key as the API does; nil (no console) for another Authenticator.
func newConsole(o Options) *admin.Console {
	var keys admin.Keys
	switch a := o.Authenticator.(type) {
	case SigV4Auth:
		keys = admin.CredentialKeys{Credentials: a.Credentials}
	case *SigV4Auth:
		keys = admin.CredentialKeys{Credentials: a.Credentials}
	case AnyAuth, *AnyAuth:
		keys = admin.EmulatorKeys{AccountFor: AccountForKey}
	default:
		return nil
	}
	return admin.New(admin.Options{Service: o.Service, Keys: keys, Logger: o.Logger})
}

// consoleWriter records the status the console answers, for the access log and the metrics.
type consoleWriter struct {
	http.ResponseWriter
	status int
}

func (w *consoleWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *consoleWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// maxInlineLabels covers the path labels of every operation (UpdateRoomMembership has the most: 3); a route
// with more would grow its own slice.
const maxInlineLabels = 4

// call is one request in flight.
type call struct {
	w        http.ResponseWriter
	r        *http.Request
	ctx      context.Context // r's context, with the request's read scope and audit record once they begin
	reqID    string
	op       string
	labels   []string                // decoded path labels, in order
	labelBuf [maxInlineLabels]string // backs labels (no operation has more)
	query    url.Values
	body     []byte
	reserved int64 // body bytes reserved in the server's budget, released when the request ends
	id       chime.Identity
	status   int
	html     bool         // a page for people (route.html): errors are HTML, the token label stays out of logs
	rt       *route       // the matched route (nil before routing)
	errs     exceptionSet // the exceptions the operation may answer

	audit   *chime.AuditEntry // the audit record of a mutating request (audit.go); nil otherwise
	errCode string            // the exception answered, for the audit record
	errMsg  string

	hv [3]string // values of the response headers every answer carries, without a slice allocated for each
}

// label returns the i-th path label.
func (c *call) label(i int) string { return c.labels[i] }

// header returns the request header name, or nil when absent.
func (c *call) header(name string) *string {
	if vs := c.r.Header.Values(name); len(vs) > 0 {
		return &vs[0]
	}
	return nil
}

// q returns the first value of query parameter name, or nil when absent.
func (c *call) q(name string) *string {
	if vs, ok := c.query[name]; ok && len(vs) > 0 {
		return &vs[0]
	}
	return nil
}

// ServeHTTP implements http.Handler: request id, routing, body limit, authentication, authorization, the
// operation's handler, and one access-log line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c := &call{w: w, r: r, ctx: r.Context(), reqID: s.reqIDs.next(), op: "-", errs: allExceptions}
	c.hv[0] = c.reqID
	w.Header()["X-Amzn-Requestid"] = c.hv[0:1:1] // x-amzn-RequestId, in the canonical form Set would make
	s.obs.inFlight.Inc()
	defer s.obs.inFlight.Dec() // a defer of its own: also when an aborted request's panic goes on up
	defer func() {
		if c.reserved > 0 {
			s.budget.release(c.reserved)
		}
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.logger.Error("panic", "request_id", c.reqID, "operation", c.op, "panic", p)
			if c.status == 0 {
				s.writeError(c, errors.New("panic"))
			}
		}
		if c.audit != nil { // the handler answered nothing
			s.endAudit(c, c.status, nil)
		}
		d := time.Since(start)
		s.obs.end(c, d)
		if s.logger.Enabled(c.ctx, slog.LevelInfo) { // the path is not rendered for a line nobody keeps
			s.logger.LogAttrs(c.ctx, slog.LevelInfo, "request", slog.String("request_id", c.reqID),
				slog.String("method", r.Method), slog.String("path", c.logPath()),
				slog.String("operation", c.op), slog.Int("status", c.status),
				slog.Float64("latency_ms", float64(d.Microseconds())/1000))
		}
	}()
	s.serve(c)
}

func (s *Server) serve(c *call) {
	r := c.r
	if s.console != nil && admin.Owns(r.URL.Path) { // the admin console: its own sessions, no SigV4
		c.op, c.html = "admin:Console", true
		cw := &consoleWriter{ResponseWriter: c.w}
		s.console.ServeHTTP(cw, r)
		c.status = cw.status
		return
	}
	if strings.HasPrefix(r.URL.Path, scim.PathPrefix) { // SCIM 2.0 (package scim): its own auth and errors
		s.serveSCIM(c)
		return
	}
	var query url.Values // nil for no query: read only
	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			s.writeError(c, chime.Invalid("the query string is malformed"))
			return
		}
		query = q
	}
	c.query = query
	// The signature covers the whole query, sorted, and routing reads one value of a selector: a selector given
	// twice is refused before routing (docs/behavior.md §2.5).
	for _, k := range s.sels {
		if len(query[k]) > 1 {
			s.writeError(c, chime.Invalid("the %s parameter is given more than once", k))
			return
		}
	}
	if r.Method == http.MethodPost && r.URL.Path == "/" && len(r.Header["X-Amz-Target"]) > 0 {
		s.cloudTrail(c) // CloudTrail's JSON 1.1 API (cloudtrail.go)
		return
	}
	rt, labels, ok := s.match(r.Method, r.URL.EscapedPath(), query, c.labelBuf[:0])
	if !ok {
		s.writeFrontError(c, http.StatusNotFound, excUnknownOperation,
			"No operation matches "+r.Method+" "+c.logPath())
		return
	}
	c.op, c.html, c.rt, c.errs = rt.name, rt.html, rt, rt.errs
	for _, vs := range query {
		for _, v := range vs {
			if len(v) > maxLabelBytes {
				s.writeError(c, chime.Invalid("a query value is longer than %d bytes", maxLabelBytes))
				return
			}
		}
	}
	for i, l := range labels {
		v, err := l, error(nil)
		if strings.IndexByte(l, '%') >= 0 { // without one, PathUnescape returns l unchanged (~90 ns for two ids)
			v, err = url.PathUnescape(l)
		}
		if err != nil || len(v) > maxLabelBytes {
			s.writeError(c, chime.Invalid("a path label is malformed or too long"))
			return
		}
		labels[i] = v
	}
	c.labels = labels
	if r.Body != nil && r.Body != http.NoBody || r.ContentLength > MaxBodyBytes {
		if err := s.readBody(c); err != nil {
			s.writeError(c, err)
			return
		}
	}
	// The store reads of this request (the key's lookup included) share the work that makes a cache's answers
	// exact: one wait per request on a PostgreSQL node (chime.ReadScope).
	c.ctx = chime.WithReadScope(c.ctx)
	if !rt.public {
		id, err := s.auth.Authenticate(c.ctx, "", r, c.body)
		if err != nil {
			s.writeAuthError(c, err)
			return
		}
		c.id = id
		if !s.limits.Allow(id.AccessKeyID) {
			s.obs.throttled.api.Inc()
			s.writeError(c, chime.Errorf(chime.ETHROTTLED, "Rate exceeded"))
			return
		}
		if audited(rt, r.Method) {
			s.beginAudit(c)
		}
		if id.ReadOnly && !rt.read {
			s.writeError(c, chime.Errorf(chime.EFORBIDDEN, "AWS authorization failed"))
			return
		}
	}
	// The server clock's offset, re-read when the cached one is older than chime.ClockTTL (clock.go, D19).
	if !rt.timeless {
		if err := s.svc.SyncClock(c.ctx); err != nil {
			s.writeError(c, err)
			return
		}
	}
	if rt.head != nil && r.Method == http.MethodHead {
		rt.head(s, c)
		return
	}
	rt.h(s, c)
}

// serveSCIM hands a SCIM request to package scim, its body read within the server's body budget.
func (s *Server) serveSCIM(c *call) {
	var err error
	if c.r.Body != nil && c.r.Body != http.NoBody || c.r.ContentLength > MaxBodyBytes {
		if err = s.readBody(c); err == errBodyTooLarge {
			err = scim.ErrTooLarge
		}
	}
	c.op, c.status = s.scim.Serve(c.w, c.r, c.reqID, c.body, err)
}

// writeAuthError answers an authentication failure per D16.
func (s *Server) writeAuthError(c *call, err error) {
	var se *sigv4.Error
	if errors.As(err, &se) {
		s.logAuthFailure(c, se)
		s.obs.authFailure(se.Kind)
		s.writeFrontError(c, http.StatusForbidden, se.Kind.ExceptionName(), se.Message)
		return
	}
	s.writeError(c, err) // a domain error (e.g. Throttled) or an internal failure of the credential store
}

// writeJSON answers status with v encoded as JSON (no body for 204).
// (writeBody sets the Date header the SDKs use for clock-skew correction; net/http adds it to a 204.)
func (s *Server) writeJSON(c *call, status int, v any) {
	if status == http.StatusNoContent || v == nil {
		c.status = status
		if c.audit != nil {
			s.endAudit(c, status, nil)
		}
		c.w.WriteHeader(status)
		return
	}
	buf := s.buffer()
	defer s.release(buf)
	w := bytes.NewBuffer((*buf)[:0])
	if err := json.NewEncoder(w).Encode(v); err != nil {
		s.logger.Error("encode response", "request_id", c.reqID, "error", err)
		c.w.Header().Set("x-amzn-ErrorType", "ServiceFailureException")
		s.writeBody(c, http.StatusInternalServerError, []byte(`{"Code":"ServiceFailure","Message":"Internal service failure"}`))
		return
	}
	*buf = w.Bytes()
	s.writeBody(c, status, *buf)
}

// writeBody answers status with a JSON body.
func (s *Server) writeBody(c *call, status int, body []byte) {
	c.status = status
	if c.audit != nil {
		s.endAudit(c, status, body)
	}
	h := c.w.Header()
	c.hv[1], c.hv[2] = "application/json", strconv.Itoa(len(body))
	h["Content-Type"] = c.hv[1:2:2]
	h["Content-Length"] = c.hv[2:3:3]
	h["Date"] = s.dates.header()
	c.w.WriteHeader(status)
	c.w.Write(body)
}

// buffer returns a response buffer from the pool; release gives it back (bodies over 1 MiB are dropped).
func (s *Server) buffer() *[]byte {
	if b, ok := s.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, 0, 4096)
	return &b
}

func (s *Server) release(b *[]byte) {
	if cap(*b) <= 1<<20 {
		*b = (*b)[:0]
		s.bufs.Put(b)
	}
}

// writeOutput answers the operation's success status with an encoded output body.
func (s *Server) writeOutput(c *call, body []byte) {
	if c.rt.status == http.StatusNoContent {
		s.writeEmpty(c)
		return
	}
	s.writeBody(c, c.rt.status, body)
}

// writeEmpty answers an operation without an output shape: 204 without a body, or {} for other statuses.
func (s *Server) writeEmpty(c *call) {
	if c.rt.status == http.StatusNoContent {
		c.status = http.StatusNoContent
		if c.audit != nil {
			s.endAudit(c, http.StatusNoContent, nil)
		}
		c.w.WriteHeader(http.StatusNoContent)
		return
	}
	s.writeBody(c, c.rt.status, []byte("{}"))
}

// respond answers v with status, or the error.
func (s *Server) respond(c *call, status int, v any, err error) {
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeJSON(c, status, v)
}
