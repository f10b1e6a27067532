package http_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

var allTypes = []types.AccountType{types.AccountTypeTeam, types.AccountTypeEnterpriseLWA,
	types.AccountTypeEnterpriseDirectory, types.AccountTypeEnterpriseOIDC}

// userErrorCodes maps UserErrors by user id, failing on an id reported twice.
func userErrorCodes(t *testing.T, errs []types.UserError) map[string]types.ErrorCode {
	t.Helper()
	m := map[string]types.ErrorCode{}
	for _, e := range errs {
		id := aws.ToString(e.UserId)
		if _, dup := m[id]; dup {
			t.Errorf("user %s reported twice", id)
		}
		m[id] = e.ErrorCode
	}
	return m
}

// registeredUsers makes a Team account with n registered users, converted to typ, and returns their ids.
func registeredUsers(t *testing.T, s *testServer, c *chime.Client, typ types.AccountType, n int) (string, []string) {
	t.Helper()
	a := MustCreateAccount(t, c, "lifecycle")
	var ids []string
	for i, e := range emails(n, string(typ)+".example.com") {
		ids = append(ids, MustTeamUser(t, c, *a.AccountId, e))
		MustRegister(t, s, tenantA, *a.AccountId, ids[i])
	}
	if typ != types.AccountTypeTeam {
		MustSetAccountType(t, s, tenantA, *a.AccountId, string(typ))
	}
	return *a.AccountId, ids
}

func TestCreateUserByAccountType(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	for _, typ := range allTypes {
		a := MustAccount(t, s, tenantA, typ)
		out, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: a.AccountId,
			Email: aws.String("user@" + string(typ) + ".example.com")})
		switch typ {
		case types.AccountTypeEnterpriseDirectory, types.AccountTypeEnterpriseOIDC:
			if err != nil {
				t.Fatalf("%s: %v", typ, err)
			}
			checkMeta(t, out.ResultMetadata, 201)
			if out.User.UserRegistrationStatus != types.RegistrationStatusRegistered ||
				!pinPattern.MatchString(aws.ToString(out.User.PersonalPIN)) {
				t.Errorf("%s: user = %+v", typ, out.User)
			}
			checkTime(t, string(typ)+" RegisteredOn", out.User.RegisteredOn)
		default:
			wantBadRequest(t, err)
			if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId}); len(got) != 0 {
				t.Errorf("%s: refused CreateUser stored %d users", typ, len(got))
			}
		}
	}
}

func TestInviteUsersByAccountType(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	for _, typ := range allTypes[1:] {
		a := MustAccount(t, s, tenantA, typ)
		_, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: a.AccountId, UserEmailList: []string{"x@example.com"}})
		wantBadRequest(t, err)
		if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId}); len(got) != 0 {
			t.Errorf("%s: refused invite stored %d users", typ, len(got))
		}
	}
}

