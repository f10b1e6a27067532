package http_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// Messages, conversations, webhooks and inbound URLs end to end (§4.35, §9.6, §9.7; D34, D35, D39): the two
// Redact operations through aws-sdk-go-v2, the /_chimed endpoints and the public URLs over HTTP.

// newMessageServer starts a server whose public URL is its own, with clock control and an optional webhook
// rate limit.
func newMessageServer(tb testing.TB, rate float64) (*testenv.Server, *testServer) {
	tb.Helper()
	srv := testenv.NewServer(tb, testenv.Config{DSN: testDSN(tb), AllowClockControl: true, WebhookRateLimit: rate,
		ServiceFor: func(u string) chimed.ServiceOptions { return chimed.ServiceOptions{PublicURL: u} }})
	return srv, &testServer{URL: srv.URL, store: srv.Store}
}

type wireMsg struct {
	MessageId         string
	Content           *string
	Sender            struct{ Type, Id, Name string }
	CreatedTimestamp  string
	Redacted          bool
	RedactedTimestamp *string
}

func decodeInto(tb testing.TB, r rawResponse, status int, v any) {
	tb.Helper()
	if r.Status != status {
		tb.Fatalf("status %d (%s), want %d", r.Status, r.Body, status)
	}
	if err := json.Unmarshal(r.Body, v); err != nil {
		tb.Fatalf("decode %s: %v", r.Body, err)
	}
}

func listMsgs(tb testing.TB, s *testServer, path string) []wireMsg {
	tb.Helper()
	var out struct{ Messages []wireMsg }
	decodeInto(tb, s.raw(tb, tenantA, "GET", path, nil), 200, &out)
	return out.Messages
}

