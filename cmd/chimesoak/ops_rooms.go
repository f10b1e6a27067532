package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/google/uuid"
)

func roomKey(a *account, r *room, field string) string {
	return "room|" + a.id + "/" + r.id + "|" + field
}
func memberKey(a *account, r *room, m string) string {
	return "member|" + a.id + "/" + r.id + "/" + m + "|role"
}

var roles = []types.RoomMembershipRole{types.RoomMembershipRoleMember, types.RoomMembershipRoleAdministrator}

// opRooms creates, renames and deletes rooms, adds, updates and removes user members and posts messages.
func opRooms(ctx context.Context, w *worker) {
	a := w.enterprise(ctx)
	if a == nil {
		return
	}
	if len(a.rooms) < 2 || (len(a.rooms) < 3 && w.rng.IntN(6) == 0) {
		name := w.name("room")
		out, r := call(ctx, w, (*chime.Client).CreateRoom, &chime.CreateRoomInput{AccountId: aws.String(a.id),
			Name: aws.String(name), ClientRequestToken: aws.String(uuid.NewString())})
		switch r.outcome {
		case outcomeOK:
			rm := &room{id: aws.ToString(out.Room.RoomId), members: map[string]bool{}}
			a.rooms = append(a.rooms, rm)
			w.led().ack("CreateRoom", r.reqID, r.at, roomKey(a, rm, "name"), name)
		case outcomeUnknown:
			w.unknownOutcome()
		}
		return
	}
	rm, _ := pick(w, a.rooms)
	u, haveUser := pick(w, a.users)
	switch n := w.rng.IntN(12); {
	case n == 0:
		_, r := call(ctx, w, (*chime.Client).DeleteRoom, &chime.DeleteRoomInput{AccountId: aws.String(a.id), RoomId: aws.String(rm.id)})
		prefixes := []string{"room|" + a.id + "/" + rm.id + "|", "member|" + a.id + "/" + rm.id + "/", "msg|" + a.id + "/" + rm.id + "/"}
		switch r.outcome {
		case outcomeOK:
			w.led().ackGone("DeleteRoom", r.reqID, r.at, prefixes...)
			a.rooms = remove(a.rooms, rm)
		case outcomeUnknown:
			w.led().lostAnswerPrefix(prefixes...)
			a.rooms = remove(a.rooms, rm)
		}
	case n == 1:
		name := w.name("room")
		_, r := call(ctx, w, (*chime.Client).UpdateRoom, &chime.UpdateRoomInput{AccountId: aws.String(a.id),
			RoomId: aws.String(rm.id), Name: aws.String(name)})
		w.record(r, "UpdateRoom", roomKey(a, rm, "name"), name)
	case !haveUser:
		return
	case !rm.members[u.id]:
		role := roles[w.rng.IntN(2)]
		if n%2 == 0 {
			_, r := call(ctx, w, (*chime.Client).CreateRoomMembership, &chime.CreateRoomMembershipInput{
				AccountId: aws.String(a.id), RoomId: aws.String(rm.id), MemberId: aws.String(u.id), Role: role})
			w.memberResult(r, "CreateRoomMembership", a, rm, u.id, string(role))
			return
		}
		out, r := call(ctx, w, (*chime.Client).BatchCreateRoomMembership, &chime.BatchCreateRoomMembershipInput{
			AccountId: aws.String(a.id), RoomId: aws.String(rm.id),
			MembershipItemList: []types.MembershipItem{{MemberId: aws.String(u.id), Role: role}}})
		if r.ok() && len(out.Errors) > 0 {
			w.led().ackNoFact("BatchCreateRoomMembership", r.reqID, r.at)
			return
		}
		w.memberResult(r, "BatchCreateRoomMembership", a, rm, u.id, string(role))
	case n < 8:
		role := roles[w.rng.IntN(2)]
		_, r := call(ctx, w, (*chime.Client).UpdateRoomMembership, &chime.UpdateRoomMembershipInput{
			AccountId: aws.String(a.id), RoomId: aws.String(rm.id), MemberId: aws.String(u.id), Role: role})
		w.memberResult(r, "UpdateRoomMembership", a, rm, u.id, string(role))
	case n < 10:
		postMessage(ctx, w, a, rm, u, fmt.Sprintf("hello from w%d", w.id))
	default:
		removeMember(ctx, w, a, rm, u.id)
	}
}

// memberResult records a membership write (want "" for a removal).
func (w *worker) memberResult(r result, op string, a *account, rm *room, member, role string) {
	if role == "" {
		role = gone
	}
	w.record(r, op, memberKey(a, rm, member), role)
	switch r.outcome {
	case outcomeOK:
		rm.members[member] = role != gone
	case outcomeUnknown:
		a.rooms = remove(a.rooms, rm)
	}
}

