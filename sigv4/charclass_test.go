package sigv4

import (
	"strings"
	"testing"
)

// TestCharacterClasses compares each constant byte set with the definition it replaces, for every byte.
func TestCharacterClasses(t *testing.T) {
	for i := 0; i < 256; i++ {
		c := byte(i)
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		for _, k := range []struct {
			name   string
			lo, hi uint64
			want   bool
		}{
			{"scope", scopeLo, scopeHi, c > ' ' && c < 0x7f && strings.IndexByte(`,/;="\`, c) < 0},
			{"token", tokenLo, tokenHi, alnum || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0},
			{"unreserved", unreservedLo, unreservedHi, alnum || strings.IndexByte("-._~", c) >= 0},
			{"header key", headerKeyLo, headerKeyHi, c > ' ' && c <= '~' && strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) < 0},
		} {
			if got := inSet(c, k.lo, k.hi); got != k.want {
				t.Errorf("%s set, byte %#x: %v, want %v", k.name, c, got, k.want)
			}
		}
	}
}

// TestSignatureHex puts every byte into a signature of valid digits: accepted (and lowered) exactly for the
// hexadecimal digits of either case.
func TestSignatureHex(t *testing.T) {
	const base = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for i := 0; i < 256; i++ {
		c := byte(i)
		for _, at := range []int{0, 31, 63} {
			sig := base[:at] + string([]byte{c}) + base[at+1:]
			got, ok := signatureHex(sig)
			hex := strings.IndexByte("0123456789abcdefABCDEF", c) >= 0
			if ok != hex || ok && got != strings.ToLower(sig) {
				t.Errorf("byte %#x at %d: %q %v", c, at, got, ok)
			}
		}
	}
}
