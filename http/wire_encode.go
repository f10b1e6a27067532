package http

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// The scalar encoders the generated output encoders (zz_outputs.go) call. Each appends exactly what
// encoding/json writes for the same Go value with the generated struct tags, so the generated encoders are
// byte-for-byte encoding/json without its reflection (a test and a fuzz target compare them).

// isoTime is a timestamp member: ISO-8601 in UTC with milliseconds and Z, as the SDKs parse it; the zero time is
// omitted.
type isoTime time.Time

// IsZero reports whether t is the zero time (for the omitzero tag and the encoders).
func (t isoTime) IsZero() bool { return time.Time(t).IsZero() }

// MarshalJSON gives encoding/json the same text appendTimestamp writes.
func (t isoTime) MarshalJSON() ([]byte, error) { return appendTimestamp(nil, t), nil }

const timestampLayout = "2006-01-02T15:04:05.000Z"

func appendTimestamp(b []byte, t isoTime) []byte {
	u := time.Time(t).UTC()
	year, month, day := u.Date()
	if year < 0 || year > 9999 { // AppendFormat's own rendering of years outside four digits
		b = append(b, '"')
		b = u.AppendFormat(b, timestampLayout)
		return append(b, '"')
	}
	hour, minute, sec := u.Clock()
	ms := u.Nanosecond() / 1e6 // truncated, as AppendFormat's .000
	mo := int(month)
	return append(b, '"',
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+mo/10), byte('0'+mo%10), '-', byte('0'+day/10), byte('0'+day%10), 'T',
		byte('0'+hour/10), byte('0'+hour%10), ':', byte('0'+minute/10), byte('0'+minute%10), ':',
		byte('0'+sec/10), byte('0'+sec%10), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10), 'Z', '"')
}

func appendBool(b []byte, v bool) []byte { return strconv.AppendBool(b, v) }

func appendInteger(b []byte, v int64) []byte { return strconv.AppendInt(b, v, 10) }

const hexDigits = "0123456789abcdef"

// jsonPlain tells the ASCII bytes a JSON string holds as they are: printable, and none of " \ < > &. It is
// never written after initialization.
var jsonPlain = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
	}
	return t
}()

// plain8 reports whether the eight bytes of s (len(s) == 8) all pass as they are (jsonPlain): none below 0x20
// or from 0x80 up, none of " \ < > &. Each test flags a byte by its high bit; a borrow can flag a byte above
// one that is flagged already, never alone, so the answer is exact.
func plain8(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	zero := func(v uint64) uint64 { return (v - ones) &^ v }
	flags := (x - 0x20*ones) | x | zero(x^('"'*ones)) | zero(x^('\\'*ones)) | zero(x^('<'*ones)) |
		zero(x^('>'*ones)) | zero(x^('&'*ones))
	return flags&highs == 0
}

// appendJSONString appends s as a JSON string with encoding/json's escaping (HTML-safe, U+2028/U+2029
// escaped, invalid UTF-8 replaced by U+FFFD).
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && plain8(s[i:i+8]) { // most strings are plain ASCII: eight bytes at a time
			i += 8
			continue
		}
		if b := s[i]; b < utf8.RuneSelf {
			if jsonPlain[b] {
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
