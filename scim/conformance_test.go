package scim_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

const ext = "urn:chimed:params:scim:schemas:extension:chime:2.0:User"

// TestConformance drives every endpoint of the SCIM service of an EnterpriseDirectory account with valid and
// invalid input, on every engine, and checks each change through the Chime API (aws-sdk-go-v2) and the audit
// trail.
func TestConformance(t *testing.T) {
	testenv.EachEngine(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, "111122223333", "EnterpriseDirectory")
		c := e.scim

		// Discovery.
		spc := c.do("GET", "/ServiceProviderConfig", nil).want(t, 200)
		if p, _ := spc.body["patch"].(map[string]any); p["supported"] != true {
			t.Fatalf("ServiceProviderConfig: %s", spc.raw)
		}
		rt := c.do("GET", "/ResourceTypes", nil).want(t, 200)
		if rt.total() != 1 || rt.resources()[0]["endpoint"] != "/Users" {
			t.Fatalf("ResourceTypes: %s", rt.raw)
		}
		c.do("GET", "/ResourceTypes/User", nil).want(t, 200)
		c.do("GET", "/ResourceTypes/Group", nil).want(t, 404)
		sc := c.do("GET", "/Schemas", nil).want(t, 200)
		if sc.total() != 2 {
			t.Fatalf("Schemas: %s", sc.raw)
		}
		if got := c.do("GET", "/Schemas/"+ext, nil).want(t, 200); got.str("id") != ext {
			t.Fatalf("Schemas/%s: %s", ext, got.raw)
		}
		c.do("GET", "/Groups", nil).want(t, 404)
		c.do("POST", "/ServiceProviderConfig", "{}").want(t, 404)
		c.do("PATCH", "/Users", "{}").want(t, 405)

		// Authentication.
		anon := *c
		anon.token = ""
		if r := anon.do("GET", "/Users", nil).want(t, 401); r.header.Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
		wrong := *c
		wrong.token = c.token[:len(c.token)-2] + "xx"
		wrong.do("GET", "/Users", nil).want(t, 401)

		// Create.
		r := c.do("POST", "/Users", user("ada@example.com", map[string]any{"displayName": "Ada Lovelace",
			"externalId": "ext-ada", ext: map[string]any{"licenseType": "Basic"}, "password": "never-stored"})).want(t, 201)
		id := r.str("id")
		if r.header.Get("Location") != r.str("meta.location") || !strings.HasSuffix(r.str("meta.location"), "/Users/"+id) ||
			r.header.Get("ETag") != r.str("meta.version") || !strings.HasPrefix(r.str("meta.version"), `W/"`) ||
			r.str("meta.resourceType") != "User" || r.str("meta.created") == "" || r.str("meta.lastModified") == "" {
			t.Fatalf("create: headers %v, body %s", r.header, r.raw)
		}
		if r.body["active"] != true || r.str("externalId") != "ext-ada" || r.ext("licenseType") != "Basic" {
			t.Fatalf("create: %s", r.raw)
		}
		if strings.Contains(string(r.raw), "never-stored") {
			t.Fatal("the password came back")
		}
		u := e.sdkUser(id)
		if u == nil || *u.User.PrimaryEmail != "ada@example.com" || *u.User.DisplayName != "Ada Lovelace" ||
			u.User.LicenseType != "Basic" || u.User.UserRegistrationStatus != "Registered" {
			t.Fatalf("GetUser after the SCIM create: %+v", u)
		}
		// Invalid creates.
		c.do("POST", "/Users", user("ADA@example.com", nil)).want(t, 409, "uniqueness")
		c.do("POST", "/Users", "not json").want(t, 400, "invalidSyntax")
		c.do("POST", "/Users", map[string]any{"userName": "x@example.com"}).want(t, 400, "invalidSyntax")
		c.do("POST", "/Users", user("", nil)).want(t, 400, "invalidValue")
		c.do("POST", "/Users", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}}).
			want(t, 400, "invalidValue")
		c.do("POST", "/Users", user("no-address", nil)).want(t, 400, "invalidValue")
		c.do("POST", "/Users", user("b@example.com", map[string]any{ext: map[string]any{"licenseType": "Gold"}})).
			want(t, 400, "invalidValue")
		c.do("POST", "/Users", user("b@example.com", map[string]any{ext: map[string]any{"userType": "Robot"}})).
			want(t, 400, "invalidValue")
		c.do("POST", "/Users", user("b@example.com", map[string]any{"active": "maybe"})).want(t, 400, "invalidValue")
		c.do("POST", "/Users", user("b@example.com", map[string]any{"active": false})).want(t, 400, "mutability")
		c.do("POST", "/Users", strings.Repeat(" ", 1<<20+1)).want(t, 413)
		if e.sdkUser("b@example.com") != nil || len(e.listed()) != 1 {
			t.Fatalf("a refused create changed the account: %v", e.listed())
		}

		// Get.
		g := c.do("GET", "/Users/"+id, nil).want(t, 200)
		if g.str("meta.version") != r.str("meta.version") {
			t.Fatalf("version changed without a change: %s vs %s", g.str("meta.version"), r.str("meta.version"))
		}
		c.do("GET", "/Users/"+id, nil, "If-None-Match", g.str("meta.version")).want(t, 304)
		c.do("GET", "/Users/no-such-user", nil).want(t, 404)
		c.do("GET", "/Users/"+strings.Repeat("x", 300), nil).want(t, 404)

		// List, paging and filters.
		for i := 0; i < 5; i++ {
			c.do("POST", "/Users", user(fmt.Sprintf("user%d@example.com", i), map[string]any{
				"externalId": fmt.Sprintf("ext-%d", i), "displayName": fmt.Sprintf("User %d", i)})).want(t, 201)
		}
		all := c.do("GET", "/Users", nil).want(t, 200)
		if all.total() != 6 || len(all.resources()) != 6 || !hasString(all.body["schemas"],
			"urn:ietf:params:scim:api:messages:2.0:ListResponse") {
			t.Fatalf("list: %s", all.raw)
		}
		pg := c.do("GET", "/Users?startIndex=2&count=2", nil).want(t, 200)
		if pg.total() != 6 || len(pg.resources()) != 2 || pg.body["startIndex"] != 2.0 || pg.body["itemsPerPage"] != 2.0 ||
			pg.resources()[0]["id"] != all.resources()[1]["id"] {
			t.Fatalf("page 2: %s", pg.raw)
		}
		if z := c.do("GET", "/Users?count=0", nil).want(t, 200); z.total() != 6 || len(z.resources()) != 0 {
			t.Fatalf("count=0: %s", z.raw)
		}
		if z := c.do("GET", "/Users?startIndex=0&count=100000", nil).want(t, 200); z.body["startIndex"] != 1.0 ||
			len(z.resources()) != 6 {
			t.Fatalf("startIndex=0, a huge count: %s", z.raw)
		}
		if z := c.do("GET", "/Users?startIndex=7", nil).want(t, 200); z.total() != 6 || len(z.resources()) != 0 {
			t.Fatalf("past the end: %s", z.raw)
		}
		c.do("GET", "/Users?count=ten", nil).want(t, 400, "invalidValue")
		for filter, want := range map[string]int{
			`userName eq "ADA@example.com"`:                                      1,
			`userName eq "nobody@example.com"`:                                   0,
			`emails[type eq "work"].value eq "user3@example.com"`:                1,
			`emails[type eq "home"].value eq "user3@example.com"`:                0,
			`emails.value eq "user3@example.com"`:                                1,
			`externalId eq "ext-2"`:                                              1,
			`externalId eq "EXT-2"`:                                              0, // caseExact
			`active eq true`:                                                     6,
			`active eq false`:                                                    0,
			`active eq true and externalId eq "ext-1"`:                           1,
			`userName eq "user1@example.com" and active eq false`:                0,
			`externalId eq "ext-1" or externalId eq "ext-4"`:                     2,
			`not (externalId eq "ext-1")`:                                        5,
			`userName sw "user"`:                                                 5,
			`displayName co "ser 3"`:                                             1,
			`externalId pr`:                                                      6,
			`emails[type eq "work" and primary eq true]`:                         6,
			ext + `:licenseType eq "Basic"`:                                      1,
			`(userName eq "user0@example.com") or (userName ew "4@example.com")`: 2,
		} {
			l := c.do("GET", "/Users?filter="+url.QueryEscape(filter), nil).want(t, 200)
			if l.total() != want {
				t.Errorf("filter %s: %d results, want %d: %s", filter, l.total(), want, l.raw)
			}
		}
		for _, bad := range []string{`userName`, `userName eq`, `userName zz "a"`, `userName eq "a" and`, `(userName eq "a"`,
			`userName eq "unterminated`, `emails[type eq "work".value eq "a"`, `userName eq nonsense`, `1abc eq "a"`,
			strings.Repeat("(", 40) + `userName eq "a"` + strings.Repeat(")", 40)} {
			c.do("GET", "/Users?filter="+url.QueryEscape(bad), nil).want(t, 400, "invalidFilter")
		}

		// Replace (PUT).
		v := c.do("GET", "/Users/"+id, nil).want(t, 200).str("meta.version")
		p := c.do("PUT", "/Users/"+id, user("ada@example.com", map[string]any{"displayName": "Countess Lovelace",
			"emails": []map[string]any{{"value": "ada@example.com", "type": "work", "primary": true}},
			ext:      map[string]any{"licenseType": "Pro", "userType": "SharedDevice"}}), "If-Match", v).want(t, 200)
		if p.str("externalId") != "" || p.str("displayName") != "Countess Lovelace" || p.str("meta.version") == v {
			t.Fatalf("replace: %s", p.raw)
		}
		if u := e.sdkUser(id); *u.User.DisplayName != "Countess Lovelace" || u.User.LicenseType != "Pro" ||
			u.User.UserType != "SharedDevice" {
			t.Fatalf("GetUser after the replace: %+v", u.User)
		}
		c.do("PUT", "/Users/"+id, user("ada@example.com", nil), "If-Match", v).want(t, 412)
		c.do("PUT", "/Users/"+id, user("ada@example.com", map[string]any{"emails": []map[string]any{
			{"value": "other@example.com", "type": "work", "primary": true}}})).want(t, 400, "mutability")
		c.do("PUT", "/Users/"+id, user("user1@example.com", nil)).want(t, 409, "uniqueness")
		c.do("PUT", "/Users/nobody", user("x@example.com", nil)).want(t, 404)
		c.do("PUT", "/Users/"+id, "[]").want(t, 400, "invalidSyntax")

		// Patch.
		p = c.do("PATCH", "/Users/"+id, patch(op("add", "externalId", "ext-ada-2"),
			op("replace", "displayName", "Ada"), op("replace", ext+":licenseType", "Basic"))).want(t, 200)
		if p.str("externalId") != "ext-ada-2" || p.str("displayName") != "Ada" || p.ext("licenseType") != "Basic" {
			t.Fatalf("patch: %s", p.raw)
		}
		p = c.do("PATCH", "/Users/"+id, patch(op("remove", "externalId", nil),
			op("replace", "", map[string]any{ext: map[string]any{"userType": "PrivateUser"}, "displayName": "A. L."}))).
			want(t, 200)
		if p.str("externalId") != "" || p.str("displayName") != "A. L." || p.ext("userType") != "PrivateUser" {
			t.Fatalf("patch without a path: %s", p.raw)
		}
		if u := e.sdkUser(id); *u.User.DisplayName != "A. L." || u.User.LicenseType != "Basic" || u.User.UserType != "PrivateUser" {
			t.Fatalf("GetUser after the patches: %+v", u.User)
		}
		c.do("PATCH", "/Users/"+id, patch(op("replace", `emails[type eq "work"].value`, "ada@example.com"),
			op("replace", "name.givenName", "Ada"))).want(t, 200)
		c.do("PATCH", "/Users/"+id, patch(op("replace", `emails[type eq "home"].value`, "a@example.com"))).
			want(t, 400, "noTarget")
		c.do("PATCH", "/Users/"+id, patch(op("remove", "", nil))).want(t, 400, "noTarget")
		c.do("PATCH", "/Users/"+id, patch(op("replace", `emails[type eq "work"].value`, "new@example.com"))).
			want(t, 400, "mutability")
		c.do("PATCH", "/Users/"+id, patch(op("replace", "active", false))).want(t, 400, "mutability")
		c.do("PATCH", "/Users/"+id, patch(op("replace", "id", "x"))).want(t, 400, "mutability")
		c.do("PATCH", "/Users/"+id, patch(op("remove", "userName", nil))).want(t, 400, "mutability")
		c.do("PATCH", "/Users/"+id, patch(op("move", "displayName", "x"))).want(t, 400, "invalidSyntax")
		c.do("PATCH", "/Users/"+id, patch(op("replace", "emails[type eq", "x"))).want(t, 400, "invalidPath")
		c.do("PATCH", "/Users/"+id, patch(op("replace", "display..name", "x"))).want(t, 400, "invalidPath")
		c.do("PATCH", "/Users/"+id, patch(op("replace", ext+":colour", "x"))).want(t, 400, "invalidPath")
		c.do("PATCH", "/Users/"+id, patch(op("replace", "displayName", 7))).want(t, 400, "invalidValue")
		c.do("PATCH", "/Users/"+id, patch(op("replace", ext+":licenseType", "Gold"))).want(t, 400, "invalidValue")
		c.do("PATCH", "/Users/"+id, map[string]any{"Operations": []any{op("replace", "displayName", "x")}}).
			want(t, 400, "invalidSyntax")
		c.do("PATCH", "/Users/"+id, patch()).want(t, 400, "invalidSyntax")
		c.do("PATCH", "/Users/"+id, patch(op("replace", "displayName", "x")), "If-Match", `W/"stale"`).want(t, 412)
		if u := e.sdkUser(id); *u.User.DisplayName != "A. L." || u.User.LicenseType != "Basic" {
			t.Fatalf("a refused patch changed the user: %+v", u.User)
		}
		c.do("PATCH", "/Users/nobody", patch(op("replace", "displayName", "x"))).want(t, 404)

		// Delete: EnterpriseDirectory accounts have no removal.
		c.do("DELETE", "/Users/"+id, nil).want(t, 400, "mutability")
		c.do("DELETE", "/Users/"+id, nil, "If-Match", `W/"stale"`).want(t, 412)
		c.do("DELETE", "/Users/nobody", nil).want(t, 404)

		// The audit trail names the token: changes and refusals.
		evs, _, err := e.srv.Service.LookupAuditEvents(context.Background(), chimed.Identity{AwsAccountID: e.aws},
			chimed.AuditLookup{AttributeKey: "Username", AttributeValue: e.token.ID})
		if err != nil {
			t.Fatal(err)
		}
		ops := map[string]int{}
		for _, ev := range evs {
			ops[fmt.Sprintf("%s %d", ev.Operation, ev.Status/100)]++
			if strings.Contains(ev.Params, "never-stored") {
				t.Fatalf("the audit record holds the password: %s", ev.Params)
			}
		}
		t.Logf("audit records of the token: %v", ops)
		for _, want := range []string{"scim:CreateUser 0", "scim:CreateUser 4", "scim:ReplaceUser 0",
			"scim:PatchUser 0", "scim:PatchUser 4", "scim:DeleteUser 4"} {
			if ops[want] == 0 && ops[strings.Replace(want, " 0", " 2", 1)] == 0 {
				t.Errorf("no audit record %q among %v", want, ops)
			}
		}

		byUser, _, err := e.srv.Service.LookupAuditEvents(context.Background(), chimed.Identity{AwsAccountID: e.aws},
			chimed.AuditLookup{AttributeKey: "ResourceName", AttributeValue: id})
		if err != nil || len(byUser) == 0 || byUser[len(byUser)-1].Operation != "scim:CreateUser" {
			t.Fatalf("the user's first audit record is not its SCIM create: %v %v", byUser, err)
		}

		// What ListUsers shows at once.
		out, err := e.sdk.ListUsers(context.Background(), &chime.ListUsersInput{AccountId: &e.account})
		if err != nil || len(out.Users) != 6 {
			t.Fatalf("ListUsers: %v %v", len(out.Users), err)
		}
	})
}
