package http

import (
	"net/http"

	chime "github.com/chimed/chimed"
)

type accountOutput struct {
	Account wireAccount `json:"Account"`
}

func (s *Server) accountResult(c *call, status int, a *chime.Account, err error) {
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeJSON(c, status, accountOutput{Account: toWireAccount(a)})
}

func (s *Server) createAccount(c *call) {
	var in struct {
		Name *string `json:"Name"`
	}
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	a, err := s.svc.CreateAccount(c.r.Context(), c.id.AwsAccountID, in.Name)
	s.accountResult(c, http.StatusCreated, a, err)
}

func (s *Server) getAccount(c *call) {
	a, err := s.svc.GetAccount(c.r.Context(), c.id.AwsAccountID, c.label(0))
	s.accountResult(c, http.StatusOK, a, err)
}

func (s *Server) listAccounts(c *call) {
	max, err := queryInt("max-results", c.q("max-results"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	list, next, err := s.svc.ListAccounts(c.r.Context(), c.id.AwsAccountID, chime.ListAccountsInput{
		Name: c.q("name"), UserEmail: c.q("user-email"), MaxResults: max, NextToken: c.q("next-token")})
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := struct {
		Accounts  []wireAccount `json:"Accounts"`
		NextToken string        `json:"NextToken,omitempty"`
	}{Accounts: make([]wireAccount, len(list)), NextToken: next}
	for i, a := range list {
		out.Accounts[i] = toWireAccount(a)
	}
	s.writeJSON(c, http.StatusOK, out)
}

func (s *Server) updateAccount(c *call) {
	var in struct {
		Name           *string `json:"Name"`
		DefaultLicense *string `json:"DefaultLicense"`
	}
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	a, err := s.svc.UpdateAccount(c.r.Context(), c.id.AwsAccountID, c.label(0), in.Name, in.DefaultLicense)
	s.accountResult(c, http.StatusOK, a, err)
}

func (s *Server) deleteAccount(c *call) {
	err := s.svc.DeleteAccount(c.r.Context(), c.id.AwsAccountID, c.label(0))
	s.respond(c, http.StatusNoContent, nil, err)
}

func (s *Server) getAccountSettings(c *call) {
	st, err := s.svc.GetAccountSettings(c.r.Context(), c.id.AwsAccountID, c.label(0))
	out := struct {
		AccountSettings wireAccountSettings `json:"AccountSettings"`
	}{wireAccountSettings{DisableRemoteControl: st.DisableRemoteControl, EnableDialOut: st.EnableDialOut}}
	s.respond(c, http.StatusOK, out, err)
}

func (s *Server) updateAccountSettings(c *call) {
	var in struct {
		AccountSettings *struct {
			DisableRemoteControl *bool `json:"DisableRemoteControl"`
			EnableDialOut        *bool `json:"EnableDialOut"`
		} `json:"AccountSettings"`
	}
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	var patch *chime.AccountSettingsPatch
	if in.AccountSettings != nil {
		patch = &chime.AccountSettingsPatch{DisableRemoteControl: in.AccountSettings.DisableRemoteControl,
			EnableDialOut: in.AccountSettings.EnableDialOut}
	}
	err := s.svc.UpdateAccountSettings(c.r.Context(), c.id.AwsAccountID, c.label(0), patch)
	s.respond(c, http.StatusNoContent, nil, err)
}
