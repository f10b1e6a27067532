package chime_test

import (
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// wantNotFoundItems fails unless errs reports exactly the ids of want, in order, each with code NotFound.
func wantNotFoundItems(tb testing.TB, errs []chime.UserError, want ...string) {
	tb.Helper()
	if len(errs) != len(want) {
		tb.Fatalf("UserErrors = %+v, want NotFound for %v", errs, want)
	}
	for i, ue := range errs {
		if ue.UserID != want[i] || ue.Code != chime.ENOTFOUND {
			tb.Fatalf("UserErrors[%d] = %+v, want NotFound for %s", i, ue, want[i])
		}
	}
}

// TestBatchAccountTypes: BatchSuspendUser only on Team and EnterpriseLWA, BatchUnsuspendUser only on
// EnterpriseLWA (D1); the refusal is for the whole request and comes after the account lookup.
func TestBatchAccountTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, typ := range chime.AccountTypes {
		t.Run(string(typ), func(t *testing.T) {
			aws := newTenant()
			a := MustAccount(t, e, aws, "Acct", chime.AccountTeam)
			u, _ := MustMember(t, e, aws, a.ID, newEmail("m"))
			MustSetType(t, e, aws, a.ID, typ)
			ids := []string{u.ID, "no-such-user"}

			errs, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, ids)
			if typ == chime.AccountTeam || typ == chime.AccountEnterpriseLWA {
				must(t, err)
				wantNotFoundItems(t, errs, "no-such-user")
			} else {
				wantErr(t, err, chime.EINVALID, "")
				if len(errs) != 0 {
					t.Fatalf("a refused request reported items: %+v", errs)
				}
				if got := MustGetUser(t, e, aws, a.ID, u.ID); got.RegistrationStatus != chime.Registered {
					t.Fatalf("refused suspension changed the user to %s", got.RegistrationStatus)
				}
			}

			errs, err = e.Svc.BatchUnsuspendUser(ctx, aws, a.ID, ids)
			if typ == chime.AccountEnterpriseLWA {
				must(t, err)
				wantNotFoundItems(t, errs, "no-such-user")
				if got := MustGetUser(t, e, aws, a.ID, u.ID); got.RegistrationStatus != chime.Registered {
					t.Fatalf("unsuspended user is %s", got.RegistrationStatus)
				}
			} else {
				wantErr(t, err, chime.EINVALID, "")
			}

			_, err = e.Svc.BatchSuspendUser(ctx, aws, "no-such-account", ids)
			wantErr(t, err, chime.ENOTFOUND, "")
			_, err = e.Svc.BatchUnsuspendUser(ctx, aws, "no-such-account", ids)
			wantErr(t, err, chime.ENOTFOUND, "")
		})
	}

	t.Run("unsuspend refused on a Team account keeps suspended users suspended", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Acct", chime.AccountTeam)
		u, _ := MustMember(t, e, aws, a.ID, newEmail("m"))
		MustSetType(t, e, aws, a.ID, chime.AccountEnterpriseLWA)
		if _, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{u.ID}); err != nil {
			t.Fatal(err)
		}
		MustSetType(t, e, aws, a.ID, chime.AccountTeam)
		_, err := e.Svc.BatchUnsuspendUser(ctx, aws, a.ID, []string{u.ID})
		wantErr(t, err, chime.EINVALID, "")
		if got := MustGetUser(t, e, aws, a.ID, u.ID); got.RegistrationStatus != chime.Suspended {
			t.Fatalf("user is %s, want Suspended", got.RegistrationStatus)
		}
	})
}

func TestBatchSuspendUserInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
	u, _ := MustMember(t, e, aws, a.ID, newEmail("m"))

	for name, ids := range map[string][]string{
		"missing list": nil,
		"blank id":     {u.ID, " "},
		"empty id":     {""},
		"NUL in id":    {"a\x00b"},
		"too many":     make([]string, chime.MaxBatch+1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, ids)
			wantErr(t, err, chime.EINVALID, chime.FieldUserIDs)
			_, err = e.Svc.BatchUnsuspendUser(ctx, aws, a.ID, ids)
			wantErr(t, err, chime.EINVALID, chime.FieldUserIDs)
		})
	}
	t.Run("checked before the account", func(t *testing.T) {
		_, err := e.Svc.BatchSuspendUser(ctx, aws, "no-such-account", nil)
		wantErr(t, err, chime.EINVALID, chime.FieldUserIDs)
	})
	t.Run("empty list", func(t *testing.T) {
		errs, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{})
		must(t, err)
		if len(errs) != 0 {
			t.Fatalf("UserErrors = %+v", errs)
		}
	})
	MustGetUser(t, e, aws, a.ID, u.ID) // no malformed request removed the user
}

