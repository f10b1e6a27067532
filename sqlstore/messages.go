package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	chime "github.com/chimed/chimed"
)

var _ chime.MessageTx = (*tx)(nil)

// Messages, conversations, webhooks and inbound URLs (migration 00013; docs/behavior.md §9.6, §9.7; D34, D35, D39).
// Not cached. Writers of one account are serialized by the service's account read (Account locks the row in write
// transactions), so the seq of a new message (conversation) — one more than the chat's (account's) highest — is
// taken by one writer at a time; the unique indexes back that up. Room memberships (migration 00012) are read,
// never written, here.

const messageColumns = `message_id, aws_account_id, account_id, chat_kind, chat_id, seq, sender_type, sender_id,
	sender_name, content, redacted_ms, created_ms`

func scanMessage(s scanner) (*chime.ChatMessage, error) {
	var m chime.ChatMessage
	var content sql.NullString
	var redacted sql.NullInt64
	var created int64
	if err := s.Scan(&m.ID, &m.AwsAccountID, &m.AccountID, &m.Kind, &m.ChatID, &m.Seq, &m.SenderType, &m.SenderID,
		&m.SenderName, &content, &redacted, &created); err != nil {
		return nil, err
	}
	m.Content, m.CreatedAt = content.String, fromMS(created)
	if redacted.Valid {
		m.Redacted, m.RedactedAt = true, fromMS(redacted.Int64)
	}
	return &m, nil
}

// afterMS is the stored form of a visibility cut-off: messages created after it are visible.
func afterMS(t time.Time) int64 {
	if t.IsZero() {
		return -1 << 62
	}
	return ms(t)
}

// InsertMessage implements chime.Tx.
func (t *tx) InsertMessage(ctx context.Context, m *chime.ChatMessage) error {
	var seq int64
	if err := t.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM chat_messages WHERE account_id = $1
		AND chat_kind = $2 AND chat_id = $3`, m.AccountID, m.Kind, m.ChatID).Scan(&seq); err != nil {
		return t.mapErr(err)
	}
	m.Seq = seq + 1
	_, err := t.exec(ctx, `INSERT INTO chat_messages (`+messageColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
		$9, $10, NULL, $11)`, m.ID, m.AwsAccountID, m.AccountID, m.Kind, m.ChatID, m.Seq, m.SenderType, m.SenderID,
		m.SenderName, m.Content, ms(m.CreatedAt))
	return t.mapErr(err)
}

// Message implements chime.Tx.
func (t *tx) Message(ctx context.Context, accountID string, kind chime.ChatKind, chatID, id string, visibleAfter time.Time) (*chime.ChatMessage, error) {
	m, err := scanMessage(t.queryRow(ctx, `SELECT `+messageColumns+` FROM chat_messages WHERE message_id = $1
		AND account_id = $2 AND chat_kind = $3 AND chat_id = $4 AND created_ms > $5`, id, accountID, kind, chatID,
		afterMS(visibleAfter)))
	return m, t.mapErr(err)
}

