package chime

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// UserSettings are a user's business-calling permissions (§4.18). A user that never had them changed has all
// three on (D12).
type UserSettings struct {
	InboundCalling  bool
	OutboundCalling bool
	SMS             bool
}

// DefaultUserSettings are the settings of a user that never had them changed (D12).
var DefaultUserSettings = UserSettings{InboundCalling: true, OutboundCalling: true, SMS: true}

// GlobalSettings are an AWS account's settings (§4.21): the S3 buckets that receive call detail records of
// business calling and of voice connectors; "" = none.
type GlobalSettings struct {
	BusinessCallingBucket string
	VoiceConnectorBucket  string
}

// GlobalSettingsPatch names the buckets to change; nil members stay as they are, "" clears one.
type GlobalSettingsPatch struct {
	BusinessCallingBucket *string
	VoiceConnectorBucket  *string
}

// Fields of the settings operations' inputs.
const (
	FieldUserSettings          Field = "user settings"
	FieldDelegateGroups        Field = "sign-in delegate groups"
	FieldBusinessCallingBucket Field = "business calling record bucket"
	FieldVoiceConnectorBucket  Field = "voice connector record bucket"
)

// Limits of sign-in delegate groups (D42).
const (
	MaxDelegateGroups       = 50
	MaxDelegateGroupNameLen = 256
)

// GetUserSettings returns a user's settings (§4.18): the defaults of D12 until changed.
// Errors: EINVALID for a blank id; ENOTFOUND for an unknown account or user (a removed Team user included).
func (s *Service) GetUserSettings(ctx context.Context, aws, accountID, userID string) (st UserSettings, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if _, err := user(ctx, tx, a, userID); err != nil {
			return err
		}
		stored, err := tx.UserSettings(ctx, a.ID, userID)
		switch {
		case err == nil:
			st = *stored
		case ErrorCode(err) == ENOTFOUND:
			st = DefaultUserSettings
		default:
			return err
		}
		return nil
	})
	return st, err
}

// UpdateUserSettings replaces a user's settings, all three together (§4.18). Every account type.
// Errors: EINVALID (FieldUserSettings) when st is nil, or for a blank id; ENOTFOUND for an unknown account or
// user.
func (s *Service) UpdateUserSettings(ctx context.Context, aws, accountID, userID string, st *UserSettings) error {
	if st == nil {
		return InvalidField(FieldUserSettings, "is required")
	}
	v := *st
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if _, err := user(ctx, tx, a, userID); err != nil {
			return err
		}
		return tx.PutUserSettings(ctx, a.ID, userID, &v)
	})
}

// validateGroupName checks one sign-in delegate group name (D42): storable text with a non-blank character, at
// most 256 characters, without the U+001F separator the store keeps lists with.
func validateGroupName(v string) error {
	if err := checkText(FieldDelegateGroups, v, MaxDelegateGroupNameLen); err != nil {
		return err
	}
	if !hasNonSpace(v) {
		return InvalidField(FieldDelegateGroups, "must not hold a blank group name")
	}
	if strings.IndexByte(v, 0x1f) >= 0 {
		return InvalidField(FieldDelegateGroups, "must not hold control character U+001F")
	}
	return nil
}

// delegateGroupsAccount loads the account and refuses any type but EnterpriseDirectory (§4.23, D2).
func delegateGroupsAccount(ctx context.Context, tx Tx, aws, id string) (*Account, error) {
	a, err := account(ctx, tx, aws, id)
	if err != nil {
		return nil, err
	}
	if a.Type != AccountEnterpriseDirectory {
		return nil, notEnterprise(a)
	}
	return a, nil
}

// notEnterprise is the D2 refusal of a feature the account's type lacks, with the real service's message.
func notEnterprise(a *Account) error {
	return Errorf(EFORBIDDEN, "Chime Account provided is not an Enterprise Chime Account[AWS Account ID: %s][Chime Account ID: %s]",
		a.AwsAccountID, a.ID)
}

