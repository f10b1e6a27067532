package http_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

const MiB = 1 << 20

func TestUserEmailListBound(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	a := MustCreateAccount(t, c, "team")
	_, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: a.AccountId, UserEmailList: emails(51, "x.example.com")})
	wantBadRequest(t, err)
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId}); len(got) != 0 {
		t.Fatalf("a refused 51-address invite stored %d users", len(got))
	}
	if inv := MustInvite(t, c, *a.AccountId, emails(50, "x.example.com")...); len(inv) != 50 {
		t.Errorf("50 addresses: %d invites", len(inv))
	}
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId}); len(got) != 50 {
		t.Errorf("%d users after inviting 50", len(got))
	}
}

func TestUserIdListBound(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	team := MustCreateAccount(t, c, "team")
	MustInvite(t, c, *team.AccountId, emails(50, "team.example.com")...)
	ids := userIDs(MustListUsers(t, c, chime.ListUsersInput{AccountId: team.AccountId}))
	if len(ids) != 50 {
		t.Fatalf("%d users", len(ids))
	}
	over := append(append([]string{}, ids...), "4f61d710-c454-4761-b936-b5a799010005")

	// LWA: 51 ids refused for both operations; then 50 accepted.
	lwa := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseLWA)
	_, err := c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: lwa.AccountId, UserIdList: over})
	wantBadRequest(t, err)
	_, err = c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: lwa.AccountId, UserIdList: over})
	wantBadRequest(t, err)
	out, err := c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: lwa.AccountId, UserIdList: over[1:]})
	if err != nil {
		t.Errorf("50 ids to unsuspend: %v", err)
	} else if len(out.UserErrors) != 50 { // none of them is in this account
		t.Errorf("50 ids to unsuspend: %v errors", len(out.UserErrors))
	}

	_, err = c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: team.AccountId, UserIdList: over})
	wantBadRequest(t, err)
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: team.AccountId}); len(got) != 50 {
		t.Fatalf("a refused 51-id suspend removed users: %d left", len(got))
	}
	s2, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: team.AccountId, UserIdList: ids})
	if err != nil || len(s2.UserErrors) != 0 {
		t.Fatalf("50-id suspend: %+v, %v", s2, err)
	}
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: team.AccountId}); len(got) != 0 {
		t.Errorf("%d users left after suspending all 50", len(got))
	}
	// Blank ids are refused as a whole.
	_, err = c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: team.AccountId, UserIdList: []string{"  "}})
	wantBadRequest(t, err)
	// UserIdList is required (the SDK checks it itself, so send it raw).
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", "/accounts/"+*team.AccountId+"/users?operation=suspend",
		map[string]any{}), 400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", "/accounts/"+*lwa.AccountId+"/users?operation=unsuspend",
		map[string]any{"UserIdList": "not-a-list"}), 400, "BadRequestException", "BadRequest")
}

func TestUpdateUserRequestItemsBound(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	a := MustCreateAccount(t, c, "team")
	MustInvite(t, c, *a.AccountId, emails(21, "x.example.com")...)
	users := MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId})
	items := make([]types.UpdateUserRequestItem, len(users))
	for i, u := range users {
		items[i] = types.UpdateUserRequestItem{UserId: u.UserId, LicenseType: types.LicenseBasic}
	}
	_, err := c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: a.AccountId, UpdateUserRequestItems: items})
	wantBadRequest(t, err)
	for _, u := range MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId}) {
		if u.LicenseType != types.LicensePro {
			t.Fatalf("a refused 21-item batch changed %s", *u.UserId)
		}
	}
	out, err := c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: a.AccountId, UpdateUserRequestItems: items[:20]})
	if err != nil || len(out.UserErrors) != 0 {
		t.Fatalf("20 items: %+v, %v", out, err)
	}
	basic := 0
	for _, u := range MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId}) {
		if u.LicenseType == types.LicenseBasic {
			basic++
		}
	}
	if basic != 20 {
		t.Errorf("%d users updated, want 20", basic)
	}
}

