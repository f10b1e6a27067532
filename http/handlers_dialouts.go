package http

import (
	"context"
	"net/http"

	chime "github.com/chimed/chimed"
)

// CreateMeetingDialOut records a dial-out (docs/behavior.md §4.38, D40): 201 {"TransactionId"}; 403
// AccessDeniedException when the From number is not a usable number of the caller's inventory; 400
// ResourceLimitExceededException for the 251st dial-out of one meeting. The JoinToken is never logged.
func (h *handlers) CreateMeetingDialOut(ctx context.Context, id chime.Identity, in *CreateMeetingDialOutRequest) (CreateMeetingDialOutResponse, error) {
	d, err := h.svc.CreateMeetingDialOut(ctx, id.AwsAccountID, chime.DialOutInput{MeetingID: in.MeetingId,
		FromPhoneNumber: in.FromPhoneNumber, ToPhoneNumber: in.ToPhoneNumber, JoinToken: in.JoinToken})
	if err != nil {
		return CreateMeetingDialOutResponse{}, err
	}
	return CreateMeetingDialOutResponse{TransactionId: d.TransactionID}, nil
}

type wireDialOut struct {
	TransactionID    string  `json:"TransactionId"`
	MeetingID        string  `json:"MeetingId"`
	FromPhoneNumber  string  `json:"FromPhoneNumber"`
	ToPhoneNumber    string  `json:"ToPhoneNumber"`
	JoinToken        string  `json:"JoinToken"`
	CreatedTimestamp isoTime `json:"CreatedTimestamp"`
}

type dialOutsOutput struct {
	DialOuts []wireDialOut `json:"DialOuts"`
}

// dialOuts answers the caller's latest dial-outs, oldest first (§9.8), those of one meeting with
// ?meeting-id=. Like the email outbox it needs a key with write rights: it shows the meetings' join tokens.
func (s *Server) dialOuts(c *call) {
	c.w.Header().Set("Cache-Control", "no-store")
	list, err := s.svc.DialOuts(c.ctx, c.id.AwsAccountID, str(c.q("meeting-id")))
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := dialOutsOutput{DialOuts: make([]wireDialOut, len(list))}
	for i, d := range list {
		out.DialOuts[i] = wireDialOut{TransactionID: d.TransactionID, MeetingID: d.MeetingID, FromPhoneNumber: d.From,
			ToPhoneNumber: d.To, JoinToken: d.JoinToken, CreatedTimestamp: isoTime(d.CreatedAt)}
	}
	s.writeJSON(c, http.StatusOK, out)
}
