// Package sigv4 verifies AWS Signature Version 4 (header-based) signatures on
// requests to the Amazon Chime REST API (signing name "chime"), as described
// in docs/behavior.md §6.1–§6.5.
//
// It is the server side of SigV4: it accepts what botocore (boto3, AWS CLI)
// and aws-sdk-go-v2 send. Presigned URLs (query authentication) and session
// credentials (X-Amz-Security-Token) are not supported. Every authentication
// failure is an *Error whose Kind selects the x-amzn-ErrorType of the 403
// response; see [Verifier.Verify] for the order of the checks.
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
	// Regions is an allow-list for the credential-scope region. Empty means
	// any syntactically valid region: a run of at least two lowercase letters
	// followed by one or more "-" + [a-z0-9]+ parts (us-east-1, eu-west-1,
	// us-gov-west-1, cn-north-1), at most 64 bytes.
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
	if len(o.Regions) > 0 {
		v.regions = make(map[string]struct{}, len(o.Regions))
		for _, r := range o.Regions {
			v.regions[r] = struct{}{}
		}
	}
	return v
}

// Verify authenticates r, whose body the caller has already read (and capped
// at 1 MiB) into body; r.Body is not touched. On success it returns the parsed
// Authorization; the caller identifies the principal by its AccessKeyID.
//
// Checks, in this order, with the *Error Kind returned when one fails:
//
//  1. the Authorization header parses (ParseAuthorization: no header →
//     MissingAuthenticationToken; malformed, or sent twice → IncompleteSignature);
//  2. no X-Amz-Security-Token header → else UnrecognizedClient;
//  3. the scope service is "chime" → else InvalidSignature;
//  4. the scope region is allowed (Options.Regions) → else InvalidSignature;
//  5. X-Amz-Date (yyyymmddTHHMMSSZ), or failing that the Date header (HTTP
//     date), is present and valid → else IncompleteSignature;
//  6. the scope date equals that date's yyyymmdd → else InvalidSignature;
//  7. the time is within ±ClockSkew of Now → else InvalidSignature
//     ("Signature expired: …" / "Signature not yet current: …");
//  8. "host" is among SignedHeaders → else IncompleteSignature;
//  9. secrets knows the access key → else UnrecognizedClient;
//  10. a signed x-amz-content-sha256 equals hex(SHA-256(body)) → else
//     InvalidSignature;
//  11. the signature matches (constant-time) → else InvalidSignature with
//     AWS's "The request signature we calculated does not match…" message.
//
// The signature is computed over the botocore-normalized path (see
// CanonicalRequest). When the path as sent differs from its normalized form
// (it has "//", "." or ".." segments), a signature over the path as sent is
// accepted too, because aws-sdk-go-v2's signer does not normalize paths.
//
// Verify returns a non-*Error error only when secrets fails (wrapped with %w),
// when secrets is nil, or when v was not created by New.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte, secrets SecretFunc) (Authorization, error) {
	if v == nil || v.keys == nil {
		return Authorization{}, errors.New("sigv4: Verifier not created with New")
	}
	if secrets == nil {
		return Authorization{}, errors.New("sigv4: nil SecretFunc")
	}
	authz := r.Header.Values("Authorization")
	if len(authz) > 1 {
		return Authorization{}, incomplete(msgMultipleHeader)
	}
	h := ""
	if len(authz) == 1 {
		h = authz[0]
	}
	a, err := ParseAuthorization(h)
	if err != nil {
		return Authorization{}, err
	}
	if _, ok := r.Header["X-Amz-Security-Token"]; ok {
		return Authorization{}, newError(UnrecognizedClient, msgBadToken)
	}
	if a.Service != ServiceName {
		return Authorization{}, newError(InvalidSignature, msgWrongService)
	}
	if !v.regionAllowed(a.Region) {
		return Authorization{}, newError(InvalidSignature, "Credential should be scoped to a valid region, not '"+a.Region+"'. ")
	}
	amzDate, t, err := requestTime(r)
	if err != nil {
		return Authorization{}, err
	}
	if a.Date != amzDate[:8] {
		return Authorization{}, newError(InvalidSignature, fmt.Sprintf(
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.Date, amzDate[:8], amzDate))
	}
	if err := v.checkSkew(t, amzDate); err != nil {
		return Authorization{}, err
	}
	if !slices.Contains(a.SignedHeaders, "host") {
		return Authorization{}, incomplete(msgHostNotSigned)
	}
	secret, ok, err := secrets(ctx, a.AccessKeyID)
	if err != nil {
		return Authorization{}, fmt.Errorf("sigv4: looking up access key: %w", err)
	}
	if !ok {
		return Authorization{}, newError(UnrecognizedClient, msgBadToken)
	}

	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if slices.Contains(a.SignedHeaders, "x-amz-content-sha256") {
		got := r.Header.Values("X-Amz-Content-Sha256")
		if len(got) != 1 || strings.TrimSpace(got[0]) != payloadHash {
			return Authorization{}, newError(InvalidSignature, msgContentSHA256)
		}
	}

	want, err := hex.DecodeString(a.Signature)
	if err != nil { // unreachable: ParseAuthorization checked the hex
		return Authorization{}, incomplete("Signature must be 64 hexadecimal characters.")
	}
	key := v.keys.signingKey(secret, a.Date, a.Region)
	scope := a.Scope()
	raw := wirePath(r)
	if raw == "" {
		raw = "/"
	}
	norm := normalizePath(raw)
	if signatureMatches(key, amzDate, scope, buildCanonical(r, a.SignedHeaders, payloadHash, canonicalURI(norm)), want) {
		return a, nil
	}
	if norm != raw && signatureMatches(key, amzDate, scope, buildCanonical(r, a.SignedHeaders, payloadHash, canonicalURI(raw)), want) {
		return a, nil
	}
	return Authorization{}, newError(InvalidSignature, msgSignature)
}

