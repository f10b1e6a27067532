package chime

import (
	"context"
	"regexp"
	"time"
)

// Meeting dial-outs (docs/behavior.md §4.38, §9.8; D40). chimed has no telephone network and no meetings API: a
// dial-out is validated, its From number checked against the caller's inventory, counted against the meeting's
// limit and recorded in the dial-out outbox (GET /_chimed/dial-outs) with a new TransactionId. The meeting is not
// looked up and nobody is called. The JoinToken is a credential of the meeting: it is sealed with the service
// keyring in the store, never logged, and shown in clear only by the outbox listing.

// DialOut is a recorded CreateMeetingDialOut.
type DialOut struct {
	TransactionID string // lowercase UUID v4
	AwsAccountID  string
	MeetingID     string // as sent
	From, To      string // E.164 with '+'
	// JoinToken is the attendee join token in clear (empty in what the store returns: see SealedJoinToken).
	JoinToken string
	// SealedJoinToken is the join token sealed with the service keyring (additional data dialOutAAD).
	SealedJoinToken []byte
	CreatedAt       time.Time // server clock
}

// Limits of dial-outs (§4.39, D40).
const (
	// MaxDialOutsPerMeeting is the number of dial-outs one AWS account may make for one MeetingId; the next one
	// is refused with ELIMIT.
	MaxDialOutsPerMeeting = 250
	// DialOutOutboxLimit bounds the outbox listing: the latest ones, oldest first.
	DialOutOutboxLimit = 1000
	// MaxMeetingIDLen bounds a MeetingId (the model sets no length; a real one is a 36-character GUID).
	MaxMeetingIDLen = 256
	// Join token bounds and pattern of the model (JoinTokenString).
	minJoinTokenLen = 2
	maxJoinTokenLen = 2048
)

// Fields of CreateMeetingDialOut.
const (
	FieldMeetingID       Field = "meeting id"
	FieldFromPhoneNumber Field = "calling number"
	FieldToPhoneNumber   Field = "called number"
	FieldJoinToken       Field = "join token"
)

var (
	// guidRe is the model's GuidString pattern, unanchored: a MeetingId must contain a GUID.
	guidRe = regexp.MustCompile(`[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}`)
	// joinTokenRe is the model's JoinTokenString pattern.
	joinTokenRe = regexp.MustCompile(`^[a-zA-Z0-9+/]+$`)
)

// DialOutInput are the members of CreateMeetingDialOut; nil members were not given.
type DialOutInput struct {
	MeetingID       *string
	FromPhoneNumber *string
	ToPhoneNumber   *string
	JoinToken       *string
}

// DialOutTx holds the Tx methods of recorded dial-outs (sqlstore/dialouts.go).
type DialOutTx interface {
	// LockDialOuts serializes the write transactions that call it for one MeetingId of the AWS account aws until
	// they end (a no-op where the engine serializes writers): a transaction that counts a meeting's dial-outs and
	// then adds one calls it first.
	LockDialOuts(ctx context.Context, aws, meetingID string) error
	// CountDialOuts counts the dial-outs of aws for meetingID.
	CountDialOuts(ctx context.Context, aws, meetingID string) (int, error)
	// InsertDialOut stores a new dial-out (its sealed join token only). ECONFLICT when its TransactionID exists.
	InsertDialOut(ctx context.Context, d *DialOut) error
	// ListDialOuts returns the latest limit dial-outs of aws (of meetingID only, unless it is empty), oldest
	// first, with their sealed join tokens.
	ListDialOuts(ctx context.Context, aws, meetingID string, limit int) ([]*DialOut, error)
	// DeleteDialOuts deletes every dial-out of aws.
	DeleteDialOuts(ctx context.Context, aws string) error
}

// dialOutAAD is the additional data that binds a sealed join token to its dial-out.
func dialOutAAD(transactionID string) string { return "dialout/" + transactionID }

// dialOutNumber checks one E164PhoneNumber member (the model's pattern, not otherwise guaranteed when the Service
// is called directly) and returns it with a '+'.
func dialOutNumber(f Field, v *string) (string, error) {
	if v == nil {
		return "", InvalidField(f, "is required")
	}
	d := *v
	if len(d) > 0 && d[0] == '+' {
		d = d[1:]
	}
	if !isE164Digits(d) {
		return "", InvalidField(f, "must be an E.164 phone number")
	}
	return "+" + d, nil
}

