package sqlstore_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

const (
	aws1 = "111122223333"
	aws2 = "444455556666"
)

func TestAccountLifecycle(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		svc := MustService(t, MustOpen(t, dsn), chime.ServiceOptions{})
		a, err := svc.CreateAccount(ctx, aws1, ptr("Ünïcode 名前 😀"))
		must(t, err)
		if a.Seq <= 0 || a.Type != chime.AccountTeam || a.Status != chime.AccountActive {
			t.Fatalf("created %+v", a)
		}
		got, err := svc.GetAccount(ctx, aws1, a.ID)
		must(t, err)
		if !reflect.DeepEqual(got, a) {
			t.Fatalf("GetAccount = %+v, want %+v", got, a)
		}
		_, err = svc.GetAccount(ctx, aws2, a.ID)
		wantCode(t, err, chime.ENOTFOUND)

		u, err := svc.UpdateAccount(ctx, aws1, a.ID, ptr("renamed"), lic(chime.LicenseBasic))
		must(t, err)
		if u.Name != "renamed" || u.DefaultLicense != chime.LicenseBasic {
			t.Fatalf("updated %+v", u)
		}
		_, err = svc.UpdateAccount(ctx, aws1, a.ID, nil, lic(chime.LicensePlus))
		wantCode(t, err, chime.EINVALID)

		for _, s := range []chime.AccountSettingsPatch{
			{DisableRemoteControl: ptr(true), EnableDialOut: ptr(false)},
			{EnableDialOut: ptr(true)},
			{DisableRemoteControl: ptr(false)},
		} {
			before, err := svc.GetAccountSettings(ctx, aws1, a.ID)
			must(t, err)
			must(t, svc.UpdateAccountSettings(ctx, aws1, a.ID, &s))
			want := before
			if s.DisableRemoteControl != nil {
				want.DisableRemoteControl = *s.DisableRemoteControl
			}
			if s.EnableDialOut != nil {
				want.EnableDialOut = *s.EnableDialOut
			}
			if got, err := svc.GetAccountSettings(ctx, aws1, a.ID); err != nil || got != want {
				t.Fatalf("settings = %+v, %v; want %+v", got, err, want)
			}
		}

		if _, err := svc.SetAccountType(ctx, aws1, a.ID, ptr("EnterpriseLWA")); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.GetAccount(ctx, aws1, a.ID); got.Type != chime.AccountEnterpriseLWA {
			t.Fatalf("type = %s", got.Type)
		}
		must(t, svc.DeleteAccount(ctx, aws1, a.ID))
		_, err = svc.GetAccount(ctx, aws1, a.ID)
		wantCode(t, err, chime.ENOTFOUND)
		wantCode(t, svc.DeleteAccount(ctx, aws1, a.ID), chime.ENOTFOUND)
		_, err = svc.UpdateAccount(ctx, aws1, a.ID, ptr("x"), nil)
		wantCode(t, err, chime.ENOTFOUND)
		list, _, err := svc.ListAccounts(ctx, aws1, chime.ListAccountsInput{})
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("deleted account still listed: %+v", list)
		}
	})
}

// Page tokens are signed with the key in server_secrets, so a token of one node is good on every other.
func TestListAccountsPagesAcrossNodes(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		nodes := MustNodes(t, dsn, 2, chime.ServiceOptions{})
		var want []string
		for i := range 7 {
			a, err := nodes[i%2].CreateAccount(ctx, aws1, ptr(fmt.Sprintf("acct-%d", i)))
			must(t, err)
			want = append(want, a.ID)
		}
		MustAccount(t, nodes[0], aws2, "other tenant", chime.AccountTeam)
		var got []string
		in := chime.ListAccountsInput{MaxResults: 3}
		for page := 0; ; page++ {
			list, next, err := nodes[page%2].ListAccounts(ctx, aws1, in)
			must(t, err)
			for _, a := range list {
				got = append(got, a.ID)
			}
			if next == "" {
				break
			}
			if len(list) != 3 {
				t.Fatalf("page %d has %d accounts and a next token", page, len(list))
			}
			in.NextToken = &next
			// The token is bound to its listing: another filter or caller refuses it.
			_, _, err = nodes[(page+1)%2].ListAccounts(ctx, aws1, chime.ListAccountsInput{Name: ptr("acct"), NextToken: &next})
			wantCode(t, err, chime.EINVALID)
			_, _, err = nodes[page%2].ListAccounts(ctx, aws2, chime.ListAccountsInput{NextToken: &next})
			wantCode(t, err, chime.EINVALID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("paged listing = %v, want %v (creation order)", got, want)
		}
	})
}

