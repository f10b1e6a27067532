package admin

import (
	"net/http"
	"strings"

	chime "github.com/chimed/chimed"
)

// The Outbox page: the invitation and sign-in mail of the key's AWS account as chimed recorded it (the latest
// chime.OutboxLimit messages, newest first), with each message's delivery status; the links they carry are
// shown to keys that may change things only (they let their holder register or sign in).

func (c *Console) outboxPages(rt *router) {
	rt.page("GET /admin/outbox", outboxPage)
}

// outboxData is the data of outbox.html.
type outboxData struct {
	To, Kind, Status string // the filters
	Kinds            []chime.LinkKind
	Statuses         []chime.EmailStatus
	Messages         []*chime.OutboxMessage // newest first
	Counts           chime.DeliveryStats    // this process's delivery outcomes since it started
}

// outboxPage: GET /admin/outbox?to=&kind=&status= → chime's Outbox.
func outboxPage(q *request) {
	qv := q.r.URL.Query()
	d := outboxData{To: strings.TrimSpace(qv.Get("to")), Kind: qv.Get("kind"), Status: qv.Get("status"),
		Kinds: []chime.LinkKind{chime.LinkInvite, chime.LinkSignIn}, Statuses: []chime.EmailStatus{chime.EmailSent,
			chime.EmailFailed, chime.EmailNotSent}, Counts: q.c.svc.DeliveryStats()}
	list, err := q.c.svc.Outbox(q.r.Context(), q.key().AwsAccountID)
	if err != nil {
		q.fail(err)
		return
	}
	to := strings.ToLower(d.To)
	for i := len(list) - 1; i >= 0; i-- {
		m := list[i]
		if (to == "" || strings.Contains(strings.ToLower(m.To), to)) && (d.Kind == "" || string(m.Kind) == d.Kind) &&
			(d.Status == "" || string(m.EmailStatus) == d.Status) {
			d.Messages = append(d.Messages, m)
		}
	}
	q.render(http.StatusOK, "outbox", "Outbox", "Outbox", d)
}
