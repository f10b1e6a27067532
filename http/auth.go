package http

import (
	"context"
	"net/http"
	"strings"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sigv4"
)

// Authenticator yields the identity of a request's caller, or an error: a *sigv4.Error for the front-end
// authentication failures of D16, anything else is an internal failure.
type Authenticator interface {
	Authenticate(ctx context.Context, r *http.Request, body []byte) (chime.Identity, error)
}

// AnyAuth is the emulator mode (docs/behavior.md §9.1): any well-formed SigV4 Authorization header is accepted without
// checking the signature; a 12-digit access key id is the AWS account id, any other maps to 000000000000.
type AnyAuth struct{}

// Authenticate implements Authenticator.
func (AnyAuth) Authenticate(_ context.Context, r *http.Request, _ []byte) (chime.Identity, error) {
	a, err := sigv4.ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return chime.Identity{}, err
	}
	return chime.Identity{AccessKeyID: a.AccessKeyID, AwsAccountID: AccountForKey(a.AccessKeyID)}, nil
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
// not match is InvalidSignature (D16).
func (a SigV4Auth) Authenticate(ctx context.Context, r *http.Request, body []byte) (chime.Identity, error) {
	var cred *chime.Credential
	auth, err := a.Verifier.Verify(ctx, r, body, func(ctx context.Context, id string) (string, bool, error) {
		c, secret, err := a.Credentials.Lookup(ctx, id)
		if chime.ErrorCode(err) == chime.ENOTFOUND {
			return "", false, nil
		} else if err != nil {
			return "", false, err
		}
		cred = c
		return secret, true, nil
	})
	if err != nil {
		return chime.Identity{}, err
	}
	return chime.Identity{AccessKeyID: auth.AccessKeyID, AwsAccountID: cred.AwsAccountID, ReadOnly: cred.ReadOnly}, nil
}
