package chime

import (
	"regexp"
	"testing"
)

// TestHasNonSpaceMatchesTheModelPattern checks the hand-written test against the model's regexp.
func TestHasNonSpaceMatchesTheModelPattern(t *testing.T) {
	re := regexp.MustCompile(`.*\S.*`)
	cases := []string{"", " ", "\t\n\f\r ", "\v", "a", " a ", "\u00a0", "\n\nx\n", "é", "\x00", " \t\u3000"}
	for _, c := range cases {
		if got, want := hasNonSpace(c), re.MatchString(c); got != want {
			t.Errorf("%q: hasNonSpace = %v, regexp = %v", c, got, want)
		}
	}
}

func FuzzHasNonSpace(f *testing.F) {
	re := regexp.MustCompile(`.*\S.*`)
	for _, s := range []string{"", " ", "\v", "a b", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasNonSpace(s), re.MatchString(s); got != want {
			t.Fatalf("%q: hasNonSpace = %v, regexp = %v", s, got, want)
		}
	})
}
