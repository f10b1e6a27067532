package scim_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// TestTokenIsolation: a token works for its own Chime account only. Another account's URL (of the same or of
// another AWS account) answers exactly what an unknown account or a wrong token answers, and a user of another
// account is not found through one's own. A revoked token stops at once; failures are throttled.
func TestTokenIsolation(t *testing.T) {
	t.Parallel()
	a := newEnv(t, testenv.SQLiteDSN(t), "111122223333", "EnterpriseOIDC")
	b := addAccount(t, a.srv, "111122223333", "EnterpriseOIDC")
	other := addAccount(t, a.srv, "444455556666", "EnterpriseOIDC")

	ub := b.scim.do("POST", "/Users", user("bea@example.com", nil)).want(t, 201).str("id")
	uo := other.scim.do("POST", "/Users", user("oli@example.com", nil)).want(t, 201).str("id")

	// a's token on b's and other's services, and on an account that does not exist: one answer.
	cross := func(account string) resp {
		c := *a.scim
		c.base = a.srv.URL + "/scim/v2/accounts/" + account
		return c.do("GET", "/Users", nil).want(t, 401)
	}
	ref := cross("00000000-0000-0000-0000-000000000000")
	for _, acct := range []string{b.account, other.account} {
		if r := cross(acct); !bytes.Equal(r.raw, ref.raw) {
			t.Fatalf("another account's URL answers differently from an unknown one:\n%s\n%s", r.raw, ref.raw)
		}
	}
	wrong := *a.scim
	wrong.token = b.scim.token[:len(b.scim.token)-1] + "A"
	if r := wrong.do("GET", "/Users", nil).want(t, 401); !bytes.Equal(r.raw, ref.raw) {
		t.Fatalf("a wrong token answers differently: %s", r.raw)
	}
	// Users of other accounts are not a's.
	for _, id := range []string{ub, uo} {
		a.scim.do("GET", "/Users/"+id, nil).want(t, 404)
		a.scim.do("PATCH", "/Users/"+id, patch(op("replace", "displayName", "x"))).want(t, 404)
		a.scim.do("DELETE", "/Users/"+id, nil).want(t, 404)
	}
	if l := a.scim.do("GET", "/Users", nil).want(t, 200); l.total() != 0 {
		t.Fatalf("a lists another account's users: %s", l.raw)
	}
	// The address of a user of another account of the same AWS account is taken (Chime's rule).
	a.scim.do("POST", "/Users", user("bea@example.com", nil)).want(t, 409, "uniqueness")
	// ... but not across AWS accounts.
	a.scim.do("POST", "/Users", user("oli@example.com", nil)).want(t, 201)

	// Tokens are listed by id and prefix; only a hash is stored.
	list, err := chimed.ListSCIMTokens(context.Background(), a.srv.Store, "111122223333", "")
	if err != nil || len(list) != 2 {
		t.Fatalf("ListSCIMTokens: %v %v", list, err)
	}
	for _, tok := range list {
		if !strings.HasPrefix(a.scim.token, "chs_") || len(tok.Hash) != 32 || !strings.HasPrefix(tok.Prefix, "chs_"+tok.ID) ||
			bytes.Contains(tok.Hash, []byte(a.scim.token)) {
			t.Fatalf("stored token %+v", tok)
		}
	}

	// Revocation.
	if err := chimed.RevokeSCIMToken(context.Background(), a.srv.Store, b.token.ID); err != nil {
		t.Fatal(err)
	}
	if r := b.scim.do("GET", "/Users", nil).want(t, 401); !bytes.Equal(r.raw, ref.raw) {
		t.Fatalf("a revoked token answers differently: %s", r.raw)
	}
	if err := chimed.RevokeSCIMToken(context.Background(), a.srv.Store, b.token.ID); chimed.ErrorCode(err) != chimed.ENOTFOUND {
		t.Fatalf("revoking twice: %v", err)
	}
	a.scim.do("GET", "/Users", nil).want(t, 200) // the other tokens still work

	// Failed authentications are throttled: a burst of wrong tokens ends in 429, and then even a good token
	// from that client waits.
	throttled := false
	for i := 0; i < 30 && !throttled; i++ {
		throttled = wrong.do("GET", "/Users", nil).status == 429
	}
	if !throttled {
		t.Fatal("30 wrong tokens in a row were never throttled")
	}
	a.scim.do("GET", "/Users", nil).want(t, 429)
}

// TestAPIChangesShowOverSCIM: what the Chime API does to a user shows at once over SCIM (the resource reflects
// Chime, its version changes): a license change, and a Team user removed with BatchSuspendUser, which SCIM then
// shows inactive.
func TestAPIChangesShowOverSCIM(t *testing.T) {
	t.Parallel()
	e := newEnv(t, testenv.SQLiteDSN(t), "111122223333", "Team")
	r := e.scim.do("POST", "/Users", user("kat@example.com", map[string]any{"externalId": "k1"})).want(t, 201)
	id := r.str("id")
	if _, err := e.sdk.UpdateUser(t.Context(), &chime.UpdateUserInput{AccountId: &e.account, UserId: &id,
		LicenseType: "Basic"}); err != nil {
		t.Fatal(err)
	}
	g := e.scim.do("GET", "/Users/"+id, nil).want(t, 200)
	if g.ext("licenseType") != "Basic" || g.str("meta.version") == r.str("meta.version") {
		t.Fatalf("after UpdateUser: %s", g.raw)
	}
	e.scim.do("PATCH", "/Users/"+id, patch(op("replace", "displayName", "x")), "If-Match", r.str("meta.version")).
		want(t, 412)
	if _, err := e.sdk.BatchSuspendUser(t.Context(), &chime.BatchSuspendUserInput{AccountId: &e.account,
		UserIdList: []string{id}}); err != nil {
		t.Fatal(err)
	}
	g = e.scim.do("GET", "/Users/"+id, nil).want(t, 200)
	if g.body["active"] != false || g.str("externalId") != "k1" {
		t.Fatalf("a Team user removed through the API: %s", g.raw)
	}
	if l := e.scim.do("GET", filterQ(`active eq false`), nil).want(t, 200); l.total() != 1 {
		t.Fatalf("inactive users: %s", l.raw)
	}
}
