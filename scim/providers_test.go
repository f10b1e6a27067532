package scim_test

import (
	"net/url"
	"testing"

	"github.com/chimed/chimed/internal/testenv"
)

// The request sequences below are shaped after the identity providers' published provisioning calls (Okta's
// "SCIM 2.0 protocol reference", Microsoft's "Develop and plan provisioning for a SCIM endpoint"): the lookup by
// userName before a create, the create body each sends, their update forms and their PATCH forms (Okta's
// {"op":"replace","value":{"active":false}}, Entra ID's capitalized ops with string booleans), and what the
// account type makes of them, checked through the Chime API.

func filterQ(f string) string { return "/Users?filter=" + url.QueryEscape(f) }

// TestOktaSequenceOnTeamAccount: Okta assigns, updates, deactivates, reactivates and unassigns a user of a Team
// account: the create is an invitation, a deactivation removes the user from Chime (BatchSuspendUser's Team
// rule) while SCIM keeps it inactive, a reactivation invites the address again.
func TestOktaSequenceOnTeamAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testenv.SQLiteDSN(t), "111122223333", "Team")
	c := e.scim

	// Assign: Okta looks the userName up, then creates.
	if l := c.do("GET", filterQ(`userName eq "grace@example.com"`)+"&startIndex=1&count=100", nil).want(t, 200); l.total() != 0 {
		t.Fatalf("lookup before the create: %s", l.raw)
	}
	r := c.do("POST", "/Users", map[string]any{
		"schemas":  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": "grace@example.com", "name": map[string]any{"givenName": "Grace", "familyName": "Hopper"},
		"emails":      []map[string]any{{"primary": true, "value": "grace@example.com", "type": "work"}},
		"displayName": "Grace Hopper", "locale": "en-US", "externalId": "00ujl29u0le5T6Aj10h7", "groups": []any{},
		"password": "1mz050nq", "active": true,
	}).want(t, 201)
	id := r.str("id")
	if u := e.sdkUser(id); u == nil || u.User.UserRegistrationStatus != "Unregistered" ||
		u.User.UserInvitationStatus != "Pending" {
		t.Fatalf("a SCIM create on a Team account must invite: %+v", u)
	}
	if r.ext("invitationStatus") != "Pending" || r.body["active"] != true {
		t.Fatalf("create: %s", r.raw)
	}
	if l := c.do("GET", filterQ(`userName eq "grace@example.com"`), nil).want(t, 200); l.total() != 1 ||
		l.resources()[0]["id"] != id {
		t.Fatalf("lookup after the create: %s", l.raw)
	}

	// The invitee accepts (its first sign-in); Okta pushes a profile update with PUT.
	e.registerUser(id)
	g := c.do("GET", "/Users/"+id, nil).want(t, 200)
	p := c.do("PUT", "/Users/"+id, map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "id": id,
		"userName": "grace@example.com", "name": map[string]any{"givenName": "Grace", "familyName": "Brewster Hopper"},
		"emails":      []map[string]any{{"primary": true, "value": "grace@example.com", "type": "work"}},
		"displayName": "Grace Brewster Hopper", "externalId": "00ujl29u0le5T6Aj10h7", "active": true,
	}, "If-Match", g.str("meta.version")).want(t, 200)
	if u := e.sdkUser(id); *u.User.DisplayName != "Grace Brewster Hopper" || p.str("displayName") != "Grace Brewster Hopper" {
		t.Fatalf("profile push: %+v / %s", u.User, p.raw)
	}

	// Deactivate: Okta's PATCH without a path. Team: the user leaves the account.
	d := c.do("PATCH", "/Users/"+id, patch(op("replace", "", map[string]any{"active": false}))).want(t, 200)
	if d.body["active"] != false || d.str("id") != id {
		t.Fatalf("deactivate: %s", d.raw)
	}
	if e.sdkUser(id) != nil {
		t.Fatal("GetUser still finds a deactivated Team user (BatchSuspendUser removes Team users)")
	}
	if _, ok := e.listed()["grace@example.com"]; ok {
		t.Fatal("ListUsers still shows a deactivated Team user")
	}
	if g := c.do("GET", "/Users/"+id, nil).want(t, 200); g.body["active"] != false {
		t.Fatalf("the deactivated user over SCIM: %s", g.raw)
	}
	if l := c.do("GET", filterQ(`userName eq "grace@example.com"`), nil).want(t, 200); l.total() != 1 ||
		l.resources()[0]["active"] != false {
		t.Fatalf("lookup of the deactivated user: %s", l.raw)
	}

	// Reactivate: invited again, as a new Chime user behind the same SCIM id.
	a := c.do("PATCH", "/Users/"+id, patch(op("replace", "", map[string]any{"active": true}))).want(t, 200)
	if a.body["active"] != true || a.str("id") != id || a.ext("invitationStatus") != "Pending" {
		t.Fatalf("reactivate: %s", a.raw)
	}
	if st := e.listed()["grace@example.com"]; st != "Unregistered" {
		t.Fatalf("ListUsers after the reactivation: %v", e.listed())
	}

	// Unassign: DELETE removes the user; SCIM forgets it.
	c.do("DELETE", "/Users/"+id, nil).want(t, 204)
	c.do("GET", "/Users/"+id, nil).want(t, 404)
	c.do("DELETE", "/Users/"+id, nil).want(t, 404)
	if len(e.listed()) != 0 {
		t.Fatalf("ListUsers after the delete: %v", e.listed())
	}
	// A user created inactive is only recorded: no invitation until it is activated.
	in := c.do("POST", "/Users", user("later@example.com", map[string]any{"active": false})).want(t, 201)
	if len(e.listed()) != 0 || in.body["active"] != false {
		t.Fatalf("an inactive create invited: %v", e.listed())
	}
	c.do("PATCH", "/Users/"+in.str("id"), patch(op("replace", "active", true))).want(t, 200)
	if e.listed()["later@example.com"] != "Unregistered" {
		t.Fatalf("activation of an inactive create: %v", e.listed())
	}
	// Okta's lookup of a user that the API invited (not through SCIM) finds it too.
	c.do("POST", "/Users", user("later@example.com", nil)).want(t, 409, "uniqueness")
}

