package http_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// checkAlexaDefault asserts the AlexaForBusinessMetadata of a user that never set it.
func checkAlexaDefault(t *testing.T, u *types.User) {
	t.Helper()
	if m := u.AlexaForBusinessMetadata; m == nil || m.IsAlexaForBusinessEnabled == nil ||
		*m.IsAlexaForBusinessEnabled || m.AlexaForBusinessRoomArn != nil {
		t.Errorf("AlexaForBusinessMetadata = %+v, want {IsAlexaForBusinessEnabled:false}", m)
	}
}

// checkPendingUser asserts the shape of a freshly invited user.
func checkPendingUser(t *testing.T, u *types.User, accountID, email string, typ types.UserType) {
	t.Helper()
	if !uuidPattern.MatchString(aws.ToString(u.UserId)) || aws.ToString(u.AccountId) != accountID ||
		aws.ToString(u.PrimaryEmail) != email || u.LicenseType != types.LicensePro || u.UserType != typ ||
		u.UserRegistrationStatus != types.RegistrationStatusUnregistered ||
		u.UserInvitationStatus != types.InviteStatusPending {
		t.Errorf("pending user = %+v", u)
	}
	if u.DisplayName != nil || u.PersonalPIN != nil || u.RegisteredOn != nil {
		t.Errorf("pending user has DisplayName/PIN/RegisteredOn: %+v", u)
	}
	checkTime(t, "InvitedOn", u.InvitedOn)
	checkAlexaDefault(t, u)
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	dir := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseDirectory)
	dir2 := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseDirectory)
	team := MustCreateAccount(t, c, "team")
	MustInvite(t, c, *team.AccountId, "pending@example.com")

	out, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: dir.AccountId, Email: aws.String("Dana@Example.com"),
		Username: aws.String("Dana"), UserType: types.UserTypeSharedDevice})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 201)
	u := out.User
	if !uuidPattern.MatchString(*u.UserId) || *u.AccountId != *dir.AccountId || *u.PrimaryEmail != "Dana@Example.com" ||
		aws.ToString(u.DisplayName) != "Dana" || u.LicenseType != types.LicensePro ||
		u.UserType != types.UserTypeSharedDevice || u.UserRegistrationStatus != types.RegistrationStatusRegistered {
		t.Errorf("created user = %+v", u)
	}
	if u.UserInvitationStatus != "" || u.InvitedOn != nil {
		t.Errorf("created user has invitation fields: %+v", u)
	}
	if !pinPattern.MatchString(aws.ToString(u.PersonalPIN)) {
		t.Errorf("PersonalPIN = %q, want 10 digits", aws.ToString(u.PersonalPIN))
	}
	checkTime(t, "RegisteredOn", u.RegisteredOn)
	checkAlexaDefault(t, u)

	if d := MustCreateUser(t, c, *dir.AccountId, "plain@example.com"); d.UserType != types.UserTypePrivateUser ||
		d.DisplayName != nil || aws.ToString(d.PersonalPIN) == aws.ToString(u.PersonalPIN) {
		t.Errorf("defaults: %+v", d)
	}

	// Email taken in this AWS account (case-insensitive), in any of its accounts, including pending invitees.
	for _, in := range []chime.CreateUserInput{
		{AccountId: dir.AccountId, Email: aws.String("Dana@Example.com")},
		{AccountId: dir.AccountId, Email: aws.String("dana@example.COM")},
		{AccountId: dir2.AccountId, Email: aws.String("DANA@example.com")},
		{AccountId: dir2.AccountId, Email: aws.String("Pending@Example.com")},
	} {
		_, err := c.CreateUser(ctx, &in)
		wantConflict(t, err)
	}
	// Validation.
	for _, in := range []chime.CreateUserInput{
		{AccountId: dir.AccountId},
		{AccountId: dir.AccountId, Email: aws.String("no-at-sign.example.com")},
		{AccountId: dir.AccountId, Email: aws.String("a@nodot")},
		{AccountId: dir.AccountId, Email: aws.String("x@example.com"), UserType: "Robot"},
	} {
		_, err := c.CreateUser(ctx, &in)
		wantBadRequest(t, err)
	}
	_, err = c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String("4f61d710-c454-4761-b936-b5a799010005"),
		Email: aws.String("x@example.com")})
	wantNotFound(t, err)
	_, err = s.client(tenantB).CreateUser(ctx, &chime.CreateUserInput{AccountId: dir.AccountId, Email: aws.String("x@example.com")})
	wantNotFound(t, err)

	// Nothing stored by the rejected requests.
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: dir.AccountId}); len(got) != 2 {
		t.Errorf("directory account has %d users, want 2", len(got))
	}
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: dir2.AccountId}); len(got) != 0 {
		t.Errorf("second directory account has %d users, want 0", len(got))
	}

	// The same address is free in another AWS account.
	bdir := MustAccount(t, s, tenantB, types.AccountTypeEnterpriseDirectory)
	MustCreateUser(t, s.client(tenantB), *bdir.AccountId, "dana@example.com")
}

