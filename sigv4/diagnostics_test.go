package sigv4_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chimed/chimed/sigv4"
)

// TestSignatureMismatchCarriesCanonicalRequest: as AWS's own services do, a signature that does not match is
// answered with the canonical request and the string to sign the server computed, and never with a secret or
// a signing key.
func TestSignatureMismatchCarriesCanonicalRequest(t *testing.T) {
	const wording = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	v := mustVerifier(t, sigv4.Options{})
	check := func(t *testing.T, r *http.Request, body string, wantCanonical string) {
		t.Helper()
		_, err := v.Verify(context.Background(), r, []byte(body), testSecrets)
		e := wantKind(t, err, sigv4.InvalidSignature)
		amzDate := fixedNow.Format("20060102T150405Z")
		sts := sigv4.StringToSign(amzDate, "20261122/eu-west-1/chime/aws4_request", wantCanonical)
		want := wording + "\n\nThe Canonical String for this request should have been\n'" + wantCanonical +
			"'\n\nThe String-to-Sign should have been\n'" + sts + "'\n"
		if e.Message != want {
			t.Errorf("message\n%s\nwant\n%s", e.Message, want)
		}
		for _, secret := range []string{testSecret, otherSec, hex.EncodeToString(signingKey(testSecret, "20261122", "eu-west-1")),
			hex.EncodeToString(signingKey(otherSec, "20261122", "eu-west-1"))} {
			if strings.Contains(e.Message, secret) {
				t.Errorf("message contains secret material %q", secret)
			}
		}
		if e.AccessKeyID != testAKID {
			t.Errorf("AccessKeyID = %q, want %q", e.AccessKeyID, testAKID)
		}
	}

	t.Run("header", func(t *testing.T) {
		body := `{"Name":"x"}`
		r := newServerRequest(t, reqSpec{method: "POST", target: "/accounts/a%20b/users?operation=add&z=1", body: body, ctype: "application/json"})
		mustSignGo(t, r, []byte(body), testAKID, otherSec, "chime", "eu-west-1", fixedNow)
		a, err := sigv4.ParseAuthorization(r.Header.Get("Authorization"))
		if err != nil {
			t.Fatal(err)
		}
		cr := sigv4.CanonicalRequest(r, a.SignedHeaders, sha256Hex(body))
		if !strings.HasPrefix(cr, "POST\n/accounts/a%2520b/users\noperation=add&z=1\n") {
			t.Fatalf("canonical request %q", cr)
		}
		check(t, r, body, cr)
	})

	t.Run("presigned", func(t *testing.T) {
		target := presignGo(t, "GET", "/accounts/acct1/users/user1", 300, testAKID, otherSec, "eu-west-1", fixedNow, emptySHA256)
		r := presigned(t, "GET", target)
		q := r.URL.Query()
		sig := q.Get("X-Amz-Signature")
		q.Del("X-Amz-Signature")
		cr := "GET\n/accounts/acct1/users/user1\n" + canonicalQueryOf(q) + "\nhost:chime.local:8443\n\nhost\n" + emptySHA256
		_, err := v.Verify(context.Background(), r, nil, testSecrets)
		e := wantKind(t, err, sigv4.InvalidSignature)
		if strings.Contains(e.Message, sig) {
			t.Errorf("message repeats the signature")
		}
		check(t, r, "", cr)
	})
}

// canonicalQueryOf encodes q as the canonical query string (the test values need no escaping beyond "/").
func canonicalQueryOf(q map[string][]string) string {
	var keys []string
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+strings.ReplaceAll(q[k][0], "/", "%2F"))
	}
	return strings.Join(parts, "&")
}

