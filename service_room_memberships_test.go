package chime_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// Rules of room memberships (docs/behavior.md §4.33, §4.34, §5.5; D33) against the store. Bot members are
// covered end to end once bots exist (http/e2e_room_memberships_test.go).

// roomFixture is an EnterpriseOIDC account of its own AWS account with a room and two users.
type roomFixture struct {
	aws  string
	a    *chime.Account
	room *chime.Room
	u, v *chime.User
}

func newRoomFixture(tb testing.TB, e *env) *roomFixture {
	tb.Helper()
	f := &roomFixture{aws: newTenant()}
	f.a = MustAccount(tb, e, f.aws, "members", chime.AccountEnterpriseOIDC)
	f.room = mustRoom(tb, e, f.aws, f.a.ID, "room")
	f.u = MustCreateUser(tb, e, f.aws, f.a.ID, newEmail("u"))
	f.v = MustCreateUser(tb, e, f.aws, f.a.ID, newEmail("v"))
	return f
}

// addWebhook stores a Webhook member in the room, as the webhooks work does (§9.7).
func (f *roomFixture) addWebhook(tb testing.TB, e *env, id, name string) {
	tb.Helper()
	must(tb, e.Store.Write(ctx, func(tx chime.Tx) error {
		return tx.InsertRoomMembership(ctx, &chime.RoomMembership{RoomID: f.room.ID, AccountID: f.a.ID, MemberID: id,
			Type: chime.MemberWebhook, Role: chime.RoleMember, InvitedBy: "arn", CreatedAt: e.Clock.Now(),
			UpdatedAt: e.Clock.Now()}, name)
	}))
}

// suspend suspends users of an EnterpriseOIDC account (BatchSuspendUser works on EnterpriseLWA accounts: the
// account is turned LWA for the call, then back).
func suspend(tb testing.TB, e *env, aws, accountID string, ids ...string) {
	tb.Helper()
	MustSetType(tb, e, aws, accountID, chime.AccountEnterpriseLWA)
	errs, err := e.Svc.BatchSuspendUser(ctx, aws, accountID, ids)
	if err != nil || len(errs) != 0 {
		tb.Fatalf("BatchSuspendUser: %v %+v", err, errs)
	}
	MustSetType(tb, e, aws, accountID, chime.AccountEnterpriseOIDC)
}

func listMembers(tb testing.TB, e *env, f *roomFixture, size int) []*chime.RoomMember {
	tb.Helper()
	var all []*chime.RoomMember
	in := chime.ListRoomMembershipsInput{MaxResults: size}
	for i := 0; ; i++ {
		page, next, err := e.Svc.ListRoomMemberships(ctx, f.aws, f.a.ID, f.room.ID, in)
		must(tb, err)
		all = append(all, page...)
		if next == "" {
			return all
		}
		if i > 1000 {
			tb.Fatal("endless pages")
		}
		in.NextToken = &next
	}
}

func memberIDs(list []*chime.RoomMember) []string {
	ids := make([]string, len(list))
	for i, m := range list {
		ids[i] = m.MemberID
	}
	return ids
}

