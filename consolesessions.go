package chime

import (
	"context"
	"crypto/sha256"
	"time"
)

// ConsoleSession is a signed-in session of the admin console (package http/admin): a person who gave an access
// key's id and secret. Only the SHA-256 of the session's bearer token (the console's cookie) is stored, so a
// copy of the database opens no session. Sessions are server state: signing out deletes the row on every node
// at once, and a session is only as good as its key (the console checks the credential on each request, so a
// revoked or deleted key ends its sessions).
type ConsoleSession struct {
	Hash         []byte // SHA-256 of the session token (ConsoleTokenHash)
	AccessKeyID  string // the key that signed in
	AwsAccountID string // the key's AWS account when it signed in
	CSRF         string // the session's anti-forgery token, sent in a hidden field of every form
	CreatedAt    time.Time
	ExpiresAt    time.Time // the bounded lifetime: the session is refused from then on
}

// ConsoleTokenHash returns the stored form of a console session token.
func ConsoleTokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// ConsoleSessionTx holds the Tx methods of console sessions (sqlstore/consolesessions.go).
type ConsoleSessionTx interface {
	// InsertConsoleSession stores a new session. ECONFLICT when its hash exists.
	InsertConsoleSession(ctx context.Context, s *ConsoleSession) error
	// ConsoleSession returns the session whose token hashes to hash, expired or not. ENOTFOUND when unknown.
	ConsoleSession(ctx context.Context, hash []byte) (*ConsoleSession, error)
	// DeleteConsoleSession removes the session whose token hashes to hash (nothing when unknown).
	DeleteConsoleSession(ctx context.Context, hash []byte) error
	// DeleteConsoleSessionsOfKey removes every session of the access key id.
	DeleteConsoleSessionsOfKey(ctx context.Context, accessKeyID string) error
	// PruneConsoleSessions deletes up to limit sessions that expired before before; it returns how many.
	PruneConsoleSessions(ctx context.Context, before time.Time, limit int) (int, error)
}
