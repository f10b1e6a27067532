package http

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sigv4"
)

// Authenticator yields the identity of a request's caller, or an error: a *sigv4.Error for the front-end
// authentication failures of D16, anything else is an internal failure. service is the API the request must be
// signed for: "" is Chime's (sigv4.ServiceName); chime also answers CloudTrail's LookupEvents.
type Authenticator interface {
	Authenticate(ctx context.Context, service string, r *http.Request, body []byte) (chime.Identity, error)
}

// AnyAuth is the emulator mode (docs/behavior.md §9.1): any well-formed SigV4 authentication (an Authorization
// header or a presigned URL's query parameters) is accepted without checking the signature, the time or a session
// token; a 12-digit access key id is the AWS account id, any other maps to 000000000000.
type AnyAuth struct {
	// Regions, when not empty, is the allow-list of credential-scope regions (--regions): a request scoped to
	// another region is refused as SigV4Auth refuses it (InvalidSignature). Empty accepts any region.
	Regions []string
}

// Authenticate implements Authenticator. Like the signature, the service a request is signed for is not checked.
func (a AnyAuth) Authenticate(_ context.Context, _ string, r *http.Request, _ []byte) (chime.Identity, error) {
	auth, err := sigv4.ParseRequest(r)
	if err != nil {
		return chime.Identity{}, err
	}
	if len(a.Regions) > 0 && !slices.Contains(a.Regions, auth.Region) {
		e := sigv4.RegionNotAllowed(auth.Region)
		e.AccessKeyID = auth.AccessKeyID
		return chime.Identity{}, e
	}
	return chime.Identity{AccessKeyID: auth.AccessKeyID, AwsAccountID: AccountForKey(auth.AccessKeyID),
		Region: auth.Region}, nil
}

// AccountForKey maps an access key id to an AWS account id in emulator mode.
func AccountForKey(key string) string {
	if len(key) == 12 && strings.Trim(key, "0123456789") == "" {
		return key
	}
	return chime.DefaultAwsAccountID
}

// SigV4Auth verifies AWS Signature Version 4 against the stored credentials (the default mode).
type SigV4Auth struct {
	Verifier    *sigv4.Verifier
	Credentials *chime.Credentials
}

// Authenticate implements Authenticator. Unknown or revoked keys are UnrecognizedClient; a signature that does
// not match is InvalidSignature (D16). Signing keys are derived through the Verifier and kept with the store's
// cached copy of the credential (chime.Credentials.SigningKey), so a revocation drops them with it.
func (a SigV4Auth) Authenticate(ctx context.Context, service string, r *http.Request, body []byte) (chime.Identity, error) {
	var cred *chime.Credential
	derive := func(secret string, s chime.KeyScope) []byte {
		return a.Verifier.SigningKey(secret, sigv4.KeyScope(s))
	}
	auth, err := a.Verifier.VerifyKeyFor(ctx, service, r, body, func(ctx context.Context, id string, s sigv4.KeyScope) ([]byte, bool, error) {
		c, key, err := a.Credentials.SigningKey(ctx, id, chime.KeyScope(s), derive)
		if chime.ErrorCode(err) == chime.ENOTFOUND {
			return nil, false, nil
		} else if err != nil {
			return nil, false, err
		}
		cred = c
		return key, true, nil
	})
	if err != nil {
		return chime.Identity{}, err
	}
	return chime.Identity{AccessKeyID: auth.AccessKeyID, AwsAccountID: cred.AwsAccountID, ReadOnly: cred.ReadOnly,
		Region: auth.Region}, nil
}

// logAuthFailure logs an authentication failure (docs/behavior.md §6.4) at warn level: the exception, its reason
// (the first line of the message: a signature mismatch's canonical request and string to sign go to the client
// only) and the access key id the request named. Never the signature or a secret: neither is in the error.
func (s *Server) logAuthFailure(c *call, e *sigv4.Error) {
	attrs := make([]slog.Attr, 0, 7)
	attrs = append(attrs, slog.String("request_id", c.reqID), slog.String("method", c.r.Method),
		slog.String("path", c.logPath()), slog.String("exception", e.Kind.ExceptionName()),
		slog.String("reason", e.Reason()))
	if e.AccessKeyID != "" {
		attrs = append(attrs, slog.String("access_key_id", e.AccessKeyID))
	}
	attrs = append(attrs, slog.String("remote_addr", c.r.RemoteAddr))
	s.logger.LogAttrs(c.ctx, slog.LevelWarn, "authentication failed", attrs...)
}
