package admin_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// The Rooms and Bots pages on SQLite (and PostgreSQL when CHIMED_TEST_POSTGRES is set), through forms as a
// browser posts them: a Team account's rooms and bots are refused with the reason; on an Enterprise account a
// room is created, renamed, gets a user and a bot, a role changes, members are removed, the room is deleted;
// a bot is created, disabled and enabled, its token regenerated (the old one no longer shown), its events
// configuration set and deleted; each change is read back through the service and is in the audit trail
// under the key; a read-only key is refused 403 and changes nothing.
func TestRoomsAndBotsPages(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			roomsAndBots(t, newServer(t, e.DSN(t)))
		})
	}
}

func roomsAndBots(t *testing.T, srv *testenv.Server) {
	ctx := context.Background()
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	id := b.createAccount("Rooms Corp")
	b.submit("/admin/accounts/"+id+"/invite", url.Values{"Emails": {"ana@example.com, bo@example.com"}})
	us := users(t, srv, id)

	// A Team account: no rooms, no bots, and the pages say why.
	p := b.get("/admin/accounts/" + id + "/rooms")
	mustContain(t, p.body, "Rooms belong to Enterprise accounts")
	if strings.Contains(p.body, "Create room") {
		t.Errorf("a Team account's rooms page offers Create room")
	}
	p = b.submit("/admin/accounts/"+id+"/rooms", url.Values{"Name": {"Nope"}})
	mustContain(t, p.body, "not an Enterprise")
	p = b.get("/admin/accounts/" + id + "/bots")
	mustContain(t, p.body, "Bots belong to Enterprise accounts")

	b.get("/admin/accounts/" + id)
	b.submit("/admin/accounts/"+id+"/type", url.Values{"AccountType": {"EnterpriseLWA"}})

	// Rooms.
	b.get("/admin/accounts/" + id + "/rooms")
	p = b.submit("/admin/accounts/"+id+"/rooms", url.Values{"Name": {"  Planning  "}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "<h1>Planning</h1>") {
		t.Fatalf("create room: %d at %s\n%s", p.status, p.url, p.body)
	}
	room := p.url[strings.LastIndex(p.url, "/")+1:]
	rp := "/admin/accounts/" + id + "/rooms/" + room
	b.submit(rp+"/update", url.Values{"Name": {"Roadmap"}})
	mustContain(t, b.last, "Room renamed.", "<h1>Roadmap</h1>")
	b.submit(rp+"/update", url.Values{"Name": {""}})
	mustContain(t, b.last, `class="error"`, "<h1>Roadmap</h1>")
	b.submit(rp+"/members", url.Values{"MemberId": {us[0].ID}})
	mustContain(t, b.last, "Member added.")
	b.submit(rp+"/members/"+us[0].ID+"/role", url.Values{"Role": {"Administrator"}})
	mustContain(t, b.last, "Role changed.")
	b.submit(rp+"/members", url.Values{"MemberId": {us[0].ID}})
	mustContain(t, b.last, `class="error"`) // already a member
	b.submit(rp+"/members/"+us[0].ID+"/role", url.Values{"Role": {"Owner"}})
	mustContain(t, b.last, `class="error"`)
	ms, _, err := srv.Service.ListRoomMemberships(ctx, awsAccount, id, room, chime.ListRoomMembershipsInput{})
	if err != nil || len(ms) != 1 || ms[0].Role != chime.RoleAdministrator {
		t.Fatalf("memberships: %v %+v", err, ms)
	}

	// Bots.
	b.get("/admin/accounts/" + id + "/bots")
	p = b.submit("/admin/accounts/"+id+"/bots", url.Values{"DisplayName": {"Helper"}, "Domain": {"example.com"}})
	if !strings.Contains(p.body, "<h1>Helper (Bot)</h1>") {
		t.Fatalf("create bot: %d at %s\n%s", p.status, p.url, p.body)
	}
	bot := p.url[strings.LastIndex(p.url, "/")+1:]
	bp := "/admin/accounts/" + id + "/bots/" + bot
	_, tok1, err := srv.Service.GetBot(ctx, awsAccount, id, bot)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, html.UnescapeString(p.body), tok1)
	b.submit(bp+"/update", url.Values{"Disabled": {"true"}})
	mustContain(t, b.last, "Bot disabled.", "Enable bot")
	b.submit(bp+"/update", url.Values{"Disabled": {"false"}})
	mustContain(t, b.last, "Bot enabled.", "Disable bot")
	b.submit(bp+"/token", nil)
	_, tok2, err := srv.Service.GetBot(ctx, awsAccount, id, bot)
	if err != nil || tok2 == tok1 {
		t.Fatalf("token after regenerate: %v, same %v", err, tok2 == tok1)
	}
	mustContain(t, html.UnescapeString(b.last), "Security token regenerated", tok2)
	if strings.Contains(html.UnescapeString(b.last), tok1) {
		t.Errorf("the old token is still shown")
	}
	b.submit(bp+"/events", url.Values{})
	mustContain(t, b.last, `class="error"`) // neither target
	arn := "arn:aws:lambda:us-east-1:" + awsAccount + ":function:helper"
	b.submit(bp+"/events", url.Values{"LambdaFunctionArn": {arn}})
	mustContain(t, b.last, "Events configuration saved.")
	if cfg, err := srv.Service.GetEventsConfiguration(ctx, awsAccount, id, bot); err != nil || cfg.LambdaARN != arn {
		t.Fatalf("GetEventsConfiguration: %v %+v", err, cfg)
	}
	b.get(rp)
	b.submit(rp+"/members", url.Values{"MemberId": {bot}})
	mustContain(t, b.last, "Member added.", "Helper (Bot)")
	b.get(bp)
	mustContain(t, b.last, "<th scope=\"row\">Invite</th>", "Recorded")
	b.get("/admin/bot-events?bot=" + bot + "&status=Recorded")
	mustContain(t, b.last, "<th scope=\"row\">Invite</th>", "1 shown")
	b.get("/admin/bot-events?status=Failed")
	mustContain(t, b.last, "No bot events match this filter.")
	b.get(bp)
	b.submit(bp+"/events/delete", nil)
	mustContain(t, b.last, "Events configuration deleted", "no events configuration")

	// Members leave; the room goes.
	b.get(rp)
	b.submit(rp+"/members/"+bot+"/remove", nil)
	mustContain(t, b.last, "Member removed.")
	b.submit(rp+"/members/"+us[0].ID+"/remove", nil)
	mustContain(t, b.last, "No members yet.")
	p = b.submit(rp+"/delete", nil)
	mustContain(t, p.body, "Room deleted.", "No rooms yet.")
	if _, err := srv.Service.GetRoom(ctx, awsAccount, id, room); chime.ErrorCode(err) != chime.ENOTFOUND {
		t.Errorf("GetRoom after delete: %v", err)
	}

	// Audit: every change under the key.
	var ops []string
	for _, e := range auditOf(t, srv, k) {
		ops = append(ops, e.Operation)
	}
	for _, op := range []string{"CreateRoom", "UpdateRoom", "CreateRoomMembership", "UpdateRoomMembership",
		"DeleteRoomMembership", "DeleteRoom", "CreateBot", "UpdateBot", "RegenerateSecurityToken",
		"PutEventsConfiguration", "DeleteEventsConfiguration"} {
		if !strings.Contains(strings.Join(ops, " "), op) {
			t.Errorf("no %s in the audit trail: %v", op, ops)
		}
	}

	// A read-only key: no forms, 403 on a hand-posted form, nothing changed.
	ro := newBrowser(t, srv)
	ro.signIn(srv.MustKey(t, awsAccount, true))
	for _, path := range []string{"/admin/accounts/" + id + "/rooms", "/admin/accounts/" + id + "/bots", bp} {
		p := ro.get(path)
		if p.status != http.StatusOK || strings.Count(p.body, `method="post"`) != 1 || strings.Contains(html.UnescapeString(p.body), tok2) {
			t.Errorf("read-only %s: %d, %d posting forms, token shown %v", path, p.status,
				strings.Count(p.body, `method="post"`), strings.Contains(html.UnescapeString(p.body), tok2))
		}
	}
	if p := ro.submit("/admin/accounts/"+id+"/rooms", url.Values{"Name": {"RO"}}); p.status != http.StatusForbidden {
		t.Errorf("read-only create room: %d", p.status)
	}
	if rs, _, err := srv.Service.ListRooms(ctx, awsAccount, id, chime.ListRoomsInput{}); err != nil || len(rs) != 0 {
		t.Errorf("rooms after the read-only post: %v %d", err, len(rs))
	}
}
