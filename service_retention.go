package chime

import (
	"context"
	"time"
)

// Retention settings of Chime accounts (docs/behavior.md §4.20, D2, D35). Their effect on messages (hidden
// from reads, then purged) is in messages.go.

// Bounds of a retention policy in days (one day to 15 years).
const (
	MinRetentionDays = 1
	MaxRetentionDays = 5475
)

// RetentionGrace is the time from the last Put that sets a policy to InitiateDeletion (§4.20, D35).
const RetentionGrace = 30 * 24 * time.Hour

// RetentionSettings are an account's chat retention policies.
type RetentionSettings struct {
	AccountID        string
	AwsAccountID     string
	RoomDays         int       // 0: no room policy
	ConversationDays int       // 0: no conversation policy
	InitiateDeletion time.Time // zero when no policy is on
}

// RetentionPolicyPatch is one policy of a Put: Days nil turns the policy off.
type RetentionPolicyPatch struct {
	Days *int
}

// RetentionSettingsPatch is the body of a Put; a nil policy stays as it is.
type RetentionSettingsPatch struct {
	Room         *RetentionPolicyPatch
	Conversation *RetentionPolicyPatch
}

// retentionAccount loads the account of a retention call and checks its type (D47: 404 before 403).
func retentionAccount(ctx context.Context, tx Tx, aws, id string) (*Account, error) {
	a, err := account(ctx, tx, aws, id)
	if err != nil {
		return nil, err
	}
	if a.Type == AccountTeam {
		return nil, notEnterprise(a)
	}
	return a, nil
}

// GetRetentionSettings returns an account's retention settings (§4.20); an account never given any has none
// (zero days, no InitiateDeletion). Errors: EINVALID for a blank id; ENOTFOUND; EFORBIDDEN on Team accounts.
func (s *Service) GetRetentionSettings(ctx context.Context, aws, id string) (r *RetentionSettings, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := retentionAccount(ctx, tx, aws, id)
		if err != nil {
			return err
		}
		r, err = tx.RetentionSettings(ctx, a.ID)
		if ErrorCode(err) == ENOTFOUND {
			r, err = &RetentionSettings{AccountID: a.ID, AwsAccountID: a.AwsAccountID}, nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// PutRetentionSettings changes an account's retention settings (§4.20): a policy with days turns it on or
// changes it, a policy without days turns it off, a missing policy stays. A Put carrying days sets
// InitiateDeletion to now + RetentionGrace; one that leaves both policies off removes it.
// Errors: EINVALID when patch is nil (FieldRetentionSettings) or days are out of range (FieldRoomRetentionDays,
// FieldConversationRetentionDays); ENOTFOUND; EFORBIDDEN on Team accounts. It returns the settings stored.
func (s *Service) PutRetentionSettings(ctx context.Context, aws, id string, patch *RetentionSettingsPatch) (r *RetentionSettings, err error) {
	if patch == nil {
		return nil, InvalidField(FieldRetentionSettings, "is required")
	}
	for _, p := range []struct {
		policy *RetentionPolicyPatch
		field  Field
	}{{patch.Room, FieldRoomRetentionDays}, {patch.Conversation, FieldConversationRetentionDays}} {
		if p.policy != nil && p.policy.Days != nil && (*p.policy.Days < MinRetentionDays || *p.policy.Days > MaxRetentionDays) {
			return nil, InvalidField(p.field, "must be between %d and %d", MinRetentionDays, MaxRetentionDays)
		}
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := retentionAccount(ctx, tx, aws, id) // locks the account: Puts of one account are serialized
		if err != nil {
			return err
		}
		r, err = tx.RetentionSettings(ctx, a.ID)
		if ErrorCode(err) == ENOTFOUND {
			r, err = &RetentionSettings{AccountID: a.ID, AwsAccountID: a.AwsAccountID}, nil
		}
		if err != nil {
			return err
		}
		// D35: what the settings in force purged by now goes for good before they change.
		if err := purgeMessages(ctx, tx, a.ID, s.clock()); err != nil {
			return err
		}
		if patch.Room == nil && patch.Conversation == nil {
			return nil // {}: nothing changes
		}
		setsDays := false
		if p := patch.Room; p != nil {
			r.RoomDays = 0
			if p.Days != nil {
				r.RoomDays, setsDays = *p.Days, true
			}
		}
		if p := patch.Conversation; p != nil {
			r.ConversationDays = 0
			if p.Days != nil {
				r.ConversationDays, setsDays = *p.Days, true
			}
		}
		switch {
		case setsDays:
			r.InitiateDeletion = s.clock().Add(RetentionGrace)
		case r.RoomDays == 0 && r.ConversationDays == 0:
			r.InitiateDeletion = time.Time{}
		}
		return tx.PutRetentionSettings(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}
