package sigv4_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go/encoding/httpbinding"

	"github.com/chimed/chimed/sigv4"
)

// Seed corpora live in testdata/fuzz/<FuzzName>/ as well.

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		"",
		"AWS4-HMAC-SHA256 Credential=AKIDCHIMEDTEST0001/20261122/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + goodSig,
		"AWS4-HMAC-SHA256 Credential=A/20261122/eu-west-1/chime/aws4_request,SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date,Signature=" + goodSig,
		"AWS4-HMAC-SHA256 Credential=A/20261131/x/y/aws4_request, SignedHeaders=;, Signature=zz",
		"AWS4-HMAC-SHA256 ,,,===",
		"AWS4-HMAC-SHA256 Credential=////, SignedHeaders=host, Signature=" + goodSig,
		"Basic Zm9vOmJhcg==",
	} {
		f.Add(s)
	}
	v := sigv4.New(sigv4.Options{Now: func() time.Time { return fixedNow }})
	f.Fuzz(func(t *testing.T, h string) {
		a, err := sigv4.ParseAuthorization(h)
		if err != nil {
			var e *sigv4.Error
			if !errors.As(err, &e) || (e.Kind != sigv4.MissingAuthenticationToken && e.Kind != sigv4.IncompleteSignature) || e.Message == "" {
				t.Fatalf("unexpected error %#v", err)
			}
		} else {
			if len(a.Signature) != 64 || strings.ToLower(a.Signature) != a.Signature || a.AccessKeyID == "" ||
				len(a.Date) != 8 || a.Region == "" || a.Service == "" || len(a.SignedHeaders) == 0 {
				t.Fatalf("invalid result %+v", a)
			}
			for _, n := range a.SignedHeaders {
				if n == "" || strings.ToLower(n) != n || strings.ContainsAny(n, " ;,:\t") {
					t.Fatalf("bad signed header %q", n)
				}
			}
			// Re-serializing yields the same parse.
			again := "AWS4-HMAC-SHA256 Credential=" + a.AccessKeyID + "/" + a.Scope() +
				", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature
			b, err := sigv4.ParseAuthorization(again)
			if err != nil || !reflect.DeepEqual(a, b) {
				t.Fatalf("round trip: %+v -> %q -> %+v, %v", a, again, b, err)
			}
		}
		// The whole verifier must not panic on it either.
		r := httptest.NewRequest("GET", "http://h/accounts", nil)
		r.Header.Set("Authorization", h)
		r.Header.Set("X-Amz-Date", "20261122T061444Z")
		if _, err := v.Verify(context.Background(), r, nil, testSecrets); err == nil {
			t.Fatalf("verified a fuzzed header %q", h)
		}
	})
}

// canonicalCharsOK reports whether s consists of unreserved bytes, bytes in
// extra, and %XX escapes with upper-case hex.
func canonicalCharsOK(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', strings.IndexByte("-._~", c) >= 0, strings.IndexByte(extra, c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !strings.Contains("0123456789ABCDEF", s[i+1:i+2]) || !strings.Contains("0123456789ABCDEF", s[i+2:i+3]) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func FuzzCanonicalRequest(f *testing.F) {
	f.Add("GET", "/accounts//users/u", "name=a%2Bb%40c%20d&max-results=5", "X-Test", "  a   b ")
	f.Add("POST", "/accounts/caf%C3%A9%2Fx/../users/./", "operation=add&&a=%zz;b", "Content-Type", "application/json")
	f.Add("", "", "=&=&a+b=c+d", "", "")
	f.Add("GET", "*", "%", "host", "\x00\r\n")
	f.Add("DELETE", "a/b/../../..", "a=1&a=0&b", "x-amz-date", "20261122T061444Z")
	f.Fuzz(func(t *testing.T, method, target, rawQuery, headerName, headerValue string) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			u = &url.URL{Path: target}
		}
		u.RawQuery = rawQuery
		r := &http.Request{Method: method, URL: u, Host: "chime.local:8443", Header: http.Header{}}
		r.Header[headerName] = []string{headerValue}
		r.Header.Add(headerName, headerValue+" second")
		signed := []string{"host", strings.ToLower(headerName), "content-length"}
		cr := sigv4.CanonicalRequest(r, signed, "HASH")
		if cr2 := sigv4.CanonicalRequest(r, signed, "HASH"); cr != cr2 {
			t.Fatal("not deterministic")
		}
		if strings.Contains(method, "\n") {
			return // the line checks below assume a one-line method
		}
		lines := strings.SplitN(cr, "\n", 4)
		if len(lines) != 4 {
			t.Fatalf("too few lines: %q", cr)
		}
		if want := method; want != "" && lines[0] != want || want == "" && lines[0] != "GET" {
			t.Fatalf("method line %q", lines[0])
		}
		if lines[1] == "" || !canonicalCharsOK(lines[1], "/") || strings.Contains(lines[1], "//") {
			t.Fatalf("canonical URI %q from %q", lines[1], u.EscapedPath())
		}
		if strings.HasPrefix(u.EscapedPath(), "/") && !strings.HasPrefix(lines[1], "/") {
			t.Fatalf("canonical URI %q lost the leading slash", lines[1])
		}
		for _, seg := range strings.Split(lines[1], "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("canonical URI %q keeps a dot segment", lines[1])
			}
		}
		if !canonicalCharsOK(lines[2], "=&") {
			t.Fatalf("canonical query %q from %q", lines[2], rawQuery)
		}
		if !strings.HasSuffix(cr, "\nhost;"+strings.ToLower(headerName)+";content-length\nHASH") {
			t.Fatalf("tail of %q", cr)
		}
	})
}

