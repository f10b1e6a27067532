package http

import (
	"net/http"

	chime "github.com/chimed/chimed"
)

// Control endpoints under /_chimed/ (docs/behavior.md §9.2): not part of the AWS API.

// ready answers 200 when the store is usable: it answers a query reading every table, and no request met a
// corrupt page (since the start) or a storage failure (in the last minute) — see sqlstore's Ping. The reason
// goes to the log, not to the unauthenticated caller.
func (s *Server) ready(c *call) {
	if err := s.svc.Store().Ping(c.ctx); err != nil {
		s.logger.Warn("not ready", "error", err)
		s.writeError(c, chime.Errorf(chime.EUNAVAILABLE, "The store is unreachable or damaged (the server log says why)"))
		return
	}
	s.writeJSON(c, http.StatusOK, map[string]string{"status": "ready"})
}

// bodyString reads the optional string member name of a control endpoint's JSON body (exact name).
func bodyString(c *call, name string) (*string, error) {
	obj, err := parseBody(c.body)
	if err != nil {
		return nil, err
	}
	raw, ok := obj[name]
	if !ok {
		return nil, nil
	}
	return decodeString(raw, name)
}

func (s *Server) setAccountType(c *call) {
	typ, err := bodyString(c, "AccountType")
	if err != nil {
		s.writeError(c, err)
		return
	}
	a, err := s.svc.SetAccountType(c.ctx, c.id.AwsAccountID, c.label(0), typ)
	if err != nil {
		s.writeError(c, err)
		return
	}
	buf := s.buffer()
	out := GetAccountResponse{Account: accountOut(a)}
	*buf = appendGetAccountResponse((*buf)[:0], &out)
	s.writeBody(c, http.StatusOK, *buf)
	s.release(buf)
}

func (s *Server) registerUser(c *call) {
	name, err := bodyString(c, "DisplayName")
	if err != nil {
		s.writeError(c, err)
		return
	}
	u, err := s.svc.RegisterUser(c.ctx, c.id.AwsAccountID, c.label(0), c.label(1), name)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeUser(c, http.StatusOK, u)
}

// writeUser answers {"User": …} with u's PIN (the session check and the register endpoint).
func (s *Server) writeUser(c *call, status int, u *chime.User) {
	buf := s.buffer()
	out := GetUserResponse{User: userOut(u)}
	*buf = appendGetUserResponse((*buf)[:0], &out)
	s.writeBody(c, status, *buf)
	s.release(buf)
}

func (s *Server) reset(c *call) {
	err := s.svc.ResetTenant(c.ctx, c.id.AwsAccountID)
	s.respond(c, http.StatusNoContent, nil, err)
}
