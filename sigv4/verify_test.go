package sigv4_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chimed/chimed/sigv4"
)

// goSignedCases are signed with aws-sdk-go-v2's signer and must verify.
var goSignedCases = []reqSpec{
	{name: "get-accounts", method: "GET", target: "/accounts", region: "us-east-1"},
	{name: "create-account", method: "POST", target: "/accounts", body: `{"Name":"Example Corp"}`, ctype: "application/json", region: "eu-west-1"},
	{name: "list-query-plus-at-space", method: "GET", target: "/accounts?name=a%2Bb%40c%20d&max-results=5", region: "ap-southeast-2"},
	{name: "invite-operation-literal", method: "POST", target: "/accounts/5f7c9a4e-2b1d-4c3e-9f8a-7b6c5d4e3f21/users?operation=add",
		body: `{"UserEmailList":["a+b@example.com"]}`, ctype: "application/json", region: "us-east-1"},
	{name: "logout-no-body", method: "POST", target: "/accounts/acct1/users/user1?operation=logout", region: "eu-west-1"},
	{name: "unicode-and-slash-labels", method: "GET", target: "/accounts/caf%C3%A9%20%E2%82%AC%2Fx/users/u%2Fv", region: "eu-west-1"},
	{name: "reserved-chars-label", method: "GET", target: "/accounts/a%3Ab%40c%21%2B/settings", region: "us-east-1"},
	{name: "trailing-slash", method: "GET", target: "/accounts/", region: "us-east-1"},
	{name: "delete", method: "DELETE", target: "/accounts/acct1", region: "ap-southeast-2"},
	{name: "put-settings", method: "PUT", target: "/accounts/acct1/settings", body: `{"AccountSettings":{"EnableDialOut":true}}`, ctype: "application/json", region: "us-east-1"},
	{name: "extra-signed-header-spaces", method: "GET", target: "/accounts?max-results=1", region: "us-east-1",
		headers: map[string]string{"X-Test-Header": "  a   b  c  ", "Amz-Sdk-Request": "attempt=1; max=3"}},
	{name: "us-gov-region", method: "GET", target: "/accounts", region: "us-gov-west-1"},
}

// signed is a request signed once, replayable with mutations.
type signed struct {
	spec reqSpec
	auth string
	date string
}

func signSpec(tb testing.TB, s reqSpec, at time.Time) signed {
	tb.Helper()
	r := newServerRequest(tb, s)
	mustSignGo(tb, r, []byte(s.body), testAKID, testSecret, "chime", s.region, at)
	// The Go signer rewrites the query to its canonical form; that is what it sends.
	if r.URL.RawQuery != "" {
		s.target = r.URL.EscapedPath() + "?" + r.URL.RawQuery
	}
	return signed{spec: s, auth: r.Header.Get("Authorization"), date: r.Header.Get("X-Amz-Date")}
}

// request rebuilds the signed request as the server would receive it.
func (sg signed) request(tb testing.TB) *http.Request {
	tb.Helper()
	r := newServerRequest(tb, sg.spec)
	r.Header.Set("Authorization", sg.auth)
	r.Header.Set("X-Amz-Date", sg.date)
	if sg.spec.body != "" {
		r.Header.Set("Content-Length", strconv.Itoa(len(sg.spec.body)))
	}
	return r
}

func (sg signed) verify(tb testing.TB, v *sigv4.Verifier, r *http.Request) (sigv4.Authorization, error) {
	tb.Helper()
	return v.Verify(context.Background(), r, []byte(sg.spec.body), testSecrets)
}

func TestVerifyAcceptsGoSigner(t *testing.T) {
	v := mustVerifier(t, sigv4.Options{})
	for _, c := range goSignedCases {
		t.Run(c.name, func(t *testing.T) {
			sg := signSpec(t, c, fixedNow)
			a, err := sg.verify(t, v, sg.request(t))
			if err != nil {
				t.Fatalf("Verify: %v\nauth: %s", err, sg.auth)
			}
			if a.AccessKeyID != testAKID || a.Region != c.region || a.Service != "chime" || a.Date != "20261122" {
				t.Errorf("Authorization = %+v", a)
			}
			// Verify twice: the second run uses the cached signing key.
			if _, err := sg.verify(t, v, sg.request(t)); err != nil {
				t.Fatalf("second Verify: %v", err)
			}
		})
	}
}

