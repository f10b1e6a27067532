package sigv4

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
)

// keyCacheGeneration is the number of entries per cache generation; the
// cache holds at most twice as many signing keys.
const keyCacheGeneration = 512

// keyCache caches derived SigV4 signing keys. It is safe for concurrent use
// and bounded: entries live in two generations; when the current generation
// is full it becomes the old one and the previous old one is dropped. A hit
// in the old generation is promoted, so keys in use survive rotation.
//
// Map keys never hold a plaintext secret: the secret is represented by
// HMAC-SHA256(salt, secret) with a random per-cache salt, so the map keys are
// useless outside the process and cannot be matched against precomputed
// hashes. The cached values (signing keys) are secret material themselves,
// scoped to one date and region.
type keyCache struct {
	salt []byte
	max  int

	mu  sync.Mutex
	cur map[cacheKey][]byte
	old map[cacheKey][]byte
}

type cacheKey struct {
	secret [sha256.Size]byte
	date   string
	region string
}

func newKeyCache(perGeneration int) *keyCache {
	salt := make([]byte, 32)
	_, _ = rand.Read(salt) // never fails: crypto/rand.Read crashes the program instead (Go ≥ 1.24)
	return &keyCache{salt: salt, max: perGeneration, cur: make(map[cacheKey][]byte)}
}

// signingKey returns the signing key for (secret, date, region, ServiceName),
// deriving and caching it on a miss. The returned slice must not be modified.
func (c *keyCache) signingKey(secret, date, region string) []byte {
	k := cacheKey{date: date, region: region, secret: hmacSum(c.salt, secret)}

	c.mu.Lock()
	if key, ok := c.cur[k]; ok {
		c.mu.Unlock()
		return key
	}
	if key, ok := c.old[k]; ok {
		c.putLocked(k, key)
		c.mu.Unlock()
		return key
	}
	c.mu.Unlock()

	key := deriveSigningKey(secret, date, region, ServiceName)
	c.mu.Lock()
	c.putLocked(k, key)
	c.mu.Unlock()
	return key
}

func (c *keyCache) putLocked(k cacheKey, key []byte) {
	if len(c.cur) >= c.max {
		c.old = c.cur
		c.cur = make(map[cacheKey][]byte, c.max)
	}
	c.cur[k] = key
}

// len reports the number of cached keys (for tests).
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.old)
}

// deriveSigningKey computes the SigV4 key chain
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, Terminator)
}

// hmacSum returns HMAC-SHA256(key, msg) for a key of at most 64 bytes, without allocating when msg is short
// (a secret access key).
func hmacSum(key []byte, msg string) [sha256.Size]byte {
	var buf [hmacBlock + 256]byte
	b := buf[:0]
	if len(key) > hmacBlock || len(msg) > 256 {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(msg))
		var out [sha256.Size]byte
		m.Sum(out[:0])
		return out
	}
	for i := range hmacBlock {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		b = append(b, k^0x36)
	}
	inner := sha256.Sum256(append(b, msg...))
	var outer [hmacBlock + sha256.Size]byte
	for i := range hmacBlock {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		outer[i] = k ^ 0x5c
	}
	copy(outer[hmacBlock:], inner[:])
	return sha256.Sum256(outer[:])
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
