// Package sigv4 verifies AWS Signature Version 4 signatures on requests to
// the Amazon Chime REST API (signing name "chime"), as described in
// docs/behavior.md §6.1–§6.5.
//
// It is the server side of SigV4: it accepts what botocore (boto3, AWS CLI),
// aws-sdk-go-v2 and aws-sdk-js v3 send, signed in the Authorization header or
// as a presigned URL (query-string authentication). Session credentials
// (X-Amz-Security-Token) are not supported: chimed keys are long-term. Every
// authentication failure is an *Error whose Kind selects the x-amzn-ErrorType
// of the 403 response; see [Verifier.Verify] for the order of the checks.
package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultClockSkew is the largest accepted difference between a request's
// signing time and the server clock, in either direction (docs/behavior.md D15).
const DefaultClockSkew = 15 * time.Minute

// SecretFunc returns the secret access key for an access key id. ok is false
// when the key is unknown or revoked. A non-nil err is an internal failure
// (e.g. the database is down); Verify returns it wrapped, not as *Error.
type SecretFunc func(ctx context.Context, accessKeyID string) (secret string, ok bool, err error)

// Options configures a Verifier.
type Options struct {
	// ClockSkew is the accepted difference between X-Amz-Date and Now, in
	// either direction. Zero or negative means DefaultClockSkew (15m).
	ClockSkew time.Duration
	// Regions is an allow-list for the credential-scope region (names are
	// trimmed of white space; empty names are ignored). Empty means any
	// region name a client can be configured with: host labels (letters,
	// digits and "-", neither first nor last, at most 63 bytes) joined by
	// ".", at most 64 bytes in all — us-east-1, local, my-region, Moon-Base,
	// as botocore, aws-sdk-go-v2 and aws-sdk-js v3 accept them.
	Regions []string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Verifier checks SigV4 signatures. It is safe for concurrent use. The zero
// value is not usable: create one with New.
type Verifier struct {
	skew    time.Duration
	regions map[string]struct{} // nil: any syntactically valid region
	now     func() time.Time
	keys    *keyCache
	signed  atomic.Pointer[signedList] // the last SignedHeaders list split (splitSigned)
}

// signedList is a SignedHeaders list as sent and the names it splits into.
type signedList struct {
	list  string
	names []string
}

// maxMemoSigned bounds the SignedHeaders lists splitSigned remembers (a client's list is ~30–100 bytes).
const maxMemoSigned = 512

// splitSigned is parseSignedHeaders remembering the last list it split: a client sends the same list on every
// request, so most requests skip the split and its allocation. The memo is exact (the list is compared whole)
// and the names are shared, read only, by the Authorizations of every request that sent that list.
func (v *Verifier) splitSigned(list string) ([]string, error) {
	if m := v.signed.Load(); m != nil && m.list == list {
		return m.names, nil
	}
	names, err := parseSignedHeaders(list)
	if err == nil && len(list) <= maxMemoSigned {
		v.signed.Store(&signedList{list: strings.Clone(list), names: names}) // not the whole header kept alive
	}
	return names, err
}

// New returns a Verifier configured by o. It copies o.Regions.
func New(o Options) *Verifier {
	v := &Verifier{skew: o.ClockSkew, now: o.Now, keys: newKeyCache(keyCacheGeneration)}
	if v.skew <= 0 {
		v.skew = DefaultClockSkew
	}
	if v.now == nil {
		v.now = time.Now
	}
	for _, r := range o.Regions {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		if v.regions == nil {
			v.regions = make(map[string]struct{}, len(o.Regions))
		}
		v.regions[r] = struct{}{}
	}
	return v
}

// ParseRegions parses a comma-separated list of region names (the --regions
// flag): names are trimmed of white space, empty names and repeats dropped.
// It fails on a name no client can be configured with (see Options.Regions),
// such as "us-east-1 eu-west-1" (a missing comma). nil means no allow-list.
func ParseRegions(s string) ([]string, error) {
	var out []string
	for name := range strings.SplitSeq(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" || slices.Contains(out, name) {
			continue
		}
		if !validRegion(name) {
			return nil, fmt.Errorf("%q is not a region name: letters, digits and '-' (neither first nor last), "+
				"labels joined by '.', names separated by ','", name)
		}
		out = append(out, name)
	}
	return out, nil
}

