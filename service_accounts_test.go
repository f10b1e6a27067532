package chime_test

import (
	"slices"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
)

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("defaults", func(t *testing.T) {
		aws := newTenant()
		a, err := e.Svc.CreateAccount(ctx, aws, ptr("Acme"))
		must(t, err)
		got := MustGetAccount(t, e, aws, a.ID)
		if got.ID != a.ID || got.Name != "Acme" || got.AwsAccountID != aws || got.Type != chime.AccountTeam ||
			got.DefaultLicense != chime.LicensePro || got.Status != chime.AccountActive ||
			!slices.Equal(got.SupportedLicenses, []chime.License{chime.LicenseBasic, chime.LicensePro}) ||
			!got.CreatedAt.Equal(e.Clock.Now()) || got.Settings != (chime.AccountSettings{}) {
			t.Fatalf("stored account = %+v", got)
		}
		if users := MustListUsers(t, e, aws, a.ID, 0); len(users) != 0 {
			t.Fatalf("new account has %d users", len(users))
		}
	})

	t.Run("duplicate names are fine", func(t *testing.T) {
		aws := newTenant()
		a1 := MustAccount(t, e, aws, "Same", chime.AccountTeam)
		a2 := MustAccount(t, e, aws, "Same", chime.AccountTeam)
		if a1.ID == a2.ID {
			t.Fatal("two accounts share an id")
		}
		wantIDs(t, "accounts", accountIDs(MustListAccounts(t, e, aws, chime.ListAccountsInput{})), []string{a1.ID, a2.ID})
	})

	t.Run("invalid names", func(t *testing.T) {
		aws := newTenant()
		_, err := e.Svc.CreateAccount(ctx, aws, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldName)
		for _, name := range []string{"", " ", "\t\r\n ", "a\x00b", "\xff", strings.Repeat("x", chime.MaxTextLen+1)} {
			_, err := e.Svc.CreateAccount(ctx, aws, &name)
			wantErr(t, err, chime.EINVALID, chime.FieldName)
		}
		if n := len(MustListAccounts(t, e, aws, chime.ListAccountsInput{})); n != 0 {
			t.Fatalf("refused creations left %d accounts", n)
		}
	})
}

func TestGetAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	MustAccount(t, e, aws, "Acme", chime.AccountTeam)

	for _, id := range []string{"", "  ", "a\x00b"} {
		_, err := e.Svc.GetAccount(ctx, aws, id)
		wantErr(t, err, chime.EINVALID, chime.FieldAccountID)
	}
	_, err := e.Svc.GetAccount(ctx, aws, "00000000-0000-0000-0000-000000000000")
	wantErr(t, err, chime.ENOTFOUND, "")
}

func TestUpdateAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("name and supported license apply", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Old", chime.AccountTeam)
		got, err := e.Svc.UpdateAccount(ctx, aws, a.ID, ptr("New"), ptr(chime.LicenseBasic))
		must(t, err)
		if got.Name != "New" || got.DefaultLicense != chime.LicenseBasic {
			t.Fatalf("answer = %+v", got)
		}
		stored := MustGetAccount(t, e, aws, a.ID)
		if stored.Name != "New" || stored.DefaultLicense != chime.LicenseBasic || !stored.CreatedAt.Equal(a.CreatedAt) {
			t.Fatalf("stored = %+v", stored)
		}
		_, err = e.Svc.UpdateAccount(ctx, aws, a.ID, nil, ptr(chime.LicensePro))
		must(t, err)
		if stored := MustGetAccount(t, e, aws, a.ID); stored.Name != "New" || stored.DefaultLicense != chime.LicensePro {
			t.Fatalf("license-only update: stored = %+v", stored)
		}
	})

	t.Run("default license applies to later users only", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		before := MustInvite(t, e, aws, a.ID, newEmail("before"))[0]
		_, err := e.Svc.UpdateAccount(ctx, aws, a.ID, nil, ptr(chime.LicenseBasic))
		must(t, err)
		after := MustInvite(t, e, aws, a.ID, newEmail("after"))[0]
		if u := MustUserByEmail(t, e, aws, a.ID, before.Email); u.License != chime.LicensePro {
			t.Fatalf("existing user license = %s, want Pro (unchanged)", u.License)
		}
		if u := MustUserByEmail(t, e, aws, a.ID, after.Email); u.License != chime.LicenseBasic {
			t.Fatalf("later user license = %s, want Basic (the new default)", u.License)
		}

		dir := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
		_, err = e.Svc.UpdateAccount(ctx, aws, dir.ID, nil, ptr(chime.LicenseBasic))
		must(t, err)
		created := MustCreateUser(t, e, aws, dir.ID, newEmail("created"))
		if u := MustGetUser(t, e, aws, dir.ID, created.ID); u.License != chime.LicenseBasic {
			t.Fatalf("created user license = %s, want Basic (the new default)", u.License)
		}
	})

	t.Run("unsupported or unknown license", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Acme", chime.AccountTeam)
		for _, l := range []chime.License{chime.LicensePlus, chime.LicenseProTrial, "Gold", ""} {
			_, err := e.Svc.UpdateAccount(ctx, aws, a.ID, ptr("Renamed"), &l)
			wantErr(t, err, chime.EINVALID, chime.FieldLicense)
		}
		if got := MustGetAccount(t, e, aws, a.ID); got.Name != "Acme" || got.DefaultLicense != chime.LicensePro {
			t.Fatalf("refused updates changed the account: %+v", got)
		}
	})

	t.Run("nothing to change", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Acme", chime.AccountTeam)
		before := MustGetAccount(t, e, aws, a.ID)
		got, err := e.Svc.UpdateAccount(ctx, aws, a.ID, nil, nil)
		must(t, err)
		if got.ID != a.ID || got.Name != "Acme" || got.DefaultLicense != chime.LicensePro {
			t.Fatalf("answer = %+v", got)
		}
		after := MustGetAccount(t, e, aws, a.ID)
		if after.Name != before.Name || after.DefaultLicense != before.DefaultLicense || after.Type != before.Type ||
			after.Seq != before.Seq {
			t.Fatalf("account changed: %+v, was %+v", after, before)
		}
	})

	t.Run("invalid name", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Acme", chime.AccountTeam)
		for _, name := range []string{"", "   ", "x\x00"} {
			_, err := e.Svc.UpdateAccount(ctx, aws, a.ID, &name, nil)
			wantErr(t, err, chime.EINVALID, chime.FieldName)
		}
		if got := MustGetAccount(t, e, aws, a.ID); got.Name != "Acme" {
			t.Fatalf("name = %q", got.Name)
		}
	})

	t.Run("input is checked before the account", func(t *testing.T) {
		_, err := e.Svc.UpdateAccount(ctx, newTenant(), "no-such-account", nil, ptr(chime.License("Gold")))
		wantErr(t, err, chime.EINVALID, chime.FieldLicense)
		_, err = e.Svc.UpdateAccount(ctx, newTenant(), "no-such-account", ptr("Name"), nil)
		wantErr(t, err, chime.ENOTFOUND, "")
	})
}

func TestDeleteAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	wantGone := func(t *testing.T, aws string, a *chime.Account) {
		t.Helper()
		_, err := e.Svc.GetAccount(ctx, aws, a.ID)
		wantErr(t, err, chime.ENOTFOUND, "")
		_, _, err = e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{})
		wantErr(t, err, chime.ENOTFOUND, "")
		_, err = e.Svc.UpdateAccount(ctx, aws, a.ID, ptr("x"), nil)
		wantErr(t, err, chime.ENOTFOUND, "")
		wantErr(t, e.Svc.DeleteAccount(ctx, aws, a.ID), chime.ENOTFOUND, "")
		if slices.Contains(accountIDs(MustListAccounts(t, e, aws, chime.ListAccountsInput{})), a.ID) {
			t.Fatal("ListAccounts still shows the deleted account")
		}
	}

	t.Run("empty account of each type", func(t *testing.T) {
		for _, typ := range chime.AccountTypes {
			aws := newTenant()
			a := MustAccount(t, e, aws, "Empty", typ)
			must(t, e.Svc.DeleteAccount(ctx, aws, a.ID))
			wantGone(t, aws, a)
		}
	})

	t.Run("Team with a pending invitee", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		inv := MustInvite(t, e, aws, a.ID, newEmail("pending"))[0]
		wantErr(t, e.Svc.DeleteAccount(ctx, aws, a.ID), chime.EUNPROCESSABLE, "")
		u := MustUserByEmail(t, e, aws, a.ID, inv.Email) // account and user still there

		errs, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{u.ID})
		must(t, err)
		if len(errs) != 0 {
			t.Fatalf("suspend: %+v", errs)
		}
		keep := MustAccount(t, e, aws, "Keep", chime.AccountTeam)
		MustInvite(t, e, aws, keep.ID, newEmail("kept"))
		if n := outboxOf(t, e, aws, a.ID); n != 1 {
			t.Fatalf("outbox holds %d messages of the account, want 1", n)
		}
		must(t, e.Svc.DeleteAccount(ctx, aws, a.ID))
		wantGone(t, aws, a)
		if n := outboxOf(t, e, aws, a.ID); n != 0 {
			t.Fatalf("outbox still holds %d messages of the deleted account", n)
		}
		if n := outboxOf(t, e, aws, keep.ID); n != 1 {
			t.Fatalf("outbox holds %d messages of the other account, want 1", n)
		}
	})

	t.Run("Team with a registered member", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		MustMember(t, e, aws, a.ID, newEmail("member"))
		wantErr(t, e.Svc.DeleteAccount(ctx, aws, a.ID), chime.EUNPROCESSABLE, "")
		MustGetAccount(t, e, aws, a.ID)
	})

	for _, typ := range []chime.AccountType{chime.AccountEnterpriseDirectory, chime.AccountEnterpriseOIDC,
		chime.AccountEnterpriseLWA} {
		t.Run(string(typ)+" with users", func(t *testing.T) {
			aws := newTenant()
			a := MustAccount(t, e, aws, "Corp", chime.AccountEnterpriseDirectory)
			kept := MustCreateUser(t, e, aws, a.ID, newEmail("kept"))
			gone := MustCreateUser(t, e, aws, a.ID, newEmail("gone"))
			MustSetType(t, e, aws, a.ID, chime.AccountEnterpriseLWA)
			if _, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{gone.ID}); err != nil {
				t.Fatal(err)
			}
			MustSetType(t, e, aws, a.ID, typ)

			// One registered user left: refused, nothing deleted.
			wantErr(t, e.Svc.DeleteAccount(ctx, aws, a.ID), chime.EUNPROCESSABLE, "")
			MustGetUser(t, e, aws, a.ID, kept.ID)

			// Only suspended users left: deleted, with them.
			MustSetType(t, e, aws, a.ID, chime.AccountEnterpriseLWA)
			if _, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{kept.ID}); err != nil {
				t.Fatal(err)
			}
			MustSetType(t, e, aws, a.ID, typ)
			must(t, e.Svc.DeleteAccount(ctx, aws, a.ID))
			wantGone(t, aws, a)

			// The users went with the account: their addresses are free again in the AWS account.
			other := MustAccount(t, e, aws, "Other", chime.AccountEnterpriseDirectory)
			MustCreateUser(t, e, aws, other.ID, kept.Email)
			MustCreateUser(t, e, aws, other.ID, gone.Email)
		})
	}

	t.Run("unknown or blank id", func(t *testing.T) {
		aws := newTenant()
		wantErr(t, e.Svc.DeleteAccount(ctx, aws, "no-such-account"), chime.ENOTFOUND, "")
		wantErr(t, e.Svc.DeleteAccount(ctx, aws, " "), chime.EINVALID, chime.FieldAccountID)
	})
}

