package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"net/textproto"
	"runtime"
	"runtime/debug"
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

// TestMatchesFastReusesItsBuffer: the pooled buffer goes back whole, so a steady stream of requests verifies
// without allocating (it once went back as its tail, shrinking until append reallocated every few requests).
func TestMatchesFastReusesItsBuffer(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector empties sync.Pool at random")
	}
	r, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/accounts/a/users/u?x=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Amz-Date", "20261202T010203Z")
	a := &Authorization{Date: "20261202", Region: "us-east-1", Service: "chime",
		SignedHeaders: []string{"host", "x-amz-date"}}
	key := make([]byte, 32)
	want := make([]byte, 32)
	matchesFast(key, r, a, emptyHash, "/accounts/a/users/u", "20261202T010203Z", want) // fills the pool
	// testing.AllocsPerRun rounds down (one allocation every third call reads as 0): count them all.
	defer debug.SetGCPercent(debug.SetGCPercent(-1)) // no GC emptying the pool meanwhile
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 2000 {
		matchesFast(key, r, a, emptyHash, "/accounts/a/users/u", "20261202T010203Z", want)
	}
	runtime.ReadMemStats(&after)
	if n := after.Mallocs - before.Mallocs; n > 20 {
		t.Fatalf("2000 calls of matchesFast allocated %d times", n)
	}
}