func TestMaxResultsBounds(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "one")
	MustCreateAccount(t, c, "two")
	MustInvite(t, c, *a.AccountId, "a@example.com", "b@example.com")

	for _, n := range []int32{1, 200} {
		la, err := c.ListAccounts(ctx, &chime.ListAccountsInput{MaxResults: aws.Int32(n)})
		if err != nil {
			t.Fatalf("ListAccounts max %d: %v", n, err)
		}
		lu, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: a.AccountId, MaxResults: aws.Int32(n)})
		if err != nil {
			t.Fatalf("ListUsers max %d: %v", n, err)
		}
		wantLen, wantNext := 2, false
		if n == 1 {
			wantLen, wantNext = 1, true
		}
		if len(la.Accounts) != wantLen || (la.NextToken != nil) != wantNext ||
			len(lu.Users) != wantLen || (lu.NextToken != nil) != wantNext {
			t.Errorf("max %d: %d accounts (next %v), %d users (next %v)", n, len(la.Accounts), la.NextToken,
				len(lu.Users), lu.NextToken)
		}
	}
	for _, n := range []int32{0, 201, -1} {
		_, err := c.ListAccounts(ctx, &chime.ListAccountsInput{MaxResults: aws.Int32(n)})
		wantBadRequest(t, err)
		_, err = c.ListUsers(ctx, &chime.ListUsersInput{AccountId: a.AccountId, MaxResults: aws.Int32(n)})
		wantBadRequest(t, err)
	}
	for _, q := range []string{"abc", "1.5", "", "99999999999999999999"} {
		wantRawErr(t, s.raw(t, tenantA, "GET", "/accounts?max-results="+q, nil), 400, "BadRequestException", "BadRequest")
		wantRawErr(t, s.raw(t, tenantA, "GET", "/accounts/"+*a.AccountId+"/users?max-results="+q, nil), 400,
			"BadRequestException", "BadRequest")
	}
}

func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "existing")
	users := "/accounts/" + *a.AccountId + "/users"
	for _, tc := range []struct{ method, path, body string }{
		{"POST", "/accounts", `{"Name":`},
		{"POST", "/accounts", `{"Name":"x"} {"Name":"y"}`},
		{"POST", "/accounts", `["Name"]`},
		{"POST", "/accounts", `"Name"`},
		{"POST", "/accounts", `{"Name":"x",}`},
		{"POST", "/accounts", "\xff\xfe"},
		{"POST", "/accounts/" + *a.AccountId, `{"Name": 5}`},
		{"PUT", "/accounts/" + *a.AccountId + "/settings", `{"AccountSettings":`},
		{"POST", users + "?operation=add", `{"UserEmailList":["a@example.com"]`},
		{"POST", users + "?operation=add", `{"UserEmailList":[1]}`},
		{"POST", users + "?operation=suspend", `{"UserIdList":[}`},
		{"POST", users, `{"UpdateUserRequestItems":{}}`},
	} {
		r := s.raw(t, tenantA, tc.method, tc.path, []byte(tc.body))
		if r.Status != 400 || r.errorType() != "BadRequestException" || r.code() != "BadRequest" {
			t.Errorf("%s %s %q: %d %s %s", tc.method, tc.path, tc.body, r.Status, r.errorType(), r.Body)
		}
	}
	// Unknown members are ignored.
	r := s.raw(t, tenantA, "POST", "/accounts", []byte(`{"Name":"extra","Unknown":{"x":[1,2]}}`))
	if r.Status != 201 {
		t.Errorf("unknown member: %d %s", r.Status, r.Body)
	}
	if got := MustListAccounts(t, c, chime.ListAccountsInput{}); len(got) != 2 || *got[0].Name != "existing" {
		t.Errorf("malformed bodies stored something: %v", accountIDs(got))
	}
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId}); len(got) != 0 {
		t.Errorf("malformed bodies stored users: %d", len(got))
	}
}