// StringToSign returns the SigV4 string to sign for a canonical request.
func StringToSign(amzDate, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

func signatureMatches(key []byte, amzDate, scope, canonical string, want []byte) bool {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(StringToSign(amzDate, scope, canonical)))
	return hmac.Equal(m.Sum(nil), want)
}

func (v *Verifier) regionAllowed(region string) bool {
	if v.regions != nil {
		_, ok := v.regions[region]
		return ok
	}
	return validRegion(region)
}

// validRegion reports whether s looks like an AWS region: [a-z]{2,}(-[a-z0-9]+)+,
// at most 64 bytes.
func validRegion(s string) bool {
	if len(s) > maxScopeFieldLen {
		return false
	}
	head, rest, ok := strings.Cut(s, "-")
	if !ok || len(head) < 2 {
		return false
	}
	for i := 0; i < len(head); i++ {
		if head[i] < 'a' || head[i] > 'z' {
			return false
		}
	}
	for part := range strings.SplitSeq(rest, "-") {
		if part == "" {
			return false
		}
		for i := 0; i < len(part); i++ {
			c := part[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
				return false
			}
		}
	}
	return true
}

// requestTime returns the signing time from X-Amz-Date, or else from Date, as
// a yyyymmddTHHMMSSZ string and a time. Errors are IncompleteSignature.
func requestTime(r *http.Request) (string, time.Time, error) {
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
	if len(s) != len(amzDateLayout) || s[8] != 'T' || s[15] != 'Z' || !isDigits(s[:8]) || !isDigits(s[9:15]) {
		return time.Time{}, false
	}
	t, err := time.Parse(amzDateLayout, s)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

// checkSkew rejects t outside [now-skew, now+skew] with AWS's messages.
func (v *Verifier) checkSkew(t time.Time, amzDate string) error {
	now := v.now().UTC()
	window := skewText(v.skew)
	if lo := now.Add(-v.skew); t.Before(lo) {
		return newError(InvalidSignature, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %s.)",
			amzDate, lo.Format(amzDateLayout), now.Format(amzDateLayout), window))
	}
	if hi := now.Add(v.skew); t.After(hi) {
		return newError(InvalidSignature, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %s.)",
			amzDate, hi.Format(amzDateLayout), now.Format(amzDateLayout), window))
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