// The name filter is an exact, case-sensitive, byte-order prefix test on both engines (no LIKE wildcards, no
// locale collation).
func TestListAccountsNamePrefix(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		svc := MustService(t, MustOpen(t, dsn), chime.ServiceOptions{})
		names := []string{"ab", "abc", "abd", "Abc", "ABC", "ab%", "ab_", "a%c", "abä", "äbc", "ab c", "abc😀", "a",
			"b", "aB", "z", "ab\\", "éclair", "e", "Ω", "ΩΩ", "ab" + strings.Repeat("x", 98)}
		ids := map[string]string{}
		for _, n := range names {
			ids[MustAccount(t, svc, aws1, n, chime.AccountTeam).ID] = n
		}
		for _, p := range []string{"a", "ab", "abc", "Ab", "AB", "ab%", "ab_", "a%", "a_", "%", "ä", "ab ", "abc😀",
			"é", "e", "Ω", "ΩΩ", "ab\\", "zz", "abcd", "ab" + strings.Repeat("x", 98)} {
			var want []string
			for _, n := range names {
				if strings.HasPrefix(n, p) {
					want = append(want, n)
				}
			}
			list, _, err := svc.ListAccounts(ctx, aws1, chime.ListAccountsInput{Name: ptr(p), MaxResults: 200})
			must(t, err)
			var got []string
			for _, a := range list {
				got = append(got, ids[a.ID])
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("prefix %q: got %q, want %q", p, got, want)
			}
		}
	})
}

func TestEnterpriseUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		store := MustOpen(t, dsn)
		svc := MustService(t, store, chime.ServiceOptions{})
		a := MustAccount(t, svc, aws1, "dir", chime.AccountEnterpriseDirectory)
		b := MustAccount(t, svc, aws1, "oidc", chime.AccountEnterpriseOIDC)
		other := MustAccount(t, svc, aws2, "other", chime.AccountEnterpriseDirectory)

		u, err := svc.CreateUser(ctx, aws1, a.ID, chime.CreateUserInput{Email: ptr("Alice@Example.com"), Username: ptr("Alice")})
		must(t, err)
		if u.Seq <= 0 || u.RegistrationStatus != chime.Registered || len(u.PIN) != 10 || u.RegisteredOn.IsZero() {
			t.Fatalf("created %+v", u)
		}
		got, err := svc.GetUser(ctx, aws1, a.ID, u.ID)
		must(t, err)
		if !reflect.DeepEqual(got, u) {
			t.Fatalf("GetUser = %+v, want %+v", got, u)
		}
		// One address per AWS account, case-insensitively; another AWS account may hold it too.
		_, err = svc.CreateUser(ctx, aws1, b.ID, chime.CreateUserInput{Email: ptr("alice@example.COM")})
		wantCode(t, err, chime.ECONFLICT)
		_, err = svc.CreateUser(ctx, aws1, a.ID, chime.CreateUserInput{Email: ptr("ALICE@example.com")})
		wantCode(t, err, chime.ECONFLICT)
		if _, err := svc.CreateUser(ctx, aws2, other.ID, chime.CreateUserInput{Email: ptr("alice@example.com")}); err != nil {
			t.Fatal(err)
		}
		dev, err := svc.CreateUser(ctx, aws1, a.ID, chime.CreateUserInput{Email: ptr("room@example.com"), UserType: ptr(chime.UserSharedDevice)})
		must(t, err)
		if dev.PIN == u.PIN {
			t.Fatal("two users share a PIN")
		}

		list, _, err := svc.ListUsers(ctx, aws1, a.ID, chime.ListUsersInput{UserEmail: ptr("ALICE@example.com")})
		must(t, err)
		if len(list) != 1 || list[0].ID != u.ID {
			t.Fatalf("email filter: %+v", list)
		}
		list, _, err = svc.ListUsers(ctx, aws1, a.ID, chime.ListUsersInput{UserType: ptr(chime.UserSharedDevice)})
		must(t, err)
		if len(list) != 1 || list[0].ID != dev.ID {
			t.Fatalf("type filter: %+v", list)
		}
		list, _, err = svc.ListUsers(ctx, aws1, b.ID, chime.ListUsersInput{UserEmail: ptr("alice@example.com")})
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("email filter leaks another account's user: %+v", list)
		}

		up, err := svc.UpdateUser(ctx, aws1, a.ID, u.ID, chime.UserPatch{LicenseType: ptr(chime.LicenseBasic), UserType: ptr(chime.UserSharedDevice),
			Alexa: &chime.AlexaPatch{Enabled: ptr(true), RoomARN: ptr("arn:aws:a4b:room/1")}})
		must(t, err)
		got, err = svc.GetUser(ctx, aws1, a.ID, u.ID)
		must(t, err)
		if !reflect.DeepEqual(got, up) || !got.AlexaEnabled || got.License != chime.LicenseBasic || got.Type != chime.UserSharedDevice {
			t.Fatalf("after update: %+v", got)
		}
		_, err = svc.UpdateUser(ctx, aws1, a.ID, u.ID, chime.UserPatch{LicenseType: ptr(chime.LicensePlus)})
		wantCode(t, err, chime.EINVALID)

		reset, err := svc.ResetPersonalPIN(ctx, aws1, a.ID, u.ID)
		must(t, err)
		if reset.PIN == u.PIN || len(reset.PIN) != 10 {
			t.Fatalf("reset PIN %q (was %q)", reset.PIN, u.PIN)
		}
		errs, err := svc.BatchUpdateUser(ctx, aws1, a.ID, []chime.UserPatch{
			{UserID: u.ID, Alexa: &chime.AlexaPatch{Enabled: ptr(false)}}, {UserID: "nope", LicenseType: ptr(chime.LicensePro)}})
		must(t, err)
		if len(errs) != 1 || errs[0].UserID != "nope" || errs[0].Code != chime.ENOTFOUND {
			t.Fatalf("batch errors %+v", errs)
		}
		if got, _ := svc.GetUser(ctx, aws1, a.ID, u.ID); got.AlexaEnabled {
			t.Fatal("AlexaEnabled not cleared")
		}
		_, err = svc.GetUser(ctx, aws1, b.ID, u.ID)
		wantCode(t, err, chime.ENOTFOUND)
	})
}