func TestRoomMemberships(t *testing.T) {
	e := newEnv(t)

	t.Run("create, list, update, delete", func(t *testing.T) {
		f := newRoomFixture(t, e)
		m, err := e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, f.u.ID, nil)
		must(t, err)
		if m.Role != chime.RoleMember || m.Type != chime.MemberUser || m.InvitedBy != "arn:aws:iam::"+f.aws+":user/AKIA"+f.aws ||
			m.Email != f.u.Email || m.FullName != "" || m.AccountID != f.a.ID || m.RoomID != f.room.ID ||
			!m.UpdatedAt.Equal(e.Clock.Now()) {
			t.Fatalf("CreateRoomMembership = %+v", m)
		}
		e.Clock.Advance(time.Millisecond)
		adm, err := e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, f.v.ID, ptr("Administrator"))
		must(t, err)
		if adm.Role != chime.RoleAdministrator {
			t.Fatalf("Administrator: %+v", adm)
		}
		e.Clock.Advance(time.Millisecond)
		f.addWebhook(t, e, "webhook-1", "Build alerts")

		list := listMembers(t, e, f, 1)
		wantIDs(t, "members", memberIDs(list), []string{f.u.ID, f.v.ID, "webhook-1"})
		if w := list[2]; w.Type != chime.MemberWebhook || w.FullName != "Build alerts" || w.Email != "" {
			t.Fatalf("webhook member: %+v", w)
		}
		if u := list[0]; u.Email != f.u.Email || u.Type != chime.MemberUser {
			t.Fatalf("user member: %+v", u)
		}

		// UpdateRoomMembership: users only; no role = unchanged; a role = set, UpdatedAt now
		e.Clock.Advance(time.Minute)
		same, err := e.Svc.UpdateRoomMembership(ctx, f.aws, f.a.ID, f.room.ID, f.u.ID, nil)
		must(t, err)
		if same.Role != chime.RoleMember || !same.UpdatedAt.Equal(m.UpdatedAt) || same.Email != f.u.Email {
			t.Fatalf("update without a role: %+v", same)
		}
		up, err := e.Svc.UpdateRoomMembership(ctx, f.aws, f.a.ID, f.room.ID, f.u.ID, ptr("Administrator"))
		must(t, err)
		if up.Role != chime.RoleAdministrator || !up.UpdatedAt.Equal(e.Clock.Now()) {
			t.Fatalf("update: %+v", up)
		}
		_, err = e.Svc.UpdateRoomMembership(ctx, f.aws, f.a.ID, f.room.ID, "webhook-1", ptr("Member"))
		wantErr(t, err, chime.EINVALID, chime.FieldMemberID)
		_, err = e.Svc.UpdateRoomMembership(ctx, f.aws, f.a.ID, f.room.ID, "nobody", ptr("Member"))
		wantErr(t, err, chime.ENOTFOUND, "")
		_, err = e.Svc.UpdateRoomMembership(ctx, f.aws, f.a.ID, f.room.ID, f.u.ID, ptr("Owner"))
		wantErr(t, err, chime.EINVALID, chime.FieldRole)

		// DeleteRoomMembership: not a member → 404
		must(t, e.Svc.DeleteRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, f.u.ID))
		wantErr(t, e.Svc.DeleteRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, f.u.ID), chime.ENOTFOUND, "")
		must(t, e.Svc.DeleteRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, "webhook-1"))
		wantIDs(t, "members after deletes", memberIDs(listMembers(t, e, f, 0)), []string{f.v.ID})
		// a removed member can join again
		_, err = e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, f.u.ID, nil)
		must(t, err)
	})

	t.Run("who may join", func(t *testing.T) {
		f := newRoomFixture(t, e)
		add := func(id string, role *string) error {
			_, err := e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, id, role)
			return err
		}
		must(t, add(f.u.ID, nil))
		wantErr(t, add(f.u.ID, nil), chime.ECONFLICT, "")
		wantErr(t, add(f.u.ID, ptr("Administrator")), chime.ECONFLICT, "")
		wantErr(t, add("no-such-member", nil), chime.ENOTFOUND, "")
		// a user of another account of the same AWS account, and of another AWS account: 404
		other := MustAccount(t, e, f.aws, "other", chime.AccountEnterpriseOIDC)
		stranger := MustCreateUser(t, e, f.aws, other.ID, newEmail("stranger"))
		wantErr(t, add(stranger.ID, nil), chime.ENOTFOUND, "")
		// a suspended user: 400; suspension keeps existing memberships
		suspend(t, e, f.aws, f.a.ID, f.v.ID, f.u.ID)
		wantErr(t, add(f.v.ID, nil), chime.EINVALID, chime.FieldMemberID)
		wantIDs(t, "members", memberIDs(listMembers(t, e, f, 0)), []string{f.u.ID})
		// a webhook of the room: 400
		f.addWebhook(t, e, "webhook-2", "hook")
		wantErr(t, add("webhook-2", nil), chime.EINVALID, chime.FieldMemberID)
		wantErr(t, add(f.u.ID, ptr("Owner")), chime.EINVALID, chime.FieldRole)
		// unknown room, foreign caller, Team account
		_, err := e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, "no-room", f.u.ID, nil)
		wantErr(t, err, chime.ENOTFOUND, "")
		_, err = e.Svc.CreateRoomMembership(ctx, caller(newTenant()), f.a.ID, f.room.ID, f.u.ID, nil)
		wantErr(t, err, chime.ENOTFOUND, "")
		MustSetType(t, e, f.aws, f.a.ID, chime.AccountTeam)
		wantErr(t, add(f.u.ID, nil), chime.EFORBIDDEN, "")
		_, _, err = e.Svc.ListRoomMemberships(ctx, f.aws, f.a.ID, f.room.ID, chime.ListRoomMembershipsInput{})
		wantErr(t, err, chime.EFORBIDDEN, "")
	})

	t.Run("batch", func(t *testing.T) {
		f := newRoomFixture(t, e)
		w := MustCreateUser(t, e, f.aws, f.a.ID, newEmail("w"))
		s := MustCreateUser(t, e, f.aws, f.a.ID, newEmail("s"))
		suspend(t, e, f.aws, f.a.ID, s.ID)
		_, err := e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, w.ID, nil)
		must(t, err)
		e.Clock.Advance(time.Millisecond) // the batch joins later: listed after w, in MemberId order
		item := func(id, role string) chime.MembershipItem {
			it := chime.MembershipItem{MemberID: &id}
			if role != "" {
				it.Role = &role
			}
			return it
		}
		errs, err := e.Svc.BatchCreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, []chime.MembershipItem{
			item(f.u.ID, "Administrator"), item("ghost", ""), item(f.u.ID, ""), item(s.ID, ""), item(w.ID, ""),
			item(f.v.ID, "")})
		must(t, err)
		want := []chime.MemberError{{MemberID: "ghost", Code: chime.ENOTFOUND}, {MemberID: f.u.ID, Code: chime.ECONFLICT},
			{MemberID: s.ID, Code: chime.EINVALID}, {MemberID: w.ID, Code: chime.ECONFLICT}}
		if len(errs) != len(want) {
			t.Fatalf("batch errors = %+v, want %+v", errs, want)
		}
		for i := range want {
			if errs[i].MemberID != want[i].MemberID || errs[i].Code != want[i].Code || errs[i].Message == "" {
				t.Fatalf("batch error %d = %+v, want %+v", i, errs[i], want[i])
			}
		}
		list := listMembers(t, e, f, 0)
		later := []string{f.u.ID, f.v.ID}
		sort.Strings(later)
		wantIDs(t, "members", memberIDs(list), append([]string{w.ID}, later...))
		for _, m := range list {
			want := chime.RoleMember
			if m.MemberID == f.u.ID {
				want = chime.RoleAdministrator
			}
			if m.Role != want {
				t.Fatalf("role of %s: %s, want %s", m.MemberID, m.Role, want)
			}
		}

		// empty list: nothing; more than 50 or an item without MemberId: the whole request
		errs, err = e.Svc.BatchCreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, nil)
		if err != nil || errs == nil || len(errs) != 0 {
			t.Fatalf("empty batch: %v %v", errs, err)
		}
		many := make([]chime.MembershipItem, chime.MaxMembershipItem+1)
		for i := range many {
			many[i] = item(fmt.Sprintf("m%d", i), "")
		}
		_, err = e.Svc.BatchCreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, many)
		wantErr(t, err, chime.EINVALID, chime.FieldMembershipItems)
		_, err = e.Svc.BatchCreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, []chime.MembershipItem{{}})
		wantErr(t, err, chime.EINVALID, chime.FieldMembershipItems)
		_, err = e.Svc.BatchCreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID,
			[]chime.MembershipItem{item("x", "Owner")})
		wantErr(t, err, chime.EINVALID, chime.FieldRole)
		_, err = e.Svc.BatchCreateRoomMembership(ctx, caller(f.aws), f.a.ID, "no-room", many[:1])
		wantErr(t, err, chime.ENOTFOUND, "")
		// 50 items are fine (all unknown here)
		errs, err = e.Svc.BatchCreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, many[:50])
		if err != nil || len(errs) != 50 {
			t.Fatalf("50 items: %d errors, %v", len(errs), err)
		}
	})

	t.Run("1,000 per room and per user", func(t *testing.T) {
		f := newRoomFixture(t, e)
		now := e.Clock.Now()
		must(t, e.Store.Write(ctx, func(tx chime.Tx) error {
			for i := 0; i < chime.MaxRoomMembers-1; i++ {
				if err := tx.InsertRoomMembership(ctx, &chime.RoomMembership{RoomID: f.room.ID, AccountID: f.a.ID,
					MemberID: fmt.Sprintf("seed-%04d", i), Type: chime.MemberUser, Role: chime.RoleMember,
					InvitedBy: "arn", CreatedAt: now, UpdatedAt: now}, ""); err != nil {
					return err
				}
			}
			return nil
		}))
		_, err := e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, f.u.ID, nil) // the 1,000th
		must(t, err)
		_, err = e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, f.v.ID, nil)
		wantErr(t, err, chime.ELIMIT, "")
		errs, err := e.Svc.BatchCreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID,
			[]chime.MembershipItem{{MemberID: &f.v.ID}})
		must(t, err)
		if len(errs) != 1 || errs[0].Code != chime.ELIMIT {
			t.Fatalf("batch at the room limit: %+v", errs)
		}
		// a page of 99 by default; every member once across pages
		page, next, err := e.Svc.ListRoomMemberships(ctx, f.aws, f.a.ID, f.room.ID, chime.ListRoomMembershipsInput{})
		must(t, err)
		if len(page) != chime.DefaultRoomPage || next == "" {
			t.Fatalf("default page: %d, next %q", len(page), next)
		}
		all := listMembers(t, e, f, 99)
		seen := map[string]bool{}
		for _, m := range all {
			seen[m.MemberID] = true
		}
		if len(all) != chime.MaxRoomMembers || len(seen) != chime.MaxRoomMembers {
			t.Fatalf("listed %d members (%d distinct)", len(all), len(seen))
		}

		// the user side: v in 1,000 rooms already
		g := newRoomFixture(t, e)
		seedRooms(t, e, g.a, chime.MaxMemberRooms, g.v.ID)
		_, err = e.Svc.CreateRoomMembership(ctx, caller(g.aws), g.a.ID, g.room.ID, g.v.ID, nil)
		wantErr(t, err, chime.ELIMIT, "")
		_, err = e.Svc.CreateRoomMembership(ctx, caller(g.aws), g.a.ID, g.room.ID, g.u.ID, nil)
		must(t, err)
	})

	t.Run("DeleteRoom cascades memberships", func(t *testing.T) {
		f := newRoomFixture(t, e)
		_, err := e.Svc.BatchCreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID,
			[]chime.MembershipItem{{MemberID: &f.u.ID}, {MemberID: &f.v.ID}})
		must(t, err)
		must(t, e.Svc.DeleteRoom(ctx, f.aws, f.a.ID, f.room.ID))
		wantNoRoom(t, e, f.a.ID, f.room.ID, f.u.ID)
		_, _, err = e.Svc.ListRoomMemberships(ctx, f.aws, f.a.ID, f.room.ID, chime.ListRoomMembershipsInput{})
		wantErr(t, err, chime.ENOTFOUND, "")
		list, _, err := e.Svc.ListRooms(ctx, f.aws, f.a.ID, chime.ListRoomsInput{MemberID: &f.v.ID})
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("rooms of v after the delete: %v", roomIDs(list))
		}
	})
}
