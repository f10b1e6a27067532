package chime

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"time"
)

// Credential is an access key of one AWS account. The secret is kept only sealed by a Keyring.
type Credential struct {
	AccessKeyID  string
	AwsAccountID string
	ReadOnly     bool
	SealedSecret []byte
	CreatedAt    time.Time
	RevokedAt    time.Time // zero while valid
}

// KeyScope is what a SigV4 signing key is derived for besides the secret: the credential scope's date
// (yyyymmdd), region and service.
type KeyScope struct{ Date, Region, Service string }

// signingKeys keeps the signing keys derived from the secrets of recently used credentials, so that a request
// does not unseal a secret and derive its key again. An entry is bound to the exact sealed secret it was
// derived from: a credential whose stored secret changed (a new secret, or a re-creation, which seals afresh
// with a new nonce) misses it, and a revoked or deleted one is refused before the entry is consulted and drops
// it. Entries hold keys only, never the secret; keys are secret material scoped to one day, region and
// service: never log them.
type signingKeys struct {
	mu      sync.RWMutex
	entries map[string]*signingEntry // by access key id; bounded by maxSigningEntries
}

// signingEntry is immutable: a change replaces it.
type signingEntry struct {
	sealed []byte // the sealed secret the keys were derived from
	keys   []derivedKey
}

type derivedKey struct {
	scope KeyScope
	key   []byte
}

// maxDerivedKeys bounds the keys kept per credential (a key is used from a few regions at most, and its date
// changes daily); maxSigningEntries bounds the credentials (when full, the map starts afresh).
const maxDerivedKeys, maxSigningEntries = 4, 10_000

func (sk *signingKeys) key(cred *Credential, scope KeyScope) []byte {
	sk.mu.RLock()
	e := sk.entries[cred.AccessKeyID]
	sk.mu.RUnlock()
	if e == nil || !bytes.Equal(e.sealed, cred.SealedSecret) {
		return nil
	}
	for _, d := range e.keys {
		if d.scope == scope {
			return d.key
		}
	}
	return nil
}

func (sk *signingKeys) put(cred *Credential, scope KeyScope, key []byte) {
	sk.mu.Lock()
	defer sk.mu.Unlock()
	var keys []derivedKey
	if e := sk.entries[cred.AccessKeyID]; e != nil && bytes.Equal(e.sealed, cred.SealedSecret) {
		keys = e.keys[max(0, len(e.keys)-maxDerivedKeys+1):]
	}
	if sk.entries == nil || len(sk.entries) >= maxSigningEntries {
		sk.entries = map[string]*signingEntry{}
	}
	sk.entries[cred.AccessKeyID] = &signingEntry{sealed: bytes.Clone(cred.SealedSecret),
		keys: append(slices.Clone(keys), derivedKey{scope, key})}
}

func (sk *signingKeys) drop(id string) {
	sk.mu.Lock()
	delete(sk.entries, id)
	sk.mu.Unlock()
}

// CredentialStore persists credentials. Errors: ENOTFOUND for an unknown key id, ECONFLICT when inserting an
// existing one; anything else is internal. It keeps no cache, so changes made by any process sharing the
// database take effect at once.
type CredentialStore interface {
	InsertCredential(ctx context.Context, c *Credential) error
	// PutCredential creates c or replaces the account, rights and secret of the key, un-revoking it.
	PutCredential(ctx context.Context, c *Credential) error
	// Credential returns the key, revoked or not. It may be shared with a cache and other callers: callers must
	// not modify it.
	Credential(ctx context.Context, accessKeyID string) (*Credential, error)
	ListCredentials(ctx context.Context) ([]*Credential, error)
	// RevokeCredential marks a valid key revoked at at. ENOTFOUND when unknown or already revoked.
	RevokeCredential(ctx context.Context, accessKeyID string, at time.Time) error
	CountCredentials(ctx context.Context) (int, error)
}

// CredentialTx holds the Tx methods of credentials (sqlstore/credentials.go): the command line's changes, written
// in one transaction with their audit record (CreateAudited, RevokeAudited).
type CredentialTx interface {
	// AddCredential stores a new key. ECONFLICT when the access key id exists.
	AddCredential(ctx context.Context, c *Credential) error
	// RevokeCredentialAt marks a valid key revoked at at. ENOTFOUND when unknown or already revoked.
	RevokeCredentialAt(ctx context.Context, accessKeyID string, at time.Time) error
}

// Credentials manages access keys: creation, bootstrap, lookup for signature verification, revocation.
type Credentials struct {
	store   CredentialStore
	keyring *Keyring
	now     func() time.Time
	signing signingKeys
}

// NewCredentials returns the credential service over store, sealing secrets with keyring.
func NewCredentials(store CredentialStore, keyring *Keyring) *Credentials {
	return &Credentials{store: store, keyring: keyring, now: time.Now}
}

var (
	awsAccountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	accessKeyPattern  = regexp.MustCompile(`^[A-Za-z0-9]{16,128}$`)
)

// ValidateAwsAccountID checks a 12-digit AWS account id. Errors: EINVALID.
func ValidateAwsAccountID(id string) error {
	if !awsAccountPattern.MatchString(id) {
		return Invalid("the AWS account id must be 12 digits")
	}
	return nil
}

// Create makes a new access key for the AWS account aws and returns its id and its secret (the only time the
// secret is shown). Errors: EINVALID for a bad account id.
func (c *Credentials) Create(ctx context.Context, aws string, readOnly bool) (id, secret string, err error) {
	if err := ValidateAwsAccountID(aws); err != nil {
		return "", "", err
	}
	cred, secret, err := c.mint(aws, readOnly)
	if err != nil {
		return "", "", err
	}
	if err := c.store.InsertCredential(ctx, cred); err != nil {
		return "", "", err
	}
	return cred.AccessKeyID, secret, nil
}

