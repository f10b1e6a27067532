package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	chime "github.com/chimed/chimed"
)

// The Bots pages: the accounts to choose from (/admin/bots), an account's bots (list, create), and a bot
// (enable/disable, regenerate its security token, events configuration, recent deliveries from the bot event
// outbox). Bots belong to Enterprise accounts: on a Team account the service refuses them (403).

// botDeliveries bounds the recent deliveries a bot's page shows (newest first).
const botDeliveries = 20

func (c *Console) botsPages(rt *router) {
	rt.page("GET /admin/bots", botsIndexPage)
	rt.page("GET /admin/accounts/{account}/bots", botsPage)
	rt.page("GET /admin/accounts/{account}/bots/{bot}", botPage)
	rt.post("POST /admin/accounts/{account}/bots", "CreateBot", createBot)
	rt.post("POST /admin/accounts/{account}/bots/{bot}/update", "UpdateBot", updateBot)
	rt.post("POST /admin/accounts/{account}/bots/{bot}/token", "RegenerateSecurityToken", regenerateBotToken)
	rt.post("POST /admin/accounts/{account}/bots/{bot}/events", "PutEventsConfiguration", putEvents)
	rt.post("POST /admin/accounts/{account}/bots/{bot}/events/delete", "DeleteEventsConfiguration", deleteEvents)
}

// botsIndexPage: GET /admin/bots?token= — the accounts, each linking to its bots.
func botsIndexPage(q *request) {
	if d, status, ok := pickAccount(q, "/admin/bots", "bots"); ok {
		q.render(status, "bots", "Bots", "Bots", d)
	}
}

// botsData is the data of bots_account.html.
type botsData struct {
	Account *chime.Account
	Bots    []chime.BotWithToken
	Paging  Paging
	Problem string // why the bots cannot be listed (a Team account, a bad token)
}

func botsPath(account string) string { return accountPath(account) + "/bots" }

func botPath(account, bot string) string { return botsPath(account) + "/" + url.PathEscape(bot) }

// botsPage: GET /admin/accounts/{account}/bots?token= → ListBots.
func botsPage(q *request) {
	ctx, aws, id, qv := q.r.Context(), q.key().AwsAccountID, q.r.PathValue("account"), q.r.URL.Query()
	a, err := q.c.svc.GetAccount(ctx, aws, id)
	if err != nil {
		q.fail(err)
		return
	}
	d := botsData{Account: a}
	var tok *string
	if t := qv.Get("token"); t != "" {
		tok = &t
	}
	status := http.StatusOK
	bots, next, err := q.c.svc.ListBots(ctx, aws, id, 0, tok)
	if err != nil {
		s, _ := statusOf(err)
		if s >= 500 {
			q.fail(err)
			return
		}
		if d.Problem = plain(err); s != http.StatusForbidden {
			status = s
		}
	}
	d.Bots = bots
	d.Paging = pageLinks(botsPath(id), url.Values{"token": {qv.Get("token")}}, next)
	q.render(status, "bots_account", "Bots of "+a.Name, "Bots", d)
}

// botData is the data of bots_bot.html.
type botData struct {
	Account    *chime.Account
	Bot        *chime.Bot
	Token      string
	Events     *chime.EventsConfiguration // nil when none
	Deliveries []eventRow                 // newest first
}

// botPage: GET /admin/accounts/{account}/bots/{bot} → GetBot, GetEventsConfiguration, the bot's events.
func botPage(q *request) {
	ctx, aws, aid, bid := q.r.Context(), q.key().AwsAccountID, q.r.PathValue("account"), q.r.PathValue("bot")
	a, err := q.c.svc.GetAccount(ctx, aws, aid)
	if err != nil {
		q.fail(err)
		return
	}
	b, token, err := q.c.svc.GetBot(ctx, aws, aid, bid)
	if err != nil {
		q.fail(err)
		return
	}
	d := botData{Account: a, Bot: b, Token: token}
	if d.Events, err = q.c.svc.GetEventsConfiguration(ctx, aws, aid, bid); err != nil {
		if chime.ErrorCode(err) != chime.ENOTFOUND {
			q.fail(err)
			return
		}
		d.Events = nil
	}
	if d.Events != nil && d.Events.Endpoint == "" && d.Events.LambdaARN == "" {
		d.Events = nil
	}
	evs, err := q.c.svc.BotEvents(ctx, aws, bid)
	if err != nil {
		q.fail(err)
		return
	}
	d.Deliveries = newestEvents(evs, botDeliveries)
	q.render(http.StatusOK, "bots_bot", b.DisplayName, "Bots", d)
}

