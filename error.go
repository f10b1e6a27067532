package chime

import (
	"errors"
	"fmt"
)

// Error codes. Each is also the ErrorCode enum value the wire layer sends in the body's "Code".
const (
	EINVALID       = "BadRequest"
	EUNAUTHORIZED  = "Unauthorized"
	EFORBIDDEN     = "Forbidden"
	ENOTFOUND      = "NotFound"
	ECONFLICT      = "Conflict"
	EUNPROCESSABLE = "Unprocessable"
	ETHROTTLED     = "Throttled"
	EINTERNAL      = "ServiceFailure"
	EUNAVAILABLE   = "ServiceUnavailable"
)

// ErrorCodes returns every error code the domain can produce. The wire layer must map each one.
func ErrorCodes() []string {
	return []string{EINVALID, EUNAUTHORIZED, EFORBIDDEN, ENOTFOUND, ECONFLICT, EUNPROCESSABLE, ETHROTTLED,
		EINTERNAL, EUNAVAILABLE}
}

// Messages used where the real service's wording is known.
const (
	MsgNotFound   = "Unable to find the requested identifier"
	MsgBadRequest = "Service received a bad request"
)

// Error is a domain error: a code from the list above and a message safe to show the caller.
type Error struct {
	Code    string
	Message string
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("chime error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a BadRequest error whose message starts with the real service's generic text.
func Invalid(format string, args ...any) *Error {
	return &Error{Code: EINVALID, Message: MsgBadRequest + ": " + fmt.Sprintf(format, args...)}
}

// NotFound returns the NotFound error with the real service's message.
func NotFound() *Error { return &Error{Code: ENOTFOUND, Message: MsgNotFound} }

// ErrorCode returns the code of err if it is (or wraps) an *Error, else EINTERNAL; nil gives "".
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err if it is an *Error, else a generic text that leaks no internals.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal service failure"
}