// mint returns a new key of aws (its secret sealed) and its secret.
func (c *Credentials) mint(aws string, readOnly bool) (*Credential, string, error) {
	b := make([]byte, 10+30)
	if _, err := rand.Read(b); err != nil {
		return nil, "", err
	}
	id := "AKCH" + base32.StdEncoding.EncodeToString(b[:10])
	secret := base64.StdEncoding.EncodeToString(b[10:])
	sealed, err := c.keyring.Seal(id, secret)
	if err != nil {
		return nil, "", err
	}
	return &Credential{AccessKeyID: id, AwsAccountID: aws, ReadOnly: readOnly, SealedSecret: sealed,
		CreatedAt: c.now().UTC().Truncate(time.Millisecond)}, secret, nil
}

// Put creates or updates the key id with the given secret and account (the bootstrap credential of §9.1).
// Errors: EINVALID for a malformed id, a secret shorter than 16 characters or a bad account id.
func (c *Credentials) Put(ctx context.Context, id, secret, aws string, readOnly bool) error {
	if !accessKeyPattern.MatchString(id) {
		return Invalid("the access key id must be 16-128 letters and digits")
	}
	if len(secret) < 16 || len(secret) > 256 {
		return Invalid("the secret access key must be 16-256 characters")
	}
	if err := ValidateAwsAccountID(aws); err != nil {
		return err
	}
	sealed, err := c.keyring.Seal(id, secret)
	if err != nil {
		return err
	}
	return c.store.PutCredential(ctx, &Credential{AccessKeyID: id, AwsAccountID: aws, ReadOnly: readOnly,
		SealedSecret: sealed, CreatedAt: c.now().UTC().Truncate(time.Millisecond)})
}

// Lookup returns a valid (not revoked) key and its secret. Errors: ENOTFOUND when unknown or revoked; an
// internal error when the secret cannot be unsealed (a different master key).
func (c *Credentials) Lookup(ctx context.Context, id string) (*Credential, string, error) {
	if len(id) > 128 {
		return nil, "", NotFound()
	}
	cred, err := c.store.Credential(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if !cred.RevokedAt.IsZero() {
		return nil, "", NotFound()
	}
	secret, err := c.keyring.Open(id, cred.SealedSecret)
	if err != nil {
		return nil, "", fmt.Errorf("credential %s: %w", id, err)
	}
	return cred, secret, nil
}

// SigningKey returns a valid (not revoked) key and the signing key that derive makes of its secret for scope.
// The keys derived are kept (see signingKeys): the secret is unsealed and derive runs only on a credential's
// first request of each scope, and again after its stored secret changed. Errors as Lookup's.
func (c *Credentials) SigningKey(ctx context.Context, id string, scope KeyScope,
	derive func(secret string, scope KeyScope) []byte) (*Credential, []byte, error) {
	if len(id) > 128 {
		return nil, nil, NotFound()
	}
	cred, err := c.store.Credential(ctx, id)
	if ErrorCode(err) == ENOTFOUND || err == nil && !cred.RevokedAt.IsZero() {
		c.signing.drop(id)
		return nil, nil, NotFound()
	} else if err != nil {
		return nil, nil, err
	}
	if key := c.signing.key(cred, scope); key != nil {
		return cred, key, nil
	}
	secret, err := c.keyring.Open(id, cred.SealedSecret)
	if err != nil {
		return nil, nil, fmt.Errorf("credential %s: %w", id, err)
	}
	key := derive(secret, scope)
	c.signing.put(cred, scope, key)
	return cred, key, nil
}

// List returns every credential (sealed secrets included; never print them).
func (c *Credentials) List(ctx context.Context) ([]*Credential, error) {
	return c.store.ListCredentials(ctx)
}

// Revoke revokes a key at once. Errors: ENOTFOUND when unknown or already revoked.
func (c *Credentials) Revoke(ctx context.Context, id string) error {
	return c.store.RevokeCredential(ctx, id, c.now().UTC().Truncate(time.Millisecond))
}

// Empty reports whether no credential was ever stored.
func (c *Credentials) Empty(ctx context.Context) (bool, error) {
	n, err := c.store.CountCredentials(ctx)
	return n == 0, err
}

// ErrWrongMasterKey is CheckMasterKey's answer when the master key is not the one the store was sealed with.
var ErrWrongMasterKey = errors.New("the master key is not the one this store was created with")

// keyCheckSecret names the server secret holding the key-check value of the master key (Keyring.KeyCheck).
const keyCheckSecret = "master-key-check"

// SecretStore keeps the server-wide secrets (the part of Store that CheckMasterKey needs).
type SecretStore interface {
	Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error)
}

// CheckMasterKey refuses a keyring whose master key is not the store's: it compares the keyring's key-check
// value with the one kept among the store's server secrets, and stores it when there is none yet — at once in a
// store without credentials, else (a store written before key checks existed) only when the keyring opens at
// least one stored credential, revoked or not. Errors: ErrWrongMasterKey; a store error.
func CheckMasterKey(ctx context.Context, secrets SecretStore, creds CredentialStore, k *Keyring) error {
	v, err := secrets.Secret(ctx, keyCheckSecret, func() ([]byte, error) {
		list, err := creds.ListCredentials(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			if _, err := k.Open(c.AccessKeyID, c.SealedSecret); err == nil {
				return k.KeyCheck(), nil
			}
		}
		if len(list) > 0 {
			return nil, ErrWrongMasterKey
		}
		return k.KeyCheck(), nil
	})
	if err != nil {
		return err
	}
	if !k.MatchesKeyCheck(v) {
		return ErrWrongMasterKey
	}
	return nil
}
