package chime_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// Rules of messages, conversations, webhooks and inbound URLs (§4.35, §10.1, §9.6, §9.7; D34, D35, D39) against
// the store, on the engine testenv.DSN chooses.

// chatFixture is an Enterprise account with a room whose members are two users.
type chatFixture struct {
	aws  string
	a    *chime.Account
	room *chime.Room
	u, v *chime.User
}

func newChatFixture(tb testing.TB, e *env) *chatFixture {
	tb.Helper()
	f := &chatFixture{aws: newTenant()}
	f.a = MustAccount(tb, e, f.aws, "chat", chime.AccountEnterpriseOIDC)
	f.room = mustRoom(tb, e, f.aws, f.a.ID, "chat room")
	f.u = MustCreateUser(tb, e, f.aws, f.a.ID, newEmail("u"))
	f.v = MustCreateUser(tb, e, f.aws, f.a.ID, newEmail("v"))
	for _, id := range []string{f.u.ID, f.v.ID} {
		if _, err := e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, id, nil); err != nil {
			tb.Fatal(err)
		}
	}
	return f
}

func (f *chatFixture) post(tb testing.TB, e *env, sender, content string) *chime.ChatMessage {
	tb.Helper()
	m, err := e.Svc.PostMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID, &sender, &content)
	if err != nil {
		tb.Fatalf("PostMessage %q: %v", content, err)
	}
	return m
}

func (f *chatFixture) list(tb testing.TB, e *env) []string {
	tb.Helper()
	list, err := e.Svc.ListMessages(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID)
	if err != nil {
		tb.Fatal(err)
	}
	var ids []string
	for _, m := range list {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestRoomMessagesAndRedaction(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := newChatFixture(t, e)
	m1 := f.post(t, e, f.u.ID, "hello")
	m2 := f.post(t, e, f.v.ID, "héllo ✓") // same millisecond: order by posting
	if m1.SenderType != chime.SenderUser || m1.SenderID != f.u.ID || m1.Content != "hello" || m1.Redacted {
		t.Fatalf("message = %+v", m1)
	}
	wantIDs(t, "messages", f.list(t, e), []string{m1.ID, m2.ID})

	// content and sender rules
	for _, c := range []*string{nil, ptr(""), ptr(strings.Repeat("x", chime.MaxMessageBytes+1)), ptr("a\x00b"), ptr("\xff")} {
		_, err := e.Svc.PostMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID, &f.u.ID, c)
		wantErr(t, err, chime.EINVALID, chime.FieldContent)
	}
	if _, err := e.Svc.PostMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID, &f.u.ID,
		ptr(strings.Repeat("é", chime.MaxMessageBytes/2))); err != nil {
		t.Errorf("4,096 bytes: %v", err)
	}
	outsider := MustCreateUser(t, e, f.aws, f.a.ID, newEmail("w"))
	for _, sender := range []string{outsider.ID, "ghost"} {
		_, err := e.Svc.PostMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID, &sender, ptr("x"))
		wantErr(t, err, chime.EINVALID, chime.FieldSenderID)
	}
	suspend(t, e, f.aws, f.a.ID, f.v.ID)
	_, err := e.Svc.PostMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID, &f.v.ID, ptr("x"))
	wantErr(t, err, chime.EINVALID, chime.FieldSenderID)
	_, err = e.Svc.PostMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, "no-room", &f.u.ID, ptr("x"))
	wantErr(t, err, chime.ENOTFOUND, "")
	_, err = e.Svc.PostMessage(ctx, newTenant(), f.a.ID, chime.ChatRoom, f.room.ID, &f.u.ID, ptr("x"))
	wantErr(t, err, chime.ENOTFOUND, "")

	// redaction: content gone for good, metadata kept, idempotent
	e.Clock.Advance(time.Second)
	must(t, e.Svc.RedactMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID, m1.ID))
	redactedAt := e.Clock.Now().Truncate(time.Millisecond)
	e.Clock.Advance(time.Second)
	must(t, e.Svc.RedactMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID, m1.ID))
	list, err := e.Svc.ListMessages(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID)
	must(t, err)
	if got := list[0]; got.ID != m1.ID || !got.Redacted || got.Content != "" || !got.RedactedAt.Equal(redactedAt) ||
		!got.CreatedAt.Equal(m1.CreatedAt) {
		t.Fatalf("redacted message = %+v, want redacted at %v", got, redactedAt)
	}
	if list[1].Redacted || list[1].Content != "héllo ✓" {
		t.Errorf("other message = %+v", list[1])
	}
	for _, c := range []struct{ room, msg, aws string }{{f.room.ID, "ghost", f.aws}, {"no-room", m2.ID, f.aws},
		{f.room.ID, m2.ID, newTenant()}} {
		wantErr(t, e.Svc.RedactMessage(ctx, c.aws, f.a.ID, chime.ChatRoom, c.room, c.msg), chime.ENOTFOUND, "")
	}
	// a room message is not a conversation message
	wantErr(t, e.Svc.RedactMessage(ctx, f.aws, f.a.ID, chime.ChatConversation, f.room.ID, m2.ID), chime.ENOTFOUND, "")

	// Team accounts: rooms 403 (after 404 for a missing account)
	MustSetType(t, e, f.aws, f.a.ID, chime.AccountTeam)
	wantErr(t, e.Svc.RedactMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID, m2.ID), chime.EFORBIDDEN, "")
	_, err = e.Svc.ListMessages(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID)
	wantErr(t, err, chime.EFORBIDDEN, "")
}

