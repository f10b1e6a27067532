package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	chime "github.com/chimed/chimed"
)

var _ chime.SettingsTx = (*tx)(nil)

// The settings tables (migration 00005): user_settings and global_settings. Neither is cached. user_settings
// references its user with ON DELETE CASCADE, so every path that deletes users (DeleteUser, DeleteAccount,
// DeleteTenant) deletes them too.

// UserSettings implements chime.Tx.
func (t *tx) UserSettings(ctx context.Context, accountID, userID string) (*chime.UserSettings, error) {
	var st chime.UserSettings
	err := t.queryRow(ctx, `SELECT inbound_calling, outbound_calling, sms FROM user_settings
		WHERE account_id = $1 AND user_id = $2`, accountID, userID).Scan(&st.InboundCalling, &st.OutboundCalling, &st.SMS)
	if err != nil {
		return nil, t.mapErr(err)
	}
	return &st, nil
}

// PutUserSettings implements chime.Tx.
func (t *tx) PutUserSettings(ctx context.Context, accountID, userID string, st *chime.UserSettings) error {
	_, err := t.exec(ctx, `INSERT INTO user_settings (account_id, user_id, inbound_calling, outbound_calling, sms)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, user_id) DO UPDATE SET
		inbound_calling = excluded.inbound_calling, outbound_calling = excluded.outbound_calling, sms = excluded.sms`,
		accountID, userID, st.InboundCalling, st.OutboundCalling, st.SMS)
	return t.mapErr(err)
}

// GlobalSettings implements chime.Tx.
func (t *tx) GlobalSettings(ctx context.Context, aws string) (*chime.GlobalSettings, error) {
	var g chime.GlobalSettings
	err := t.queryRow(ctx, `SELECT business_calling_cdr, voice_connector_cdr FROM global_settings
		WHERE aws_account_id = $1`, aws).Scan(&g.BusinessCallingBucket, &g.VoiceConnectorBucket)
	if errors.Is(err, sql.ErrNoRows) {
		return &chime.GlobalSettings{}, nil
	} else if err != nil {
		return nil, t.mapErr(err)
	}
	return &g, nil
}

// PatchGlobalSettings implements chime.Tx: one upsert, so concurrent patches of different members both hold.
func (t *tx) PatchGlobalSettings(ctx context.Context, aws string, businessCalling, voiceConnector *string) error {
	var bc, vc string
	if businessCalling != nil {
		bc = *businessCalling
	}
	if voiceConnector != nil {
		vc = *voiceConnector
	}
	_, err := t.exec(ctx, `INSERT INTO global_settings (aws_account_id, business_calling_cdr, voice_connector_cdr)
		VALUES ($1, $2, $3) ON CONFLICT (aws_account_id) DO UPDATE SET
		business_calling_cdr = CASE WHEN $4 THEN excluded.business_calling_cdr ELSE global_settings.business_calling_cdr END,
		voice_connector_cdr = CASE WHEN $5 THEN excluded.voice_connector_cdr ELSE global_settings.voice_connector_cdr END`,
		aws, bc, vc, businessCalling != nil, voiceConnector != nil)
	return t.mapErr(err)
}

// DeleteGlobalSettings implements chime.Tx.
func (t *tx) DeleteGlobalSettings(ctx context.Context, aws string) error {
	_, err := t.exec(ctx, `DELETE FROM global_settings WHERE aws_account_id = $1`, aws)
	return t.mapErr(err)
}
