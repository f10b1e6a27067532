package http

import (
	"context"

	chime "github.com/chimed/chimed"
)

// CreateUser adds a registered user to an Enterprise account (docs/behavior.md §4.8).
func (h *handlers) CreateUser(ctx context.Context, id chime.Identity, in *CreateUserRequest) (CreateUserResponse, error) {
	u, err := h.svc.CreateUser(ctx, id.AwsAccountID, *in.AccountId, chime.CreateUserInput{Username: in.Username,
		Email: in.Email, UserType: enumPtr[chime.UserType](in.UserType)})
	if err != nil {
		return CreateUserResponse{}, err
	}
	return CreateUserResponse{User: userOut(u)}, nil
}

// GetUser returns a user (§4.9).
func (h *handlers) GetUser(ctx context.Context, id chime.Identity, in *GetUserRequest) (GetUserResponse, error) {
	u, err := h.svc.GetUser(ctx, id.AwsAccountID, *in.AccountId, *in.UserId)
	if err != nil {
		return GetUserResponse{}, err
	}
	return GetUserResponse{User: userOut(u)}, nil
}

// ListUsers lists the users of an account, without their PINs (§4.10, D11).
func (h *handlers) ListUsers(ctx context.Context, id chime.Identity, in *ListUsersRequest) (ListUsersResponse, error) {
	list, next, err := h.svc.ListUsers(ctx, id.AwsAccountID, *in.AccountId, chime.ListUsersInput{
		UserEmail: in.UserEmail, UserType: enumPtr[chime.UserType](in.UserType),
		MaxResults: pageSize(in.MaxResults), NextToken: in.NextToken})
	if err != nil {
		return ListUsersResponse{}, err
	}
	out := ListUsersResponse{Users: make([]User, len(list))}
	alexa := make([]AlexaForBusinessMetadata, len(list))
	for i, u := range list {
		setUser(&out.Users[i], &alexa[i], u, false)
	}
	if next != "" {
		out.NextToken = next
	}
	return out, nil
}

// userPatch is the domain patch of an UpdateUser body or a BatchUpdateUser item.
func userPatch(userID string, license, typ *string, alexa *AlexaForBusinessMetadata) chime.UserPatch {
	p := chime.UserPatch{UserID: userID, LicenseType: enumPtr[chime.License](license),
		UserType: enumPtr[chime.UserType](typ)}
	if alexa != nil {
		p.Alexa = &chime.AlexaPatch{Enabled: alexa.IsAlexaForBusinessEnabled, RoomARN: alexa.AlexaForBusinessRoomArn}
	}
	return p
}

// UpdateUser changes a user's license, type or Alexa for Business metadata (§4.11).
func (h *handlers) UpdateUser(ctx context.Context, id chime.Identity, in *UpdateUserRequest) (UpdateUserResponse, error) {
	u, err := h.svc.UpdateUser(ctx, id.AwsAccountID, *in.AccountId, *in.UserId,
		userPatch("", in.LicenseType, in.UserType, in.AlexaForBusinessMetadata))
	if err != nil {
		return UpdateUserResponse{}, err
	}
	return UpdateUserResponse{User: userOut(u)}, nil
}

// BatchUpdateUser applies UpdateUser to up to 20 users (§4.12).
func (h *handlers) BatchUpdateUser(ctx context.Context, id chime.Identity, in *BatchUpdateUserRequest) (BatchUpdateUserResponse, error) {
	items := make([]chime.UserPatch, len(in.UpdateUserRequestItems))
	for i, it := range in.UpdateUserRequestItems {
		items[i] = userPatch(*it.UserId, it.LicenseType, it.UserType, it.AlexaForBusinessMetadata)
	}
	errs, err := h.svc.BatchUpdateUser(ctx, id.AwsAccountID, *in.AccountId, items)
	if err != nil {
		return BatchUpdateUserResponse{}, err
	}
	return BatchUpdateUserResponse{UserErrors: userErrorsOut(errs)}, nil
}

// BatchSuspendUser suspends (Team: removes) up to 50 users (§4.13).
func (h *handlers) BatchSuspendUser(ctx context.Context, id chime.Identity, in *BatchSuspendUserRequest) (BatchSuspendUserResponse, error) {
	errs, err := h.svc.BatchSuspendUser(ctx, id.AwsAccountID, *in.AccountId, in.UserIdList)
	if err != nil {
		return BatchSuspendUserResponse{}, err
	}
	return BatchSuspendUserResponse{UserErrors: userErrorsOut(errs)}, nil
}

// BatchUnsuspendUser unsuspends up to 50 users of an EnterpriseLWA account (§4.14).
func (h *handlers) BatchUnsuspendUser(ctx context.Context, id chime.Identity, in *BatchUnsuspendUserRequest) (BatchUnsuspendUserResponse, error) {
	errs, err := h.svc.BatchUnsuspendUser(ctx, id.AwsAccountID, *in.AccountId, in.UserIdList)
	if err != nil {
		return BatchUnsuspendUserResponse{}, err
	}
	return BatchUnsuspendUserResponse{UserErrors: userErrorsOut(errs)}, nil
}

// InviteUsers invites up to 50 addresses to a Team account (§4.15).
func (h *handlers) InviteUsers(ctx context.Context, id chime.Identity, in *InviteUsersRequest) (InviteUsersResponse, error) {
	invites, err := h.svc.InviteUsers(ctx, id.AwsAccountID, *in.AccountId, in.UserEmailList,
		enumPtr[chime.UserType](in.UserType))
	if err != nil {
		return InviteUsersResponse{}, err
	}
	out := InviteUsersResponse{Invites: make([]Invite, len(invites))}
	for i, inv := range invites {
		out.Invites[i] = Invite{InviteId: inv.ID, Status: string(inv.Status), EmailAddress: inv.Email,
			EmailStatus: string(inv.EmailStatus)}
	}
	return out, nil
}

// LogoutUser ends every session of a user (§4.16).
func (h *handlers) LogoutUser(ctx context.Context, id chime.Identity, in *LogoutUserRequest) (LogoutUserResponse, error) {
	return LogoutUserResponse{}, h.svc.LogoutUser(ctx, id.AwsAccountID, *in.AccountId, *in.UserId)
}

// ResetPersonalPIN gives a user a new PIN (§4.17).
func (h *handlers) ResetPersonalPIN(ctx context.Context, id chime.Identity, in *ResetPersonalPINRequest) (ResetPersonalPINResponse, error) {
	u, err := h.svc.ResetPersonalPIN(ctx, id.AwsAccountID, *in.AccountId, *in.UserId)
	if err != nil {
		return ResetPersonalPINResponse{}, err
	}
	return ResetPersonalPINResponse{User: userOut(u)}, nil
}
