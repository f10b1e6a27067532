package chime_test

import (
	"strings"
	"sync"
	"testing"

	chime "github.com/chimed/chimed"
)

// TestCreateUserAccountTypes: CreateUser is allowed only on EnterpriseDirectory and EnterpriseOIDC accounts (D1).
func TestCreateUserAccountTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, typ := range chime.AccountTypes {
		t.Run(string(typ), func(t *testing.T) {
			aws := newTenant()
			a := MustAccount(t, e, aws, "Acct", typ)
			email := newEmail("New.User")
			u, err := e.Svc.CreateUser(ctx, aws, a.ID, chime.CreateUserInput{Email: &email, Username: ptr("Ann")})
			if typ == chime.AccountTeam || typ == chime.AccountEnterpriseLWA {
				wantErr(t, err, chime.EINVALID, "")
				if n := len(MustListUsers(t, e, aws, a.ID, 0)); n != 0 {
					t.Fatalf("refused CreateUser left %d users", n)
				}
				return
			}
			must(t, err)
			got := MustGetUser(t, e, aws, a.ID, u.ID)
			now := e.Clock.Now()
			if got.AccountID != a.ID || got.AwsAccountID != aws || got.Email != email || got.DisplayName != "Ann" ||
				got.License != chime.LicensePro || got.Type != chime.UserPrivate ||
				got.RegistrationStatus != chime.Registered || !got.RegisteredOn.Equal(now) || !got.CreatedAt.Equal(now) ||
				got.InvitationStatus != "" || got.InviteID != "" || !got.InvitedOn.IsZero() {
				t.Fatalf("stored user = %+v", got)
			}
			wantPIN(t, got.PIN)
			if got.PIN != u.PIN {
				t.Fatalf("stored PIN %s, answered %s", got.PIN, u.PIN)
			}
		})
	}

	t.Run("unknown account is NotFound, not a type refusal", func(t *testing.T) {
		_, err := e.Svc.CreateUser(ctx, newTenant(), "no-such-account", chime.CreateUserInput{Email: ptr(newEmail("x"))})
		wantErr(t, err, chime.ENOTFOUND, "")
	})
}

func TestCreateUserInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)

	t.Run("email is required, and checked before the account", func(t *testing.T) {
		_, err := e.Svc.CreateUser(ctx, aws, a.ID, chime.CreateUserInput{})
		wantErr(t, err, chime.EINVALID, chime.FieldEmail)
		_, err = e.Svc.CreateUser(ctx, aws, "no-such-account", chime.CreateUserInput{})
		wantErr(t, err, chime.EINVALID, chime.FieldEmail)
	})

	bad := []struct {
		name  string
		in    chime.CreateUserInput
		field chime.Field
	}{
		{"blank email", chime.CreateUserInput{Email: ptr(" \t")}, chime.FieldEmail},
		{"empty email", chime.CreateUserInput{Email: ptr("")}, chime.FieldEmail},
		{"NUL in email", chime.CreateUserInput{Email: ptr("a\x00@example.com")}, chime.FieldEmail},
		{"NUL in username", chime.CreateUserInput{Email: ptr(newEmail("u")), Username: ptr("A\x00")}, chime.FieldUsername},
		{"long username", chime.CreateUserInput{Email: ptr(newEmail("u")),
			Username: ptr(strings.Repeat("é", chime.MaxTextLen+1))}, chime.FieldUsername},
		{"unknown user type", chime.CreateUserInput{Email: ptr(newEmail("u")), UserType: ptr(chime.UserType("Robot"))},
			chime.FieldUserType},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.Svc.CreateUser(ctx, aws, a.ID, c.in)
			wantErr(t, err, chime.EINVALID, c.field)
		})
	}

	t.Run("blank account id", func(t *testing.T) {
		_, err := e.Svc.CreateUser(ctx, aws, " ", chime.CreateUserInput{Email: ptr(newEmail("u"))})
		wantErr(t, err, chime.EINVALID, chime.FieldAccountID)
	})

	t.Run("nothing was created", func(t *testing.T) {
		if n := len(MustListUsers(t, e, aws, a.ID, 0)); n != 0 {
			t.Fatalf("refused requests left %d users", n)
		}
	})

	t.Run("shared device", func(t *testing.T) {
		u, err := e.Svc.CreateUser(ctx, aws, a.ID, chime.CreateUserInput{Email: ptr(newEmail("dev")),
			UserType: ptr(chime.UserSharedDevice)})
		must(t, err)
		if got := MustGetUser(t, e, aws, a.ID, u.ID); got.Type != chime.UserSharedDevice || got.DisplayName != "" {
			t.Fatalf("stored user = %+v", got)
		}
	})
}

