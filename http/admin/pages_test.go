package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
)

// The Account page's other actions: account settings, type, retention (Enterprise), sign-in delegate groups
// (EnterpriseDirectory), bulk license and unsuspend (EnterpriseLWA); and a refused action shows the service's
// reason.
func TestAccountPageActions(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	ctx := context.Background()
	id := b.createAccount("Globex")
	b.submit("/admin/accounts/"+id+"/invite", url.Values{"Emails": {"x@example.com,y@example.com"}})
	get := func() *chime.Account {
		a, err := srv.Service.GetAccount(ctx, awsAccount, id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}

	p := b.submit("/admin/accounts/"+id+"/settings", url.Values{"EnableDialOut": {"on"}})
	mustContain(t, p.body, "Account settings saved.")
	if s := get().Settings; !s.EnableDialOut || s.DisableRemoteControl {
		t.Errorf("settings %+v, want dial-out on, remote control enabled", s)
	}
	us := users(t, srv, id)
	p = b.submit("/admin/accounts/"+id+"/licenses", url.Values{"user": {us[0].ID, us[1].ID}, "LicenseType": {"Basic"}})
	mustContain(t, p.body, "Changed the license of 2 users.")
	for _, u := range users(t, srv, id) {
		if u.License != chime.LicenseBasic {
			t.Errorf("%s: license %s, want Basic", u.Email, u.License)
		}
	}
	if strings.Contains(p.body, ">Retention<") || strings.Contains(p.body, "Unsuspend selected") {
		t.Error("a Team account offers retention or unsuspend")
	}

	p = b.submit("/admin/accounts/"+id+"/type", url.Values{"AccountType": {"EnterpriseLWA"}})
	mustContain(t, p.body, "Account type changed to EnterpriseLWA.", "Unsuspend selected", "Room retention (days)")
	p = b.submit("/admin/accounts/"+id+"/retention", url.Values{"RoomRetentionDays": {"30"}, "ConversationRetentionDays": {""}})
	mustContain(t, p.body, "Retention settings saved.", `value="30"`)
	r, err := srv.Service.GetRetentionSettings(ctx, awsAccount, id)
	if err != nil || r.RoomDays != 30 || r.ConversationDays != 0 {
		t.Errorf("retention %+v %v, want rooms 30 days, conversations off", r, err)
	}
	p = b.submit("/admin/accounts/"+id+"/retention", url.Values{"RoomRetentionDays": {"thirty"}})
	if !strings.Contains(p.body, `class="error"`) || !strings.Contains(p.body, "whole number of days") {
		t.Errorf("a bad retention value shows no error:\n%s", p.body)
	}

	p = b.submit("/admin/accounts/"+id+"/type", url.Values{"AccountType": {"EnterpriseDirectory"}})
	p = b.submit("/admin/accounts/"+id+"/delegates", url.Values{"GroupName": {"admins"}})
	mustContain(t, p.body, "Sign-in delegate group “admins” added.")
	if g := get().SigninDelegateGroups; len(g) != 1 || g[0] != "admins" {
		t.Errorf("delegate groups %v", g)
	}
	b.submit("/admin/accounts/"+id+"/delegates/remove", url.Values{"GroupName": {"admins"}})
	if g := get().SigninDelegateGroups; len(g) != 0 {
		t.Errorf("delegate groups after removal %v", g)
	}
	// A refused change: inviting into a non-Team account shows the service's reason.
	p = b.submit("/admin/accounts/"+id+"/invite", url.Values{"Emails": {"z@example.com"}})
	if !strings.Contains(p.body, `class="error"`) || len(users(t, srv, id)) != 2 {
		t.Errorf("an invitation into an EnterpriseDirectory account:\n%s", p.body)
	}
	// An account without users is deleted, and the Accounts page says so.
	empty := b.createAccount("Empty")
	p = b.submit("/admin/accounts/"+empty+"/delete", nil)
	if !strings.HasSuffix(p.url, "/admin/") || !strings.Contains(p.body, "Account “Empty” deleted.") {
		t.Errorf("delete of an empty account lands on %s:\n%s", p.url, p.body)
	}
	if _, err := srv.Service.GetAccount(ctx, awsAccount, empty); chime.ErrorCode(err) != chime.ENOTFOUND {
		t.Errorf("the deleted account: %v, want NotFound", err)
	}
	// Wrong ids are a 404 page.
	if p := b.get("/admin/accounts/00000000-0000-0000-0000-000000000000"); p.status != http.StatusNotFound {
		t.Errorf("unknown account: %d", p.status)
	}
}

// The User page shows every field and changes license, settings, PIN, sessions and phone number.
func TestUserPage(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	ctx := context.Background()
	id := b.createAccount("Initech")
	b.submit("/admin/accounts/"+id+"/invite", url.Values{"Emails": {"peter@example.com"}})
	u := users(t, srv, id)[0]
	path := "/admin/accounts/" + id + "/users/" + u.ID

	p := b.get(path)
	mustContain(t, p.body, "<h1>peter@example.com</h1>", u.ID, "Pending", "Unregistered", "PrivateUser",
		`<label for="u-license">License</label>`, `<label for="u-phone">Phone number (E.164)</label>`)

	p = b.submit(path+"/update", url.Values{"LicenseType": {"Basic"}, "UserType": {"SharedDevice"}})
	mustContain(t, p.body, "User saved.")
	got, _ := srv.Service.GetUser(ctx, awsAccount, id, u.ID)
	if got.License != chime.LicenseBasic || got.Type != chime.UserSharedDevice {
		t.Errorf("after update: %s %s", got.License, got.Type)
	}

	p = b.submit(path+"/settings", url.Values{"InboundCalling": {"on"}})
	mustContain(t, p.body, "User settings saved.")
	st, _ := srv.Service.GetUserSettings(ctx, awsAccount, id, u.ID)
	if !st.InboundCalling || st.OutboundCalling || st.SMS {
		t.Errorf("settings %+v, want inbound only", st)
	}

	p = b.submit(path+"/pin", nil)
	mustContain(t, p.body, "Personal PIN reset.")
	got, _ = srv.Service.GetUser(ctx, awsAccount, id, u.ID)
	if got.PIN == "" || !strings.Contains(p.body, "<code>"+got.PIN+"</code>") {
		t.Errorf("PIN %q not shown after reset", got.PIN)
	}
	mustContain(t, b.submit(path+"/logout", nil).body, "The user is signed out everywhere.")

	p = b.submit(path+"/phone", url.Values{"E164PhoneNumber": {"+12065550100"}})
	if !strings.Contains(p.body, `class="error"`) {
		t.Errorf("associating a number outside the inventory shows no error:\n%s", p.body)
	}
	evs := auditOf(t, srv, k)
	if evs[0].Operation != "AssociatePhoneNumberWithUser" || evs[0].Status != http.StatusNotFound ||
		!strings.Contains(evs[0].Params, "+12065550100") {
		t.Errorf("the refused association's record: %s %d %s", evs[0].Operation, evs[0].Status, evs[0].Params)
	}
}

// The users filter by registration status reads on through the service's pages: a Registered user after 60
// Unregistered ones is found on the first page of the filter.
func TestUsersStatusFilter(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	ctx := context.Background()
	id := b.createAccount("Many")
	var emails []string
	for i := range 61 {
		emails = append(emails, fmt.Sprintf("u%02d@example.com", i))
	}
	if _, err := srv.Service.InviteUsers(ctx, awsAccount, id, emails[:50], nil); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Service.InviteUsers(ctx, awsAccount, id, emails[50:], nil); err != nil {
		t.Fatal(err)
	}
	found, _, err := srv.Service.ListUsers(ctx, awsAccount, id, chime.ListUsersInput{UserEmail: ptr("u60@example.com")})
	if err != nil || len(found) != 1 {
		t.Fatalf("u60: %v %v", found, err)
	}
	u60 := found[0].ID
	if _, err := srv.Service.RegisterUser(ctx, awsAccount, id, u60, ptr("Sixty")); err != nil {
		t.Fatal(err)
	}
	p := b.get("/admin/accounts/" + id + "?status=Registered")
	if !strings.Contains(p.body, ">u60@example.com</a>") || strings.Contains(p.body, ">u00@example.com</a>") {
		t.Errorf("status=Registered:\n%s", p.body)
	}
	p = b.get("/admin/accounts/" + id + "?status=Unregistered")
	if strings.Count(p.body, `name="user"`) != 50 || !strings.Contains(p.body, "Next page") {
		t.Errorf("status=Unregistered shows %d users, want a page of 50 and a next page", strings.Count(p.body, `name="user"`))
	}
}

func ptr[T any](v T) *T { return &v }
