package http

import (
	"net/http"

	chime "github.com/chimed/chimed"
)

type userErrorsOutput struct {
	UserErrors []wireUserError `json:"UserErrors"`
}

func (s *Server) userResult(c *call, status int, u *chime.User, err error) {
	if err != nil {
		s.writeError(c, err)
		return
	}
	buf := s.buffer()
	defer s.release(buf)
	b := append((*buf)[:0], `{"User":`...)
	b = append(appendUser(b, u, true), '}')
	*buf = b
	s.writeBody(c, status, b)
}

func (s *Server) userErrorsResult(c *call, errs []chime.UserError, err error) {
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, userErrorsOutput{UserErrors: toWireUserErrors(errs)})
}

// alexaInput is the AlexaForBusinessMetadata member of update requests.
type alexaInput struct {
	IsAlexaForBusinessEnabled *bool   `json:"IsAlexaForBusinessEnabled"`
	AlexaForBusinessRoomArn   *string `json:"AlexaForBusinessRoomArn"`
}

func (a *alexaInput) patch() *chime.AlexaPatch {
	if a == nil {
		return nil
	}
	return &chime.AlexaPatch{Enabled: a.IsAlexaForBusinessEnabled, RoomARN: a.AlexaForBusinessRoomArn}
}

type updateUserInput struct {
	UserID                   *string     `json:"UserId"`
	LicenseType              *string     `json:"LicenseType"`
	UserType                 *string     `json:"UserType"`
	AlexaForBusinessMetadata *alexaInput `json:"AlexaForBusinessMetadata"`
}

func (in updateUserInput) patch() chime.UserPatch {
	p := chime.UserPatch{LicenseType: in.LicenseType, UserType: in.UserType, Alexa: in.AlexaForBusinessMetadata.patch()}
	if in.UserID != nil {
		p.UserID = *in.UserID
	}
	return p
}

func (s *Server) createUser(c *call) {
	var in struct {
		Username *string `json:"Username"`
		Email    *string `json:"Email"`
		UserType *string `json:"UserType"`
	}
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	u, err := s.svc.CreateUser(c.r.Context(), c.id.AwsAccountID, c.label(0),
		chime.CreateUserInput{Username: in.Username, Email: in.Email, UserType: in.UserType})
	s.userResult(c, http.StatusCreated, u, err)
}

func (s *Server) getUser(c *call) {
	u, err := s.svc.GetUser(c.r.Context(), c.id.AwsAccountID, c.label(0), c.label(1))
	s.userResult(c, http.StatusOK, u, err)
}

func (s *Server) listUsers(c *call) {
	max, err := queryInt("max-results", c.q("max-results"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	list, next, err := s.svc.ListUsers(c.r.Context(), c.id.AwsAccountID, c.label(0), chime.ListUsersInput{
		UserEmail: c.q("user-email"), UserType: c.q("user-type"), MaxResults: max, NextToken: c.q("next-token")})
	if err != nil {
		s.writeError(c, err)
		return
	}
	buf := s.buffer()
	defer s.release(buf)
	b := append((*buf)[:0], `{"Users":[`...)
	for i, u := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendUser(b, u, false) // lists show no PIN (D11)
	}
	b = append(b, ']')
	if next != "" {
		b = append(b, `,"NextToken":`...)
		b = appendJSONString(b, next)
	}
	b = append(b, '}')
	*buf = b
	s.writeBody(c, http.StatusOK, b)
}

func (s *Server) updateUser(c *call) {
	var in updateUserInput
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	in.UserID = nil // the user comes from the path
	u, err := s.svc.UpdateUser(c.r.Context(), c.id.AwsAccountID, c.label(0), c.label(1), in.patch())
	s.userResult(c, http.StatusOK, u, err)
}

func (s *Server) batchUpdateUser(c *call) {
	var in struct {
		UpdateUserRequestItems []updateUserInput `json:"UpdateUserRequestItems"`
	}
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	var items []chime.UserPatch
	if in.UpdateUserRequestItems != nil {
		items = make([]chime.UserPatch, len(in.UpdateUserRequestItems))
		for i, it := range in.UpdateUserRequestItems {
			if it.UserID == nil {
				s.writeError(c, chime.Invalid("UpdateUserRequestItems.UserId is required"))
				return
			}
			items[i] = it.patch()
		}
	}
	errs, err := s.svc.BatchUpdateUser(c.r.Context(), c.id.AwsAccountID, c.label(0), items)
	s.userErrorsResult(c, errs, err)
}

func (s *Server) batchSuspendUser(c *call) {
	var in struct {
		UserIDList []string `json:"UserIdList"`
	}
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	errs, err := s.svc.BatchSuspendUser(c.r.Context(), c.id.AwsAccountID, c.label(0), in.UserIDList)
	s.userErrorsResult(c, errs, err)
}

func (s *Server) batchUnsuspendUser(c *call) {
	var in struct {
		UserIDList []string `json:"UserIdList"`
	}
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	errs, err := s.svc.BatchUnsuspendUser(c.r.Context(), c.id.AwsAccountID, c.label(0), in.UserIDList)
	s.userErrorsResult(c, errs, err)
}

func (s *Server) inviteUsers(c *call) {
	var in struct {
		UserEmailList []string `json:"UserEmailList"`
		UserType      *string  `json:"UserType"`
	}
	if err := decode(c.body, &in); err != nil {
		s.writeError(c, err)
		return
	}
	invites, err := s.svc.InviteUsers(c.r.Context(), c.id.AwsAccountID, c.label(0), in.UserEmailList, in.UserType)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := struct {
		Invites []wireInvite `json:"Invites"`
	}{Invites: make([]wireInvite, len(invites))}
	for i, inv := range invites {
		out.Invites[i] = wireInvite{InviteID: inv.ID, Status: string(inv.Status), EmailAddress: inv.Email,
			EmailStatus: string(inv.EmailStatus)}
	}
	s.writeJSON(c, http.StatusCreated, out)
}

func (s *Server) logoutUser(c *call) {
	err := s.svc.LogoutUser(c.r.Context(), c.id.AwsAccountID, c.label(0), c.label(1))
	s.respond(c, http.StatusNoContent, nil, err)
}

func (s *Server) resetPersonalPIN(c *call) {
	u, err := s.svc.ResetPersonalPIN(c.r.Context(), c.id.AwsAccountID, c.label(0), c.label(1))
	s.userResult(c, http.StatusOK, u, err)
}