func TestGetAndListUsers(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	team := MustCreateAccount(t, c, "team")
	other := MustCreateAccount(t, c, "other")
	MustInvite(t, c, *team.AccountId, "Ann@Example.com")
	out, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: team.AccountId,
		UserEmailList: []string{"kiosk@example.com"}, UserType: types.UserTypeSharedDevice})
	if err != nil {
		t.Fatal(err)
	}
	if out.Invites[0].Status != types.InviteStatusPending {
		t.Errorf("invite = %+v", out.Invites[0])
	}
	users := MustListUsers(t, c, chime.ListUsersInput{AccountId: team.AccountId})
	if len(users) != 2 {
		t.Fatalf("ListUsers = %d users, want 2", len(users))
	}
	ann, kiosk := users[0], users[1]
	checkPendingUser(t, &ann, *team.AccountId, "Ann@Example.com", types.UserTypePrivateUser)
	checkPendingUser(t, &kiosk, *team.AccountId, "kiosk@example.com", types.UserTypeSharedDevice)

	reg := MustRegister(t, s, tenantA, *team.AccountId, *ann.UserId)
	if !pinPattern.MatchString(reg.PersonalPIN) {
		t.Fatalf("registered user has PIN %q", reg.PersonalPIN)
	}

	g, err := c.GetUser(ctx, &chime.GetUserInput{AccountId: team.AccountId, UserId: ann.UserId})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, g.ResultMetadata, 200)
	if aws.ToString(g.User.PersonalPIN) != reg.PersonalPIN || g.User.UserRegistrationStatus != types.RegistrationStatusRegistered ||
		g.User.UserInvitationStatus != types.InviteStatusAccepted || aws.ToString(g.User.DisplayName) != "Registered Person" {
		t.Errorf("GetUser after registration = %+v", g.User)
	}
	checkTime(t, "RegisteredOn", g.User.RegisteredOn)
	checkTime(t, "InvitedOn", g.User.InvitedOn)

	l, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: team.AccountId})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, l.ResultMetadata, 200)
	if l.NextToken != nil || len(l.Users) != 2 {
		t.Fatalf("ListUsers = %d users, NextToken %v", len(l.Users), l.NextToken)
	}
	for _, u := range l.Users {
		if u.PersonalPIN != nil {
			t.Errorf("ListUsers item %s carries a PersonalPIN", *u.UserId)
		}
	}
	if l.Users[0].UserRegistrationStatus != types.RegistrationStatusRegistered {
		t.Errorf("listed registered user = %+v", l.Users[0])
	}

	filter := func(in chime.ListUsersInput) []string {
		t.Helper()
		in.AccountId = team.AccountId
		out, err := c.ListUsers(ctx, &in)
		if err != nil {
			t.Fatalf("ListUsers(%+v): %v", in, err)
		}
		return userIDs(out.Users)
	}
	for _, tc := range []struct {
		name string
		in   chime.ListUsersInput
		want []string
	}{
		{"email exact", chime.ListUsersInput{UserEmail: aws.String("Ann@Example.com")}, []string{*ann.UserId}},
		{"email case-insensitive", chime.ListUsersInput{UserEmail: aws.String("ann@EXAMPLE.com")}, []string{*ann.UserId}},
		{"email not a prefix", chime.ListUsersInput{UserEmail: aws.String("ann@example.co")}, nil},
		{"email unknown", chime.ListUsersInput{UserEmail: aws.String("zed@example.com")}, nil},
		{"type private", chime.ListUsersInput{UserType: types.UserTypePrivateUser}, []string{*ann.UserId}},
		{"type shared", chime.ListUsersInput{UserType: types.UserTypeSharedDevice}, []string{*kiosk.UserId}},
		{"both", chime.ListUsersInput{UserType: types.UserTypeSharedDevice, UserEmail: aws.String("ann@example.com")}, nil},
	} {
		if got := filter(tc.in); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// The email filter does not reach into other accounts of the same AWS account.
	if got, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: other.AccountId, UserEmail: aws.String("ann@example.com")}); err != nil || len(got.Users) != 0 {
		t.Errorf("other account by email: %v, %v", got, err)
	}

	for _, in := range []chime.ListUsersInput{
		{AccountId: team.AccountId, UserType: "Robot"},
		{AccountId: team.AccountId, UserEmail: aws.String("not-an-email")},
	} {
		_, err := c.ListUsers(ctx, &in)
		wantBadRequest(t, err)
	}
	unknown := aws.String("4f61d710-c454-4761-b936-b5a799010005")
	_, err = c.ListUsers(ctx, &chime.ListUsersInput{AccountId: unknown})
	wantNotFound(t, err)
	_, err = c.GetUser(ctx, &chime.GetUserInput{AccountId: team.AccountId, UserId: unknown})
	wantNotFound(t, err)
	_, err = c.GetUser(ctx, &chime.GetUserInput{AccountId: other.AccountId, UserId: ann.UserId}) // wrong account
	wantNotFound(t, err)
	_, err = c.GetUser(ctx, &chime.GetUserInput{AccountId: unknown, UserId: ann.UserId})
	wantNotFound(t, err)
	_, err = c.GetUser(ctx, &chime.GetUserInput{AccountId: team.AccountId, UserId: aws.String(" ")})
	wantBadRequest(t, err)
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	team := MustCreateAccount(t, c, "team")
	uid := MustTeamUser(t, c, *team.AccountId, "u@example.com")
	MustRegister(t, s, tenantA, *team.AccountId, uid)

	out, err := c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: team.AccountId, UserId: &uid,
		LicenseType: types.LicenseBasic})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 200)
	if *out.User.UserId != uid || out.User.LicenseType != types.LicenseBasic || out.User.UserType != types.UserTypePrivateUser ||
		out.User.UserRegistrationStatus != types.RegistrationStatusRegistered || !pinPattern.MatchString(aws.ToString(out.User.PersonalPIN)) {
		t.Errorf("updated user = %+v", out.User)
	}
	checkTime(t, "RegisteredOn", out.User.RegisteredOn)

	out, err = c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: team.AccountId, UserId: &uid,
		UserType: types.UserTypeSharedDevice, AlexaForBusinessMetadata: &types.AlexaForBusinessMetadata{
			IsAlexaForBusinessEnabled: aws.Bool(true), AlexaForBusinessRoomArn: aws.String("arn:aws:a4b:room/1")}})
	if err != nil {
		t.Fatal(err)
	}
	if out.User.LicenseType != types.LicenseBasic || out.User.UserType != types.UserTypeSharedDevice ||
		!aws.ToBool(out.User.AlexaForBusinessMetadata.IsAlexaForBusinessEnabled) ||
		aws.ToString(out.User.AlexaForBusinessMetadata.AlexaForBusinessRoomArn) != "arn:aws:a4b:room/1" {
		t.Errorf("updated user = %+v", out.User)
	}

	for _, in := range []chime.UpdateUserInput{
		{LicenseType: "Gold"},
		{LicenseType: types.LicensePlus}, // valid enum, not supported by the account
		{UserType: "Robot"},
		{LicenseType: types.LicensePro, UserType: "Robot"},
	} {
		in.AccountId, in.UserId = team.AccountId, &uid
		_, err := c.UpdateUser(ctx, &in)
		wantBadRequest(t, err)
	}
	_, err = c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: team.AccountId,
		UserId: aws.String("4f61d710-c454-4761-b936-b5a799010005"), LicenseType: types.LicenseBasic})
	wantNotFound(t, err)
	_, err = s.client(tenantB).UpdateUser(ctx, &chime.UpdateUserInput{AccountId: team.AccountId, UserId: &uid,
		LicenseType: types.LicensePro})
	wantNotFound(t, err)

	if u := MustGetUser(t, c, *team.AccountId, uid); u.LicenseType != types.LicenseBasic || u.UserType != types.UserTypeSharedDevice {
		t.Errorf("rejected updates changed the user: %+v", u)
	}
}

