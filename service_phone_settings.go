package chime

import (
	"context"
	"time"
)

// PhoneNumberSettings are an AWS account's phone number settings (§4.31, D28): the default outbound calling name
// of its numbers and the server time of its last successful update. Never set: the zero value.
type PhoneNumberSettings struct {
	CallingName string
	UpdatedAt   time.Time // zero when never set
}

// DefaultCallingNameInterval is the least time between two successful UpdatePhoneNumberSettings of an AWS
// account (D28, --calling-name-interval).
const DefaultCallingNameInterval = 168 * time.Hour

// FieldCallingName is the calling name of UpdatePhoneNumberSettings (§4.31).
const FieldCallingName Field = "calling name"

// callingNameInterval returns the interval of ServiceOptions.CallingNameInterval: 0 is the default, negative
// disables the rule (0 returned).
func callingNameInterval(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return DefaultCallingNameInterval
	case d < 0:
		return 0
	}
	return d
}

// GetPhoneNumberSettings returns the caller's phone number settings (§4.31); the zero value when never set (D28).
func (s *Service) GetPhoneNumberSettings(ctx context.Context, aws string) (st PhoneNumberSettings, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		p, err := tx.PhoneNumberSettings(ctx, aws)
		if ErrorCode(err) == ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		st = *p
		return nil
	})
	return st, err
}

// UpdatePhoneNumberSettings sets the caller's default calling name (§4.31, D28): "" clears it (the name's syntax
// is the model's, checked by the wire layer). At most one successful update per calling-name interval (server
// clock): an update within the interval of the previous one is refused; the store's conditional write decides,
// so of two racing updates one wins. Errors: EINVALID (FieldCallingName; the interval).
func (s *Service) UpdatePhoneNumberSettings(ctx context.Context, aws string, name *string) error {
	if name == nil {
		return InvalidField(FieldCallingName, "is required")
	}
	if err := checkText(FieldCallingName, *name, MaxTextLen); err != nil {
		return err
	}
	now := s.clock()
	var notAfter time.Time // the latest previous update that still allows this one (zero: no rule)
	if s.callingNameInterval > 0 {
		notAfter = now.Add(-s.callingNameInterval)
	}
	return s.store.Write(ctx, func(tx Tx) error {
		err := tx.PutPhoneNumberSettings(ctx, aws, &PhoneNumberSettings{CallingName: *name, UpdatedAt: now}, notAfter)
		if ErrorCode(err) != ENOTFOUND {
			return err
		}
		// Refused: the previous update is within the interval.
		cur, err := tx.PhoneNumberSettings(ctx, aws)
		if err != nil {
			return Invalid("the calling name was updated within the last %s", s.callingNameInterval)
		}
		return Invalid("the calling name was updated at %s; it may be updated again from %s",
			cur.UpdatedAt.UTC().Format(time.RFC3339), cur.UpdatedAt.Add(s.callingNameInterval).UTC().Format(time.RFC3339))
	})
}
