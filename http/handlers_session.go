package http

import (
	"net/http"
	"strings"

	chime "github.com/chimed/chimed"
)

// GET /_chimed/session (public: the bearer token is the credential) and GET /_chimed/outbox (SigV4, scoped
// to the caller's AWS account), docs/behavior.md §9.3.

// bearer returns the session token of a request: `Authorization: Bearer TOKEN`, else the session cookie.
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		if scheme, tok, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	if ck, err := r.Cookie(SessionCookie); err == nil {
		return ck.Value
	}
	return ""
}

// session answers 200 {"User": …} for a valid session, else 401 UnauthorizedClientException.
func (s *Server) session(c *call) {
	c.w.Header().Set("Cache-Control", "no-store")
	u, err := s.svc.SessionUser(c.ctx, bearer(c.r))
	if chime.ErrorCode(err) == chime.EUNAUTHORIZED {
		c.w.Header().Set("WWW-Authenticate", `Bearer realm="chimed"`)
	}
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeUser(c, http.StatusOK, u)
}

type wireOutboxMessage struct {
	To          string  `json:"To"`
	Subject     string  `json:"Subject"`
	Link        string  `json:"Link"`
	EmailStatus string  `json:"EmailStatus"`
	CreatedOn   isoTime `json:"CreatedOn"`
}

type outboxOutput struct {
	Messages []wireOutboxMessage `json:"Messages"`
}

// outbox answers the caller's latest messages, oldest first.
func (s *Server) outbox(c *call) {
	c.w.Header().Set("Cache-Control", "no-store")
	list, err := s.svc.Outbox(c.ctx, c.id.AwsAccountID)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := outboxOutput{Messages: make([]wireOutboxMessage, len(list))}
	for i, m := range list {
		out.Messages[i] = wireOutboxMessage{To: m.To, Subject: m.Subject, Link: m.Link,
			EmailStatus: string(m.EmailStatus), CreatedOn: isoTime(m.CreatedAt)}
	}
	s.writeJSON(c, http.StatusOK, out)
}