func TestBatchUpdateUser(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	team := MustCreateAccount(t, c, "team")
	u1 := MustTeamUser(t, c, *team.AccountId, "one@example.com")
	u2 := MustTeamUser(t, c, *team.AccountId, "two@example.com")
	u3 := MustTeamUser(t, c, *team.AccountId, "three@example.com")
	unknown := "4f61d710-c454-4761-b936-b5a799010005"

	out, err := c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: team.AccountId,
		UpdateUserRequestItems: []types.UpdateUserRequestItem{
			{UserId: &u1, LicenseType: types.LicenseBasic},
			{UserId: &u2, LicenseType: types.LicensePlus}, // unsupported by the account
			{UserId: &unknown, LicenseType: types.LicenseBasic},
			{UserId: &u3, UserType: types.UserTypeSharedDevice},
			{UserId: &u1, LicenseType: types.LicenseBasic},
			{UserId: &unknown, LicenseType: types.LicenseBasic},
		}})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 200)
	got := map[string]types.ErrorCode{}
	for _, e := range out.UserErrors {
		if _, dup := got[aws.ToString(e.UserId)]; dup {
			t.Errorf("user %s reported twice", aws.ToString(e.UserId))
		}
		got[aws.ToString(e.UserId)] = e.ErrorCode
	}
	if len(got) != 2 || got[u2] != types.ErrorCodeBadRequest || got[unknown] != types.ErrorCodeNotFound {
		t.Errorf("UserErrors = %+v, want u2 BadRequest and unknown NotFound", out.UserErrors)
	}
	if u := MustGetUser(t, c, *team.AccountId, u1); u.LicenseType != types.LicenseBasic {
		t.Errorf("u1 license = %s, want Basic", u.LicenseType)
	}
	if u := MustGetUser(t, c, *team.AccountId, u2); u.LicenseType != types.LicensePro {
		t.Errorf("u2 license = %s, want Pro (unchanged)", u.LicenseType)
	}
	if u := MustGetUser(t, c, *team.AccountId, u3); u.UserType != types.UserTypeSharedDevice || u.LicenseType != types.LicensePro {
		t.Errorf("u3 = %+v", u)
	}

	// Full success: an empty UserErrors list.
	out, err = c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: team.AccountId,
		UpdateUserRequestItems: []types.UpdateUserRequestItem{{UserId: &u2, LicenseType: types.LicenseBasic}}})
	if err != nil || out.UserErrors == nil || len(out.UserErrors) != 0 {
		t.Errorf("full success: %+v, %v", out, err)
	}
	r := s.rawJSON(t, tenantA, "POST", "/accounts/"+*team.AccountId+"/users", map[string]any{
		"UpdateUserRequestItems": []any{map[string]any{"UserId": u1, "LicenseType": "Pro"}}})
	if r.Status != 200 || string(r.Body) != "{\"UserErrors\":[]}\n" && string(r.Body) != `{"UserErrors":[]}` {
		t.Errorf("raw full success: %d %s", r.Status, r.Body)
	}

	// A bad enum in any item rejects the whole request; nothing is applied.
	_, err = c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: team.AccountId,
		UpdateUserRequestItems: []types.UpdateUserRequestItem{
			{UserId: &u3, LicenseType: types.LicenseBasic},
			{UserId: &u1, LicenseType: "Gold"},
		}})
	wantBadRequest(t, err)
	_, err = c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: team.AccountId,
		UpdateUserRequestItems: []types.UpdateUserRequestItem{{UserId: &u3, LicenseType: types.LicenseBasic},
			{UserId: &u1, UserType: "Robot"}}})
	wantBadRequest(t, err)
	_, err = c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: team.AccountId,
		UpdateUserRequestItems: []types.UpdateUserRequestItem{{UserId: &u3, LicenseType: types.LicenseBasic},
			{UserId: aws.String(" ")}}})
	wantBadRequest(t, err)
	// A missing UserId (the SDK checks nested required members itself, so send it raw).
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", "/accounts/"+*team.AccountId+"/users", map[string]any{
		"UpdateUserRequestItems": []any{map[string]any{"UserId": u3, "LicenseType": "Basic"},
			map[string]any{"LicenseType": "Basic"}}}), 400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", "/accounts/"+*team.AccountId+"/users", map[string]any{}),
		400, "BadRequestException", "BadRequest")
	if u := MustGetUser(t, c, *team.AccountId, u3); u.LicenseType != types.LicensePro {
		t.Errorf("rejected batch changed u3: %+v", u)
	}
	_, err = c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: &unknown,
		UpdateUserRequestItems: []types.UpdateUserRequestItem{{UserId: &u1}}})
	wantNotFound(t, err)
}