// mutateAlnum returns s with the alphanumeric byte at i replaced by another of
// the same class, or ok=false when s[i] is not alphanumeric or is part of a
// %XX escape.
func mutateAlnum(s string, i int) (string, bool) {
	for j := max(0, i-2); j <= i; j++ {
		if s[j] == '%' && i-j <= 2 && j+2 < len(s) {
			return "", false
		}
	}
	c := s[i]
	var d byte
	switch {
	case '0' <= c && c <= '9':
		d = '0' + (c-'0'+1)%10
	case 'a' <= c && c <= 'z':
		d = 'a' + (c-'a'+1)%26
	case 'A' <= c && c <= 'Z':
		d = 'A' + (c-'A'+1)%26
	default:
		return "", false
	}
	return s[:i] + string(d) + s[i+1:], true
}

func TestVerifyRejectsTampering(t *testing.T) {
	v := mustVerifier(t, sigv4.Options{})
	for _, c := range goSignedCases {
		t.Run(c.name, func(t *testing.T) {
			sg := signSpec(t, c, fixedNow)
			reject := func(what string, r *http.Request, body string) {
				t.Helper()
				_, err := v.Verify(context.Background(), r, []byte(body), testSecrets)
				if err == nil {
					t.Fatalf("%s: tampered request verified", what)
				}
				wantKind(t, err, sigv4.InvalidSignature)
			}
			// Method.
			m := sg
			m.spec.method = map[string]string{"GET": "PUT", "POST": "PATCH", "PUT": "GET", "DELETE": "GET"}[c.method]
			reject("method", m.request(t), c.body)

			// Every alphanumeric byte of the path and of the query.
			path, query, _ := strings.Cut(sg.spec.target, "?")
			for i := 1; i < len(path); i++ {
				p, ok := mutateAlnum(path, i)
				if !ok {
					continue
				}
				m := sg
				m.spec.target = p
				if query != "" {
					m.spec.target += "?" + query
				}
				reject("path "+p, m.request(t), c.body)
			}
			for i := 0; i < len(query); i++ {
				q, ok := mutateAlnum(query, i)
				if !ok {
					continue
				}
				m := sg
				m.spec.target = path + "?" + q
				reject("query "+q, m.request(t), c.body)
			}
			// Added or removed query parameters.
			m = sg
			m.spec.target = path + "?extra=1"
			if query != "" {
				m.spec.target = path + "?" + query + "&extra=1"
				r := sg.request(t)
				r.URL.RawQuery = ""
				reject("query dropped", r, c.body)
			}
			reject("query added", m.request(t), c.body)

			// Signed header values.
			r := sg.request(t)
			r.Host = "chime.local:8444"
			reject("host", r, c.body)
			r = sg.request(t)
			r.Header.Set("X-Amz-Date", sg.date[:14]+string(rune(sg.date[14]^1))+"Z")
			reject("x-amz-date seconds", r, c.body)
			for k := range sg.spec.headers {
				r := sg.request(t)
				r.Header.Set(k, r.Header.Get(k)+"x")
				reject("header "+k, r, c.body)
				r = sg.request(t)
				r.Header.Add(k, "second value")
				reject("header added value "+k, r, c.body)
			}
			if c.ctype != "" {
				r := sg.request(t)
				r.Header.Set("Content-Type", "application/jsoo")
				reject("content-type", r, c.body)
			}

			// Every byte of the body (same length, so Content-Length is unchanged).
			for i := 0; i < len(c.body); i++ {
				b := []byte(c.body)
				b[i] ^= 0x01
				reject("body byte", sg.request(t), string(b))
			}
			if c.body == "" {
				reject("body added", sg.request(t), "{}")
			}

			// Every hex digit of the signature.
			at := strings.LastIndex(sg.auth, "Signature=") + len("Signature=")
			for i := at; i < len(sg.auth); i++ {
				m := sg
				d := byte('0')
				if sg.auth[i] == '0' {
					d = 'f'
				}
				m.auth = sg.auth[:i] + string(d) + sg.auth[i+1:]
				reject("signature", m.request(t), c.body)
			}
		})
	}
}

