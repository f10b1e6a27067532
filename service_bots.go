package chime

import (
	"context"
	"strings"
	"time"
)

// Bots: CreateBot, GetBot, ListBots, UpdateBot and RegenerateSecurityToken (docs/behavior.md §4.36, D31, D36).

// Fields of the bot operations' inputs.
const (
	FieldBotID                       Field = "bot id"
	FieldBotDomain                   Field = "bot domain"
	FieldOutboundEventsHTTPSEndpoint Field = "events endpoint URL"
	FieldLambdaFunctionArn           Field = "events Lambda function ARN"
)

// Bot limits (§4.36, §4.39).
const (
	MaxBots           = 10 // per Chime account
	MaxBotDisplayName = 55 // characters
	DefaultBotPage    = 99 // ListBots without max-results (D41)
	// BotType is the type of every bot.
	BotType = "ChatBot"
)

// botAccount loads the account of a bot operation and checks its type (D47: 404 before 403; D31).
func botAccount(ctx context.Context, tx Tx, aws, id string) (*Account, error) {
	a, err := account(ctx, tx, aws, id)
	if err != nil {
		return nil, err
	}
	if a.Type == AccountTeam {
		return nil, notEnterprise(a)
	}
	return a, nil
}

// bot loads bot id of account a, validating the id first.
func bot(ctx context.Context, tx Tx, a *Account, id string) (*Bot, error) {
	if err := ValidateID(FieldBotID, id); err != nil {
		return nil, err
	}
	return tx.Bot(ctx, a.ID, id)
}

// validateBotName checks a bot's DisplayName (D36): 1..55 characters with a non-blank.
func validateBotName(name *string) error {
	return requireName(FieldDisplayName, name, MaxBotDisplayName)
}

// validateBotDomain checks a bot's Domain (D36): required; a DNS name of at least two labels of
// [A-Za-z0-9-]{1,63}, at most 253 characters.
func validateBotDomain(domain *string) error {
	if domain == nil || *domain == "" {
		return InvalidField(FieldBotDomain, "is required")
	}
	d := *domain
	if len(d) > 253 {
		return InvalidField(FieldBotDomain, "must be at most 253 characters")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return InvalidField(FieldBotDomain, "must be a DNS name of at least two labels")
	}
	for _, l := range labels {
		if len(l) < 1 || len(l) > 63 {
			return InvalidField(FieldBotDomain, "must be a DNS name: labels of 1 to 63 characters")
		}
		for i := 0; i < len(l); i++ {
			if c := l[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return InvalidField(FieldBotDomain, "must be a DNS name: letters, digits and hyphens")
			}
		}
	}
	return nil
}

// botEmail derives a bot's email (D36): the display name without characters outside [A-Za-z0-9._-] ("bot"
// when nothing is left), "-chimebot@", the domain in lower case.
func botEmail(name, domain string) string {
	local := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return -1
	}, name)
	if local == "" {
		local = "bot"
	}
	return local + "-chimebot@" + strings.ToLower(domain)
}