func TestConversations(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	a := MustAccount(t, e, aws, "team", chime.AccountEnterpriseOIDC)
	u := MustCreateUser(t, e, aws, a.ID, newEmail("u"))
	v := MustCreateUser(t, e, aws, a.ID, newEmail("v"))
	w := MustCreateUser(t, e, aws, a.ID, newEmail("w"))
	MustSetType(t, e, aws, a.ID, chime.AccountTeam) // conversations work on every type
	c, created, err := e.Svc.CreateConversation(ctx, aws, a.ID, []string{u.ID, v.ID})
	if err != nil || !created || len(c.MemberIDs) != 2 {
		t.Fatalf("CreateConversation: %+v %v %v", c, created, err)
	}
	again, created, err := e.Svc.CreateConversation(ctx, aws, a.ID, []string{v.ID, u.ID})
	if err != nil || created || again.ID != c.ID {
		t.Fatalf("same set again: %+v %v %v, want %s", again, created, err, c.ID)
	}
	c2, created, err := e.Svc.CreateConversation(ctx, aws, a.ID, []string{u.ID, v.ID, w.ID})
	if err != nil || !created || c2.ID == c.ID {
		t.Fatalf("other set: %+v %v %v", c2, created, err)
	}
	for _, ids := range [][]string{nil, {u.ID}, {u.ID, u.ID}, {u.ID, "ghost"}, make([]string, 51)} {
		_, _, err := e.Svc.CreateConversation(ctx, aws, a.ID, ids)
		wantErr(t, err, chime.EINVALID, chime.FieldMemberIDs)
	}
	_, _, err = e.Svc.CreateConversation(ctx, newTenant(), a.ID, []string{u.ID, v.ID})
	wantErr(t, err, chime.ENOTFOUND, "")
	list, err := e.Svc.ListConversations(ctx, aws, a.ID)
	if err != nil || len(list) != 2 || list[0].ID != c.ID || list[1].ID != c2.ID {
		t.Fatalf("ListConversations = %v, %v", list, err)
	}

	m, err := e.Svc.PostMessage(ctx, aws, a.ID, chime.ChatConversation, c.ID, &u.ID, ptr("hi"))
	must(t, err)
	_, err = e.Svc.PostMessage(ctx, aws, a.ID, chime.ChatConversation, c.ID, &w.ID, ptr("hi"))
	wantErr(t, err, chime.EINVALID, chime.FieldSenderID)
	must(t, e.Svc.RedactMessage(ctx, aws, a.ID, chime.ChatConversation, c.ID, m.ID))
	wantErr(t, e.Svc.RedactMessage(ctx, aws, a.ID, chime.ChatConversation, c2.ID, m.ID), chime.ENOTFOUND, "")
	msgs, err := e.Svc.ListMessages(ctx, aws, a.ID, chime.ChatConversation, c.ID)
	if err != nil || len(msgs) != 1 || !msgs[0].Redacted {
		t.Fatalf("conversation messages = %+v, %v", msgs, err)
	}

	// DeleteAccount removes the account's conversations and messages
	suspend(t, e, aws, a.ID, u.ID, v.ID, w.ID)
	must(t, e.Svc.DeleteAccount(ctx, aws, a.ID))
	must(t, e.Store.Read(ctx, func(tx chime.Tx) error {
		if _, err := tx.Conversation(ctx, a.ID, c.ID); chime.ErrorCode(err) != chime.ENOTFOUND {
			t.Errorf("conversation after DeleteAccount: %v", err)
		}
		if l, _ := tx.ListMessages(ctx, a.ID, chime.ChatConversation, c.ID, time.Time{}, 10); len(l) != 0 {
			t.Errorf("messages after DeleteAccount: %d", len(l))
		}
		return nil
	}))
}