func TestTeamInvitesAndDeletion(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		store := MustOpen(t, dsn)
		svc := MustService(t, store, chime.ServiceOptions{})
		a := MustAccount(t, svc, aws1, "team a", chime.AccountTeam)
		b := MustAccount(t, svc, aws1, "team b", chime.AccountTeam)

		inv, err := svc.InviteUsers(ctx, aws1, a.ID, []string{"x@example.com", "Y@example.com", "y@EXAMPLE.com"}, nil)
		must(t, err)
		for _, i := range inv {
			if i.Status != chime.InvitePending {
				t.Fatalf("invite %+v", i)
			}
		}
		users := MustListUsers(t, svc, aws1, a.ID)
		if len(users) != 2 {
			t.Fatalf("%d users, want 2 (duplicate address in one request)", len(users))
		}
		x := userByEmail(t, store, aws1, "x@example.com")
		if x.RegistrationStatus != chime.Unregistered || x.InvitationStatus != chime.InvitePending || x.InviteID != inv[0].ID {
			t.Fatalf("invitee %+v", x)
		}
		again, err := svc.InviteUsers(ctx, aws1, a.ID, []string{"X@example.com"}, nil)
		must(t, err)
		x2 := userByEmail(t, store, aws1, "x@example.com")
		if again[0].Status != chime.InvitePending || x2.ID != x.ID || x2.InviteID != again[0].ID {
			t.Fatalf("re-invite: %+v, user %+v", again, x2)
		}
		other, err := svc.InviteUsers(ctx, aws1, b.ID, []string{"x@example.com", "z@example.com"}, nil)
		must(t, err)
		if other[0].Status != chime.InviteFailed || other[1].Status != chime.InvitePending {
			t.Fatalf("invites into b: %+v", other)
		}
		reg, err := svc.RegisterUser(ctx, aws1, a.ID, x.ID, ptr("Xavier"))
		must(t, err)
		if reg.RegistrationStatus != chime.Registered || reg.InvitationStatus != chime.InviteAccepted || reg.PIN == "" {
			t.Fatalf("registered %+v", reg)
		}
		if inv, _ := svc.InviteUsers(ctx, aws1, a.ID, []string{"x@example.com"}, nil); inv[0].Status != chime.InviteFailed {
			t.Fatalf("inviting a registered member: %+v", inv)
		}
		list, _, err := svc.ListAccounts(ctx, aws1, chime.ListAccountsInput{UserEmail: ptr("Z@example.com")})
		must(t, err)
		if len(list) != 1 || list[0].ID != b.ID {
			t.Fatalf("accounts of z: %+v", list)
		}

		wantCode(t, svc.DeleteAccount(ctx, aws1, a.ID), chime.EUNPROCESSABLE)
		var ids []string
		for _, u := range MustListUsers(t, svc, aws1, a.ID) {
			ids = append(ids, u.ID)
		}
		errs, err := svc.BatchSuspendUser(ctx, aws1, a.ID, append(ids, "ghost"))
		must(t, err)
		if len(errs) != 1 || errs[0].UserID != "ghost" {
			t.Fatalf("suspend errors %+v", errs)
		}
		if n := len(MustListUsers(t, svc, aws1, a.ID)); n != 0 {
			t.Fatalf("Team suspension left %d users", n)
		}
		must(t, svc.DeleteAccount(ctx, aws1, a.ID))
		// The addresses are free again.
		if inv, err := svc.InviteUsers(ctx, aws1, b.ID, []string{"x@example.com"}, nil); err != nil || inv[0].Status != chime.InvitePending {
			t.Fatalf("invite after deletion: %+v, %v", inv, err)
		}
	})
}