// postPublic sends an unsigned POST with body and headers.
func postPublic(tb testing.TB, rawURL string, body []byte, header map[string]string) rawResponse {
	tb.Helper()
	req, err := http.NewRequest("POST", rawURL, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return send(tb, req)
}

// wantMessageErr asserts a {"message"} error of the public endpoints.
func wantMessageErr(tb testing.TB, r rawResponse, status int) {
	tb.Helper()
	var b map[string]any
	json.Unmarshal(r.Body, &b)
	if r.Status != status || b["message"] == nil {
		tb.Errorf("got %d %s, want %d with a message", r.Status, r.Body, status)
	}
}

func TestMessagesE2E(t *testing.T) {
	t.Parallel()
	_, s := newMessageServer(t, 0)
	c := s.client(tenantA)
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseOIDC)
	acct := *a.AccountId
	u := MustCreateUser(t, c, acct, "janed@example.com")
	v := MustCreateUser(t, c, acct, "johnd@example.com")
	room := mustCreateRoom(t, c, acct, "chat")
	for _, id := range []*string{u.UserId, v.UserId} {
		if _, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: &acct, RoomId: room.RoomId, MemberId: id}); err != nil {
			t.Fatal(err)
		}
	}
	base := "/_chimed/accounts/" + acct + "/rooms/" + *room.RoomId + "/messages"

	var posted struct{ Message wireMsg }
	decodeInto(t, s.rawJSON(t, tenantA, "POST", base, map[string]string{"SenderId": *u.UserId, "Content": "hello"}), 201, &posted)
	m := posted.Message
	if m.Content == nil || *m.Content != "hello" || m.Sender.Type != "User" || m.Sender.Id != *u.UserId || m.Redacted ||
		!wireTimestamp.MatchString(m.CreatedTimestamp) || m.RedactedTimestamp != nil {
		t.Fatalf("posted = %+v", m)
	}
	for _, body := range []any{map[string]string{"SenderId": *u.UserId}, map[string]string{"SenderId": *u.UserId, "Content": ""},
		map[string]string{"SenderId": *u.UserId, "Content": strings.Repeat("x", 4097)}, map[string]string{"Content": "x"},
		map[string]string{"SenderId": "ghost", "Content": "x"}, map[string]any{"SenderId": 1, "Content": "x"}} {
		wantRawErr(t, s.rawJSON(t, tenantA, "POST", base, body), 400, "BadRequestException", "BadRequest")
	}
	wantRawErr(t, s.raw(t, tenantA, "POST", base, []byte("{")), 400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.rawJSON(t, tenantB, "POST", base, map[string]string{"SenderId": *u.UserId, "Content": "x"}), 404,
		"NotFoundException", "NotFound")
	if got := listMsgs(t, s, base); len(got) != 1 || got[0].MessageId != m.MessageId {
		t.Fatalf("list = %+v", got)
	}

	// RedactRoomMessage through the SDK: 200 {}, idempotent, modeled errors
	out, err := c.RedactRoomMessage(ctx, &chime.RedactRoomMessageInput{AccountId: &acct, RoomId: room.RoomId, MessageId: &m.MessageId})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 200)
	if _, err := c.RedactRoomMessage(ctx, &chime.RedactRoomMessageInput{AccountId: &acct, RoomId: room.RoomId, MessageId: &m.MessageId}); err != nil {
		t.Fatalf("second redaction: %v", err)
	}
	got := listMsgs(t, s, base)
	if len(got) != 1 || !got[0].Redacted || got[0].Content != nil || got[0].RedactedTimestamp == nil ||
		!wireTimestamp.MatchString(*got[0].RedactedTimestamp) {
		t.Fatalf("redacted = %s", s.raw(t, tenantA, "GET", base, nil).Body)
	}
	_, err = c.RedactRoomMessage(ctx, &chime.RedactRoomMessageInput{AccountId: &acct, RoomId: room.RoomId, MessageId: aws.String("ghost")})
	wantNotFound(t, err)
	_, err = c.RedactRoomMessage(ctx, &chime.RedactRoomMessageInput{AccountId: &acct, RoomId: aws.String("no-room"), MessageId: &m.MessageId})
	wantNotFound(t, err)
	_, err = s.client(tenantB).RedactRoomMessage(ctx, &chime.RedactRoomMessageInput{AccountId: &acct, RoomId: room.RoomId, MessageId: &m.MessageId})
	wantNotFound(t, err)
	wantRawErr(t, s.raw(t, tenantA, "POST", "/accounts/"+acct+"/rooms/"+*room.RoomId+"/messages/%20?operation=redact", nil),
		400, "BadRequestException", "BadRequest")

	// conversations
	convs := "/_chimed/accounts/" + acct + "/conversations"
	var conv struct {
		Conversation struct {
			ConversationId, CreatedTimestamp string
			MemberIds                        []string
		}
	}
	decodeInto(t, s.rawJSON(t, tenantA, "POST", convs, map[string]any{"MemberIds": []string{*u.UserId, *v.UserId}}), 201, &conv)
	var again struct {
		Conversation struct{ ConversationId string }
	}
	decodeInto(t, s.rawJSON(t, tenantA, "POST", convs, map[string]any{"MemberIds": []string{*v.UserId, *u.UserId}}), 200, &again)
	if again.Conversation.ConversationId != conv.Conversation.ConversationId || len(conv.Conversation.MemberIds) != 2 {
		t.Fatalf("conversation %+v, again %+v", conv, again)
	}
	for _, body := range []any{map[string]any{}, map[string]any{"MemberIds": []string{*u.UserId}},
		map[string]any{"MemberIds": []string{*u.UserId, *u.UserId}}, map[string]any{"MemberIds": []any{*u.UserId, 3}}} {
		wantRawErr(t, s.rawJSON(t, tenantA, "POST", convs, body), 400, "BadRequestException", "BadRequest")
	}
	var cl struct {
		Conversations []struct{ ConversationId string }
	}
	decodeInto(t, s.raw(t, tenantA, "GET", convs, nil), 200, &cl)
	if len(cl.Conversations) != 1 {
		t.Fatalf("conversations = %+v", cl)
	}
	cbase := convs + "/" + conv.Conversation.ConversationId + "/messages"
	decodeInto(t, s.rawJSON(t, tenantA, "POST", cbase, map[string]string{"SenderId": *v.UserId, "Content": "hi"}), 201, &posted)
	cm := posted.Message
	_, err = c.RedactConversationMessage(ctx, &chime.RedactConversationMessageInput{AccountId: &acct,
		ConversationId: &conv.Conversation.ConversationId, MessageId: &cm.MessageId})
	if err != nil {
		t.Fatal(err)
	}
	if got := listMsgs(t, s, cbase); len(got) != 1 || !got[0].Redacted {
		t.Fatalf("conversation messages = %+v", got)
	}
	_, err = c.RedactConversationMessage(ctx, &chime.RedactConversationMessageInput{AccountId: &acct,
		ConversationId: aws.String("ghost"), MessageId: &cm.MessageId})
	wantNotFound(t, err)
	_, err = c.RedactConversationMessage(ctx, &chime.RedactConversationMessageInput{AccountId: &acct,
		ConversationId: room.RoomId, MessageId: &m.MessageId}) // a room message is not a conversation's
	wantNotFound(t, err)

	// Team: rooms 403, conversations allowed
	MustSetAccountType(t, s, tenantA, acct, "Team")
	_, err = c.RedactRoomMessage(ctx, &chime.RedactRoomMessageInput{AccountId: &acct, RoomId: room.RoomId, MessageId: &m.MessageId})
	wantErr(t, err, "ForbiddenException", types.ErrorCodeForbidden, 403)
	wantRawErr(t, s.raw(t, tenantA, "GET", base, nil), 403, "ForbiddenException", "Forbidden")
	if _, err := c.RedactConversationMessage(ctx, &chime.RedactConversationMessageInput{AccountId: &acct,
		ConversationId: &conv.Conversation.ConversationId, MessageId: &cm.MessageId}); err != nil {
		t.Errorf("RedactConversationMessage on Team: %v", err)
	}
}

