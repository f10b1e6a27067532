package sqlstore

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	chime "github.com/chimed/chimed"
)

func TestUnavailableErrors(t *testing.T) {
	unavailable := []error{
		&pgconn.PgError{Code: "57P01"}, // terminating connection due to administrator command / postmaster exit
		&pgconn.PgError{Code: "25006"}, // read-only transaction: a standby
		&pgconn.PgError{Code: "08006"},
		fmt.Errorf("begin: %w", io.ErrUnexpectedEOF),
		fmt.Errorf("query: %w", pgconn.ErrConnClosed),
	}
	for _, err := range unavailable {
		got := postgresDialect.markUnavailable(err)
		if chime.ErrorCode(got) != chime.EUNAVAILABLE || chime.ErrorMessage(got) != msgUnavailable {
			t.Errorf("%v: code %q, message %q", err, chime.ErrorCode(got), chime.ErrorMessage(got))
		}
		if !errors.Is(got, err) || got.Error() != err.Error() {
			t.Errorf("%v: the cause is not kept: %v", err, got)
		}
		if again := postgresDialect.markUnavailable(got); again != got {
			t.Errorf("%v: wrapped twice", err)
		}
		if sqliteDialect.markUnavailable(err) != err {
			t.Errorf("%v: SQLite marked it", err)
		}
	}
	for _, err := range []error{nil, &pgconn.PgError{Code: pgUniqueViolation}, &pgconn.PgError{Code: "XX001"},
		errors.New("something else"), chime.NotFound(),
		fmt.Errorf("%w: %w", chime.Errorf(chime.ECONFLICT, "taken"), io.ErrUnexpectedEOF)} {
		if got := postgresDialect.markUnavailable(err); got != err {
			t.Errorf("%v marked unavailable", err)
		}
	}
}
