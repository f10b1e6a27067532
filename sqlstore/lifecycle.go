package sqlstore

import (
	"context"
	"database/sql"
	"time"

	chime "github.com/chimed/chimed"
)

var _ chime.LifecycleTx = (*tx)(nil)

// The user lifecycle tables (migration 00003): user_links, user_sessions, outbox. Links and sessions reference
// their user with ON DELETE CASCADE, so every path that deletes users (DeleteUser, DeleteAccount, DeleteTenant)
// deletes them too.

// UsersByEmail implements chime.Tx.
func (t *tx) UsersByEmail(ctx context.Context, key string) ([]*chime.User, error) {
	rows, err := t.query(ctx, `SELECT `+userCols+` FROM users WHERE email_key = $1 ORDER BY seq`, key)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, u)
	}
	return list, t.mapErr(rows.Err())
}

const linkCols = `hash, kind, aws_account_id, account_id, user_id, invite_id, created_ms, expires_ms, used_ms`

// Inserts of every InviteUsers address, prepared on SQLite (see hotQueries).
const (
	insertLinkQuery   = `INSERT INTO user_links (` + linkCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	insertOutboxQuery = `INSERT INTO outbox (id, aws_account_id, account_id, kind, recipient, subject,
		sealed_link, email_status, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING seq`
)

// InsertLink implements chime.Tx.
func (t *tx) InsertLink(ctx context.Context, l *chime.Link) error {
	_, err := t.exec(ctx, insertLinkQuery,
		l.Hash, l.Kind, l.AwsAccountID, l.AccountID, l.UserID, l.InviteID, ms(l.CreatedAt), ms(l.ExpiresAt),
		nullMS(l.UsedAt))
	return t.mapErr(err)
}

// Link implements chime.Tx. It takes no lock: UseLink decides races.
func (t *tx) Link(ctx context.Context, hash []byte) (*chime.Link, error) {
	var l chime.Link
	var created, expires int64
	var used sql.NullInt64
	err := t.queryRow(ctx, `SELECT `+linkCols+` FROM user_links WHERE hash = $1`, hash).Scan(&l.Hash,
		&l.Kind, &l.AwsAccountID, &l.AccountID, &l.UserID, &l.InviteID, &created, &expires, &used)
	if err != nil {
		return nil, t.mapErr(err)
	}
	l.CreatedAt, l.ExpiresAt, l.UsedAt = fromMS(created), fromMS(expires), fromNullMS(used)
	return &l, nil
}

// UseLink implements chime.Tx. The condition on used_ms makes it single-use under concurrency: on PostgreSQL a
// second UPDATE waits for the first and then finds the row used (READ COMMITTED re-checks the condition).
func (t *tx) UseLink(ctx context.Context, hash []byte, at time.Time) error {
	return t.exec1(ctx, `UPDATE user_links SET used_ms = $1 WHERE hash = $2 AND used_ms IS NULL`, ms(at), hash)
}

