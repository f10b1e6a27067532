package http_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

const unknownID = "4f61d710-c454-4761-b936-b5a799010005"

func TestHealthAndReady(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for path, want := range map[string]string{"/_chimed/health": "ok", "/_chimed/ready": "ready"} {
		// Unauthenticated.
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var body struct{ Status string }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil || body.Status != want {
			t.Errorf("%s: %d %+v %v", path, resp.StatusCode, body, err)
		}
		if resp.Header.Get("x-amzn-RequestId") == "" {
			t.Errorf("%s: no request id", path)
		}
	}
	if body := s.raw(t, tenantA, "GET", "/_chimed/health", nil); body.Status != 200 {
		t.Errorf("signed health: %d", body.Status)
	}
}

func TestControlEndpointsNeedSignature(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "x")
	for _, tc := range []struct{ method, path, body string }{
		{"PUT", "/_chimed/accounts/" + *a.AccountId + "/type", `{"AccountType":"EnterpriseLWA"}`},
		{"POST", "/_chimed/accounts/" + *a.AccountId + "/users/u/register", `{}`},
		{"POST", "/_chimed/reset", ``},
		{"GET", "/accounts", ``},
	} {
		req, _ := http.NewRequest(tc.method, s.URL+tc.path, nil)
		if tc.body != "" {
			req, _ = http.NewRequest(tc.method, s.URL+tc.path, strings.NewReader(tc.body))
		}
		r := send(t, req)
		if r.Status != 403 || r.errorType() != "MissingAuthenticationTokenException" {
			t.Errorf("%s %s unsigned: %d %q", tc.method, tc.path, r.Status, r.errorType())
		}
	}
	if got := MustGetAccount(t, c, *a.AccountId); got.AccountType != types.AccountTypeTeam {
		t.Errorf("unsigned conversion applied: %s", got.AccountType)
	}
}

func TestSetAccountType(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "convert me")
	uid := MustTeamUser(t, c, *a.AccountId, "keep@example.com")
	MustRegister(t, s, tenantA, *a.AccountId, uid)

	r := s.setAccountType(t, tenantA, *a.AccountId, "EnterpriseLWA")
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("conversion: %d %s", r.Status, r.Body)
	}
	var out struct{ Account wireAccount }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	if out.Account.AccountId != *a.AccountId || out.Account.AccountType != "EnterpriseLWA" ||
		out.Account.Name != "convert me" || out.Account.AwsAccountId != tenantA ||
		!wireTimestamp.MatchString(out.Account.CreatedTimestamp) {
		t.Errorf("converted account = %+v", out.Account)
	}
	if got := MustGetAccount(t, c, *a.AccountId); got.AccountType != types.AccountTypeEnterpriseLWA {
		t.Errorf("GetAccount type = %s", got.AccountType)
	}
	if u := MustGetUser(t, c, *a.AccountId, uid); u.UserRegistrationStatus != types.RegistrationStatusRegistered ||
		u.UserInvitationStatus != types.InviteStatusAccepted {
		t.Errorf("user after conversion = %+v", u)
	}
	for _, typ := range []string{"EnterpriseDirectory", "EnterpriseOIDC", "Team"} {
		if acc := MustSetAccountType(t, s, tenantA, *a.AccountId, typ); acc.AccountType != typ {
			t.Errorf("conversion to %s gave %s", typ, acc.AccountType)
		}
	}

	path := "/_chimed/accounts/" + *a.AccountId + "/type"
	for _, body := range []string{`{"AccountType":"Gold"}`, `{"AccountType":"team"}`, `{}`, `{"AccountType":`,
		`{"AccountType":1}`} {
		wantRawErr(t, s.raw(t, tenantA, "PUT", path, []byte(body)), 400, "BadRequestException", "BadRequest")
	}
	wantRawErr(t, s.raw(t, tenantA, "PUT", path, nil), 400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.setAccountType(t, tenantA, unknownID, "EnterpriseLWA"), 404, "NotFoundException", "NotFound")
	wantRawErr(t, s.setAccountType(t, tenantB, *a.AccountId, "EnterpriseLWA"), 404, "NotFoundException", "NotFound")
	wantRawErr(t, s.setAccountType(t, tenantA, "%20", "EnterpriseLWA"), 400, "BadRequestException", "BadRequest")
	if got := MustGetAccount(t, c, *a.AccountId); got.AccountType != types.AccountTypeTeam {
		t.Errorf("rejected conversions changed the type to %s", got.AccountType)
	}
	// A deleted account cannot be converted.
	gone := MustCreateAccount(t, c, "gone")
	if _, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: gone.AccountId}); err != nil {
		t.Fatal(err)
	}
	wantRawErr(t, s.setAccountType(t, tenantA, *gone.AccountId, "EnterpriseLWA"), 404, "NotFoundException", "NotFound")
}

