package sigv4_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/chimed/chimed/sigv4"
)

// emptySHA256 is the payload hash the SDKs presign a request without a body with (botocore's SigV4QueryAuth
// and aws-sdk-go-v2's presign middleware hash the empty body for services other than S3).
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// presignGo presigns method target (escaped path and query) with aws-sdk-go-v2's PresignHTTP: X-Amz-Expires is
// set to expires seconds unless expires is negative, the payload hash is payloadHash. It returns the presigned
// target (path?query) as a client sends it.
func presignGo(tb testing.TB, method, target string, expires int, akid, secret, region string, at time.Time, payloadHash string) string {
	tb.Helper()
	r := httptest.NewRequest(method, "http://chime.local:8443"+target, nil)
	if expires >= 0 {
		q := r.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(expires))
		r.URL.RawQuery = q.Encode()
	}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret},
		r, payloadHash, "chime", region, at)
	if err != nil {
		tb.Fatalf("PresignHTTP: %v", err)
	}
	rest, ok := strings.CutPrefix(u, "http://chime.local:8443")
	if !ok {
		tb.Fatalf("presigned URL %q", u)
	}
	return rest
}

// presigned returns the request a server receives for a presigned target.
func presigned(tb testing.TB, method, target string) *http.Request {
	tb.Helper()
	return httptest.NewRequest(method, "http://chime.local:8443"+target, nil)
}

func TestPresignedGoSigner(t *testing.T) {
	cases := []struct {
		name, method, target, region string
		expires                      int
		at                           time.Time // signing time; the server's clock is fixedNow
	}{
		{name: "get-user", method: "GET", target: "/accounts/acct1/users/user1", region: "us-east-1", expires: 300, at: fixedNow},
		{name: "list-users-query", method: "GET", target: "/accounts/acct1/users?user-email=a%2Bb%40c.com&max-results=5", region: "eu-west-1", expires: 3600, at: fixedNow},
		{name: "logout-operation", method: "POST", target: "/accounts/acct1/users/user1?operation=logout", region: "eu-central-1", expires: 60, at: fixedNow},
		{name: "odd-label", method: "GET", target: "/accounts/caf%C3%A9%20x/users/u%2Fv", region: "us-east-1", expires: 60, at: fixedNow},
		{name: "region-local", method: "GET", target: "/accounts", region: "local", expires: 60, at: fixedNow},
		{name: "no-expires", method: "GET", target: "/accounts", region: "us-east-1", expires: -1, at: fixedNow.Add(-10 * time.Minute)},
		{name: "seven-days", method: "GET", target: "/accounts", region: "us-east-1", expires: 604800, at: fixedNow.Add(-7 * 24 * time.Hour)},
		{name: "expired-within-skew", method: "GET", target: "/accounts", region: "us-east-1", expires: 60, at: fixedNow.Add(-15 * time.Minute)},
		{name: "ahead-within-skew", method: "GET", target: "/accounts", region: "us-east-1", expires: 60, at: fixedNow.Add(15 * time.Minute)},
	}
	v := mustVerifier(t, sigv4.Options{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := presignGo(t, c.method, c.target, c.expires, testAKID, testSecret, c.region, c.at, emptySHA256)
			a, err := v.Verify(context.Background(), presigned(t, c.method, target), nil, testSecrets)
			if err != nil {
				t.Fatalf("Verify %s: %v", target, err)
			}
			if a.AccessKeyID != testAKID || a.Region != c.region || !a.Presigned {
				t.Errorf("Authorization = %+v", a)
			}
			if c.expires > 0 && a.Expires != time.Duration(c.expires)*time.Second {
				t.Errorf("Expires = %v, want %ds", a.Expires, c.expires)
			}
		})
	}
}

func TestPresignedUnsignedPayload(t *testing.T) {
	// Presigners written after S3's documentation sign UNSIGNED-PAYLOAD: accepted when the request has no body,
	// since the signature then covers everything the request carries.
	v := mustVerifier(t, sigv4.Options{})
	target := presignGo(t, "GET", "/accounts", 60, testAKID, testSecret, "us-east-1", fixedNow, "UNSIGNED-PAYLOAD")
	if _, err := v.Verify(context.Background(), presigned(t, "GET", target), nil, testSecrets); err != nil {
		t.Fatalf("UNSIGNED-PAYLOAD without a body: %v", err)
	}
	target = presignGo(t, "POST", "/accounts", 60, testAKID, testSecret, "us-east-1", fixedNow, "UNSIGNED-PAYLOAD")
	_, err := v.Verify(context.Background(), presigned(t, "POST", target), []byte(`{"Name":"x"}`), testSecrets)
	wantKind(t, err, sigv4.InvalidSignature)
	// A body presigned by its hash verifies with that body only.
	body := `{"Name":"x"}`
	target = presignGo(t, "POST", "/accounts", 60, testAKID, testSecret, "us-east-1", fixedNow, sha256Hex(body))
	if _, err := v.Verify(context.Background(), presigned(t, "POST", target), []byte(body), testSecrets); err != nil {
		t.Fatalf("body presigned by its hash: %v", err)
	}
	_, err = v.Verify(context.Background(), presigned(t, "POST", target), []byte(`{"Name":"y"}`), testSecrets)
	wantKind(t, err, sigv4.InvalidSignature)
}