func TestWebhooksAndSessionE2E(t *testing.T) {
	t.Parallel()
	srv, s := newMessageServer(t, 1)
	c := s.client(tenantA)
	a := MustCreateAccount(t, c, "team")
	acct := *a.AccountId
	MustInvite(t, c, acct, "member@example.com")
	var tok string
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := srv.Service.Outbox(ctx, tenantA)
	must(err)
	if len(msgs) == 0 {
		t.Fatal("no invitation in the outbox")
	}
	link := msgs[len(msgs)-1].Link
	tok = link[strings.LastIndex(link, "/")+1:]
	in, err := srv.Service.AcceptInvitation(ctx, tok, "Member")
	must(err)
	MustSetAccountType(t, s, tenantA, acct, "EnterpriseOIDC")
	room := mustCreateRoom(t, c, acct, "hooks")
	_, err = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: &acct, RoomId: room.RoomId, MemberId: &in.User.ID})
	must(err)

	// the session's endpoint: Bearer only
	sessPath := s.URL + "/_chimed/session/rooms/" + *room.RoomId + "/messages"
	body := []byte(`{"Content":"from the browser"}`)
	r := postPublic(t, sessPath, body, map[string]string{"Authorization": "Bearer " + in.Token})
	var posted struct{ Message wireMsg }
	decodeInto(t, r, 201, &posted)
	if posted.Message.Sender.Id != in.User.ID || posted.Message.Sender.Name != "Member" {
		t.Fatalf("session message = %+v", posted.Message)
	}
	wantMessageErr(t, postPublic(t, sessPath, body, map[string]string{"Cookie": "chimed_session=" + in.Token}), 401)
	wantMessageErr(t, postPublic(t, sessPath, body, map[string]string{"Authorization": "Bearer nope"}), 401)
	wantMessageErr(t, postPublic(t, sessPath, []byte(`{`), map[string]string{"Authorization": "Bearer nope"}), 401)
	wantRawErr(t, postPublic(t, sessPath, []byte(`{"Content":""}`), map[string]string{"Authorization": "Bearer " + in.Token}),
		400, "BadRequestException", "BadRequest")
	wantRawErr(t, postPublic(t, s.URL+"/_chimed/session/rooms/ghost/messages", body,
		map[string]string{"Authorization": "Bearer " + in.Token}), 404, "NotFoundException", "NotFound")

	// webhooks: create (a Webhook member), post, errors, regenerate
	hooks := "/_chimed/accounts/" + acct + "/rooms/" + *room.RoomId + "/webhooks"
	var wh struct {
		Webhook struct{ WebhookId, Name, Url string }
	}
	decodeInto(t, s.rawJSON(t, tenantA, "POST", hooks, map[string]string{"Name": "CI"}), 201, &wh)
	if !strings.HasPrefix(wh.Webhook.Url, s.URL+"/incomingwebhooks/") || wh.Webhook.Name != "CI" {
		t.Fatalf("webhook = %+v", wh)
	}
	members := listMemberships(t, c, acct, *room.RoomId, 99)
	found := false
	for _, m := range members {
		found = found || aws.ToString(m.Member.MemberId) == wh.Webhook.WebhookId && m.Member.MemberType == types.MemberTypeWebhook &&
			aws.ToString(m.Member.FullName) == "CI"
	}
	if !found {
		t.Errorf("no Webhook member for %s", wh.Webhook.WebhookId)
	}
	wantRawErr(t, s.rawJSON(t, tenantA, "POST", hooks, map[string]string{"Name": ""}), 400, "BadRequestException", "BadRequest")
	wantRawErr(t, s.rawJSON(t, tenantB, "POST", hooks, map[string]string{"Name": "x"}), 404, "NotFoundException", "NotFound")

	var ok struct{ MessageId, RoomId string }
	decodeInto(t, postPublic(t, wh.Webhook.Url, []byte(`{"Content":"deployed"}`), nil), 200, &ok)
	if ok.RoomId != *room.RoomId || ok.MessageId == "" {
		t.Fatalf("incoming = %+v", ok)
	}
	wantMessageErr(t, postPublic(t, wh.Webhook.Url, []byte(`{"Content":"too fast"}`), nil), 429)
	time.Sleep(1100 * time.Millisecond)
	u, _ := url.Parse(wh.Webhook.Url)
	wrong := s.URL + u.Path + "?token=" + strings.Repeat("A", 64)
	wantMessageErr(t, postPublic(t, wrong, []byte(`{"Content":"x"}`), nil), 403)
	wantMessageErr(t, postPublic(t, s.URL+"/incomingwebhooks/ghost?token=x", []byte(`{"Content":"x"}`), nil), 404)
	wantMessageErr(t, postPublic(t, wh.Webhook.Url, []byte(`{`), nil), 400)
	time.Sleep(1100 * time.Millisecond)
	wantMessageErr(t, postPublic(t, wh.Webhook.Url, []byte(`{"Content":5}`), nil), 400)
	time.Sleep(1100 * time.Millisecond)
	// A rule's error names the body member the sender wrote, not the domain's name for it.
	empty := postPublic(t, wh.Webhook.Url, []byte(`{"Content":""}`), nil)
	wantMessageErr(t, empty, 400)
	if !strings.Contains(string(empty.Body), `"message":"Content `) {
		t.Errorf("empty Content: %s, want a message that names Content", empty.Body)
	}
	time.Sleep(1100 * time.Millisecond)
	big, _ := json.Marshal(map[string]string{"Content": strings.Repeat("x", 4097)})
	wantMessageErr(t, postPublic(t, wh.Webhook.Url, big, nil), 413)

	var regen struct {
		Webhook struct{ WebhookId, Url string }
	}
	decodeInto(t, s.raw(t, tenantA, "POST", hooks+"/"+wh.Webhook.WebhookId+"?operation=regenerate-url", nil), 200, &regen)
	if regen.Webhook.WebhookId != wh.Webhook.WebhookId || regen.Webhook.Url == wh.Webhook.Url {
		t.Fatalf("regenerated = %+v", regen)
	}
	wantMessageErr(t, postPublic(t, wh.Webhook.Url, []byte(`{"Content":"old"}`), nil), 404)
	decodeInto(t, postPublic(t, regen.Webhook.Url, []byte(`{"Content":"new"}`), nil), 200, &ok)
	wantRawErr(t, s.raw(t, tenantA, "POST", hooks+"/ghost?operation=regenerate-url", nil), 404, "NotFoundException", "NotFound")

	roomMsgs := listMsgs(t, s, "/_chimed/accounts/"+acct+"/rooms/"+*room.RoomId+"/messages")
	if len(roomMsgs) != 3 || roomMsgs[1].Sender.Type != "Webhook" || roomMsgs[1].Sender.Id != wh.Webhook.WebhookId ||
		roomMsgs[1].Sender.Name != "CI" || *roomMsgs[2].Content != "new" {
		t.Fatalf("room messages = %+v", roomMsgs)
	}

	// DeleteRoom: the URL is gone
	_, err = c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: &acct, RoomId: room.RoomId})
	must(err)
	time.Sleep(1100 * time.Millisecond)
	wantMessageErr(t, postPublic(t, regen.Webhook.Url, []byte(`{"Content":"gone"}`), nil), 404)
}