func TestVerifyQueryEquivalentForms(t *testing.T) {
	v := mustVerifier(t, sigv4.Options{})
	sg := signSpec(t, reqSpec{method: "GET", target: "/accounts?name=a%20b%2Bc&max-results=5", region: "us-east-1"}, fixedNow)
	for _, q := range []string{
		"max-results=5&name=a%20b%2Bc", // canonical, as the Go signer sends it
		"name=a%20b%2Bc&max-results=5", // any order
		"name=a+b%2Bc&max-results=5",   // '+' is a space, as url.ParseQuery reads it
		"name=a%20b%2bc&max-results=5", // lower-case hex
		"name=%61%20b%2Bc&max-results=5&&",
		"max-results=5&name=a%20b%2Bc&bad=%zz&semi=1;2", // pairs r.URL.Query() drops are not signed
	} {
		r := sg.request(t)
		r.URL.RawQuery = q
		if _, err := sg.verify(t, v, r); err != nil {
			t.Errorf("query %q: %v", q, err)
		}
	}
	r := sg.request(t)
	r.URL.RawQuery = "max-results=5&name=a%20b+c" // '+' is not %2B
	_, err := sg.verify(t, v, r)
	wantKind(t, err, sigv4.InvalidSignature)
}

func TestVerifyFailures(t *testing.T) {
	base := reqSpec{method: "POST", target: "/accounts", body: `{"Name":"x"}`, ctype: "application/json", region: "eu-west-1"}
	type tc struct {
		name    string
		opts    sigv4.Options
		prepare func(t *testing.T) (*http.Request, string)
		kind    sigv4.Kind
		msg     string // substring of the message
	}
	goSigned := func(akid, secret, service, region string, at time.Time) func(t *testing.T) (*http.Request, string) {
		return func(t *testing.T) (*http.Request, string) {
			r := newServerRequest(t, base)
			mustSignGo(t, r, []byte(base.body), akid, secret, service, region, at)
			return r, base.body
		}
	}
	edit := func(f func(r *http.Request)) func(t *testing.T) (*http.Request, string) {
		return func(t *testing.T) (*http.Request, string) {
			r, body := goSigned(testAKID, testSecret, "chime", "eu-west-1", fixedNow)(t)
			f(r)
			return r, body
		}
	}
	cases := []tc{
		{name: "wrong secret", prepare: goSigned(testAKID, otherSec, "chime", "eu-west-1", fixedNow), kind: sigv4.InvalidSignature, msg: "does not match"},
		{name: "other key's secret", prepare: goSigned(otherAKID, testSecret, "chime", "eu-west-1", fixedNow), kind: sigv4.InvalidSignature},
		{name: "unknown key", prepare: goSigned("AKIDUNKNOWN", testSecret, "chime", "eu-west-1", fixedNow), kind: sigv4.UnrecognizedClient, msg: "security token included in the request is invalid"},
		{name: "expired", prepare: goSigned(testAKID, testSecret, "chime", "eu-west-1", fixedNow.Add(-16*time.Minute)), kind: sigv4.InvalidSignature,
			msg: "Signature expired: 20261122T055844Z is now earlier than 20261122T055944Z (20261122T061444Z - 15 min.)"},
		{name: "future", prepare: goSigned(testAKID, testSecret, "chime", "eu-west-1", fixedNow.Add(16*time.Minute)), kind: sigv4.InvalidSignature,
			msg: "Signature not yet current: 20261122T063044Z is still later than 20261122T062944Z (20261122T061444Z + 15 min.)"},
		{name: "custom skew", opts: sigv4.Options{ClockSkew: 5 * time.Minute}, prepare: goSigned(testAKID, testSecret, "chime", "eu-west-1", fixedNow.Add(-6*time.Minute)),
			kind: sigv4.InvalidSignature, msg: "- 5 min.)"},
		{name: "wrong service", prepare: goSigned(testAKID, testSecret, "s3", "eu-west-1", fixedNow), kind: sigv4.InvalidSignature, msg: "Credential should be scoped to correct service: 'chime'. "},
		{name: "region not in allow-list", opts: sigv4.Options{Regions: []string{"us-east-1"}}, prepare: goSigned(testAKID, testSecret, "chime", "eu-west-1", fixedNow),
			kind: sigv4.InvalidSignature, msg: "Credential should be scoped to a valid region, not 'eu-west-1'. "},
		{name: "region not a host name", prepare: goSigned(testAKID, testSecret, "chime", "us_east_1", fixedNow), kind: sigv4.InvalidSignature, msg: "valid region"},
		{name: "region with an empty label", prepare: goSigned(testAKID, testSecret, "chime", "us..east", fixedNow), kind: sigv4.InvalidSignature, msg: "valid region"},
		{name: "scope date differs", prepare: edit(func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20261122/", "/20261121/", 1))
		}), kind: sigv4.InvalidSignature, msg: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261121' != '20261122', from '20261122T061444Z'."},
		{name: "host not signed", prepare: edit(func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), ";host;", ";", 1))
		}), kind: sigv4.IncompleteSignature, msg: "SignedHeader"},
		{name: "security token", prepare: func(t *testing.T) (*http.Request, string) {
			r, body := goSigned(testAKID, testSecret, "chime", "eu-west-1", fixedNow)(t)
			r.Header.Set("X-Amz-Security-Token", "FQoGZXIvYXdzE...")
			return r, body
		}, kind: sigv4.UnrecognizedClient, msg: "security token"},
		{name: "empty security token", prepare: edit(func(r *http.Request) { r.Header["X-Amz-Security-Token"] = []string{""} }), kind: sigv4.UnrecognizedClient},
		{name: "no authorization", prepare: edit(func(r *http.Request) { r.Header.Del("Authorization") }), kind: sigv4.MissingAuthenticationToken, msg: "Missing Authentication Token"},
		{name: "two authorization headers", prepare: edit(func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) }), kind: sigv4.IncompleteSignature},
		{name: "malformed authorization", prepare: edit(func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x") }), kind: sigv4.IncompleteSignature},
		{name: "basic auth", prepare: edit(func(r *http.Request) { r.Header.Set("Authorization", "Basic dXNlcjpwYXNz") }), kind: sigv4.IncompleteSignature},
		{name: "no date", prepare: edit(func(r *http.Request) { r.Header.Del("X-Amz-Date") }), kind: sigv4.IncompleteSignature, msg: "'X-Amz-Date' or a 'Date' header"},
		{name: "bad x-amz-date", prepare: edit(func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-11-22T06:14:44Z") }), kind: sigv4.IncompleteSignature, msg: "X-Amz-Date"},
		{name: "bad x-amz-date month", prepare: edit(func(r *http.Request) { r.Header.Set("X-Amz-Date", "20261322T061444Z") }), kind: sigv4.IncompleteSignature},
		{name: "bad date header", prepare: edit(func(r *http.Request) { r.Header.Del("X-Amz-Date"); r.Header.Set("Date", "yesterday") }), kind: sigv4.IncompleteSignature},
		{name: "content sha256 mismatch", prepare: func(t *testing.T) (*http.Request, string) {
			r := newServerRequest(t, base)
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			mustSignGo(t, r, []byte(base.body), testAKID, testSecret, "chime", "eu-west-1", fixedNow)
			return r, base.body
		}, kind: sigv4.InvalidSignature, msg: "x-amz-content-sha256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := mustVerifier(t, c.opts)
			r, body := c.prepare(t)
			a, err := v.Verify(context.Background(), r, []byte(body), testSecrets)
			if err == nil {
				t.Fatalf("verified: %+v", a)
			}
			e := wantKind(t, err, c.kind)
			if !strings.Contains(e.Message, c.msg) {
				t.Errorf("message %q does not contain %q", e.Message, c.msg)
			}
			if e.Error() != c.kind.ExceptionName()+": "+e.Message {
				t.Errorf("Error() = %q", e.Error())
			}
		})
	}
}

func TestVerifyAcceptsEdges(t *testing.T) {
	base := reqSpec{method: "POST", target: "/accounts", body: `{"Name":"x"}`, ctype: "application/json", region: "eu-west-1"}
	cases := []struct {
		name string
		opts sigv4.Options
		at   time.Time
		edit func(r *http.Request)
	}{
		{name: "exactly 15m old", at: fixedNow.Add(-15 * time.Minute)},
		{name: "exactly 15m ahead", at: fixedNow.Add(15 * time.Minute)},
		{name: "region allow-listed", opts: sigv4.Options{Regions: []string{"us-east-1", "eu-west-1"}}, at: fixedNow},
		{name: "cn region", at: fixedNow},
		{name: "upper-case signature hex", at: fixedNow, edit: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			i := strings.LastIndex(a, "=") + 1
			r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
		}},
		{name: "extra spaces in authorization", at: fixedNow, edit: func(r *http.Request) {
			r.Header.Set("Authorization", strings.ReplaceAll(r.Header.Get("Authorization"), ", ", " ,  "))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base
			if c.name == "cn region" {
				s.region = "cn-north-1"
			}
			r := newServerRequest(t, s)
			mustSignGo(t, r, []byte(s.body), testAKID, testSecret, "chime", s.region, c.at)
			if c.edit != nil {
				c.edit(r)
			}
			if _, err := mustVerifier(t, c.opts).Verify(context.Background(), r, []byte(s.body), testSecrets); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestVerifyContentSHA256Signed(t *testing.T) {
	// The JavaScript SDK signs x-amz-content-sha256 with the real body hash.
	body := `{"Name":"x"}`
	r := newServerRequest(t, reqSpec{method: "POST", target: "/accounts", body: body, ctype: "application/json"})
	r.Header.Set("X-Amz-Content-Sha256", sha256Hex(body))
	mustSignGo(t, r, []byte(body), testAKID, testSecret, "chime", "us-east-1", fixedNow)
	v := mustVerifier(t, sigv4.Options{})
	if _, err := v.Verify(context.Background(), r, []byte(body), testSecrets); err != nil {
		t.Fatal(err)
	}
	// The same header with another body: the header check fires first.
	_, err := v.Verify(context.Background(), r, []byte(`{"Name":"y"}`), testSecrets)
	e := wantKind(t, err, sigv4.InvalidSignature)
	if !strings.Contains(e.Message, "x-amz-content-sha256") {
		t.Errorf("message %q", e.Message)
	}
}

func TestVerifyDateHeaderFallback(t *testing.T) {
	// A request dated by the Date header only (no X-Amz-Date), signed by hand.
	r := newServerRequest(t, reqSpec{method: "GET", target: "/accounts"})
	r.Header.Set("Date", fixedNow.Format(http.TimeFormat))
	signed := []string{"date", "host"}
	amzDate := fixedNow.Format("20060102T150405Z")
	scope := "20261122/us-east-1/chime/aws4_request"
	cr := sigv4.CanonicalRequest(r, signed, sha256Hex(""))
	sig := hmacHex(signingKey(testSecret, "20261122", "us-east-1"), sigv4.StringToSign(amzDate, scope, cr))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAKID+"/"+scope+", SignedHeaders=date;host, Signature="+sig)
	v := mustVerifier(t, sigv4.Options{})
	if _, err := v.Verify(context.Background(), r, nil, testSecrets); err != nil {
		t.Fatal(err)
	}
}

func TestVerifySecretsError(t *testing.T) {
	boom := errors.New("database is down")
	sg := signSpec(t, goSignedCases[0], fixedNow)
	v := mustVerifier(t, sigv4.Options{})
	_, err := v.Verify(context.Background(), sg.request(t), nil, func(context.Context, string) (string, bool, error) {
		return "", false, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want wrapping %v", err, boom)
	}
	var e *sigv4.Error
	if errors.As(err, &e) {
		t.Fatalf("internal failure reported as *Error: %v", e)
	}
	if _, err := v.Verify(context.Background(), sg.request(t), nil, nil); err == nil || errors.As(err, &e) {
		t.Fatalf("nil SecretFunc: err = %v", err)
	}
	var zero sigv4.Verifier
	if _, err := zero.Verify(context.Background(), sg.request(t), nil, testSecrets); err == nil || errors.As(err, &e) {
		t.Fatalf("zero Verifier: err = %v", err)
	}
}

func TestVerifyConcurrent(t *testing.T) {
	v := mustVerifier(t, sigv4.Options{})
	sgs := make([]signed, len(goSignedCases))
	for i, c := range goSignedCases {
		sgs[i] = signSpec(t, c, fixedNow)
	}
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func() {
			var err error
			for i := 0; i < 50 && err == nil; i++ {
				sg := sgs[(g+i)%len(sgs)]
				_, err = v.Verify(context.Background(), sg.request(t), []byte(sg.spec.body), testSecrets)
			}
			done <- err
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestKindNames(t *testing.T) {
	want := map[sigv4.Kind]string{
		sigv4.MissingAuthenticationToken: "MissingAuthenticationTokenException",
		sigv4.IncompleteSignature:        "IncompleteSignatureException",
		sigv4.UnrecognizedClient:         "UnrecognizedClientException",
		sigv4.InvalidSignature:           "InvalidSignatureException",
	}
	for k, n := range want {
		if k.ExceptionName() != n || k.String() != n {
			t.Errorf("%d: ExceptionName %q String %q, want %q", int(k), k.ExceptionName(), k.String(), n)
		}
	}
	if sigv4.Kind(0).ExceptionName() != "" || sigv4.Kind(99).String() != "sigv4.Kind(99)" {
		t.Errorf("undeclared kinds: %q %q", sigv4.Kind(0).ExceptionName(), sigv4.Kind(99).String())
	}
}

// TestVerifyAlternatingSignedHeaders verifies, with one Verifier, requests whose SignedHeaders lists alternate
// (the Verifier remembers the last list it split): each is judged by its own list, and a request signed
// without a header is not accepted when the list it claims names that header.
func TestVerifyAlternatingSignedHeaders(t *testing.T) {
	v := mustVerifier(t, sigv4.Options{})
	plain := reqSpec{method: "GET", target: "/accounts", region: "us-east-1"}
	custom := reqSpec{method: "GET", target: "/accounts", region: "us-east-1",
		headers: map[string]string{"X-Amz-Meta-Trace": "t-1"}}
	for i := range 6 {
		s := plain
		if i%2 == 1 {
			s = custom
		}
		r := newServerRequest(t, s)
		mustSignGo(t, r, nil, testAKID, testSecret, "chime", s.region, fixedNow)
		a, err := v.Verify(context.Background(), r, nil, testSecrets)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if got := slices.Contains(a.SignedHeaders, "x-amz-meta-trace"); got != (i%2 == 1) {
			t.Fatalf("request %d: signed headers %q", i, a.SignedHeaders)
		}
		if i%2 == 1 { // the same request with the signed header's value changed: its signature no longer holds
			r.Header.Set("X-Amz-Meta-Trace", "t-2")
			_, err := v.Verify(context.Background(), r, nil, testSecrets)
			wantKind(t, err, sigv4.InvalidSignature)
		}
	}
}

// TestVerifyKeyForService: VerifyKeyFor checks the scope's service against the one it is given (CloudTrail's
// LookupEvents on chimed's listener), and VerifyKey against chime, each refusal naming the service expected.
func TestVerifyKeyForService(t *testing.T) {
	v := mustVerifier(t, sigv4.Options{})
	base := reqSpec{method: "POST", target: "/", body: `{}`, ctype: "application/x-amz-json-1.1", region: "eu-west-1"}
	keys := func(_ context.Context, id string, s sigv4.KeyScope) ([]byte, bool, error) {
		if id != testAKID {
			return nil, false, nil
		}
		return v.SigningKey(testSecret, s), true, nil
	}
	cases := []struct {
		signedFor, verifyFor, refusal string // refusal: "" when it verifies
	}{
		{"cloudtrail", "cloudtrail", ""},
		{"chime", "", ""},
		{"chime", "chime", ""},
		{"chime", "cloudtrail", "Credential should be scoped to correct service: 'cloudtrail'. "},
		{"cloudtrail", "", "Credential should be scoped to correct service: 'chime'. "},
	}
	for _, c := range cases {
		r := newServerRequest(t, base)
		mustSignGo(t, r, []byte(base.body), testAKID, testSecret, c.signedFor, "eu-west-1", fixedNow)
		_, err := v.VerifyKeyFor(context.Background(), c.verifyFor, r, []byte(base.body), keys)
		if c.refusal == "" {
			if err != nil {
				t.Errorf("signed for %s, verified for %q: %v", c.signedFor, c.verifyFor, err)
			}
			continue
		}
		if e := wantKind(t, err, sigv4.InvalidSignature); e.Message != c.refusal {
			t.Errorf("signed for %s, verified for %q: %q, want %q", c.signedFor, c.verifyFor, e.Message, c.refusal)
		}
	}
	// VerifyKey is VerifyKeyFor chime.
	r := newServerRequest(t, base)
	mustSignGo(t, r, []byte(base.body), testAKID, testSecret, "cloudtrail", "eu-west-1", fixedNow)
	if _, err := v.VerifyKey(context.Background(), r, []byte(base.body), keys); err == nil {
		t.Error("VerifyKey verified a request signed for cloudtrail")
	}
}