// ListMessages implements chime.Tx.
func (t *tx) ListMessages(ctx context.Context, accountID string, kind chime.ChatKind, chatID string, visibleAfter time.Time, limit int) ([]*chime.ChatMessage, error) {
	rows, err := t.query(ctx, `SELECT `+messageColumns+` FROM chat_messages WHERE account_id = $1
		AND chat_kind = $2 AND chat_id = $3 AND created_ms > $4 ORDER BY seq DESC LIMIT $5`, accountID, kind, chatID,
		afterMS(visibleAfter), limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.ChatMessage
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, t.mapErr(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list, nil
}

// RedactMessage implements chime.Tx.
func (t *tx) RedactMessage(ctx context.Context, accountID, id string, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE chat_messages SET content = NULL, redacted_ms = $1 WHERE message_id = $2
		AND account_id = $3 AND redacted_ms IS NULL`, ms(at), id, accountID)
	return t.mapErr(err)
}

// PurgeMessages implements chime.Tx.
func (t *tx) PurgeMessages(ctx context.Context, accountID string, kind chime.ChatKind, before time.Time) error {
	_, err := t.exec(ctx, `DELETE FROM chat_messages WHERE account_id = $1 AND chat_kind = $2 AND created_ms <= $3`,
		accountID, kind, ms(before))
	return t.mapErr(err)
}

const conversationColumns = `conversation_id, aws_account_id, account_id, member_key, member_ids, created_ms`

func scanConversation(s scanner) (*chime.Conversation, error) {
	var c chime.Conversation
	var ids string
	var created int64
	if err := s.Scan(&c.ID, &c.AwsAccountID, &c.AccountID, &c.MemberKey, &ids, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ids), &c.MemberIDs); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// InsertConversation implements chime.Tx.
func (t *tx) InsertConversation(ctx context.Context, c *chime.Conversation) error {
	ids, err := json.Marshal(c.MemberIDs)
	if err != nil {
		return err
	}
	var seq int64
	if err := t.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM conversations WHERE account_id = $1`,
		c.AccountID).Scan(&seq); err != nil {
		return t.mapErr(err)
	}
	_, err = t.exec(ctx, `INSERT INTO conversations (conversation_id, aws_account_id, account_id, member_key,
		member_ids, seq, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, c.AwsAccountID, c.AccountID,
		c.MemberKey, string(ids), seq+1, ms(c.CreatedAt))
	return t.mapErr(err)
}

// Conversation implements chime.Tx.
func (t *tx) Conversation(ctx context.Context, accountID, id string) (*chime.Conversation, error) {
	c, err := scanConversation(t.queryRow(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE conversation_id = $1 AND account_id = $2`, id, accountID))
	return c, t.mapErr(err)
}