// TestRetentionEffect: D35 at the millisecond, relaxing before InitiateDeletion, purging for good after it.
func TestRetentionEffect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := newChatFixture(t, e)
	day := 24 * time.Hour
	put := func(room, conv *int) {
		t.Helper()
		p := &chime.RetentionSettingsPatch{Room: &chime.RetentionPolicyPatch{Days: room},
			Conversation: &chime.RetentionPolicyPatch{Days: conv}}
		if _, err := e.Svc.PutRetentionSettings(ctx, f.aws, f.a.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	conv, _, err := e.Svc.CreateConversation(ctx, f.aws, f.a.ID, []string{f.u.ID, f.v.ID})
	must(t, err)
	put(ptr(1), nil) // InitiateDeletion = t0 + 30 days
	m1 := f.post(t, e, f.u.ID, "old")
	cm, err := e.Svc.PostMessage(ctx, f.aws, f.a.ID, chime.ChatConversation, conv.ID, &f.u.ID, ptr("kept"))
	must(t, err)

	e.Clock.Advance(day - time.Millisecond)
	wantIDs(t, "just before N days", f.list(t, e), []string{m1.ID})
	e.Clock.Advance(time.Millisecond)
	wantIDs(t, "at N days", f.list(t, e), nil)
	wantErr(t, e.Svc.RedactMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID, m1.ID), chime.ENOTFOUND, "")
	if l, _ := e.Svc.ListMessages(ctx, f.aws, f.a.ID, chime.ChatConversation, conv.ID); len(l) != 1 || l[0].ID != cm.ID {
		t.Errorf("the room policy hid a conversation message: %v", l)
	}
	m2 := f.post(t, e, f.u.ID, "new")
	wantIDs(t, "a new message", f.list(t, e), []string{m2.ID})

	// before InitiateDeletion, turning the policy off shows the hidden message again
	put(nil, nil)
	wantIDs(t, "policy off", f.list(t, e), []string{m1.ID, m2.ID})
	must(t, e.Svc.RedactMessage(ctx, f.aws, f.a.ID, chime.ChatRoom, f.room.ID, m1.ID))

	// a policy again (InitiateDeletion = now + 30 days), then past it: hidden messages are purged for good
	put(ptr(1), ptr(1))
	e.Clock.Advance(30*day - time.Millisecond)
	wantIDs(t, "hidden", f.list(t, e), nil)
	put(nil, nil) // still before InitiateDeletion: everything shows again
	wantIDs(t, "policy off before purge", f.list(t, e), []string{m1.ID, m2.ID})
	put(ptr(1), ptr(1))
	e.Clock.Advance(30 * day)
	put(ptr(100), nil) // at/after InitiateDeletion: what the old policy hid is gone before it changes
	wantIDs(t, "purged for good", f.list(t, e), nil)
	put(nil, nil)
	wantIDs(t, "purged messages never return", f.list(t, e), nil)
	if l, _ := e.Svc.ListMessages(ctx, f.aws, f.a.ID, chime.ChatConversation, conv.ID); len(l) != 0 {
		t.Errorf("conversation message after its purge: %v", l)
	}
	must(t, e.Store.Read(ctx, func(tx chime.Tx) error {
		l, err := tx.ListMessages(ctx, f.a.ID, chime.ChatRoom, f.room.ID, time.Time{}, 10)
		if len(l) != 0 {
			t.Errorf("purged rows still stored: %d", len(l))
		}
		return err
	}))
}

