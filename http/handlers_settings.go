package http

import (
	"context"

	chime "github.com/chimed/chimed"
)

// GetUserSettings returns a user's telephony settings (docs/behavior.md §4.18).
func (h *handlers) GetUserSettings(ctx context.Context, id chime.Identity, in *GetUserSettingsRequest) (GetUserSettingsResponse, error) {
	st, err := h.svc.GetUserSettings(ctx, id.AwsAccountID, *in.AccountId, *in.UserId)
	if err != nil {
		return GetUserSettingsResponse{}, err
	}
	return GetUserSettingsResponse{UserSettings: &UserSettings{Telephony: &TelephonySettings{
		InboundCalling: &st.InboundCalling, OutboundCalling: &st.OutboundCalling, SMS: &st.SMS}}}, nil
}

// UpdateUserSettings replaces a user's telephony settings (§4.18); 204.
func (h *handlers) UpdateUserSettings(ctx context.Context, id chime.Identity, in *UpdateUserSettingsRequest) error {
	t := in.UserSettings.Telephony // the model requires Telephony and its three members (validated)
	st := &chime.UserSettings{InboundCalling: *t.InboundCalling, OutboundCalling: *t.OutboundCalling, SMS: *t.SMS}
	return h.svc.UpdateUserSettings(ctx, id.AwsAccountID, *in.AccountId, *in.UserId, st)
}

// AssociateSigninDelegateGroupsWithAccount adds sign-in delegate groups to an account (§4.19).
func (h *handlers) AssociateSigninDelegateGroupsWithAccount(ctx context.Context, id chime.Identity, in *AssociateSigninDelegateGroupsWithAccountRequest) (AssociateSigninDelegateGroupsWithAccountResponse, error) {
	names := make([]string, len(in.SigninDelegateGroups))
	for i, g := range in.SigninDelegateGroups {
		names[i] = str(g.GroupName)
	}
	err := h.svc.AssociateSigninDelegateGroups(ctx, id.AwsAccountID, *in.AccountId, names)
	return AssociateSigninDelegateGroupsWithAccountResponse{}, err
}

// DisassociateSigninDelegateGroupsFromAccount removes sign-in delegate groups from an account (§4.19).
func (h *handlers) DisassociateSigninDelegateGroupsFromAccount(ctx context.Context, id chime.Identity, in *DisassociateSigninDelegateGroupsFromAccountRequest) (DisassociateSigninDelegateGroupsFromAccountResponse, error) {
	err := h.svc.DisassociateSigninDelegateGroups(ctx, id.AwsAccountID, *in.AccountId, in.GroupNames)
	return DisassociateSigninDelegateGroupsFromAccountResponse{}, err
}

// GetGlobalSettings returns the caller's global settings (§4.21).
func (h *handlers) GetGlobalSettings(ctx context.Context, id chime.Identity) (GetGlobalSettingsResponse, error) {
	g, err := h.svc.GetGlobalSettings(ctx, id.AwsAccountID)
	if err != nil {
		return GetGlobalSettingsResponse{}, err
	}
	out := GetGlobalSettingsResponse{BusinessCalling: &BusinessCallingSettings{}, VoiceConnector: &VoiceConnectorSettings{}}
	if g.BusinessCallingBucket != "" {
		out.BusinessCalling.CdrBucket = &g.BusinessCallingBucket
	}
	if g.VoiceConnectorBucket != "" {
		out.VoiceConnector.CdrBucket = &g.VoiceConnectorBucket
	}
	return out, nil
}

// UpdateGlobalSettings changes the caller's global settings (§4.21); 204.
func (h *handlers) UpdateGlobalSettings(ctx context.Context, id chime.Identity, in *UpdateGlobalSettingsRequest) error {
	var patch chime.GlobalSettingsPatch
	if in.BusinessCalling != nil {
		patch.BusinessCallingBucket = in.BusinessCalling.CdrBucket
	}
	if in.VoiceConnector != nil {
		patch.VoiceConnectorBucket = in.VoiceConnector.CdrBucket
	}
	return h.svc.UpdateGlobalSettings(ctx, id.AwsAccountID, patch)
}