// botAction runs the change of a bot action and redirects to the bot's page with notice, or the error.
func botAction(q *request, params map[string]any, notice string, run func(ctx context.Context, aws, aid, bid string) error) {
	aid, bid := q.r.PathValue("account"), q.r.PathValue("bot")
	p := map[string]any{"accountId": aid, "botId": bid}
	for k, v := range params {
		p[k] = v
	}
	err := q.act(p, []chime.AuditResource{resource("Account", aid), resource("Bot", bid)},
		func(ctx context.Context) error { return run(ctx, q.key().AwsAccountID, aid, bid) })
	if err != nil {
		q.failed(botPath(aid, bid), err)
		return
	}
	q.done(botPath(aid, bid), notice)
}

// createBot: POST /admin/accounts/{account}/bots (DisplayName, Domain) → CreateBot; on success the bot's page.
func createBot(q *request) {
	aid := q.r.PathValue("account")
	name, domain := strings.TrimSpace(q.form.Get("DisplayName")), strings.TrimSpace(q.form.Get("Domain"))
	var b *chime.Bot
	err := q.act(map[string]any{"accountId": aid, "DisplayName": name, "Domain": domain},
		[]chime.AuditResource{resource("Account", aid)}, func(ctx context.Context) error {
			var err error
			b, _, err = q.c.svc.CreateBot(ctx, q.key().AwsAccountID, aid, &name, &domain)
			if err == nil {
				q.created = append(q.created, resource("Bot", b.ID))
			}
			return err
		})
	if err != nil {
		q.failed(botsPath(aid), err)
		return
	}
	q.done(botPath(aid, b.ID), "Bot "+b.DisplayName+" created.")
}

// updateBot: POST …/update (Disabled: "true" or "false") → UpdateBot.
func updateBot(q *request) {
	disabled := q.form.Get("Disabled") == "true"
	notice := "Bot enabled."
	if disabled {
		notice = "Bot disabled."
	}
	botAction(q, map[string]any{"Disabled": disabled}, notice, func(ctx context.Context, aws, aid, bid string) error {
		_, _, err := q.c.svc.UpdateBot(ctx, aws, aid, bid, &disabled)
		return err
	})
}

// regenerateBotToken: POST …/token → RegenerateSecurityToken (the new token shows on the bot's page).
func regenerateBotToken(q *request) {
	botAction(q, nil, "Security token regenerated: the old one no longer works.",
		func(ctx context.Context, aws, aid, bid string) error {
			_, _, err := q.c.svc.RegenerateSecurityToken(ctx, aws, aid, bid)
			return err
		})
}

// putEvents: POST …/events (OutboundEventsHTTPSEndpoint or LambdaFunctionArn) → PutEventsConfiguration.
func putEvents(q *request) {
	params := map[string]any{}
	var endpoint, arn *string
	if v := strings.TrimSpace(q.form.Get("OutboundEventsHTTPSEndpoint")); v != "" {
		endpoint, params["OutboundEventsHTTPSEndpoint"] = &v, v
	}
	if v := strings.TrimSpace(q.form.Get("LambdaFunctionArn")); v != "" {
		arn, params["LambdaFunctionArn"] = &v, v
	}
	botAction(q, params, "Events configuration saved.", func(ctx context.Context, aws, aid, bid string) error {
		_, err := q.c.svc.PutEventsConfiguration(ctx, aws, aid, bid, endpoint, arn)
		return err
	})
}

// deleteEvents: POST …/events/delete → DeleteEventsConfiguration.
func deleteEvents(q *request) {
	botAction(q, nil, "Events configuration deleted: the bot gets no more events.",
		func(ctx context.Context, aws, aid, bid string) error {
			return q.c.svc.DeleteEventsConfiguration(ctx, aws, aid, bid)
		})
}