func TestSuspendUnsuspendAndTenantReset(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		store := MustOpen(t, dsn)
		svc := MustService(t, store, chime.ServiceOptions{})
		a := MustAccount(t, svc, aws1, "lwa", chime.AccountTeam)
		_, err := svc.InviteUsers(ctx, aws1, a.ID, []string{"p@example.com", "q@example.com"}, nil)
		must(t, err)
		users := MustListUsers(t, svc, aws1, a.ID)
		for _, u := range users {
			_, err := svc.RegisterUser(ctx, aws1, a.ID, u.ID, nil)
			must(t, err)
		}
		_, err = svc.SetAccountType(ctx, aws1, a.ID, ptr("EnterpriseLWA"))
		must(t, err)
		wantCode(t, svc.DeleteAccount(ctx, aws1, a.ID), chime.EUNPROCESSABLE)
		_, err = svc.BatchSuspendUser(ctx, aws1, a.ID, []string{users[0].ID})
		must(t, err)
		wantCode(t, svc.DeleteAccount(ctx, aws1, a.ID), chime.EUNPROCESSABLE)
		_, err = svc.BatchSuspendUser(ctx, aws1, a.ID, []string{users[0].ID, users[1].ID})
		must(t, err)
		_, err = svc.BatchUnsuspendUser(ctx, aws1, a.ID, []string{users[0].ID})
		must(t, err)
		if u, _ := svc.GetUser(ctx, aws1, a.ID, users[0].ID); u.RegistrationStatus != chime.Registered {
			t.Fatalf("unsuspended user is %s", u.RegistrationStatus)
		}
		_, err = svc.BatchSuspendUser(ctx, aws1, a.ID, []string{users[0].ID})
		must(t, err)
		must(t, svc.DeleteAccount(ctx, aws1, a.ID)) // only suspended users left

		keep := MustAccount(t, svc, aws2, "kept", chime.AccountTeam)
		_, err = svc.InviteUsers(ctx, aws2, keep.ID, []string{"p@example.com"}, nil)
		must(t, err)
		t1 := MustAccount(t, svc, aws1, "t1", chime.AccountTeam)
		_, err = svc.InviteUsers(ctx, aws1, t1.ID, []string{"p@example.com"}, nil)
		must(t, err)
		must(t, svc.ResetTenant(ctx, aws1))
		if list, _, _ := svc.ListAccounts(ctx, aws1, chime.ListAccountsInput{}); len(list) != 0 {
			t.Fatalf("reset tenant still has %d accounts", len(list))
		}
		if userByEmail(t, store, aws1, "p@example.com") != nil || userByEmail(t, store, aws2, "p@example.com") == nil {
			t.Fatal("ResetTenant removed the wrong users")
		}
	})
}

