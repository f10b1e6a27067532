package chime

import (
	"context"
	"time"
)

// Numbers of users: AssociatePhoneNumberWithUser, DisassociatePhoneNumberFromUser and the cascades that free a
// number when its user or account goes (docs/behavior.md §4.22; D29, D45).

// AssociatePhoneNumberWithUser gives a user a number of the caller's inventory as its primary provisioned number
// (§4.22, D29); giving it the number it has already is a no-op. Every account type.
// Errors, in the order of D47: EINVALID (FieldE164Number) for a missing number; ENOTFOUND for an unknown account,
// user, or a number not in the caller's inventory; EINVALID when the number is not BusinessCalling, is being
// acquired or is in the deletion queue, or when the user has another number; EASSOCIATED when the number is
// another user's.
func (s *Service) AssociatePhoneNumberWithUser(ctx context.Context, aws, accountID, userID string, e164 *string) error {
	if e164 == nil || *e164 == "" {
		return InvalidField(FieldE164Number, "is required")
	}
	e := normalizeE164(*e164)
	if !isE164Digits(e[1:]) {
		return InvalidField(FieldE164Number, "must be an E.164 number such as +12065550100")
	}
	now := s.clock()
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		u, err := user(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		n, err := tx.PhoneNumber(ctx, aws, e, now)
		if err != nil {
			return err
		}
		n.settle(now)
		switch {
		case n.ProductType != ProductBusinessCalling:
			return InvalidField(FieldE164Number, "is not a BusinessCalling number")
		case n.Status == NumberAcquireInProgress:
			return InvalidField(FieldE164Number, "is still being acquired")
		case n.Status == NumberDeleteInProgress:
			return InvalidField(FieldE164Number, "is in the deletion queue")
		case n.Status == NumberAssigned && n.AccountID == a.ID && n.UserID == u.ID:
			return nil
		case n.Status == NumberAssigned:
			return Errorf(EASSOCIATED, "The number is associated with another user")
		}
		if u.PhoneNumber != "" {
			return Invalid("the user already has the number %s; disassociate it first", u.PhoneNumber)
		}
		n.Status, n.AccountID, n.UserID, n.AssociatedAt, n.UpdatedAt = NumberAssigned, a.ID, u.ID, now, now
		if err := tx.UpdatePhoneNumber(ctx, n); err != nil {
			return err
		}
		u.PhoneNumber = n.E164
		return tx.UpdateUser(ctx, u)
	})
}

// DisassociatePhoneNumberFromUser frees the user's number, which becomes Unassigned (§4.22, D29); a user without
// one is left as it is. Errors: ENOTFOUND for an unknown account or user.
func (s *Service) DisassociatePhoneNumberFromUser(ctx context.Context, aws, accountID, userID string) error {
	now := s.clock()
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		u, err := user(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		if err := releaseNumber(ctx, tx, a.ID, u.ID, now); err != nil {
			return err
		}
		if u.PhoneNumber == "" {
			return nil
		}
		u.PhoneNumber = ""
		return tx.UpdateUser(ctx, u)
	})
}

// releaseNumber sets the number associated with a user, if any, Unassigned (D29, D45); the user row is the
// caller's to update (or delete).
func releaseNumber(ctx context.Context, tx Tx, accountID, userID string, now time.Time) error {
	n, err := tx.PhoneNumberOfUser(ctx, accountID, userID, now)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	n.settle(now)
	n.AccountID, n.UserID, n.AssociatedAt, n.UpdatedAt = "", "", time.Time{}, now
	if n.Status == NumberAssigned {
		n.Status = NumberUnassigned
	}
	return tx.UpdatePhoneNumber(ctx, n)
}

// releaseAccountNumbers sets every number associated with a user of the account Unassigned (D45).
func releaseAccountNumbers(ctx context.Context, tx Tx, a *Account, now time.Time) error {
	for {
		list, err := tx.ListPhoneNumbers(ctx, a.AwsAccountID, PhoneNumberFilter{AccountID: a.ID, Limit: 100, Now: now})
		if err != nil || len(list) == 0 {
			return err
		}
		for _, n := range list {
			if err := releaseNumber(ctx, tx, a.ID, n.UserID, now); err != nil {
				return err
			}
		}
	}
}
