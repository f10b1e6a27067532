package sigv4_test

import (
	"math/rand/v2"
	"net/url"
	"testing"

	"github.com/chimed/chimed/sigv4"
)

// EscapedPath must answer what url.URL.EscapedPath answers, for paths made of every byte and for paths whose
// raw form differs from the escaped one (RawPath set).
func TestEscapedPathMatchesURL(t *testing.T) {
	paths := []string{"", "/", "*", "/accounts/abc-DEF_1.2~3/users/x", "/a b", "/a%2Fb", "/%41", "/a+b", "/a;b=c",
		"/@:$&,", "/é", "/a?b", "/a#b", "/%zz"}
	for c := 0; c < 256; c++ {
		paths = append(paths, "/x"+string(rune(c)), "/x"+string([]byte{byte(c)}))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abAZ09-._~/%2F+ ;=@:$&,?#é\x00\x7f"
	for range 5000 {
		b := make([]byte, 1+rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		paths = append(paths, "/"+string(b))
	}
	n := 0
	for _, p := range paths {
		for _, u := range []*url.URL{{Path: p}, parse(p)} {
			if u == nil {
				continue
			}
			n++
			if got, want := sigv4.EscapedPath(u), u.EscapedPath(); got != want {
				t.Fatalf("EscapedPath(Path %q, RawPath %q) = %q, want %q", u.Path, u.RawPath, got, want)
			}
		}
	}
	if n < 5000 {
		t.Fatalf("only %d URLs checked", n)
	}
}

// parse is the URL a server sees for a request line with path p (nil when it is not a valid request URI).
func parse(p string) *url.URL {
	u, err := url.ParseRequestURI(p)
	if err != nil {
		return nil
	}
	return u
}
