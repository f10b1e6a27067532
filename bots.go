package chime

import (
	"context"
	"time"
)

// Bots and their events configurations (spec part 2 §3.5, §4.36, §4.37; D36, D37).
//
// CONTRACT (used by rooms.go and messages.go; the bots work fills in the rest): Bot, EventsConfiguration,
// BotTx.Bot, BotTx.EventsConfiguration and Service.openBotToken keep these signatures.

// Bot is a chat bot of an Enterprise account. Bots are not users.
type Bot struct {
	ID           string // BotId = UserId
	AccountID    string
	AwsAccountID string
	DisplayName  string // as shown: "<name> (Bot)"
	Email        string // BotEmail
	Disabled     bool
	SealedToken  []byte // the SecurityToken sealed with the service's keyring (openBotToken)
	CreatedAt    time.Time
}

// EventsConfiguration is where a bot's events go: exactly one of Endpoint and LambdaARN is set.
type EventsConfiguration struct {
	AccountID string
	BotID     string
	Endpoint  string // OutboundEventsHTTPSEndpoint (http:// or https://)
	LambdaARN string
}

// BotTx holds the Tx methods of bots (sqlstore/bots.go).
type BotTx interface {
	// Bot returns bot id of account accountID. ENOTFOUND when missing.
	Bot(ctx context.Context, accountID, id string) (*Bot, error)
	// EventsConfiguration returns the events configuration of a bot. ENOTFOUND when it has none.
	EventsConfiguration(ctx context.Context, accountID, botID string) (*EventsConfiguration, error)
}

// openBotToken returns the SecurityToken of b in clear. Errors: an internal failure when it cannot be opened.
func (s *Service) openBotToken(b *Bot) (string, error) {
	return "", Errorf(EINTERNAL, "bot tokens are not implemented yet")
}
