package sqlstore

import (
	"context"
	"database/sql"

	chime "github.com/chimed/chimed"
)

var _ chime.RetentionTx = (*tx)(nil)

// Retention settings of accounts (migration 00006): one row per account that was given some. Accounts are
// tombstoned, not deleted, so DeleteAccount and reset remove the rows through DeleteRetentionSettings.

// RetentionSettings implements chime.Tx.
func (t *tx) RetentionSettings(ctx context.Context, accountID string) (*chime.RetentionSettings, error) {
	r := chime.RetentionSettings{AccountID: accountID}
	var initiate sql.NullInt64
	err := t.queryRow(ctx, `SELECT aws_account_id, room_days, conversation_days, initiate_deletion_ms
		FROM retention_settings WHERE account_id = $1`, accountID).Scan(&r.AwsAccountID, &r.RoomDays,
		&r.ConversationDays, &initiate)
	if err != nil {
		return nil, t.mapErr(err)
	}
	r.InitiateDeletion = fromNullMS(initiate)
	return &r, nil
}

// PutRetentionSettings implements chime.Tx.
func (t *tx) PutRetentionSettings(ctx context.Context, r *chime.RetentionSettings) error {
	_, err := t.exec(ctx, `INSERT INTO retention_settings (account_id, aws_account_id, room_days, conversation_days,
		initiate_deletion_ms) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET
		room_days = excluded.room_days, conversation_days = excluded.conversation_days,
		initiate_deletion_ms = excluded.initiate_deletion_ms`,
		r.AccountID, r.AwsAccountID, r.RoomDays, r.ConversationDays, nullMS(r.InitiateDeletion))
	return t.mapErr(err)
}

// DeleteRetentionSettings implements chime.Tx.
func (t *tx) DeleteRetentionSettings(ctx context.Context, aws, accountID string) error {
	var err error
	if accountID == "" {
		_, err = t.exec(ctx, `DELETE FROM retention_settings WHERE aws_account_id = $1`, aws)
	} else {
		_, err = t.exec(ctx, `DELETE FROM retention_settings WHERE aws_account_id = $1 AND account_id = $2`,
			aws, accountID)
	}
	return t.mapErr(err)
}
