package http

import (
	"context"
	"net/http"

	chime "github.com/chimed/chimed"
)

// Bots, events configurations (docs/behavior.md §4.36, §4.37, D36, D37) and the bot event outbox (§9.8).

func botOut(b *chime.Bot, token string) *Bot {
	return &Bot{BotId: b.ID, UserId: b.ID, DisplayName: b.DisplayName, BotType: chime.BotType, Disabled: b.Disabled,
		CreatedTimestamp: isoTime(b.CreatedAt), UpdatedTimestamp: isoTime(b.CreatedAt), BotEmail: b.Email,
		SecurityToken: token} // UpdatedTimestamp = CreatedTimestamp (D36)
}

func eventsConfigurationOut(c *chime.EventsConfiguration) *EventsConfiguration {
	return &EventsConfiguration{BotId: c.BotID, OutboundEventsHTTPSEndpoint: c.Endpoint, LambdaFunctionArn: c.LambdaARN}
}

// CreateBot creates a bot (§4.36, D36); 201.
func (h *handlers) CreateBot(ctx context.Context, id chime.Identity, in *CreateBotRequest) (CreateBotResponse, error) {
	b, token, err := h.svc.CreateBot(ctx, id.AwsAccountID, str(in.AccountId), in.DisplayName, in.Domain)
	if err != nil {
		return CreateBotResponse{}, err
	}
	return CreateBotResponse{Bot: botOut(b, token)}, nil
}

// GetBot returns a bot with its token (§4.36).
func (h *handlers) GetBot(ctx context.Context, id chime.Identity, in *GetBotRequest) (GetBotResponse, error) {
	b, token, err := h.svc.GetBot(ctx, id.AwsAccountID, str(in.AccountId), str(in.BotId))
	if err != nil {
		return GetBotResponse{}, err
	}
	return GetBotResponse{Bot: botOut(b, token)}, nil
}

// ListBots returns a page of an account's bots (§2.4, D41).
func (h *handlers) ListBots(ctx context.Context, id chime.Identity, in *ListBotsRequest) (ListBotsResponse, error) {
	list, next, err := h.svc.ListBots(ctx, id.AwsAccountID, str(in.AccountId), pageSize(in.MaxResults), in.NextToken)
	if err != nil {
		return ListBotsResponse{}, err
	}
	out := ListBotsResponse{Bots: make([]Bot, len(list)), NextToken: next}
	for i, b := range list {
		out.Bots[i] = *botOut(b.Bot, b.Token)
	}
	return out, nil
}

// UpdateBot stops or resumes a bot (§4.36).
func (h *handlers) UpdateBot(ctx context.Context, id chime.Identity, in *UpdateBotRequest) (UpdateBotResponse, error) {
	b, token, err := h.svc.UpdateBot(ctx, id.AwsAccountID, str(in.AccountId), str(in.BotId), in.Disabled)
	if err != nil {
		return UpdateBotResponse{}, err
	}
	return UpdateBotResponse{Bot: botOut(b, token)}, nil
}

// RegenerateSecurityToken gives a bot a new token (§4.36).
func (h *handlers) RegenerateSecurityToken(ctx context.Context, id chime.Identity, in *RegenerateSecurityTokenRequest) (RegenerateSecurityTokenResponse, error) {
	b, token, err := h.svc.RegenerateSecurityToken(ctx, id.AwsAccountID, str(in.AccountId), str(in.BotId))
	if err != nil {
		return RegenerateSecurityTokenResponse{}, err
	}
	return RegenerateSecurityTokenResponse{Bot: botOut(b, token)}, nil
}

// PutEventsConfiguration sets where a bot's events go, after the endpoint challenge (§4.37, §10.5, D37); 201.
func (h *handlers) PutEventsConfiguration(ctx context.Context, id chime.Identity, in *PutEventsConfigurationRequest) (PutEventsConfigurationResponse, error) {
	c, err := h.svc.PutEventsConfiguration(ctx, id.AwsAccountID, str(in.AccountId), str(in.BotId),
		in.OutboundEventsHTTPSEndpoint, in.LambdaFunctionArn)
	if err != nil {
		return PutEventsConfigurationResponse{}, err
	}
	return PutEventsConfigurationResponse{EventsConfiguration: eventsConfigurationOut(c)}, nil
}

// GetEventsConfiguration returns a bot's events configuration (§4.37); 404 when it has none.
func (h *handlers) GetEventsConfiguration(ctx context.Context, id chime.Identity, in *GetEventsConfigurationRequest) (GetEventsConfigurationResponse, error) {
	c, err := h.svc.GetEventsConfiguration(ctx, id.AwsAccountID, str(in.AccountId), str(in.BotId))
	if err != nil {
		return GetEventsConfigurationResponse{}, err
	}
	return GetEventsConfigurationResponse{EventsConfiguration: eventsConfigurationOut(c)}, nil
}

// DeleteEventsConfiguration removes a bot's events configuration (§4.37, D37); 204, also when it had none.
func (h *handlers) DeleteEventsConfiguration(ctx context.Context, id chime.Identity, in *DeleteEventsConfigurationRequest) error {
	return h.svc.DeleteEventsConfiguration(ctx, id.AwsAccountID, str(in.AccountId), str(in.BotId))
}

// The bot event outbox (§9.8).

type wireBotEventTarget struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

type wireBotEventAttempt struct {
	Timestamp             isoTime `json:"Timestamp"`
	ChimeRequestTimestamp string  `json:"ChimeRequestTimestamp,omitempty"`
	ChimeSignature        string  `json:"ChimeSignature,omitempty"`
	StatusCode            int     `json:"StatusCode,omitempty"`
	Error                 string  `json:"Error,omitempty"`
	ClientContext         string  `json:"ClientContext,omitempty"`
}

type wireBotEvent struct {
	EventID          string                `json:"EventId"`
	AccountID        string                `json:"AccountId"`
	BotID            string                `json:"BotId"`
	EventType        string                `json:"EventType"`
	Target           wireBotEventTarget    `json:"Target"`
	Body             string                `json:"Body"`
	Status           string                `json:"Status"`
	Attempts         []wireBotEventAttempt `json:"Attempts"`
	CreatedTimestamp isoTime               `json:"CreatedTimestamp"`
}

type botEventsOutput struct {
	Events []wireBotEvent `json:"Events"`
}

// botEvents answers the caller's latest bot events, oldest first, of the bot named by ?bot-id= when given. Like
// the email outbox it needs a key with write rights: the bodies carry the bots' reply URLs.
func (s *Server) botEvents(c *call) {
	c.w.Header().Set("Cache-Control", "no-store")
	list, err := s.svc.BotEvents(c.ctx, c.id.AwsAccountID, str(c.q("bot-id")))
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := botEventsOutput{Events: make([]wireBotEvent, len(list))}
	for i, e := range list {
		w := wireBotEvent{EventID: e.ID, AccountID: e.AccountID, BotID: e.BotID, EventType: string(e.Type),
			Target: wireBotEventTarget{Type: e.TargetType, Value: e.Target}, Body: string(e.Body),
			Status: string(e.Status), Attempts: make([]wireBotEventAttempt, len(e.Attempts)),
			CreatedTimestamp: isoTime(e.CreatedAt)}
		for j, a := range e.Attempts {
			w.Attempts[j] = wireBotEventAttempt{Timestamp: isoTime(a.At), ChimeRequestTimestamp: a.RequestTime,
				ChimeSignature: a.Signature, StatusCode: a.StatusCode, Error: a.Error, ClientContext: a.ClientContext}
		}
		out.Events[i] = w
	}
	s.writeJSON(c, http.StatusOK, out)
}