// outboxOf counts the outbox messages of aws about account accountID.
func outboxOf(tb testing.TB, e *env, aws, accountID string) int {
	tb.Helper()
	msgs, err := e.Svc.Outbox(ctx, aws)
	must(tb, err)
	n := 0
	for _, m := range msgs {
		if m.AccountID == accountID {
			n++
		}
	}
	return n
}

func TestAccountSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "Acme", chime.AccountTeam)

	s, err := e.Svc.GetAccountSettings(ctx, aws, a.ID)
	must(t, err)
	if s != (chime.AccountSettings{}) {
		t.Fatalf("defaults = %+v, want both false", s)
	}
	must(t, e.Svc.UpdateAccountSettings(ctx, aws, a.ID, &chime.AccountSettingsPatch{EnableDialOut: ptr(true)}))
	must(t, e.Svc.UpdateAccountSettings(ctx, aws, a.ID, &chime.AccountSettingsPatch{DisableRemoteControl: ptr(true)}))
	if s, _ := e.Svc.GetAccountSettings(ctx, aws, a.ID); s != (chime.AccountSettings{DisableRemoteControl: true, EnableDialOut: true}) {
		t.Fatalf("after two patches = %+v, want both true", s)
	}
	must(t, e.Svc.UpdateAccountSettings(ctx, aws, a.ID, &chime.AccountSettingsPatch{EnableDialOut: ptr(false)}))
	if s, _ := e.Svc.GetAccountSettings(ctx, aws, a.ID); s != (chime.AccountSettings{DisableRemoteControl: true}) {
		t.Fatalf("after third patch = %+v", s)
	}
	wantErr(t, e.Svc.UpdateAccountSettings(ctx, aws, a.ID, nil), chime.EINVALID, "")
}

func TestSetAccountType(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "Corp", chime.AccountEnterpriseDirectory)
	u := MustCreateUser(t, e, aws, a.ID, newEmail("u"))

	MustSetType(t, e, aws, a.ID, chime.AccountEnterpriseLWA)
	if got := MustGetAccount(t, e, aws, a.ID); got.Type != chime.AccountEnterpriseLWA {
		t.Fatalf("stored type = %s", got.Type)
	}
	if got := MustGetUser(t, e, aws, a.ID, u.ID); got.RegistrationStatus != chime.Registered || got.PIN != u.PIN {
		t.Fatalf("conversion changed the user: %+v", got)
	}
	_, err := e.Svc.SetAccountType(ctx, aws, a.ID, nil)
	wantErr(t, err, chime.EINVALID, chime.FieldAccountType)
	_, err = e.Svc.SetAccountType(ctx, aws, a.ID, ptr("Enterprise"))
	wantErr(t, err, chime.EINVALID, chime.FieldAccountType)
	if got := MustGetAccount(t, e, aws, a.ID); got.Type != chime.AccountEnterpriseLWA {
		t.Fatalf("refused conversion changed the type to %s", got.Type)
	}
}

