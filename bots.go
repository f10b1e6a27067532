package chime

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"time"
)

// Bots and their events configurations (docs/behavior.md §3.9, §4.36, §4.37; D36, D37).
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

// BotFilter selects bots of one account in (CreatedAt, ID) order after (AfterCreated, AfterID).
type BotFilter struct {
	AfterCreated time.Time // zero: from the start
	AfterID      string
	Limit        int
}

// BotTx holds the Tx methods of bots (sqlstore/bots.go). A bot's events configuration belongs to the bot.
type BotTx interface {
	// Bot returns bot id of account accountID. ENOTFOUND when missing.
	Bot(ctx context.Context, accountID, id string) (*Bot, error)
	// EventsConfiguration returns the events configuration of a bot. ENOTFOUND when it has none.
	EventsConfiguration(ctx context.Context, accountID, botID string) (*EventsConfiguration, error)
	// BotEmailTaken reports whether a bot of account accountID has the email whose lower case is key.
	BotEmailTaken(ctx context.Context, accountID, key string) (bool, error)
	// CountBots counts the bots of account accountID.
	CountBots(ctx context.Context, accountID string) (int, error)
	// ListBots returns up to f.Limit bots of account accountID (see BotFilter).
	ListBots(ctx context.Context, accountID string, f BotFilter) ([]*Bot, error)
	// InsertBot stores a new bot. ECONFLICT when its email (case-insensitive) is taken in its account.
	InsertBot(ctx context.Context, b *Bot) error
	// UpdateBot stores the mutable fields of b (Disabled, SealedToken). ENOTFOUND when it is gone.
	UpdateBot(ctx context.Context, b *Bot) error
	// PutEventsConfiguration stores c as the configuration of its bot, replacing any.
	PutEventsConfiguration(ctx context.Context, c *EventsConfiguration) error
	// DeleteEventsConfiguration removes the configuration of a bot (none: nothing happens).
	DeleteEventsConfiguration(ctx context.Context, accountID, botID string) error
	// DeleteBots removes the bots (and their configurations) of the AWS account aws's account accountID ("":
	// of all of its accounts).
	DeleteBots(ctx context.Context, aws, accountID string) error
}

// botTokenAAD is the additional data a bot's token is sealed with: a sealed token cannot move to another bot.
func botTokenAAD(botID string) string { return "bot/" + botID }

// sealBotToken seals token for bot botID with the service keyring.
func (s *Service) sealBotToken(botID, token string) ([]byte, error) {
	return s.life.keyring.Seal(botTokenAAD(botID), token)
}

// openBotToken returns the SecurityToken of b in clear. Errors: an internal failure when it cannot be opened
// (sealed under another master key, or altered).
func (s *Service) openBotToken(b *Bot) (string, error) {
	token, err := s.life.keyring.Open(botTokenAAD(b.ID), b.SealedToken)
	if err != nil {
		return "", fmt.Errorf("bot %s: security token: %w", b.ID, err)
	}
	return token, nil
}

// newBotToken returns a SecurityToken: 30 random bytes in standard base64, 40 characters (§2.3).
func (s *Service) newBotToken() (string, error) {
	b := make([]byte, 30)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}
