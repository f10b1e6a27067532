package admin_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// The Phone numbers pages on SQLite (and PostgreSQL when CHIMED_TEST_POSTGRES is set), through forms as a
// browser posts them: a search the rules refuse says why (400); an order of an available and an unknown
// number is Partial with each line's status; the inventory filters by status; a calling name outside the
// model's pattern is refused, a good one saved; the product type changes; a number is assigned to a user
// (account chosen first) and unassigned; delete puts it in the deletion queue and Restore brings it back; the
// default calling name is saved once per interval (the second change says why not). Each change is read
// back through the service; a read-only key sees no forms and is refused 403.
func TestNumbersPages(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			numbersPages(t, newServer(t, e.DSN(t)))
		})
	}
}

func numbersPages(t *testing.T, srv *testenv.Server) {
	ctx := context.Background()
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	id := b.createAccount("Numbers Corp")
	b.submit("/admin/accounts/"+id+"/invite", url.Values{"Emails": {"ana@example.com"}})
	ana := users(t, srv, id)[0]

	p := b.get("/admin/phone-numbers/search?search=1&areacode=911")
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "Area code must be a US geographic area code") {
		t.Errorf("bad search: %d\n%s", p.status, p.body)
	}
	p = b.get("/admin/phone-numbers/search?search=1&state=WA")
	if p.status != http.StatusOK || strings.Count(p.body, `name="E164PhoneNumbers"`) != 20 || !strings.Contains(p.body, "Next page") {
		t.Fatalf("search by state: %d, %d numbers\n%s", p.status, strings.Count(p.body, `name="E164PhoneNumbers"`), p.body)
	}
	p = b.submit("/admin/phone-numbers/orders", url.Values{"ProductType": {"BusinessCalling"},
		"E164PhoneNumbers": {"+12065550100", "+12065550001"}})
	if p.status != http.StatusOK || !strings.Contains(p.url, "/admin/phone-numbers/orders/") {
		t.Fatalf("order: %d at %s\n%s", p.status, p.url, p.body)
	}
	mustSay(t, p.body, "Order placed for 2 numbers", "Partial", "+12065550001</th><td>Failed", "Acquired")
	b.get("/admin/phone-numbers/orders")
	mustSay(t, b.last, "Partial", "BusinessCalling")

	const n = "+12065550100"
	np := "/admin/phone-numbers/n/" + n
	b.get("/admin/phone-numbers?status=Unassigned")
	mustSay(t, b.last, `href="`+np+`"`)
	b.get("/admin/phone-numbers?status=Assigned")
	mustSay(t, b.last, "No numbers with this status.")
	b.get("/admin/phone-numbers?token=forged")
	mustSay(t, b.last, `class="error"`)

	b.get(np)
	b.submit(np+"/calling-name", url.Values{"CallingName": {"Bad!"}})
	mustSay(t, b.last, "Calling name must be 2 to 15 letters")
	b.submit(np+"/calling-name", url.Values{"CallingName": {"Front Desk"}})
	mustSay(t, b.last, "Calling name saved")
	b.submit(np+"/product", url.Values{"ProductType": {"VoiceConnector"}})
	mustSay(t, b.last, "Product type saved.")
	got, err := srv.Service.GetPhoneNumber(ctx, awsAccount, n)
	if err != nil || got.ProductType != chime.ProductVoiceConnector || got.CallingName == nil || *got.CallingName != "Front Desk" {
		t.Fatalf("GetPhoneNumber: %v %+v", err, got)
	}
	b.submit(np+"/product", url.Values{"ProductType": {"BusinessCalling"}})

	// Assign: choose the account, then the user.
	p = b.get(np + "?account=" + id)
	mustSay(t, p.body, `<option value="`+ana.ID+`">ana@example.com</option>`)
	b.submit(np+"/assign", url.Values{"AccountId": {id}, "UserId": {ana.ID}})
	mustSay(t, b.last, "is assigned to the user", "ana@example.com")
	if u, err := srv.Service.GetUser(ctx, awsAccount, id, ana.ID); err != nil || u.PhoneNumber != n {
		t.Fatalf("GetUser after assign: %v %q", err, u.PhoneNumber)
	}
	b.submit(np+"/delete", nil)
	mustSay(t, b.last, `class="error"`) // an assigned number is not deleted
	b.get(np)
	b.submit(np+"/unassign", nil)
	mustSay(t, b.last, "is no longer assigned")
	if u, err := srv.Service.GetUser(ctx, awsAccount, id, ana.ID); err != nil || u.PhoneNumber != "" {
		t.Fatalf("GetUser after unassign: %v %q", err, u.PhoneNumber)
	}

	// The deletion queue.
	p = b.submit(np+"/delete", nil)
	if !strings.HasSuffix(p.url, "/admin/phone-numbers") {
		t.Fatalf("delete lands on %s", p.url)
	}
	mustSay(t, p.body, "is in the deletion queue", `action="`+np+`/restore"`)
	p = b.submit(np+"/restore", nil)
	mustSay(t, p.body, "is restored", "The deletion queue is empty.")
	if got, err := srv.Service.GetPhoneNumber(ctx, awsAccount, n); err != nil || got.Status != chime.NumberUnassigned {
		t.Fatalf("after restore: %v %+v", err, got)
	}

	// Phone number settings: once per interval.
	b.submit("/admin/phone-numbers/settings", url.Values{"CallingName": {"x"}})
	mustSay(t, b.last, "Calling name must be 2 to 15")
	b.submit("/admin/phone-numbers/settings", url.Values{"CallingName": {"Numbers Corp"}})
	mustSay(t, b.last, "Default outbound calling name saved.")
	b.submit("/admin/phone-numbers/settings", url.Values{"CallingName": {"Other Name"}})
	mustSay(t, b.last, `class="error"`)
	if st, err := srv.Service.GetPhoneNumberSettings(ctx, awsAccount); err != nil || st.CallingName != "Numbers Corp" {
		t.Fatalf("settings: %v %+v", err, st)
	}

	var ops []string
	for _, e := range auditOf(t, srv, k) {
		ops = append(ops, e.Operation)
	}
	for _, op := range []string{"CreatePhoneNumberOrder", "UpdatePhoneNumber", "AssociatePhoneNumberWithUser",
		"DisassociatePhoneNumberFromUser", "DeletePhoneNumber", "RestorePhoneNumber", "UpdatePhoneNumberSettings"} {
		if !strings.Contains(strings.Join(ops, " "), op) {
			t.Errorf("no %s in the audit trail: %v", op, ops)
		}
	}

	// Read-only: no forms, 403, nothing changed.
	ro := newBrowser(t, srv)
	ro.signIn(srv.MustKey(t, awsAccount, true))
	for _, path := range []string{"/admin/phone-numbers", np, "/admin/phone-numbers/search?search=1&areacode=206"} {
		if p := ro.get(path); p.status != http.StatusOK || strings.Count(p.body, `method="post"`) != 1 {
			t.Errorf("read-only %s: %d, %d posting forms", path, p.status, strings.Count(p.body, `method="post"`))
		}
	}
	if p := ro.submit(np+"/delete", nil); p.status != http.StatusForbidden {
		t.Errorf("read-only delete: %d", p.status)
	}
	if got, err := srv.Service.GetPhoneNumber(ctx, awsAccount, n); err != nil || got.Status != chime.NumberUnassigned {
		t.Errorf("after the read-only delete: %v %+v", err, got)
	}
}

// mustSay fails t unless the page body, its character references decoded, holds every s.
func mustSay(t *testing.T, body string, ss ...string) {
	t.Helper()
	mustContain(t, html.UnescapeString(body), ss...)
}
