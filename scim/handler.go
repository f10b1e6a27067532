// Package scim is chimed's SCIM 2.0 service (RFC 7643, RFC 7644; docs/behavior.md §9.11): one service per Chime
// account under /scim/v2/accounts/{accountId}/, reached with a bearer token of that account (`chimed scim-token
// create`). It maps SCIM users onto the account's Chime users and changes them only through the chime.Service
// methods the API uses, each change recorded in the audit trail under the token's id.
package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	chime "github.com/chimed/chimed"
)

// PathPrefix starts every SCIM path; the wire layer hands every request under it to Handler.Serve.
const PathPrefix = "/scim/v2/"

// MaxBodyBytes is the largest request body accepted (413 above).
const MaxBodyBytes = 1 << 20

// Failed authentications are throttled per client address: failRate per second, failBurst at once; a client
// over its budget is answered 429 before its token is even looked at. maxFailClients bounds the addresses
// remembered (the oldest budgets are forgotten first when it is reached).
const (
	failRate       = 2
	failBurst      = 10
	maxFailClients = 10000
)

// Options configure a Handler.
type Options struct {
	Service *chime.Service
	Logger  *slog.Logger // nil: slog.Default()
}

// Handler serves the SCIM service.
type Handler struct {
	svc    *chime.Service
	logger *slog.Logger

	mu    sync.Mutex
	fails map[string]*rate.Limiter // failed authentications per client address
}

// New returns a Handler for o.
func New(o Options) *Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Handler{svc: o.Service, logger: o.Logger, fails: map[string]*rate.Limiter{}}
}

// ServeHTTP implements http.Handler (the request body is read here, up to MaxBodyBytes).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body []byte
	var err error
	if r.Body != nil {
		body, err = readAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	}
	h.Serve(w, r, "", body, err)
}

func readAll(r interface{ Read([]byte) (int, error) }) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, ErrTooLarge
	}
	return b.Bytes(), err
}

// req is one SCIM request in flight.
type req struct {
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context
	reqID   string
	op      string // e.g. "scim:CreateUser"
	body    []byte
	tok     *chime.SCIMToken
	account string   // the Chime account id of the path
	rest    []string // the path segments after the account id
	base    string   // absolute URL of the account's SCIM service, without a trailing slash
	audit   *chime.AuditEntry
	created string // the SCIM id a create made (named in its audit record)
	status  int
}

// Serve answers one request whose path starts with PathPrefix: body is the request body already read by the wire
// layer (bodyErr its failure: ErrTooLarge for 413); reqID is the request id it answers. It returns the operation
// name (for logs and metrics) and the status answered.
func (h *Handler) Serve(w http.ResponseWriter, r *http.Request, reqID string, body []byte, bodyErr error) (string, int) {
	q := &req{w: w, r: r, ctx: r.Context(), reqID: reqID, op: "scim:Unknown", body: body}
	h.serve(q, bodyErr)
	return q.op, q.status
}

func (h *Handler) serve(q *req, bodyErr error) {
	// /scim/v2/accounts/{accountId}/...
	segs := strings.Split(strings.TrimPrefix(q.r.URL.Path, PathPrefix), "/")
	if len(segs) < 3 || segs[0] != "accounts" || segs[1] == "" {
		h.fail(q, errorf(http.StatusNotFound, "", "No SCIM service at %s (the services are at %saccounts/{accountId}/)",
			truncate(q.r.URL.Path), PathPrefix))
		return
	}
	q.account, q.rest = segs[1], segs[2:]
	if len(q.rest) > 0 && q.rest[len(q.rest)-1] == "" { // a trailing slash
		q.rest = q.rest[:len(q.rest)-1]
	}
	q.op = opName(q.r.Method, q.rest)
	if !h.authenticate(q) {
		return
	}
	if err := h.svc.SyncClock(q.ctx); err != nil {
		h.fail(q, fromChime(err, ""))
		return
	}
	q.base = h.baseURL(q)
	if bodyErr != nil {
		switch {
		case errors.Is(bodyErr, ErrTooLarge):
			h.fail(q, errorf(http.StatusRequestEntityTooLarge, "", "The request body is larger than %d bytes", MaxBodyBytes))
		case chime.ErrorCode(bodyErr) == chime.EUNAVAILABLE:
			h.fail(q, errorf(http.StatusServiceUnavailable, "", "%s", chime.ErrorMessage(bodyErr)))
		default:
			h.fail(q, badRequest(invalidSyntax, "The request body could not be read"))
		}
		return
	}
	h.route(q)
}