// Direct checks of the Tx contract: error codes, rollback, round trips of every stored field.
func TestTxContract(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		store := MustOpen(t, dsn)
		now := time.Now().UTC().Truncate(time.Millisecond)
		a := &chime.Account{AwsAccountID: aws1, ID: "acct-1", Name: "n", Type: chime.AccountEnterpriseOIDC, CreatedAt: now,
			DefaultLicense: chime.LicensePlus, SupportedLicenses: []chime.License{chime.LicenseBasic, chime.LicensePlus},
			Status: chime.AccountActive, SigninDelegateGroups: []string{"g1", "group two"},
			Settings: chime.AccountSettings{DisableRemoteControl: true, EnableDialOut: true}}
		u := &chime.User{ID: "user-1", AccountID: a.ID, AwsAccountID: aws1, Email: "Mixed@Case.example", DisplayName: "d",
			License: chime.LicensePlus, Type: chime.UserPrivate, RegistrationStatus: chime.Registered,
			InvitationStatus: chime.InviteAccepted, InviteID: "inv", InvitedOn: now.Add(-time.Hour), RegisteredOn: now,
			PIN: "0123456789", AlexaEnabled: true, AlexaRoomARN: "arn", PhoneNumber: "+15550100", CreatedAt: now}
		must(t, store.Write(ctx, func(tx chime.Tx) error {
			if err := tx.InsertAccount(ctx, a); err != nil {
				return err
			}
			return tx.InsertUser(ctx, u)
		}))
		if a.Seq <= 0 || u.Seq <= 0 {
			t.Fatalf("seq not set: %d %d", a.Seq, u.Seq)
		}
		must(t, store.Read(ctx, func(tx chime.Tx) error {
			got, err := tx.Account(ctx, aws1, a.ID)
			if err != nil || !reflect.DeepEqual(got, a) {
				t.Errorf("Account = %+v, %v; want %+v", got, err, a)
			}
			gu, err := tx.User(ctx, a.ID, u.ID)
			if err != nil || !reflect.DeepEqual(gu, u) {
				t.Errorf("User = %+v, %v; want %+v", gu, err, u)
			}
			if gu, err := tx.UserByEmail(ctx, aws1, "mixed@case.example"); err != nil || gu.ID != u.ID {
				t.Errorf("UserByEmail = %v, %v", gu, err)
			}
			if ok, err := tx.PINExists(ctx, u.PIN); err != nil || !ok {
				t.Errorf("PINExists = %v, %v", ok, err)
			}
			if ok, err := tx.PINExists(ctx, "9999999999"); err != nil || ok {
				t.Errorf("PINExists(free) = %v, %v", ok, err)
			}
			if n, err := tx.CountUsers(ctx, a.ID, ""); err != nil || n != 1 {
				t.Errorf("CountUsers = %d, %v", n, err)
			}
			if n, err := tx.CountUsers(ctx, a.ID, chime.Registered); err != nil || n != 0 {
				t.Errorf("CountUsers(except Registered) = %d, %v", n, err)
			}
			_, err = tx.Account(ctx, aws2, a.ID)
			wantCode(t, err, chime.ENOTFOUND)
			_, err = tx.User(ctx, a.ID, "nobody")
			wantCode(t, err, chime.ENOTFOUND)
			_, err = tx.UserByEmail(ctx, aws2, "mixed@case.example")
			wantCode(t, err, chime.ENOTFOUND)
			return nil
		}))

		// A unique violation is ECONFLICT (also when retried: it is one for good here).
		dup := *u
		dup.ID, dup.PIN, dup.Email = "user-2", "", "MIXED@case.example"
		wantCode(t, store.Write(ctx, func(tx chime.Tx) error { return tx.InsertUser(ctx, &dup) }), chime.ECONFLICT)
		dup.Email, dup.PIN = "other@case.example", u.PIN
		wantCode(t, store.Write(ctx, func(tx chime.Tx) error { return tx.InsertUser(ctx, &dup) }), chime.ECONFLICT)

		ghost := *u
		ghost.ID = "ghost"
		wantCode(t, store.Write(ctx, func(tx chime.Tx) error { return tx.UpdateUser(ctx, &ghost) }), chime.ENOTFOUND)
		wantCode(t, store.Write(ctx, func(tx chime.Tx) error { return tx.DeleteUser(ctx, &ghost) }), chime.ENOTFOUND)
		gone := *a
		gone.ID = "gone"
		wantCode(t, store.Write(ctx, func(tx chime.Tx) error { return tx.UpdateAccount(ctx, &gone) }), chime.ENOTFOUND)

		// fn's error comes back unchanged and everything fn did is rolled back.
		err := store.Write(ctx, func(tx chime.Tx) error {
			u.DisplayName = "changed"
			if err := tx.UpdateUser(ctx, u); err != nil {
				return err
			}
			if err := tx.InsertAccount(ctx, &chime.Account{AwsAccountID: aws1, ID: "acct-2", Name: "x", Type: chime.AccountTeam,
				CreatedAt: now, DefaultLicense: chime.LicensePro, Status: chime.AccountActive}); err != nil {
				return err
			}
			return fmt.Errorf("wrapped: %w", errSentinel)
		})
		if !errors.Is(err, errSentinel) {
			t.Fatalf("Write returned %v, want the sentinel", err)
		}
		must(t, store.Read(ctx, func(tx chime.Tx) error {
			if gu, _ := tx.User(ctx, a.ID, u.ID); gu.DisplayName != "d" {
				t.Errorf("rolled-back update is visible: %q", gu.DisplayName)
			}
			_, err := tx.Account(ctx, aws1, "acct-2")
			wantCode(t, err, chime.ENOTFOUND)
			return nil
		}))

		// DeleteAccount tombstones the account and removes its users; the account is gone for every read.
		must(t, store.Write(ctx, func(tx chime.Tx) error { return tx.DeleteAccount(ctx, a, now) }))
		must(t, store.Read(ctx, func(tx chime.Tx) error {
			_, err := tx.Account(ctx, aws1, a.ID)
			wantCode(t, err, chime.ENOTFOUND)
			if list, err := tx.ListUsers(ctx, a, chime.UserFilter{Limit: 10}); err != nil || len(list) != 0 {
				t.Errorf("users of a deleted account: %v, %v", list, err)
			}
			return nil
		}))
		wantCode(t, store.Write(ctx, func(tx chime.Tx) error { return tx.DeleteAccount(ctx, a, now) }), chime.ENOTFOUND)
	})
}