func removeMember(ctx context.Context, w *worker, a *account, rm *room, member string) {
	_, r := call(ctx, w, (*chime.Client).DeleteRoomMembership, &chime.DeleteRoomMembershipInput{
		AccountId: aws.String(a.id), RoomId: aws.String(rm.id), MemberId: aws.String(member)})
	w.memberResult(r, "DeleteRoomMembership", a, rm, member, "")
}

// postMessage posts a room message as user u (a chimed extension).
func postMessage(ctx context.Context, w *worker, a *account, rm *room, u *user, content string) {
	body, _ := json.Marshal(map[string]string{"SenderId": u.id, "Content": content})
	b, r := rawCall(ctx, w, "chimed:PostRoomMessage", "POST", "/_chimed/accounts/"+a.id+"/rooms/"+rm.id+"/messages", body)
	if !r.ok() {
		w.record(r, "chimed:PostRoomMessage")
		return
	}
	var out struct {
		MessageId string
		Message   struct{ MessageId string }
	}
	json.Unmarshal(b, &out)
	id := out.MessageId
	if id == "" {
		id = out.Message.MessageId
	}
	w.led().ack("chimed:PostRoomMessage", r.reqID, r.at, "msg|"+a.id+"/"+rm.id+"/"+id+"|exists", "1")
}

// opBots creates bots with an events configuration pointing at the soak's receiver, invites them into rooms,
// mentions them, removes them, disables and re-enables them and regenerates their tokens.
func opBots(ctx context.Context, w *worker) {
	a := w.enterprise(ctx)
	if a == nil || len(a.rooms) == 0 {
		opRooms(ctx, w)
		return
	}
	if len(a.bots) < 1 || (len(a.bots) < 2 && w.rng.IntN(10) == 0) {
		createBot(ctx, w, a)
		return
	}
	b, _ := pick(w, a.bots)
	rm, _ := pick(w, a.rooms)
	botKey := "bot|" + a.id + "/" + b.id + "|"
	switch n := w.rng.IntN(10); {
	case !rm.members[b.id]:
		out, r := call(ctx, w, (*chime.Client).CreateRoomMembership, &chime.CreateRoomMembershipInput{
			AccountId: aws.String(a.id), RoomId: aws.String(rm.id), MemberId: aws.String(b.id)})
		role := ""
		if r.ok() {
			role = string(out.RoomMembership.Role)
		}
		w.memberResult(r, "CreateRoomMembership", a, rm, b.id, role)
	case n < 5:
		var u *user
		for _, x := range a.users {
			if rm.members[x.id] {
				u = x
			}
		}
		if u == nil {
			return
		}
		w.seq++
		postMessage(ctx, w, a, rm, u, fmt.Sprintf("@%s status %d-%d please", b.email, w.id, w.seq))
	case n < 7:
		removeMember(ctx, w, a, rm, b.id)
	case n < 9:
		for _, d := range []bool{true, false} {
			_, r := call(ctx, w, (*chime.Client).UpdateBot, &chime.UpdateBotInput{AccountId: aws.String(a.id),
				BotId: aws.String(b.id), Disabled: aws.Bool(d)})
			w.record(r, "UpdateBot", botKey+"disabled", fmt.Sprint(d))
		}
	default:
		out, r := call(ctx, w, (*chime.Client).RegenerateSecurityToken, &chime.RegenerateSecurityTokenInput{
			AccountId: aws.String(a.id), BotId: aws.String(b.id)})
		tok := ""
		if r.ok() {
			tok = aws.ToString(out.Bot.SecurityToken)
			w.s.recv.addToken(b.id, tok)
		}
		w.record(r, "RegenerateSecurityToken", botKey+"token", tok)
	}
}

func createBot(ctx context.Context, w *worker, a *account) {
	w.seq++
	out, r := call(ctx, w, (*chime.Client).CreateBot, &chime.CreateBotInput{AccountId: aws.String(a.id),
		DisplayName: aws.String(fmt.Sprintf("soakbot%d%d", w.id, w.seq)), Domain: aws.String("example.com")})
	if r.outcome == outcomeUnknown {
		w.unknownOutcome()
	}
	if !r.ok() {
		return
	}
	b := &bot{id: aws.ToString(out.Bot.BotId), email: aws.ToString(out.Bot.BotEmail)}
	w.s.recv.addToken(b.id, aws.ToString(out.Bot.SecurityToken))
	key := "bot|" + a.id + "/" + b.id + "|"
	w.led().ack("CreateBot", r.reqID, r.at, key+"disabled", "false", key+"token", aws.ToString(out.Bot.SecurityToken))
	url := w.s.recv.url + b.id
	_, r = call(ctx, w, (*chime.Client).PutEventsConfiguration, &chime.PutEventsConfigurationInput{
		AccountId: aws.String(a.id), BotId: aws.String(b.id), OutboundEventsHTTPSEndpoint: aws.String(url)})
	w.record(r, "PutEventsConfiguration", key+"endpoint", url)
	if r.ok() {
		a.bots = append(a.bots, b)
	}
}