func TestBatchSuspendTeamRemovesUsers(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "team")
	acct := *a.AccountId
	pending := MustTeamUser(t, c, acct, "pending@example.com")
	member := MustTeamUser(t, c, acct, "Member@Example.com")
	MustRegister(t, s, tenantA, acct, member)
	stays := MustTeamUser(t, c, acct, "stays@example.com")
	unknown := "4f61d710-c454-4761-b936-b5a799010005"

	out, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: a.AccountId,
		UserIdList: []string{pending, member, unknown, member, unknown}})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 200)
	if codes := userErrorCodes(t, out.UserErrors); len(codes) != 1 || codes[unknown] != types.ErrorCodeNotFound {
		t.Errorf("UserErrors = %+v, want only %s NotFound", out.UserErrors, unknown)
	}
	for _, id := range []string{pending, member} {
		_, err := c.GetUser(ctx, &chime.GetUserInput{AccountId: &acct, UserId: aws.String(id)})
		wantNotFound(t, err)
	}
	if got := userIDs(MustListUsers(t, c, chime.ListUsersInput{AccountId: &acct})); !slices.Equal(got, []string{stays}) {
		t.Errorf("ListUsers after removal = %v, want [%s]", got, stays)
	}
	if got := MustListAccounts(t, c, chime.ListAccountsInput{UserEmail: aws.String("member@example.com")}); len(got) != 0 {
		t.Errorf("ListAccounts still finds the removed user: %v", accountIDs(got))
	}
	_, err = c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: &acct, UserIdList: []string{member}})
	wantBadRequest(t, err)

	// The address is free again: re-inviting makes a new pending user.
	inv := MustInvite(t, c, acct, "member@example.com")
	if inv[0].Status != types.InviteStatusPending {
		t.Errorf("re-invite = %+v", inv[0])
	}
	back := MustListUsers(t, c, chime.ListUsersInput{AccountId: &acct, UserEmail: aws.String("MEMBER@example.com")})
	if len(back) != 1 || *back[0].UserId == member || back[0].UserRegistrationStatus != types.RegistrationStatusUnregistered ||
		back[0].UserInvitationStatus != types.InviteStatusPending || back[0].RegisteredOn != nil {
		t.Errorf("re-invited user = %+v (old id %s)", back, member)
	}
	// Also usable by CreateUser elsewhere once removed.
	dir := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseDirectory)
	MustCreateUser(t, c, *dir.AccountId, "pending@example.com")

	// Empty list: 200 with no errors.
	out, err = c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &acct, UserIdList: []string{}})
	if err != nil || len(out.UserErrors) != 0 {
		t.Errorf("empty suspend: %+v, %v", out, err)
	}
}

func TestBatchSuspendLWA(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	acct, ids := registeredUsers(t, s, c, types.AccountTypeEnterpriseLWA, 2)
	u1, u2 := ids[0], ids[1]
	pinBefore := MustGetUser(t, c, acct, u1).PersonalPIN
	unknown := "4f61d710-c454-4761-b936-b5a799010005"

	out, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &acct, UserIdList: []string{u1, unknown}})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 200)
	if codes := userErrorCodes(t, out.UserErrors); len(codes) != 1 || codes[unknown] != types.ErrorCodeNotFound {
		t.Errorf("UserErrors = %+v", out.UserErrors)
	}
	g := MustGetUser(t, c, acct, u1)
	if g.UserRegistrationStatus != types.RegistrationStatusSuspended || aws.ToString(g.PersonalPIN) != aws.ToString(pinBefore) {
		t.Errorf("suspended user = %+v", g)
	}
	list := MustListUsers(t, c, chime.ListUsersInput{AccountId: &acct})
	if len(list) != 2 || list[0].UserRegistrationStatus != types.RegistrationStatusSuspended ||
		list[1].UserRegistrationStatus != types.RegistrationStatusRegistered {
		t.Errorf("ListUsers = %+v", list)
	}
	// Suspending again is silently ignored.
	out, err = c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &acct, UserIdList: []string{u1}})
	if err != nil || len(out.UserErrors) != 0 {
		t.Errorf("second suspend: %+v, %v", out, err)
	}
	// Non-suspended users block deletion.
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: &acct})
	wantUnprocessable(t, err)

	un, err := c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: &acct,
		UserIdList: []string{u1, u2, unknown, unknown}})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, un.ResultMetadata, 200)
	if codes := userErrorCodes(t, un.UserErrors); len(codes) != 1 || codes[unknown] != types.ErrorCodeNotFound {
		t.Errorf("unsuspend UserErrors = %+v", un.UserErrors)
	}
	for _, id := range ids {
		if u := MustGetUser(t, c, acct, id); u.UserRegistrationStatus != types.RegistrationStatusRegistered {
			t.Errorf("after unsuspend %s = %s", id, u.UserRegistrationStatus)
		}
	}

	// All suspended: the account can go.
	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &acct, UserIdList: ids}); err != nil {
		t.Fatal(err)
	}
	del, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: &acct})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, del.ResultMetadata, 204)
	_, err = c.GetAccount(ctx, &chime.GetAccountInput{AccountId: &acct})
	wantNotFound(t, err)
	_, err = c.GetUser(ctx, &chime.GetUserInput{AccountId: &acct, UserId: &u1})
	wantNotFound(t, err)
	if got := MustListAccounts(t, c, chime.ListAccountsInput{}); slices.Contains(accountIDs(got), acct) {
		t.Errorf("ListAccounts still shows the deleted account")
	}
	// Its users went with it: their addresses are free again.
	team := MustCreateAccount(t, c, "after")
	if inv := MustInvite(t, c, *team.AccountId, "user000@EnterpriseLWA.example.com"); inv[0].Status != types.InviteStatusPending {
		t.Errorf("address of a deleted account's user: %+v", inv[0])
	}
}

