package sqlstore

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	chime "github.com/chimed/chimed"
)

// A PostgreSQL store meets an unavailable database when its server dies, restarts or fails over: connections
// break mid-statement, new ones are refused, and with target_session_attrs=read-write a promoted standby is only
// accepted once it has left recovery. The pool drops broken connections by itself (pgconn closes a connection
// whose socket failed, pgxpool destroys it when it is released and pings one idle for more than a second before
// handing it out), so the next transaction gets a connection to whichever server now accepts writes. What the
// store adds is the classification: such a failure reaches the caller as chime.EUNAVAILABLE (503
// ServiceUnavailableException, which SDKs retry) rather than an internal failure, with the database's error
// kept for the log.

// msgUnavailable is what the caller of a request that met an unavailable database is told.
const msgUnavailable = "The database is unavailable (failing over or restarting); retry later"

// unavailableError is a store error meaning the database cannot be reached or does not accept writes now. It
// unwraps to the database's error and, for errors.As, is a *chime.Error of code EUNAVAILABLE.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// As makes chime.ErrorCode and chime.ErrorMessage see an EUNAVAILABLE error.
func (e *unavailableError) As(target any) bool {
	if p, ok := target.(**chime.Error); ok {
		*p = chime.Errorf(chime.EUNAVAILABLE, msgUnavailable)
		return true
	}
	return false
}

// markUnavailable returns err wrapped in an unavailableError when the dialect says it means an unavailable
// database, else err unchanged.
func (d *dialect) markUnavailable(err error) error {
	var ue *unavailableError
	if err == nil || d.unavailable == nil || errors.As(err, &ue) || !d.unavailable(err) {
		return err
	}
	var ce *chime.Error
	if errors.As(err, &ce) { // a domain error stays what it is
		return err
	}
	return &unavailableError{err}
}

// pgUnavailable reports whether err means that no PostgreSQL server accepting writes is reachable now: a
// connection that could not be made (every host refused, or none is read-write), a connection that broke
// (EOF, reset, closed, a network error), the server shutting down, crashing or starting (SQLSTATE 57P01,
// 57P02, 57P03), a connection exception (class 08), a connection slot refused (53300), or a read-only
// transaction's refusal to write (25006: the server is a standby).
func pgUnavailable(err error) bool {
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), pgconn.SafeToRetry(err),
		errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, driver.ErrBadConn):
		return true
	}
	switch code := pgCode(err); {
	case strings.HasPrefix(code, "08"), code == "57P01", code == "57P02", code == "57P03", code == "53300",
		code == "25006":
		return true
	}
	return false
}
