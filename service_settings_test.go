package chime_test

import (
	"slices"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
)

func wantUserSettings(tb testing.TB, e *env, aws, accountID, userID string, want chime.UserSettings) {
	tb.Helper()
	got, err := e.Svc.GetUserSettings(ctx, aws, accountID, userID)
	must(tb, err)
	if got != want {
		tb.Fatalf("user settings = %+v, want %+v", got, want)
	}
}

func TestUserSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("defaults, replace, every account type", func(t *testing.T) {
		aws := newTenant()
		for _, typ := range []chime.AccountType{chime.AccountTeam, chime.AccountEnterpriseLWA,
			chime.AccountEnterpriseDirectory, chime.AccountEnterpriseOIDC} {
			a := MustAccount(t, e, aws, "acct", chime.AccountTeam)
			MustInvite(t, e, aws, a.ID, newEmail("u"))
			u := MustListUsers(t, e, aws, a.ID, 0)[0]
			MustSetType(t, e, aws, a.ID, typ)
			wantUserSettings(t, e, aws, a.ID, u.ID, chime.DefaultUserSettings) // D12: all on
			off := chime.UserSettings{InboundCalling: false, OutboundCalling: true, SMS: false}
			must(t, e.Svc.UpdateUserSettings(ctx, aws, a.ID, u.ID, &off))
			wantUserSettings(t, e, aws, a.ID, u.ID, off)
			none := chime.UserSettings{}
			must(t, e.Svc.UpdateUserSettings(ctx, aws, a.ID, u.ID, &none))
			wantUserSettings(t, e, aws, a.ID, u.ID, none)
			must(t, e.Svc.UpdateUserSettings(ctx, aws, a.ID, u.ID, &chime.DefaultUserSettings))
			wantUserSettings(t, e, aws, a.ID, u.ID, chime.DefaultUserSettings)
		}
	})

	t.Run("per user", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "acct", chime.AccountEnterpriseDirectory)
		u1 := MustCreateUser(t, e, aws, a.ID, newEmail("u"))
		u2 := MustCreateUser(t, e, aws, a.ID, newEmail("u"))
		must(t, e.Svc.UpdateUserSettings(ctx, aws, a.ID, u1.ID, &chime.UserSettings{SMS: true}))
		wantUserSettings(t, e, aws, a.ID, u1.ID, chime.UserSettings{SMS: true})
		wantUserSettings(t, e, aws, a.ID, u2.ID, chime.DefaultUserSettings)
	})

	t.Run("errors", func(t *testing.T) {
		aws, other := newTenant(), newTenant()
		a := MustAccount(t, e, aws, "acct", chime.AccountEnterpriseDirectory)
		b := MustAccount(t, e, aws, "acct", chime.AccountEnterpriseDirectory)
		u := MustCreateUser(t, e, aws, a.ID, newEmail("u"))
		st := &chime.UserSettings{}

		err := e.Svc.UpdateUserSettings(ctx, aws, a.ID, u.ID, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldUserSettings)
		err = e.Svc.UpdateUserSettings(ctx, aws, "no-such-account", u.ID, nil) // validation first (D47)
		wantErr(t, err, chime.EINVALID, chime.FieldUserSettings)

		for _, c := range []struct{ aws, account, user string }{
			{other, a.ID, u.ID},            // another AWS account
			{aws, "no-such-account", u.ID}, // unknown account
			{aws, a.ID, "no-such-user"},    // unknown user
			{aws, b.ID, u.ID},              // user of another account
		} {
			_, err := e.Svc.GetUserSettings(ctx, c.aws, c.account, c.user)
			wantErr(t, err, chime.ENOTFOUND, "")
			err = e.Svc.UpdateUserSettings(ctx, c.aws, c.account, c.user, st)
			wantErr(t, err, chime.ENOTFOUND, "")
		}
		_, err = e.Svc.GetUserSettings(ctx, aws, a.ID, " ")
		wantErr(t, err, chime.EINVALID, chime.FieldUserID)
		err = e.Svc.UpdateUserSettings(ctx, aws, " ", u.ID, st)
		wantErr(t, err, chime.EINVALID, chime.FieldAccountID)
		wantUserSettings(t, e, aws, a.ID, u.ID, chime.DefaultUserSettings)
	})

	t.Run("removed Team user", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "acct", chime.AccountTeam)
		email := newEmail("u")
		MustInvite(t, e, aws, a.ID, email)
		u := MustUserByEmail(t, e, aws, a.ID, email)
		must(t, e.Svc.UpdateUserSettings(ctx, aws, a.ID, u.ID, &chime.UserSettings{}))
		if errs, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{u.ID}); err != nil || len(errs) != 0 {
			t.Fatalf("BatchSuspendUser: %v %v", errs, err)
		}
		_, err := e.Svc.GetUserSettings(ctx, aws, a.ID, u.ID)
		wantErr(t, err, chime.ENOTFOUND, "")
		err = e.Svc.UpdateUserSettings(ctx, aws, a.ID, u.ID, &chime.UserSettings{})
		wantErr(t, err, chime.ENOTFOUND, "")
		must(t, e.Store.Read(ctx, func(tx chime.Tx) error {
			_, err := tx.UserSettings(ctx, a.ID, u.ID)
			wantErr(t, err, chime.ENOTFOUND, "")
			return nil
		}))
		// Invited again: a new user, with the defaults.
		MustInvite(t, e, aws, a.ID, email)
		again := MustUserByEmail(t, e, aws, a.ID, email)
		wantUserSettings(t, e, aws, a.ID, again.ID, chime.DefaultUserSettings)
	})

	t.Run("suspended LWA user keeps them", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "acct", chime.AccountTeam)
		email := newEmail("u")
		MustInvite(t, e, aws, a.ID, email)
		u := MustUserByEmail(t, e, aws, a.ID, email)
		MustSetType(t, e, aws, a.ID, chime.AccountEnterpriseLWA)
		must(t, e.Svc.UpdateUserSettings(ctx, aws, a.ID, u.ID, &chime.UserSettings{SMS: true}))
		if _, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{u.ID}); err != nil {
			t.Fatal(err)
		}
		wantUserSettings(t, e, aws, a.ID, u.ID, chime.UserSettings{SMS: true})
	})

	t.Run("DeleteAccount removes them (D45)", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "acct", chime.AccountTeam)
		email := newEmail("u")
		MustInvite(t, e, aws, a.ID, email)
		u := MustUserByEmail(t, e, aws, a.ID, email)
		MustSetType(t, e, aws, a.ID, chime.AccountEnterpriseLWA)
		must(t, e.Svc.UpdateUserSettings(ctx, aws, a.ID, u.ID, &chime.UserSettings{}))
		if _, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{u.ID}); err != nil {
			t.Fatal(err)
		}
		must(t, e.Svc.DeleteAccount(ctx, aws, a.ID))
		_, err := e.Svc.GetUserSettings(ctx, aws, a.ID, u.ID)
		wantErr(t, err, chime.ENOTFOUND, "")
		must(t, e.Store.Read(ctx, func(tx chime.Tx) error {
			_, err := tx.UserSettings(ctx, a.ID, u.ID)
			wantErr(t, err, chime.ENOTFOUND, "")
			return nil
		}))
	})
}

