package scim

import (
	"errors"
	"fmt"
	"net/http"

	chime "github.com/chimed/chimed"
)

// SCIM error keywords (RFC 7644 §3.12, table 9).
const (
	invalidFilter = "invalidFilter"
	tooMany       = "tooMany"
	uniqueness    = "uniqueness"
	mutability    = "mutability"
	invalidSyntax = "invalidSyntax"
	invalidPath   = "invalidPath"
	noTarget      = "noTarget"
	invalidValue  = "invalidValue"
)

// ErrTooLarge is the body error the wire layer hands over when a request body exceeds MaxBodyBytes (413).
var ErrTooLarge = errors.New("the request body is too large")

// Error is a SCIM error response: an HTTP status, an optional scimType keyword and a detail safe to show.
type Error struct {
	Status   int
	SCIMType string
	Detail   string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("scim %d %s: %s", e.Status, e.SCIMType, e.Detail) }

func errorf(status int, scimType, format string, args ...any) *Error {
	return &Error{Status: status, SCIMType: scimType, Detail: fmt.Sprintf(format, args...)}
}

func badRequest(scimType, format string, args ...any) *Error {
	return errorf(http.StatusBadRequest, scimType, format, args...)
}

func notFound(id string) *Error {
	return errorf(http.StatusNotFound, "", "Resource %s not found", id)
}

// errorBody is the JSON of an error response (RFC 7644 §3.12): status is a string.
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	SCIMType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// fromChime maps a domain error of a Service method to a SCIM error; scimType is the keyword of a refused
// request (400). Errors that are not the caller's fault become 500 (the detail stays generic).
func fromChime(err error, scimType string) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	var ce *chime.Error
	if !errors.As(err, &ce) {
		return errorf(http.StatusInternalServerError, "", "Internal service failure")
	}
	msg := chime.ErrorMessage(err)
	switch ce.Code {
	case chime.EINVALID, chime.EASSOCIATED, chime.EUNPROCESSABLE:
		if scimType == "" {
			scimType = invalidValue
		}
		return badRequest(scimType, "%s", msg)
	case chime.ENOTFOUND:
		return errorf(http.StatusNotFound, "", "%s", msg)
	case chime.ECONFLICT:
		return errorf(http.StatusConflict, uniqueness, "%s", msg)
	case chime.ETHROTTLED:
		return errorf(http.StatusTooManyRequests, "", "%s", msg)
	case chime.EUNAUTHORIZED:
		return errorf(http.StatusUnauthorized, "", "%s", msg)
	case chime.EFORBIDDEN, chime.EACCESSDENIED:
		return errorf(http.StatusForbidden, "", "%s", msg)
	case chime.ELIMIT:
		return badRequest(tooMany, "%s", msg)
	case chime.EUNAVAILABLE:
		return errorf(http.StatusServiceUnavailable, "", "%s", msg)
	}
	return errorf(http.StatusInternalServerError, "", "Internal service failure")
}

// userErrors turns the per-item errors of a batch method about one user into an error (nil when none).
func userErrors(errs []chime.UserError) error {
	for _, e := range errs {
		return &chime.Error{Code: e.Code, Message: e.Message}
	}
	return nil
}
