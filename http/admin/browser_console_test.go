package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
)

// TestConsoleInChromium drives the console's real flows in Chromium, as a person would with a keyboard and a
// mouse: sign in by typing into "Access key ID" / "Secret access key"; create an account; invite three users
// and see them Pending; suspend one; try to delete the account and read why not; search and order a number and
// assign it to a user; create a room and add a member; a bot with an events configuration; sign out (the old
// cookie no longer works); a read-only key sees no forms; a post without the CSRF token and one from a foreign
// Origin are refused. Every page of the console is then checked for labels, table headers and (at 375 px) no
// horizontal overflow, at 375 and 1440 px; with CHIMED_SCREENSHOTS=DIR each is also saved as DIR/NAME-WIDTH.png.
func TestConsoleInChromium(t *testing.T) {
	srv := newServer(t, "")
	c := newChrome(t, srv.URL)
	admin := srv.MustKey(t, awsAccount, false)
	reader := srv.MustKey(t, awsAccount, true)
	ctx := context.Background()
	var acct, room, bot, number, order string
	var us []*chime.User

	step(t, "sign in", func(t *testing.T) {
		c.t = t
		c.open("/admin/", http.StatusOK) // redirected to the sign-in form
		if h := c.heading(); h != "Sign in" {
			t.Fatalf("signed out, /admin/ shows %q", h)
		}
		c.typeInto("Access key ID", admin.ID)
		c.typeInto("Secret access key", admin.Secret)
		c.press("Sign in", http.StatusOK)
		if h := c.heading(); h != "Accounts" {
			t.Fatalf("after sign-in: %q", h)
		}
	})
	step(t, "account and users", func(t *testing.T) {
		c.t = t
		c.typeInto("Account name", "Browser Corp")
		c.press("Create account", http.StatusOK)
		if h := c.heading(); h != "Browser Corp" {
			t.Fatalf("after Create account: %q", h)
		}
		acct = c.url()[strings.LastIndex(c.url(), "/")+1:]
		c.typeInto("Email addresses", "ana@example.com\nbo@example.com, cy@example.com")
		c.press("Invite users", http.StatusOK)
		us = users(t, srv, acct)
		if len(us) != 3 {
			t.Fatalf("%d users after inviting 3", len(us))
		}
		for _, u := range us {
			if u.InvitationStatus != chime.InvitePending {
				t.Errorf("%s: invitation %s", u.Email, u.InvitationStatus)
			}
		}
		if n := strings.Count(c.text("main"), "Pending"); n < 3 {
			t.Errorf("the page shows Pending %d times, want 3 (or more):\n%s", n, c.text("main"))
		}
		c.check("Select bo@example.com")
		c.press("Suspend selected", http.StatusOK)
		if us = users(t, srv, acct); len(us) != 2 {
			t.Fatalf("%d users after suspending one of 3 in a Team account", len(us))
		}
		c.press("Delete account", http.StatusOK)
		c.says("cannot be deleted", "no users left")
		if _, err := srv.Service.GetAccount(ctx, awsAccount, acct); err != nil {
			t.Fatalf("the account is gone: %v", err)
		}
	})
	step(t, "order and assign a number", func(t *testing.T) {
		c.t = t
		c.open("/admin/phone-numbers/search", http.StatusOK)
		c.typeInto("Area code", "206")
		c.press("Search", http.StatusOK)
		first := strings.TrimSpace(c.text(".numbers label"))
		if !strings.HasPrefix(first, "+1206") {
			t.Fatalf("search found %q:\n%s", first, c.text("main"))
		}
		c.check(first)
		c.press("Order selected numbers", http.StatusOK)
		c.says("Order placed", first)
		order = c.url()[strings.LastIndex(c.url(), "/")+1:]
		number = first
		c.open("/admin/phone-numbers/n/"+number, http.StatusOK)
		c.says("Unassigned")
		c.choose("Account", acct)
		c.press("Show users", http.StatusOK)
		c.choose("User of Browser Corp", us[0].ID)
		c.press("Assign number", http.StatusOK)
		c.says("is assigned", us[0].Email)
		u, err := srv.Service.GetUser(ctx, awsAccount, acct, us[0].ID)
		if err != nil || u.PhoneNumber != number {
			t.Fatalf("GetUser: %v, phone %q, want %s", err, u.PhoneNumber, number)
		}
	})
	step(t, "calling names and the deletion queue", func(t *testing.T) {
		c.t = t
		c.open("/admin/phone-numbers/search?search=1&areacode=206", http.StatusOK)
		second := strings.TrimSpace(c.text(".numbers label"))
		c.check(second)
		c.press("Order selected numbers", http.StatusOK)
		c.open("/admin/phone-numbers/n/"+second, http.StatusOK)
		c.typeInto("Calling name", "Front Desk")
		c.press("Save calling name", http.StatusOK)
		c.says("Calling name saved", "Front Desk")
		c.press("Delete number", http.StatusOK)
		if h := c.heading(); h != "Phone numbers" {
			t.Fatalf("after Delete number: %q", h)
		}
		c.says("is in the deletion queue")
		if q := c.text("#deletion-queue"); !strings.Contains(q, second) {
			t.Errorf("the deletion queue does not list %s:\n%s", second, c.text("main"))
		}
		c.press("Restore", http.StatusOK)
		c.says("is restored")
		n, err := srv.Service.GetPhoneNumber(ctx, awsAccount, second)
		if err != nil || n.Status != chime.NumberUnassigned || n.CallingName == nil || *n.CallingName != "Front Desk" {
			t.Fatalf("GetPhoneNumber after restore: %v %+v", err, n)
		}
		c.open("/admin/phone-numbers/n/"+second, http.StatusOK)
		c.press("Delete number", http.StatusOK) // it stays in the queue for the pages below
		c.typeInto("Default outbound calling name", "Browser Corp")
		c.press("Save calling name", http.StatusOK)
		c.says("Default outbound calling name saved")
		if st, err := srv.Service.GetPhoneNumberSettings(ctx, awsAccount); err != nil || st.CallingName != "Browser Corp" {
			t.Fatalf("GetPhoneNumberSettings: %v %+v", err, st)
		}
	})
	step(t, "room and member", func(t *testing.T) {
		c.t = t
		c.open("/admin/accounts/"+acct+"/rooms", http.StatusOK)
		c.says("Rooms belong to Enterprise accounts") // a Team account: the page says why there are none
		c.open("/admin/accounts/"+acct, http.StatusOK)
		c.choose("Account type", string(chime.AccountEnterpriseLWA))
		c.press("Change type", http.StatusOK)
		c.open("/admin/rooms", http.StatusOK)
		c.open("/admin/accounts/"+acct+"/rooms", http.StatusOK)
		c.typeInto("Room name", "Launch room")
		c.press("Create room", http.StatusOK)
		if h := c.heading(); h != "Launch room" {
			t.Fatalf("after Create room: %q", h)
		}
		room = c.url()[strings.LastIndex(c.url(), "/")+1:]
		c.choose("Member", us[1].ID)
		c.choose("Role", string(chime.RoleAdministrator))
		c.press("Add member", http.StatusOK)
		c.says("Member added", us[1].Email, "Administrator")
		ms, _, err := srv.Service.ListRoomMemberships(ctx, awsAccount, acct, room, chime.ListRoomMembershipsInput{})
		if err != nil || len(ms) != 1 || ms[0].MemberID != us[1].ID || ms[0].Role != chime.RoleAdministrator {
			t.Fatalf("memberships %v %+v", err, ms)
		}
	})
	step(t, "bot", func(t *testing.T) {
		c.t = t
		c.open("/admin/accounts/"+acct+"/bots", http.StatusOK)
		c.typeInto("Bot name", "Helper")
		c.typeInto("Domain", "example.com")
		c.press("Create bot", http.StatusOK)
		if h := c.heading(); h != "Helper (Bot)" {
			t.Fatalf("after Create bot: %q", h)
		}
		bot = c.url()[strings.LastIndex(c.url(), "/")+1:]
		c.typeInto("or Lambda function ARN", "arn:aws:lambda:us-east-1:"+awsAccount+":function:helper")
		c.press("Save events configuration", http.StatusOK)
		c.says("Events configuration saved", "function:helper")
		c.open("/admin/accounts/"+acct+"/rooms/"+room, http.StatusOK)
		c.choose("Member", bot)
		c.press("Add member", http.StatusOK)
		c.says("Helper (Bot)")
		c.open("/admin/accounts/"+acct+"/bots/"+bot, http.StatusOK)
		c.says("Invite", "Recorded") // the Invite event of the room, recorded for the Lambda target
	})
	step(t, "audit trail", func(t *testing.T) {
		c.t = t
		c.open("/admin/audit?attr=AccessKeyId&value="+admin.ID, http.StatusOK)
		c.says("CreateAccount", "InviteUsers", "CreatePhoneNumberOrder", "AssociatePhoneNumberWithUser", "CreateRoom",
			"CreateRoomMembership", "CreateBot", "PutEventsConfiguration")
		c.open("/admin/audit?attr=EventName&value=CreateRoom", http.StatusOK)
		c.says("CreateRoom")
		if strings.Contains(c.text("main"), "CreateBot") {
			t.Errorf("the CreateRoom filter shows CreateBot")
		}
	})
	step(t, "forged posts", func(t *testing.T) {
		c.t = t
		ck := c.sessionCookie()
		if ck == nil {
			t.Fatal("no session cookie")
		}
		post := func(path, origin string, form url.Values) int {
			req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", origin)
			req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if s := post("/admin/accounts/"+acct+"/rooms", srv.URL, url.Values{"Name": {"No token"}}); s != http.StatusForbidden {
			t.Errorf("post without the CSRF token: %d", s)
		}
		c.open("/admin/accounts/"+acct+"/rooms", http.StatusOK)
		token := c.eval(`document.querySelector('input[name="csrf"]').value`)
		if s := post("/admin/accounts/"+acct+"/rooms", "https://evil.example", url.Values{"Name": {"Foreign"}, "csrf": {token}}); s != http.StatusForbidden {
			t.Errorf("post from a foreign Origin: %d", s)
		}
		rooms, _, err := srv.Service.ListRooms(ctx, awsAccount, acct, chime.ListRoomsInput{})
		if err != nil || len(rooms) != 1 {
			t.Errorf("rooms after the forged posts: %v, %d, want the one", err, len(rooms))
		}
	})

	pages := consolePages(acct, room, bot, number, order, us[0].ID)
	shots := os.Getenv("CHIMED_SCREENSHOTS")
	step(t, "every page", func(t *testing.T) {
		c.t = t
		everyPage(c, pages, shots, "")
	})

	step(t, "sign out", func(t *testing.T) {
		c.t = t
		old := c.sessionCookie()
		c.press("Sign out", http.StatusOK)
		if h := c.heading(); h != "Sign in" {
			t.Fatalf("after Sign out: %q", h)
		}
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/admin/", nil)
		req.AddCookie(&http.Cookie{Name: old.Name, Value: old.Value})
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/signin" {
			t.Errorf("the old cookie after sign-out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		everyPage(c, []consolePage{{"signin", "/admin/signin"}}, shots, "")
	})
	step(t, "read-only key", func(t *testing.T) {
		c.t = t
		c.typeInto("Access key ID", reader.ID)
		c.typeInto("Secret access key", reader.Secret)
		c.press("Sign in", http.StatusOK)
		c.width(1440)
		for _, p := range pages {
			c.open(p.path, http.StatusOK)
			if !strings.Contains(c.text("body"), "read-only") {
				t.Errorf("%s: no read-only notice", p.path)
			}
			posts := c.eval(`String((() => [...document.querySelectorAll('form')].filter(f => f.method === 'post' && !f.action.endsWith('/admin/signout')).length)())`)
			if posts != "0" {
				t.Errorf("%s: %s forms that post, want none but Sign out", p.path, posts)
			}
		}
		if shots != "" {
			everyPage(c, pages[:1], shots, "-readonly")
		}
	})
}

// step runs the sub-test fn and stops t when it fails (the next steps build on it).
func step(t *testing.T, name string, fn func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, fn) {
		t.FailNow()
	}
}

// consolePage is a page of the console: its name (the screenshot's) and path.
type consolePage struct{ name, path string }

// consolePages lists every page of the console, for the objects the suite made.
func consolePages(acct, room, bot, number, order, user string) []consolePage {
	a := "/admin/accounts/" + acct
	return []consolePage{
		{"accounts", "/admin/"}, {"account", a}, {"user", a + "/users/" + user},
		{"phone-numbers", "/admin/phone-numbers"}, {"phone-number", "/admin/phone-numbers/n/" + number},
		{"number-search", "/admin/phone-numbers/search?search=1&areacode=206"},
		{"number-orders", "/admin/phone-numbers/orders"}, {"number-order", "/admin/phone-numbers/orders/" + order},
		{"rooms", "/admin/rooms"}, {"account-rooms", a + "/rooms"}, {"room", a + "/rooms/" + room},
		{"bots", "/admin/bots"}, {"account-bots", a + "/bots"}, {"bot", a + "/bots/" + bot},
		{"outbox", "/admin/outbox"}, {"bot-events", "/admin/bot-events"}, {"audit", "/admin/audit"},
	}
}

// everyPage opens every page at 375 and 1440 px and checks it (chrome.accessible); with dir set it saves each
// as dir/NAME[suffix]-WIDTH.png.
func everyPage(c *chrome, pages []consolePage, dir, suffix string) {
	c.t.Helper()
	for _, w := range []int64{375, 1440} {
		c.width(w)
		for _, p := range pages {
			c.open(p.path, http.StatusOK)
			c.accessible(p.name)
			if dir != "" {
				c.shot(dir, p.name+suffix+"-"+map[int64]string{375: "375", 1440: "1440"}[w])
			}
		}
	}
	c.width(1440)
}
