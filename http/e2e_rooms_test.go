package http_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
)

// CreateRoom, GetRoom, ListRooms, UpdateRoom and DeleteRoom (docs/behavior.md §4.32; D31, D32, D41), end to end
// through aws-sdk-go-v2. Shapes as the AWS CLI examples show them (awscli/examples/chime/create-room.rst etc.).

// callerARNOf is the CreatedBy / InvitedBy of a caller whose access key id is keyID (D32).
func callerARNOf(keyID string) string { return "arn:aws:iam::" + keyID + ":user/" + keyID }

// wantRoomLimit asserts a 400 ResourceLimitExceededException with Code ResourceLimitExceeded.
func wantRoomLimit(tb testing.TB, err error) {
	tb.Helper()
	var le *types.ResourceLimitExceededException
	if !errors.As(err, &le) || le.Code != types.ErrorCodeResourceLimitExceeded {
		tb.Fatalf("got %v, want ResourceLimitExceededException", err)
	}
}

func mustCreateRoom(tb testing.TB, c *chime.Client, accountID, name string) types.Room {
	tb.Helper()
	out, err := c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: aws.String(accountID), Name: aws.String(name)})
	if err != nil {
		tb.Fatalf("CreateRoom %q: %v", name, err)
	}
	return *out.Room
}

// seedRooms stores n rooms of an account directly, for the limits.
func seedRooms(tb testing.TB, s *testServer, aws, accountID string, n int) {
	tb.Helper()
	err := s.store.Write(ctx, func(tx chimed.Tx) error {
		for i := 0; i < n; i++ {
			r := &chimed.Room{ID: fmt.Sprintf("seed-%05d", i), AccountID: accountID, AwsAccountID: aws, Name: "seed",
				CreatedBy: "arn"}
			if err := tx.InsertRoom(ctx, r, ""); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestRoomsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseLWA)
	acct := *a.AccountId

	// create-room: 201 {"Room":{RoomId, Name, AccountId, CreatedBy, CreatedTimestamp, UpdatedTimestamp}}
	out, err := c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: a.AccountId, Name: aws.String("chatRoom")})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 201)
	r := out.Room
	if r == nil || len(aws.ToString(r.RoomId)) != 36 || aws.ToString(r.Name) != "chatRoom" ||
		aws.ToString(r.AccountId) != acct || aws.ToString(r.CreatedBy) != callerARNOf(tenantA) {
		t.Fatalf("CreateRoom = %+v", r)
	}
	checkTime(t, "CreatedTimestamp", r.CreatedTimestamp)
	if !r.UpdatedTimestamp.Equal(*r.CreatedTimestamp) {
		t.Errorf("UpdatedTimestamp %v != CreatedTimestamp %v", r.UpdatedTimestamp, r.CreatedTimestamp)
	}
	roomPath := "/accounts/" + acct + "/rooms/" + *r.RoomId

	// get-room, raw: exactly the six members
	raw := s.raw(t, tenantA, "GET", roomPath, nil)
	var body map[string]map[string]any
	if raw.Status != 200 || json.Unmarshal(raw.Body, &body) != nil || len(body) != 1 || len(body["Room"]) != 6 {
		t.Fatalf("GetRoom raw: %d %s", raw.Status, raw.Body)
	}
	for _, k := range []string{"CreatedTimestamp", "UpdatedTimestamp"} {
		if v, _ := body["Room"][k].(string); !wireTimestamp.MatchString(v) {
			t.Errorf("%s = %v", k, body["Room"][k])
		}
	}
	got, err := c.GetRoom(ctx, &chime.GetRoomInput{AccountId: a.AccountId, RoomId: r.RoomId})
	if err != nil || aws.ToString(got.Room.Name) != "chatRoom" {
		t.Fatalf("GetRoom: %+v %v", got, err)
	}

	// update-room: {} → unchanged; a Name → renamed
	if raw := s.raw(t, tenantA, "POST", roomPath, []byte(`{}`)); raw.Status != 200 || !strings.Contains(string(raw.Body), `"Name":"chatRoom"`) {
		t.Fatalf("UpdateRoom {}: %d %s", raw.Status, raw.Body)
	}
	up, err := c.UpdateRoom(ctx, &chime.UpdateRoomInput{AccountId: a.AccountId, RoomId: r.RoomId, Name: aws.String("teamRoom")})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, up.ResultMetadata, 200)
	if aws.ToString(up.Room.Name) != "teamRoom" || up.Room.UpdatedTimestamp.Before(*r.UpdatedTimestamp) ||
		!up.Room.CreatedTimestamp.Equal(*r.CreatedTimestamp) {
		t.Fatalf("UpdateRoom = %+v", up.Room)
	}

	// names: 1..256 characters with a non-blank (D32)
	for _, bad := range []string{"", "   ", strings.Repeat("x", 257)} {
		_, err := c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: a.AccountId, Name: aws.String(bad)})
		wantBadRequest(t, err)
		_, err = c.UpdateRoom(ctx, &chime.UpdateRoomInput{AccountId: a.AccountId, RoomId: r.RoomId, Name: aws.String(bad)})
		wantBadRequest(t, err)
	}
	mustCreateRoom(t, c, acct, strings.Repeat("x", 256))
	wantRawErr(t, s.raw(t, tenantA, "POST", "/accounts/"+acct+"/rooms", []byte(`{}`)), 400, "BadRequestException", "BadRequest")

	// tenancy and unknown ids
	_, err = c.GetRoom(ctx, &chime.GetRoomInput{AccountId: a.AccountId, RoomId: aws.String("no-such-room")})
	wantNotFound(t, err)
	_, err = s.client(tenantB).GetRoom(ctx, &chime.GetRoomInput{AccountId: a.AccountId, RoomId: r.RoomId})
	wantNotFound(t, err)
	_, err = s.client(tenantB).CreateRoom(ctx, &chime.CreateRoomInput{AccountId: a.AccountId, Name: aws.String("x")})
	wantNotFound(t, err)

	// delete-room: 204, then 404
	del, err := c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: a.AccountId, RoomId: r.RoomId})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, del.ResultMetadata, 204)
	_, err = c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: a.AccountId, RoomId: r.RoomId})
	wantNotFound(t, err)
	_, err = c.GetRoom(ctx, &chime.GetRoomInput{AccountId: a.AccountId, RoomId: r.RoomId})
	wantNotFound(t, err)
}

