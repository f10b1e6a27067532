package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync"
)

// The allocation-free path of a signature check: the canonical request and the string to sign are built in
// a pooled buffer, and the HMAC is computed over it with two SHA-256 sums of byte slices. Verify falls back to
// the string-building path (buildCanonical, StringToSign, signatureMatches) only when this one does not match,
// to try the alternatives a client may have signed and to word the error.

// emptyHash is hex(SHA-256("")), the payload hash of every request without a body.
const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// hashHex returns hex(SHA-256(body)).
func hashHex(body []byte) string {
	if len(body) == 0 {
		return emptyHash
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// hmacBlock is SHA-256's block size: HMAC pads its key to it.
const hmacBlock = 64

// signBuffers holds the buffers of matchesFast between requests.
var signBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// matchesFast reports whether want is the signature of the request over the canonical URI uri and the payload
// hash payloadHash, with key (a signing key of at most hmacBlock bytes, as every SigV4 signing key is).
func matchesFast(key []byte, r *http.Request, a *Authorization, payloadHash, uri, amzDate string, want []byte) bool {
	if len(key) > hmacBlock {
		return false // not a SigV4 signing key; the slow path computes the same and says why
	}
	bp := signBuffers.Get().(*[]byte)
	defer signBuffers.Put(bp)

	b := appendCanonical((*bp)[:0], r, a.SignedHeaders, payloadHash, uri, a.Presigned)
	n := len(b)
	crHash := sha256.Sum256(b)

	// HMAC(key, sts) = SHA-256((key ^ opad) || SHA-256((key ^ ipad) || sts)); the string to sign is built
	// after the inner pad, in the same buffer, past the canonical request (b[n:]). The whole buffer goes back
	// to the pool: keeping only the tail would shrink its capacity on every request until append reallocates.
	for i := range hmacBlock {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		b = append(b, k^0x36)
	}
	b = append(b, Algorithm...)
	b = append(b, '\n')
	b = append(b, amzDate...)
	b = append(b, '\n')
	b = append(b, a.Date...)
	b = append(b, '/')
	b = append(b, a.Region...)
	b = append(b, '/')
	b = append(b, a.Service...)
	b = append(b, '/')
	b = append(b, Terminator...)
	b = append(b, '\n')
	b = hex.AppendEncode(b, crHash[:])
	inner := sha256.Sum256(b[n:])

	var outer [hmacBlock + sha256.Size]byte
	for i := range hmacBlock {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		outer[i] = k ^ 0x5c
	}
	copy(outer[hmacBlock:], inner[:])
	mac := sha256.Sum256(outer[:])
	*bp = b[:0]
	return hmac.Equal(mac[:], want)
}
