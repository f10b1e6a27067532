package chime

import (
	"context"
	"time"
)

// Bot events: the durable outbox of events for bots and their delivery (spec part 2 §6; D38).
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

// Inbound endpoint types of an event (§6.1).
const (
	EndpointPersistent = "Persistent"
	EndpointShortLived = "ShortLived"
)

// BotEventInput is what a trigger (§6.1) knows about an event.
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
// when the bot is enabled and has an events configuration (else it does nothing, §6.1). The caller calls
// kickBotEvents after the transaction commits, so delivery starts once the trigger's answer is decided.
func (s *Service) queueBotEvent(ctx context.Context, tx Tx, in BotEventInput, now time.Time) error {
	return nil
}

// kickBotEvents tells the delivery worker that events may be waiting; it never blocks.
func (s *Service) kickBotEvents() {}

// BotEventTx holds the Tx methods of the bot event outbox (sqlstore/botevents.go).
type BotEventTx interface{}
