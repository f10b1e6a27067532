package chime

import (
	"context"
	"errors"
)

// CreateUserInput is the body of CreateUser; nil members were not given.
type CreateUserInput struct {
	Username *string
	Email    *string
	UserType *UserType
}

// CreateUser adds a registered user to an EnterpriseDirectory or EnterpriseOIDC account (§4.8, D1, D10, D11).
// Errors: EINVALID for bad input (FieldEmail, FieldUserType, FieldUsername) or another account type; ENOTFOUND;
// ECONFLICT when the email is taken in the caller's AWS account.
func (s *Service) CreateUser(ctx context.Context, aws, accountID string, in CreateUserInput) (u *User, err error) {
	if in.Email == nil {
		return nil, InvalidField(FieldEmail, "is required")
	}
	if err := requireText(FieldEmail, *in.Email); err != nil {
		return nil, err
	}
	typ := UserPrivate
	if in.UserType != nil {
		if err := validateUserType(FieldUserType, *in.UserType); err != nil {
			return nil, err
		}
		typ = *in.UserType
	}
	if in.Username != nil {
		if err := checkText(FieldUsername, *in.Username, MaxTextLen); err != nil {
			return nil, err
		}
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if !typeIn(a.Type, AccountEnterpriseDirectory, AccountEnterpriseOIDC) {
			return typeRefusal("CreateUser", a, AccountEnterpriseDirectory, AccountEnterpriseOIDC)
		}
		if _, err := tx.UserByEmail(ctx, aws, EmailKey(*in.Email)); err == nil {
			return Errorf(ECONFLICT, "A user with this email address already exists")
		} else if ErrorCode(err) != ENOTFOUND {
			return err
		}
		now := s.clock()
		u = &User{ID: newID(), AccountID: a.ID, AwsAccountID: aws, Email: *in.Email, License: a.DefaultLicense,
			Type: typ, RegistrationStatus: Registered, RegisteredOn: now, CreatedAt: now}
		if in.Username != nil {
			u.DisplayName = *in.Username
		}
		if u.PIN, err = s.newPIN(ctx, tx, ""); err != nil {
			return err
		}
		return tx.InsertUser(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// GetUser returns a user of an account (§4.9). Errors: EINVALID for blank ids; ENOTFOUND.
func (s *Service) GetUser(ctx context.Context, aws, accountID, userID string) (u *User, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		u, err = user(ctx, tx, a, userID)
		return err
	})
	return u, err
}

// ListUsersInput are the filters and paging of ListUsers; nil members were not given.
type ListUsersInput struct {
	UserEmail  *string
	UserType   *UserType
	MaxResults int // page size; 0 is the default
	NextToken  *string
}

// ListUsers lists the users of an account in creation order (§4.10, D6–D9); the token is empty on the last page.
// Errors: EINVALID for a bad filter, page size or token; ENOTFOUND.
func (s *Service) ListUsers(ctx context.Context, aws, accountID string, in ListUsersInput) ([]*User, string, error) {
	var f UserFilter
	var err error
	if in.UserEmail != nil {
		if err := requireText(FieldEmail, *in.UserEmail); err != nil {
			return nil, "", err
		}
		f.EmailKey = EmailKey(*in.UserEmail)
	}
	if in.UserType != nil {
		if err := validateUserType(FieldUserType, *in.UserType); err != nil {
			return nil, "", err
		}
		f.Type = *in.UserType
	}
	if f.Limit, err = pageSize(in.MaxResults); err != nil {
		return nil, "", err
	}
	if err := ValidateID(FieldAccountID, accountID); err != nil {
		return nil, "", err
	}
	scope := pageScope("ListUsers", aws, accountID, f.EmailKey, string(f.Type))
	if f.AfterSeq, err = s.pageStart(scope, in.NextToken); err != nil {
		return nil, "", err
	}
	f.Limit++
	var list []*User
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		list, err = tx.ListUsers(ctx, a, f)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	list, next := page(s.tokens, scope, list, f.Limit, func(x *User) int64 { return x.Seq })
	return list, next, nil
}

// AlexaPatch is an AlexaForBusinessMetadata member of an update.
type AlexaPatch struct {
	Enabled *bool
	RoomARN *string
}

// UserPatch is the body of UpdateUser or one BatchUpdateUser item; nil members stay as they are.
type UserPatch struct {
	UserID      string // BatchUpdateUser items only
	LicenseType *License
	UserType    *UserType
	Alexa       *AlexaPatch
}

// parsedPatch is a validated UserPatch.
type parsedPatch struct {
	license License
	typ     UserType
	alexa   *AlexaPatch
}

func parsePatch(p UserPatch) (pp parsedPatch, err error) {
	if p.LicenseType != nil {
		if err = validateLicense(FieldLicense, *p.LicenseType); err != nil {
			return pp, err
		}
		pp.license = *p.LicenseType
	}
	if p.UserType != nil {
		if err = validateUserType(FieldUserType, *p.UserType); err != nil {
			return pp, err
		}
		pp.typ = *p.UserType
	}
	if p.Alexa != nil && p.Alexa.RoomARN != nil {
		if err := checkText(FieldAlexaRoomARN, *p.Alexa.RoomARN, MaxTextLen); err != nil {
			return pp, err
		}
	}
	pp.alexa = p.Alexa
	return pp, nil
}

// apply changes u; EINVALID when the license is not supported by account a.
func (pp parsedPatch) apply(a *Account, u *User) error {
	if pp.license != "" {
		if !a.Supports(pp.license) {
			return InvalidField(FieldLicense, "%s is not supported by this account", pp.license)
		}
		u.License = pp.license
	}
	if pp.typ != "" {
		u.Type = pp.typ
	}
	if pp.alexa != nil {
		if pp.alexa.Enabled != nil {
			u.AlexaEnabled = *pp.alexa.Enabled
		}
		if pp.alexa.RoomARN != nil {
			u.AlexaRoomARN = *pp.alexa.RoomARN
		}
	}
	return nil
}

// UpdateUser changes a user's license, type or Alexa for Business metadata (§4.11).
// Errors: EINVALID for bad values or an unsupported license; ENOTFOUND.
func (s *Service) UpdateUser(ctx context.Context, aws, accountID, userID string, p UserPatch) (u *User, err error) {
	pp, err := parsePatch(p)
	if err != nil {
		return nil, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if u, err = user(ctx, tx, a, userID); err != nil {
			return err
		}
		if err := pp.apply(a, u); err != nil {
			return err
		}
		return tx.UpdateUser(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// batchIDs validates a user id list of a batch operation.
func batchIDs(ids []string) error {
	if ids == nil {
		return InvalidField(FieldUserIDs, "is required")
	}
	if len(ids) > MaxBatch {
		return InvalidField(FieldUserIDs, "must have at most %d members", MaxBatch)
	}
	for _, id := range ids {
		if err := ValidateID(FieldUserIDs, id); err != nil {
			return err
		}
	}
	return nil
}

// userErr turns a per-item failure into a UserError, or returns the error when it is not an item's fault.
func userErr(id string, err error) (UserError, error) {
	var e *Error
	if errors.As(err, &e) && (e.Code == ENOTFOUND || e.Code == EINVALID) {
		msg := e.Message
		if e.Code == ENOTFOUND {
			msg = "User not found"
		}
		return UserError{UserID: id, Code: e.Code, Message: msg}, nil
	}
	return UserError{}, err
}

// BatchUpdateUser applies UpdateUser to up to 20 users, best effort (§4.12). Duplicated ids are applied and
// reported once. Errors (whole request): EINVALID for a malformed list; ENOTFOUND for the account.
func (s *Service) BatchUpdateUser(ctx context.Context, aws, accountID string, items []UserPatch) ([]UserError, error) {
	if items == nil {
		return nil, InvalidField(FieldUserIDs, "is required")
	}
	if len(items) > MaxBatch {
		return nil, InvalidField(FieldUserIDs, "must have at most %d members", MaxBatch)
	}
	parsed := make([]parsedPatch, len(items))
	for i, it := range items {
		if err := ValidateID(FieldUserIDs, it.UserID); err != nil {
			return nil, err
		}
		var err error
		if parsed[i], err = parsePatch(it); err != nil {
			return nil, err
		}
	}
	var errs []UserError
	err := s.store.Write(ctx, func(tx Tx) error {
		errs = []UserError{}
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for i, it := range items {
			if seen[it.UserID] {
				continue
			}
			seen[it.UserID] = true
			err := s.updateOne(ctx, tx, a, it.UserID, parsed[i])
			if err != nil {
				ue, err := userErr(it.UserID, err)
				if err != nil {
					return err
				}
				errs = append(errs, ue)
			}
		}
		return nil
	})
	return errs, err
}

func (s *Service) updateOne(ctx context.Context, tx Tx, a *Account, id string, pp parsedPatch) error {
	u, err := tx.User(ctx, a.ID, id)
	if err != nil {
		return err
	}
	if err := pp.apply(a, u); err != nil {
		return err
	}
	return tx.UpdateUser(ctx, u)
}

// BatchSuspendUser suspends up to 50 users (§4.13, D1, D5): Team users are removed from the account,
// EnterpriseLWA users become Suspended; either way every session of the user is revoked (§9.3), and a
// suspended user cannot sign in until unsuspended. Unknown ids are reported per item; already suspended ones
// are ignored.
// Errors (whole request): EINVALID for a malformed list or another account type; ENOTFOUND for the account.
func (s *Service) BatchSuspendUser(ctx context.Context, aws, accountID string, ids []string) ([]UserError, error) {
	if err := batchIDs(ids); err != nil {
		return nil, err
	}
	allowed := []AccountType{AccountTeam, AccountEnterpriseLWA}
	return s.batch(ctx, aws, accountID, ids, "BatchSuspendUser", allowed, func(tx Tx, a *Account, u *User) error {
		// Signed out at once either way (sessions.go); a removed user's links and sessions go with it.
		if err := revokeAccess(ctx, tx, u); err != nil {
			return err
		}
		if a.Type == AccountTeam {
			if err := releaseNumber(ctx, tx, a.ID, u.ID, s.clock()); err != nil { // D29
				return err
			}
			return tx.DeleteUser(ctx, u)
		}
		if u.RegistrationStatus == Suspended {
			return nil
		}
		u.RegistrationStatus = Suspended
		return tx.UpdateUser(ctx, u)
	})
}

// BatchUnsuspendUser returns suspended users of an EnterpriseLWA account to Registered (§4.14, D1); users that
// are not suspended are ignored. Revoked sessions stay revoked: the user signs in again.
// Errors (whole request): EINVALID for a malformed list or another account type; ENOTFOUND for the account.
func (s *Service) BatchUnsuspendUser(ctx context.Context, aws, accountID string, ids []string) ([]UserError, error) {
	if err := batchIDs(ids); err != nil {
		return nil, err
	}
	allowed := []AccountType{AccountEnterpriseLWA}
	return s.batch(ctx, aws, accountID, ids, "BatchUnsuspendUser", allowed, func(tx Tx, a *Account, u *User) error {
		if u.RegistrationStatus != Suspended {
			return nil
		}
		u.RegistrationStatus = Registered
		return tx.UpdateUser(ctx, u)
	})
}

// batch runs fn once per distinct user id inside one transaction, after checking that the account's type is
// allowed for op (which decides for the whole request, D1). Per-user NotFound/BadRequest become UserErrors.
func (s *Service) batch(ctx context.Context, aws, accountID string, ids []string, op string, allowed []AccountType,
	fn func(Tx, *Account, *User) error) ([]UserError, error) {
	var errs []UserError
	err := s.store.Write(ctx, func(tx Tx) error {
		errs = []UserError{}
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if !typeIn(a.Type, allowed...) {
			return typeRefusal(op, a, allowed...)
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			u, err := tx.User(ctx, a.ID, id)
			if err == nil {
				err = fn(tx, a, u)
			}
			if err != nil {
				ue, err := userErr(id, err)
				if err != nil {
					return err
				}
				errs = append(errs, ue)
			}
		}
		return nil
	})
	return errs, err
}