func TestRegisterUser(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "team")
	acct := *a.AccountId
	uid := MustTeamUser(t, c, acct, "join@example.com")

	r := s.register(t, tenantA, acct, uid, "Joiner")
	if r.Status != 200 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	var out struct{ User wireUser }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	u := out.User
	if u.UserId != uid || u.AccountId != acct || u.UserRegistrationStatus != "Registered" ||
		u.UserInvitationStatus != "Accepted" || u.DisplayName != "Joiner" || !pinPattern.MatchString(u.PersonalPIN) ||
		!wireTimestamp.MatchString(u.RegisteredOn) || !wireTimestamp.MatchString(u.InvitedOn) {
		t.Errorf("registered user = %+v", u)
	}
	g := MustGetUser(t, c, acct, uid)
	if aws.ToString(g.PersonalPIN) != u.PersonalPIN || aws.ToString(g.DisplayName) != "Joiner" ||
		g.UserRegistrationStatus != types.RegistrationStatusRegistered {
		t.Errorf("GetUser after register = %+v", g)
	}
	checkTime(t, "RegisteredOn", g.RegisteredOn)

	// Registering again keeps the PIN and the registration time; no body is fine.
	r2 := s.raw(t, tenantA, "POST", "/_chimed/accounts/"+acct+"/users/"+uid+"/register", nil)
	var out2 struct{ User wireUser }
	json.Unmarshal(r2.Body, &out2)
	if r2.Status != 200 || out2.User.PersonalPIN != u.PersonalPIN || out2.User.RegisteredOn != u.RegisteredOn ||
		out2.User.DisplayName != "Joiner" {
		t.Errorf("second register: %d %s", r2.Status, r2.Body)
	}

	path := "/_chimed/accounts/" + acct + "/users/" + uid + "/register"
	for _, body := range []string{`{"DisplayName":`, `{"DisplayName":5}`, "[]"} {
		wantRawErr(t, s.raw(t, tenantA, "POST", path, []byte(body)), 400, "BadRequestException", "BadRequest")
	}
	wantRawErr(t, s.register(t, tenantA, acct, unknownID, "x"), 404, "NotFoundException", "NotFound")
	wantRawErr(t, s.register(t, tenantA, unknownID, uid, "x"), 404, "NotFoundException", "NotFound")
	wantRawErr(t, s.register(t, tenantB, acct, uid, "x"), 404, "NotFoundException", "NotFound")
	wantRawErr(t, s.register(t, tenantA, acct, "%20", "x"), 400, "BadRequestException", "BadRequest")
	if g := MustGetUser(t, c, acct, uid); aws.ToString(g.DisplayName) != "Joiner" {
		t.Errorf("rejected registrations changed the user: %+v", g)
	}

	// A suspended user cannot register.
	MustSetAccountType(t, s, tenantA, acct, "EnterpriseLWA")
	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &acct, UserIdList: []string{uid}}); err != nil {
		t.Fatal(err)
	}
	wantRawErr(t, s.register(t, tenantA, acct, uid, "x"), 400, "BadRequestException", "BadRequest")
	if g := MustGetUser(t, c, acct, uid); g.UserRegistrationStatus != types.RegistrationStatusSuspended {
		t.Errorf("suspended user after refused register: %s", g.UserRegistrationStatus)
	}
}

func TestReset(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	b := s.client(tenantB)
	a := MustCreateAccount(t, c, "a")
	MustInvite(t, c, *a.AccountId, "shared@example.com")
	dir := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseDirectory)
	MustCreateUser(t, c, *dir.AccountId, "dir@example.com")
	bacct := MustCreateAccount(t, b, "b")
	MustInvite(t, b, *bacct.AccountId, "shared@example.com")

	r := s.raw(t, tenantA, "POST", "/_chimed/reset", nil)
	if r.Status != 200 && r.Status != 204 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if got := MustListAccounts(t, c, chime.ListAccountsInput{}); len(got) != 0 {
		t.Errorf("tenant A still has %d accounts", len(got))
	}
	_, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: a.AccountId})
	wantNotFound(t, err)
	// The other tenant is untouched.
	if got := MustListUsers(t, b, chime.ListUsersInput{AccountId: bacct.AccountId}); len(got) != 1 {
		t.Errorf("tenant B lost users: %d", len(got))
	}
	// The addresses are free again.
	dir2 := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseDirectory)
	MustCreateUser(t, c, *dir2.AccountId, "dir@example.com")
	MustCreateUser(t, c, *dir2.AccountId, "shared@example.com")
	// Reset of an empty tenant is fine.
	if r := s.raw(t, "999988887777", "POST", "/_chimed/reset", nil); r.Status != 200 && r.Status != 204 {
		t.Errorf("reset of an empty tenant: %d", r.Status)
	}
}

func TestReadyFailsWithoutStore(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	if err := s.store.Close(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.URL + "/_chimed/ready")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 || resp.Header.Get("x-amzn-ErrorType") != "ServiceUnavailableException" {
		t.Errorf("ready with a closed store: %d %q", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
	resp, err = http.Get(s.URL + "/_chimed/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("health with a closed store: %d", resp.StatusCode)
	}
}
