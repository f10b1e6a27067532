package http_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
)

// CreateRoomMembership, BatchCreateRoomMembership, ListRoomMemberships, UpdateRoomMembership and
// DeleteRoomMembership (docs/behavior.md §4.33, §4.34, §5.5; D33), end to end through aws-sdk-go-v2.

func TestRoomMembershipsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseOIDC)
	acct := *a.AccountId
	u := MustCreateUser(t, c, acct, "janed@example.com")
	v := MustCreateUser(t, c, acct, "johnd@example.com")
	room := mustCreateRoom(t, c, acct, "chatRoom")
	base := "/accounts/" + acct + "/rooms/" + *room.RoomId + "/memberships"

	// create-room-membership: 201, Role Member by default, Member without FullName while the user has no name
	raw := s.rawJSON(t, tenantA, "POST", base, map[string]string{"MemberId": *u.UserId})
	if raw.Status != 201 {
		t.Fatalf("CreateRoomMembership raw: %d %s", raw.Status, raw.Body)
	}
	var created struct{ RoomMembership map[string]any }
	if err := json.Unmarshal(raw.Body, &created); err != nil {
		t.Fatal(err)
	}
	member, _ := created.RoomMembership["Member"].(map[string]any)
	if created.RoomMembership["Role"] != "Member" || created.RoomMembership["InvitedBy"] != callerARNOf(tenantA) ||
		created.RoomMembership["RoomId"] != *room.RoomId || member["MemberId"] != *u.UserId ||
		member["MemberType"] != "User" || member["Email"] != "janed@example.com" || member["AccountId"] != acct {
		t.Fatalf("CreateRoomMembership body: %s", raw.Body)
	}
	if _, ok := member["FullName"]; ok {
		t.Errorf("FullName of a user without a display name: %s", raw.Body)
	}
	if ts, _ := created.RoomMembership["UpdatedTimestamp"].(string); !wireTimestamp.MatchString(ts) {
		t.Errorf("UpdatedTimestamp = %v", created.RoomMembership["UpdatedTimestamp"])
	}

	// through the SDK, with a role
	out, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId,
		MemberId: v.UserId, Role: types.RoomMembershipRoleAdministrator})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 201)
	if m := out.RoomMembership; m.Role != types.RoomMembershipRoleAdministrator || m.Member.MemberType != types.MemberTypeUser ||
		aws.ToString(m.Member.Email) != "johnd@example.com" || aws.ToString(m.InvitedBy) != callerARNOf(tenantA) {
		t.Fatalf("CreateRoomMembership = %+v / %+v", m, m.Member)
	}
	checkTime(t, "UpdatedTimestamp", out.RoomMembership.UpdatedTimestamp)

	// modeled errors: already a member 409, unknown 404, bad role 400, unknown room 404, other tenant 404
	_, err = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId, MemberId: u.UserId})
	wantConflict(t, err)
	_, err = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId, MemberId: aws.String("ghost")})
	wantNotFound(t, err)
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", base, map[string]string{"MemberId": *u.UserId, "Role": "Owner"}), 400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", base, map[string]string{}), 400, "BadRequestException", "BadRequest")
	_, err = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: a.AccountId, RoomId: aws.String("no-room"), MemberId: u.UserId})
	wantNotFound(t, err)
	_, err = s.client(tenantB).CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId, MemberId: u.UserId})
	wantNotFound(t, err)

	// list-room-memberships: users (and webhooks, as §9.7 adds them) with the paginator
	err = s.store.Write(ctx, func(tx chimed.Tx) error {
		return tx.InsertRoomMembership(ctx, &chimed.RoomMembership{RoomID: *room.RoomId, AccountID: acct,
			MemberID: "b1e1a2c3-0000-4000-8000-000000000001", Type: chimed.MemberWebhook, Role: chimed.RoleMember,
			InvitedBy: callerARNOf(tenantA)}, "Build alerts")
	})
	if err != nil {
		t.Fatal(err)
	}
	members := listMemberships(t, c, acct, *room.RoomId, 1)
	if len(members) != 3 {
		t.Fatalf("ListRoomMemberships: %d members", len(members))
	}
	byID := map[string]types.RoomMembership{}
	for _, m := range members {
		byID[aws.ToString(m.Member.MemberId)] = m
	}
	if w := byID["b1e1a2c3-0000-4000-8000-000000000001"]; w.Member == nil || w.Member.MemberType != types.MemberTypeWebhook ||
		aws.ToString(w.Member.FullName) != "Build alerts" || w.Member.Email != nil {
		t.Fatalf("webhook member: %+v", w.Member)
	}
	if m := byID[*v.UserId]; m.Role != types.RoomMembershipRoleAdministrator || aws.ToString(m.RoomId) != *room.RoomId {
		t.Fatalf("listed membership of v: %+v", m)
	}

	// update-room-membership: {} → unchanged; Role → set; a webhook's role cannot change; not a member → 404
	r := s.raw(t, tenantA, "POST", base+"/"+*u.UserId, []byte(`{}`))
	if r.Status != 200 || !strings.Contains(string(r.Body), `"Role":"Member"`) {
		t.Fatalf("UpdateRoomMembership {}: %d %s", r.Status, r.Body)
	}
	up, err := c.UpdateRoomMembership(ctx, &chime.UpdateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId,
		MemberId: u.UserId, Role: types.RoomMembershipRoleAdministrator})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, up.ResultMetadata, 200)
	if up.RoomMembership.Role != types.RoomMembershipRoleAdministrator || aws.ToString(up.RoomMembership.Member.Email) != "janed@example.com" {
		t.Fatalf("UpdateRoomMembership = %+v", up.RoomMembership)
	}
	_, err = c.UpdateRoomMembership(ctx, &chime.UpdateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId,
		MemberId: aws.String("b1e1a2c3-0000-4000-8000-000000000001"), Role: types.RoomMembershipRoleMember})
	wantBadRequest(t, err)
	_, err = c.UpdateRoomMembership(ctx, &chime.UpdateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId,
		MemberId: aws.String("ghost"), Role: types.RoomMembershipRoleMember})
	wantNotFound(t, err)

	// delete-room-membership: 204, then 404; ListRooms member-id follows
	del, err := c.DeleteRoomMembership(ctx, &chime.DeleteRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId, MemberId: u.UserId})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, del.ResultMetadata, 204)
	_, err = c.DeleteRoomMembership(ctx, &chime.DeleteRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId, MemberId: u.UserId})
	wantNotFound(t, err)
	rooms, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: a.AccountId, MemberId: u.UserId})
	if err != nil || len(rooms.Rooms) != 0 {
		t.Fatalf("rooms of a removed member: %+v %v", rooms, err)
	}

	// DeleteRoom removes the memberships with the room
	if _, err := c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: a.AccountId, RoomId: room.RoomId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: a.AccountId, RoomId: room.RoomId})
	wantNotFound(t, err)
	rooms, err = c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: a.AccountId, MemberId: v.UserId})
	if err != nil || len(rooms.Rooms) != 0 {
		t.Fatalf("rooms of a member of a deleted room: %+v %v", rooms, err)
	}

	// Team: 403 for every membership operation
	team := MustAccount(t, s, tenantA, types.AccountTypeTeam)
	_, err = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: team.AccountId, RoomId: room.RoomId, MemberId: u.UserId})
	wantForbidden(t, err)
	_, err = c.ListRoomMemberships(ctx, &chime.ListRoomMembershipsInput{AccountId: team.AccountId, RoomId: room.RoomId})
	wantForbidden(t, err)
	_, err = c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{AccountId: team.AccountId,
		RoomId: room.RoomId, MembershipItemList: []types.MembershipItem{}})
	wantForbidden(t, err)
}