// AssociateSigninDelegateGroups adds groups to an EnterpriseDirectory account's sign-in delegate groups
// (§4.19, D42): a set union by exact name, keeping first-association order; an empty list changes nothing.
// Errors: EINVALID (FieldDelegateGroups) for a blank or too long name, or when the account would hold more
// than 50 groups; ENOTFOUND; EFORBIDDEN for any other account type.
func (s *Service) AssociateSigninDelegateGroups(ctx context.Context, aws, id string, groups []string) error {
	for _, g := range groups {
		if err := validateGroupName(g); err != nil {
			return err
		}
	}
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := delegateGroupsAccount(ctx, tx, aws, id)
		if err != nil {
			return err
		}
		have := make(map[string]bool, len(a.SigninDelegateGroups))
		for _, g := range a.SigninDelegateGroups {
			have[g] = true
		}
		next := append([]string(nil), a.SigninDelegateGroups...)
		for _, g := range groups {
			if !have[g] {
				have[g] = true
				next = append(next, g)
			}
		}
		if len(next) == len(a.SigninDelegateGroups) {
			return nil
		}
		if len(next) > MaxDelegateGroups {
			return InvalidField(FieldDelegateGroups, "would give the account %d groups; at most %d are allowed",
				len(next), MaxDelegateGroups)
		}
		a.SigninDelegateGroups = next
		return tx.UpdateAccount(ctx, a)
	})
}

// DisassociateSigninDelegateGroups removes groups from an EnterpriseDirectory account's sign-in delegate
// groups by exact name (§4.19); names it does not hold are ignored.
// Errors: EINVALID (FieldDelegateGroups) for an empty list; ENOTFOUND; EFORBIDDEN for any other account type.
func (s *Service) DisassociateSigninDelegateGroups(ctx context.Context, aws, id string, names []string) error {
	if len(names) == 0 {
		return InvalidField(FieldDelegateGroups, "must name at least one group")
	}
	drop := make(map[string]bool, len(names))
	for _, n := range names {
		drop[n] = true
	}
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := delegateGroupsAccount(ctx, tx, aws, id)
		if err != nil {
			return err
		}
		var next []string
		for _, g := range a.SigninDelegateGroups {
			if !drop[g] {
				next = append(next, g)
			}
		}
		if len(next) == len(a.SigninDelegateGroups) {
			return nil
		}
		a.SigninDelegateGroups = next
		return tx.UpdateAccount(ctx, a)
	})
}

// GetGlobalSettings returns the caller's global settings (§4.21); never set, both buckets are "" (D12).
func (s *Service) GetGlobalSettings(ctx context.Context, aws string) (g GlobalSettings, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		st, err := tx.GlobalSettings(ctx, aws)
		if err != nil {
			return err
		}
		g = *st
		return nil
	})
	return g, err
}

// UpdateGlobalSettings changes the caller's global settings (§4.21): a nil member stays, "" clears, anything
// else must be an S3 bucket name (D43). Errors: EINVALID (FieldBusinessCallingBucket, FieldVoiceConnectorBucket).
func (s *Service) UpdateGlobalSettings(ctx context.Context, aws string, patch GlobalSettingsPatch) error {
	if patch.BusinessCallingBucket != nil {
		if err := ValidateBucketName(FieldBusinessCallingBucket, *patch.BusinessCallingBucket); err != nil {
			return err
		}
	}
	if patch.VoiceConnectorBucket != nil {
		if err := ValidateBucketName(FieldVoiceConnectorBucket, *patch.VoiceConnectorBucket); err != nil {
			return err
		}
	}
	if patch.BusinessCallingBucket == nil && patch.VoiceConnectorBucket == nil {
		return nil
	}
	return s.store.Write(ctx, func(tx Tx) error {
		return tx.PatchGlobalSettings(ctx, aws, patch.BusinessCallingBucket, patch.VoiceConnectorBucket)
	})
}

// ValidateBucketName checks a call detail record bucket (D43): "" (none), or an S3 bucket name of 3..63
// characters of a-z, 0-9, '.' and '-', starting and ending with a letter or digit, without "..".
// Errors: EINVALID about field.
func ValidateBucketName(field Field, v string) error {
	if v == "" {
		return nil
	}
	if err := bucketName(v); err != nil {
		return InvalidField(field, "%s", err)
	}
	return nil
}

func bucketName(v string) error {
	if len(v) < 3 || len(v) > 63 {
		return fmt.Errorf("must be an S3 bucket name of 3 to 63 characters (or empty)")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return fmt.Errorf("must be an S3 bucket name: only lowercase letters, digits, '.' and '-'")
		}
	}
	if !alnum(v[0]) || !alnum(v[len(v)-1]) {
		return errors.New("must be an S3 bucket name: it starts and ends with a lowercase letter or digit")
	}
	if strings.Contains(v, "..") {
		return errors.New("must be an S3 bucket name: no two adjacent periods")
	}
	return nil
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