func TestBodySizeLimit(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	// A valid JSON body of exactly 1 MiB is accepted.
	body := func(size int, name string) []byte {
		prefix := fmt.Sprintf(`{"Name":%q,"Pad":"`, name)
		b := []byte(prefix + strings.Repeat("a", size-len(prefix)-2) + `"}`)
		if len(b) != size || !json.Valid(b) {
			t.Fatalf("bad test body")
		}
		return b
	}
	if r := s.raw(t, tenantA, "POST", "/accounts", body(MiB, "at limit")); r.Status != 201 {
		t.Fatalf("1 MiB body: %d %s", r.Status, r.Body)
	}
	wantRawErr(t, s.raw(t, tenantA, "POST", "/accounts", body(MiB+1, "over")), 400, "BadRequestException", "BadRequest")
	// The same without a Content-Length (chunked).
	req := s.newSignedRequest(t, tenantA, "POST", "/accounts", body(MiB+1, "chunked"), true)
	wantRawErr(t, send(t, req), 400, "BadRequestException", "BadRequest")
	req = s.newSignedRequest(t, tenantA, "POST", "/accounts", body(2*MiB, "chunked"), true)
	wantRawErr(t, send(t, req), 400, "BadRequestException", "BadRequest")

	got := MustListAccounts(t, c, chime.ListAccountsInput{})
	if len(got) != 1 || *got[0].Name != "at limit" {
		t.Errorf("accounts after oversized bodies = %v", accountIDs(got))
	}
}

func TestUnknownOperations(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "x")
	id := *a.AccountId
	for _, tc := range []struct{ method, path string }{
		{"GET", "/nope"},
		{"GET", "/"},
		{"PATCH", "/accounts"},
		{"DELETE", "/accounts"},
		{"PUT", "/accounts/" + id},
		{"DELETE", "/accounts/" + id + "/users/u"},
		{"POST", "/accounts/" + id + "/users?operation=bogus"},
		{"POST", "/accounts/" + id + "/users?operation="},
		{"POST", "/accounts/" + id + "?operation=bogus"},
		{"POST", "/accounts/" + id + "/users/u?operation=bogus"},
		{"GET", "/accounts?operation=create"},
		{"POST", "/accounts?operation=add"},
		{"GET", "/accounts/" + id + "/users/u/extra/segments"},
		{"GET", "/_chimed/nope"},
	} {
		r := s.raw(t, tenantA, tc.method, tc.path, nil)
		var body struct {
			Message *string `json:"message"`
		}
		json.Unmarshal(r.Body, &body)
		if r.Status != 404 || r.errorType() != "UnknownOperationException" || body.Message == nil ||
			r.Header.Get("x-amzn-RequestId") == "" {
			t.Errorf("%s %s: %d %q %s", tc.method, tc.path, r.Status, r.errorType(), r.Body)
		}
	}
	// The operation value must match exactly; the right value on the right route still works.
	if r := s.raw(t, tenantA, "POST", "/accounts/"+id+"/users?operation=ADD", []byte(`{"UserEmailList":["a@example.com"]}`)); r.Status != 404 {
		t.Errorf("operation=ADD: %d", r.Status)
	}
	if r := s.raw(t, tenantA, "POST", "/accounts/"+id+"/users?operation=add&extra=1", []byte(`{"UserEmailList":["a@example.com"]}`)); r.Status != 201 {
		t.Errorf("operation=add with an extra parameter: %d %s", r.Status, r.Body)
	}
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: &id}); len(got) != 1 {
		t.Errorf("%d users, want only the one from the valid invite", len(got))
	}
}

