package sigv4

import (
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestDeriveSigningKeyKnownAnswer(t *testing.T) {
	// The key-derivation example of the AWS SigV4 documentation.
	got := hex.EncodeToString(deriveSigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam"))
	if want := "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestKeyCacheBoundedAndCorrect(t *testing.T) {
	c := newKeyCache(4)
	const hot = "hot-secret"
	for i := 0; i < 100; i++ {
		secret := fmt.Sprintf("secret-%d", i)
		k := c.signingKey(secret, "20261122", "eu-west-1")
		if want := deriveSigningKey(secret, "20261122", "eu-west-1", ServiceName); string(k) != string(want) {
			t.Fatalf("%d: wrong key", i)
		}
		c.signingKey(hot, "20261122", "us-east-1")
		if n := c.len(); n > 8 {
			t.Fatalf("cache holds %d entries, bound is 8", n)
		}
	}
	// The hot key is still cached (same backing array as a fresh lookup).
	c.mu.Lock()
	_, inCur := c.cur[cacheKeyFor(c, hot, "20261122", "us-east-1")]
	c.mu.Unlock()
	if !inCur {
		t.Error("hot key was evicted")
	}
	// Date and region are part of the key.
	a := c.signingKey(hot, "20261122", "us-east-1")
	b := c.signingKey(hot, "20261123", "us-east-1")
	d := c.signingKey(hot, "20261122", "eu-west-1")
	if string(a) == string(b) || string(a) == string(d) {
		t.Error("keys for different dates/regions collide")
	}
	// No plaintext secret anywhere in the map keys.
	c.mu.Lock()
	dump := fmt.Sprintf("%v %v", c.cur, c.old)
	c.mu.Unlock()
	if strings.Contains(dump, "secret") {
		t.Error("plaintext secret in the cache")
	}
}

func TestKeyCacheConcurrent(t *testing.T) {
	c := newKeyCache(8)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				secret := fmt.Sprintf("s%d", (g*7+i)%20)
				if string(c.signingKey(secret, "20261122", "us-east-1")) != string(deriveSigningKey(secret, "20261122", "us-east-1", ServiceName)) {
					t.Error("wrong key under concurrency")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func cacheKeyFor(c *keyCache, secret, date, region string) cacheKey {
	k := cacheKey{date: date, region: region}
	copy(k.secret[:], hmacSHA256(c.salt, secret))
	return k
}