// botFixture adds an enabled, configured bot to the chat fixture's room and returns it.
func botFixture(tb testing.TB, e *env, f *chatFixture, name string) *chime.Bot {
	tb.Helper()
	b, _, err := e.Svc.CreateBot(ctx, f.aws, f.a.ID, ptr(name), ptr("example.com"))
	must(tb, err)
	_, err = e.Svc.PutEventsConfiguration(ctx, f.aws, f.a.ID, b.ID, ptr("http://127.0.0.1:9/bot"), nil)
	must(tb, err)
	_, err = e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, b.ID, nil)
	must(tb, err)
	return b
}

type eventBody struct {
	Sender               struct{ SenderId, SenderIdType string }
	EventType            string
	InboundHttpsEndpoint struct{ EndpointType, Url string }
	Message              string
}

// botEvents returns the bodies of bot b's events, oldest first.
func botEvents(tb testing.TB, e *env, aws string, b *chime.Bot) []eventBody {
	tb.Helper()
	list, err := e.Svc.BotEvents(ctx, aws, b.ID)
	must(tb, err)
	out := make([]eventBody, len(list))
	for i, ev := range list {
		if err := json.Unmarshal(ev.Body, &out[i]); err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// splitURL returns the id and token of an inbound URL.
func splitURL(tb testing.TB, e *env, raw string) (string, string) {
	tb.Helper()
	u, err := url.Parse(raw)
	if err != nil || !strings.HasPrefix(raw, e.Svc.PublicURL()+"/incomingwebhooks/") {
		tb.Fatalf("inbound URL %q", raw)
	}
	tok := u.Query().Get("token")
	if len(tok) != 64 {
		tb.Fatalf("token of %q: %d characters", raw, len(tok))
	}
	return strings.TrimPrefix(u.Path, "/incomingwebhooks/"), tok
}

func TestMentionsAndBotURLs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := newChatFixture(t, e)
	b := botFixture(t, e, f, "helper")
	other := botFixture(t, e, f, "other")
	evs := botEvents(t, e, f.aws, b)
	if len(evs) != 1 || evs[0].EventType != "Invite" || evs[0].InboundHttpsEndpoint.EndpointType != "Persistent" {
		t.Fatalf("events after the invite: %+v", evs)
	}
	inviteID, inviteTok := splitURL(t, e, evs[0].InboundHttpsEndpoint.Url)

	// mentions: case-insensitive, boundary rule; not for messages that mention no bot
	upper := strings.ToUpper(b.Email)
	for _, c := range []struct {
		content string
		want    bool
	}{{"@" + b.Email + " status please", true}, {"hi @" + upper, true}, {"(@" + b.Email + ").", true},
		{"@" + b.Email + "x", false}, {"@" + b.Email + "-", false}, {"@" + b.Email + "_", false},
		{"@" + b.Email + "@", false}, {b.Email, false}, {"@" + b.Email + "é", false}} {
		if got := chime.Mentions(c.content, b.Email); got != c.want {
			t.Errorf("Mentions(%q) = %v, want %v", c.content, got, c.want)
		}
	}
	content := "@" + upper + " status please"
	f.post(t, e, f.u.ID, content)
	f.post(t, e, f.u.ID, "no mention here @"+b.Email+"s")
	evs = botEvents(t, e, f.aws, b)
	if len(evs) != 2 {
		t.Fatalf("events after the mention: %+v", evs)
	}
	mention := evs[1]
	if mention.EventType != "Mention" || mention.Sender.SenderId != f.u.Email || mention.Sender.SenderIdType != "EmailId" ||
		mention.Message != content || mention.InboundHttpsEndpoint.EndpointType != "ShortLived" {
		t.Fatalf("mention = %+v", mention)
	}
	if n := len(botEvents(t, e, f.aws, other)); n != 1 {
		t.Errorf("the other bot has %d events, want its Invite only", n)
	}

	// the reply URL posts as the bot; bot and webhook messages trigger no events
	id, tok := splitURL(t, e, mention.InboundHttpsEndpoint.Url)
	m, err := e.Svc.PostInbound(ctx, id, tok, ptr("@"+other.Email+" ok"))
	must(t, err)
	if m.SenderType != chime.SenderBot || m.SenderID != b.ID || m.SenderName != b.DisplayName || m.ChatID != f.room.ID {
		t.Fatalf("bot reply = %+v", m)
	}
	if n := len(botEvents(t, e, f.aws, other)); n != 1 {
		t.Errorf("a bot's message mentioning a bot queued an event (%d)", n)
	}
	_, err = e.Svc.PostInbound(ctx, id, strings.Repeat("A", 64), ptr("x"))
	wantErr(t, err, chime.EFORBIDDEN, "")
	_, err = e.Svc.PostInbound(ctx, id, tok, ptr(""))
	wantErr(t, err, chime.EINVALID, chime.FieldContent)

	// ShortLived: 2 minutes of server time
	e.Clock.Advance(chime.MentionURLLifetime - time.Millisecond)
	_, err = e.Svc.PostInbound(ctx, id, tok, ptr("still"))
	must(t, err)
	e.Clock.Advance(time.Millisecond)
	_, err = e.Svc.PostInbound(ctx, id, tok, ptr("late"))
	wantErr(t, err, chime.ENOTFOUND, "")

	// Persistent: while the bot is a member; a new membership gets a new URL, the old one stays dead
	_, err = e.Svc.PostInbound(ctx, inviteID, inviteTok, ptr("persistent"))
	must(t, err)
	must(t, e.Svc.DeleteRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, b.ID))
	_, err = e.Svc.PostInbound(ctx, inviteID, inviteTok, ptr("removed"))
	wantErr(t, err, chime.ENOTFOUND, "")
	_, err = e.Svc.CreateRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, b.ID, nil)
	must(t, err)
	_, err = e.Svc.PostInbound(ctx, inviteID, inviteTok, ptr("old URL"))
	wantErr(t, err, chime.ENOTFOUND, "")
	evs = botEvents(t, e, f.aws, b)
	newID, newTok := splitURL(t, e, evs[len(evs)-1].InboundHttpsEndpoint.Url)
	_, err = e.Svc.PostInbound(ctx, newID, newTok, ptr("new URL"))
	must(t, err)

	// DeleteRoom removes the URLs and messages
	must(t, e.Svc.DeleteRoom(ctx, f.aws, f.a.ID, f.room.ID))
	_, err = e.Svc.PostInbound(ctx, newID, newTok, ptr("gone"))
	wantErr(t, err, chime.ENOTFOUND, "")
	must(t, e.Store.Read(ctx, func(tx chime.Tx) error {
		if _, err := tx.InboundURL(ctx, newID); chime.ErrorCode(err) != chime.ENOTFOUND {
			t.Errorf("URL row after DeleteRoom: %v", err)
		}
		if l, _ := tx.ListMessages(ctx, f.a.ID, chime.ChatRoom, f.room.ID, time.Time{}, 10); len(l) != 0 {
			t.Errorf("messages after DeleteRoom: %d", len(l))
		}
		return nil
	}))
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := newChatFixture(t, e)
	w, err := e.Svc.CreateWebhook(ctx, caller(f.aws), f.a.ID, f.room.ID, ptr("Build bot"))
	must(t, err)
	id, tok := splitURL(t, e, w.URL)
	m, err := e.Svc.PostInbound(ctx, id, tok, ptr("build green"))
	must(t, err)
	if m.SenderType != chime.SenderWebhook || m.SenderID != w.ID || m.SenderName != "Build bot" {
		t.Fatalf("webhook message = %+v", m)
	}
	must(t, e.Store.Read(ctx, func(tx chime.Tx) error {
		ms, err := tx.RoomMembership(ctx, f.a.ID, f.room.ID, w.ID)
		if err != nil || ms.Type != chime.MemberWebhook {
			t.Errorf("webhook membership = %+v, %v", ms, err)
		}
		return nil
	}))
	for _, name := range []*string{nil, ptr(""), ptr("  "), ptr(strings.Repeat("n", 65))} {
		_, err := e.Svc.CreateWebhook(ctx, caller(f.aws), f.a.ID, f.room.ID, name)
		wantErr(t, err, chime.EINVALID, chime.FieldName)
	}
	_, err = e.Svc.CreateWebhook(ctx, caller(f.aws), f.a.ID, "no-room", ptr("x"))
	wantErr(t, err, chime.ENOTFOUND, "")

	// regenerate: same id, new URL; the old one is dead
	r, err := e.Svc.RegenerateWebhookURL(ctx, f.aws, f.a.ID, f.room.ID, w.ID)
	must(t, err)
	if r.ID != w.ID || r.URL == w.URL || r.Name != w.Name {
		t.Fatalf("regenerated = %+v (was %+v)", r, w)
	}
	_, err = e.Svc.PostInbound(ctx, id, tok, ptr("old"))
	wantErr(t, err, chime.ENOTFOUND, "")
	id2, tok2 := splitURL(t, e, r.URL)
	_, err = e.Svc.PostInbound(ctx, id2, tok2, ptr("new"))
	must(t, err)
	_, err = e.Svc.RegenerateWebhookURL(ctx, f.aws, f.a.ID, f.room.ID, "ghost")
	wantErr(t, err, chime.ENOTFOUND, "")

	// 10 per room
	for i := 1; i < chime.MaxWebhooksPerRoom; i++ {
		_, err := e.Svc.CreateWebhook(ctx, caller(f.aws), f.a.ID, f.room.ID, ptr("hook"))
		must(t, err)
	}
	_, err = e.Svc.CreateWebhook(ctx, caller(f.aws), f.a.ID, f.room.ID, ptr("eleventh"))
	wantErr(t, err, chime.ELIMIT, "")

	// deleting the webhook member deletes the webhook and its URL
	must(t, e.Svc.DeleteRoomMembership(ctx, caller(f.aws), f.a.ID, f.room.ID, w.ID))
	_, err = e.Svc.PostInbound(ctx, id2, tok2, ptr("deleted"))
	wantErr(t, err, chime.ENOTFOUND, "")
	_, err = e.Svc.CreateWebhook(ctx, caller(f.aws), f.a.ID, f.room.ID, ptr("room again"))
	must(t, err)

	// Team accounts: 403
	MustSetType(t, e, f.aws, f.a.ID, chime.AccountTeam)
	_, err = e.Svc.CreateWebhook(ctx, caller(f.aws), f.a.ID, f.room.ID, ptr("x"))
	wantErr(t, err, chime.EFORBIDDEN, "")
}