// TestEmailIdentity: an address belongs to at most one user per AWS account, case-insensitively (D10).
func TestEmailIdentity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("taken in the same account, any case", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
		first := MustCreateUser(t, e, aws, a.ID, "Jane.Doe@Example.com")
		for _, email := range []string{"Jane.Doe@Example.com", "jane.doe@example.com", "JANE.DOE@EXAMPLE.COM"} {
			_, err := e.Svc.CreateUser(ctx, aws, a.ID, chime.CreateUserInput{Email: &email})
			wantErr(t, err, chime.ECONFLICT, "")
		}
		users := MustListUsers(t, e, aws, a.ID, 0)
		if len(users) != 1 || users[0].ID != first.ID || users[0].Email != "Jane.Doe@Example.com" {
			t.Fatalf("users = %+v, want only the first, its address as supplied", users)
		}
	})

	t.Run("taken in another account of the same AWS account", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
		b := MustAccount(t, e, aws, "OIDC", chime.AccountEnterpriseOIDC)
		MustCreateUser(t, e, aws, a.ID, "sam@example.com")
		_, err := e.Svc.CreateUser(ctx, aws, b.ID, chime.CreateUserInput{Email: ptr("Sam@Example.COM")})
		wantErr(t, err, chime.ECONFLICT, "")
		if n := len(MustListUsers(t, e, aws, b.ID, 0)); n != 0 {
			t.Fatalf("conflicting CreateUser left %d users", n)
		}
	})

	t.Run("held by a pending invitee of a Team account", func(t *testing.T) {
		aws := newTenant()
		team := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		dir := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
		MustInvite(t, e, aws, team.ID, "invitee@example.com")
		_, err := e.Svc.CreateUser(ctx, aws, dir.ID, chime.CreateUserInput{Email: ptr("INVITEE@example.com")})
		wantErr(t, err, chime.ECONFLICT, "")
	})

	t.Run("freed when a Team user is removed", func(t *testing.T) {
		aws := newTenant()
		team := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		dir := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
		MustInvite(t, e, aws, team.ID, "leaver@example.com")
		u := MustUserByEmail(t, e, aws, team.ID, "leaver@example.com")
		if errs, err := e.Svc.BatchSuspendUser(ctx, aws, team.ID, []string{u.ID}); err != nil || len(errs) != 0 {
			t.Fatalf("suspend: %v %+v", err, errs)
		}
		MustCreateUser(t, e, aws, dir.ID, "Leaver@example.com")
	})

	t.Run("concurrent creations: one wins", func(t *testing.T) {
		aws := newTenant()
		accts := []*chime.Account{MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory),
			MustAccount(t, e, aws, "OIDC", chime.AccountEnterpriseOIDC)}
		emails := []string{"race@example.com", "RACE@example.com", "Race@Example.com", "race@EXAMPLE.COM"}
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = e.Svc.CreateUser(ctx, aws, accts[i%2].ID, chime.CreateUserInput{Email: &emails[i%4]})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else if chime.ErrorCode(err) != chime.ECONFLICT {
				t.Fatalf("a losing CreateUser: %v, want Conflict", err)
			}
		}
		users := len(MustListUsers(t, e, aws, accts[0].ID, 0)) + len(MustListUsers(t, e, aws, accts[1].ID, 0))
		if won != 1 || users != 1 {
			t.Fatalf("%d creations succeeded and %d users exist, want 1 and 1", won, users)
		}
	})

	t.Run("another AWS account may hold the same address", func(t *testing.T) {
		aws1, aws2 := newTenant(), newTenant()
		a1 := MustAccount(t, e, aws1, "Dir", chime.AccountEnterpriseDirectory)
		a2 := MustAccount(t, e, aws2, "Dir", chime.AccountEnterpriseDirectory)
		u1 := MustCreateUser(t, e, aws1, a1.ID, "shared@example.com")
		u2 := MustCreateUser(t, e, aws2, a2.ID, "Shared@example.com")
		if u1.ID == u2.ID || u1.PIN == u2.PIN {
			t.Fatalf("two users share an id or a PIN: %+v %+v", u1, u2)
		}
		if got := MustGetUser(t, e, aws2, a2.ID, u2.ID); got.Email != "Shared@example.com" {
			t.Fatalf("email = %q", got.Email)
		}
	})

	t.Run("filters match any case", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
		MustAccount(t, e, aws, "Other", chime.AccountEnterpriseDirectory)
		u := MustCreateUser(t, e, aws, a.ID, "Mixed.Case@Example.com")
		MustCreateUser(t, e, aws, a.ID, newEmail("else"))
		list, next, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{UserEmail: ptr("mixed.case@EXAMPLE.com")})
		must(t, err)
		if len(list) != 1 || list[0].ID != u.ID || list[0].Email != "Mixed.Case@Example.com" || next != "" {
			t.Fatalf("ListUsers by email = %+v, %q", list, next)
		}
		accts := MustListAccounts(t, e, aws, chime.ListAccountsInput{UserEmail: ptr("MIXED.CASE@example.COM")})
		wantIDs(t, "accounts by user email", accountIDs(accts), []string{a.ID})
	})
}

func TestGetUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
	b := MustAccount(t, e, aws, "Dir2", chime.AccountEnterpriseDirectory)
	u := MustCreateUser(t, e, aws, a.ID, newEmail("u"))

	if got := MustGetUser(t, e, aws, a.ID, u.ID); got.ID != u.ID || got.PIN != u.PIN {
		t.Fatalf("GetUser = %+v", got)
	}
	_, err := e.Svc.GetUser(ctx, aws, b.ID, u.ID) // same AWS account, another Chime account
	wantErr(t, err, chime.ENOTFOUND, "")
	_, err = e.Svc.GetUser(ctx, aws, a.ID, "no-such-user")
	wantErr(t, err, chime.ENOTFOUND, "")
	for _, id := range []string{"", "\n", "x\x00"} {
		_, err = e.Svc.GetUser(ctx, aws, a.ID, id)
		wantErr(t, err, chime.EINVALID, chime.FieldUserID)
	}
	_, err = e.Svc.GetUser(ctx, aws, "", u.ID)
	wantErr(t, err, chime.EINVALID, chime.FieldAccountID)
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)

	t.Run("supported license, type and Alexa apply", func(t *testing.T) {
		u := MustCreateUser(t, e, aws, a.ID, newEmail("u"))
		got, err := e.Svc.UpdateUser(ctx, aws, a.ID, u.ID, chime.UserPatch{LicenseType: ptr(chime.LicenseBasic),
			UserType: ptr(chime.UserSharedDevice), Alexa: &chime.AlexaPatch{Enabled: ptr(true), RoomARN: ptr("arn:room")}})
		must(t, err)
		if got.PIN != u.PIN {
			t.Fatalf("answer PIN = %q, want %q", got.PIN, u.PIN)
		}
		stored := MustGetUser(t, e, aws, a.ID, u.ID)
		if stored.License != chime.LicenseBasic || stored.Type != chime.UserSharedDevice || !stored.AlexaEnabled ||
			stored.AlexaRoomARN != "arn:room" || stored.Email != u.Email || stored.PIN != u.PIN {
			t.Fatalf("stored = %+v", stored)
		}
		// A patch changes only what it names.
		_, err = e.Svc.UpdateUser(ctx, aws, a.ID, u.ID, chime.UserPatch{Alexa: &chime.AlexaPatch{Enabled: ptr(false)}})
		must(t, err)
		stored = MustGetUser(t, e, aws, a.ID, u.ID)
		if stored.License != chime.LicenseBasic || stored.Type != chime.UserSharedDevice || stored.AlexaEnabled ||
			stored.AlexaRoomARN != "arn:room" {
			t.Fatalf("after a partial patch = %+v", stored)
		}
	})

	t.Run("unsupported or unknown license", func(t *testing.T) {
		u := MustCreateUser(t, e, aws, a.ID, newEmail("u"))
		for _, l := range []chime.License{chime.LicensePlus, chime.LicenseProTrial, "Gold"} {
			_, err := e.Svc.UpdateUser(ctx, aws, a.ID, u.ID, chime.UserPatch{LicenseType: &l,
				UserType: ptr(chime.UserSharedDevice)})
			wantErr(t, err, chime.EINVALID, chime.FieldLicense)
		}
		if got := MustGetUser(t, e, aws, a.ID, u.ID); got.License != chime.LicensePro || got.Type != chime.UserPrivate {
			t.Fatalf("refused updates changed the user: %+v", got)
		}
	})

	t.Run("invalid values", func(t *testing.T) {
		u := MustCreateUser(t, e, aws, a.ID, newEmail("u"))
		_, err := e.Svc.UpdateUser(ctx, aws, a.ID, u.ID, chime.UserPatch{UserType: ptr(chime.UserType("Robot"))})
		wantErr(t, err, chime.EINVALID, chime.FieldUserType)
		_, err = e.Svc.UpdateUser(ctx, aws, a.ID, u.ID, chime.UserPatch{Alexa: &chime.AlexaPatch{RoomARN: ptr("a\x00")}})
		wantErr(t, err, chime.EINVALID, chime.FieldAlexaRoomARN)
		_, err = e.Svc.UpdateUser(ctx, aws, a.ID, "no-such-user", chime.UserPatch{LicenseType: ptr(chime.LicenseBasic)})
		wantErr(t, err, chime.ENOTFOUND, "")
		_, err = e.Svc.UpdateUser(ctx, aws, a.ID, " ", chime.UserPatch{})
		wantErr(t, err, chime.EINVALID, chime.FieldUserID)
	})
}

func TestBatchUpdateUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
	u1 := MustCreateUser(t, e, aws, a.ID, newEmail("u1"))
	u2 := MustCreateUser(t, e, aws, a.ID, newEmail("u2"))

	t.Run("best effort, duplicates once", func(t *testing.T) {
		errs, err := e.Svc.BatchUpdateUser(ctx, aws, a.ID, []chime.UserPatch{
			{UserID: u1.ID, LicenseType: ptr(chime.LicenseBasic)},
			{UserID: "no-such-user", LicenseType: ptr(chime.LicenseBasic)},
			{UserID: u2.ID, LicenseType: ptr(chime.LicensePlus)},
			{UserID: u1.ID, UserType: ptr(chime.UserSharedDevice)}, // repeat: skipped
			{UserID: "no-such-user"},                               // repeat: reported once
		})
		must(t, err)
		if len(errs) != 2 || errs[0].UserID != "no-such-user" || errs[0].Code != chime.ENOTFOUND ||
			errs[1].UserID != u2.ID || errs[1].Code != chime.EINVALID {
			t.Fatalf("UserErrors = %+v", errs)
		}
		if got := MustGetUser(t, e, aws, a.ID, u1.ID); got.License != chime.LicenseBasic || got.Type != chime.UserPrivate {
			t.Fatalf("u1 = %+v, want Basic (first item) and PrivateUser (repeat skipped)", got)
		}
		if got := MustGetUser(t, e, aws, a.ID, u2.ID); got.License != chime.LicensePro {
			t.Fatalf("u2 license = %s, want Pro (refused)", got.License)
		}
	})

	t.Run("malformed requests", func(t *testing.T) {
		_, err := e.Svc.BatchUpdateUser(ctx, aws, a.ID, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldUserIDs)
		_, err = e.Svc.BatchUpdateUser(ctx, aws, a.ID, []chime.UserPatch{{UserID: u1.ID,
			LicenseType: ptr(chime.LicenseBasic)}, {UserID: " "}})
		wantErr(t, err, chime.EINVALID, chime.FieldUserIDs)
		_, err = e.Svc.BatchUpdateUser(ctx, aws, a.ID, []chime.UserPatch{{UserID: u2.ID, LicenseType: ptr(chime.License("Gold"))}})
		wantErr(t, err, chime.EINVALID, chime.FieldLicense)
		_, err = e.Svc.BatchUpdateUser(ctx, aws, a.ID, make([]chime.UserPatch, chime.MaxBatch+1))
		wantErr(t, err, chime.EINVALID, chime.FieldUserIDs)
		_, err = e.Svc.BatchUpdateUser(ctx, aws, "no-such-account", []chime.UserPatch{{UserID: u1.ID}})
		wantErr(t, err, chime.ENOTFOUND, "")
		if got := MustGetUser(t, e, aws, a.ID, u2.ID); got.License != chime.LicensePro {
			t.Fatalf("a refused batch changed u2: %+v", got)
		}
	})
}