func TestSuspendRefusedForDirectoryAccounts(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	for _, typ := range []types.AccountType{types.AccountTypeEnterpriseDirectory, types.AccountTypeEnterpriseOIDC} {
		a := MustAccount(t, s, tenantA, typ)
		u := MustCreateUser(t, c, *a.AccountId, "d@"+string(typ)+".example.com")
		_, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: a.AccountId, UserIdList: []string{*u.UserId}})
		wantBadRequest(t, err)
		_, err = c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: a.AccountId, UserIdList: []string{*u.UserId}})
		wantBadRequest(t, err)
		if got := MustGetUser(t, c, *a.AccountId, *u.UserId); got.UserRegistrationStatus != types.RegistrationStatusRegistered {
			t.Errorf("%s: refused suspend changed the user: %s", typ, got.UserRegistrationStatus)
		}
	}
	unknown := aws.String("4f61d710-c454-4761-b936-b5a799010005")
	_, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: unknown, UserIdList: []string{"x"}})
	wantNotFound(t, err)
	_, err = c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: unknown, UserIdList: []string{"x"}})
	wantNotFound(t, err)
}

func TestDeleteAccountWithUsers(t *testing.T) {
	t.Parallel()
	s, c := setup(t)

	// Team: a pending invitee is enough to block deletion.
	team := MustCreateAccount(t, c, "team")
	inv := MustTeamUser(t, c, *team.AccountId, "invitee@example.com")
	_, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: team.AccountId})
	wantUnprocessable(t, err)
	if got := MustGetAccount(t, c, *team.AccountId); *got.AccountId != *team.AccountId {
		t.Fatalf("account gone after refused delete")
	}
	if u := MustGetUser(t, c, *team.AccountId, inv); u.UserInvitationStatus != types.InviteStatusPending {
		t.Errorf("invitee changed by refused delete: %+v", u)
	}
	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: team.AccountId, UserIdList: []string{inv}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: team.AccountId}); err != nil {
		t.Errorf("delete of an emptied Team account: %v", err)
	}

	// Enterprise accounts: any user that is not suspended blocks deletion.
	for _, typ := range []types.AccountType{types.AccountTypeEnterpriseDirectory, types.AccountTypeEnterpriseOIDC} {
		a := MustAccount(t, s, tenantA, typ)
		MustCreateUser(t, c, *a.AccountId, "blocker@"+string(typ)+".example.com")
		_, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: a.AccountId})
		wantUnprocessable(t, err)
		if got := MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId}); len(got) != 1 {
			t.Errorf("%s: users after refused delete = %d", typ, len(got))
		}
	}
	// An LWA account whose only user is a pending (unregistered) invitee.
	lwa := MustCreateAccount(t, c, "lwa")
	MustTeamUser(t, c, *lwa.AccountId, "unreg@example.com")
	MustSetAccountType(t, s, tenantA, *lwa.AccountId, "EnterpriseLWA")
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: lwa.AccountId})
	wantUnprocessable(t, err)
	// An Enterprise account without users can be deleted.
	empty := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseOIDC)
	if _, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: empty.AccountId}); err != nil {
		t.Errorf("delete of an empty OIDC account: %v", err)
	}
}