// CreateBot creates a bot of an Enterprise account (§4.36, D36): DisplayName "<name> (Bot)", BotEmail derived
// from name and domain, enabled, with a fresh SecurityToken. It returns the bot and its token.
// Errors, in the order of D47: EINVALID (FieldDisplayName, FieldBotDomain); ENOTFOUND for the account;
// EFORBIDDEN on Team accounts; EINVALID when the email is taken by a bot of the account; ELIMIT for the 11th bot.
func (s *Service) CreateBot(ctx context.Context, aws, accountID string, name, domain *string) (*Bot, string, error) {
	if err := validateBotName(name); err != nil {
		return nil, "", err
	}
	if err := validateBotDomain(domain); err != nil {
		return nil, "", err
	}
	token, err := s.newBotToken()
	if err != nil {
		return nil, "", err
	}
	email := botEmail(*name, *domain)
	var b *Bot
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := botAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		taken, err := tx.BotEmailTaken(ctx, a.ID, strings.ToLower(email))
		if err != nil {
			return err
		} else if taken {
			return Invalid("a bot of this account already has the email %s", email)
		}
		n, err := tx.CountBots(ctx, a.ID)
		if err != nil {
			return err
		} else if n >= MaxBots {
			return Errorf(ELIMIT, "the account already has %d bots, the most it may have", MaxBots)
		}
		b = &Bot{ID: newID(), AccountID: a.ID, AwsAccountID: a.AwsAccountID, DisplayName: *name + " (Bot)",
			Email: email, CreatedAt: s.clock()}
		if b.SealedToken, err = s.sealBotToken(b.ID, token); err != nil {
			return err
		}
		if err := tx.InsertBot(ctx, b); err != nil {
			if ErrorCode(err) == ECONFLICT {
				return Invalid("a bot of this account already has the email %s", email)
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return b, token, nil
}

// GetBot returns a bot and its SecurityToken (§4.36). Errors: ENOTFOUND for the account or the bot; EFORBIDDEN
// on Team accounts; an internal failure when the token cannot be unsealed.
func (s *Service) GetBot(ctx context.Context, aws, accountID, botID string) (b *Bot, token string, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := botAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		b, err = bot(ctx, tx, a, botID)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if token, err = s.openBotToken(b); err != nil {
		return nil, "", err
	}
	return b, token, nil
}

// BotWithToken is a bot of a listing with its SecurityToken in clear.
type BotWithToken struct {
	*Bot
	Token string
}

// ListBots returns a page of an account's bots in (CreatedTimestamp, BotId) order (§2.4, D41) with their
// tokens, and the token of the next page ("" on the last). maxResults ≤ 0 means DefaultBotPage.
// Errors: EINVALID (FieldNextToken); ENOTFOUND; EFORBIDDEN on Team accounts; internal failures.
func (s *Service) ListBots(ctx context.Context, aws, accountID string, maxResults int, next *string) ([]BotWithToken, string, error) {
	limit := maxResults
	if limit <= 0 {
		limit = DefaultBotPage
	}
	scope := pageScope("ListBots", aws, accountID)
	f := BotFilter{Limit: limit + 1}
	var err error
	if f.AfterCreated, f.AfterID, err = s.parseTimeKey(scope, next); err != nil {
		return nil, "", err
	}
	var list []*Bot
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := botAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		list, err = tx.ListBots(ctx, a.ID, f)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	list, token := timePage(s, scope, list, limit, func(b *Bot) (time.Time, string) { return b.CreatedAt, b.ID })
	out := make([]BotWithToken, len(list))
	for i, b := range list {
		t, err := s.openBotToken(b)
		if err != nil {
			return nil, "", err
		}
		out[i] = BotWithToken{Bot: b, Token: t}
	}
	return out, token, nil
}

// UpdateBot stops or resumes a bot (§4.36): disabled nil leaves it as it is. UpdatedTimestamp does not change
// (D36). It returns the bot and its token. Errors: ENOTFOUND for the account or the bot; EFORBIDDEN on Team
// accounts; internal failures.
func (s *Service) UpdateBot(ctx context.Context, aws, accountID, botID string, disabled *bool) (b *Bot, token string, err error) {
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := botAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if b, err = bot(ctx, tx, a, botID); err != nil {
			return err
		}
		if disabled == nil || *disabled == b.Disabled {
			return nil
		}
		b.Disabled = *disabled
		return tx.UpdateBot(ctx, b)
	})
	if err != nil {
		return nil, "", err
	}
	if token, err = s.openBotToken(b); err != nil {
		return nil, "", err
	}
	return b, token, nil
}

// RegenerateSecurityToken gives a bot a new SecurityToken (§4.36): the old one signs nothing from now on.
// It returns the bot and the new token. Errors: ENOTFOUND for the account or the bot; EFORBIDDEN on Team
// accounts; internal failures.
func (s *Service) RegenerateSecurityToken(ctx context.Context, aws, accountID, botID string) (b *Bot, token string, err error) {
	if token, err = s.newBotToken(); err != nil {
		return nil, "", err
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := botAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if b, err = bot(ctx, tx, a, botID); err != nil {
			return err
		}
		if b.SealedToken, err = s.sealBotToken(b.ID, token); err != nil {
			return err
		}
		return tx.UpdateBot(ctx, b)
	})
	if err != nil {
		return nil, "", err
	}
	return b, token, nil
}
