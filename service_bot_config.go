package chime

import (
	"context"
	"net/url"
	"regexp"
)

// Events configurations: PutEventsConfiguration, GetEventsConfiguration, DeleteEventsConfiguration
// (docs/behavior.md §4.37, §10.5, D37), and the bot event outbox listing (§9.8).

// lambdaARN is the form of a LambdaFunctionArn (D37).
var lambdaARN = regexp.MustCompile(`^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$`)

// validateEventsTarget checks a configuration's target (D37): exactly one; an absolute http(s) URL with a
// host, or a Lambda function ARN.
func validateEventsTarget(endpoint, arn *string) error {
	switch {
	case endpoint == nil && arn == nil:
		return Invalid("one of OutboundEventsHTTPSEndpoint and LambdaFunctionArn is required")
	case endpoint != nil && arn != nil:
		return Invalid("only one of OutboundEventsHTTPSEndpoint and LambdaFunctionArn may be given")
	case endpoint != nil:
		if err := checkText(FieldOutboundEventsHTTPSEndpoint, *endpoint, MaxTextLen); err != nil {
			return err
		}
		u, err := url.Parse(*endpoint)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" ||
			u.Hostname() == "" {
			return InvalidField(FieldOutboundEventsHTTPSEndpoint, "must be an absolute https:// or http:// URL with a host")
		}
	default:
		if !lambdaARN.MatchString(*arn) {
			return InvalidField(FieldLambdaFunctionArn, "must be arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]")
		}
	}
	return nil
}

// PutEventsConfiguration sets where a bot's events go (§4.37, D37), replacing any configuration. An endpoint
// is first challenged (§10.5) unless verification is off or no BotSender is configured; the challenge is
// recorded in the outbox whatever its outcome, and a failed one leaves the configuration unchanged.
// Errors, in the order of D47: EINVALID (not exactly one target, a malformed URL or ARN); ENOTFOUND for the
// account; EFORBIDDEN on Team accounts; ENOTFOUND for the bot; EINVALID when the challenge fails.
func (s *Service) PutEventsConfiguration(ctx context.Context, aws, accountID, botID string, endpoint, arn *string) (*EventsConfiguration, error) {
	if err := validateEventsTarget(endpoint, arn); err != nil {
		return nil, err
	}
	var b *Bot
	err := s.store.Read(ctx, func(tx Tx) error {
		a, err := botAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		b, err = bot(ctx, tx, a, botID)
		return err
	})
	if err != nil {
		return nil, err
	}
	cfg := &EventsConfiguration{AccountID: b.AccountID, BotID: b.ID}
	var challenge *BotEvent
	if arn != nil {
		cfg.LambdaARN = *arn
	} else {
		cfg.Endpoint = *endpoint
		if s.bots.verify && s.bots.sender != nil { // outside any transaction: it waits for the endpoint
			token, err := s.openBotToken(b)
			if err != nil {
				return nil, err
			}
			if challenge, err = s.verifyEndpoint(ctx, b, cfg.Endpoint, token); err != nil {
				return nil, err
			}
		}
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := botAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if _, err := bot(ctx, tx, a, botID); err != nil {
			return err
		}
		if challenge != nil {
			if err := tx.InsertBotEvent(ctx, challenge); err != nil {
				return err
			}
			if challenge.Status != BotEventDelivered {
				return nil
			}
		}
		return tx.PutEventsConfiguration(ctx, cfg)
	})
	if err != nil {
		return nil, err
	}
	if challenge != nil && challenge.Status != BotEventDelivered {
		return nil, InvalidField(FieldOutboundEventsHTTPSEndpoint, "did not answer the endpoint challenge: %s",
			challenge.Attempts[0].Error)
	}
	return cfg, nil
}

// GetEventsConfiguration returns a bot's events configuration (§4.37). Errors: ENOTFOUND for the account, the
// bot or a bot without configuration; EFORBIDDEN on Team accounts.
func (s *Service) GetEventsConfiguration(ctx context.Context, aws, accountID, botID string) (cfg *EventsConfiguration, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := botAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		b, err := bot(ctx, tx, a, botID)
		if err != nil {
			return err
		}
		cfg, err = tx.EventsConfiguration(ctx, a.ID, b.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// DeleteEventsConfiguration removes a bot's events configuration (§4.37, D37); none is no error. Errors:
// EINVALID for an unknown account or bot (the operation models no NotFound, D47); EFORBIDDEN on Team accounts.
func (s *Service) DeleteEventsConfiguration(ctx context.Context, aws, accountID, botID string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := botAccount(ctx, tx, aws, accountID)
		if ErrorCode(err) == ENOTFOUND {
			return Invalid("no account %s", accountID)
		} else if err != nil {
			return err
		}
		b, err := bot(ctx, tx, a, botID)
		if ErrorCode(err) == ENOTFOUND {
			return Invalid("no bot %s in the account", botID)
		} else if err != nil {
			return err
		}
		return tx.DeleteEventsConfiguration(ctx, a.ID, b.ID)
	})
}

// BotEvents returns the latest BotEventLimit events of the outbox of the AWS account aws, of bot botID only
// unless it is "", oldest first (§9.8). Errors: internal failures only.
func (s *Service) BotEvents(ctx context.Context, aws, botID string) (list []*BotEvent, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		list, err = tx.ListBotEvents(ctx, aws, botID, BotEventLimit)
		return err
	})
	return list, err
}