func TestRoomsTeamAndIdempotencyE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	team := MustAccount(t, s, tenantA, types.AccountTypeTeam)
	_, err := c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: team.AccountId, Name: aws.String("r")})
	wantForbidden(t, err)
	_, err = c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: team.AccountId})
	wantForbidden(t, err)
	_, err = c.GetRoom(ctx, &chime.GetRoomInput{AccountId: team.AccountId, RoomId: aws.String("r")})
	wantForbidden(t, err)
	_, err = c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: aws.String("no-such-account"), Name: aws.String("r")})
	wantNotFound(t, err)

	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseDirectory)
	// without a token the SDK inserts a random one: two calls, two rooms
	r1, r2 := mustCreateRoom(t, c, *a.AccountId, "same"), mustCreateRoom(t, c, *a.AccountId, "same")
	if *r1.RoomId == *r2.RoomId {
		t.Fatal("two CreateRoom calls without a token made one room")
	}
	// an explicit token: the retry answers 201 with the same room; another Name → 400
	in := &chime.CreateRoomInput{AccountId: a.AccountId, Name: aws.String("retried"), ClientRequestToken: aws.String("token-1234")}
	first, err := c.CreateRoom(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.CreateRoom(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, again.ResultMetadata, 201)
	if *first.Room.RoomId != *again.Room.RoomId || !first.Room.CreatedTimestamp.Equal(*again.Room.CreatedTimestamp) {
		t.Fatalf("retry made another room: %+v vs %+v", first.Room, again.Room)
	}
	_, err = c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: a.AccountId, Name: aws.String("other"), ClientRequestToken: aws.String("token-1234")})
	wantBadRequest(t, err)
	// the token's model length, 2..64 (its pattern, unanchored `[-_a-zA-Z0-9]*`, admits any text)
	for _, tok := range []string{"x", strings.Repeat("t", 65)} {
		_, err = c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: a.AccountId, Name: aws.String("r"), ClientRequestToken: aws.String(tok)})
		wantBadRequest(t, err)
	}

	// 1,500 rooms per account
	b := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseLWA)
	seedRooms(t, s, tenantA, *b.AccountId, 1500)
	_, err = c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: b.AccountId, Name: aws.String("one too many")})
	wantRoomLimit(t, err)
	r := s.raw(t, tenantA, "POST", "/accounts/"+*b.AccountId+"/rooms", []byte(`{"Name":"x"}`))
	wantRawErr(t, r, 400, "ResourceLimitExceededException", "ResourceLimitExceeded")
}

func TestListRoomsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseOIDC)
	u := MustCreateUser(t, c, *a.AccountId, "lister@example.com")

	// empty: {"Rooms":[]}
	r := s.raw(t, tenantA, "GET", "/accounts/"+*a.AccountId+"/rooms", nil)
	if r.Status != 200 || string(r.Body) != `{"Rooms":[]}` {
		t.Fatalf("empty ListRooms: %d %s", r.Status, r.Body)
	}
	var all []string
	var mine []string
	for i := 0; i < 5; i++ {
		room := mustCreateRoom(t, c, *a.AccountId, fmt.Sprintf("room-%d", i))
		all = append(all, *room.RoomId)
		if i%2 == 1 {
			if _, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: a.AccountId,
				RoomId: room.RoomId, MemberId: u.UserId}); err != nil {
				t.Fatal(err)
			}
			mine = append(mine, *room.RoomId)
		}
	}
	list := func(in *chime.ListRoomsInput, limit int32) []string {
		t.Helper()
		var ids []string
		pages := 0
		p := chime.NewListRoomsPaginator(c, in, func(o *chime.ListRoomsPaginatorOptions) { o.Limit = limit })
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Rooms) > int(limit) {
				t.Fatalf("page of %d rooms, limit %d", len(out.Rooms), limit)
			}
			for _, r := range out.Rooms {
				ids = append(ids, *r.RoomId)
			}
			pages++
		}
		if pages > len(ids)/int(limit)+1 {
			t.Errorf("%d pages for %d rooms of %d", pages, len(ids), limit)
		}
		return ids
	}
	got := list(&chime.ListRoomsInput{AccountId: a.AccountId}, 2)
	if !sameSet(got, all) || len(got) != 5 {
		t.Fatalf("ListRooms = %v, want %v", got, all)
	}
	if again := list(&chime.ListRoomsInput{AccountId: a.AccountId}, 99); strings.Join(again, ",") != strings.Join(got, ",") {
		t.Fatalf("order differs between page sizes: %v vs %v", again, got)
	}
	byMember := list(&chime.ListRoomsInput{AccountId: a.AccountId, MemberId: u.UserId}, 1)
	if !sameSet(byMember, mine) || len(byMember) != len(mine) {
		t.Fatalf("ListRooms member-id = %v, want %v", byMember, mine)
	}
	if ids := list(&chime.ListRoomsInput{AccountId: a.AccountId, MemberId: aws.String("nobody")}, 5); len(ids) != 0 {
		t.Fatalf("unknown member: %v", ids)
	}

	// bounds and tokens
	wantRawErr(t, s.raw(t, tenantA, "GET", "/accounts/"+*a.AccountId+"/rooms?max-results=0", nil), 400, "BadRequestException", "BadRequest")
	_, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: a.AccountId, NextToken: aws.String("forged")})
	wantBadRequest(t, err)
	out, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: a.AccountId, MaxResults: aws.Int32(2)})
	if err != nil || out.NextToken == nil {
		t.Fatalf("first page: %+v %v", out, err)
	}
	_, err = c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: a.AccountId, MemberId: u.UserId, NextToken: out.NextToken})
	wantBadRequest(t, err) // another filter
	_, err = s.client(tenantB).ListRooms(ctx, &chime.ListRoomsInput{AccountId: a.AccountId})
	wantNotFound(t, err)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		if m[x]--; m[x] < 0 {
			return false
		}
	}
	return true
}