// TestPINs: personal PINs are 10 digits, unique server-wide, and a reset always changes them (D11).
func TestPINs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)

	e.PINs.Force("1234567890")
	first := MustCreateUser(t, e, aws, a.ID, newEmail("first"))
	if first.PIN != "1234567890" {
		t.Fatalf("PIN = %q: the test's PIN source is not used", first.PIN)
	}

	t.Run("CreateUser never reuses a PIN", func(t *testing.T) {
		e.PINs.Force("1234567890") // drawn first, taken: drawn again
		u := MustCreateUser(t, e, aws, a.ID, newEmail("second"))
		wantPIN(t, u.PIN)
		if u.PIN == first.PIN {
			t.Fatal("a second user got a PIN already held")
		}
		if got := MustGetUser(t, e, aws, a.ID, u.ID); got.PIN != u.PIN {
			t.Fatalf("stored PIN %q, answered %q", got.PIN, u.PIN)
		}
	})

	t.Run("unique across AWS accounts", func(t *testing.T) {
		aws2 := newTenant()
		b := MustAccount(t, e, aws2, "Dir", chime.AccountEnterpriseDirectory)
		e.PINs.Force(first.PIN)
		u := MustCreateUser(t, e, aws2, b.ID, newEmail("elsewhere"))
		wantPIN(t, u.PIN)
		if u.PIN == first.PIN {
			t.Fatal("a user of another AWS account got a PIN already held")
		}
	})

	t.Run("ResetPersonalPIN gives a different one", func(t *testing.T) {
		u := MustCreateUser(t, e, aws, a.ID, newEmail("reset"))
		e.PINs.Force(u.PIN)     // the old PIN: skipped
		e.PINs.Force(first.PIN) // another user's: skipped
		e.PINs.Force("0000000042")
		got, err := e.Svc.ResetPersonalPIN(ctx, aws, a.ID, u.ID)
		must(t, err)
		if got.PIN != "0000000042" {
			t.Fatalf("new PIN = %q, want 0000000042 (the first free draw that differs from %s)", got.PIN, u.PIN)
		}
		if stored := MustGetUser(t, e, aws, a.ID, u.ID); stored.PIN != "0000000042" {
			t.Fatalf("stored PIN = %q", stored.PIN)
		}
		for i := 0; i < 5; i++ {
			prev := MustGetUser(t, e, aws, a.ID, u.ID).PIN
			got, err := e.Svc.ResetPersonalPIN(ctx, aws, a.ID, u.ID)
			must(t, err)
			wantPIN(t, got.PIN)
			if got.PIN == prev {
				t.Fatalf("reset kept PIN %s", prev)
			}
		}
	})

	t.Run("a pending invitee has none until a reset", func(t *testing.T) {
		team := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		inv := MustInvite(t, e, aws, team.ID, newEmail("invitee"))[0]
		u := MustUserByEmail(t, e, aws, team.ID, inv.Email)
		if u.PIN != "" {
			t.Fatalf("pending invitee has PIN %q", u.PIN)
		}
		got, err := e.Svc.ResetPersonalPIN(ctx, aws, team.ID, u.ID)
		must(t, err)
		wantPIN(t, got.PIN)
		if stored := MustGetUser(t, e, aws, team.ID, u.ID); stored.PIN != got.PIN {
			t.Fatalf("stored PIN %q, answered %q", stored.PIN, got.PIN)
		}
	})

	t.Run("ListUsers never shows PINs", func(t *testing.T) {
		for _, u := range MustListUsers(t, e, aws, a.ID, 0) {
			if u.PIN != "" {
				t.Fatalf("ListUsers shows PIN of %s", u.ID)
			}
		}
	})

	t.Run("unknown user", func(t *testing.T) {
		_, err := e.Svc.ResetPersonalPIN(ctx, aws, a.ID, "no-such-user")
		wantErr(t, err, chime.ENOTFOUND, "")
	})
}