// Verify authenticates r, whose body the caller has already read (and capped
// at 1 MiB) into body; r.Body is not touched. On success it returns the parsed
// Authorization; the caller identifies the principal by its AccessKeyID.
//
// r authenticates with its Authorization header or as a presigned URL (query
// parameters X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders,
// -Signature; see ParseRequest). Checks, in this order, with the *Error Kind
// returned when one fails:
//
//  1. the authentication parses (ParseRequest: nothing → MissingAuthenticationToken;
//     malformed, header sent twice, header and query both → IncompleteSignature);
//  2. no X-Amz-Security-Token header (nor query parameter of a presigned URL)
//     → else UnrecognizedClient, saying that keys are long-term;
//  3. the scope service is "chime" → else InvalidSignature;
//  4. the scope region is allowed (Options.Regions) → else InvalidSignature;
//  5. the signing time: X-Amz-Date (yyyymmddTHHMMSSZ), or failing that the
//     Date header (HTTP date), is present and valid → else IncompleteSignature
//     (a presigned URL's X-Amz-Date was checked by ParseRequest);
//  6. the scope date equals that date's yyyymmdd → else InvalidSignature;
//  7. the time is within ±ClockSkew of Now → else InvalidSignature
//     ("Signature expired: …" / "Signature not yet current: …"); a presigned
//     URL is valid from X-Amz-Date - ClockSkew to X-Amz-Date + X-Amz-Expires
//     + ClockSkew;
//  8. "host" is among the signed headers → else IncompleteSignature;
//  9. secrets knows the access key → else UnrecognizedClient;
//  10. a signed x-amz-content-sha256 equals hex(SHA-256(body)) → else
//     InvalidSignature;
//  11. the signature matches (constant-time) → else InvalidSignature with
//     AWS's "The request signature we calculated does not match…" message,
//     followed, as AWS does, by the canonical request and the string to sign
//     the server computed (never a secret, a signing key or the signature).
//
// The payload hash is hex(SHA-256(body)), as the SDKs sign and presign for
// this service; a presigned URL without a body may also sign the constant
// UNSIGNED-PAYLOAD (S3-style presigners), since the signature then covers all
// the request carries. The canonical query of a presigned URL leaves out
// X-Amz-Signature.
//
// The signature is computed over the botocore-normalized path (see
// CanonicalRequest). When the path as sent differs from its normalized form
// (it has "//", "." or ".." segments), a signature over the path as sent is
// accepted too, because aws-sdk-go-v2's signer does not normalize paths.
//
// Every *Error after step 1 carries the request's AccessKeyID. Verify returns
// a non-*Error error only when secrets fails (wrapped with %w), when secrets is
// nil, or when v was not created by New.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte, secrets SecretFunc) (Authorization, error) {
	if secrets == nil {
		return Authorization{}, errors.New("sigv4: nil SecretFunc")
	}
	return v.verify(ctx, ServiceName, r, body, secrets, nil)
}

// KeyScope is what a signing key is derived for, besides the secret: the credential scope's date (yyyymmdd),
// region and service.
type KeyScope struct{ Date, Region, Service string }

// KeyFunc returns the signing key of an access key for scope — what [Verifier.SigningKey] derives from its
// secret — so that a caller may keep derived keys with the rest of what it caches about the access key. ok is
// false when the key is unknown or revoked; a non-nil err is an internal failure, as for SecretFunc. The
// returned slice is not modified.
type KeyFunc func(ctx context.Context, accessKeyID string, scope KeyScope) (key []byte, ok bool, err error)

// VerifyKey is Verify with the signing key supplied by keys instead of derived from a secret: the same checks,
// in the same order, with the same errors (keys stands in for secrets at step 9).
func (v *Verifier) VerifyKey(ctx context.Context, r *http.Request, body []byte, keys KeyFunc) (Authorization, error) {
	return v.VerifyKeyFor(ctx, ServiceName, r, body, keys)
}

// VerifyKeyFor is VerifyKey for requests signed for service ("" is ServiceName): chimed answers a few
// operations of other AWS APIs (CloudTrail's LookupEvents) on its listener. A request signed for another service
// is InvalidSignature, naming service.
func (v *Verifier) VerifyKeyFor(ctx context.Context, service string, r *http.Request, body []byte, keys KeyFunc) (Authorization, error) {
	if keys == nil {
		return Authorization{}, errors.New("sigv4: nil KeyFunc")
	}
	if service == "" {
		service = ServiceName
	}
	return v.verify(ctx, service, r, body, nil, keys)
}