// TestEntraSequenceOnLWAAccount: Entra ID matches the existing users of an EnterpriseLWA account (their users
// come from Login with Amazon, so SCIM cannot create them), updates them, disables and re-enables them with its
// capitalized ops and string booleans (suspend and unsuspend), then deletes one (suspended; gone for SCIM).
func TestEntraSequenceOnLWAAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testenv.SQLiteDSN(t), "111122223333", "Team")
	// Users of the account before it became EnterpriseLWA: invited and registered.
	out, err := e.sdk.InviteUsers(t.Context(), inviteInput(e.account, "alan@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	_ = out
	id := e.userID("alan@example.com")
	e.registerUser(id)
	typ := "EnterpriseLWA"
	if _, err := e.srv.Service.SetAccountType(t.Context(), e.aws, e.account, &typ); err != nil {
		t.Fatal(err)
	}
	c := e.scim

	// Entra's create of a user the account does not have: refused, CreateUser's rule for EnterpriseLWA.
	c.do("POST", "/Users", entraUser("nobody@example.com", "nobody@example.com", "9950b140")).want(t, 400)
	// Matching: by userName.
	l := c.do("GET", filterQ(`userName eq "alan@example.com"`), nil).want(t, 200)
	if l.total() != 1 || l.resources()[0]["id"] != id {
		t.Fatalf("match: %s", l.raw)
	}
	// Update: Entra's PATCH with capitalized ops, an externalId, its multi-valued email form and a name.
	p := c.do("PATCH", "/Users/"+id, patch(op("Add", "externalId", "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"),
		op("Replace", `emails[type eq "work"].value`, "alan@example.com"),
		op("Replace", "name.familyName", "Turing"), op("Replace", "displayName", "Alan Turing"))).want(t, 200)
	if p.str("externalId") != "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef" || p.str("displayName") != "Alan Turing" {
		t.Fatalf("update: %s", p.raw)
	}
	if l := c.do("GET", filterQ(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), nil).want(t, 200); l.total() != 1 {
		t.Fatalf("lookup by externalId: %s", l.raw)
	}
	// Disable: {"op":"Replace","path":"active","value":"False"} suspends.
	d := c.do("PATCH", "/Users/"+id, patch(op("Replace", "active", "False"))).want(t, 200)
	if d.body["active"] != false || e.sdkUser(id).User.UserRegistrationStatus != "Suspended" {
		t.Fatalf("disable: %s / %v", d.raw, e.listed())
	}
	if l := c.do("GET", filterQ(`userName eq "alan@example.com"`), nil).want(t, 200); l.total() != 1 ||
		l.resources()[0]["active"] != false {
		t.Fatalf("a disabled user must still be found, inactive: %s", l.raw)
	}
	if e.listed()["alan@example.com"] != "Suspended" {
		t.Fatalf("ListUsers after the disable: %v", e.listed())
	}
	// Enable: "True" unsuspends.
	c.do("PATCH", "/Users/"+id, patch(op("Replace", "active", "True"))).want(t, 200)
	if e.sdkUser(id).User.UserRegistrationStatus != "Registered" {
		t.Fatal("enable did not unsuspend")
	}
	// Delete (Entra's hard delete): suspended in Chime, gone for SCIM.
	c.do("DELETE", "/Users/"+id, nil).want(t, 204)
	c.do("GET", "/Users/"+id, nil).want(t, 404)
	if l := c.do("GET", "/Users", nil).want(t, 200); l.total() != 0 {
		t.Fatalf("list after the delete: %s", l.raw)
	}
	if e.listed()["alan@example.com"] != "Suspended" {
		t.Fatalf("ListUsers after the delete: %v", e.listed())
	}
}

// TestEntraSequenceOnDirectoryAccount: Entra ID provisions an EnterpriseDirectory account, whose userName (the
// UPN) is not the work address: CreateUser with the work address, userName kept by SCIM; disabling and deleting
// are refused (the account type has no suspension or removal).
func TestEntraSequenceOnDirectoryAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testenv.SQLiteDSN(t), "111122223333", "EnterpriseDirectory")
	c := e.scim
	upn := "Test_User_ab6490ee@testuser.com"
	if l := c.do("GET", filterQ(`userName eq "`+upn+`"`), nil).want(t, 200); l.total() != 0 {
		t.Fatalf("lookup: %s", l.raw)
	}
	r := c.do("POST", "/Users", entraUser(upn, "Test_User_fd0ea19b@testuser.com", "0a21f0f2")).want(t, 201)
	id := r.str("id")
	u := e.sdkUser(id)
	if *u.User.PrimaryEmail != "Test_User_fd0ea19b@testuser.com" || *u.User.DisplayName != "givenName familyName" {
		t.Fatalf("GetUser: %+v", u.User)
	}
	if r.str("userName") != upn {
		t.Fatalf("userName: %s", r.raw)
	}
	for _, f := range []string{`userName eq "` + upn + `"`, `emails[type eq "work"].value eq "test_user_fd0ea19b@testuser.com"`,
		`externalId eq "0a21f0f2"`} {
		if l := c.do("GET", filterQ(f), nil).want(t, 200); l.total() != 1 {
			t.Fatalf("filter %s: %s", f, l.raw)
		}
	}
	// Entra renames the UPN.
	c.do("PATCH", "/Users/"+id, patch(op("Replace", "userName", "renamed@testuser.com"))).want(t, 200)
	if l := c.do("GET", filterQ(`userName eq "renamed@testuser.com"`), nil).want(t, 200); l.total() != 1 {
		t.Fatalf("after the rename: %s", l.raw)
	}
	c.do("PATCH", "/Users/"+id, patch(op("Replace", "active", "False"))).want(t, 400, "mutability")
	c.do("DELETE", "/Users/"+id, nil).want(t, 400, "mutability")
	if e.sdkUser(id).User.UserRegistrationStatus != "Registered" {
		t.Fatal("a refused disable changed the user")
	}
}

func entraUser(userName, email, externalID string) map[string]any {
	return map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		"externalId": externalID, "userName": userName, "active": true,
		"emails": []map[string]any{{"primary": true, "type": "work", "value": email}},
		"meta":   map[string]any{"resourceType": "User"},
		"name":   map[string]any{"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
		"roles":  []any{},
	}
}
