package sigv4_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chimed/chimed/sigv4"
)

const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// canonicalURI returns the second line of the canonical request for target.
func canonicalURI(t *testing.T, target string) string {
	t.Helper()
	r := httptest.NewRequest("GET", "http://h"+target, nil)
	lines := strings.Split(sigv4.CanonicalRequest(r, []string{"host"}, emptyHash), "\n")
	return lines[1]
}

func TestCanonicalURI(t *testing.T) {
	// Expected values computed with botocore 1.43.11 SigV4Auth._normalize_url_path.
	cases := map[string]string{
		"/accounts":                 "/accounts",
		"/accounts//users/u":        "/accounts/users/u",
		"/a/./b/../c/":              "/a/c/",
		"/":                         "/",
		"//":                        "/",
		"///a///":                   "/a/",
		"/..":                       "/",
		"/a/..":                     "/",
		"/a/b/..":                   "/a",
		"/a/b/../":                  "/a/",
		"/accounts/":                "/accounts/",
		"/a%2Fb/%2E%2E/c":           "/a%252Fb/%252E%252E/c",
		"/caf%C3%A9%20x":            "/caf%25C3%25A9%2520x",
		"/accounts/a%20b%3Ac/users": "/accounts/a%2520b%253Ac/users",
		"/a~!$'()*":                 "/a~%21%24%27%28%29%2A",
		"/a-b_c.d~e":                "/a-b_c.d~e",
		"/accounts/a%2fb":           "/accounts/a%252fb", // hex case as sent
		"/accounts/x:y@z":           "/accounts/x%3Ay%40z",
	}
	for in, want := range cases {
		if got := canonicalURI(t, in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	cases := map[string]string{
		"":                                 "",
		"operation=add":                    "operation=add",
		"name=a%2Bb%40c%20d&max-results=5": "max-results=5&name=a%2Bb%40c%20d",
		"name=a+b":                         "name=a%20b",
		"b=2&a=1&a=0&c":                    "a=0&a=1&b=2&c=",
		"a=&a":                             "a=&a=",
		"k%3Dx=v%3D1":                      "k%3Dx=v%3D1",
		"x=caf%C3%A9&y=%7E%2D%5F%2E":       "x=caf%C3%A9&y=~-_.",
		"a-b=1&a/b=1":                      "a%2Fb=1&a-b=1", // sorted after encoding: '%' < '-'
		"&&a=1&&":                          "a=1",
		"a=1;b=2&c=3":                      "c=3",
		"a=%zz&b=%2":                       "",
		"=v":                               "=v",
	}
	for in, want := range cases {
		r := httptest.NewRequest("GET", "http://h/p", nil)
		r.URL.RawQuery = in
		lines := strings.Split(sigv4.CanonicalRequest(r, []string{"host"}, emptyHash), "\n")
		if lines[2] != want {
			t.Errorf("%q: got %q, want %q", in, lines[2], want)
		}
	}
}

func TestCanonicalRequestFull(t *testing.T) {
	r := httptest.NewRequest("POST", "http://chime.local:8443/accounts/x/users?operation=add", strings.NewReader("{}"))
	r.Header.Set("Content-Type", "  application/json  ")
	r.Header.Set("X-Amz-Date", "20261122T061444Z")
	r.Header.Add("X-Multi", "a   b")
	r.Header.Add("X-Multi", " c ")
	r.Header["x-odd"] = []string{"raw key"} // a non-canonical key, as built by hand
	got := sigv4.CanonicalRequest(r, []string{"content-length", "content-type", "host", "x-amz-date", "x-multi", "x-odd", "x-absent"}, "HASH")
	want := "POST\n/accounts/x/users\noperation=add\n" +
		"content-length:2\ncontent-type:application/json\nhost:chime.local:8443\nx-amz-date:20261122T061444Z\nx-multi:a b,c\nx-odd:raw key\nx-absent:\n" +
		"\ncontent-length;content-type;host;x-amz-date;x-multi;x-odd;x-absent\nHASH"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// net/http's server keeps Content-Length in the header; it wins over r.ContentLength.
	r.Header.Set("Content-Length", "2")
	r.ContentLength = -1
	if got2 := sigv4.CanonicalRequest(r, []string{"content-length", "content-type", "host", "x-amz-date", "x-multi", "x-odd", "x-absent"}, "HASH"); got2 != want {
		t.Errorf("with header: got\n%s", got2)
	}
}

// botocoreVectors were produced by botocore 1.43.11 SigV4Auth.add_auth at
// 2026-11-22T06:14:44Z for key testAKID/testSecret, with urllib-style requests.
var botocoreVectors = []struct {
	method, target, body, ctype, auth string
}{
	{"GET", "/accounts", "", "",
		"AWS4-HMAC-SHA256 Credential=AKIDCHIMEDTEST0001/20261122/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=61ad2fb7acaf20b923ff2423224ae58d943b6af1f5f5aad53fdcc5052f813c8f"},
	{"GET", "/accounts//users/u", "", "",
		"AWS4-HMAC-SHA256 Credential=AKIDCHIMEDTEST0001/20261122/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=25a6174c17b54c987bd72f10e0e47457cffded8a48178815a6194218c37e7635"},
	{"GET", "/accounts/a%2Fb/users/caf%C3%A9%20%E2%82%AC", "", "",
		"AWS4-HMAC-SHA256 Credential=AKIDCHIMEDTEST0001/20261122/eu-west-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=9225cf437070f55c1730c834b24eafc5d2c6beba3a2636a8b14c6d502902540b"},
	{"GET", "/accounts?max-results=5&name=a%2Bb%40c%20d", "", "",
		"AWS4-HMAC-SHA256 Credential=AKIDCHIMEDTEST0001/20261122/ap-southeast-2/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=40bbaf60ff216597add14720f43afb704d149a32767a4d9fa293a70a3f299bcf"},
	{"POST", "/accounts/x/users?operation=add", `{"UserEmailList":["a+b@example.com"]}`, "application/json",
		"AWS4-HMAC-SHA256 Credential=AKIDCHIMEDTEST0001/20261122/eu-west-1/chime/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=774a3dde84f94ebc721f2f25e9777eeef4ee342e7db5de29ba29039ceb7d76be"},
	{"GET", "/accounts/x/./users/../users/u/", "", "",
		"AWS4-HMAC-SHA256 Credential=AKIDCHIMEDTEST0001/20261122/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=9cedaed4fe6f80ac215e7055447ea0ff4eda95b0bf565c560313ccbf12c06472"},
}

func TestVerifyBotocoreVectors(t *testing.T) {
	v := mustVerifier(t, sigv4.Options{})
	for _, c := range botocoreVectors {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			r := newServerRequest(t, reqSpec{method: c.method, target: c.target, body: c.body, ctype: c.ctype})
			r.Header.Set("Authorization", c.auth)
			r.Header.Set("X-Amz-Date", "20261122T061444Z")
			if c.body != "" {
				r.Header.Set("Content-Length", "38") // sent, but not signed by botocore
			}
			if _, err := v.Verify(context.Background(), r, []byte(c.body), testSecrets); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestVerifyUnnormalizedPathFallback: aws-sdk-go-v2's signer does not
// normalize paths, botocore does; both signatures must verify, and a
// signature over some other path must not.
func TestVerifyUnnormalizedPathFallback(t *testing.T) {
	v := mustVerifier(t, sigv4.Options{})
	for _, target := range []string{"/accounts//users/u", "/accounts/x/./users/../users/u/", "/accounts/x/.."} {
		t.Run(target, func(t *testing.T) {
			sg := signSpec(t, reqSpec{method: "GET", target: target, region: "us-east-1"}, fixedNow)
			if _, err := sg.verify(t, v, sg.request(t)); err != nil {
				t.Fatalf("Go-signed (raw path): %v", err)
			}
			// A botocore-style signature over the normalized path, computed by hand.
			r := sg.request(t)
			cr := sigv4.CanonicalRequest(r, []string{"host", "x-amz-date"}, emptyHash)
			scope := "20261122/us-east-1/chime/aws4_request"
			sig := hmacHex(signingKey(testSecret, "20261122", "us-east-1"), sigv4.StringToSign(sg.date, scope, cr))
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAKID+"/"+scope+", SignedHeaders=host;x-amz-date, Signature="+sig)
			if _, err := sg.verify(t, v, r); err != nil {
				t.Fatalf("normalized-path signature: %v", err)
			}
			// The same signatures on a different path fail.
			other := sg
			other.spec.target = "/accounts/y"
			_, err := sg.verify(t, v, other.request(t))
			wantKind(t, err, sigv4.InvalidSignature)
		})
	}
}

func TestCanonicalRequestHostSources(t *testing.T) {
	r := &http.Request{Method: "GET", Host: "", URL: mustURL(t, "http://from-url:81/p")}
	if got := sigv4.CanonicalRequest(r, []string{"host"}, "H"); got != "GET\n/p\n\nhost:from-url:81\n\nhost\nH" {
		t.Errorf("got %q", got)
	}
	r = &http.Request{URL: nil}
	if got := sigv4.CanonicalRequest(r, nil, "H"); got != "GET\n/\n\n\n\nH" {
		t.Errorf("nil URL: got %q", got)
	}
}