func listMemberships(tb testing.TB, c *chime.Client, accountID, roomID string, limit int32) []types.RoomMembership {
	tb.Helper()
	var all []types.RoomMembership
	p := chime.NewListRoomMembershipsPaginator(c, &chime.ListRoomMembershipsInput{AccountId: aws.String(accountID),
		RoomId: aws.String(roomID)}, func(o *chime.ListRoomMembershipsPaginatorOptions) { o.Limit = limit })
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		if len(out.RoomMemberships) > int(limit) {
			tb.Fatalf("page of %d, limit %d", len(out.RoomMemberships), limit)
		}
		all = append(all, out.RoomMemberships...)
	}
	return all
}

func TestBatchCreateRoomMembershipE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseOIDC)
	acct := *a.AccountId
	u := MustCreateUser(t, c, acct, "u@example.com")
	v := MustCreateUser(t, c, acct, "v@example.com")
	w := MustCreateUser(t, c, acct, "w@example.com")
	room := mustCreateRoom(t, c, acct, "batch")
	path := "/accounts/" + acct + "/rooms/" + *room.RoomId + "/memberships?operation=batch-create"

	// empty list: 201 {"Errors":[]}
	r := s.raw(t, tenantA, "POST", path, []byte(`{"MembershipItemList":[]}`))
	if r.Status != 201 || string(r.Body) != `{"Errors":[]}` {
		t.Fatalf("empty batch: %d %s", r.Status, r.Body)
	}
	if _, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId, MemberId: w.UserId}); err != nil {
		t.Fatal(err)
	}
	out, err := c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{AccountId: a.AccountId,
		RoomId: room.RoomId, MembershipItemList: []types.MembershipItem{
			{MemberId: u.UserId, Role: types.RoomMembershipRoleAdministrator},
			{MemberId: aws.String("ghost")},
			{MemberId: u.UserId},
			{MemberId: w.UserId},
			{MemberId: v.UserId},
		}})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 201)
	want := [][2]string{{"ghost", "NotFound"}, {*u.UserId, "Conflict"}, {*w.UserId, "Conflict"}}
	if len(out.Errors) != len(want) {
		t.Fatalf("batch errors = %+v", out.Errors)
	}
	for i, e := range out.Errors {
		if aws.ToString(e.MemberId) != want[i][0] || string(e.ErrorCode) != want[i][1] || aws.ToString(e.ErrorMessage) == "" {
			t.Errorf("error %d = {%s %s %s}, want %v", i, aws.ToString(e.MemberId), e.ErrorCode, aws.ToString(e.ErrorMessage), want[i])
		}
	}
	roles := map[string]types.RoomMembershipRole{}
	for _, m := range listMemberships(t, c, acct, *room.RoomId, 99) {
		roles[*m.Member.MemberId] = m.Role
	}
	if len(roles) != 3 || roles[*u.UserId] != types.RoomMembershipRoleAdministrator || roles[*v.UserId] != types.RoomMembershipRoleMember {
		t.Fatalf("members after the batch: %v", roles)
	}

	// whole-request errors: 51 items, a bad role
	items := make([]map[string]string, 51)
	for i := range items {
		items[i] = map[string]string{"MemberId": fmt.Sprintf("m%d", i)}
	}
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", path, map[string]any{"MembershipItemList": items}), 400, "BadRequestException", "BadRequest")
	r = s.rawJSON(t, tenantA, "POST", path, map[string]any{"MembershipItemList": items[:50]})
	if r.Status != 201 || strings.Count(string(r.Body), `"ErrorCode":"NotFound"`) != 50 {
		t.Fatalf("50 unknown members: %d %s", r.Status, r.Body)
	}
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", path, map[string]any{"MembershipItemList": []map[string]string{{"MemberId": "x", "Role": "Owner"}}}),
		400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.raw(t, tenantA, "POST", path, []byte(`{}`)), 400, "BadRequestException", "BadRequest")

	// 1,000 members per room: the batch item and the single call
	err = s.store.Write(ctx, func(tx chimed.Tx) error {
		for i := 0; i < 997; i++ {
			if err := tx.InsertRoomMembership(ctx, &chimed.RoomMembership{RoomID: *room.RoomId, AccountID: acct,
				MemberID: fmt.Sprintf("seed-%04d", i), Type: chimed.MemberUser, Role: chimed.RoleMember, InvitedBy: "arn"}, ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	x := MustCreateUser(t, c, acct, "x@example.com")
	out, err = c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{AccountId: a.AccountId,
		RoomId: room.RoomId, MembershipItemList: []types.MembershipItem{{MemberId: x.UserId}}})
	if err != nil || len(out.Errors) != 1 || out.Errors[0].ErrorCode != types.ErrorCodeResourceLimitExceeded {
		t.Fatalf("batch at the room limit: %+v %v", out, err)
	}
	_, err = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId, MemberId: x.UserId})
	wantRoomLimit(t, err)
	if n := len(listMemberships(t, c, acct, *room.RoomId, 99)); n != 1000 {
		t.Fatalf("listed %d members, want 1000", n)
	}
}
