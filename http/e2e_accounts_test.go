package http_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// checkNewAccount asserts the shape of a freshly created Team account.
func checkNewAccount(t *testing.T, a *types.Account, aws, name string) {
	t.Helper()
	if a == nil {
		t.Fatal("no Account in output")
	}
	if !uuidPattern.MatchString(*a.AccountId) {
		t.Errorf("AccountId = %q, want a lowercase UUID", *a.AccountId)
	}
	if *a.AwsAccountId != aws || *a.Name != name || a.AccountType != types.AccountTypeTeam ||
		a.DefaultLicense != types.LicensePro || a.AccountStatus != types.AccountStatusActive ||
		!slices.Equal(a.SupportedLicenses, []types.License{types.LicenseBasic, types.LicensePro}) {
		t.Errorf("account = %+v", a)
	}
	checkTime(t, "CreatedTimestamp", a.CreatedTimestamp)
}

func TestCreateAndGetAccount(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	out, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("Example Corp")})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 201)
	checkNewAccount(t, out.Account, tenantA, "Example Corp")

	got, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: out.Account.AccountId})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, got.ResultMetadata, 200)
	checkNewAccount(t, got.Account, tenantA, "Example Corp")
	if !got.Account.CreatedTimestamp.Equal(*out.Account.CreatedTimestamp) {
		t.Errorf("CreatedTimestamp changed: %v vs %v", got.Account.CreatedTimestamp, out.Account.CreatedTimestamp)
	}

	// The wire form of the timestamp is an ISO-8601 string with milliseconds and Z.
	r := s.raw(t, tenantA, "GET", "/accounts/"+*out.Account.AccountId, nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("raw GetAccount: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	if m := regexp.MustCompile(`"CreatedTimestamp":"([^"]*)"`).FindSubmatch(r.Body); m == nil ||
		!wireTimestamp.Match(m[1]) {
		t.Errorf("CreatedTimestamp on the wire is not ms-precision ISO-8601: %s", r.Body)
	}

	// Duplicate names are allowed.
	if _, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("Example Corp")}); err != nil {
		t.Errorf("duplicate name: %v", err)
	}
	// A key that is not a 12-digit id belongs to the default AWS account.
	other := s.client("AKIAEXAMPLEKEY")
	o, err := other.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("Default")})
	if err != nil {
		t.Fatal(err)
	}
	if *o.Account.AwsAccountId != "000000000000" {
		t.Errorf("AwsAccountId = %q, want 000000000000", *o.Account.AwsAccountId)
	}
}

func TestCreateAccountNameValidation(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	ok100 := strings.Repeat("é", 100) // 200 bytes, 100 code points
	a := MustCreateAccount(t, c, ok100)
	if *a.Name != ok100 {
		t.Errorf("Name = %q, want it unchanged", *a.Name)
	}
	if got := MustGetAccount(t, c, *a.AccountId); *got.Name != ok100 {
		t.Errorf("stored Name = %q", *got.Name)
	}
	MustCreateAccount(t, c, strings.Repeat("x", 100))
	MustCreateAccount(t, c, " padded name ")

	for _, name := range []string{strings.Repeat("é", 101), strings.Repeat("x", 101), "", " ", " \t\n "} {
		_, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(name)})
		wantBadRequest(t, err)
	}
	// Name is required; the Go SDK checks that itself, so send the request raw.
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", "/accounts", map[string]any{}), 400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.raw(t, tenantA, "POST", "/accounts", nil), 400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", "/accounts", map[string]any{"Name": 42}), 400,
		"BadRequestException", "BadRequest")

	// Nothing was stored by the rejected requests.
	if n := len(MustListAccounts(t, c, chime.ListAccountsInput{})); n != 3 {
		t.Errorf("ListAccounts = %d accounts, want 3", n)
	}
}

func TestGetAccountErrors(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "mine")
	_, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String("4f61d710-c454-4761-b936-b5a799010005")})
	wantNotFound(t, err)
	_, err = c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String("not-a-uuid")})
	wantNotFound(t, err)
	_, err = s.client(tenantB).GetAccount(ctx, &chime.GetAccountInput{AccountId: a.AccountId})
	wantNotFound(t, err)
	_, err = c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(" ")})
	wantBadRequest(t, err)
}

func TestUpdateAccount(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "before")

	out, err := c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: a.AccountId, Name: aws.String("after")})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 200)
	if *out.Account.Name != "after" || out.Account.DefaultLicense != types.LicensePro ||
		*out.Account.AccountId != *a.AccountId || !out.Account.CreatedTimestamp.Equal(*a.CreatedTimestamp) {
		t.Errorf("renamed account = %+v", out.Account)
	}
	checkTime(t, "CreatedTimestamp", out.Account.CreatedTimestamp)

	out, err = c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: a.AccountId, DefaultLicense: types.LicenseBasic})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Account.Name != "after" || out.Account.DefaultLicense != types.LicenseBasic {
		t.Errorf("account after license change = %+v", out.Account)
	}
	// New users get the default license.
	inv := MustInvite(t, c, *a.AccountId, "basic@example.com")
	users := MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId})
	if len(users) != 1 || users[0].LicenseType != types.LicenseBasic || *inv[0].EmailAddress != "basic@example.com" {
		t.Errorf("invited user = %+v", users)
	}

	// Neither member: unchanged, 200.
	out, err = c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: a.AccountId})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Account.Name != "after" || out.Account.DefaultLicense != types.LicenseBasic {
		t.Errorf("empty update changed the account: %+v", out.Account)
	}

	for _, in := range []chime.UpdateAccountInput{
		{Name: aws.String(strings.Repeat("é", 101))},
		{Name: aws.String("  ")},
		{Name: aws.String("")},
		{DefaultLicense: "Gold"},
		{DefaultLicense: types.LicensePlus},     // valid enum, not supported by the account
		{DefaultLicense: types.LicenseProTrial}, // same
		{Name: aws.String("ok"), DefaultLicense: "Gold"},
	} {
		in.AccountId = a.AccountId
		_, err := c.UpdateAccount(ctx, &in)
		wantBadRequest(t, err)
	}
	_, err = c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: aws.String("4f61d710-c454-4761-b936-b5a799010005"),
		Name: aws.String("x")})
	wantNotFound(t, err)
	_, err = s.client(tenantB).UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: a.AccountId, Name: aws.String("x")})
	wantNotFound(t, err)
	wantRawErr(t, s.raw(t, tenantA, "POST", "/accounts/"+*a.AccountId, []byte(`{"Name":`)), 400,
		"BadRequestException", "BadRequest")

	got := MustGetAccount(t, c, *a.AccountId)
	if *got.Name != "after" || got.DefaultLicense != types.LicenseBasic {
		t.Errorf("rejected updates changed the account: %+v", got)
	}
}

func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	keep := MustCreateAccount(t, c, "keep")
	gone := MustCreateAccount(t, c, "gone")

	_, err := s.client(tenantB).DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: gone.AccountId})
	wantNotFound(t, err)

	out, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: gone.AccountId})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 204)

	_, err = c.GetAccount(ctx, &chime.GetAccountInput{AccountId: gone.AccountId})
	wantNotFound(t, err)
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: gone.AccountId})
	wantNotFound(t, err)
	_, err = c.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: gone.AccountId})
	wantNotFound(t, err)
	_, err = c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: gone.AccountId, Name: aws.String("x")})
	wantNotFound(t, err)
	_, err = c.ListUsers(ctx, &chime.ListUsersInput{AccountId: gone.AccountId})
	wantNotFound(t, err)
	_, err = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: gone.AccountId, UserEmailList: []string{"a@b.co"}})
	wantNotFound(t, err)
	if got := accountIDs(MustListAccounts(t, c, chime.ListAccountsInput{})); !slices.Equal(got, []string{*keep.AccountId}) {
		t.Errorf("ListAccounts after delete = %v, want only %s", got, *keep.AccountId)
	}
	if got := MustListAccounts(t, c, chime.ListAccountsInput{Name: aws.String("gone")}); len(got) != 0 {
		t.Errorf("name filter finds the deleted account: %v", accountIDs(got))
	}
}

func TestAccountSettings(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "settings")
	get := func() types.AccountSettings {
		t.Helper()
		out, err := c.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: a.AccountId})
		if err != nil {
			t.Fatal(err)
		}
		checkMeta(t, out.ResultMetadata, 200)
		if out.AccountSettings == nil || out.AccountSettings.DisableRemoteControl == nil ||
			out.AccountSettings.EnableDialOut == nil {
			t.Fatalf("settings not returned explicitly: %+v", out.AccountSettings)
		}
		return *out.AccountSettings
	}
	want := func(drc, edo bool) {
		t.Helper()
		st := get()
		if *st.DisableRemoteControl != drc || *st.EnableDialOut != edo {
			t.Errorf("settings = {DisableRemoteControl:%v EnableDialOut:%v}, want {%v %v}",
				*st.DisableRemoteControl, *st.EnableDialOut, drc, edo)
		}
	}
	want(false, false)

	out, err := c.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: a.AccountId,
		AccountSettings: &types.AccountSettings{EnableDialOut: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 204)
	want(false, true)
	_, err = c.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: a.AccountId,
		AccountSettings: &types.AccountSettings{DisableRemoteControl: aws.Bool(true)}})
	if err != nil {
		t.Fatal(err)
	}
	want(true, true)
	_, err = c.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: a.AccountId,
		AccountSettings: &types.AccountSettings{}})
	if err != nil {
		t.Fatal(err)
	}
	want(true, true)
	_, err = c.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: a.AccountId,
		AccountSettings: &types.AccountSettings{DisableRemoteControl: aws.Bool(false), EnableDialOut: aws.Bool(false)}})
	if err != nil {
		t.Fatal(err)
	}
	want(false, false)

	// AccountSettings is required (the SDK checks that itself, so send it raw); bad types are refused.
	path := "/accounts/" + *a.AccountId + "/settings"
	wantRawErr(t, s.rawJSON(t, tenantA, "PUT", path, map[string]any{}), 400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.raw(t, tenantA, "PUT", path, nil), 400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.rawJSON(t, tenantA, "PUT", path, map[string]any{"AccountSettings": map[string]any{
		"EnableDialOut": "yes"}}), 400, "BadRequestException", "BadRequest")
	want(false, false)

	unknown := aws.String("4f61d710-c454-4761-b936-b5a799010005")
	_, err = c.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: unknown})
	wantNotFound(t, err)
	_, err = c.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: unknown,
		AccountSettings: &types.AccountSettings{EnableDialOut: aws.Bool(true)}})
	wantNotFound(t, err)
	b := s.client(tenantB)
	_, err = b.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: a.AccountId})
	wantNotFound(t, err)
	_, err = b.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: a.AccountId,
		AccountSettings: &types.AccountSettings{EnableDialOut: aws.Bool(true)}})
	wantNotFound(t, err)
	want(false, false)
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	s, a := setup(t)
	b := s.client(tenantB)
	acctA := MustCreateAccount(t, a, "tenant A")
	userA := MustTeamUser(t, a, *acctA.AccountId, "alice@example.com")
	acctB := MustCreateAccount(t, b, "tenant B")

	id := acctA.AccountId
	_, err := b.GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
	wantNotFound(t, err)
	_, err = b.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: id, Name: aws.String("stolen")})
	wantNotFound(t, err)
	_, err = b.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: id})
	wantNotFound(t, err)
	_, err = b.ListUsers(ctx, &chime.ListUsersInput{AccountId: id})
	wantNotFound(t, err)
	_, err = b.GetUser(ctx, &chime.GetUserInput{AccountId: id, UserId: &userA})
	wantNotFound(t, err)
	_, err = b.GetUser(ctx, &chime.GetUserInput{AccountId: acctB.AccountId, UserId: &userA})
	wantNotFound(t, err)
	_, err = b.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: id, UserEmailList: []string{"eve@example.com"}})
	wantNotFound(t, err)
	_, err = b.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: id, UserIdList: []string{userA}})
	wantNotFound(t, err)
	_, err = b.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: id, UserId: &userA})
	wantNotFound(t, err)
	_, err = b.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: id, UserId: &userA})
	wantNotFound(t, err)

	if got := accountIDs(MustListAccounts(t, b, chime.ListAccountsInput{})); !slices.Equal(got, []string{*acctB.AccountId}) {
		t.Errorf("tenant B sees %v", got)
	}
	if got := accountIDs(MustListAccounts(t, a, chime.ListAccountsInput{})); !slices.Equal(got, []string{*acctA.AccountId}) {
		t.Errorf("tenant A sees %v", got)
	}
	if got := MustListAccounts(t, b, chime.ListAccountsInput{UserEmail: aws.String("alice@example.com")}); len(got) != 0 {
		t.Errorf("tenant B finds tenant A's user by email: %v", accountIDs(got))
	}
	if got := MustGetAccount(t, a, *id); *got.Name != "tenant A" {
		t.Errorf("tenant A's account changed: %+v", got)
	}
	if u := MustGetUser(t, a, *id, userA); u.UserRegistrationStatus != types.RegistrationStatusUnregistered {
		t.Errorf("tenant A's user changed: %+v", u)
	}
}

func TestListAccountsFilters(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	alpha := MustCreateAccount(t, c, "Alpha Team")
	alps := MustCreateAccount(t, c, "Alps")
	lower := MustCreateAccount(t, c, "alpha lower")
	beta := MustCreateAccount(t, c, "Beta")
	MustInvite(t, c, *beta.AccountId, "Bob.Builder@Example.com")
	MustInvite(t, c, *alpha.AccountId, "ann@example.com")

	list := func(in chime.ListAccountsInput) []string {
		t.Helper()
		out, err := c.ListAccounts(ctx, &in)
		if err != nil {
			t.Fatalf("ListAccounts(%+v): %v", in, err)
		}
		checkMeta(t, out.ResultMetadata, 200)
		if out.NextToken != nil {
			t.Errorf("NextToken on a single page: %q", *out.NextToken)
		}
		for _, a := range out.Accounts {
			checkTime(t, "CreatedTimestamp", a.CreatedTimestamp)
		}
		return accountIDs(out.Accounts)
	}
	ids := func(as ...types.Account) []string { return accountIDs(as) }
	cases := []struct {
		name string
		in   chime.ListAccountsInput
		want []string
	}{
		{"all", chime.ListAccountsInput{}, ids(alpha, alps, lower, beta)},
		{"prefix", chime.ListAccountsInput{Name: aws.String("Alp")}, ids(alpha, alps)},
		{"prefix is case-sensitive", chime.ListAccountsInput{Name: aws.String("alp")}, ids(lower)},
		{"full name", chime.ListAccountsInput{Name: aws.String("Alpha Team")}, ids(alpha)},
		{"longer than name", chime.ListAccountsInput{Name: aws.String("Alpha Teams")}, nil},
		{"not a substring match", chime.ListAccountsInput{Name: aws.String("Team")}, nil},
		{"email exact", chime.ListAccountsInput{UserEmail: aws.String("Bob.Builder@Example.com")}, ids(beta)},
		{"email case-insensitive", chime.ListAccountsInput{UserEmail: aws.String("bob.builder@example.COM")}, ids(beta)},
		{"email not a prefix", chime.ListAccountsInput{UserEmail: aws.String("bob.builder@example.co")}, nil},
		{"email unknown", chime.ListAccountsInput{UserEmail: aws.String("nobody@example.com")}, nil},
		{"both match", chime.ListAccountsInput{Name: aws.String("Al"), UserEmail: aws.String("ANN@example.com")}, ids(alpha)},
		{"both, name excludes", chime.ListAccountsInput{Name: aws.String("Beta"), UserEmail: aws.String("ann@example.com")}, nil},
	}
	for _, tc := range cases {
		got := list(tc.in)
		if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, in := range []chime.ListAccountsInput{
		{Name: aws.String(" ")},
		{Name: aws.String(strings.Repeat("a", 101))},
		{UserEmail: aws.String("not-an-email")},
		{UserEmail: aws.String("a@b")},
	} {
		_, err := c.ListAccounts(ctx, &in)
		wantBadRequest(t, err)
	}
}
