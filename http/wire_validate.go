package http

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	chime "github.com/chimed/chimed"
)

// The checks the generated validators (zz_inputs.go) call: the model's traits, and chimed's own bounds where the
// model sets none. Every failure is 400 BadRequestException naming the wire member.

// maxUnboundedString bounds a string member the model leaves unbounded (chimed's bound: every request is
// bounded), in code points.
const maxUnboundedString = 4096

const minInteger, maxInteger = math.MinInt64, math.MaxInt64

// badRequest is a BadRequest error with a message in the wire's words.
func badRequest(format string, args ...any) error {
	return &chime.Error{Code: chime.EINVALID, Message: fmt.Sprintf(format, args...)}
}

func required(name string) error { return badRequest("%s is required", name) }

// checkString checks a string member: valid UTF-8 without NUL (no store could keep it faithfully), within the
// model's length in code points (min/max -1: none; chimed bounds unbounded strings), and for a path label not
// empty.
func checkString(name, v string, min, max int64, label bool) error {
	if !utf8.ValidString(v) {
		return badRequest("%s is not valid UTF-8", name)
	}
	if strings.IndexByte(v, 0) >= 0 {
		return badRequest("%s must not contain NUL characters", name)
	}
	if label && v == "" {
		return badRequest("%s must not be empty", name)
	}
	if max < 0 {
		max = maxUnboundedString
	}
	n := int64(len(v))
	if n > max || (min > 0 && n >= min) { // byte length bounds the code points from above
		n = int64(utf8.RuneCountInString(v))
	}
	if n > max {
		return badRequest("%s must be at most %d characters", name, max)
	}
	if min > 0 && n < min {
		return badRequest("%s must be at least %d characters", name, min)
	}
	return nil
}

func badPattern(name, pattern string) error {
	return badRequest("%s must match the pattern %s", name, pattern)
}

func badEnum(name string, values []string) error {
	return badRequest("%s must be one of %s", name, strings.Join(values, ", "))
}

func checkRange(name string, v, min, max int64) error {
	if v < min || v > max {
		return badRequest("%s must be between %d and %d", name, min, max)
	}
	return nil
}

func checkCount(name string, n int, min, max int64) error {
	if min > 0 && int64(n) < min {
		return badRequest("%s must have at least %d members", name, min)
	}
	if max >= 0 && int64(n) > max {
		return badRequest("%s must have at most %d members", name, max)
	}
	return nil
}

// hasNonSpace is the model pattern `.*\S.*` (an unanchored search) without a regexp: it matches exactly when
// some character is not RE2's \s ([\t\n\f\r ]), which is the domain's notion of a non-blank value. It runs on
// every path label of every request.
func hasNonSpace(v string) bool { return !chime.IsBlank(v) }
