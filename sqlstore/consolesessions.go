package sqlstore

import (
	"context"
	"time"

	chime "github.com/chimed/chimed"
)

// Console sessions (chime.ConsoleSessionTx; migration 00017). They are read and written by the admin console
// only, are never cached, and hold no row another table refers to.

// InsertConsoleSession implements chime.Tx.
func (t *tx) InsertConsoleSession(ctx context.Context, s *chime.ConsoleSession) error {
	_, err := t.exec(ctx, `INSERT INTO console_sessions (hash, access_key_id, aws_account_id, csrf, created_ms,
		expires_ms) VALUES ($1, $2, $3, $4, $5, $6)`,
		s.Hash, s.AccessKeyID, s.AwsAccountID, s.CSRF, ms(s.CreatedAt), ms(s.ExpiresAt))
	if err != nil && t.d.isUnique(err) {
		t.mapErr(err)
		return chime.Errorf(chime.ECONFLICT, "the console session exists")
	}
	return t.mapErr(err)
}

// ConsoleSession implements chime.Tx.
func (t *tx) ConsoleSession(ctx context.Context, hash []byte) (*chime.ConsoleSession, error) {
	var s chime.ConsoleSession
	var created, expires int64
	err := t.queryRow(ctx, `SELECT hash, access_key_id, aws_account_id, csrf, created_ms, expires_ms
		FROM console_sessions WHERE hash = $1`, hash).Scan(&s.Hash, &s.AccessKeyID, &s.AwsAccountID, &s.CSRF,
		&created, &expires)
	if err != nil {
		return nil, t.mapErr(err)
	}
	s.CreatedAt, s.ExpiresAt = fromMS(created), fromMS(expires)
	return &s, nil
}

// DeleteConsoleSession implements chime.Tx.
func (t *tx) DeleteConsoleSession(ctx context.Context, hash []byte) error {
	_, err := t.exec(ctx, `DELETE FROM console_sessions WHERE hash = $1`, hash)
	return t.mapErr(err)
}

// DeleteConsoleSessionsOfKey implements chime.Tx.
func (t *tx) DeleteConsoleSessionsOfKey(ctx context.Context, accessKeyID string) error {
	_, err := t.exec(ctx, `DELETE FROM console_sessions WHERE access_key_id = $1`, accessKeyID)
	return t.mapErr(err)
}

// PruneConsoleSessions implements chime.Tx: the oldest expired sessions first, at most limit of them.
func (t *tx) PruneConsoleSessions(ctx context.Context, before time.Time, limit int) (int, error) {
	res, err := t.exec(ctx, `DELETE FROM console_sessions WHERE hash IN (SELECT hash FROM console_sessions
		WHERE expires_ms < $1 ORDER BY expires_ms LIMIT $2)`, ms(before), limit)
	if err != nil {
		return 0, t.mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), t.mapErr(err)
}