func TestInviteUsers(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	team := MustCreateAccount(t, c, "team")
	team2 := MustCreateAccount(t, c, "team 2")

	out, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: team.AccountId,
		UserEmailList: []string{"new@example.com", "Other@Example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 201)
	if len(out.Invites) != 2 {
		t.Fatalf("Invites = %+v", out.Invites)
	}
	first := out.Invites[0]
	for i, want := range []string{"new@example.com", "Other@Example.com"} {
		inv := out.Invites[i]
		if !uuidPattern.MatchString(aws.ToString(inv.InviteId)) || inv.Status != types.InviteStatusPending ||
			aws.ToString(inv.EmailAddress) != want || inv.EmailStatus != types.EmailStatusNotSent {
			t.Errorf("invite %d = %+v", i, inv)
		}
	}
	users := MustListUsers(t, c, chime.ListUsersInput{AccountId: team.AccountId})
	if len(users) != 2 {
		t.Fatalf("%d users after invite", len(users))
	}
	checkPendingUser(t, &users[0], *team.AccountId, "new@example.com", types.UserTypePrivateUser)
	newID, otherID := *users[0].UserId, *users[1].UserId

	// Re-inviting a pending user (any case): a new invite id, the same user.
	again := MustInvite(t, c, *team.AccountId, "NEW@example.com")
	if again[0].Status != types.InviteStatusPending || *again[0].InviteId == *first.InviteId {
		t.Errorf("re-invite = %+v (first invite %s)", again[0], *first.InviteId)
	}
	after := MustListUsers(t, c, chime.ListUsersInput{AccountId: team.AccountId})
	if !slices.Equal(userIDs(after), []string{newID, otherID}) {
		t.Errorf("users after re-invite = %v", userIDs(after))
	}
	if after[0].InvitedOn.Before(*users[0].InvitedOn) {
		t.Errorf("InvitedOn went back: %v < %v", after[0].InvitedOn, users[0].InvitedOn)
	}

	// A registered member of this account: Failed / NotSent, nothing changes.
	MustRegister(t, s, tenantA, *team.AccountId, otherID)
	failed := MustInvite(t, c, *team.AccountId, "other@example.com")
	if failed[0].Status != types.InviteStatusFailed || failed[0].EmailStatus != types.EmailStatusNotSent {
		t.Errorf("invite of a registered member = %+v", failed[0])
	}
	if u := MustGetUser(t, c, *team.AccountId, otherID); u.UserRegistrationStatus != types.RegistrationStatusRegistered ||
		u.UserInvitationStatus != types.InviteStatusAccepted {
		t.Errorf("registered member changed: %+v", u)
	}

	// An address held in another account of the same AWS account: Failed, no user created there.
	inv := MustInvite(t, c, *team2.AccountId, "new@example.com", "fresh@example.com")
	if inv[0].Status != types.InviteStatusFailed || inv[0].EmailStatus != types.EmailStatusNotSent ||
		inv[1].Status != types.InviteStatusPending {
		t.Errorf("invites into the second account = %+v", inv)
	}
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: team2.AccountId}); len(got) != 1 ||
		*got[0].PrimaryEmail != "fresh@example.com" {
		t.Errorf("second account users = %+v", got)
	}

	// The same address in another AWS account is independent.
	b := s.client(tenantB)
	bteam := MustCreateAccount(t, b, "b team")
	if inv := MustInvite(t, b, *bteam.AccountId, "new@example.com"); inv[0].Status != types.InviteStatusPending {
		t.Errorf("invite in another tenant = %+v", inv[0])
	}

	// Errors.
	for _, in := range []chime.InviteUsersInput{
		{UserEmailList: []string{"bad-address"}},
		{UserEmailList: []string{"ok@example.com", "a@b"}},
		{UserEmailList: []string{"ok@example.com"}, UserType: "Robot"},
	} {
		in.AccountId = team.AccountId
		_, err := c.InviteUsers(ctx, &in)
		wantBadRequest(t, err)
	}
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", "/accounts/"+*team.AccountId+"/users?operation=add",
		map[string]any{}), 400, "BadRequestException", "BadRequest")
	_, err = c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: aws.String("4f61d710-c454-4761-b936-b5a799010005"),
		UserEmailList: []string{"x@example.com"}})
	wantNotFound(t, err)
	if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: team.AccountId, UserEmail: aws.String("ok@example.com")}); len(got) != 0 {
		t.Errorf("rejected invite stored a user: %+v", got)
	}
}

