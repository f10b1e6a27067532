package sqlstore_test

import (
	"path/filepath"
	"testing"

	chime "github.com/chimed/chimed"
)

// TestSigningKeysLiveWithTheCachedCredential: the signing key of a credential is derived once per scope while
// the store's cached copy lives, and a revocation or a new secret — through this store or through another
// process's (a second store on the file) — drops it: the next lookup fails or derives from the new secret.
func TestSigningKeysLiveWithTheCachedCredential(t *testing.T) {
	t.Parallel()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "keys.db")
	a, b := MustOpen(t, dsn), MustOpen(t, dsn)
	keyring, err := chime.NewKeyring([]byte("a master key of at least thirty-two characters"))
	if err != nil {
		t.Fatal(err)
	}
	credsA, credsB := chime.NewCredentials(a, keyring), chime.NewCredentials(b, keyring)
	var derived []string // the secrets derive was called with
	derive := func(secret string, s chime.KeyScope) []byte {
		derived = append(derived, secret)
		return []byte(secret + "|" + s.Date + "|" + s.Region + "|" + s.Service)
	}
	scope := chime.KeyScope{Date: "20261201", Region: "us-east-1", Service: "chime"}
	lookup := func(c *chime.Credentials, id string, s chime.KeyScope) (string, error) {
		_, key, err := c.SigningKey(ctx, id, s, derive)
		return string(key), err
	}

	id, secret, err := credsA.Create(ctx, tenant, false)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if key, err := lookup(credsA, id, scope); err != nil || key != secret+"|20261201|us-east-1|chime" {
			t.Fatalf("key %q, %v", key, err)
		}
	}
	if len(derived) != 1 {
		t.Fatalf("derived %d times for one scope, want once (cached with the credential)", len(derived))
	}
	other := chime.KeyScope{Date: "20261201", Region: "eu-west-1", Service: "chime"}
	if key, err := lookup(credsA, id, other); err != nil || key != secret+"|20261201|eu-west-1|chime" {
		t.Fatalf("other region: key %q, %v", key, err)
	}
	if _, err := lookup(credsA, id, scope); err != nil || len(derived) != 2 {
		t.Fatalf("derivations %d after a second scope and a repeat of the first, want 2 (%v)", len(derived), err)
	}

	// A new secret through the other store: the cached keys go; the next key is derived from the new secret.
	const rotated = "a-rotated-secret-0123456789"
	if err := credsB.Put(ctx, id, rotated, tenant, false); err != nil {
		t.Fatal(err)
	}
	if key, err := lookup(credsA, id, scope); err != nil || key != rotated+"|20261201|us-east-1|chime" {
		t.Fatalf("after another process rotated the secret: key %q, %v", key, err)
	}
	// Revoked through the other store, then through this one after a re-creation: no key either way.
	if err := credsB.Revoke(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := lookup(credsA, id, scope); chime.ErrorCode(err) != chime.ENOTFOUND {
		t.Fatalf("a key revoked by another process still yields a signing key: %v", err)
	}
	id2, _, err := credsA.Create(ctx, tenant, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lookup(credsA, id2, scope); err != nil {
		t.Fatal(err)
	}
	if err := credsA.Revoke(ctx, id2); err != nil {
		t.Fatal(err)
	}
	if _, err := lookup(credsA, id2, scope); chime.ErrorCode(err) != chime.ENOTFOUND {
		t.Fatalf("a key revoked through this store still yields a signing key: %v", err)
	}
}
