package http_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// Bots as room members (docs/behavior.md §4.33, §4.34, §10.1; D33, D38), end to end through aws-sdk-go-v2: who may
// join, the Member shape, and the Invite and Remove events in the outbox (a Lambda target: recorded, not sent).

func mustBot(tb testing.TB, c *chime.Client, accountID, name string) types.Bot {
	tb.Helper()
	out, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: aws.String(accountID), DisplayName: aws.String(name),
		Domain: aws.String("example.com")})
	if err != nil {
		tb.Fatalf("CreateBot %s: %v", name, err)
	}
	return *out.Bot
}

func mustLambda(tb testing.TB, c *chime.Client, accountID, botID string) {
	tb.Helper()
	if _, err := c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: aws.String(accountID),
		BotId: aws.String(botID), LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:111122223333:function:bot")}); err != nil {
		tb.Fatalf("PutEventsConfiguration: %v", err)
	}
}

func TestRoomBotMembershipsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseLWA)
	acct := *a.AccountId
	room := mustCreateRoom(t, c, acct, "with bots")
	bot := mustBot(t, c, acct, "myBot")
	add := func(id string, role types.RoomMembershipRole) (*chime.CreateRoomMembershipOutput, error) {
		return c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId,
			MemberId: aws.String(id), Role: role})
	}

	// without an events configuration: 400
	_, err := add(*bot.BotId, "")
	wantBadRequest(t, err)
	mustLambda(t, c, acct, *bot.BotId)
	// Administrator for a bot: 400; a disabled bot: 400
	_, err = add(*bot.BotId, types.RoomMembershipRoleAdministrator)
	wantBadRequest(t, err)
	if _, err := c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: a.AccountId, BotId: bot.BotId, Disabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err = add(*bot.BotId, "")
	wantBadRequest(t, err)
	if _, err := c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: a.AccountId, BotId: bot.BotId, Disabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}

	// enabled and configured: 201, a Bot member showing BotEmail and DisplayName, always Member
	out, err := add(*bot.BotId, types.RoomMembershipRoleMember)
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 201)
	m := out.RoomMembership
	if m.Member.MemberType != types.MemberTypeBot || aws.ToString(m.Member.MemberId) != *bot.BotId ||
		aws.ToString(m.Member.Email) != aws.ToString(bot.BotEmail) || aws.ToString(m.Member.FullName) != "myBot (Bot)" ||
		m.Role != types.RoomMembershipRoleMember {
		t.Fatalf("bot membership = %+v / %+v", m, m.Member)
	}
	_, err = add(*bot.BotId, "")
	wantConflict(t, err)
	_, err = c.UpdateRoomMembership(ctx, &chime.UpdateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId,
		MemberId: bot.BotId, Role: types.RoomMembershipRoleAdministrator})
	wantBadRequest(t, err)
	rooms, err := c.ListRooms(ctx, &chime.ListRoomsInput{AccountId: a.AccountId, MemberId: bot.BotId})
	if err != nil || len(rooms.Rooms) != 1 || *rooms.Rooms[0].RoomId != *room.RoomId {
		t.Fatalf("rooms of the bot: %+v %v", rooms, err)
	}

	// batch: a second bot (configured) joins, the first is a Conflict, an unconfigured one a BadRequest
	bot2, bot3 := mustBot(t, c, acct, "second"), mustBot(t, c, acct, "third")
	mustLambda(t, c, acct, *bot2.BotId)
	batch, err := c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{AccountId: a.AccountId,
		RoomId: room.RoomId, MembershipItemList: []types.MembershipItem{{MemberId: bot2.BotId}, {MemberId: bot.BotId},
			{MemberId: bot3.BotId}, {MemberId: bot2.BotId, Role: types.RoomMembershipRoleAdministrator}}})
	if err != nil {
		t.Fatal(err)
	}
	codes := []string{}
	for _, e := range batch.Errors {
		codes = append(codes, aws.ToString(e.MemberId)+"="+string(e.ErrorCode))
	}
	if want := []string{*bot.BotId + "=Conflict", *bot3.BotId + "=BadRequest", *bot2.BotId + "=Conflict"}; strings.Join(codes, ",") != strings.Join(want, ",") {
		t.Fatalf("batch errors = %v, want %v", codes, want)
	}

	// removing a bot: 204 and a Remove event; the outbox holds Invite then Remove, sent by the caller's ARN
	del, err := c.DeleteRoomMembership(ctx, &chime.DeleteRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId, MemberId: bot.BotId})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, del.ResultMetadata, 204)
	r := s.raw(t, tenantA, "GET", "/_chimed/bot-events?bot-id="+*bot.BotId, nil)
	var ev wireBotEvents
	if r.Status != 200 || json.Unmarshal(r.Body, &ev) != nil || len(ev.Events) != 2 {
		t.Fatalf("bot-events: %d %s", r.Status, r.Body)
	}
	for i, typ := range []string{"Invite", "Remove"} {
		e := ev.Events[i]
		var body struct {
			Sender               struct{ SenderId, SenderIdType string }
			Discussion           struct{ DiscussionId, DiscussionType string }
			EventType            string
			InboundHttpsEndpoint *struct{ EndpointType, Url string }
		}
		if err := json.Unmarshal([]byte(e.Body), &body); err != nil {
			t.Fatalf("event body %q: %v", e.Body, err)
		}
		if e.EventType != typ || body.EventType != typ || body.Sender.SenderId != callerARNOf(tenantA) ||
			body.Sender.SenderIdType != "IamArn" || body.Discussion.DiscussionId != *room.RoomId ||
			body.Discussion.DiscussionType != "Room" || e.Target.Type != "Lambda" {
			t.Fatalf("event %d: %+v / %s", i, e, e.Body)
		}
		if (typ == "Invite") != (body.InboundHttpsEndpoint != nil) {
			t.Fatalf("event %d endpoint: %s", i, e.Body)
		}
		if typ == "Invite" && (body.InboundHttpsEndpoint.EndpointType != "Persistent" || body.InboundHttpsEndpoint.Url == "") {
			t.Fatalf("Invite endpoint: %s", e.Body)
		}
	}
	_, err = c.DeleteRoomMembership(ctx, &chime.DeleteRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId, MemberId: bot.BotId})
	wantNotFound(t, err)

	// DeleteRoom queues no event (bot2 stays with its Invite only)
	if _, err := c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: a.AccountId, RoomId: room.RoomId}); err != nil {
		t.Fatal(err)
	}
	r = s.raw(t, tenantA, "GET", "/_chimed/bot-events?bot-id="+*bot2.BotId, nil)
	if r.Status != 200 || json.Unmarshal(r.Body, &ev) != nil || len(ev.Events) != 1 || ev.Events[0].EventType != "Invite" {
		t.Fatalf("events of bot2 after DeleteRoom: %d %s", r.Status, r.Body)
	}
}
