package admin

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	chime "github.com/chimed/chimed"
)

// The Audit trail page: the audit events of the key's AWS account, newest first, a page at a time, filtered
// by one attribute (operation, access key, resource, event id: CloudTrail's LookupEvents takes one) and a time
// range, through chime's LookupAuditEvents (the API's CloudTrail LookupEvents).

// auditPageSize is the number of audit events a page shows (the service's largest page).
const auditPageSize = 50

// auditTimeLayouts are the forms of the time range fields (an <input type="datetime-local">, in UTC).
var auditTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"}

func (c *Console) auditPages(rt *router) {
	rt.page("GET /admin/audit", auditPage)
}

// auditAttr is a filter the page offers: the lookup attribute and its label.
type auditAttr struct{ Key, Label string }

// auditRow is an audit event as the table shows it: Res are its resources with short type names ("Room").
type auditRow struct {
	*chime.AuditEvent
	Res []chime.AuditResource
}

// auditData is the data of audit.html.
type auditData struct {
	Attr, Value, From, To string // the filters as given
	Attrs                 []auditAttr
	Events                []auditRow
	Paging                Paging
	Problem               string
}

// auditPage: GET /admin/audit?attr=&value=&from=&to=&token= → LookupAuditEvents.
func auditPage(q *request) {
	qv := q.r.URL.Query()
	d := auditData{Attr: qv.Get("attr"), Value: strings.TrimSpace(qv.Get("value")), From: strings.TrimSpace(qv.Get("from")),
		To: strings.TrimSpace(qv.Get("to")), Attrs: []auditAttr{{"EventName", "Operation"},
			{"AccessKeyId", "Access key ID"}, {"ResourceName", "Resource (an ID)"}, {"EventId", "Event ID"}}}
	in := chime.AuditLookup{MaxResults: auditPageSize}
	if d.Value != "" {
		in.AttributeKey, in.AttributeValue = d.Attr, d.Value
		if in.AttributeKey == "" {
			in.AttributeKey = "EventName"
		}
	}
	if t := qv.Get("token"); t != "" {
		in.NextToken = &t
	}
	var err error
	if in.Start, err = auditTime(d.From, "From"); err == nil {
		if in.End, err = auditTime(d.To, "To"); err == nil && !in.End.IsZero() && len(d.To) <= len("2006-01-02T15:04") {
			in.End = in.End.Add(time.Minute - time.Millisecond) // "to 12:30" includes 12:30's minute
			if len(d.To) == len("2006-01-02") {
				in.End = in.End.Add(24*time.Hour - time.Minute)
			}
		}
	}
	status := http.StatusOK
	if err == nil {
		var next string
		var evs []*chime.AuditEvent
		evs, next, err = q.c.svc.LookupAuditEvents(q.r.Context(), q.identity(), in)
		for _, e := range evs {
			r := auditRow{AuditEvent: e}
			for _, res := range e.Resources {
				r.Res = append(r.Res, chime.AuditResource{Type: strings.TrimPrefix(res.Type, "AWS::Chime::"), Name: res.Name})
			}
			d.Events = append(d.Events, r)
		}
		d.Paging = pageLinks("/admin/audit", url.Values{"attr": {d.Attr}, "value": {d.Value}, "from": {d.From},
			"to": {d.To}, "token": {qv.Get("token")}}, next)
	}
	if err != nil {
		if s, _ := statusOf(err); s >= 500 && chime.ErrorCode(err) != chime.ELOOKUPATTR {
			q.fail(err)
			return
		}
		status, d.Problem = http.StatusBadRequest, plain(err)
	}
	q.render(status, "audit", "Audit trail", "Audit trail", d)
}

// auditTime parses a time range field (UTC); "" is no bound.
func auditTime(v, field string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, l := range auditTimeLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, chime.Invalid("%s must be a date and time such as 2026-12-01T09:30 (UTC)", field)
}