// FuzzVerifyRoundTrip signs fuzzed labels, query values and header values
// with aws-sdk-go-v2's signer (escaping labels as the SDK's serializers do)
// and requires Verify to accept them.
func FuzzVerifyRoundTrip(f *testing.F) {
	f.Add("acct id/ü 1", "a+b@c d", "  v  w ")
	f.Add("..", "", "")
	f.Add(".", "%", "\t")
	f.Add("", "=&;", "a\u00a0 b")
	f.Add("a~b-c_d.e", "~!*'()", "x")
	v := sigv4.New(sigv4.Options{Now: func() time.Time { return fixedNow }})
	f.Fuzz(func(t *testing.T, label, value, headerValue string) {
		target := "/accounts/" + httpbinding.EscapePath(label, true) + "/users?" + url.Values{"name": {value}, "operation": {"add"}}.Encode()
		r := httptest.NewRequest("POST", "http://chime.local:8443"+target, strings.NewReader(value))
		r.Header.Set("X-Test", headerValue)
		r.Header.Set("Content-Type", "application/json")
		mustSignGo(t, r, []byte(value), testAKID, testSecret, "chime", "eu-west-1", fixedNow)
		if got := r.URL.Query().Get("name"); got != value {
			t.Fatalf("query value %q read back as %q", value, got)
		}
		if _, err := v.Verify(context.Background(), r, []byte(value), testSecrets); err != nil {
			t.Fatalf("Verify(%q): %v\nauthorization: %s", target, err, r.Header.Get("Authorization"))
		}
	})
}

// FuzzParseRequest feeds fuzzed query strings (presigned URLs, well formed or
// not) to ParseRequest and Verify: no panic, only *Error failures of the
// parse kinds, and a fuzzed URL never verifies.
func FuzzParseRequest(f *testing.F) {
	good := "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDCHIMEDTEST0001%2F20261122%2Fus-east-1%2Fchime%2Faws4_request" +
		"&X-Amz-Date=20261122T061444Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=" + goodSig
	for _, s := range []string{
		good,
		"operation=logout&" + good,
		good + "&X-Amz-Signature=" + goodSig,
		good + "&X-Amz-Security-Token=x",
		strings.Replace(good, "X-Amz-Expires=300", "X-Amz-Expires=604801", 1),
		strings.Replace(good, "X-Amz-Expires=300", "X-Amz-Expires=-0", 1),
		"X-Amz-Algorithm=&X-Amz-Credential=",
		"X%2DAmz-Signature=0",
		"X-Amz-Credential=a%2Fb%2Fc%2Fd%2Fe;x",
	} {
		f.Add(s, "")
	}
	f.Add(good, "AWS4-HMAC-SHA256 Credential=A/20261122/us-east-1/chime/aws4_request, SignedHeaders=host, Signature="+goodSig)
	v := sigv4.New(sigv4.Options{Now: func() time.Time { return fixedNow }})
	f.Fuzz(func(t *testing.T, rawQuery, authorization string) {
		r := httptest.NewRequest("GET", "http://h/accounts", nil)
		r.URL.RawQuery = rawQuery
		if authorization != "" {
			r.Header.Set("Authorization", authorization)
		}
		a, err := sigv4.ParseRequest(r)
		if err != nil {
			var e *sigv4.Error
			if !errors.As(err, &e) || (e.Kind != sigv4.MissingAuthenticationToken && e.Kind != sigv4.IncompleteSignature) || e.Message == "" {
				t.Fatalf("unexpected error %#v", err)
			}
		} else if a.Presigned {
			if len(a.Signature) != 64 || a.AccessKeyID == "" || len(a.SignedHeaders) == 0 || a.Expires < 0 || a.Expires > sigv4.MaxExpires {
				t.Fatalf("invalid result %+v", a)
			}
		}
		if _, err := v.Verify(context.Background(), r, nil, testSecrets); err == nil {
			t.Fatalf("verified a fuzzed query %q", rawQuery)
		}
	})
}

// FuzzPresignedRoundTrip presigns fuzzed labels and query values with
// aws-sdk-go-v2's PresignHTTP and requires Verify to accept the URL.
func FuzzPresignedRoundTrip(f *testing.F) {
	f.Add("acct id/ü 1", "a+b@c d", uint32(300))
	f.Add("..", "", uint32(0))
	f.Add("x", "X-Amz-Signature", uint32(604800))
	f.Add("", "=&;", uint32(1))
	v := sigv4.New(sigv4.Options{Now: func() time.Time { return fixedNow }})
	f.Fuzz(func(t *testing.T, label, value string, expires uint32) {
		expires %= 604801
		target := "/accounts/" + httpbinding.EscapePath(label, true) + "/users?" + url.Values{"name": {value}, "operation": {"add"}}.Encode()
		u := presignGo(t, "POST", target, int(expires), testAKID, testSecret, "eu-west-1", fixedNow, emptySHA256)
		if _, err := v.Verify(context.Background(), presigned(t, "POST", u), nil, testSecrets); err != nil {
			t.Fatalf("Verify(%q): %v", u, err)
		}
	})
}
