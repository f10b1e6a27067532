package chime_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// Rules of rooms (docs/behavior.md §4.32; D31, D32, D41, D45, D48) against the store.

// caller is the identity of a caller of aws.
func caller(aws string) chime.Identity {
	return chime.Identity{AwsAccountID: aws, AccessKeyID: "AKIA" + aws}
}

func mustRoom(tb testing.TB, e *env, aws, accountID, name string) *chime.Room {
	tb.Helper()
	r, created, err := e.Svc.CreateRoom(ctx, caller(aws), accountID, &name, ptr(newToken()))
	if err != nil || !created {
		tb.Fatalf("CreateRoom %q: %v (created %v)", name, err, created)
	}
	return r
}

var tokenSeq = 0

func newToken() string {
	tokenSeq++
	return fmt.Sprintf("token-%d-%d", time.Now().UnixNano(), tokenSeq)
}

// seedRooms stores n rooms of account a directly (limits are tested without n API calls).
func seedRooms(tb testing.TB, e *env, a *chime.Account, n int, member string) {
	tb.Helper()
	now := e.Clock.Now()
	must(tb, e.Store.Write(ctx, func(tx chime.Tx) error {
		for i := 0; i < n; i++ {
			r := &chime.Room{ID: fmt.Sprintf("seed-%s-%05d", a.ID, i), AccountID: a.ID, AwsAccountID: a.AwsAccountID,
				Name: "seed", CreatedBy: "arn", CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertRoom(ctx, r, ""); err != nil {
				return err
			}
			if member != "" {
				if err := tx.InsertRoomMembership(ctx, &chime.RoomMembership{RoomID: r.ID, AccountID: a.ID,
					MemberID: member, Type: chime.MemberUser, Role: chime.RoleMember, InvitedBy: "arn", CreatedAt: now,
					UpdatedAt: now}, ""); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

func roomIDs(list []*chime.Room) []string {
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	return ids
}

func TestRooms(t *testing.T) {
	e := newEnv(t)

	t.Run("create, get, update, delete", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "rooms", chime.AccountEnterpriseLWA)
		name := "Chat Room"
		r, created, err := e.Svc.CreateRoom(ctx, caller(aws), a.ID, &name, nil)
		must(t, err)
		if !created || r.Name != name || r.AccountID != a.ID || r.CreatedBy != "arn:aws:iam::"+aws+":user/AKIA"+aws ||
			!r.CreatedAt.Equal(e.Clock.Now()) || !r.UpdatedAt.Equal(r.CreatedAt) || len(r.ID) != 36 {
			t.Fatalf("CreateRoom = %+v, created %v", r, created)
		}
		got, err := e.Svc.GetRoom(ctx, aws, a.ID, r.ID)
		must(t, err)
		if *got != *r {
			t.Fatalf("GetRoom = %+v, want %+v", got, r)
		}

		e.Clock.Advance(time.Minute)
		same, err := e.Svc.UpdateRoom(ctx, aws, a.ID, r.ID, nil) // no Name: unchanged
		must(t, err)
		if *same != *r {
			t.Fatalf("UpdateRoom without a name = %+v, want %+v", same, r)
		}
		up, err := e.Svc.UpdateRoom(ctx, aws, a.ID, r.ID, ptr("Renamed"))
		must(t, err)
		if up.Name != "Renamed" || !up.UpdatedAt.Equal(e.Clock.Now()) || !up.CreatedAt.Equal(r.CreatedAt) {
			t.Fatalf("UpdateRoom = %+v", up)
		}
		_, err = e.Svc.UpdateRoom(ctx, aws, a.ID, r.ID, ptr(" "))
		wantErr(t, err, chime.EINVALID, chime.FieldName)

		must(t, e.Svc.DeleteRoom(ctx, aws, a.ID, r.ID))
		wantErr(t, e.Svc.DeleteRoom(ctx, aws, a.ID, r.ID), chime.ENOTFOUND, "")
		_, err = e.Svc.GetRoom(ctx, aws, a.ID, r.ID)
		wantErr(t, err, chime.ENOTFOUND, "")
		_, err = e.Svc.UpdateRoom(ctx, aws, a.ID, r.ID, ptr("x"))
		wantErr(t, err, chime.ENOTFOUND, "")
	})

	t.Run("names", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "names", chime.AccountEnterpriseOIDC)
		for _, bad := range []*string{nil, ptr(""), ptr(" \t\n"), ptr(strings.Repeat("n", 257)), ptr("a\x00b"),
			ptr(strings.Repeat("é", 257))} {
			_, _, err := e.Svc.CreateRoom(ctx, caller(aws), a.ID, bad, nil)
			wantErr(t, err, chime.EINVALID, chime.FieldName)
		}
		for _, ok := range []string{"x", strings.Repeat("n", 256), strings.Repeat("é", 256), " padded "} {
			r := mustRoom(t, e, aws, a.ID, ok)
			if r.Name != ok {
				t.Fatalf("name %q stored as %q", ok, r.Name)
			}
		}
		// the name is checked before the account (D47)
		_, _, err := e.Svc.CreateRoom(ctx, caller(aws), "no-such-account", ptr(""), nil)
		wantErr(t, err, chime.EINVALID, chime.FieldName)
	})

	t.Run("account type and tenancy", func(t *testing.T) {
		aws, other := newTenant(), newTenant()
		team := MustAccount(t, e, aws, "team", chime.AccountTeam)
		ent := MustAccount(t, e, aws, "ent", chime.AccountEnterpriseDirectory)
		r := mustRoom(t, e, aws, ent.ID, "r")
		_, _, err := e.Svc.CreateRoom(ctx, caller(aws), team.ID, ptr("r"), nil)
		wantErr(t, err, chime.EFORBIDDEN, "")
		_, _, err = e.Svc.ListRooms(ctx, aws, team.ID, chime.ListRoomsInput{})
		wantErr(t, err, chime.EFORBIDDEN, "")
		_, _, err = e.Svc.CreateRoom(ctx, caller(other), ent.ID, ptr("r"), nil)
		wantErr(t, err, chime.ENOTFOUND, "")
		_, err = e.Svc.GetRoom(ctx, other, ent.ID, r.ID)
		wantErr(t, err, chime.ENOTFOUND, "")
		// a room of another account of the same AWS account is not found through this one
		ent2 := MustAccount(t, e, aws, "ent2", chime.AccountEnterpriseLWA)
		_, err = e.Svc.GetRoom(ctx, aws, ent2.ID, r.ID)
		wantErr(t, err, chime.ENOTFOUND, "")
		// an account turned Team keeps its rooms, refused with 403
		MustSetType(t, e, aws, ent.ID, chime.AccountTeam)
		_, err = e.Svc.GetRoom(ctx, aws, ent.ID, r.ID)
		wantErr(t, err, chime.EFORBIDDEN, "")
		wantErr(t, e.Svc.DeleteRoom(ctx, aws, ent.ID, r.ID), chime.EFORBIDDEN, "")
		MustSetType(t, e, aws, ent.ID, chime.AccountEnterpriseDirectory)
		if _, err := e.Svc.GetRoom(ctx, aws, ent.ID, r.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("client request token", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "tok", chime.AccountEnterpriseLWA)
		b := MustAccount(t, e, aws, "tok2", chime.AccountEnterpriseLWA)
		tok := "retry-token-1"
		r1, created, err := e.Svc.CreateRoom(ctx, caller(aws), a.ID, ptr("same"), &tok)
		must(t, err)
		e.Clock.Advance(time.Second)
		r2, created2, err := e.Svc.CreateRoom(ctx, caller(aws), a.ID, ptr("same"), &tok)
		must(t, err)
		if !created || created2 || *r1 != *r2 {
			t.Fatalf("retry: %+v (%v), %+v (%v)", r1, created, r2, created2)
		}
		_, _, err = e.Svc.CreateRoom(ctx, caller(aws), a.ID, ptr("other"), &tok)
		wantErr(t, err, chime.EINVALID, chime.FieldClientRequestToken)
		// the token is per account
		r3, created3, err := e.Svc.CreateRoom(ctx, caller(aws), b.ID, ptr("same"), &tok)
		must(t, err)
		if !created3 || r3.ID == r1.ID {
			t.Fatalf("another account's token: %+v (%v)", r3, created3)
		}
		// per room lifetime: once the room is deleted the token makes a new room
		must(t, e.Svc.DeleteRoom(ctx, aws, a.ID, r1.ID))
		r4, created4, err := e.Svc.CreateRoom(ctx, caller(aws), a.ID, ptr("other"), &tok)
		must(t, err)
		if !created4 || r4.ID == r1.ID || r4.Name != "other" {
			t.Fatalf("after delete: %+v (%v)", r4, created4)
		}
	})

	t.Run("1,500 rooms", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "full", chime.AccountEnterpriseLWA)
		tok := "before-the-limit"
		r, _, err := e.Svc.CreateRoom(ctx, caller(aws), a.ID, ptr("last"), &tok)
		must(t, err)
		seedRooms(t, e, a, chime.MaxRooms-1, "")
		_, _, err = e.Svc.CreateRoom(ctx, caller(aws), a.ID, ptr("one too many"), nil)
		wantErr(t, err, chime.ELIMIT, "")
		// a retry of a room that exists is no new room
		again, created, err := e.Svc.CreateRoom(ctx, caller(aws), a.ID, ptr("last"), &tok)
		must(t, err)
		if created || again.ID != r.ID {
			t.Fatalf("retry at the limit: %+v (%v)", again, created)
		}
		must(t, e.Svc.DeleteRoom(ctx, aws, a.ID, r.ID))
		mustRoom(t, e, aws, a.ID, "fits again")
	})

	t.Run("list pages and member filter", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "list", chime.AccountEnterpriseOIDC)
		u := MustCreateUser(t, e, aws, a.ID, newEmail("lister"))
		var want []string
		var mine []string
		for i := 0; i < 7; i++ {
			if i == 3 {
				e.Clock.Advance(time.Millisecond) // two creation instants: the key is (created, id)
			}
			r := mustRoom(t, e, aws, a.ID, fmt.Sprintf("room %d", i))
			want = append(want, r.ID)
			if i%2 == 0 {
				_, err := e.Svc.CreateRoomMembership(ctx, caller(aws), a.ID, r.ID, u.ID, nil)
				must(t, err)
				mine = append(mine, r.ID)
			}
		}
		sort.Strings(want[:3])
		sort.Strings(want[3:])
		mineSorted := append([]string(nil), mine...)
		sort.SliceStable(mineSorted, func(i, j int) bool { return index(want, mineSorted[i]) < index(want, mineSorted[j]) })

		all := listAllRooms(t, e, aws, a.ID, chime.ListRoomsInput{MaxResults: 2})
		wantIDs(t, "ListRooms", roomIDs(all), want)
		page, next, err := e.Svc.ListRooms(ctx, aws, a.ID, chime.ListRoomsInput{})
		must(t, err)
		if len(page) != 7 || next != "" {
			t.Fatalf("default page: %d rooms, next %q", len(page), next)
		}
		byMember := listAllRooms(t, e, aws, a.ID, chime.ListRoomsInput{MemberID: &u.ID, MaxResults: 1})
		wantIDs(t, "ListRooms member-id", roomIDs(byMember), mineSorted)
		none, next, err := e.Svc.ListRooms(ctx, aws, a.ID, chime.ListRoomsInput{MemberID: ptr("nobody")})
		must(t, err)
		if len(none) != 0 || next != "" {
			t.Fatalf("unknown member: %v %q", none, next)
		}

		// a token is bound to its listing: another member filter, account or caller refuses it
		_, next, err = e.Svc.ListRooms(ctx, aws, a.ID, chime.ListRoomsInput{MaxResults: 2})
		must(t, err)
		_, _, err = e.Svc.ListRooms(ctx, aws, a.ID, chime.ListRoomsInput{MaxResults: 2, MemberID: &u.ID, NextToken: &next})
		wantErr(t, err, chime.EINVALID, chime.FieldNextToken)
		_, _, err = e.Svc.ListRooms(ctx, aws, a.ID, chime.ListRoomsInput{NextToken: ptr(next[:len(next)-2] + "AA")})
		wantErr(t, err, chime.EINVALID, chime.FieldNextToken)
		_, _, err = e.Svc.ListRooms(ctx, aws, a.ID, chime.ListRoomsInput{NextToken: ptr("garbage")})
		wantErr(t, err, chime.EINVALID, chime.FieldNextToken)
	})

	t.Run("DeleteAccount and reset remove rooms", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "gone", chime.AccountEnterpriseOIDC)
		u := MustCreateUser(t, e, aws, a.ID, newEmail("gone"))
		r := mustRoom(t, e, aws, a.ID, "r")
		_, err := e.Svc.CreateRoomMembership(ctx, caller(aws), a.ID, r.ID, u.ID, nil)
		must(t, err)
		suspend(t, e, aws, a.ID, u.ID)
		must(t, e.Svc.DeleteAccount(ctx, aws, a.ID))
		wantNoRoom(t, e, a.ID, r.ID, u.ID)

		b := MustAccount(t, e, aws, "reset", chime.AccountEnterpriseOIDC)
		v := MustCreateUser(t, e, aws, b.ID, newEmail("reset"))
		r2 := mustRoom(t, e, aws, b.ID, "r2")
		_, err = e.Svc.CreateRoomMembership(ctx, caller(aws), b.ID, r2.ID, v.ID, nil)
		must(t, err)
		must(t, e.Svc.ResetTenant(ctx, aws))
		wantNoRoom(t, e, b.ID, r2.ID, v.ID)
	})
}