// SigningKey derives the signing key of secret for scope; keys of the service ServiceName are cached by the
// Verifier (bounded, keyed by a salted hash of the secret). The returned slice must not be modified.
func (v *Verifier) SigningKey(secret string, scope KeyScope) []byte {
	if scope.Service == ServiceName {
		return v.keys.signingKey(secret, scope.Date, scope.Region)
	}
	return deriveSigningKey(secret, scope.Date, scope.Region, scope.Service) // another API (VerifyKeyFor)
}

// verify implements Verify (secrets set) and VerifyKey and VerifyKeyFor (keys set), for service.
func (v *Verifier) verify(ctx context.Context, service string, r *http.Request, body []byte, secrets SecretFunc, keys KeyFunc) (Authorization, error) {
	if v == nil || v.keys == nil {
		return Authorization{}, errors.New("sigv4: Verifier not created with New")
	}
	a, err := parseRequest(r, v.splitSigned)
	if err != nil {
		return Authorization{}, err
	}
	fail := func(e *Error) (Authorization, error) {
		e.AccessKeyID = a.AccessKeyID
		return Authorization{}, e
	}
	if hasSessionToken(r, a.Presigned) {
		return fail(newError(UnrecognizedClient, msgSessionToken))
	}
	if a.Service != service {
		if service != ServiceName {
			return fail(newError(InvalidSignature, strings.Replace(msgWrongService, "'"+ServiceName+"'", "'"+service+"'", 1)))
		}
		return fail(newError(InvalidSignature, msgWrongService))
	}
	if !v.regionAllowed(a.Region) {
		return fail(RegionNotAllowed(a.Region))
	}
	var amzDate string
	var t time.Time
	if a.Presigned {
		amzDate = a.amzDate
		t, _ = parseAmzDate(amzDate) // checked by ParseRequest
	} else {
		var e *Error
		if amzDate, t, e = requestTime(r); e != nil {
			return fail(e)
		}
	}
	if a.Date != amzDate[:8] {
		return fail(newError(InvalidSignature, fmt.Sprintf(
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.Date, amzDate[:8], amzDate)))
	}
	if e := v.checkTime(t, amzDate, a.Expires); e != nil {
		return fail(e)
	}
	if !slices.Contains(a.SignedHeaders, "host") {
		return fail(incomplete(msgHostNotSigned))
	}
	ks := KeyScope{Date: a.Date, Region: a.Region, Service: service}
	var key []byte
	var ok bool
	if keys != nil {
		key, ok, err = keys(ctx, a.AccessKeyID, ks)
	} else {
		var secret string
		if secret, ok, err = secrets(ctx, a.AccessKeyID); ok && err == nil {
			key = v.SigningKey(secret, ks)
		}
	}
	if err != nil {
		return Authorization{}, fmt.Errorf("sigv4: looking up access key: %w", err)
	}
	if !ok {
		return fail(newError(UnrecognizedClient, msgBadToken))
	}

	payloadHash := hashHex(body)
	if slices.Contains(a.SignedHeaders, "x-amz-content-sha256") {
		got := r.Header["X-Amz-Content-Sha256"]
		if len(got) != 1 || strings.TrimSpace(got[0]) != payloadHash {
			return fail(newError(InvalidSignature, msgContentSHA256))
		}
	}

	var want [sha256.Size]byte
	if n, err := hex.Decode(want[:], []byte(a.Signature)); err != nil || n != len(want) { // unreachable: ParseRequest checked the hex
		return fail(incomplete("Signature must be 64 hexadecimal characters."))
	}
	raw := wirePath(r)
	if raw == "" {
		raw = "/"
	}
	norm := normalizePath(raw)
	uri := canonicalURI(norm)
	if matchesFast(key, r, &a, payloadHash, uri, amzDate, want[:]) {
		return a, nil
	}
	scope := a.Scope()
	canonical := buildCanonical(r, a.SignedHeaders, payloadHash, uri, a.Presigned)
	sts := StringToSign(amzDate, scope, canonical)
	// The alternatives a client may have signed instead: the path as sent, and
	// UNSIGNED-PAYLOAD for a presigned URL without a body.
	paths := []string{norm}
	if norm != raw {
		paths = append(paths, raw)
	}
	hashes := []string{payloadHash}
	if a.Presigned && len(body) == 0 {
		hashes = append(hashes, unsignedPayload)
	}
	for i, h := range hashes {
		for j, p := range paths {
			if i == 0 && j == 0 {
				continue // tried above
			}
			cr := buildCanonical(r, a.SignedHeaders, h, canonicalURI(p), a.Presigned)
			if signatureMatches(key, StringToSign(amzDate, scope, cr), want[:]) {
				return a, nil
			}
		}
	}
	return fail(signatureMismatch(canonical, sts))
}

