package sqlstore

import (
	"context"
	"time"

	chime "github.com/chimed/chimed"
)

var _ chime.PhoneSettingsTx = (*tx)(nil)

// Phone number settings of AWS accounts (migration 00008): one row per AWS account that ever set its default
// calling name (§4.31, D28). Not cached. Reset removes the row (D48).

// PhoneNumberSettings implements chime.Tx.
func (t *tx) PhoneNumberSettings(ctx context.Context, aws string) (*chime.PhoneNumberSettings, error) {
	var st chime.PhoneNumberSettings
	var updated int64
	err := t.queryRow(ctx, `SELECT calling_name, updated_ms FROM phone_number_settings WHERE aws_account_id = $1`,
		aws).Scan(&st.CallingName, &updated)
	if err != nil {
		return nil, t.mapErr(err)
	}
	st.UpdatedAt = fromMS(updated)
	return &st, nil
}

// PutPhoneNumberSettings implements chime.Tx: one conditional upsert, so of two concurrent updates within the
// interval only one is stored.
func (t *tx) PutPhoneNumberSettings(ctx context.Context, aws string, st *chime.PhoneNumberSettings, notAfter time.Time) error {
	var limit int64 = 1<<63 - 1
	if !notAfter.IsZero() {
		limit = ms(notAfter)
	}
	return t.exec1(ctx, `INSERT INTO phone_number_settings (aws_account_id, calling_name, updated_ms)
		VALUES ($1, $2, $3) ON CONFLICT (aws_account_id) DO UPDATE SET
		calling_name = excluded.calling_name, updated_ms = excluded.updated_ms
		WHERE phone_number_settings.updated_ms <= $4`, aws, st.CallingName, ms(st.UpdatedAt), limit)
}

// DeletePhoneNumberSettings implements chime.Tx.
func (t *tx) DeletePhoneNumberSettings(ctx context.Context, aws string) error {
	_, err := t.exec(ctx, `DELETE FROM phone_number_settings WHERE aws_account_id = $1`, aws)
	return t.mapErr(err)
}