// TestTeamSuspension: on a Team account, BatchSuspendUser removes the user with its sessions (D5, §9.3).
func TestTeamSuspension(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
	member, token := MustMember(t, e, aws, a.ID, newEmail("member"))
	pending := MustInvite(t, e, aws, a.ID, newEmail("pending"))[0]
	pu := MustUserByEmail(t, e, aws, a.ID, pending.Email)
	stays, staysToken := MustMember(t, e, aws, a.ID, newEmail("stays"))
	b := MustAccount(t, e, aws, "Team B", chime.AccountTeam)
	elsewhere, _ := MustMember(t, e, aws, b.ID, newEmail("elsewhere"))

	errs, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID,
		[]string{member.ID, "unknown-1", pu.ID, member.ID, "unknown-1", elsewhere.ID})
	must(t, err)
	// Each id once: the repeated member is not reported NotFound after its removal, unknown-1 is reported once;
	// a user of another account is unknown here.
	wantNotFoundItems(t, errs, "unknown-1", elsewhere.ID)
	MustGetUser(t, e, aws, b.ID, elsewhere.ID)

	t.Run("the users are gone", func(t *testing.T) {
		wantNoUser(t, e, aws, a.ID, member.ID)
		wantNoUser(t, e, aws, a.ID, pu.ID)
		wantIDs(t, "remaining users", userIDs(MustListUsers(t, e, aws, a.ID, 0)), []string{stays.ID})
	})

	t.Run("their sessions are gone", func(t *testing.T) {
		if sessionStored(t, e, token) {
			t.Fatal("the removed member's session is still stored")
		}
		_, err := e.Svc.SessionUser(ctx, token)
		wantErr(t, err, chime.EUNAUTHORIZED, "")
		if _, err := e.Svc.SessionUser(ctx, staysToken); err != nil || !sessionStored(t, e, staysToken) {
			t.Fatalf("another member's session: %v", err)
		}
	})

	t.Run("suspending again is NotFound", func(t *testing.T) {
		errs, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{member.ID})
		must(t, err)
		wantNotFoundItems(t, errs, member.ID)
	})

	t.Run("a re-invitation creates a new user", func(t *testing.T) {
		inv := MustInvite(t, e, aws, a.ID, member.Email)[0]
		u := MustUserByEmail(t, e, aws, a.ID, member.Email)
		if u.ID == member.ID || u.RegistrationStatus != chime.Unregistered ||
			u.InvitationStatus != chime.InvitePending || u.InviteID != inv.ID || u.PIN != "" || u.DisplayName != "" {
			t.Fatalf("re-invited user = %+v", u)
		}
	})
}