func TestLogoutUser(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	team := MustCreateAccount(t, c, "team")
	pending := MustTeamUser(t, c, *team.AccountId, "p@example.com")
	registered := MustTeamUser(t, c, *team.AccountId, "r@example.com")
	MustRegister(t, s, tenantA, *team.AccountId, registered)
	before := MustGetUser(t, c, *team.AccountId, registered)

	for _, id := range []string{pending, registered} {
		out, err := c.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: team.AccountId, UserId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		checkMeta(t, out.ResultMetadata, 204)
	}
	if after := MustGetUser(t, c, *team.AccountId, registered); aws.ToString(after.PersonalPIN) != aws.ToString(before.PersonalPIN) ||
		after.UserRegistrationStatus != before.UserRegistrationStatus {
		t.Errorf("LogoutUser changed the user: %+v", after)
	}
	_, err := c.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: team.AccountId,
		UserId: aws.String("4f61d710-c454-4761-b936-b5a799010005")})
	wantNotFound(t, err)
	_, err = c.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: aws.String("4f61d710-c454-4761-b936-b5a799010005"),
		UserId: &registered})
	wantNotFound(t, err)
	_, err = c.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: team.AccountId, UserId: aws.String(" ")})
	wantBadRequest(t, err)
}

func TestResetPersonalPIN(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	dir := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseDirectory)
	u := MustCreateUser(t, c, *dir.AccountId, "pin@example.com")

	seen := map[string]bool{*u.PersonalPIN: true}
	prev := *u.PersonalPIN
	for i := 0; i < 5; i++ {
		out, err := c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: dir.AccountId, UserId: u.UserId})
		if err != nil {
			t.Fatal(err)
		}
		checkMeta(t, out.ResultMetadata, 200)
		pin := aws.ToString(out.User.PersonalPIN)
		if !pinPattern.MatchString(pin) || pin == prev || *out.User.UserId != *u.UserId {
			t.Fatalf("reset %d: PIN %q (previous %q), user %+v", i, pin, prev, out.User)
		}
		checkTime(t, "RegisteredOn", out.User.RegisteredOn)
		seen[pin] = true
		prev = pin
	}
	if len(seen) != 6 {
		t.Errorf("PINs repeat: %v", seen)
	}
	if got := MustGetUser(t, c, *dir.AccountId, *u.UserId); aws.ToString(got.PersonalPIN) != prev {
		t.Errorf("GetUser PIN = %q, want the last reset %q", aws.ToString(got.PersonalPIN), prev)
	}
	for _, lu := range MustListUsers(t, c, chime.ListUsersInput{AccountId: dir.AccountId}) {
		if lu.PersonalPIN != nil {
			t.Errorf("ListUsers shows a PIN for %s", *lu.UserId)
		}
	}

	// A pending invitee has no PIN until one is reset or it registers.
	team := MustCreateAccount(t, c, "team")
	pending := MustTeamUser(t, c, *team.AccountId, "pending@example.com")
	if p := MustGetUser(t, c, *team.AccountId, pending); p.PersonalPIN != nil {
		t.Errorf("pending user has a PIN: %q", *p.PersonalPIN)
	}
	out, err := c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: team.AccountId, UserId: &pending})
	if err != nil || !pinPattern.MatchString(aws.ToString(out.User.PersonalPIN)) {
		t.Errorf("reset for a pending user: %+v, %v", out, err)
	}

	_, err = c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: dir.AccountId,
		UserId: aws.String("4f61d710-c454-4761-b936-b5a799010005")})
	wantNotFound(t, err)
	_, err = c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: team.AccountId, UserId: u.UserId})
	wantNotFound(t, err)
	_, err = s.client(tenantB).ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: dir.AccountId, UserId: u.UserId})
	wantNotFound(t, err)
	if got := MustGetUser(t, c, *dir.AccountId, *u.UserId); aws.ToString(got.PersonalPIN) != prev {
		t.Errorf("failed resets changed the PIN")
	}
}
