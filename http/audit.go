package http

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/google/uuid"

	chime "github.com/chimed/chimed"
)

// The audit trail of mutating requests (docs/behavior.md §9.9; chime's audit.go). beginAudit puts the request's
// audit entry into its context before the handler runs: the first successful store write of the handler records
// it in the change's transaction. endAudit, just before the response is written, records a request that failed
// (or changed nothing) with its outcome, and adds the response elements and the ids the response named to a
// recorded one (best effort, in a second transaction: a failure there leaves the record without them).

// hiddenValue replaces secrets in recorded parameters, as CloudTrail does.
const hiddenValue = "HIDDEN_DUE_TO_SECURITY_REASONS"

// maxAuditJSON bounds the recorded response elements; a larger response is recorded as null.
const maxAuditJSON = 64 << 10

// audited reports whether requests of rt are recorded: authenticated and mutating (control GETs, like the
// outboxes, only read).
func audited(rt *route, method string) bool {
	return !rt.public && !rt.read && method != http.MethodGet && method != http.MethodHead
}

// beginAudit gives c an audit entry, in its request's context.
func (s *Server) beginAudit(c *call) {
	ip := c.r.RemoteAddr
	if h, _, err := net.SplitHostPort(ip); err == nil {
		ip = h
	}
	ua := c.r.UserAgent()
	if len(ua) > 1024 {
		ua = ua[:1024]
	}
	params, resources := auditParams(c)
	e := &chime.AuditEntry{Event: chime.AuditEvent{ID: uuid.NewString(), AwsAccountID: c.id.AwsAccountID,
		AccessKeyID: c.id.AccessKeyID, RequestID: c.reqID, Operation: c.op, Region: c.id.Region, SourceIP: ip,
		UserAgent: ua, Params: params, Response: "null", Resources: resources}}
	c.audit = e
	c.ctx = chime.WithAudit(c.ctx, e)
}

// endAudit completes c's audit record just before its response goes out with status and body (so that a
// LookupEvents sent after the response sees it): a request that failed or changed nothing is recorded with its
// outcome, and a recorded success gets its response elements and the ids they name.
func (s *Server) endAudit(c *call, status int, body []byte) {
	e := c.audit
	c.audit = nil
	ctx := c.ctx
	if status == 0 {
		status = http.StatusOK // the handler wrote nothing: net/http answers 200
	}
	if status >= 300 || !e.Recorded() {
		code, msg := "", ""
		if status >= 300 {
			code, msg = c.errCode, c.errMsg
			if code == "" {
				code = c.w.Header().Get("x-amzn-ErrorType")
			}
		}
		if err := s.svc.RecordAudit(ctx, e, status, code, msg); err != nil {
			s.logger.Error("audit record", "request_id", c.reqID, "operation", c.op, "error", err)
			return
		}
	}
	if status < 300 && len(body) > 0 {
		resp, ids := auditResponse(body)
		if resp == "null" && len(ids) == 0 {
			return
		}
		if err := s.svc.SetAuditResponse(ctx, e, resp, ids); err != nil {
			s.logger.Warn("audit response elements", "request_id", c.reqID, "operation", c.op, "error", err)
		}
	}
}

// auditParams returns the request parameters of c as a JSON object (path ids by name, query parameters other
// than the selector, the body's members; secrets hidden) and the resources its path names.
func auditParams(c *call) (string, []chime.AuditResource) {
	m := map[string]any{}
	var resources []chime.AuditResource
	li := 0
	for i, seg := range c.rt.path {
		if seg != "{}" || li >= len(c.labels) {
			continue
		}
		typ := "Resource"
		if i > 0 {
			typ = resourceType(c.rt.path[i-1])
		}
		name := strings.ToLower(typ[:1]) + typ[1:] + "Id"
		m[name] = c.labels[li]
		resources = append(resources, chime.AuditResource{Type: "AWS::Chime::" + typ, Name: c.labels[li]})
		li++
	}
	for k, vs := range c.query {
		if k == c.rt.selKey || len(vs) == 0 {
			continue
		}
		m[k] = vs[0]
	}
	if len(c.body) > 0 {
		var body map[string]any
		if json.Unmarshal(c.body, &body) == nil {
			for k, v := range body {
				m[k] = v
			}
		}
	}
	redact(m)
	b, err := json.Marshal(m)
	if err != nil {
		return "{}", resources
	}
	return string(b), resources
}

// resourceType names the resource a path segment collects: "phone-number-orders" → "PhoneNumberOrder".
func resourceType(seg string) string {
	var b strings.Builder
	for _, w := range strings.Split(strings.TrimSuffix(seg, "s"), "-") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	if b.Len() == 0 {
		return "Resource"
	}
	return b.String()
}

// secretKey reports whether a member named k holds a secret that is never recorded: tokens (bot tokens, join
// tokens, security tokens, page tokens), secrets, passwords, PINs and message contents.
func secretKey(k string) bool {
	l := strings.ToLower(k)
	return strings.Contains(l, "token") || strings.Contains(l, "secret") || strings.Contains(l, "password") ||
		strings.Contains(l, "passcode") || strings.HasSuffix(l, "pin") || l == "content" ||
		strings.Contains(l, "signature")
}

// redact hides the secrets of a decoded JSON value, at any depth.
func redact(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if secretKey(k) && x != nil {
				v[k] = hiddenValue
				continue
			}
			redact(x)
		}
	case []any:
		for _, x := range v {
			redact(x)
		}
	}
}

// auditResponse returns a success body's response elements (secrets hidden; "null" when it is not a JSON object
// or is too large) and the resources it names: every string member named …Id (AccountId, UserId, BotId, …).
func auditResponse(body []byte) (string, []chime.AuditResource) {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return "null", nil
	}
	var ids []chime.AuditResource
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 3 {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && s != "" && strings.HasSuffix(k, "Id") && len(k) > 2 &&
					k != "AwsAccountId" && !secretKey(k) {
					ids = append(ids, chime.AuditResource{Type: "AWS::Chime::" + strings.TrimSuffix(k, "Id"), Name: s})
				}
				walk(x, depth+1)
			}
		case []any:
			for _, x := range v {
				walk(x, depth+1)
			}
		}
	}
	walk(m, 0)
	redact(m)
	b, err := json.Marshal(m)
	if err != nil || len(b) > maxAuditJSON {
		return "null", ids
	}
	return string(b), ids
}