// opName names the operation of a request, from a fixed set (metrics labels).
func opName(method string, rest []string) string {
	if len(rest) == 0 {
		return "scim:Unknown"
	}
	switch rest[0] {
	case "ServiceProviderConfig":
		return "scim:GetServiceProviderConfig"
	case "ResourceTypes":
		return "scim:GetResourceTypes"
	case "Schemas":
		return "scim:GetSchemas"
	case "Users":
		switch {
		case len(rest) == 1 && method == http.MethodGet:
			return "scim:ListUsers"
		case len(rest) == 1 && method == http.MethodPost:
			return "scim:CreateUser"
		case len(rest) == 2 && method == http.MethodGet:
			return "scim:GetUser"
		case len(rest) == 2 && method == http.MethodPut:
			return "scim:ReplaceUser"
		case len(rest) == 2 && method == http.MethodPatch:
			return "scim:PatchUser"
		case len(rest) == 2 && method == http.MethodDelete:
			return "scim:DeleteUser"
		}
	}
	return "scim:Unknown"
}

func (h *Handler) route(q *req) {
	m, rest := q.r.Method, q.rest
	switch {
	case len(rest) == 0:
	case rest[0] == "ServiceProviderConfig" && len(rest) == 1 && m == http.MethodGet:
		h.serviceProviderConfig(q)
		return
	case rest[0] == "ResourceTypes" && len(rest) <= 2 && m == http.MethodGet:
		h.resourceTypes(q)
		return
	case rest[0] == "Schemas" && len(rest) <= 2 && m == http.MethodGet:
		h.schemas(q)
		return
	case rest[0] == "Users" && len(rest) <= 2 && q.op != "scim:Unknown":
		if q.op != "scim:GetUser" && q.op != "scim:ListUsers" {
			h.beginAudit(q)
		}
		h.users(q)
		return
	case rest[0] == "Users" && len(rest) <= 2:
		h.fail(q, errorf(http.StatusMethodNotAllowed, "", "%s is not supported on %s", m, truncate(q.r.URL.Path)))
		return
	}
	h.fail(q, errorf(http.StatusNotFound, "", "No SCIM endpoint at %s (this service has Users, ServiceProviderConfig, "+
		"ResourceTypes and Schemas)", truncate(q.r.URL.Path)))
}

// authenticate checks the bearer token, and that it is a token of the path's account: a token of another account
// is answered exactly as a wrong token, so that nobody learns which accounts exist. Failures are throttled.
func (h *Handler) authenticate(q *req) bool {
	ip := q.r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	lim := h.failLimiter(ip)
	if lim.Tokens() < 1 {
		q.w.Header().Set("Retry-After", "1")
		h.fail(q, errorf(http.StatusTooManyRequests, "", "Too many failed authentications; retry later"))
		return false
	}
	refuse := func() bool {
		lim.Allow()
		q.w.Header().Set("WWW-Authenticate", `Bearer realm="chimed SCIM"`)
		h.fail(q, errorf(http.StatusUnauthorized, "", "The bearer token is missing or not valid for this service"))
		return false
	}
	auth := q.r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return refuse()
	}
	tok, err := h.svc.AuthenticateSCIM(q.ctx, strings.TrimSpace(token))
	switch {
	case chime.ErrorCode(err) == chime.EUNAUTHORIZED:
		return refuse()
	case err != nil:
		h.logger.Error("scim token lookup", "request_id", q.reqID, "error", err)
		h.fail(q, fromChime(err, ""))
		return false
	case tok.AccountID != q.account:
		return refuse()
	}
	q.tok = tok
	return true
}

// failLimiter returns the failure budget of a client address.
func (h *Handler) failLimiter(ip string) *rate.Limiter {
	h.mu.Lock()
	defer h.mu.Unlock()
	l, ok := h.fails[ip]
	if !ok {
		if len(h.fails) >= maxFailClients {
			for k, v := range h.fails { // forget the budgets that are full again first
				if v.Tokens() >= failBurst {
					delete(h.fails, k)
				}
			}
			if len(h.fails) >= maxFailClients {
				clear(h.fails)
			}
		}
		l = rate.NewLimiter(failRate, failBurst)
		h.fails[ip] = l
	}
	return l
}

