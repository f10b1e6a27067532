package http_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

func wantForbidden(tb testing.TB, err error) {
	tb.Helper()
	wantErr(tb, err, "ForbiddenException", types.ErrorCodeForbidden, 403)
}

func telephony(in, out, sms bool) *types.UserSettings {
	return &types.UserSettings{Telephony: &types.TelephonySettings{InboundCalling: aws.Bool(in),
		OutboundCalling: aws.Bool(out), SMS: aws.Bool(sms)}}
}

func mustUserSettings(tb testing.TB, c *chime.Client, accountID, userID string) [3]bool {
	tb.Helper()
	out, err := c.GetUserSettings(ctx, &chime.GetUserSettingsInput{AccountId: aws.String(accountID), UserId: aws.String(userID)})
	if err != nil {
		tb.Fatalf("GetUserSettings: %v", err)
	}
	checkMeta(tb, out.ResultMetadata, 200)
	tel := out.UserSettings.Telephony
	if tel == nil || tel.InboundCalling == nil || tel.OutboundCalling == nil || tel.SMS == nil {
		tb.Fatalf("GetUserSettings: incomplete %+v", out.UserSettings)
	}
	return [3]bool{*tel.InboundCalling, *tel.OutboundCalling, *tel.SMS}
}

func TestUserSettingsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "settings")
	uid := MustTeamUser(t, c, *a.AccountId, "pat@example.com")

	// D12: a new user has all three on; the wire carries every member.
	if got := mustUserSettings(t, c, *a.AccountId, uid); got != [3]bool{true, true, true} {
		t.Fatalf("defaults = %v", got)
	}
	r := s.raw(t, tenantA, "GET", "/accounts/"+*a.AccountId+"/users/"+uid+"/settings", nil)
	if r.Status != 200 || string(r.Body) != `{"UserSettings":{"Telephony":{"InboundCalling":true,"OutboundCalling":true,"SMS":true}}}` {
		t.Fatalf("raw GetUserSettings: %d %s", r.Status, r.Body)
	}

	out, err := c.UpdateUserSettings(ctx, &chime.UpdateUserSettingsInput{AccountId: a.AccountId, UserId: aws.String(uid),
		UserSettings: telephony(false, true, false)})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 204)
	if got := mustUserSettings(t, c, *a.AccountId, uid); got != [3]bool{false, true, false} {
		t.Fatalf("after update = %v", got)
	}
	r = s.rawJSON(t, tenantA, "PUT", "/accounts/"+*a.AccountId+"/users/"+uid+"/settings",
		map[string]any{"UserSettings": map[string]any{"Telephony": map[string]bool{"InboundCalling": true, "OutboundCalling": false, "SMS": true}}})
	if r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("raw UpdateUserSettings: %d %q", r.Status, r.Body)
	}
	if got := mustUserSettings(t, c, *a.AccountId, uid); got != [3]bool{true, false, true} {
		t.Fatalf("after raw update = %v", got)
	}

	// Every boolean is required; the settings too (400, nothing changes). The Go SDK refuses these itself.
	path := "/accounts/" + *a.AccountId + "/users/" + uid + "/settings"
	for _, body := range []string{`{}`, `{"UserSettings":{}}`, `{"UserSettings":{"Telephony":{}}}`,
		`{"UserSettings":{"Telephony":{"InboundCalling":true,"OutboundCalling":true}}}`,
		`{"UserSettings":{"Telephony":{"InboundCalling":true,"OutboundCalling":"yes","SMS":true}}}`} {
		r := s.raw(t, tenantA, "PUT", path, []byte(body))
		wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	}
	if got := mustUserSettings(t, c, *a.AccountId, uid); got != [3]bool{true, false, true} {
		t.Fatalf("after refused updates = %v", got)
	}

	// Unknown account, unknown user, another AWS account → 404.
	other := s.client(tenantB)
	for _, c := range []struct {
		c             *chime.Client
		account, user string
	}{{c, "00000000-0000-0000-0000-000000000000", uid}, {c, *a.AccountId, "00000000-0000-0000-0000-000000000000"},
		{other, *a.AccountId, uid}} {
		_, err := c.c.GetUserSettings(ctx, &chime.GetUserSettingsInput{AccountId: aws.String(c.account), UserId: aws.String(c.user)})
		wantNotFound(t, err)
		_, err = c.c.UpdateUserSettings(ctx, &chime.UpdateUserSettingsInput{AccountId: aws.String(c.account),
			UserId: aws.String(c.user), UserSettings: telephony(true, true, true)})
		wantNotFound(t, err)
	}

	// A removed Team user → 404.
	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: a.AccountId, UserIdList: []string{uid}}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetUserSettings(ctx, &chime.GetUserSettingsInput{AccountId: a.AccountId, UserId: aws.String(uid)})
	wantNotFound(t, err)
	_, err = c.UpdateUserSettings(ctx, &chime.UpdateUserSettingsInput{AccountId: a.AccountId, UserId: aws.String(uid),
		UserSettings: telephony(true, true, true)})
	wantNotFound(t, err)
}