func wantGroups(tb testing.TB, e *env, aws, accountID string, want ...string) {
	tb.Helper()
	got := MustGetAccount(tb, e, aws, accountID).SigninDelegateGroups
	if !slices.Equal(got, want) {
		tb.Fatalf("SigninDelegateGroups = %q, want %q", got, want)
	}
}

func TestSigninDelegateGroups(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("union and difference, exact names", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "acct", chime.AccountEnterpriseDirectory)
		wantGroups(t, e, aws, a.ID)
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, []string{"Admins", "admins", "Admins", " Ops "}))
		wantGroups(t, e, aws, a.ID, "Admins", "admins", " Ops ")
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, []string{"Sales", "admins"}))
		wantGroups(t, e, aws, a.ID, "Admins", "admins", " Ops ", "Sales")
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, nil)) // no-op
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, []string{}))
		wantGroups(t, e, aws, a.ID, "Admins", "admins", " Ops ", "Sales")

		must(t, e.Svc.DisassociateSigninDelegateGroups(ctx, aws, a.ID, []string{"ADMINS", "Ops", "nobody"})) // ignored
		wantGroups(t, e, aws, a.ID, "Admins", "admins", " Ops ", "Sales")
		must(t, e.Svc.DisassociateSigninDelegateGroups(ctx, aws, a.ID, []string{"admins", " Ops ", "admins"}))
		wantGroups(t, e, aws, a.ID, "Admins", "Sales")
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, []string{"admins"}))
		wantGroups(t, e, aws, a.ID, "Admins", "Sales", "admins")
		must(t, e.Svc.DisassociateSigninDelegateGroups(ctx, aws, a.ID, []string{"Admins", "Sales", "admins"}))
		wantGroups(t, e, aws, a.ID)

		// ListAccounts shows them too.
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, []string{"G"}))
		list := MustListAccounts(t, e, aws, chime.ListAccountsInput{})
		if len(list) != 1 || !slices.Equal(list[0].SigninDelegateGroups, []string{"G"}) {
			t.Fatalf("ListAccounts: %+v", list)
		}
	})

	t.Run("limits (D42)", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "acct", chime.AccountEnterpriseDirectory)
		long := strings.Repeat("é", chime.MaxDelegateGroupNameLen)
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, []string{long}))
		for _, bad := range []string{long + "x", "", " ", "\t\n", "a\x00b", "\xff", "a\x1fb"} {
			err := e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, []string{"ok", bad})
			wantErr(t, err, chime.EINVALID, chime.FieldDelegateGroups)
			// Validation comes before the account lookup (D47).
			err = e.Svc.AssociateSigninDelegateGroups(ctx, aws, "no-such-account", []string{bad})
			wantErr(t, err, chime.EINVALID, chime.FieldDelegateGroups)
		}
		wantGroups(t, e, aws, a.ID, long)

		var names []string
		for i := range chime.MaxDelegateGroups - 1 {
			names = append(names, "g"+strings.Repeat("x", i))
		}
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, names)) // 50 in all
		all := append([]string{long}, names...)
		wantGroups(t, e, aws, a.ID, all...)
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, names[:3])) // already there: fine
		err := e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, []string{"one more"})
		wantErr(t, err, chime.EINVALID, chime.FieldDelegateGroups)
		wantGroups(t, e, aws, a.ID, all...)
		must(t, e.Svc.DisassociateSigninDelegateGroups(ctx, aws, a.ID, []string{long}))
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, []string{"one more"}))
		wantGroups(t, e, aws, a.ID, append(names, "one more")...)

		// One request over the limit on an empty account.
		b := MustAccount(t, e, aws, "acct", chime.AccountEnterpriseDirectory)
		err = e.Svc.AssociateSigninDelegateGroups(ctx, aws, b.ID, append(names, "x", "y"))
		wantErr(t, err, chime.EINVALID, chime.FieldDelegateGroups)
		wantGroups(t, e, aws, b.ID)

		err = e.Svc.DisassociateSigninDelegateGroups(ctx, aws, a.ID, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldDelegateGroups)
		err = e.Svc.DisassociateSigninDelegateGroups(ctx, aws, a.ID, []string{})
		wantErr(t, err, chime.EINVALID, chime.FieldDelegateGroups)
	})

	t.Run("account types and tenancy", func(t *testing.T) {
		aws, other := newTenant(), newTenant()
		for _, typ := range []chime.AccountType{chime.AccountTeam, chime.AccountEnterpriseLWA, chime.AccountEnterpriseOIDC} {
			a := MustAccount(t, e, aws, "acct", typ)
			err := e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, []string{"G"})
			wantErr(t, err, chime.EFORBIDDEN, "")
			if !strings.Contains(err.Error(), "not an Enterprise Chime Account[AWS Account ID: "+aws+"][Chime Account ID: "+a.ID+"]") {
				t.Errorf("message: %v", err)
			}
			err = e.Svc.AssociateSigninDelegateGroups(ctx, aws, a.ID, nil) // even a no-op
			wantErr(t, err, chime.EFORBIDDEN, "")
			err = e.Svc.DisassociateSigninDelegateGroups(ctx, aws, a.ID, []string{"G"})
			wantErr(t, err, chime.EFORBIDDEN, "")
		}
		d := MustAccount(t, e, aws, "acct", chime.AccountEnterpriseDirectory)
		must(t, e.Svc.AssociateSigninDelegateGroups(ctx, aws, d.ID, []string{"G"}))
		err := e.Svc.AssociateSigninDelegateGroups(ctx, other, d.ID, []string{"H"})
		wantErr(t, err, chime.ENOTFOUND, "")
		err = e.Svc.DisassociateSigninDelegateGroups(ctx, other, d.ID, []string{"G"})
		wantErr(t, err, chime.ENOTFOUND, "")
		err = e.Svc.DisassociateSigninDelegateGroups(ctx, aws, "no-such-account", []string{"G"})
		wantErr(t, err, chime.ENOTFOUND, "")
		wantGroups(t, e, aws, d.ID, "G")

		// A type change keeps them; they show again when the account is EnterpriseDirectory once more.
		MustSetType(t, e, aws, d.ID, chime.AccountEnterpriseOIDC)
		err = e.Svc.DisassociateSigninDelegateGroups(ctx, aws, d.ID, []string{"G"})
		wantErr(t, err, chime.EFORBIDDEN, "")
		MustSetType(t, e, aws, d.ID, chime.AccountEnterpriseDirectory)
		wantGroups(t, e, aws, d.ID, "G")

		// DeleteAccount removes them (D45): the account is gone with them.
		must(t, e.Svc.DeleteAccount(ctx, aws, d.ID))
		err = e.Svc.AssociateSigninDelegateGroups(ctx, aws, d.ID, []string{"G"})
		wantErr(t, err, chime.ENOTFOUND, "")
	})
}