// TestLWASuspension: on an EnterpriseLWA account, BatchSuspendUser sets Suspended and revokes the sessions;
// BatchUnsuspendUser returns the user to Registered, and revoked sessions stay revoked.
func TestLWASuspension(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "LWA", chime.AccountTeam)
	u, token := MustMember(t, e, aws, a.ID, newEmail("lwa"))
	other, otherToken := MustMember(t, e, aws, a.ID, newEmail("other"))
	invitee := MustUserByEmail(t, e, aws, a.ID, MustInvite(t, e, aws, a.ID, newEmail("invitee"))[0].Email)
	MustSetType(t, e, aws, a.ID, chime.AccountEnterpriseLWA)

	t.Run("suspend", func(t *testing.T) {
		errs, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{u.ID, "unknown", u.ID, "unknown"})
		must(t, err)
		wantNotFoundItems(t, errs, "unknown")
		got := MustGetUser(t, e, aws, a.ID, u.ID)
		if got.RegistrationStatus != chime.Suspended || got.PIN != u.PIN || got.Email != u.Email {
			t.Fatalf("suspended user = %+v", got)
		}
		listed := MustListUsers(t, e, aws, a.ID, 0)
		wantIDs(t, "users", userIDs(listed), []string{u.ID, other.ID, invitee.ID})
		if listed[0].RegistrationStatus != chime.Suspended {
			t.Fatalf("ListUsers shows %s", listed[0].RegistrationStatus)
		}
		if sessionStored(t, e, token) {
			t.Fatal("the suspended user's session is still stored")
		}
		_, err = e.Svc.SessionUser(ctx, token)
		wantErr(t, err, chime.EUNAUTHORIZED, "")
		if _, err := e.Svc.SessionUser(ctx, otherToken); err != nil {
			t.Fatalf("another user's session: %v", err)
		}
	})

	t.Run("suspending again is ignored", func(t *testing.T) {
		errs, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{u.ID})
		must(t, err)
		wantNotFoundItems(t, errs)
		if got := MustGetUser(t, e, aws, a.ID, u.ID); got.RegistrationStatus != chime.Suspended {
			t.Fatalf("user is %s", got.RegistrationStatus)
		}
	})

	t.Run("a suspended user cannot register", func(t *testing.T) {
		_, err := e.Svc.RegisterUser(ctx, aws, a.ID, u.ID, nil)
		wantErr(t, err, chime.EINVALID, "")
		if got := MustGetUser(t, e, aws, a.ID, u.ID); got.RegistrationStatus != chime.Suspended {
			t.Fatalf("user is %s", got.RegistrationStatus)
		}
	})

	t.Run("unsuspend", func(t *testing.T) {
		errs, err := e.Svc.BatchUnsuspendUser(ctx, aws, a.ID,
			[]string{"unknown", u.ID, other.ID, invitee.ID, u.ID, "unknown"})
		must(t, err)
		wantNotFoundItems(t, errs, "unknown")
		if got := MustGetUser(t, e, aws, a.ID, u.ID); got.RegistrationStatus != chime.Registered || got.PIN != u.PIN {
			t.Fatalf("unsuspended user = %+v", got)
		}
		if got := MustGetUser(t, e, aws, a.ID, other.ID); got.RegistrationStatus != chime.Registered {
			t.Fatalf("a user that was not suspended is %s", got.RegistrationStatus)
		}
		if got := MustGetUser(t, e, aws, a.ID, invitee.ID); got.RegistrationStatus != chime.Unregistered ||
			got.InvitationStatus != chime.InvitePending {
			t.Fatalf("a pending invitee became %s/%s", got.RegistrationStatus, got.InvitationStatus)
		}
		_, err = e.Svc.SessionUser(ctx, token)
		wantErr(t, err, chime.EUNAUTHORIZED, "")
		if _, err := e.Svc.SessionUser(ctx, otherToken); err != nil {
			t.Fatalf("another user's session: %v", err)
		}
	})
}

// TestInviteUsersAccountTypes: InviteUsers only on Team accounts (D1).
func TestInviteUsersAccountTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, typ := range chime.AccountTypes[1:] {
		t.Run(string(typ), func(t *testing.T) {
			aws := newTenant()
			a := MustAccount(t, e, aws, "Acct", typ)
			email := newEmail("refused")
			_, err := e.Svc.InviteUsers(ctx, aws, a.ID, []string{email}, nil)
			wantErr(t, err, chime.EINVALID, "")
			if n := len(MustListUsers(t, e, aws, a.ID, 0)); n != 0 {
				t.Fatalf("refused invitation left %d users", n)
			}
			if n := len(e.Mail.To(email)); n != 0 {
				t.Fatalf("refused invitation mailed %d messages", n)
			}
		})
	}
	t.Run("unknown account", func(t *testing.T) {
		_, err := e.Svc.InviteUsers(ctx, newTenant(), "no-such-account", []string{newEmail("x")}, nil)
		wantErr(t, err, chime.ENOTFOUND, "")
	})
}

func TestInviteUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("new addresses become pending users", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		emails := []string{newEmail("B"), newEmail("a"), newEmail("c")}
		invs, err := e.Svc.InviteUsers(ctx, aws, a.ID, emails, ptr(chime.UserSharedDevice))
		must(t, err)
		if len(invs) != 3 {
			t.Fatalf("%d invites, want 3", len(invs))
		}
		users := MustListUsers(t, e, aws, a.ID, 0)
		for i, inv := range invs {
			if inv.Email != emails[i] || inv.Status != chime.InvitePending || inv.EmailStatus != chime.EmailSent ||
				inv.ID == "" {
				t.Fatalf("invite %d = %+v", i, inv)
			}
			u := MustGetUser(t, e, aws, a.ID, users[i].ID)
			if u.Email != emails[i] || u.RegistrationStatus != chime.Unregistered ||
				u.InvitationStatus != chime.InvitePending || u.InviteID != inv.ID ||
				!u.InvitedOn.Equal(e.Clock.Now()) || u.License != chime.LicensePro || u.Type != chime.UserSharedDevice ||
				u.PIN != "" || u.DisplayName != "" || !u.RegisteredOn.IsZero() {
				t.Fatalf("user %d = %+v", i, u)
			}
			if n := len(e.Mail.To(emails[i])); n != 1 {
				t.Fatalf("%d messages to %s, want 1", n, emails[i])
			}
		}
	})

	t.Run("a pending invitee is invited again", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		email := newEmail("again")
		first := MustInvite(t, e, aws, a.ID, email)[0]
		before := MustUserByEmail(t, e, aws, a.ID, email)
		oldToken := inviteToken(t, e, email)
		e.Clock.Advance(time.Hour)

		second := MustInvite(t, e, aws, a.ID, strings.ToUpper(email))[0]
		if second.ID == first.ID {
			t.Fatal("the re-invitation kept the invite id")
		}
		after := MustUserByEmail(t, e, aws, a.ID, email)
		if after.ID != before.ID || after.InviteID != second.ID || !after.InvitedOn.Equal(e.Clock.Now()) ||
			after.InvitedOn.Equal(before.InvitedOn) || after.Email != email ||
			after.RegistrationStatus != chime.Unregistered || after.InvitationStatus != chime.InvitePending {
			t.Fatalf("re-invited user = %+v (was %+v)", after, before)
		}
		if n := len(MustListUsers(t, e, aws, a.ID, 0)); n != 1 {
			t.Fatalf("%d users, want 1", n)
		}
		_, err := e.Svc.Invitation(ctx, oldToken)
		if le, ok := chime.IsLinkError(err); !ok || le.Reason != chime.LinkSuperseded {
			t.Fatalf("the first link: %v, want superseded", err)
		}
		if _, err := e.Svc.Invitation(ctx, inviteToken(t, e, email)); err != nil {
			t.Fatalf("the new link: %v", err)
		}
	})

	t.Run("an address repeated in one request: the second wins", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		email := newEmail("twice")
		invs := MustInvite(t, e, aws, a.ID, email, email)
		if invs[0].ID == invs[1].ID {
			t.Fatal("both invites share an id")
		}
		users := MustListUsers(t, e, aws, a.ID, 0)
		if len(users) != 1 {
			t.Fatalf("%d users, want 1", len(users))
		}
		if u := MustGetUser(t, e, aws, a.ID, users[0].ID); u.InviteID != invs[1].ID {
			t.Fatalf("InviteID = %s, want the second invite's %s", u.InviteID, invs[1].ID)
		}
	})

	t.Run("addresses held elsewhere fail", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		b := MustAccount(t, e, aws, "Team B", chime.AccountTeam)
		dir := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
		member, _ := MustMember(t, e, aws, a.ID, newEmail("member"))
		otherPending := MustInvite(t, e, aws, b.ID, newEmail("elsewhere"))[0]
		dirUser := MustCreateUser(t, e, aws, dir.ID, newEmail("dir"))
		fresh := newEmail("fresh")
		mailsBefore := len(e.Mail.To(member.Email))

		invs, err := e.Svc.InviteUsers(ctx, aws, a.ID, []string{strings.ToUpper(member.Email), otherPending.Email,
			fresh, dirUser.Email}, nil)
		must(t, err)
		want := []chime.InviteStatus{chime.InviteFailed, chime.InviteFailed, chime.InvitePending, chime.InviteFailed}
		for i, inv := range invs {
			if inv.Status != want[i] {
				t.Fatalf("invite %d (%s): %s, want %s", i, inv.Email, inv.Status, want[i])
			}
			if inv.Status == chime.InviteFailed && inv.EmailStatus != chime.EmailNotSent {
				t.Fatalf("failed invite %d: email %s, want NotSent", i, inv.EmailStatus)
			}
		}
		if got := MustGetUser(t, e, aws, a.ID, member.ID); got.RegistrationStatus != chime.Registered ||
			got.InvitationStatus != chime.InviteAccepted || got.InviteID != "" {
			t.Fatalf("the registered member changed: %+v", got)
		}
		if got := MustUserByEmail(t, e, aws, b.ID, otherPending.Email); got.InviteID != otherPending.ID {
			t.Fatalf("the other account's invitee changed: %+v", got)
		}
		if got := MustGetUser(t, e, aws, dir.ID, dirUser.ID); got.RegistrationStatus != chime.Registered ||
			got.InvitationStatus != "" {
			t.Fatalf("the directory user changed: %+v", got)
		}
		if n := len(e.Mail.To(strings.ToUpper(member.Email))) + len(e.Mail.To(member.Email)) - mailsBefore; n != 0 {
			t.Fatalf("%d messages to the registered member", n)
		}
		if n := len(MustListUsers(t, e, aws, a.ID, 0)); n != 2 {
			t.Fatalf("%d users, want the member and the fresh invitee", n)
		}
	})

	t.Run("a suspended member fails", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		u, _ := MustMember(t, e, aws, a.ID, newEmail("susp"))
		MustSetType(t, e, aws, a.ID, chime.AccountEnterpriseLWA)
		if _, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{u.ID}); err != nil {
			t.Fatal(err)
		}
		MustSetType(t, e, aws, a.ID, chime.AccountTeam)
		invs, err := e.Svc.InviteUsers(ctx, aws, a.ID, []string{u.Email}, nil)
		must(t, err)
		if invs[0].Status != chime.InviteFailed {
			t.Fatalf("invite of a suspended member: %s", invs[0].Status)
		}
		if got := MustGetUser(t, e, aws, a.ID, u.ID); got.RegistrationStatus != chime.Suspended {
			t.Fatalf("user is %s", got.RegistrationStatus)
		}
	})

	t.Run("the same address in another AWS account is fine", func(t *testing.T) {
		aws1, aws2 := newTenant(), newTenant()
		a1 := MustAccount(t, e, aws1, "Team", chime.AccountTeam)
		a2 := MustAccount(t, e, aws2, "Team", chime.AccountTeam)
		email := newEmail("both")
		MustMember(t, e, aws1, a1.ID, email)
		MustInvite(t, e, aws2, a2.ID, email)
		if u := MustUserByEmail(t, e, aws2, a2.ID, email); u.RegistrationStatus != chime.Unregistered {
			t.Fatalf("user = %+v", u)
		}
	})

	t.Run("malformed requests", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		_, err := e.Svc.InviteUsers(ctx, aws, a.ID, nil, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldEmail)
		_, err = e.Svc.InviteUsers(ctx, aws, a.ID, []string{newEmail("ok"), " "}, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldEmail)
		_, err = e.Svc.InviteUsers(ctx, aws, a.ID, []string{"a\x00@example.com"}, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldEmail)
		_, err = e.Svc.InviteUsers(ctx, aws, a.ID, make([]string, chime.MaxBatch+1), nil)
		wantErr(t, err, chime.EINVALID, chime.FieldEmail)
		_, err = e.Svc.InviteUsers(ctx, aws, a.ID, []string{newEmail("ok")}, ptr(chime.UserType("Robot")))
		wantErr(t, err, chime.EINVALID, chime.FieldUserType)
		_, err = e.Svc.InviteUsers(ctx, aws, "no-such-account", nil, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldEmail)
		if n := len(MustListUsers(t, e, aws, a.ID, 0)); n != 0 {
			t.Fatalf("refused invitations left %d users", n)
		}
		invs, err := e.Svc.InviteUsers(ctx, aws, a.ID, []string{}, nil)
		if err != nil || len(invs) != 0 {
			t.Fatalf("empty list: %v %+v", err, invs)
		}
	})
}

// TestLogoutUser: every session of the user ends; the user does not change.
func TestLogoutUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
	u, token := MustMember(t, e, aws, a.ID, newEmail("m"))
	_, otherToken := MustMember(t, e, aws, a.ID, newEmail("o"))

	must(t, e.Svc.LogoutUser(ctx, aws, a.ID, u.ID))
	if sessionStored(t, e, token) {
		t.Fatal("session still stored after LogoutUser")
	}
	_, err := e.Svc.SessionUser(ctx, token)
	wantErr(t, err, chime.EUNAUTHORIZED, "")
	if _, err := e.Svc.SessionUser(ctx, otherToken); err != nil {
		t.Fatalf("another user's session: %v", err)
	}
	if got := MustGetUser(t, e, aws, a.ID, u.ID); got.RegistrationStatus != chime.Registered || got.PIN != u.PIN {
		t.Fatalf("LogoutUser changed the user: %+v", got)
	}
	wantErr(t, e.Svc.LogoutUser(ctx, aws, a.ID, "no-such-user"), chime.ENOTFOUND, "")
}
