package chime

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
)

// Keyring seals credential secrets with AES-256-GCM under a key derived (HKDF-SHA-256) from a master secret
// kept outside the database, so a stolen database file alone reveals no secret. The access key id is the
// additional data: a sealed secret cannot be moved to another key.
type Keyring struct {
	aead  cipher.AEAD
	check []byte // see KeyCheck
}

// MinMasterKeyLen is the shortest accepted master secret.
const MinMasterKeyLen = 32

const sealVersion = 1

// NewKeyring derives the sealing key from master. Errors: a master secret shorter than MinMasterKeyLen.
func NewKeyring(master []byte) (*Keyring, error) {
	if len(master) < MinMasterKeyLen {
		return nil, errors.New("the master key must be at least 32 characters")
	}
	key, err := hkdf.Key(sha256.New, master, []byte("chimed/v1"), "credential secrets", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	check, err := hkdf.Key(sha256.New, master, []byte("chimed/v1"), "master key check", 32)
	if err != nil {
		return nil, err
	}
	return &Keyring{aead: aead, check: append([]byte{keyCheckVersion}, check...)}, nil
}

const keyCheckVersion = 1

// KeyCheck returns the key-check value of the master key: a version byte and 32 bytes derived from the master
// key (HKDF-SHA-256, for this use only, independent of the sealing key). Kept with the data, it tells a start
// with another master key from the right one; it reveals nothing of either key.
func (k *Keyring) KeyCheck() []byte { return append([]byte(nil), k.check...) }

// MatchesKeyCheck reports whether v is the key-check value of this keyring's master key.
func (k *Keyring) MatchesKeyCheck(v []byte) bool { return subtle.ConstantTimeCompare(v, k.check) == 1 }

// Seal encrypts secret for the key id.
func (k *Keyring) Seal(id, secret string) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize(), 1+k.aead.NonceSize()+len(secret)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte{sealVersion}, nonce...)
	return k.aead.Seal(out, nonce, []byte(secret), []byte(id)), nil
}

// Open decrypts a sealed secret of key id. Errors: the data was sealed under another master key, for another
// key id, or was altered.
func (k *Keyring) Open(id string, sealed []byte) (string, error) {
	n := k.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealVersion {
		return "", errors.New("sealed secret: unknown format")
	}
	plain, err := k.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(id))
	if err != nil {
		return "", errors.New("sealed secret: cannot decrypt (is CHIMED_MASTER_KEY the one it was sealed with?)")
	}
	return string(plain), nil
}
