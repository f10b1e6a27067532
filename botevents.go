package chime

import (
	"context"
	"time"
)

// Bot events: the durable outbox of events for bots and their delivery (docs/behavior.md §10; D38).
//
// CONTRACT (used by rooms.go and messages.go; the bot events work fills in the rest): BotEventType, BotEventInput,
// Service.queueBotEvent and Service.kickBotEvents keep these signatures.

// BotEventType is the kind of a bot event.
type BotEventType string

// Bot event types.
const (
	BotEventInvite       BotEventType = "Invite"
	BotEventMention      BotEventType = "Mention"
	BotEventRemove       BotEventType = "Remove"
	BotEventVerification BotEventType = "HTTPSEndpointVerification"
)

// Inbound endpoint types of an event (§10.1).
const (
	EndpointPersistent = "Persistent"
	EndpointShortLived = "ShortLived"
)

// BotEventInput is what a trigger (§10.1) knows about an event.
type BotEventInput struct {
	Bot          *Bot
	Type         BotEventType // Invite, Mention or Remove
	SenderID     string       // the caller's ARN (Invite, Remove) or the user's email (Mention)
	SenderIDType string       // IamArn or EmailId
	RoomID       string
	EndpointType string // Persistent (Invite), ShortLived (Mention), "" (Remove)
	EndpointURL  string
	Message      string // Mention: the message's content
}

// queueBotEvent writes the event to the outbox inside the trigger's write transaction tx, at server time now,
// when the bot is enabled and has an events configuration (else it does nothing, §10.1). The caller calls
// kickBotEvents after the transaction commits, so delivery starts once the trigger's answer is decided.
// An HTTPS target's event is stored Pending (the delivery worker sends it); a Lambda target's is stored
// Recorded with the ClientContext that would have been sent (§10.6). Errors: the store's.
func (s *Service) queueBotEvent(ctx context.Context, tx Tx, in BotEventInput, now time.Time) error {
	b := in.Bot
	if b == nil || b.Disabled {
		return nil
	}
	cfg, err := tx.EventsConfiguration(ctx, b.AccountID, b.ID)
	if ErrorCode(err) == ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	body, err := botEventBody(in, now)
	if err != nil {
		return err
	}
	e := &BotEvent{ID: newID(), AwsAccountID: b.AwsAccountID, AccountID: b.AccountID, BotID: b.ID, Type: in.Type,
		Body: body, Status: BotEventPending, CreatedAt: now}
	if cfg.LambdaARN != "" {
		e.TargetType, e.Target, e.Status = BotTargetLambda, cfg.LambdaARN, BotEventRecorded
		token, err := s.openBotToken(b)
		if err != nil {
			return err
		}
		e.Attempts = []BotEventAttempt{lambdaAttempt(token, body, s.now(), now)}
	} else {
		e.TargetType, e.Target = BotTargetHTTPS, cfg.Endpoint
	}
	if err := tx.InsertBotEvent(ctx, e); err != nil {
		return err
	}
	return tx.PruneBotEvents(ctx, b.AwsAccountID, BotEventLimit)
}

// kickBotEvents tells the delivery worker that events may be waiting; it never blocks.
func (s *Service) kickBotEvents() {
	select {
	case s.bots.kick <- struct{}{}:
	default:
	}
}

// BotEventStatus is the state of an event of the outbox (§9.8).
type BotEventStatus string

// Bot event statuses.
const (
	BotEventPending   BotEventStatus = "Pending"   // waiting for (or in) delivery
	BotEventDelivered BotEventStatus = "Delivered" // a 2xx answered an attempt
	BotEventFailed    BotEventStatus = "Failed"    // every attempt failed
	BotEventRecorded  BotEventStatus = "Recorded"  // a Lambda target: recorded only (§10.6)
)

// Bot event target types (§9.8): HTTPS also for http:// endpoints.
const (
	BotTargetHTTPS  = "HTTPS"
	BotTargetLambda = "Lambda"
)

// BotEvent is one event of the outbox.
type BotEvent struct {
	Seq          int64 // store-assigned order
	ID           string
	AwsAccountID string
	AccountID    string
	BotID        string
	Type         BotEventType
	TargetType   string // BotTargetHTTPS or BotTargetLambda
	Target       string // the endpoint URL or the Lambda ARN
	Body         []byte // the exact bytes signed and sent
	Status       BotEventStatus
	Attempts     []BotEventAttempt
	CreatedAt    time.Time // server clock
}

// BotEventAttempt is one attempt to deliver an event (or the record of a Lambda target's).
type BotEventAttempt struct {
	At            time.Time `json:"at"`              // server clock
	RequestTime   string    `json:"ts"`              // Chime-Request-Timestamp (wall clock)
	Signature     string    `json:"sig"`             // Chime-Signature
	StatusCode    int       `json:"status,omitzero"` // the HTTP status answered, 0 when none
	Error         string    `json:"error,omitzero"`  // why the attempt failed, "" when it did not
	ClientContext string    `json:"cc,omitzero"`     // Lambda targets: the ClientContext (§10.6)
}

// BotEventTx holds the Tx methods of the bot event outbox (sqlstore/botevents.go).
type BotEventTx interface {
	// InsertBotEvent stores a new event and sets its Seq.
	InsertBotEvent(ctx context.Context, e *BotEvent) error
	// ClaimBotEvent claims the oldest Pending event of some bot whose earlier events are all settled and which
	// nobody holds at now (its claim is unset or expired; wall clock): it stores claim and the lease until,
	// and returns the event. Of concurrent claimers (nodes), at most one gets a given event. ENOTFOUND when
	// there is none to claim.
	ClaimBotEvent(ctx context.Context, claim string, now, until time.Time) (*BotEvent, error)
	// FinishBotEvent stores e's Status and Attempts and releases the claim, if claim still holds e. ENOTFOUND
	// when the claim was lost (the lease expired and another claimer took it, or the event is gone).
	FinishBotEvent(ctx context.Context, e *BotEvent, claim string) error
	// ListBotEvents returns the latest limit events of the AWS account aws (of bot botID only, unless ""),
	// oldest first.
	ListBotEvents(ctx context.Context, aws, botID string, limit int) ([]*BotEvent, error)
	// PruneBotEvents deletes the settled (not Pending) events of aws that are older than its latest keep events,
	// so the outbox of an AWS account stays bounded; Pending events are never deleted.
	PruneBotEvents(ctx context.Context, aws string, keep int) error
	// DeleteBotEvents deletes the events of aws about account accountID ("": all of them).
	DeleteBotEvents(ctx context.Context, aws, accountID string) error
}