// TestTenancy: an account of one AWS account is invisible to every other: every operation scoped to it is
// NotFound, and nothing changes.
func TestTenancy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner, other := newTenant(), newTenant()
	team := MustAccount(t, e, owner, "Team", chime.AccountTeam)
	member, _ := MustMember(t, e, owner, team.ID, newEmail("member"))
	dir := MustAccount(t, e, owner, "Dir", chime.AccountEnterpriseDirectory)
	du := MustCreateUser(t, e, owner, dir.ID, newEmail("dir"))
	lwa := MustAccount(t, e, owner, "LWA", chime.AccountEnterpriseLWA)

	calls := map[string]func() error{
		"GetAccount": func() error { _, err := e.Svc.GetAccount(ctx, other, team.ID); return err },
		"GetAccountSettings": func() error {
			_, err := e.Svc.GetAccountSettings(ctx, other, team.ID)
			return err
		},
		"UpdateAccount": func() error { _, err := e.Svc.UpdateAccount(ctx, other, team.ID, ptr("x"), nil); return err },
		"UpdateAccountSettings": func() error {
			return e.Svc.UpdateAccountSettings(ctx, other, team.ID, &chime.AccountSettingsPatch{EnableDialOut: ptr(true)})
		},
		"SetAccountType": func() error {
			_, err := e.Svc.SetAccountType(ctx, other, team.ID, ptr(string(chime.AccountEnterpriseLWA)))
			return err
		},
		"DeleteAccount": func() error { return e.Svc.DeleteAccount(ctx, other, lwa.ID) },
		"ListUsers": func() error {
			_, _, err := e.Svc.ListUsers(ctx, other, team.ID, chime.ListUsersInput{})
			return err
		},
		"GetUser": func() error { _, err := e.Svc.GetUser(ctx, other, team.ID, member.ID); return err },
		"UpdateUser": func() error {
			_, err := e.Svc.UpdateUser(ctx, other, team.ID, member.ID, chime.UserPatch{LicenseType: ptr(chime.LicenseBasic)})
			return err
		},
		"BatchUpdateUser": func() error {
			_, err := e.Svc.BatchUpdateUser(ctx, other, team.ID,
				[]chime.UserPatch{{UserID: member.ID, LicenseType: ptr(chime.LicenseBasic)}})
			return err
		},
		"CreateUser": func() error {
			_, err := e.Svc.CreateUser(ctx, other, dir.ID, chime.CreateUserInput{Email: ptr(newEmail("x"))})
			return err
		},
		"InviteUsers": func() error {
			_, err := e.Svc.InviteUsers(ctx, other, team.ID, []string{newEmail("x")}, nil)
			return err
		},
		"BatchSuspendUser": func() error {
			_, err := e.Svc.BatchSuspendUser(ctx, other, team.ID, []string{member.ID})
			return err
		},
		"BatchUnsuspendUser": func() error {
			_, err := e.Svc.BatchUnsuspendUser(ctx, other, lwa.ID, []string{member.ID})
			return err
		},
		"ResetPersonalPIN": func() error { _, err := e.Svc.ResetPersonalPIN(ctx, other, dir.ID, du.ID); return err },
		"LogoutUser":       func() error { return e.Svc.LogoutUser(ctx, other, team.ID, member.ID) },
		"RegisterUser": func() error {
			_, err := e.Svc.RegisterUser(ctx, other, team.ID, member.ID, nil)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) { wantErr(t, call(), chime.ENOTFOUND, "") })
	}

	t.Run("nothing changed", func(t *testing.T) {
		if got := MustGetAccount(t, e, owner, team.ID); got.Name != "Team" || got.Type != chime.AccountTeam ||
			got.Settings != (chime.AccountSettings{}) {
			t.Fatalf("team account = %+v", got)
		}
		MustGetAccount(t, e, owner, lwa.ID)
		if got := MustGetUser(t, e, owner, team.ID, member.ID); got.License != chime.LicensePro ||
			got.RegistrationStatus != chime.Registered {
			t.Fatalf("member = %+v", got)
		}
		if got := MustGetUser(t, e, owner, dir.ID, du.ID); got.PIN != du.PIN {
			t.Fatalf("PIN changed from %s to %s", du.PIN, got.PIN)
		}
		if n := len(MustListUsers(t, e, owner, team.ID, 0)); n != 1 {
			t.Fatalf("team has %d users, want 1", n)
		}
		if n := len(MustListUsers(t, e, owner, dir.ID, 0)); n != 1 {
			t.Fatalf("directory has %d users, want 1", n)
		}
	})

	t.Run("ListAccounts shows only the caller's", func(t *testing.T) {
		if n := len(MustListAccounts(t, e, other, chime.ListAccountsInput{})); n != 0 {
			t.Fatalf("other AWS account lists %d accounts", n)
		}
		if n := len(MustListAccounts(t, e, other, chime.ListAccountsInput{UserEmail: &member.Email})); n != 0 {
			t.Fatalf("other AWS account finds %d accounts by a member's address", n)
		}
		wantIDs(t, "owner's accounts", accountIDs(MustListAccounts(t, e, owner, chime.ListAccountsInput{})),
			[]string{team.ID, dir.ID, lwa.ID})
	})
}