func wantGlobal(tb testing.TB, e *env, aws string, want chime.GlobalSettings) {
	tb.Helper()
	got, err := e.Svc.GetGlobalSettings(ctx, aws)
	must(tb, err)
	if got != want {
		tb.Fatalf("global settings = %+v, want %+v", got, want)
	}
}

func TestGlobalSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("patch semantics", func(t *testing.T) {
		aws, other := newTenant(), newTenant()
		wantGlobal(t, e, aws, chime.GlobalSettings{}) // never set (D12)
		must(t, e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{}))
		wantGlobal(t, e, aws, chime.GlobalSettings{})
		must(t, e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{BusinessCallingBucket: ptr("cdr-bucket")}))
		wantGlobal(t, e, aws, chime.GlobalSettings{BusinessCallingBucket: "cdr-bucket"})
		must(t, e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{VoiceConnectorBucket: ptr("vc.cdr-1")}))
		wantGlobal(t, e, aws, chime.GlobalSettings{BusinessCallingBucket: "cdr-bucket", VoiceConnectorBucket: "vc.cdr-1"})
		must(t, e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{BusinessCallingBucket: ptr("")}))
		wantGlobal(t, e, aws, chime.GlobalSettings{VoiceConnectorBucket: "vc.cdr-1"})
		must(t, e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{BusinessCallingBucket: ptr("b12"),
			VoiceConnectorBucket: ptr("")}))
		wantGlobal(t, e, aws, chime.GlobalSettings{BusinessCallingBucket: "b12"})
		wantGlobal(t, e, other, chime.GlobalSettings{}) // per AWS account
	})

	t.Run("bucket names (D43)", func(t *testing.T) {
		aws := newTenant()
		must(t, e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{BusinessCallingBucket: ptr("keep")}))
		for _, good := range []string{"abc", "a-b.c", "0ab", strings.Repeat("a", 63), "my.bucket-1"} {
			if err := chime.ValidateBucketName(chime.FieldBusinessCallingBucket, good); err != nil {
				t.Errorf("%q: %v", good, err)
			}
		}
		for _, bad := range []string{"ab", strings.Repeat("a", 64), "Abc", "a_b", "-ab", "ab-", ".ab", "ab.", "a..b",
			"a b", "ab/c", "ab\x00", "é-bucket"} {
			err := e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{BusinessCallingBucket: ptr(bad)})
			wantErr(t, err, chime.EINVALID, chime.FieldBusinessCallingBucket)
			err = e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{VoiceConnectorBucket: ptr(bad)})
			wantErr(t, err, chime.EINVALID, chime.FieldVoiceConnectorBucket)
			// A bad member refuses the whole request.
			err = e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{BusinessCallingBucket: ptr("fine"),
				VoiceConnectorBucket: ptr(bad)})
			wantErr(t, err, chime.EINVALID, chime.FieldVoiceConnectorBucket)
		}
		wantGlobal(t, e, aws, chime.GlobalSettings{BusinessCallingBucket: "keep"})
	})

	t.Run("reset clears the caller's (D48)", func(t *testing.T) {
		aws, other := newTenant(), newTenant()
		for _, x := range []string{aws, other} {
			must(t, e.Svc.UpdateGlobalSettings(ctx, x, chime.GlobalSettingsPatch{BusinessCallingBucket: ptr("bc-x"),
				VoiceConnectorBucket: ptr("vc-x")}))
		}
		must(t, e.Svc.ResetTenant(ctx, aws))
		wantGlobal(t, e, aws, chime.GlobalSettings{})
		wantGlobal(t, e, other, chime.GlobalSettings{BusinessCallingBucket: "bc-x", VoiceConnectorBucket: "vc-x"})
		must(t, e.Svc.ResetTenant(ctx, aws)) // nothing left: fine
	})

	t.Run("concurrent patches of different members both hold", func(t *testing.T) {
		aws := newTenant()
		done := make(chan error, 2)
		go func() {
			done <- e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{BusinessCallingBucket: ptr("bc-1")})
		}()
		go func() {
			done <- e.Svc.UpdateGlobalSettings(ctx, aws, chime.GlobalSettingsPatch{VoiceConnectorBucket: ptr("vc-1")})
		}()
		must(t, <-done)
		must(t, <-done)
		wantGlobal(t, e, aws, chime.GlobalSettings{BusinessCallingBucket: "bc-1", VoiceConnectorBucket: "vc-1"})
	})
}
