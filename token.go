package chime

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
)

// PageTokens issues and checks NextToken values: opaque, authenticated by a server key, and bound to a scope
// (caller, operation and filters), so a token is only accepted for the listing that issued it (docs/behavior.md D9).
// The key is shared by every node through the store, so any node accepts any node's tokens.
type PageTokens struct {
	key []byte
}

const tokenMACLen = 16

// NewPageTokens returns a codec using key (at least 32 random bytes).
func NewPageTokens(key []byte) *PageTokens { return &PageTokens{key: append([]byte(nil), key...)} }

func (p *PageTokens) mac(scope string, payload []byte) []byte {
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(scope))
	m.Write([]byte{0})
	m.Write(payload)
	return m.Sum(nil)[:tokenMACLen]
}

// Issue returns a token that resumes the listing identified by scope after position seq.
func (p *PageTokens) Issue(scope string, seq int64) string {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+tokenMACLen), uint64(seq))
	b = append(b, p.mac(scope, b[:8])...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Parse returns the position encoded in token. Errors: EINVALID when the token was not issued by this server
// for this scope (tampered, truncated, another caller, another operation or other filters).
func (p *PageTokens) Parse(scope, token string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 8+tokenMACLen || !hmac.Equal(b[8:], p.mac(scope, b[:8])) {
		return 0, InvalidField(FieldNextToken, "is not valid for this request")
	}
	return int64(binary.BigEndian.Uint64(b[:8])), nil
}

// IssueKey returns a token that resumes the listing identified by scope after the position key (at most a few
// hundred bytes: a keyset of several columns).
func (p *PageTokens) IssueKey(scope string, key []byte) string {
	b := append(append(make([]byte, 0, len(key)+tokenMACLen), key...), p.mac(scope, key)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ParseKey returns the position encoded in a token of IssueKey. Errors: EINVALID as Parse.
func (p *PageTokens) ParseKey(scope, token string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) < tokenMACLen {
		return nil, InvalidField(FieldNextToken, "is not valid for this request")
	}
	key := b[:len(b)-tokenMACLen]
	if !hmac.Equal(b[len(key):], p.mac(scope, key)) {
		return nil, InvalidField(FieldNextToken, "is not valid for this request")
	}
	return key, nil
}