// wantNoRoom fails unless the store holds neither the room nor the membership.
func wantNoRoom(tb testing.TB, e *env, accountID, roomID, memberID string) {
	tb.Helper()
	must(tb, e.Store.Read(ctx, func(tx chime.Tx) error {
		if _, err := tx.Room(ctx, accountID, roomID); chime.ErrorCode(err) != chime.ENOTFOUND {
			tb.Errorf("room %s: %v, want NotFound", roomID, err)
		}
		if _, err := tx.RoomMembership(ctx, accountID, roomID, memberID); chime.ErrorCode(err) != chime.ENOTFOUND {
			tb.Errorf("membership of %s: %v, want NotFound", memberID, err)
		}
		if n, err := tx.CountMemberRooms(ctx, accountID, memberID); err != nil || n != 0 {
			tb.Errorf("rooms of %s: %d %v", memberID, n, err)
		}
		return nil
	}))
}

func index(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// listAllRooms follows ListRooms' tokens to the end.
func listAllRooms(tb testing.TB, e *env, aws, accountID string, in chime.ListRoomsInput) []*chime.Room {
	tb.Helper()
	var all []*chime.Room
	for i := 0; ; i++ {
		page, next, err := e.Svc.ListRooms(ctx, aws, accountID, in)
		must(tb, err)
		if len(page) > in.MaxResults && in.MaxResults > 0 {
			tb.Fatalf("page of %d rooms, asked %d", len(page), in.MaxResults)
		}
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
