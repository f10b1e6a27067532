package http

import (
	"net/http"

	chime "github.com/chimed/chimed"
)

// The server clock's control endpoints (docs/behavior.md §9.5, D19): GET /_chimed/clock shows it, PUT moves it
// forward when the server runs with --allow-clock-control (else 403 ForbiddenException).

// clockBody is the shape of both answers.
type clockBody struct {
	Now           isoTime `json:"Now"`
	OffsetSeconds int64   `json:"OffsetSeconds"`
}

func clockOut(st chime.ClockState) clockBody {
	return clockBody{Now: isoTime(st.Now), OffsetSeconds: int64(st.Offset.Seconds())}
}

func (s *Server) getClock(c *call) {
	st, err := s.svc.Clock(c.ctx)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, clockOut(st))
}

func (s *Server) putClock(c *call) {
	if !s.allowClock {
		s.writeError(c, chime.Errorf(chime.EFORBIDDEN,
			"The server clock can be changed only when chimed runs with --allow-clock-control"))
		return
	}
	obj, err := parseBody(c.body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	var seconds *int64
	if raw, ok := obj["OffsetSeconds"]; ok {
		if seconds, err = decodeInteger(raw, "OffsetSeconds"); err != nil {
			s.writeError(c, err)
			return
		}
	}
	st, err := s.svc.SetClockOffset(c.ctx, seconds)
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeJSON(c, http.StatusOK, clockOut(st))
}