// baseURL is the absolute URL of the account's service: from the server's public URL when it has one, else
// from the request's host.
func (h *Handler) baseURL(q *req) string {
	root := strings.TrimSuffix(h.svc.PublicURL(), "/")
	if root == "" {
		scheme := "http"
		if q.r.TLS != nil {
			scheme = "https"
		}
		root = scheme + "://" + q.r.Host
	}
	return root + PathPrefix + "accounts/" + q.account
}

// writeJSON answers status with v as application/scim+json.
func (h *Handler) writeJSON(q *req, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		h.logger.Error("scim encode", "request_id", q.reqID, "error", err)
		h.fail(q, errorf(http.StatusInternalServerError, "", "Internal service failure"))
		return
	}
	h.endAudit(q, status, nil)
	h.write(q, status, b)
}

func (h *Handler) write(q *req, status int, b []byte) {
	q.status = status
	hd := q.w.Header()
	hd.Set("Content-Type", "application/scim+json")
	hd.Set("Content-Length", strconv.Itoa(len(b)))
	q.w.WriteHeader(status)
	q.w.Write(b)
}

// fail answers a SCIM error.
func (h *Handler) fail(q *req, e *Error) {
	if e.Status >= 500 {
		h.logger.Error("scim request failed", "request_id", q.reqID, "operation", q.op, "status", e.Status)
	}
	h.endAudit(q, e.Status, e)
	b, _ := json.Marshal(errorBody{Schemas: []string{ErrorSchema}, Status: strconv.Itoa(e.Status),
		SCIMType: e.SCIMType, Detail: e.Detail})
	h.write(q, e.Status, b)
}

// beginAudit gives a mutating request its audit record, attributed to the token (docs/behavior.md §9.9): the
// first change it makes records it in the change's transaction; endAudit records a request that failed or
// changed nothing.
func (h *Handler) beginAudit(q *req) {
	ip := q.r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	ua := q.r.UserAgent()
	if len(ua) > 1024 {
		ua = ua[:1024]
	}
	params := map[string]any{"accountId": q.account}
	res := []chime.AuditResource{{Type: "AWS::Chime::Account", Name: q.account}}
	if len(q.rest) == 2 {
		params["userId"] = q.rest[1]
		res = append(res, chime.AuditResource{Type: "AWS::Chime::User", Name: q.rest[1]})
	}
	var body map[string]any
	if len(q.body) > 0 && json.Unmarshal(q.body, &body) == nil {
		for k, v := range body {
			if l := strings.ToLower(k); !strings.Contains(l, "password") && l != "accountid" && l != "userid" {
				params[k] = v
			}
		}
	}
	pj, err := json.Marshal(params)
	if err != nil || len(pj) > 64<<10 {
		pj = []byte(`{"accountId":` + strconv.Quote(q.account) + `}`)
	}
	q.audit = &chime.AuditEntry{Event: chime.AuditEvent{ID: newEventID(), AwsAccountID: q.tok.AwsAccountID,
		AccessKeyID: q.tok.ID, RequestID: q.reqID, Operation: q.op, SourceIP: ip, UserAgent: ua,
		Params: string(pj), Response: "null", Resources: res}}
	q.ctx = chime.WithAudit(q.ctx, q.audit)
}

// endAudit records a request that failed or changed nothing, and names the user a success created, just before
// the response goes out.
func (h *Handler) endAudit(q *req, status int, e *Error) {
	a := q.audit
	if a == nil {
		return
	}
	q.audit = nil
	ctx := context.WithoutCancel(q.ctx)
	if status >= 300 || !a.Recorded() {
		code, msg := "", ""
		if e != nil {
			code, msg = "SCIM"+strconv.Itoa(e.Status), e.Detail
			if e.SCIMType != "" {
				code = e.SCIMType
			}
		}
		if err := h.svc.RecordAudit(ctx, a, status, code, msg); err != nil {
			h.logger.Error("audit record", "request_id", q.reqID, "operation", q.op, "error", err)
		}
		return
	}
	if q.created != "" { // best effort, as the API's response ids (§9.9)
		add := []chime.AuditResource{{Type: "AWS::Chime::User", Name: q.created}}
		if err := h.svc.SetAuditResponse(ctx, a, "null", add); err != nil {
			h.logger.Warn("audit resources", "request_id", q.reqID, "operation", q.op, "error", err)
		}
	}
}

// truncate bounds a path quoted in an error.
func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

// newEventID returns a random audit event id.
func newEventID() string { return uuid.NewString() }