// unsignedPayload is the payload hash of requests whose body is not signed.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// hasSessionToken reports whether r carries an X-Amz-Security-Token header or,
// when presigned, query parameter.
func hasSessionToken(r *http.Request, presigned bool) bool {
	if _, ok := r.Header["X-Amz-Security-Token"]; ok {
		return true
	}
	if presigned {
		_, ok := presignQuery(r)[querySecurityToken]
		return ok
	}
	return false
}

// StringToSign returns the SigV4 string to sign for a canonical request.
func StringToSign(amzDate, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

func signatureMatches(key []byte, stringToSign string, want []byte) bool {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(stringToSign))
	return hmac.Equal(m.Sum(nil), want)
}

func (v *Verifier) regionAllowed(region string) bool {
	if v.regions != nil {
		_, ok := v.regions[region]
		return ok
	}
	return validRegion(region)
}

// validRegion reports whether s is a region name a client can be configured
// with: host labels of letters, digits and "-" (not first or last, at most 63
// bytes each) joined by ".", at most 64 bytes in all (botocore accepts one
// such label, aws-sdk-go-v2 and aws-sdk-js v3 several joined by dots).
func validRegion(s string) bool {
	if s == "" || len(s) > maxScopeFieldLen {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// requestTime returns the signing time from X-Amz-Date, or else from Date, as
// a yyyymmddTHHMMSSZ string and a time. Errors are IncompleteSignature.
func requestTime(r *http.Request) (string, time.Time, *Error) {
	if s := r.Header.Get("X-Amz-Date"); s != "" {
		t, ok := parseAmzDate(s)
		if !ok {
			return "", time.Time{}, incomplete("X-Amz-Date must be in the ISO-8601 basic format yyyyMMdd'T'HHmmss'Z'.")
		}
		return s, t, nil
	}
	if s := r.Header.Get("Date"); s != "" {
		t, err := http.ParseTime(s)
		if err != nil {
			return "", time.Time{}, incomplete("Date header must be an HTTP date.")
		}
		t = t.UTC()
		return t.Format(amzDateLayout), t, nil
	}
	return "", time.Time{}, incomplete(msgNoDate)
}

// parseAmzDate strictly parses yyyymmddTHHMMSSZ.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(amzDateLayout) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	return civilTime(s[:8], s[9:15])
}

// checkTime rejects a signing time t outside [now-skew, now+skew] with AWS's
// messages, and a presigned URL valid for expires (> 0) when t+expires is
// before now-skew.
func (v *Verifier) checkTime(t time.Time, amzDate string, expires time.Duration) *Error {
	now := v.now().UTC()
	lo := now.Add(-v.skew)
	switch end := t.Add(expires); {
	case expires > 0 && end.Before(lo):
		return newError(InvalidSignature, fmt.Sprintf(
			"Signature expired: the presigned URL expired at %s (X-Amz-Date %s + X-Amz-Expires %d), which is now earlier than %s (%s - %s.)",
			end.Format(amzDateLayout), amzDate, expires/time.Second, lo.Format(amzDateLayout), now.Format(amzDateLayout), skewText(v.skew)))
	case t.Before(lo) && expires <= 0:
		return newError(InvalidSignature, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s.)",
			amzDate, lo.Format(amzDateLayout), now.Format(amzDateLayout), skewText(v.skew)))
	}
	if hi := now.Add(v.skew); t.After(hi) {
		return newError(InvalidSignature, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s.)",
			amzDate, hi.Format(amzDateLayout), now.Format(amzDateLayout), skewText(v.skew)))
	}
	return nil
}

// skewText renders the skew as AWS does ("15 min"), falling back to
// time.Duration's format for windows that are not whole minutes.
func skewText(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return d.String()
}
