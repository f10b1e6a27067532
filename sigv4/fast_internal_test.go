package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/textproto"
	"strings"
	"testing"
)

// TestHMACSumMatchesCryptoHMAC: the allocation-free HMAC is crypto/hmac's, for keys and messages of every
// length around the block size and the stack buffer (the long ones take crypto/hmac's path).
func TestHMACSumMatchesCryptoHMAC(t *testing.T) {
	for _, kl := range []int{0, 1, 32, 63, 64, 65, 100} {
		for _, ml := range []int{0, 1, 40, 255, 256, 257, 1000} {
			key := []byte(strings.Repeat("k", kl))
			msg := strings.Repeat("m", ml)
			m := hmac.New(sha256.New, key)
			m.Write([]byte(msg))
			if got := hmacSum(key, msg); !hmac.Equal(got[:], m.Sum(nil)) {
				t.Errorf("key %d bytes, message %d bytes: hmacSum differs from crypto/hmac", kl, ml)
			}
		}
	}
}

// TestCanonicalKeyMatchesTextproto: the header-name canonicalization used to look up signed headers without
// allocating agrees with net/textproto for valid and invalid names.
func TestCanonicalKeyMatchesTextproto(t *testing.T) {
	for _, name := range []string{"x-amz-date", "x-amz-content-sha256", "amz-sdk-invocation-id", "content-type",
		"a", "-", "x--y", "1abc-2def", "x_amz", "weird name", "x:y", "h\x7f", "ünï", "x-amz-déjà", "ALLCAPS", ""} {
		want := textproto.CanonicalMIMEHeaderKey(name)
		if got := string(canonicalKey(nil, name)); got != want {
			t.Errorf("canonicalKey(%q) = %q, textproto says %q", name, got, want)
		}
	}
}

// TestAppendTrimmedValue: trimming then collapsing runs of spaces is what the canonical request always did
// (collapse, then trim).
func TestAppendTrimmedValue(t *testing.T) {
	for in, want := range map[string]string{"": "", "a": "a", "  a  b  ": "a b", "\ta  \t b\t": "a \t b",
		"a   b    c": "a b c", " \t ": ""} {
		if got := string(appendTrimmedValue(nil, in)); got != want {
			t.Errorf("appendTrimmedValue(%q) = %q, want %q", in, got, want)
		}
	}
}
