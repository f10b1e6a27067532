package chime

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// The domain's own input rules. The model's constraints (lengths, patterns, enums, ranges) are checked by the
// wire layer, which is generated from the model; what is here holds for every caller: text a store can keep
// faithfully, identifiers that are not blank, values the domain knows, pages of bounded size.

// Limits of the domain (chimed's own bounds, not the model's).
const (
	DefaultMaxResults = 100  // page size when the caller names none (docs/behavior.md D7)
	MaxPageSize       = 1000 // the largest page the store is asked for
	MaxTextLen        = 4096 // longest text the domain stores, in code points
	MaxBatch          = 1000 // most items one batch call may carry
	maxEmailLen       = 320  // longest address the sign-in form accepts
	maxTokenLen       = 256  // longest page token
	MaxDisplayNameLen = 100  // longest display name given on accepting an invitation
)

// signInEmailPattern is the address syntax of the sign-in form (the model's EmailAddress pattern; the form is
// not an API operation, so the wire layer does not check it).
var signInEmailPattern = regexp.MustCompile(`.+@.+\..+`)

// EmailKey is the identity of an email address (docs/behavior.md D10): the full Unicode case folding of its NFC
// form, the same as Python's unicodedata.normalize("NFC", email).casefold(). So the NFC and NFD forms of an
// address, and STRASSE and straße, are one address. It is unique per AWS account and used by filters; the
// address itself is kept as first supplied. An ASCII address's key is its lower case. Changing this function
// changes stored keys: the store recomputes them in a migration (sqlstore/emailkey.go).
func EmailKey(email string) string {
	if isASCII(email) {
		return strings.ToLower(email) // NFC and case folding of ASCII
	}
	// A Caser keeps state: one per call.
	return strings.Map(cherokeeUpper, cases.Fold().String(norm.NFC.String(email)))
}

// cherokeeUpper corrects x/text's case folding of Cherokee, which swaps the cases (golang/go#46101): Unicode
// folds both cases of a Cherokee letter to the upper case (CaseFolding.txt: AB70..ABBF → 13A0..13EF,
// 13F8..13FD → 13F0..13F5), since the lower case letters came later (Unicode 8) and folding is stable.
func cherokeeUpper(r rune) rune {
	switch {
	case r >= 0xAB70 && r <= 0xABBF:
		return r - 0xAB70 + 0x13A0
	case r >= 0x13F8 && r <= 0x13FD:
		return r - 8
	}
	return r
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// checkText rejects strings no store can hold faithfully: invalid UTF-8, NUL, or longer than max code points.
func checkText(field Field, v string, max int) error {
	if !utf8.ValidString(v) {
		return InvalidField(field, "is not valid UTF-8")
	}
	if strings.IndexByte(v, 0) >= 0 {
		return InvalidField(field, "must not contain NUL characters")
	}
	if utf8.RuneCountInString(v) > max {
		return InvalidField(field, "must be at most %d characters", max)
	}
	return nil
}

// requireName checks a required name of at most max characters with a non-blank one (rooms, bots, webhooks).
// Errors: EINVALID about field when it is missing, blank, unstorable or too long.
func requireName(field Field, v *string, max int) error {
	if v == nil {
		return InvalidField(field, "is required")
	}
	if err := requireText(field, *v); err != nil {
		return err
	}
	if utf8.RuneCountInString(*v) > max {
		return InvalidField(field, "must be at most %d characters", max)
	}
	return nil
}

// ValidateID checks an identifier: storable text with a non-blank character. Errors: EINVALID about field.
func ValidateID(field Field, v string) error { return requireText(field, v) }

// requireText checks a name, an address or an identifier the domain stores: storable text (checkText) with a
// non-blank character. The API's syntax of each is the model's, checked by the wire layer.
func requireText(field Field, v string) error {
	if err := checkText(field, v, MaxTextLen); err != nil {
		return err
	}
	if !hasNonSpace(v) {
		return InvalidField(field, "must not be blank")
	}
	return nil
}

// IsBlank reports whether v has no character but ASCII white space ([\t\n\f\r ], RE2's \s): the negation of
// the model's NonEmptyString pattern `.*\S.*`.
func IsBlank(v string) bool { return !hasNonSpace(v) }

// hasNonSpace reports whether some character of v is not ASCII white space ([\t\n\f\r ]).
func hasNonSpace(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\t', '\n', '\f', '\r', ' ':
		default:
			return true
		}
	}
	return false
}

// Valid reports whether l is a license the domain knows.
func (l License) Valid() bool { return oneOf(l, Licenses) }

// Valid reports whether t is a user type the domain knows.
func (t UserType) Valid() bool { return oneOf(t, UserTypes) }

// Valid reports whether t is an account type the domain knows.
func (t AccountType) Valid() bool { return oneOf(t, AccountTypes) }

func oneOf[T comparable](v T, list []T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func validateLicense(field Field, l License) error {
	if !l.Valid() {
		return InvalidField(field, "is not a license")
	}
	return nil
}

func validateUserType(field Field, t UserType) error {
	if !t.Valid() {
		return InvalidField(field, "is not a user type")
	}
	return nil
}

// ValidateAccountType parses an AccountType. Errors: EINVALID.
func ValidateAccountType(field Field, v string) (AccountType, error) {
	if t := AccountType(v); t.Valid() {
		return t, nil
	}
	return "", InvalidField(field, "must be one of Team, EnterpriseDirectory, EnterpriseLWA, EnterpriseOIDC")
}

// pageSize resolves a requested page size: 0 is the default; the store is never asked for more than MaxPageSize.
func pageSize(n int) (int, error) {
	if n == 0 {
		return DefaultMaxResults, nil
	}
	if n < 0 || n > MaxPageSize {
		return 0, InvalidField(FieldMaxResults, "must be between 1 and %d", MaxPageSize)
	}
	return n, nil
}
