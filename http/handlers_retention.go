package http

import (
	"context"

	chime "github.com/chimed/chimed"
)

// GetRetentionSettings returns an account's chat retention settings (docs/behavior.md §4.20).
func (h *handlers) GetRetentionSettings(ctx context.Context, id chime.Identity, in *GetRetentionSettingsRequest) (GetRetentionSettingsResponse, error) {
	r, err := h.svc.GetRetentionSettings(ctx, id.AwsAccountID, *in.AccountId)
	if err != nil {
		return GetRetentionSettingsResponse{}, err
	}
	out := GetRetentionSettingsResponse{RetentionSettings: &RetentionSettings{},
		InitiateDeletionTimestamp: isoTime(r.InitiateDeletion)}
	if r.RoomDays > 0 {
		d := int64(r.RoomDays)
		out.RetentionSettings.RoomRetentionSettings = &RoomRetentionSettings{RetentionDays: &d}
	}
	if r.ConversationDays > 0 {
		d := int64(r.ConversationDays)
		out.RetentionSettings.ConversationRetentionSettings = &ConversationRetentionSettings{RetentionDays: &d}
	}
	return out, nil
}

// PutRetentionSettings changes an account's chat retention settings (§4.20): 204 without a body.
func (h *handlers) PutRetentionSettings(ctx context.Context, id chime.Identity, in *PutRetentionSettingsRequest) (PutRetentionSettingsResponse, error) {
	patch := &chime.RetentionSettingsPatch{}
	if p := in.RetentionSettings.RoomRetentionSettings; p != nil {
		patch.Room = &chime.RetentionPolicyPatch{Days: days(p.RetentionDays)}
	}
	if p := in.RetentionSettings.ConversationRetentionSettings; p != nil {
		patch.Conversation = &chime.RetentionPolicyPatch{Days: days(p.RetentionDays)}
	}
	_, err := h.svc.PutRetentionSettings(ctx, id.AwsAccountID, *in.AccountId, patch)
	return PutRetentionSettingsResponse{}, err
}

// days converts an optional RetentionDays member (range-checked by the model) to the domain's days.
func days(p *int64) *int {
	if p == nil {
		return nil
	}
	d := int(*p)
	return &d
}
