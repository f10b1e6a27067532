package scim_test

import (
	"testing"

	"github.com/chimed/chimed/internal/testenv"
)

// TestMappingByAccountType: the mapping table of docs/behavior.md §9.11, one account of each type on one server,
// each outcome read back through the Chime API (aws-sdk-go-v2 GetUser and ListUsers).
func TestMappingByAccountType(t *testing.T) {
	t.Parallel()
	srv := testenv.NewServer(t, testenv.Config{DSN: testenv.SQLiteDSN(t)})
	type outcome struct {
		create       int    // POST status
		status       string // GetUser's UserRegistrationStatus after the create
		deactivate   int    // PATCH active=false status
		inactive     string // GetUser after it ("" = NotFound)
		reactivated  string // ListUsers' status of the address after active=true ("" = not listed)
		deleteStatus int
		afterDelete  string // ListUsers' status of the address after DELETE ("" = not listed)
	}
	for typ, want := range map[string]outcome{
		"Team":                {201, "Unregistered", 200, "", "Unregistered", 204, ""},
		"EnterpriseDirectory": {201, "Registered", 400, "Registered", "Registered", 400, "Registered"},
		"EnterpriseOIDC":      {201, "Registered", 400, "Registered", "Registered", 400, "Registered"},
		"EnterpriseLWA":       {400, "", 0, "", "", 0, ""},
	} {
		t.Run(typ, func(t *testing.T) {
			e := addAccount(t, srv, "111122223333", typ)
			addr := "m-" + typ + "@example.com"
			r := e.scim.do("POST", "/Users", user(addr, nil)).want(t, want.create)
			if want.create != 201 {
				if len(e.listed()) != 0 {
					t.Fatalf("a refused create added a user: %v", e.listed())
				}
				return
			}
			id := r.str("id")
			if u := e.sdkUser(id); u == nil || string(u.User.UserRegistrationStatus) != want.status {
				t.Fatalf("after the create: %+v, want %s", u, want.status)
			}
			e.scim.do("PATCH", "/Users/"+id, patch(op("replace", "active", false))).want(t, want.deactivate)
			u := e.sdkUser(id)
			if got := ""; u != nil {
				if got = string(u.User.UserRegistrationStatus); got != want.inactive {
					t.Fatalf("after active=false: %s, want %q", got, want.inactive)
				}
			} else if want.inactive != "" {
				t.Fatalf("after active=false: NotFound, want %s", want.inactive)
			}
			e.scim.do("PATCH", "/Users/"+id, patch(op("replace", "active", true))).want(t, 200)
			if got := e.listed()[addr]; got != want.reactivated {
				t.Fatalf("after active=true: %q, want %q", got, want.reactivated)
			}
			e.scim.do("DELETE", "/Users/"+id, nil).want(t, want.deleteStatus)
			if got := e.listed()[addr]; got != want.afterDelete {
				t.Fatalf("after DELETE: %q, want %q", got, want.afterDelete)
			}
		})
	}
}