func TestEmptyPathLabels(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "x")
	id := *a.AccountId
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/accounts//users/x", ""},
		{"GET", "/accounts/" + id + "/users/", ""},
		{"GET", "/accounts//users", ""},
		{"GET", "/accounts/", ""},
		{"DELETE", "/accounts/", ""},
		{"GET", "/accounts/%20", ""},
		{"GET", "/accounts/%20%09/settings", ""},
		{"POST", "/accounts/", `{"Name":"y"}`},
		{"POST", "/accounts//users?operation=add", `{"UserEmailList":["a@example.com"]}`},
		{"POST", "/accounts/" + id + "/users/?operation=logout", ""},
		{"POST", "/accounts/" + id + "/users/%20?operation=reset-personal-pin", ""},
	} {
		var body []byte
		if tc.body != "" {
			body = []byte(tc.body)
		}
		r := s.raw(t, tenantA, tc.method, tc.path, body)
		if r.Status != 400 || r.errorType() != "BadRequestException" || r.code() != "BadRequest" {
			t.Errorf("%s %s: %d %q %s", tc.method, tc.path, r.Status, r.errorType(), r.Body)
		}
	}
	if got := MustGetAccount(t, c, id); *got.Name != "x" {
		t.Errorf("account changed: %+v", got)
	}
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: &id}); len(got) != 0 {
		t.Errorf("users stored: %d", len(got))
	}
}

// TestWireDetails checks response details the SDKs rely on: 204 carries no body, JSON answers have a
// Content-Type, request ids and a Date, and query values are percent-decoded ("+" is sent as %2B).
func TestWireDetails(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "wire")
	gone := MustCreateAccount(t, c, "gone")
	uid := MustTeamUser(t, c, *a.AccountId, "first+tag@example.com")

	for _, r := range []rawResponse{
		s.rawJSON(t, tenantA, "PUT", "/accounts/"+*a.AccountId+"/settings", map[string]any{"AccountSettings": map[string]any{}}),
		s.raw(t, tenantA, "POST", "/accounts/"+*a.AccountId+"/users/"+uid+"?operation=logout", nil),
		s.raw(t, tenantA, "DELETE", "/accounts/"+*gone.AccountId, nil),
	} {
		if r.Status != 204 || len(r.Body) != 0 || r.Header.Get("x-amzn-RequestId") == "" || r.Header.Get("Date") == "" {
			t.Errorf("204 response: %d %q %v", r.Status, r.Body, r.Header)
		}
	}
	r := s.raw(t, tenantA, "GET", "/accounts/"+*a.AccountId+"/users/"+uid, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" || len(r.Header.Values("Date")) != 1 ||
		!uuidPattern.MatchString(r.Header.Get("x-amzn-RequestId")) {
		t.Errorf("GetUser raw: %d %v", r.Status, r.Header)
	}
	if d, err := http.ParseTime(r.Header.Get("Date")); err != nil || time.Since(d) > 5*time.Second || time.Until(d) > time.Second {
		t.Errorf("GetUser raw: Date %q is not the time of the answer (%v)", r.Header.Get("Date"), err)
	}
	var out struct{ User map[string]any }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	if ts, _ := out.User["InvitedOn"].(string); !wireTimestamp.MatchString(ts) {
		t.Errorf("InvitedOn on the wire = %v", out.User["InvitedOn"])
	}
	for _, absent := range []string{"RegisteredOn", "PersonalPIN", "DisplayName"} {
		if v, ok := out.User[absent]; ok {
			t.Errorf("pending user carries %s = %v (absent members must be omitted)", absent, v)
		}
	}
	// The SDK sends "+" as %2B; the filter must see a plus sign.
	got := MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId, UserEmail: aws.String("first+tag@example.com")})
	if len(got) != 1 || *got[0].UserId != uid {
		t.Errorf("filter with a plus sign: %v", userIDs(got))
	}
	if got := MustListAccounts(t, c, chime.ListAccountsInput{UserEmail: aws.String("FIRST+tag@example.com")}); len(got) != 1 {
		t.Errorf("account filter with a plus sign: %v", accountIDs(got))
	}
	// A percent-encoded label is decoded before use; an encoded slash stays inside the label.
	if r := s.raw(t, tenantA, "GET", "/accounts/"+strings.Replace(*a.AccountId, "-", "%2D", 1), nil); r.Status != 200 {
		t.Errorf("percent-encoded account id: %d %s", r.Status, r.Body)
	}
	wantRawErr(t, s.raw(t, tenantA, "GET", "/accounts/"+*a.AccountId+"%2Fusers", nil), 404, "NotFoundException", "NotFound")
}