// Read sees one snapshot: a write committed while it runs is not visible to it.
func TestReadIsASnapshot(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		store := MustOpen(t, dsn)
		svc := MustService(t, store, chime.ServiceOptions{})
		MustAccount(t, svc, aws1, "first", chime.AccountTeam)
		// The write happens during the read's first run only; the function may run again in a
		// transaction (onestatement.go), and every run must see one snapshot.
		var before, after []*chime.Account
		wrote := false
		must(t, store.Read(ctx, func(tx chime.Tx) error {
			var err error
			if before, err = tx.ListAccounts(ctx, aws1, chime.AccountFilter{Limit: 10}); err != nil {
				return err
			}
			if !wrote {
				MustAccount(t, svc, aws1, "second", chime.AccountTeam)
				wrote = true
			}
			after, err = tx.ListAccounts(ctx, aws1, chime.AccountFilter{Limit: 10})
			return err
		}))
		if len(before) != len(after) || len(before) == 0 {
			t.Errorf("read transaction saw %d then %d accounts, want the same", len(before), len(after))
		}
	})
}

func TestSecretIsSharedByNodes(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		stores := []*sqlstore.DB{MustOpen(t, dsn), MustOpen(t, dsn), MustOpen(t, dsn)}
		got := make([][]byte, 12)
		errs := make([]error, len(got))
		start := make(chan struct{})
		done := make(chan int)
		for i := range got {
			go func() {
				<-start
				got[i], errs[i] = stores[i%len(stores)].Secret(ctx, "race", func() ([]byte, error) {
					return []byte(fmt.Sprintf("value-%d", i)), nil
				})
				done <- i
			}()
		}
		close(start)
		for range got {
			<-done
		}
		for i := range got {
			if errs[i] != nil || string(got[i]) != string(got[0]) {
				t.Fatalf("Secret: node %d got %q (%v), node 0 got %q", i, got[i], errs[i], got[0])
			}
		}
		v, err := stores[0].Secret(ctx, "race", func() ([]byte, error) { return nil, errSentinel })
		if err != nil || string(v) != string(got[0]) {
			t.Fatalf("stored secret = %q, %v", v, err)
		}
		_, err = stores[0].Secret(ctx, "fresh", func() ([]byte, error) { return nil, errSentinel })
		if !errors.Is(err, errSentinel) {
			t.Fatalf("generator error = %v", err)
		}
	})
}

func TestPing(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		db, err := sqlstore.Open(ctx, dsn)
		must(t, err)
		must(t, db.Ping(ctx))
		must(t, db.Close())
		if err := db.Ping(ctx); err == nil {
			t.Fatal("Ping succeeds on a closed store")
		}
	})
}

func TestReopenKeepsData(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		db, err := sqlstore.Open(ctx, dsn)
		must(t, err)
		a := MustAccount(t, MustService(t, db, chime.ServiceOptions{}), aws1, "kept", chime.AccountTeam)
		must(t, db.Close())
		svc := MustService(t, MustOpen(t, dsn), chime.ServiceOptions{}) // migrations already applied: no-op
		if _, err := svc.GetAccount(ctx, aws1, a.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{"mysql://x", "", "sqlite:"} {
		if _, err := sqlstore.Open(ctx, dsn); err == nil {
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
	start := time.Now()
	_, err := sqlstore.OpenWith(ctx, "postgres://u:hunter2@127.0.0.1:1/db?sslmode=disable",
		sqlstore.Options{ConnTimeout: 500 * time.Millisecond})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Open of an unreachable PostgreSQL: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("failing to connect took %v", d)
	}
	if r := sqlstore.Redact("postgres://u:hunter2@h/db"); strings.Contains(r, "hunter2") {
		t.Fatalf("Redact = %q", r)
	}
}

func lic(l chime.License) *chime.License { return &l }
