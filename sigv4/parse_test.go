package sigv4_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/chimed/chimed/sigv4"
)

const goodSig = "61ad2fb7acaf20b923ff2423224ae58d943b6af1f5f5aad53fdcc5052f813c8f"

func TestParseAuthorization(t *testing.T) {
	h := "AWS4-HMAC-SHA256 Credential=AKIDCHIMEDTEST0001/20261122/us-east-1/chime/aws4_request, SignedHeaders=amz-sdk-invocation-id;Host;x-amz-date, Signature=" + strings.ToUpper(goodSig)
	a, err := sigv4.ParseAuthorization(h)
	if err != nil {
		t.Fatal(err)
	}
	want := sigv4.Authorization{
		AccessKeyID:   "AKIDCHIMEDTEST0001",
		Date:          "20261122",
		Region:        "us-east-1",
		Service:       "chime",
		SignedHeaders: []string{"amz-sdk-invocation-id", "host", "x-amz-date"},
		Signature:     goodSig,
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got %+v\nwant %+v", a, want)
	}
	if a.Scope() != "20261122/us-east-1/chime/aws4_request" {
		t.Errorf("Scope() = %q", a.Scope())
	}
	// Parameter order and spacing are free; the service is not checked here.
	a, err = sigv4.ParseAuthorization("  AWS4-HMAC-SHA256 Signature=" + goodSig + ",SignedHeaders=host ,  Credential=K/20240229/eu-west-1/s3/aws4_request ")
	if err != nil {
		t.Fatal(err)
	}
	if a.Service != "s3" || a.Date != "20240229" || len(a.SignedHeaders) != 1 {
		t.Errorf("got %+v", a)
	}
}

func TestParseAuthorizationErrors(t *testing.T) {
	const cred = "Credential=AKID/20261122/us-east-1/chime/aws4_request"
	const sh = "SignedHeaders=host;x-amz-date"
	const sig = "Signature=" + goodSig
	ok := "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig
	if _, err := sigv4.ParseAuthorization(ok); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	missing := []string{"", "   ", "\t"}
	for _, h := range missing {
		_, err := sigv4.ParseAuthorization(h)
		wantKind(t, err, sigv4.MissingAuthenticationToken)
	}
	bad := map[string]string{
		"other algorithm":      "AWS4-HMAC-SHA512 " + cred + ", " + sh + ", " + sig,
		"sigv2":                "AWS AKID:c2lnbmF0dXJl",
		"bearer":               "Bearer abc",
		"algorithm only":       "AWS4-HMAC-SHA256",
		"algorithm and space":  "AWS4-HMAC-SHA256 ",
		"lower-case algorithm": "aws4-hmac-sha256 " + cred + ", " + sh + ", " + sig,
		"no credential":        "AWS4-HMAC-SHA256 " + sh + ", " + sig,
		"no signed headers":    "AWS4-HMAC-SHA256 " + cred + ", " + sig,
		"no signature":         "AWS4-HMAC-SHA256 " + cred + ", " + sh,
		"empty credential":     "AWS4-HMAC-SHA256 Credential=, " + sh + ", " + sig,
		"empty signed headers": "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=, " + sig,
		"empty signature":      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=",
		"duplicate":            ok + ", " + sig,
		"unknown parameter":    ok + ", Foo=bar",
		"no equal sign":        "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature",
		"empty parameter":      "AWS4-HMAC-SHA256 " + cred + ",, " + sh + ", " + sig,
		"trailing comma":       ok + ",",
		"scope 4 parts":        "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/chime, " + sh + ", " + sig,
		"scope 6 parts":        "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/chime/aws4_request/x, " + sh + ", " + sig,
		"bad terminator":       "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1/chime/aws5_request, " + sh + ", " + sig,
		"empty access key":     "AWS4-HMAC-SHA256 Credential=/20261122/us-east-1/chime/aws4_request, " + sh + ", " + sig,
		"empty region":         "AWS4-HMAC-SHA256 Credential=AKID/20261122//chime/aws4_request, " + sh + ", " + sig,
		"empty service":        "AWS4-HMAC-SHA256 Credential=AKID/20261122/us-east-1//aws4_request, " + sh + ", " + sig,
		"short date":           "AWS4-HMAC-SHA256 Credential=AKID/2026112/us-east-1/chime/aws4_request, " + sh + ", " + sig,
		"date not digits":      "AWS4-HMAC-SHA256 Credential=AKID/2026-1-2/us-east-1/chime/aws4_request, " + sh + ", " + sig,
		"date not a day":       "AWS4-HMAC-SHA256 Credential=AKID/20261131/us-east-1/chime/aws4_request, " + sh + ", " + sig,
		"control char in key":  "AWS4-HMAC-SHA256 Credential=AK\x01ID/20261122/us-east-1/chime/aws4_request, " + sh + ", " + sig,
		"space in region":      "AWS4-HMAC-SHA256 Credential=AKID/20261122/us east-1/chime/aws4_request, " + sh + ", " + sig,
		"long access key":      "AWS4-HMAC-SHA256 Credential=" + strings.Repeat("A", 129) + "/20261122/us-east-1/chime/aws4_request, " + sh + ", " + sig,
		"empty header name":    "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, " + sig,
		"bad header name":      "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x amz, " + sig,
		"header name colon":    "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host:x, " + sig,
		"short signature":      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=" + goodSig[:63],
		"long signature":       "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=" + goodSig + "0",
		"non-hex signature":    "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=" + goodSig[:63] + "g",
		"tab separator":        "AWS4-HMAC-SHA256\t" + cred + ", " + sh + ", " + sig,
	}
	for name, h := range bad {
		t.Run(name, func(t *testing.T) {
			a, err := sigv4.ParseAuthorization(h)
			if err == nil {
				t.Fatalf("parsed: %+v", a)
			}
			e := wantKind(t, err, sigv4.IncompleteSignature)
			if e.Message == "" {
				t.Error("empty message")
			}
		})
	}
	_, err := sigv4.ParseAuthorization("AWS4-HMAC-SHA256 SignedHeaders=host")
	e := wantKind(t, err, sigv4.IncompleteSignature)
	if !strings.Contains(e.Message, "requires 'Credential' parameter") || !strings.Contains(e.Message, "requires 'Signature' parameter") {
		t.Errorf("message %q", e.Message)
	}
}
