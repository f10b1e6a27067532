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
			{"header key", headerKeyLo, headerKeyHi, c > ' ' && c <= '~' && strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) < 0},
		} {
			if got := inSet(c, k.lo, k.hi); got != k.want {
				t.Errorf("%s set, byte %#x: %v, want %v", k.name, c, got, k.want)
			}
		}
	}
}