// CountLiveLinks implements chime.Tx.
func (t *tx) CountLiveLinks(ctx context.Context, accountID, userID string, kind chime.LinkKind, now time.Time) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM user_links WHERE account_id = $1 AND user_id = $2
		AND kind = $3 AND used_ms IS NULL AND expires_ms > $4`, accountID, userID, kind, ms(now)).Scan(&n)
	return n, t.mapErr(err)
}

// DeleteLinks implements chime.Tx.
func (t *tx) DeleteLinks(ctx context.Context, accountID, userID string, kind chime.LinkKind) error {
	_, err := t.exec(ctx, `DELETE FROM user_links WHERE account_id = $1 AND user_id = $2 AND kind = $3`,
		accountID, userID, kind)
	return t.mapErr(err)
}

// PurgeLinks implements chime.Tx.
func (t *tx) PurgeLinks(ctx context.Context, accountID, userID string, before time.Time) error {
	_, err := t.exec(ctx, `DELETE FROM user_links WHERE account_id = $1 AND user_id = $2 AND expires_ms < $3`,
		accountID, userID, ms(before))
	return t.mapErr(err)
}

// InsertSession implements chime.Tx.
func (t *tx) InsertSession(ctx context.Context, ss *chime.Session) error {
	_, err := t.exec(ctx, `INSERT INTO user_sessions (hash, aws_account_id, account_id, user_id, created_ms,
		expires_ms) VALUES ($1, $2, $3, $4, $5, $6)`,
		ss.Hash, ss.AwsAccountID, ss.AccountID, ss.UserID, ms(ss.CreatedAt), ms(ss.ExpiresAt))
	return t.mapErr(err)
}

// Session implements chime.Tx.
func (t *tx) Session(ctx context.Context, hash []byte) (*chime.Session, error) {
	var ss chime.Session
	var created, expires int64
	err := t.queryRow(ctx, `SELECT hash, aws_account_id, account_id, user_id, created_ms, expires_ms
		FROM user_sessions WHERE hash = $1`, hash).Scan(&ss.Hash, &ss.AwsAccountID, &ss.AccountID, &ss.UserID,
		&created, &expires)
	if err != nil {
		return nil, t.mapErr(err)
	}
	ss.CreatedAt, ss.ExpiresAt = fromMS(created), fromMS(expires)
	return &ss, nil
}

// DeleteSessions implements chime.Tx.
func (t *tx) DeleteSessions(ctx context.Context, accountID, userID string, before time.Time) error {
	q := `DELETE FROM user_sessions WHERE account_id = $1 AND user_id = $2`
	args := []any{accountID, userID}
	if !before.IsZero() {
		q += ` AND expires_ms < $3`
		args = append(args, ms(before))
	}
	_, err := t.exec(ctx, q, args...)
	return t.mapErr(err)
}

const outboxCols = `seq, id, aws_account_id, account_id, kind, recipient, subject, sealed_link, email_status, created_ms`

// InsertOutbox implements chime.Tx.
func (t *tx) InsertOutbox(ctx context.Context, m *chime.OutboxMessage) error {
	err := t.queryRow(ctx, insertOutboxQuery,
		m.ID, m.AwsAccountID, m.AccountID, m.Kind, m.To, m.Subject, m.SealedLink, m.EmailStatus, ms(m.CreatedAt),
	).Scan(&m.Seq)
	return t.mapErr(err)
}

// SetOutboxStatus implements chime.Tx.
func (t *tx) SetOutboxStatus(ctx context.Context, id string, st chime.EmailStatus) error {
	return t.exec1(ctx, `UPDATE outbox SET email_status = $1 WHERE id = $2`, st, id)
}

// ListOutbox implements chime.Tx.
func (t *tx) ListOutbox(ctx context.Context, aws string, limit int) ([]*chime.OutboxMessage, error) {
	rows, err := t.query(ctx, `SELECT `+outboxCols+` FROM (SELECT `+outboxCols+` FROM outbox
		WHERE aws_account_id = $1 ORDER BY seq DESC LIMIT $2) latest ORDER BY seq`, aws, limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.OutboxMessage
	for rows.Next() {
		var m chime.OutboxMessage
		var created int64
		if err := rows.Scan(&m.Seq, &m.ID, &m.AwsAccountID, &m.AccountID, &m.Kind, &m.To, &m.Subject, &m.SealedLink,
			&m.EmailStatus, &created); err != nil {
			return nil, t.mapErr(err)
		}
		m.CreatedAt = fromMS(created)
		list = append(list, &m)
	}
	return list, t.mapErr(rows.Err())
}

// PruneOutbox implements chime.Tx.
func (t *tx) PruneOutbox(ctx context.Context, aws string, keep int) error {
	_, err := t.exec(ctx, `DELETE FROM outbox WHERE aws_account_id = $1 AND seq <= (SELECT seq FROM outbox
		WHERE aws_account_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)`, aws, keep)
	return t.mapErr(err)
}

// DeleteOutbox implements chime.Tx.
func (t *tx) DeleteOutbox(ctx context.Context, aws, accountID string) error {
	q, args := `DELETE FROM outbox WHERE aws_account_id = $1`, []any{aws}
	if accountID != "" {
		q += ` AND account_id = $2`
		args = append(args, accountID)
	}
	_, err := t.exec(ctx, q, args...)
	return t.mapErr(err)
}
