package admin

import (
	"net/http"
	"strings"

	chime "github.com/chimed/chimed"
)

// The Bot events page: the bot event outbox of the key's AWS account (the latest chime.BotEventLimit events,
// newest first), optionally of one bot, with each event's attempts and the exact body sent.

func (c *Console) botEventsPages(rt *router) {
	rt.page("GET /admin/bot-events", botEventsPage)
}

// eventRow is a bot event as a table shows it: the event and its last attempt (nil when none).
type eventRow struct {
	*chime.BotEvent
	Last *chime.BotEventAttempt
}

// Body is the event's body as text.
func (e eventRow) Body() string { return string(e.BotEvent.Body) }

// newestEvents returns at most n of evs (oldest first), newest first.
func newestEvents(evs []*chime.BotEvent, n int) []eventRow {
	out := make([]eventRow, 0, min(n, len(evs)))
	for i := len(evs) - 1; i >= 0 && len(out) < n; i-- {
		r := eventRow{BotEvent: evs[i]}
		if k := len(evs[i].Attempts); k > 0 {
			r.Last = &evs[i].Attempts[k-1]
		}
		out = append(out, r)
	}
	return out
}

// botEventsData is the data of botevents.html.
type botEventsData struct {
	Bot, Status string // the filters
	Statuses    []chime.BotEventStatus
	Events      []eventRow
	Total       int // the events of the outbox the filters kept
}

// botEventsPage: GET /admin/bot-events?bot=&status= → the bot event outbox (chime's BotEvents).
func botEventsPage(q *request) {
	qv := q.r.URL.Query()
	d := botEventsData{Bot: strings.TrimSpace(qv.Get("bot")), Status: qv.Get("status"), Statuses: []chime.BotEventStatus{
		chime.BotEventPending, chime.BotEventDelivered, chime.BotEventFailed, chime.BotEventRecorded}}
	evs, err := q.c.svc.BotEvents(q.r.Context(), q.key().AwsAccountID, d.Bot)
	if err != nil {
		q.fail(err)
		return
	}
	kept := evs[:0:0]
	for _, e := range evs {
		if d.Status == "" || string(e.Status) == d.Status {
			kept = append(kept, e)
		}
	}
	d.Total = len(kept)
	d.Events = newestEvents(kept, len(kept))
	q.render(http.StatusOK, "botevents", "Bot events", "Bot events", d)
}
