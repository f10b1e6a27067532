package chime

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Model patterns. Smithy patterns are unanchored searches, so MatchString is the right test.
var (
	emailPattern = regexp.MustCompile(`.+@.+\..+`)
)

// Limits from the model (and chimed's own bounds where the model has none).
const (
	MaxNameLen         = 100 // AccountName
	MaxUserIDList      = 50  // UserIdList, UserEmailList
	MaxUpdateItems     = 20  // UpdateUserRequestItemList
	MaxResultsLimit    = 200 // ProfileServiceMaxResults
	DefaultMaxResults  = 100
	MaxTextLen         = 4096 // chimed bound for unconstrained strings (Username, ARNs, ids)
	maxEmailCodePoints = 320
)

// EmailKey is the case-insensitive identity of an email address: unique per AWS account, used by filters.
func EmailKey(email string) string { return strings.ToLower(email) }

// checkText rejects strings no store can hold faithfully: invalid UTF-8, NUL, or longer than max code points.
func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) {
		return Invalid("%s is not valid UTF-8", field)
	}
	if strings.IndexByte(v, 0) >= 0 {
		return Invalid("%s must not contain NUL characters", field)
	}
	if utf8.RuneCountInString(v) > max {
		return Invalid("%s must be at most %d characters", field, max)
	}
	return nil
}

// ValidateID checks an identifier taken from a path label or a request member (NonEmptyString).
func ValidateID(field, v string) error {
	if err := checkText(field, v, MaxTextLen); err != nil {
		return err
	}
	if !hasNonSpace(v) {
		return Invalid("%s must not be empty", field)
	}
	return nil
}

// hasNonSpace is the model pattern `.*\S.*` (an unanchored search) without a regexp: it matches exactly when
// some character is not RE2's \s ([\t\n\f\r ]). It runs on every path label of every request.
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

// validateAccountName checks an AccountName: 1..100 code points containing a non-whitespace character.
func validateAccountName(field, v string) error {
	if err := checkText(field, v, MaxNameLen); err != nil {
		return err
	}
	if v == "" || !hasNonSpace(v) {
		return Invalid("%s must be 1-%d characters and not blank", field, MaxNameLen)
	}
	return nil
}

// validateEmail checks an EmailAddress (`.+@.+\..+`).
func validateEmail(field, v string) error {
	if err := checkText(field, v, maxEmailCodePoints); err != nil {
		return err
	}
	if !emailPattern.MatchString(v) {
		return Invalid("%s is not a valid email address", field)
	}
	return nil
}

func validateLicense(field, v string) (License, error) {
	switch l := License(v); l {
	case LicenseBasic, LicensePlus, LicensePro, LicenseProTrial:
		return l, nil
	}
	return "", Invalid("%s must be one of Basic, Plus, Pro, ProTrial", field)
}

func validateUserType(field, v string) (UserType, error) {
	switch t := UserType(v); t {
	case UserPrivate, UserSharedDevice:
		return t, nil
	}
	return "", Invalid("%s must be one of PrivateUser, SharedDevice", field)
}

// ValidateAccountType parses an AccountType.
func ValidateAccountType(field, v string) (AccountType, error) {
	for _, t := range AccountTypes {
		if string(t) == v {
			return t, nil
		}
	}
	return "", Invalid("%s must be one of Team, EnterpriseDirectory, EnterpriseLWA, EnterpriseOIDC", field)
}

func validateMaxResults(v *int) (int, error) {
	if v == nil {
		return DefaultMaxResults, nil
	}
	if *v < 1 || *v > MaxResultsLimit {
		return 0, Invalid("max-results must be between 1 and %d", MaxResultsLimit)
	}
	return *v, nil
}
