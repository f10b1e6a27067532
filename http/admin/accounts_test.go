package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// The user-administration story on SQLite (and on PostgreSQL when CHIMED_TEST_POSTGRES is set): create an
// account, invite three users and see them Pending, suspend one, try to delete the account and read why not,
// rename it; every action is in the audit trail under the signed-in key, with the browser's user agent.
func TestAdministerUsers(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			administerUsers(t, newServer(t, e.DSN(t)))
		})
	}
}

func administerUsers(t *testing.T, srv *testenv.Server) {
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	id := b.createAccount("Acme Corp")
	mustContain(t, b.last, "Account “Acme Corp” created.", `<label for="invite-emails">Email addresses</label>`)

	p := b.submit("/admin/accounts/"+id+"/invite",
		url.Values{"Emails": {"ana@example.com\nbo@example.com, cy@example.com\n"}})
	if p.status != http.StatusOK {
		t.Fatalf("invite: %d\n%s", p.status, p.body)
	}
	for _, a := range []string{"ana@example.com", "bo@example.com", "cy@example.com"} {
		mustContain(t, p.body, `<th scope="row">`+a+`</th><td>Pending</td>`)
	}
	us := users(t, srv, id)
	if len(us) != 3 {
		t.Fatalf("%d users after inviting 3", len(us))
	}
	for _, u := range us {
		if u.InvitationStatus != chime.InvitePending || u.RegistrationStatus != chime.Unregistered {
			t.Errorf("%s: %s/%s, want Pending/Unregistered", u.Email, u.InvitationStatus, u.RegistrationStatus)
		}
	}
	// The account page lists them, and filters by email.
	p = b.get("/admin/accounts/" + id + "?email=bo%40example.com")
	if !strings.Contains(p.body, ">bo@example.com</a>") || strings.Contains(p.body, ">ana@example.com</a>") {
		t.Errorf("filter by email shows:\n%s", p.body)
	}

	// Suspend one: in a Team account it leaves the account.
	bo := us[slices.IndexFunc(us, func(u *chime.User) bool { return u.Email == "bo@example.com" })]
	p = b.submit("/admin/accounts/"+id+"/suspend", url.Values{"user": {bo.ID}})
	mustContain(t, p.body, "Suspended 1 user.")
	if us := users(t, srv, id); len(us) != 2 || slices.ContainsFunc(us, func(u *chime.User) bool { return u.ID == bo.ID }) {
		t.Errorf("after suspending bo, users %d", len(us))
	}

	// Delete: refused while users remain, with the rule in plain words.
	p = b.submit("/admin/accounts/"+id+"/delete", nil)
	if p.status != http.StatusOK || !strings.HasSuffix(p.url, "/admin/accounts/"+id) {
		t.Fatalf("delete with users lands on %d %s", p.status, p.url)
	}
	mustContain(t, p.body, "This account cannot be deleted yet.", "A Team account can be deleted only when it has no users left",
		"still has 2 users")
	if len(accounts(t, srv)) != 1 {
		t.Fatal("the account with users was deleted")
	}

	// Rename and default license.
	p = b.submit("/admin/accounts/"+id+"/update", url.Values{"Name": {"Acme Inc"}, "DefaultLicense": {"Basic"}})
	mustContain(t, p.body, "Account saved.")
	if a := accounts(t, srv)[0]; a.Name != "Acme Inc" || a.DefaultLicense != chime.LicenseBasic {
		t.Errorf("after update: %q %s", a.Name, a.DefaultLicense)
	}
	// Search by name prefix and by a user's email.
	if p := b.get("/admin/?name=Acme"); !strings.Contains(p.body, ">Acme Inc</a>") {
		t.Error("search by name prefix does not find the account")
	}
	if p := b.get("/admin/?name=Zed"); strings.Contains(p.body, ">Acme Inc</a>") || !strings.Contains(p.body, "match this search") {
		t.Error("search by another prefix finds the account")
	}
	if p := b.get("/admin/?email=cy%40example.com"); !strings.Contains(p.body, ">Acme Inc</a>") {
		t.Error("search by user email does not find the account")
	}

	// Every action is in the audit trail, newest first, under the key, with the browser's agent and a request id.
	evs := auditOf(t, srv, k)
	var ops []string
	for _, e := range evs {
		outcome := "ok" // a change's own record: status 0, success (as the API's)
		if e.Status >= 300 {
			outcome = fmt.Sprint(e.Status)
		}
		ops = append(ops, e.Operation+" "+outcome)
		if e.AccessKeyID != k.ID || e.UserAgent != userAgent || e.RequestID == "" || e.SourceIP == "" {
			t.Errorf("record %s: key %s agent %q request %q ip %q", e.Operation, e.AccessKeyID, e.UserAgent,
				e.RequestID, e.SourceIP)
		}
	}
	want := []string{"UpdateAccount ok", "DeleteAccount 422", "BatchSuspendUser ok", "InviteUsers ok",
		"CreateAccount ok"}
	if !slices.Equal(ops, want) {
		t.Errorf("audit trail %v, want %v", ops, want)
	}
	// The created account's id is named in the CreateAccount record (a ResourceName lookup finds it).
	byRes, _, err := srv.Service.LookupAuditEvents(context.Background(), chime.Identity{AwsAccountID: awsAccount},
		chime.AuditLookup{AttributeKey: "ResourceName", AttributeValue: id})
	if err != nil || len(byRes) != 5 {
		t.Errorf("records naming the account: %d (%v), want 5", len(byRes), err)
	}
}

// Paging: the Accounts page shows 25 accounts, a "Next page" link with the service's token, and "First page".
func TestAccountsPaging(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	for i := range 27 {
		name := fmt.Sprintf("acct-%02d", i)
		if _, err := srv.Service.CreateAccount(context.Background(), awsAccount, &name); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, srv)
	p := b.signIn(k)
	if !strings.Contains(p.body, ">acct-24</a>") || strings.Contains(p.body, ">acct-25</a>") {
		t.Error("the first page does not hold exactly accounts 0–24")
	}
	i := strings.Index(p.body, `">Next page</a>`)
	if i < 0 {
		t.Fatal("no Next page link")
	}
	href := p.body[strings.LastIndex(p.body[:i], `href="`)+len(`href="`) : i]
	p = b.get(strings.ReplaceAll(href, "&amp;", "&"))
	if !strings.Contains(p.body, ">acct-25</a>") || !strings.Contains(p.body, ">acct-26</a>") ||
		strings.Contains(p.body, ">acct-24</a>") || strings.Contains(p.body, "Next page") ||
		!strings.Contains(p.body, "First page") {
		t.Errorf("the second page:\n%s", p.body)
	}
	if p := b.get("/admin/?token=garbage"); p.status != http.StatusBadRequest {
		t.Errorf("a forged token: %d, want 400", p.status)
	}
}
