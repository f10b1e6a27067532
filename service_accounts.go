package chime

import (
	"context"
	"strings"
)

// CreateAccount creates a Team account named name in the caller's AWS account (§4.1).
// Errors: EINVALID (FieldName) when name is missing, blank or not storable text.
func (s *Service) CreateAccount(ctx context.Context, aws string, name *string) (*Account, error) {
	if name == nil {
		return nil, InvalidField(FieldName, "is required")
	}
	if err := requireText(FieldName, *name); err != nil {
		return nil, err
	}
	a := &Account{
		AwsAccountID:      aws,
		ID:                newID(),
		Name:              *name,
		Type:              AccountTeam,
		CreatedAt:         s.clock(),
		DefaultLicense:    LicensePro,
		SupportedLicenses: []License{LicenseBasic, LicensePro},
		Status:            AccountActive,
	}
	err := s.store.Write(ctx, func(tx Tx) error { return tx.InsertAccount(ctx, a) })
	if err != nil {
		return nil, err
	}
	return a, nil
}

// GetAccount returns an account of the caller (§4.2). Errors: EINVALID for a blank id, ENOTFOUND.
func (s *Service) GetAccount(ctx context.Context, aws, id string) (a *Account, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err = account(ctx, tx, aws, id)
		return err
	})
	return a, err
}

// ListAccountsInput are the filters and paging of ListAccounts; nil members were not given.
type ListAccountsInput struct {
	Name       *string // name prefix
	UserEmail  *string // accounts with a member of this address
	MaxResults int     // page size; 0 is the default
	NextToken  *string
}

// ListAccounts lists the caller's live accounts in creation order (§4.3, D7–D9). The returned token is empty on
// the last page. Errors: EINVALID for a bad filter, page size or token (FieldName, FieldEmail, FieldMaxResults,
// FieldNextToken).
func (s *Service) ListAccounts(ctx context.Context, aws string, in ListAccountsInput) ([]*Account, string, error) {
	var f AccountFilter
	var err error
	if in.Name != nil {
		if err := requireText(FieldName, *in.Name); err != nil {
			return nil, "", err
		}
		f.NamePrefix = *in.Name
	}
	if in.UserEmail != nil {
		if err := requireText(FieldEmail, *in.UserEmail); err != nil {
			return nil, "", err
		}
		f.EmailKey = EmailKey(*in.UserEmail)
	}
	if f.Limit, err = pageSize(in.MaxResults); err != nil {
		return nil, "", err
	}
	scope := pageScope("ListAccounts", aws, f.NamePrefix, f.EmailKey)
	if f.AfterSeq, err = s.pageStart(scope, in.NextToken); err != nil {
		return nil, "", err
	}
	f.Limit++ // one more tells whether another page follows
	var list []*Account
	err = s.store.Read(ctx, func(tx Tx) error {
		list, err = tx.ListAccounts(ctx, aws, f)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	list, next := page(s.tokens, scope, list, f.Limit, func(x *Account) int64 { return x.Seq })
	return list, next, nil
}

// UpdateAccount changes the name and/or default license of an account (§4.4).
// Errors: EINVALID for a bad name (FieldName) or a license the account does not support (FieldLicense);
// ENOTFOUND.
func (s *Service) UpdateAccount(ctx context.Context, aws, id string, name *string, license *License) (a *Account, err error) {
	if name != nil {
		if err := requireText(FieldName, *name); err != nil {
			return nil, err
		}
	}
	var l License
	if license != nil {
		if err := validateLicense(FieldLicense, *license); err != nil {
			return nil, err
		}
		l = *license
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if a, err = account(ctx, tx, aws, id); err != nil {
			return err
		}
		if license != nil && !a.Supports(l) {
			return InvalidField(FieldLicense, "%s is not supported by this account", l)
		}
		if name == nil && license == nil {
			return nil
		}
		if name != nil {
			a.Name = *name
		}
		if license != nil {
			a.DefaultLicense = l
		}
		return tx.UpdateAccount(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteAccount deletes an account (§4.5, D3, D4, D45), with its outbox messages, its sign-in delegate groups,
// its users' settings, and its rooms and memberships.
// Errors: ENOTFOUND; EUNPROCESSABLE while a Team account has any user, or an Enterprise account has a user that
// is not suspended.
func (s *Service) DeleteAccount(ctx context.Context, aws, id string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, id)
		if err != nil {
			return err
		}
		except := RegistrationStatus("")
		if a.Type != AccountTeam {
			except = Suspended
		}
		n, err := tx.CountUsers(ctx, a.ID, except)
		if err != nil {
			return err
		}
		if n > 0 {
			if a.Type == AccountTeam {
				return Errorf(EUNPROCESSABLE, "The account still has %d users; remove them with BatchSuspendUser first", n)
			}
			return Errorf(EUNPROCESSABLE, "The account still has %d users that are not suspended", n)
		}
		if err := tx.DeleteOutbox(ctx, aws, a.ID); err != nil {
			return err
		}
		if err := tx.DeleteBots(ctx, aws, a.ID); err != nil { // D45: bots and their events configurations
			return err
		}
		if err := tx.DeleteBotEvents(ctx, aws, a.ID); err != nil { // D45: their outbox events
			return err
		}
		if err := tx.DeleteRetentionSettings(ctx, aws, a.ID); err != nil { // D45
			return err
		}
		if err := tx.DeleteRooms(ctx, aws, a.ID); err != nil { // D45: rooms and memberships
			return err
		}
		if err := tx.DeleteChats(ctx, aws, a.ID); err != nil { // D45: messages, conversations, webhooks, URLs
			return err
		}
		now := s.clock()
		if err := releaseAccountNumbers(ctx, tx, a, now); err != nil { // D45
			return err
		}
		return tx.DeleteAccount(ctx, a, now)
	})
}

// GetAccountSettings returns an account's settings (§4.6). Errors: ENOTFOUND.
func (s *Service) GetAccountSettings(ctx context.Context, aws, id string) (AccountSettings, error) {
	a, err := s.GetAccount(ctx, aws, id)
	if err != nil {
		return AccountSettings{}, err
	}
	return a.Settings, nil
}

// AccountSettingsPatch names the settings to change; nil members stay as they are.
type AccountSettingsPatch struct {
	DisableRemoteControl *bool
	EnableDialOut        *bool
}

// UpdateAccountSettings patches an account's settings (§4.7). Errors: EINVALID when patch is nil; ENOTFOUND.
func (s *Service) UpdateAccountSettings(ctx context.Context, aws, id string, patch *AccountSettingsPatch) error {
	if patch == nil {
		return Invalid("the settings to change are required")
	}
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, id)
		if err != nil {
			return err
		}
		if patch.DisableRemoteControl != nil {
			a.Settings.DisableRemoteControl = *patch.DisableRemoteControl
		}
		if patch.EnableDialOut != nil {
			a.Settings.EnableDialOut = *patch.EnableDialOut
		}
		return tx.UpdateAccount(ctx, a)
	})
}