// TestErrorsNameTheAccessKey: every failure after the credential was parsed names its access key id (for the
// server's log), and only the id.
func TestErrorsNameTheAccessKey(t *testing.T) {
	v := mustVerifier(t, sigv4.Options{Regions: []string{"eu-west-1"}})
	for _, c := range []struct {
		name   string
		region string
		akid   string
		at     time.Time
	}{
		{"unknown key", "eu-west-1", "AKIDUNKNOWN", fixedNow},
		{"expired", "eu-west-1", testAKID, fixedNow.Add(-time.Hour)},
		{"region refused", "us-east-1", testAKID, fixedNow},
	} {
		r := newServerRequest(t, reqSpec{method: "GET", target: "/accounts"})
		mustSignGo(t, r, nil, c.akid, testSecret, "chime", c.region, c.at)
		_, err := v.Verify(context.Background(), r, nil, testSecrets)
		var e *sigv4.Error
		if e = asError(err); e == nil || e.AccessKeyID != c.akid {
			t.Errorf("%s: %#v, want AccessKeyID %q", c.name, e, c.akid)
		}
	}
}

func asError(err error) *sigv4.Error {
	e, _ := err.(*sigv4.Error)
	return e
}

// TestSessionTokenRefusedWithAdvice: chimed keys are long-term; a session token gets a message that says so.
func TestSessionTokenRefusedWithAdvice(t *testing.T) {
	r := newServerRequest(t, reqSpec{method: "GET", target: "/accounts"})
	r.Header.Set("X-Amz-Security-Token", "FQoGZXIvYXdzE")
	mustSignGo(t, r, nil, testAKID, testSecret, "chime", "us-east-1", fixedNow)
	_, err := mustVerifier(t, sigv4.Options{}).Verify(context.Background(), r, nil, testSecrets)
	e := wantKind(t, err, sigv4.UnrecognizedClient)
	for _, want := range []string{"long-term", "session token", "AWS_SESSION_TOKEN"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message %q does not contain %q", e.Message, want)
		}
	}
}

// TestRegionsClientsCanUse: every region name the SDKs let a client configure (botocore: a host label; the Go
// and JavaScript SDKs: host labels joined by dots) is accepted by default.
func TestRegionsClientsCanUse(t *testing.T) {
	v := mustVerifier(t, sigv4.Options{})
	for _, region := range []string{"local", "us-east-1", "eu-central-1", "my-region", "Moon-Base", "useast", "x", "a.b", "region-1.example",
		strings.Repeat("r", 63)} {
		r := newServerRequest(t, reqSpec{method: "GET", target: "/accounts"})
		mustSignGo(t, r, nil, testAKID, testSecret, "chime", region, fixedNow)
		if _, err := v.Verify(context.Background(), r, nil, testSecrets); err != nil {
			t.Errorf("region %q: %v", region, err)
		}
	}
	for _, region := range []string{"us_east_1", "-east", "east-", "a..b", ".a", "a.", "us:east", "r%41", strings.Repeat("r", 65)} {
		r := newServerRequest(t, reqSpec{method: "GET", target: "/accounts"})
		mustSignGo(t, r, nil, testAKID, testSecret, "chime", region, fixedNow)
		_, err := v.Verify(context.Background(), r, nil, testSecrets)
		if err == nil {
			t.Errorf("region %q accepted", region)
			continue
		}
		if e := asError(err); e == nil || (e.Kind != sigv4.InvalidSignature && e.Kind != sigv4.IncompleteSignature) {
			t.Errorf("region %q: %v", region, err)
		}
	}
}

func TestParseRegions(t *testing.T) {
	for in, want := range map[string][]string{
		"":                          nil,
		"  ":                        nil,
		"us-east-1":                 {"us-east-1"},
		"us-east-1, eu-west-1":      {"us-east-1", "eu-west-1"},
		" us-east-1 ,eu-west-1 , ":  {"us-east-1", "eu-west-1"},
		"local,\tmy-region":         {"local", "my-region"},
		"us-east-1,us-east-1,local": {"us-east-1", "local"},
	} {
		got, err := sigv4.ParseRegions(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("ParseRegions(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"us east 1", "us-east-1;eu-west-1", "us_east_1", "eu-west-1, -x"} {
		if got, err := sigv4.ParseRegions(in); err == nil {
			t.Errorf("ParseRegions(%q) = %q, want an error", in, got)
		}
	}
}