func TestPresignedFailures(t *testing.T) {
	good := func(t *testing.T) string {
		return presignGo(t, "GET", "/accounts/acct1/users/user1?max-results=5", 300, testAKID, testSecret, "us-east-1", fixedNow, emptySHA256)
	}
	replace := func(old, new string) func(t *testing.T) string {
		return func(t *testing.T) string {
			t.Helper()
			s := good(t)
			if !strings.Contains(s, old) {
				t.Fatalf("%q not in %q", old, s)
			}
			return strings.Replace(s, old, new, 1)
		}
	}
	param := func(t *testing.T, s, name string) string {
		t.Helper()
		r := presigned(t, "GET", s)
		return r.URL.Query().Get(name)
	}
	cases := []struct {
		name   string
		target func(t *testing.T) string
		header map[string]string
		kind   sigv4.Kind
		msg    string
	}{
		{name: "expired", kind: sigv4.InvalidSignature, msg: "expired", target: func(t *testing.T) string {
			return presignGo(t, "GET", "/accounts", 60, testAKID, testSecret, "us-east-1", fixedNow.Add(-16*time.Minute-time.Second), emptySHA256)
		}},
		{name: "expired after a week", kind: sigv4.InvalidSignature, msg: "expired", target: func(t *testing.T) string {
			return presignGo(t, "GET", "/accounts", 604800, testAKID, testSecret, "us-east-1", fixedNow.Add(-7*24*time.Hour-16*time.Minute), emptySHA256)
		}},
		{name: "no expires, older than the skew", kind: sigv4.InvalidSignature, msg: "expired", target: func(t *testing.T) string {
			return presignGo(t, "GET", "/accounts", -1, testAKID, testSecret, "us-east-1", fixedNow.Add(-16*time.Minute), emptySHA256)
		}},
		{name: "not yet valid", kind: sigv4.InvalidSignature, msg: "not yet current", target: func(t *testing.T) string {
			return presignGo(t, "GET", "/accounts", 60, testAKID, testSecret, "us-east-1", fixedNow.Add(16*time.Minute), emptySHA256)
		}},
		{name: "expires over a week", kind: sigv4.IncompleteSignature, msg: "604800", target: func(t *testing.T) string {
			return presignGo(t, "GET", "/accounts", 604801, testAKID, testSecret, "us-east-1", fixedNow, emptySHA256)
		}},
		{name: "expires not a number", kind: sigv4.IncompleteSignature, msg: "X-Amz-Expires", target: replace("X-Amz-Expires=300", "X-Amz-Expires=5m")},
		{name: "expires negative", kind: sigv4.IncompleteSignature, msg: "X-Amz-Expires", target: replace("X-Amz-Expires=300", "X-Amz-Expires=-1")},
		{name: "expires tampered", kind: sigv4.InvalidSignature, msg: "does not match", target: replace("X-Amz-Expires=300", "X-Amz-Expires=600")},
		{name: "label tampered", kind: sigv4.InvalidSignature, msg: "does not match", target: replace("/user1", "/user2")},
		{name: "query tampered", kind: sigv4.InvalidSignature, msg: "does not match", target: replace("max-results=5", "max-results=6")},
		{name: "query added", kind: sigv4.InvalidSignature, target: func(t *testing.T) string { return good(t) + "&operation=logout" }},
		{name: "signature tampered", kind: sigv4.InvalidSignature, target: func(t *testing.T) string {
			s := good(t)
			sig := param(t, s, "X-Amz-Signature")
			d := "0"
			if sig[0] == '0' {
				d = "1"
			}
			return strings.Replace(s, sig, d+sig[1:], 1)
		}},
		{name: "wrong secret", kind: sigv4.InvalidSignature, target: func(t *testing.T) string {
			return presignGo(t, "GET", "/accounts", 60, testAKID, otherSec, "us-east-1", fixedNow, emptySHA256)
		}},
		{name: "unknown key", kind: sigv4.UnrecognizedClient, target: func(t *testing.T) string {
			return presignGo(t, "GET", "/accounts", 60, "AKIDUNKNOWN", testSecret, "us-east-1", fixedNow, emptySHA256)
		}},
		{name: "wrong service", kind: sigv4.InvalidSignature, msg: "service", target: replace("%2Fchime%2F", "%2Fs3%2F")},
		{name: "scope date differs", kind: sigv4.InvalidSignature, msg: "Date in Credential scope", target: replace("%2F20261122%2F", "%2F20261121%2F")},
		{name: "algorithm", kind: sigv4.IncompleteSignature, msg: "X-Amz-Algorithm", target: replace("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1")},
		{name: "no date", kind: sigv4.IncompleteSignature, msg: "X-Amz-Date", target: func(t *testing.T) string {
			s := good(t)
			return strings.Replace(s, "X-Amz-Date="+param(t, s, "X-Amz-Date")+"&", "", 1)
		}},
		{name: "bad date", kind: sigv4.IncompleteSignature, msg: "X-Amz-Date", target: replace("X-Amz-Date=20261122T061444Z", "X-Amz-Date=2026-11-22T06%3A14%3A44Z")},
		{name: "no signed headers", kind: sigv4.IncompleteSignature, msg: "X-Amz-SignedHeaders", target: replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=")},
		{name: "host not signed", kind: sigv4.IncompleteSignature, msg: "SignedHeader", target: replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-test")},
		{name: "short signature", kind: sigv4.IncompleteSignature, msg: "Signature", target: func(t *testing.T) string {
			s := good(t)
			sig := param(t, s, "X-Amz-Signature")
			return strings.Replace(s, sig, sig[:10], 1)
		}},
		{name: "signature twice", kind: sigv4.IncompleteSignature, msg: "X-Amz-Signature", target: func(t *testing.T) string {
			s := good(t)
			return s + "&X-Amz-Signature=" + param(t, s, "X-Amz-Signature")
		}},
		{name: "credential twice", kind: sigv4.IncompleteSignature, msg: "X-Amz-Credential", target: func(t *testing.T) string {
			s := good(t)
			return s + "&X-Amz-Credential=" + strings.ReplaceAll(param(t, s, "X-Amz-Credential"), "/", "%2F")
		}},
		{name: "malformed credential", kind: sigv4.IncompleteSignature, msg: "Credential", target: replace("%2Faws4_request", "")},
		{name: "no credential", kind: sigv4.IncompleteSignature, msg: "X-Amz-Credential", target: func(t *testing.T) string {
			s := good(t)
			return strings.Replace(s, "X-Amz-Credential=", "X-Amz-Credentials=", 1)
		}},
		{name: "query and header", kind: sigv4.IncompleteSignature, msg: "Only one auth mechanism", target: good,
			header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=" + testAKID + "/20261122/us-east-1/chime/aws4_request, SignedHeaders=host, Signature=" + strings.Repeat("0", 64)}},
		{name: "session token in the query", kind: sigv4.UnrecognizedClient, msg: "long-term", target: func(t *testing.T) string {
			return good(t) + "&X-Amz-Security-Token=FQoGZXIvYXdzE"
		}},
		{name: "session token header", kind: sigv4.UnrecognizedClient, msg: "long-term", target: good, header: map[string]string{"X-Amz-Security-Token": "FQoGZXIvYXdzE"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := mustVerifier(t, sigv4.Options{})
			r := presigned(t, "GET", c.target(t))
			for k, val := range c.header {
				r.Header.Set(k, val)
			}
			a, err := v.Verify(context.Background(), r, nil, testSecrets)
			if err == nil {
				t.Fatalf("verified %s: %+v", r.URL, a)
			}
			e := wantKind(t, err, c.kind)
			if !strings.Contains(e.Message, c.msg) {
				t.Errorf("message %q does not contain %q", e.Message, c.msg)
			}
		})
	}
}

// TestPresignedBotocore verifies URLs made by botocore's generate_presigned_url (SigV4QueryAuth) at a fixed
// time. Skipped without python3 and boto3.
func TestPresignedBotocore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python3")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	const script = `
import datetime, sys, boto3, botocore.auth
botocore.auth.get_current_datetime = lambda *a, **k: datetime.datetime(2026, 11, 22, 6, 10, 0)
c = boto3.session.Session().client("chime", endpoint_url="http://chime.local:8443", region_name=sys.argv[3],
    aws_access_key_id=sys.argv[1], aws_secret_access_key=sys.argv[2])
print(c.generate_presigned_url("get_user", Params={"AccountId": "caf\u00e9 x", "UserId": "u/v"}, ExpiresIn=300))
print(c.generate_presigned_url("list_users", Params={"AccountId": "a", "UserEmail": "x+y@z.com", "MaxResults": 5}))
print(c.generate_presigned_url("logout_user", Params={"AccountId": "a", "UserId": "u"}))
`
	v := mustVerifier(t, sigv4.Options{})
	for _, region := range []string{"us-east-1", "local", "my-region"} {
		out, err := exec.Command(py, "-c", script, testAKID, testSecret, region).CombinedOutput()
		if err != nil {
			t.Skipf("botocore presign failed (boto3 missing?): %v\n%s", err, out)
		}
		methods := []string{"GET", "GET", "POST"}
		for i, u := range strings.Fields(string(out)) {
			target := strings.TrimPrefix(u, "http://chime.local:8443")
			if _, err := v.Verify(context.Background(), presigned(t, methods[i], target), nil, testSecrets); err != nil {
				t.Errorf("%s %s: %v", methods[i], u, err)
			}
		}
	}
}