// TestMessageRetentionE2E: the retention settings hide messages by the server clock (PUT /_chimed/clock).
func TestMessageRetentionE2E(t *testing.T) {
	t.Parallel()
	_, s := newMessageServer(t, 0)
	c := s.client(tenantA)
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseOIDC)
	acct := *a.AccountId
	u := MustCreateUser(t, c, acct, "janed@example.com")
	room := mustCreateRoom(t, c, acct, "kept")
	if _, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: &acct, RoomId: room.RoomId, MemberId: u.UserId}); err != nil {
		t.Fatal(err)
	}
	base := "/_chimed/accounts/" + acct + "/rooms/" + *room.RoomId + "/messages"
	var posted struct{ Message wireMsg }
	decodeInto(t, s.rawJSON(t, tenantA, "POST", base, map[string]string{"SenderId": *u.UserId, "Content": "old"}), 201, &posted)
	_, err := c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: &acct, RetentionSettings: &types.RetentionSettings{
		RoomRetentionSettings: &types.RoomRetentionSettings{RetentionDays: aws.Int32(1)}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(listMsgs(t, s, base)); n != 1 {
		t.Fatalf("%d messages before a day passed", n)
	}
	putClock(t, s, 24*3600+5)
	if n := len(listMsgs(t, s, base)); n != 0 {
		t.Fatalf("%d messages after a day", n)
	}
	_, err = c.RedactRoomMessage(ctx, &chime.RedactRoomMessageInput{AccountId: &acct, RoomId: room.RoomId, MessageId: &posted.Message.MessageId})
	wantNotFound(t, err)
	// before InitiateDeletion, turning the policy off shows it again
	_, err = c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: &acct, RetentionSettings: &types.RetentionSettings{
		RoomRetentionSettings: &types.RoomRetentionSettings{}}})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(listMsgs(t, s, base)); n != 1 {
		t.Fatalf("%d messages after the policy was turned off", n)
	}
}
