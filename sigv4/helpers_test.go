package sigv4_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

const (
	testAKID   = "AKIDCHIMEDTEST0001"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	otherAKID  = "AKIDCHIMEDTEST0002"
	otherSec   = "another/secret+key=="
)

// fixedNow is the server clock in deterministic tests.
var fixedNow = time.Date(2026, 11, 22, 6, 14, 44, 0, time.UTC)

// testSecrets knows testAKID and otherAKID.
func testSecrets(_ context.Context, id string) (string, bool, error) {
	switch id {
	case testAKID:
		return testSecret, true, nil
	case otherAKID:
		return otherSec, true, nil
	}
	return "", false, nil
}

// mustVerifier returns a Verifier whose clock is fixedNow.
func mustVerifier(tb testing.TB, o sigv4.Options) *sigv4.Verifier {
	tb.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return fixedNow }
	}
	return sigv4.New(o)
}

// reqSpec describes a request to build, sign and verify.
type reqSpec struct {
	name    string
	method  string
	target  string // escaped path and query, as on the wire
	body    string
	ctype   string
	region  string
	headers map[string]string
}

// newServerRequest builds r as the server would see it (httptest.NewRequest
// parses the target like net/http's server does). The Content-Length header,
// which net/http's server keeps, is added by mustSignGo / signed.request.
func newServerRequest(tb testing.TB, s reqSpec) *http.Request {
	tb.Helper()
	var body io.Reader
	if s.body != "" {
		body = bytes.NewReader([]byte(s.body))
	}
	r := httptest.NewRequest(s.method, "http://chime.local:8443"+s.target, body)
	if s.ctype != "" {
		r.Header.Set("Content-Type", s.ctype)
	}
	for k, v := range s.headers {
		r.Header.Set(k, v)
	}
	return r
}

// mustSignGo signs r with aws-sdk-go-v2's SigV4 signer.
func mustSignGo(tb testing.TB, r *http.Request, body []byte, akid, secret, service, region string, at time.Time) {
	tb.Helper()
	testenv.SignV4(tb, r, body, testenv.Key{ID: akid, Secret: secret}, service, region, at)
	if r.ContentLength > 0 && r.Header.Get("Content-Length") == "" {
		// What net/http's server shows the handler.
		r.Header.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
}

// wantKind fails unless err is an *sigv4.Error of kind k.
func wantKind(tb testing.TB, err error, k sigv4.Kind) *sigv4.Error {
	tb.Helper()
	var e *sigv4.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error = %v (%T), want *sigv4.Error of kind %v", err, err, k)
	}
	if e.Kind != k {
		tb.Fatalf("kind = %v (%q), want %v", e.Kind, e.Message, k)
	}
	return e
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func hmacBytes(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func hmacHex(key []byte, msg string) string { return hex.EncodeToString(hmacBytes(key, msg)) }

// signingKey is an independent implementation of the SigV4 key chain.
func signingKey(secret, date, region string) []byte {
	k := hmacBytes([]byte("AWS4"+secret), date)
	k = hmacBytes(k, region)
	k = hmacBytes(k, "chime")
	return hmacBytes(k, "aws4_request")
}

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}
