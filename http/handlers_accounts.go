package http

import (
	"context"

	chime "github.com/chimed/chimed"
)

// CreateAccount creates a Team account (docs/behavior.md §4.1).
func (h *handlers) CreateAccount(ctx context.Context, id chime.Identity, in *CreateAccountRequest) (CreateAccountResponse, error) {
	a, err := h.svc.CreateAccount(ctx, id.AwsAccountID, in.Name)
	if err != nil {
		return CreateAccountResponse{}, err
	}
	return CreateAccountResponse{Account: accountOut(a)}, nil
}

// GetAccount returns an account (§4.2).
func (h *handlers) GetAccount(ctx context.Context, id chime.Identity, in *GetAccountRequest) (GetAccountResponse, error) {
	a, err := h.svc.GetAccount(ctx, id.AwsAccountID, *in.AccountId)
	if err != nil {
		return GetAccountResponse{}, err
	}
	return GetAccountResponse{Account: accountOut(a)}, nil
}

// ListAccounts lists accounts (§4.3).
func (h *handlers) ListAccounts(ctx context.Context, id chime.Identity, in *ListAccountsRequest) (ListAccountsResponse, error) {
	list, next, err := h.svc.ListAccounts(ctx, id.AwsAccountID, chime.ListAccountsInput{Name: in.Name,
		UserEmail: in.UserEmail, MaxResults: pageSize(in.MaxResults), NextToken: in.NextToken})
	if err != nil {
		return ListAccountsResponse{}, err
	}
	out := ListAccountsResponse{Accounts: make([]Account, len(list))}
	for i, a := range list {
		out.Accounts[i] = *accountOut(a)
	}
	if next != "" {
		out.NextToken = next
	}
	return out, nil
}

// UpdateAccount renames an account or changes its default license (§4.4).
func (h *handlers) UpdateAccount(ctx context.Context, id chime.Identity, in *UpdateAccountRequest) (UpdateAccountResponse, error) {
	a, err := h.svc.UpdateAccount(ctx, id.AwsAccountID, *in.AccountId, in.Name, enumPtr[chime.License](in.DefaultLicense))
	if err != nil {
		return UpdateAccountResponse{}, err
	}
	return UpdateAccountResponse{Account: accountOut(a)}, nil
}

// DeleteAccount deletes an account (§4.5).
func (h *handlers) DeleteAccount(ctx context.Context, id chime.Identity, in *DeleteAccountRequest) (DeleteAccountResponse, error) {
	return DeleteAccountResponse{}, h.svc.DeleteAccount(ctx, id.AwsAccountID, *in.AccountId)
}

// GetAccountSettings returns an account's settings (§4.6).
func (h *handlers) GetAccountSettings(ctx context.Context, id chime.Identity, in *GetAccountSettingsRequest) (GetAccountSettingsResponse, error) {
	st, err := h.svc.GetAccountSettings(ctx, id.AwsAccountID, *in.AccountId)
	if err != nil {
		return GetAccountSettingsResponse{}, err
	}
	return GetAccountSettingsResponse{AccountSettings: &AccountSettings{
		DisableRemoteControl: &st.DisableRemoteControl, EnableDialOut: &st.EnableDialOut}}, nil
}

// UpdateAccountSettings patches an account's settings (§4.7).
func (h *handlers) UpdateAccountSettings(ctx context.Context, id chime.Identity, in *UpdateAccountSettingsRequest) (UpdateAccountSettingsResponse, error) {
	patch := &chime.AccountSettingsPatch{DisableRemoteControl: in.AccountSettings.DisableRemoteControl,
		EnableDialOut: in.AccountSettings.EnableDialOut}
	return UpdateAccountSettingsResponse{}, h.svc.UpdateAccountSettings(ctx, id.AwsAccountID, *in.AccountId, patch)
}