// ConversationByMembers implements chime.Tx.
func (t *tx) ConversationByMembers(ctx context.Context, accountID, key string) (*chime.Conversation, error) {
	c, err := scanConversation(t.queryRow(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE account_id = $1 AND member_key = $2`, accountID, key))
	return c, t.mapErr(err)
}

// ListConversations implements chime.Tx.
func (t *tx) ListConversations(ctx context.Context, accountID string, limit int) ([]*chime.Conversation, error) {
	rows, err := t.query(ctx, `SELECT `+conversationColumns+` FROM conversations WHERE account_id = $1
		ORDER BY seq DESC LIMIT $2`, accountID, limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, t.mapErr(err)
	}
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	return list, nil
}

// InsertWebhook implements chime.Tx.
func (t *tx) InsertWebhook(ctx context.Context, w *chime.Webhook) error {
	_, err := t.exec(ctx, `INSERT INTO webhooks (webhook_id, aws_account_id, account_id, room_id, name, created_ms)
		VALUES ($1, $2, $3, $4, $5, $6)`, w.ID, w.AwsAccountID, w.AccountID, w.RoomID, w.Name, ms(w.CreatedAt))
	return t.mapErr(err)
}

// Webhook implements chime.Tx.
func (t *tx) Webhook(ctx context.Context, accountID, roomID, id string) (*chime.Webhook, error) {
	var w chime.Webhook
	var created int64
	err := t.queryRow(ctx, `SELECT webhook_id, aws_account_id, account_id, room_id, name, created_ms FROM webhooks
		WHERE webhook_id = $1 AND account_id = $2 AND room_id = $3`, id, accountID, roomID).Scan(&w.ID,
		&w.AwsAccountID, &w.AccountID, &w.RoomID, &w.Name, &created)
	if err != nil {
		return nil, t.mapErr(err)
	}
	w.CreatedAt = fromMS(created)
	return &w, nil
}

// CountWebhooks implements chime.Tx.
func (t *tx) CountWebhooks(ctx context.Context, accountID, roomID string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM webhooks WHERE account_id = $1 AND room_id = $2`, accountID,
		roomID).Scan(&n)
	return n, t.mapErr(err)
}

// DeleteWebhook implements chime.Tx.
func (t *tx) DeleteWebhook(ctx context.Context, accountID, roomID, id string) error {
	if err := t.DeleteInboundURLs(ctx, accountID, roomID, id, time.Time{}); err != nil {
		return err
	}
	_, err := t.exec(ctx, `DELETE FROM webhooks WHERE webhook_id = $1 AND account_id = $2 AND room_id = $3`, id,
		accountID, roomID)
	return t.mapErr(err)
}

// InsertInboundURL implements chime.Tx.
func (t *tx) InsertInboundURL(ctx context.Context, u *chime.InboundURL) error {
	var since, expires int64
	if !u.MemberSince.IsZero() {
		since = ms(u.MemberSince)
	}
	if !u.ExpiresAt.IsZero() {
		expires = ms(u.ExpiresAt)
	}
	_, err := t.exec(ctx, `INSERT INTO inbound_urls (url_id, token_hash, aws_account_id, account_id, room_id, kind,
		owner_id, member_since_ms, expires_ms, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, u.ID,
		u.Hash, u.AwsAccountID, u.AccountID, u.RoomID, u.Kind, u.OwnerID, since, expires, ms(u.CreatedAt))
	return t.mapErr(err)
}

// InboundURL implements chime.Tx.
func (t *tx) InboundURL(ctx context.Context, id string) (*chime.InboundURL, error) {
	var u chime.InboundURL
	var since, expires, created int64
	err := t.queryRow(ctx, `SELECT url_id, token_hash, aws_account_id, account_id, room_id, kind, owner_id,
		member_since_ms, expires_ms, created_ms FROM inbound_urls WHERE url_id = $1`, id).Scan(&u.ID, &u.Hash,
		&u.AwsAccountID, &u.AccountID, &u.RoomID, &u.Kind, &u.OwnerID, &since, &expires, &created)
	if err != nil {
		return nil, t.mapErr(err)
	}
	if since != 0 {
		u.MemberSince = fromMS(since)
	}
	if expires != 0 {
		u.ExpiresAt = fromMS(expires)
	}
	u.CreatedAt = fromMS(created)
	return &u, nil
}

// DeleteInboundURLs implements chime.Tx.
func (t *tx) DeleteInboundURLs(ctx context.Context, accountID, roomID, ownerID string, expiredBy time.Time) error {
	q := `DELETE FROM inbound_urls WHERE account_id = $1 AND room_id = $2 AND owner_id = $3`
	args := []any{accountID, roomID, ownerID}
	if !expiredBy.IsZero() {
		q += ` AND expires_ms <> 0 AND expires_ms <= $4`
		args = append(args, ms(expiredBy))
	}
	_, err := t.exec(ctx, q, args...)
	return t.mapErr(err)
}

// RoomBotMembers implements chime.Tx.
func (t *tx) RoomBotMembers(ctx context.Context, accountID, roomID string) ([]string, error) {
	rows, err := t.query(ctx, `SELECT member_id FROM room_memberships WHERE room_id = $1 AND account_id = $2
		AND member_type = $3 ORDER BY member_id`, roomID, accountID, chime.MemberBot)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, t.mapErr(err)
		}
		ids = append(ids, id)
	}
	return ids, t.mapErr(rows.Err())
}

// DeleteRoomChats implements chime.Tx.
func (t *tx) DeleteRoomChats(ctx context.Context, accountID, roomID string) error {
	for _, q := range []string{
		`DELETE FROM chat_messages WHERE account_id = $1 AND chat_kind = 'room' AND chat_id = $2`,
		`DELETE FROM webhooks WHERE account_id = $1 AND room_id = $2`,
		`DELETE FROM inbound_urls WHERE account_id = $1 AND room_id = $2`,
	} {
		if _, err := t.exec(ctx, q, accountID, roomID); err != nil {
			return t.mapErr(err)
		}
	}
	return nil
}

// DeleteChats implements chime.Tx.
func (t *tx) DeleteChats(ctx context.Context, aws, accountID string) error {
	where, args := ` WHERE aws_account_id = $1`, []any{aws}
	if accountID != "" {
		where, args = where+` AND account_id = $2`, append(args, accountID)
	}
	for _, table := range []string{"chat_messages", "conversations", "webhooks", "inbound_urls"} {
		if _, err := t.exec(ctx, `DELETE FROM `+table+where, args...); err != nil {
			return t.mapErr(err)
		}
	}
	return nil
}
