package sqlstore

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	chime "github.com/chimed/chimed"
)

var _ chime.BotEventTx = (*tx)(nil)

// The bot event outbox (migration 00011): bot_events. Not cached. Attempts are stored as a JSON array of
// chime.BotEventAttempt. Claims (ClaimBotEvent) are leases in wall-clock milliseconds: on PostgreSQL the
// candidate row is locked with FOR UPDATE SKIP LOCKED, so nodes claiming at once take different events and a
// row claimed by a committed transaction no longer qualifies when re-checked; SQLite serializes writers.

const botEventColumns = `seq, event_id, aws_account_id, account_id, bot_id, event_type, target_type, target, body,
	status, attempts, created_ms`

func scanBotEvent(s scanner) (*chime.BotEvent, error) {
	var e chime.BotEvent
	var attempts string
	var created int64
	if err := s.Scan(&e.Seq, &e.ID, &e.AwsAccountID, &e.AccountID, &e.BotID, &e.Type, &e.TargetType, &e.Target,
		&e.Body, &e.Status, &attempts, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(attempts), &e.Attempts); err != nil {
		return nil, err
	}
	e.CreatedAt = fromMS(created)
	return &e, nil
}

func attemptsJSON(a []chime.BotEventAttempt) (string, error) {
	if a == nil {
		a = []chime.BotEventAttempt{}
	}
	b, err := json.Marshal(a)
	return string(b), err
}

// InsertBotEvent implements chime.Tx.
func (t *tx) InsertBotEvent(ctx context.Context, e *chime.BotEvent) error {
	attempts, err := attemptsJSON(e.Attempts)
	if err != nil {
		return err
	}
	err = t.queryRow(ctx, `INSERT INTO bot_events (event_id, aws_account_id, account_id, bot_id, event_type,
		target_type, target, body, status, attempts, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING seq`, e.ID, e.AwsAccountID, e.AccountID, e.BotID, string(e.Type), e.TargetType, e.Target, e.Body,
		string(e.Status), attempts, ms(e.CreatedAt)).Scan(&e.Seq)
	return t.mapErr(err)
}

// ClaimBotEvent implements chime.Tx: the head of some bot's Pending queue that nobody holds.
func (t *tx) ClaimBotEvent(ctx context.Context, claim string, now, until time.Time) (*chime.BotEvent, error) {
	lock := ""
	if t.d.name == "postgres" {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	e, err := scanBotEvent(t.queryRow(ctx, `UPDATE bot_events SET claimed_until_ms = $1, claim_id = $2
		WHERE seq = (SELECT e.seq FROM bot_events e WHERE e.status = 'Pending' AND e.claimed_until_ms <= $3
			AND NOT EXISTS (SELECT 1 FROM bot_events p WHERE p.bot_id = e.bot_id AND p.status = 'Pending'
				AND p.seq < e.seq)
			ORDER BY e.seq LIMIT 1`+lock+`)
		AND status = 'Pending' AND claimed_until_ms <= $3
		RETURNING `+botEventColumns, ms(until), claim, ms(now)))
	if err != nil {
		return nil, t.mapErr(err)
	}
	return e, nil
}

// FinishBotEvent implements chime.Tx.
func (t *tx) FinishBotEvent(ctx context.Context, e *chime.BotEvent, claim string) error {
	attempts, err := attemptsJSON(e.Attempts)
	if err != nil {
		return err
	}
	return t.exec1(ctx, `UPDATE bot_events SET status = $1, attempts = $2, claimed_until_ms = 0, claim_id = ''
		WHERE event_id = $3 AND claim_id = $4`, string(e.Status), attempts, e.ID, claim)
}

// ListBotEvents implements chime.Tx.
func (t *tx) ListBotEvents(ctx context.Context, aws, botID string, limit int) ([]*chime.BotEvent, error) {
	q := `SELECT ` + botEventColumns + ` FROM bot_events WHERE aws_account_id = $1 ORDER BY seq DESC LIMIT $2`
	args := []any{aws, limit}
	if botID != "" {
		q = `SELECT ` + botEventColumns + ` FROM bot_events WHERE aws_account_id = $1 AND bot_id = $3
			ORDER BY seq DESC LIMIT $2`
		args = append(args, botID)
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.BotEvent
	for rows.Next() {
		e, err := scanBotEvent(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, e)
	}
	slices.Reverse(list)
	return list, t.mapErr(rows.Err())
}

// PruneBotEvents implements chime.Tx.
func (t *tx) PruneBotEvents(ctx context.Context, aws string, keep int) error {
	_, err := t.exec(ctx, `DELETE FROM bot_events WHERE aws_account_id = $1 AND status <> 'Pending'
		AND seq <= (SELECT seq FROM bot_events WHERE aws_account_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)`,
		aws, keep)
	return t.mapErr(err)
}

// DeleteBotEvents implements chime.Tx.
func (t *tx) DeleteBotEvents(ctx context.Context, aws, accountID string) error {
	var err error
	if accountID == "" {
		_, err = t.exec(ctx, `DELETE FROM bot_events WHERE aws_account_id = $1`, aws)
	} else {
		_, err = t.exec(ctx, `DELETE FROM bot_events WHERE aws_account_id = $1 AND account_id = $2`, aws, accountID)
	}
	return t.mapErr(err)
}