// validDialOut applies the input rules of §4.38 (step 3 of D47) and returns the dial-out they describe.
func validDialOut(in DialOutInput) (*DialOut, error) {
	if in.MeetingID == nil {
		return nil, InvalidField(FieldMeetingID, "is required")
	}
	if len(*in.MeetingID) > MaxMeetingIDLen {
		return nil, InvalidField(FieldMeetingID, "must be at most %d characters", MaxMeetingIDLen)
	}
	if !guidRe.MatchString(*in.MeetingID) {
		return nil, InvalidField(FieldMeetingID, "must be a meeting ID (a GUID)")
	}
	from, err := dialOutNumber(FieldFromPhoneNumber, in.FromPhoneNumber)
	if err != nil {
		return nil, err
	}
	to, err := dialOutNumber(FieldToPhoneNumber, in.ToPhoneNumber)
	if err != nil {
		return nil, err
	}
	if in.JoinToken == nil {
		return nil, InvalidField(FieldJoinToken, "is required")
	}
	// The token's value never appears in a message.
	if n := len(*in.JoinToken); n < minJoinTokenLen || n > maxJoinTokenLen {
		return nil, InvalidField(FieldJoinToken, "must be %d to %d characters", minJoinTokenLen, maxJoinTokenLen)
	}
	if !joinTokenRe.MatchString(*in.JoinToken) {
		return nil, InvalidField(FieldJoinToken, "must consist of letters, digits, '+' and '/'")
	}
	if to == from {
		return nil, InvalidField(FieldToPhoneNumber, "must differ from FromPhoneNumber")
	}
	return &DialOut{MeetingID: *in.MeetingID, From: from, To: to, JoinToken: *in.JoinToken}, nil
}

// CreateMeetingDialOut records a dial-out of the caller's (§4.38, D40), in the check order of D47: the input
// rules; then the From number, which must be an Unassigned or Assigned number of the caller's inventory at the
// server clock; then the limit of MaxDialOutsPerMeeting per MeetingId, counted and added under a lock of that
// meeting's dial-outs so that concurrent requests never exceed it. Errors: EINVALID (FieldMeetingID,
// FieldFromPhoneNumber, FieldToPhoneNumber, FieldJoinToken); EACCESSDENIED when From is not such a number
// (unknown, another AWS account's, pending acquisition or queued for deletion); ELIMIT at the limit.
func (s *Service) CreateMeetingDialOut(ctx context.Context, aws string, in DialOutInput) (*DialOut, error) {
	d, err := validDialOut(in)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	d.TransactionID, d.AwsAccountID, d.CreatedAt = newID(), aws, now
	if d.SealedJoinToken, err = s.life.keyring.Seal(dialOutAAD(d.TransactionID), d.JoinToken); err != nil {
		return nil, err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		n, err := tx.PhoneNumber(ctx, aws, d.From, now)
		if ErrorCode(err) == ENOTFOUND {
			return Errorf(EACCESSDENIED, "FromPhoneNumber is not a phone number of this AWS account")
		} else if err != nil {
			return err
		}
		n.settle(now)
		if n.Status != NumberUnassigned && n.Status != NumberAssigned {
			return Errorf(EACCESSDENIED, "FromPhoneNumber is %s; it cannot place calls", n.Status)
		}
		if err := tx.LockDialOuts(ctx, aws, d.MeetingID); err != nil {
			return err
		}
		count, err := tx.CountDialOuts(ctx, aws, d.MeetingID)
		if err != nil {
			return err
		}
		if count >= MaxDialOutsPerMeeting {
			return Errorf(ELIMIT, "The meeting has reached its limit of %d dial-outs", MaxDialOutsPerMeeting)
		}
		return tx.InsertDialOut(ctx, d)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// DialOuts returns the latest DialOutOutboxLimit dial-outs of the caller (those of meetingID only, unless it is
// empty: a meeting has at most MaxDialOutsPerMeeting, so all of them), oldest first, with their join tokens in
// clear (§9.8). A token that cannot be unsealed (another master key) is left empty and logged (without it).
// Errors are the store's.
func (s *Service) DialOuts(ctx context.Context, aws, meetingID string) (list []*DialOut, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		list, err = tx.ListDialOuts(ctx, aws, meetingID, DialOutOutboxLimit)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, d := range list {
		if tok, err := s.life.keyring.Open(dialOutAAD(d.TransactionID), d.SealedJoinToken); err == nil {
			d.JoinToken = tok
		} else {
			s.life.logger.WarnContext(ctx, "dial-out join token cannot be unsealed", "transaction_id", d.TransactionID,
				"error", err)
		}
	}
	return list, nil
}
