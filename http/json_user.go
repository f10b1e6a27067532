package http

import (
	"time"
	"unicode/utf8"

	chime "github.com/chimed/chimed"
)

// A hand-written encoder for the User shape, the answer of the hottest operations (GetUser, ListUsers): it
// appends to one buffer without reflection. Its output is byte-for-byte what encoding/json produces for
// wireUser (a test and a fuzz target compare them), so wire.go's wireUser stays the definition of the shape.

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string with encoding/json's escaping (HTML-safe, U+2028/U+2029
// escaped, invalid UTF-8 replaced by U+FFFD).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendMember appends `,"name":"value"` (without the comma for the first member), omitting an empty value
// when omitEmpty.
func appendMember(dst []byte, first *bool, name, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return dst
	}
	if !*first {
		dst = append(dst, ',')
	}
	*first = false
	dst = append(dst, '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return appendJSONString(dst, value)
}

func appendTimestamp(dst []byte, first *bool, name string, t time.Time) []byte {
	if t.IsZero() {
		return dst
	}
	if !*first {
		dst = append(dst, ',')
	}
	*first = false
	dst = append(dst, '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':', '"')
	dst = t.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000Z")
	return append(dst, '"')
}

// appendUser appends u as the User shape (what json.Marshal(toWireUser(u, withPIN)) gives).
func appendUser(dst []byte, u *chime.User, withPIN bool) []byte {
	first := true
	dst = append(dst, '{')
	dst = appendMember(dst, &first, "UserId", u.ID, false)
	dst = appendMember(dst, &first, "AccountId", u.AccountID, true)
	dst = appendMember(dst, &first, "PrimaryEmail", u.Email, true)
	dst = appendMember(dst, &first, "PrimaryProvisionedNumber", u.PhoneNumber, true)
	dst = appendMember(dst, &first, "DisplayName", u.DisplayName, true)
	dst = appendMember(dst, &first, "LicenseType", string(u.License), true)
	dst = appendMember(dst, &first, "UserType", string(u.Type), true)
	dst = appendMember(dst, &first, "UserRegistrationStatus", string(u.RegistrationStatus), true)
	dst = appendMember(dst, &first, "UserInvitationStatus", string(u.InvitationStatus), true)
	dst = appendTimestamp(dst, &first, "RegisteredOn", u.RegisteredOn)
	dst = appendTimestamp(dst, &first, "InvitedOn", u.InvitedOn)
	dst = append(dst, `,"AlexaForBusinessMetadata":{"IsAlexaForBusinessEnabled":`...)
	if u.AlexaEnabled {
		dst = append(dst, "true"...)
	} else {
		dst = append(dst, "false"...)
	}
	if u.AlexaRoomARN != "" {
		dst = append(dst, `,"AlexaForBusinessRoomArn":`...)
		dst = appendJSONString(dst, u.AlexaRoomARN)
	}
	dst = append(dst, '}')
	if withPIN {
		dst = appendMember(dst, &first, "PersonalPIN", u.PIN, true)
	}
	return append(dst, '}')
}