func TestUserSettingsEveryAccountTypeE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	for _, typ := range []types.AccountType{types.AccountTypeEnterpriseLWA, types.AccountTypeEnterpriseDirectory,
		types.AccountTypeEnterpriseOIDC} {
		a := MustCreateAccount(t, c, "settings")
		uid := MustTeamUser(t, c, *a.AccountId, strings.ToLower(string(typ))+"@example.com")
		MustSetAccountType(t, s, tenantA, *a.AccountId, string(typ))
		_, err := c.UpdateUserSettings(ctx, &chime.UpdateUserSettingsInput{AccountId: a.AccountId, UserId: aws.String(uid),
			UserSettings: telephony(false, false, true)})
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if got := mustUserSettings(t, c, *a.AccountId, uid); got != [3]bool{false, false, true} {
			t.Fatalf("%s: %v", typ, got)
		}
	}
}

func groupNames(a types.Account) []string {
	var names []string
	for _, g := range a.SigninDelegateGroups {
		names = append(names, *g.GroupName)
	}
	return names
}

func associate(c *chime.Client, accountID string, names ...string) (*chime.AssociateSigninDelegateGroupsWithAccountOutput, error) {
	in := &chime.AssociateSigninDelegateGroupsWithAccountInput{AccountId: aws.String(accountID),
		SigninDelegateGroups: []types.SigninDelegateGroup{}}
	for _, n := range names {
		in.SigninDelegateGroups = append(in.SigninDelegateGroups, types.SigninDelegateGroup{GroupName: aws.String(n)})
	}
	return c.AssociateSigninDelegateGroupsWithAccount(ctx, in)
}

func disassociate(c *chime.Client, accountID string, names ...string) (*chime.DisassociateSigninDelegateGroupsFromAccountOutput, error) {
	return c.DisassociateSigninDelegateGroupsFromAccount(ctx, &chime.DisassociateSigninDelegateGroupsFromAccountInput{
		AccountId: aws.String(accountID), GroupNames: names})
}

func TestSigninDelegateGroupsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseDirectory)
	id := *a.AccountId

	// Absent while empty.
	r := s.raw(t, tenantA, "GET", "/accounts/"+id, nil)
	if r.Status != 200 || strings.Contains(string(r.Body), "SigninDelegateGroups") {
		t.Fatalf("GetAccount: %d %s", r.Status, r.Body)
	}

	out, err := associate(c, id, "Admins", "admins", "Admins")
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 200)
	if got := groupNames(MustGetAccount(t, c, id)); !slices.Equal(got, []string{"Admins", "admins"}) {
		t.Fatalf("groups = %q", got)
	}
	r = s.rawJSON(t, tenantA, "POST", "/accounts/"+id+"?operation=associate-signin-delegate-groups",
		map[string]any{"SigninDelegateGroups": []map[string]string{{"GroupName": "Ops"}}})
	if r.Status != 200 || string(r.Body) != "{}" {
		t.Fatalf("raw associate: %d %s", r.Status, r.Body)
	}
	if _, err := associate(c, id); err != nil { // empty list: no-op
		t.Fatal(err)
	}
	list := MustListAccounts(t, c, chime.ListAccountsInput{})
	if len(list) != 1 || !slices.Equal(groupNames(list[0]), []string{"Admins", "admins", "Ops"}) {
		t.Fatalf("ListAccounts: %+v", list)
	}

	dout, err := disassociate(c, id, "ADMINS", "admins", "nobody")
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, dout.ResultMetadata, 200)
	if got := groupNames(MustGetAccount(t, c, id)); !slices.Equal(got, []string{"Admins", "Ops"}) {
		t.Fatalf("groups = %q", got)
	}
	r = s.rawJSON(t, tenantA, "POST", "/accounts/"+id+"?operation=disassociate-signin-delegate-groups",
		map[string]any{"GroupNames": []string{"Admins", "Ops"}})
	if r.Status != 200 || string(r.Body) != "{}" {
		t.Fatalf("raw disassociate: %d %s", r.Status, r.Body)
	}
	if got := groupNames(MustGetAccount(t, c, id)); len(got) != 0 {
		t.Fatalf("groups = %q", got)
	}

	// Bounds (D42): names ≤ 256, ≤ 50 per account, non-blank names, at least one name to remove.
	long := strings.Repeat("g", 256)
	if _, err := associate(c, id, long); err != nil {
		t.Fatal(err)
	}
	_, err = associate(c, id, long+"g")
	wantBadRequest(t, err)
	_, err = associate(c, id, " ")
	wantBadRequest(t, err)
	var names []string
	for i := range 49 {
		names = append(names, "group-"+strings.Repeat("x", i))
	}
	if _, err := associate(c, id, names...); err != nil {
		t.Fatal(err)
	}
	_, err = associate(c, id, "the 51st")
	wantBadRequest(t, err)
	if got := groupNames(MustGetAccount(t, c, id)); len(got) != 50 {
		t.Fatalf("%d groups, want 50", len(got))
	}
	r = s.rawJSON(t, tenantA, "POST", "/accounts/"+id+"?operation=disassociate-signin-delegate-groups",
		map[string]any{"GroupNames": []string{}})
	wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	r = s.rawJSON(t, tenantA, "POST", "/accounts/"+id+"?operation=associate-signin-delegate-groups", map[string]any{})
	wantRawErr(t, r, 400, "BadRequestException", "BadRequest")

	// Tenancy and unknown accounts → 404.
	_, err = associate(s.client(tenantB), id, "G")
	wantNotFound(t, err)
	_, err = disassociate(s.client(tenantB), id, "G")
	wantNotFound(t, err)
	_, err = associate(c, "00000000-0000-0000-0000-000000000000", "G")
	wantNotFound(t, err)

	// Account types (§4.23): only EnterpriseDirectory.
	for _, typ := range []types.AccountType{types.AccountTypeTeam, types.AccountTypeEnterpriseLWA, types.AccountTypeEnterpriseOIDC} {
		b := MustAccount(t, s, tenantA, typ)
		_, err := associate(c, *b.AccountId, "G")
		wantForbidden(t, err)
		_, err = disassociate(c, *b.AccountId, "G")
		wantForbidden(t, err)
		r := s.rawJSON(t, tenantA, "POST", "/accounts/"+*b.AccountId+"?operation=associate-signin-delegate-groups",
			map[string]any{"SigninDelegateGroups": []map[string]string{{"GroupName": "G"}}})
		wantRawErr(t, r, 403, "ForbiddenException", "Forbidden")
		want := "Chime Account provided is not an Enterprise Chime Account[AWS Account ID: " + tenantA +
			"][Chime Account ID: " + *b.AccountId + "]"
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("%s: %s", typ, r.Body)
		}
	}
}

func mustGlobal(tb testing.TB, s *testServer, keyID string) string {
	tb.Helper()
	r := s.raw(tb, keyID, "GET", "/settings", nil)
	if r.Status != 200 {
		tb.Fatalf("GetGlobalSettings: %d %s", r.Status, r.Body)
	}
	return string(r.Body)
}

func TestGlobalSettingsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)

	// Never set (D12).
	out, err := c.GetGlobalSettings(ctx, &chime.GetGlobalSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 200)
	if out.BusinessCalling == nil || out.VoiceConnector == nil || out.BusinessCalling.CdrBucket != nil ||
		out.VoiceConnector.CdrBucket != nil {
		t.Fatalf("never set: %+v %+v", out.BusinessCalling, out.VoiceConnector)
	}
	if got := mustGlobal(t, s, tenantA); got != `{"BusinessCalling":{},"VoiceConnector":{}}` {
		t.Fatalf("never set: %s", got)
	}

	up, err := c.UpdateGlobalSettings(ctx, &chime.UpdateGlobalSettingsInput{
		BusinessCalling: &types.BusinessCallingSettings{CdrBucket: aws.String("example-bucket")},
		VoiceConnector:  &types.VoiceConnectorSettings{CdrBucket: aws.String("example-bucket")}})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, up.ResultMetadata, 204)
	out, err = c.GetGlobalSettings(ctx, &chime.GetGlobalSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.BusinessCalling.CdrBucket) != "example-bucket" || aws.ToString(out.VoiceConnector.CdrBucket) != "example-bucket" {
		t.Fatalf("after update: %+v %+v", out.BusinessCalling, out.VoiceConnector)
	}

	// Omitted members stay; "" clears.
	if _, err := c.UpdateGlobalSettings(ctx, &chime.UpdateGlobalSettingsInput{
		VoiceConnector: &types.VoiceConnectorSettings{CdrBucket: aws.String("")}}); err != nil {
		t.Fatal(err)
	}
	if got := mustGlobal(t, s, tenantA); got != `{"BusinessCalling":{"CdrBucket":"example-bucket"},"VoiceConnector":{}}` {
		t.Fatalf("after clearing: %s", got)
	}
	for _, body := range []string{`{}`, `{"BusinessCalling":{}}`, `{"VoiceConnector":{}}`} {
		r := s.raw(t, tenantA, "PUT", "/settings", []byte(body))
		if r.Status != 204 || len(r.Body) != 0 {
			t.Fatalf("PUT %s: %d %s", body, r.Status, r.Body)
		}
	}
	if got := mustGlobal(t, s, tenantA); got != `{"BusinessCalling":{"CdrBucket":"example-bucket"},"VoiceConnector":{}}` {
		t.Fatalf("after empty updates: %s", got)
	}

	// D43: anything but "" or an S3 bucket name → 400, nothing changes.
	for _, bad := range []string{"ab", strings.Repeat("a", 64), "Example", "a_b", "-ab", "ab.", "a..b", "s3://bucket"} {
		_, err := c.UpdateGlobalSettings(ctx, &chime.UpdateGlobalSettingsInput{
			BusinessCalling: &types.BusinessCallingSettings{CdrBucket: aws.String("fine-bucket")},
			VoiceConnector:  &types.VoiceConnectorSettings{CdrBucket: aws.String(bad)}})
		wantBadRequest(t, err)
		r := s.rawJSON(t, tenantA, "PUT", "/settings", map[string]any{"BusinessCalling": map[string]string{"CdrBucket": bad}})
		wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	}
	if got := mustGlobal(t, s, tenantA); got != `{"BusinessCalling":{"CdrBucket":"example-bucket"},"VoiceConnector":{}}` {
		t.Fatalf("after refused updates: %s", got)
	}

	// Per AWS account.
	if got := mustGlobal(t, s, tenantB); got != `{"BusinessCalling":{},"VoiceConnector":{}}` {
		t.Fatalf("tenantB: %s", got)
	}
	if _, err := s.client(tenantB).UpdateGlobalSettings(ctx, &chime.UpdateGlobalSettingsInput{
		VoiceConnector: &types.VoiceConnectorSettings{CdrBucket: aws.String("b-bucket")}}); err != nil {
		t.Fatal(err)
	}

	// POST /_chimed/reset clears the caller's global settings only (D48).
	if r := s.raw(t, tenantA, "POST", "/_chimed/reset", nil); r.Status != 204 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if got := mustGlobal(t, s, tenantA); got != `{"BusinessCalling":{},"VoiceConnector":{}}` {
		t.Fatalf("after reset: %s", got)
	}
	if got := mustGlobal(t, s, tenantB); got != `{"BusinessCalling":{},"VoiceConnector":{"CdrBucket":"b-bucket"}}` {
		t.Fatalf("tenantB after tenantA's reset: %s", got)
	}
}

// DeleteAccount (D45) removes the account's user settings and delegate groups: nothing of them comes back.
func TestDeleteAccountRemovesSettingsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "to delete")
	uid := MustTeamUser(t, c, *a.AccountId, "gone@example.com")
	if _, err := c.UpdateUserSettings(ctx, &chime.UpdateUserSettingsInput{AccountId: a.AccountId, UserId: aws.String(uid),
		UserSettings: telephony(false, false, false)}); err != nil {
		t.Fatal(err)
	}
	MustSetAccountType(t, s, tenantA, *a.AccountId, string(types.AccountTypeEnterpriseDirectory))
	if _, err := associate(c, *a.AccountId, "G"); err != nil {
		t.Fatal(err)
	}
	MustSetAccountType(t, s, tenantA, *a.AccountId, string(types.AccountTypeTeam))
	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: a.AccountId, UserIdList: []string{uid}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: a.AccountId}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetUserSettings(ctx, &chime.GetUserSettingsInput{AccountId: a.AccountId, UserId: aws.String(uid)})
	wantNotFound(t, err)
	_, err = associate(c, *a.AccountId, "G")
	wantNotFound(t, err)
	_, err = disassociate(c, *a.AccountId, "G")
	wantNotFound(t, err)
}
