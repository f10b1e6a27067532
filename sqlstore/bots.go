package sqlstore

import (
	"context"

	chime "github.com/chimed/chimed"
)

var _ chime.BotTx = (*tx)(nil)

// Bots and their events configurations (migration 00010): bots, bot_events_configurations. Not cached. A bot's
// token is stored sealed; the store never sees it in clear.

const botColumns = `bot_id, aws_account_id, account_id, display_name, email, disabled, sealed_token, created_ms`

func scanBot(s scanner) (*chime.Bot, error) {
	var b chime.Bot
	var created int64
	if err := s.Scan(&b.ID, &b.AwsAccountID, &b.AccountID, &b.DisplayName, &b.Email, &b.Disabled, &b.SealedToken,
		&created); err != nil {
		return nil, err
	}
	b.CreatedAt = fromMS(created)
	return &b, nil
}

// Bot implements chime.Tx.
func (t *tx) Bot(ctx context.Context, accountID, id string) (*chime.Bot, error) {
	b, err := scanBot(t.queryRow(ctx, `SELECT `+botColumns+` FROM bots WHERE bot_id = $1 AND account_id = $2`,
		id, accountID))
	if err != nil {
		return nil, t.mapErr(err)
	}
	return b, nil
}

// EventsConfiguration implements chime.Tx.
func (t *tx) EventsConfiguration(ctx context.Context, accountID, botID string) (*chime.EventsConfiguration, error) {
	c := chime.EventsConfiguration{AccountID: accountID, BotID: botID}
	err := t.queryRow(ctx, `SELECT endpoint, lambda_arn FROM bot_events_configurations
		WHERE bot_id = $1 AND account_id = $2`, botID, accountID).Scan(&c.Endpoint, &c.LambdaARN)
	if err != nil {
		return nil, t.mapErr(err)
	}
	return &c, nil
}

// BotEmailTaken implements chime.Tx.
func (t *tx) BotEmailTaken(ctx context.Context, accountID, key string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM bots WHERE account_id = $1 AND email_key = $2`, accountID, key).Scan(&n)
	return n > 0, t.mapErr(err)
}

// CountBots implements chime.Tx.
func (t *tx) CountBots(ctx context.Context, accountID string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM bots WHERE account_id = $1`, accountID).Scan(&n)
	return n, t.mapErr(err)
}

// ListBots implements chime.Tx.
func (t *tx) ListBots(ctx context.Context, accountID string, f chime.BotFilter) ([]*chime.Bot, error) {
	after := int64(-1 << 62)
	if !f.AfterCreated.IsZero() {
		after = ms(f.AfterCreated)
	}
	rows, err := t.query(ctx, `SELECT `+botColumns+` FROM bots WHERE account_id = $1
		AND (created_ms, bot_id) > ($2, $3) ORDER BY created_ms, bot_id LIMIT $4`,
		accountID, after, f.AfterID, f.Limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.Bot
	for rows.Next() {
		b, err := scanBot(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, b)
	}
	return list, t.mapErr(rows.Err())
}

// InsertBot implements chime.Tx.
func (t *tx) InsertBot(ctx context.Context, b *chime.Bot) error {
	_, err := t.exec(ctx, `INSERT INTO bots (`+botColumns+`, email_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		b.ID, b.AwsAccountID, b.AccountID, b.DisplayName, b.Email, b.Disabled, b.SealedToken, ms(b.CreatedAt),
		lowerASCII(b.Email))
	return t.mapErr(err)
}

// UpdateBot implements chime.Tx.
func (t *tx) UpdateBot(ctx context.Context, b *chime.Bot) error {
	return t.exec1(ctx, `UPDATE bots SET disabled = $1, sealed_token = $2 WHERE bot_id = $3 AND account_id = $4`,
		b.Disabled, b.SealedToken, b.ID, b.AccountID)
}

// PutEventsConfiguration implements chime.Tx.
func (t *tx) PutEventsConfiguration(ctx context.Context, c *chime.EventsConfiguration) error {
	_, err := t.exec(ctx, `INSERT INTO bot_events_configurations (bot_id, account_id, endpoint, lambda_arn)
		VALUES ($1, $2, $3, $4) ON CONFLICT (bot_id) DO UPDATE SET
		endpoint = excluded.endpoint, lambda_arn = excluded.lambda_arn`, c.BotID, c.AccountID, c.Endpoint, c.LambdaARN)
	return t.mapErr(err)
}

// DeleteEventsConfiguration implements chime.Tx.
func (t *tx) DeleteEventsConfiguration(ctx context.Context, accountID, botID string) error {
	_, err := t.exec(ctx, `DELETE FROM bot_events_configurations WHERE bot_id = $1 AND account_id = $2`, botID, accountID)
	return t.mapErr(err)
}

// DeleteBots implements chime.Tx; the configurations go with their bots (ON DELETE CASCADE).
func (t *tx) DeleteBots(ctx context.Context, aws, accountID string) error {
	var err error
	if accountID == "" {
		_, err = t.exec(ctx, `DELETE FROM bots WHERE aws_account_id = $1`, aws)
	} else {
		_, err = t.exec(ctx, `DELETE FROM bots WHERE aws_account_id = $1 AND account_id = $2`, aws, accountID)
	}
	return t.mapErr(err)
}

// lowerASCII lowers ASCII letters only: a bot email is ASCII (the domain's rules make it so).
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
