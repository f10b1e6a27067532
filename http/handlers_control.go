package http

import (
	"net/http"

	chime "github.com/chimed/chimed"
)

// Control endpoints under /_chimed/ (spec §9.2): not part of the AWS API.

func (s *Server) health(c *call) {
	s.writeJSON(c, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) ready(c *call) {
	if err := s.svc.Store().Ping(c.r.Context()); err != nil {
		s.logger.Warn("not ready", "error", err)
		s.writeError(c, chime.Errorf(chime.EUNAVAILABLE, "The store is not reachable"))
		return
	}
	s.writeJSON(c, http.StatusOK, map[string]string{"status": "ready"})
}

func (s *Server) setAccountType(c *call) {
	var in struct {
		AccountType *string `json:"AccountType"`
	}
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	a, err := s.svc.SetAccountType(c.r.Context(), c.id.AwsAccountID, c.label(0), in.AccountType)
	s.accountResult(c, http.StatusOK, a, err)
}

func (s *Server) registerUser(c *call) {
	var in struct {
		DisplayName *string `json:"DisplayName"`
	}
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	u, err := s.svc.RegisterUser(c.r.Context(), c.id.AwsAccountID, c.label(0), c.label(1), in.DisplayName)
	s.userResult(c, http.StatusOK, u, err)
}

func (s *Server) reset(c *call) {
	err := s.svc.ResetTenant(c.r.Context(), c.id.AwsAccountID)
	s.respond(c, http.StatusNoContent, nil, err)
}
