package http

import (
	"net/http"
	"time"

	chime "github.com/chimed/chimed"
)

// exception is how one domain error code appears on the wire.
type exception struct {
	Name   string // x-amzn-ErrorType
	Status int
}

// exceptionFor is the one table from domain error code to (exception name, HTTP status); the body's "Code" is
// the domain code itself (it is the model's ErrorCode value). A test fails when a domain code has no entry.
func exceptionFor(code string) (exception, bool) {
	switch code {
	case chime.EINVALID:
		return exception{"BadRequestException", http.StatusBadRequest}, true
	case chime.EUNAUTHORIZED:
		return exception{"UnauthorizedClientException", http.StatusUnauthorized}, true
	case chime.EFORBIDDEN:
		return exception{"ForbiddenException", http.StatusForbidden}, true
	case chime.ENOTFOUND:
		return exception{"NotFoundException", http.StatusNotFound}, true
	case chime.ECONFLICT:
		return exception{"ConflictException", http.StatusConflict}, true
	case chime.EUNPROCESSABLE:
		return exception{"UnprocessableEntityException", http.StatusUnprocessableEntity}, true
	case chime.ETHROTTLED:
		return exception{"ThrottledClientException", http.StatusTooManyRequests}, true
	case chime.EINTERNAL:
		return exception{"ServiceFailureException", http.StatusInternalServerError}, true
	case chime.EUNAVAILABLE:
		return exception{"ServiceUnavailableException", http.StatusServiceUnavailable}, true
	}
	return exception{}, false
}

// Front-end errors (not modeled; body {"message": …}, spec §6.4 and D18).
const (
	excUnknownOperation = "UnknownOperationException"
)

// writeError answers err as an AWS rest-json error. Internal failures are logged and answered as
// ServiceFailureException with a message that leaks nothing.
func (s *Server) writeError(c *call, err error) {
	if c.html {
		s.writeHTMLError(c, err)
		return
	}
	code := chime.ErrorCode(err)
	exc, ok := exceptionFor(code)
	if !ok {
		code, exc = chime.EINTERNAL, exception{"ServiceFailureException", http.StatusInternalServerError}
	}
	if code == chime.EINTERNAL {
		s.logger.ErrorContext(c.r.Context(), "internal failure", "request_id", c.reqID, "operation", c.op, "error", err)
	}
	c.w.Header().Set("x-amzn-ErrorType", exc.Name)
	setDate(c)
	s.writeJSON(c, exc.Status, errorBody{Code: code, Message: chime.ErrorMessage(err)})
}

// writeFrontError answers a front-end error: its own type name and a lowercase "message".
func (s *Server) writeFrontError(c *call, status int, name, message string) {
	c.w.Header().Set("x-amzn-ErrorType", name)
	setDate(c)
	s.writeJSON(c, status, frontErrorBody{Message: message})
}

type errorBody struct {
	Code    string `json:"Code"`
	Message string `json:"Message"`
}

type frontErrorBody struct {
	Message string `json:"message"`
}

// setDate sets the Date header on an error answer explicitly: aws-sdk-go-v2 corrects its clock from it after
// InvalidSignatureException (net/http would add one too, but error answers must not depend on that).
func setDate(c *call) {
	c.w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
}
