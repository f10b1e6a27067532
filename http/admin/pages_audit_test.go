package admin_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The Audit trail and Outbox pages: the trail filters by operation, access key, resource and time range, pages
// 50 at a time (the next page's events are others), refuses a bad time or a forged token with 400 and a reason;
// the Outbox lists the invitations newest first with their links for a key that may change things, filters by
// recipient, and hides the links from a read-only key.
func TestAuditAndOutboxPages(t *testing.T) {
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	other := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	id := b.createAccount("Audit Corp")
	b.submit("/admin/accounts/"+id+"/invite", url.Values{"Emails": {"ana@example.com, bo@example.com"}})
	for i := range 55 { // more than a page
		b.get("/admin/")
		b.submit("/admin/accounts/"+id+"/update", url.Values{"Name": {fmt.Sprintf("Audit Corp %d", i)}})
	}
	ob := newBrowser(t, srv)
	ob.signIn(other)
	ob.createAccount("Other's")

	p := b.get("/admin/audit?attr=EventName&value=CreateAccount")
	if p.status != http.StatusOK || strings.Count(p.body, `<th scope="row">CreateAccount</th>`) != 2 ||
		strings.Contains(p.body, `<th scope="row">UpdateAccount</th>`) {
		t.Errorf("filter by operation: %d\n%s", p.status, p.body)
	}
	p = b.get("/admin/audit?attr=AccessKeyId&value=" + other.ID)
	if strings.Count(p.body, `<th scope="row">`) != 1 || !strings.Contains(p.body, other.ID) {
		t.Errorf("filter by key: %d rows\n%s", strings.Count(p.body, `<th scope="row">`), p.body)
	}
	p = b.get("/admin/audit?attr=ResourceName&value=" + id)
	if n := strings.Count(p.body, `<th scope="row">`); n != 50 || !strings.Contains(p.body, "Next page") {
		t.Fatalf("filter by resource: %d rows\n%s", n, p.body)
	}
	next := html.UnescapeString(p.body[strings.LastIndex(p.body, `href="/admin/audit?`)+6:])
	next = next[:strings.Index(next, `"`)]
	p2 := b.get(next)
	if n := strings.Count(p2.body, `<th scope="row">`); p2.status != http.StatusOK || n != 57-50 {
		t.Errorf("second page: %d, %d rows (want 7: create, invite, 55 renames)", p2.status, n)
	}
	if !strings.Contains(p2.body, `<th scope="row">CreateAccount</th>`) {
		t.Errorf("the oldest event is not on the last page")
	}
	future := time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04")
	p = b.get("/admin/audit?from=" + url.QueryEscape(future))
	mustContain(t, p.body, "No audit events match this filter.")
	p = b.get("/admin/audit?from=yesterday")
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "From must be a date and time") {
		t.Errorf("bad time: %d\n%s", p.status, p.body)
	}
	if p = b.get("/admin/audit?token=forged"); p.status != http.StatusBadRequest {
		t.Errorf("forged token: %d", p.status)
	}
	if p = b.get("/admin/audit?attr=Nope&value=x"); p.status != http.StatusBadRequest {
		t.Errorf("unknown attribute: %d\n%s", p.status, p.body)
	}

	p = b.get("/admin/outbox")
	body := html.UnescapeString(p.body)
	if i, j := strings.Index(body, "bo@example.com"), strings.Index(body, "ana@example.com"); i < 0 || j < 0 || i > j {
		t.Errorf("outbox: not newest first (bo %d, ana %d)", i, j)
	}
	if strings.Count(body, "<summary>Link</summary>") != 2 {
		t.Errorf("outbox: %d links, want 2", strings.Count(body, "<summary>Link</summary>"))
	}
	p = b.get("/admin/outbox?to=ANA")
	if strings.Contains(p.body, "bo@example.com") || !strings.Contains(p.body, "ana@example.com") {
		t.Errorf("outbox filter by recipient:\n%s", p.body)
	}
	ro := newBrowser(t, srv)
	ro.signIn(srv.MustKey(t, awsAccount, true))
	if p = ro.get("/admin/outbox"); !strings.Contains(p.body, "ana@example.com") || strings.Contains(p.body, "<summary>Link</summary>") {
		t.Errorf("read-only outbox shows links or no mail:\n%s", p.body)
	}
}
