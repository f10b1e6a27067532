package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"regexp"

	chime "github.com/chimed/chimed"
)

// Key is an access key as the console sees it.
type Key struct {
	ID           string
	AwsAccountID string
	ReadOnly     bool
}

// ErrBadSecret is Keys.Verify's answer for an unknown or revoked key or a wrong secret (the console does not
// say which).
var ErrBadSecret = errors.New("unknown access key or wrong secret")

// Keys checks the secrets given at sign-in and the keys of live sessions.
type Keys interface {
	// Verify returns the key id when secret is its secret. Errors: ErrBadSecret; anything else is internal.
	Verify(ctx context.Context, id, secret string) (Key, error)
	// Current returns the key id as it is now. Errors: ErrBadSecret when it is unknown or revoked; anything
	// else is internal.
	Current(ctx context.Context, id string) (Key, error)
}

// CredentialKeys checks keys against the stored credentials (--auth sigv4): the secret given is compared in
// constant time with the credential's unsealed secret. Credentials.Lookup reads through the store's cache,
// which a revocation (by any process) invalidates, so Current costs no query in the common case.
type CredentialKeys struct {
	Credentials *chime.Credentials
}

// Verify implements Keys.
func (k CredentialKeys) Verify(ctx context.Context, id, secret string) (Key, error) {
	cred, stored, err := k.Credentials.Lookup(ctx, id)
	if chime.ErrorCode(err) == chime.ENOTFOUND {
		sameSecret(secret, "an unknown key costs a comparison too")
		return Key{}, ErrBadSecret
	} else if err != nil {
		return Key{}, err
	}
	if !sameSecret(secret, stored) {
		return Key{}, ErrBadSecret
	}
	return Key{ID: cred.AccessKeyID, AwsAccountID: cred.AwsAccountID, ReadOnly: cred.ReadOnly}, nil
}

// Current implements Keys.
func (k CredentialKeys) Current(ctx context.Context, id string) (Key, error) {
	cred, _, err := k.Credentials.Lookup(ctx, id)
	if chime.ErrorCode(err) == chime.ENOTFOUND {
		return Key{}, ErrBadSecret
	} else if err != nil {
		return Key{}, err
	}
	return Key{ID: cred.AccessKeyID, AwsAccountID: cred.AwsAccountID, ReadOnly: cred.ReadOnly}, nil
}

// sameSecret compares two secrets in constant time (their SHA-256, so that the length leaks nothing either).
func sameSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// EmulatorKeys is the emulator mode (--auth any), where the API checks no signature: any well-formed key id
// signs in with any non-empty secret, and AccountFor maps it to its AWS account (a 12-digit id is the account).
// It is as open as the API it administers.
type EmulatorKeys struct {
	AccountFor func(keyID string) string
}

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,128}$`)

// Verify implements Keys.
func (k EmulatorKeys) Verify(ctx context.Context, id, secret string) (Key, error) {
	if secret == "" {
		return Key{}, ErrBadSecret
	}
	return k.Current(ctx, id)
}

// Current implements Keys.
func (k EmulatorKeys) Current(_ context.Context, id string) (Key, error) {
	if !keyIDPattern.MatchString(id) {
		return Key{}, ErrBadSecret
	}
	return Key{ID: id, AwsAccountID: k.AccountFor(id)}, nil
}