// SetAccountType converts an account to another type, keeping every user and status (control endpoint §9.2).
// Errors: EINVALID for an unknown type; ENOTFOUND.
func (s *Service) SetAccountType(ctx context.Context, aws, id string, typ *string) (a *Account, err error) {
	if typ == nil {
		return nil, InvalidField(FieldAccountType, "is required")
	}
	t, err := ValidateAccountType(FieldAccountType, *typ)
	if err != nil {
		return nil, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if a, err = account(ctx, tx, aws, id); err != nil {
			return err
		}
		a.Type = t
		return tx.UpdateAccount(ctx, a)
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// ResetTenant deletes every account and user of the caller's AWS account, with their invitations, sessions,
// user settings, outbox, rooms and memberships, and the AWS account's global and phone number settings, phone
// numbers and orders (control endpoint §9.2, D48; numbers once acquired stay unavailable, D21).
func (s *Service) ResetTenant(ctx context.Context, aws string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.DeleteTenant(ctx, aws); err != nil { // locks the accounts first
			return err
		}
		if err := tx.DeleteGlobalSettings(ctx, aws); err != nil {
			return err
		}
		if err := tx.DeleteBots(ctx, aws, ""); err != nil { // D48: bots and events configurations
			return err
		}
		if err := tx.DeleteBotEvents(ctx, aws, ""); err != nil { // D48: the bot event outbox
			return err
		}
		if err := tx.DeleteRetentionSettings(ctx, aws, ""); err != nil { // D48
			return err
		}
		if err := tx.DeletePhoneNumberSettings(ctx, aws); err != nil { // D48
			return err
		}
		if err := tx.DeletePhoneNumbers(ctx, aws); err != nil { // D48: numbers and orders
			return err
		}
		if err := tx.DeleteRooms(ctx, aws, ""); err != nil { // D48: rooms and memberships
			return err
		}
		if err := tx.DeleteChats(ctx, aws, ""); err != nil { // D48: messages, conversations, webhooks, URLs
			return err
		}
		if err := tx.DeleteDialOuts(ctx, aws); err != nil { // D48: the dial-out outbox
			return err
		}
		return tx.DeleteOutbox(ctx, aws, "")
	})
}

// typeRefusal is the D1 error for an operation the account type does not allow.
func typeRefusal(op string, a *Account, allowed ...AccountType) error {
	names := make([]string, len(allowed))
	for i, t := range allowed {
		names[i] = string(t)
	}
	return Invalid("%s is not supported for %s accounts (only %s)", op, a.Type, strings.Join(names, ", "))
}

func typeIn(t AccountType, allowed ...AccountType) bool {
	for _, a := range allowed {
		if t == a {
			return true
		}
	}
	return false
}
