package lifecycletest_test

import (
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/smtp/smtptest"
)

var isoMillis = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// TestInvitationAccepted is the whole happy path over HTTP, on every engine: the invitation email arrives with
// the right recipient, subject and one working link; the page accepts; the user is registered; a session starts.
func TestInvitationAccepted(t *testing.T) {
	t.Parallel()
	for _, eng := range engines {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, config{dsn: eng.DSN(t)})
			acct, c := e.teamAccount(t, "Blue <Team> & Co")
			inv := invite(t, c, acct, "Ada@Example.org")
			if len(inv) != 1 || inv[0].Status != types.InviteStatusPending || inv[0].EmailStatus != types.EmailStatusSent {
				t.Fatalf("invites %+v", inv)
			}
			msg := e.SMTP.Wait(t, 1, 5*time.Second)[0]
			if len(msg.To) != 1 || msg.To[0] != "Ada@Example.org" {
				t.Errorf("recipients %q", msg.To)
			}
			if msg.Subject != "Invitation to join Blue <Team> & Co" {
				t.Errorf("subject %q", msg.Subject)
			}
			links := append(msg.TextLinks(), msg.HTMLLinks()...)
			if len(links) != 2 || links[0] != links[1] {
				t.Fatalf("links in the email: %q (want one, in both parts)", links)
			}
			link := links[0]
			if !regexp.MustCompile(`^` + regexp.QuoteMeta(e.URL) + `/invite/[A-Za-z0-9_-]{43}$`).MatchString(link) {
				t.Fatalf("link %q", link)
			}
			box := e.outbox(t, tenantA)
			if len(box) != 1 || box[0].To != "Ada@Example.org" || box[0].Subject != msg.Subject || box[0].Link != link ||
				box[0].EmailStatus != "Sent" || !isoMillis.MatchString(box[0].CreatedOn) {
				t.Errorf("outbox %+v", box)
			}

			b := newBrowser(t)
			p := b.get(link)
			if p.Status != 200 || !strings.Contains(p.Body, "Blue &lt;Team&gt; &amp; Co") {
				t.Fatalf("invitation page: %d %.500s", p.Status, p.Body)
			}
			csp := p.Header.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'none'", "form-action 'self'", "frame-ancestors 'none'",
				"base-uri 'none'", "style-src 'nonce-"} {
				if !strings.Contains(csp, d) {
					t.Errorf("CSP %q lacks %q", csp, d)
				}
			}
			if fields, action, ok := firstForm(p.Body); !ok || action != "" || !fields.Has("DisplayName") {
				t.Errorf("first form: %v action %q", fields, action)
			}
			done, token := b.accept(link, "Ada Lovelace")
			if done.Status != 200 || token == "" || !strings.Contains(done.Body, `id="welcome"`) {
				t.Fatalf("accept: %d %.500s", done.Status, done.Body)
			}
			var sc string
			for _, v := range done.Header.Values("Set-Cookie") {
				if strings.HasPrefix(v, "chimed_session=") {
					sc = v
				}
			}
			if !strings.HasPrefix(sc, "chimed_session="+token+"; Path=/; Max-Age=") ||
				!strings.HasSuffix(sc, "; HttpOnly; SameSite=Strict") {
				t.Errorf("session cookie %q", sc)
			}
			if b.cookie(e.URL, "chimed_session") != token {
				t.Errorf("the browser holds no session cookie")
			}

			u := userByEmail(t, c, acct, "ada@example.org")
			u = getUser(t, c, acct, *u.UserId)
			if u.UserRegistrationStatus != types.RegistrationStatusRegistered ||
				u.UserInvitationStatus != types.InviteStatusAccepted || u.RegisteredOn == nil ||
				len(aws.ToString(u.PersonalPIN)) != 10 || aws.ToString(u.DisplayName) != "Ada Lovelace" {
				t.Errorf("user after acceptance %+v", u)
			}
			e.wantSession(t, token, *u.UserId, true)
			if status, su := e.session(t, b, ""); status != 200 || su["PrimaryEmail"] != "Ada@Example.org" ||
				su["UserRegistrationStatus"] != "Registered" {
				t.Errorf("session by cookie: %d %v", status, su)
			}

			// Single use: the link is spent, and a second POST changes nothing.
			wantHTMLError(t, b.get(link), 410)
			again, _ := b.accept2(link)
			wantHTMLError(t, again, 410)
		})
	}
}

// accept2 posts the acceptance form again without fetching the page (the link is already used).
func (b *browser) accept2(link string) (page, string) {
	u, _ := url.Parse(link)
	csrf := b.cookie(link, "chimed_csrf")
	return b.post(link, url.Values{"csrf": {csrf}, "DisplayName": {"Mallory"}}, u.Scheme+"://"+u.Host, "same-origin"), ""
}

func TestCrossSitePostRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, config{})
	acct, c := e.teamAccount(t, "t")
	invite(t, c, acct, "bob@example.org")
	link := e.outbox(t, tenantA)[0].Link

	// The attacker's page: a foreign Origin, no cookies, no hidden field.
	evil := newBrowser(t)
	wantHTMLError(t, evil.post(link, url.Values{"DisplayName": {"Mallory"}}, "https://evil.example", "cross-site"), 403)
	// Even with a victim's cookie and field, a foreign Origin or Sec-Fetch-Site is refused.
	victim := newBrowser(t)
	fields, _, _ := firstForm(victim.get(link).Body)
	fields.Set("DisplayName", "Mallory")
	wantHTMLError(t, victim.post(link, fields, "https://evil.example", ""), 403)
	wantHTMLError(t, victim.post(link, fields, "", "cross-site"), 403)
	wantHTMLError(t, victim.post(link, fields, "null", ""), 403)
	// Same origin but no double-submit token, or a wrong one.
	wantHTMLError(t, newBrowser(t).post(link, url.Values{"DisplayName": {"M"}}, e.URL, "same-origin"), 403)
	wrong := []byte(fields.Get("csrf"))
	wrong[0] ^= 1 // a different first byte
	bad := url.Values{"DisplayName": {"M"}, "csrf": {string(wrong)}}
	wantHTMLError(t, victim.post(link, bad, e.URL, "same-origin"), 403)

	u := userByEmail(t, c, acct, "bob@example.org")
	if u.UserRegistrationStatus != types.RegistrationStatusUnregistered || u.DisplayName != nil {
		t.Fatalf("a refused POST changed the user: %+v", u)
	}
	// The link still works for the real user.
	if p, tok := victim.accept(link, "Bob"); p.Status != 200 || tok == "" {
		t.Fatalf("accept after refusals: %d", p.Status)
	}
	// A blank name is refused with the form again (400), not accepted.
	acct2, _ := e.teamAccount(t, "t2")
	invite(t, c, acct2, "carol@example.org")
	box := e.outbox(t, tenantA)
	p, _ := newBrowser(t).accept(box[len(box)-1].Link, "   ")
	if p.Status != 400 || !strings.Contains(p.Body, "DisplayName") {
		t.Errorf("blank name: %d %.300s", p.Status, p.Body)
	}
}

func TestMailFailuresLoseNothing(t *testing.T) {
	t.Parallel()
	refusing := smtptest.NewServer(t, smtptest.Options{})
	refusing.Refuse(550, "mailbox unavailable")
	for _, tc := range []struct {
		name    string
		url     string
		timeout time.Duration
		want    types.EmailStatus
	}{
		{"SMTP down", "smtp://" + smtptest.ClosedPort(t), 0, types.EmailStatusFailed},
		{"SMTP refuses", refusing.URL(), 0, types.EmailStatusFailed},
		{"SMTP silent", "smtp://" + smtptest.BlackHole(t), 700 * time.Millisecond, types.EmailStatusFailed},
		{"no SMTP configured", "-", 0, types.EmailStatusNotSent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, config{smtpURL: tc.url, timeout: tc.timeout})
			acct, c := e.teamAccount(t, "t")
			start := time.Now()
			inv := invite(t, c, acct, "a@example.org", "b@example.org")
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("InviteUsers took %v", d)
			}
			for _, i := range inv {
				if i.Status != types.InviteStatusPending || i.EmailStatus != tc.want {
					t.Errorf("invite %+v, want Pending/%s", i, tc.want)
				}
			}
			box := e.outbox(t, tenantA)
			if len(box) != 2 || box[0].To != "a@example.org" || box[1].To != "b@example.org" {
				t.Fatalf("outbox %+v", box)
			}
			for _, m := range box {
				if m.EmailStatus != string(tc.want) || !strings.Contains(m.Link, "/invite/") {
					t.Errorf("outbox message %+v", m)
				}
			}
			if p, tok := newBrowser(t).accept(box[1].Link, "B"); p.Status != 200 || tok == "" {
				t.Errorf("the link of an unsent invitation does not work: %d", p.Status)
			}
		})
	}
	if n := len(refusing.Messages()); n != 0 {
		t.Errorf("refusing server kept %d messages", n)
	}
}

func TestLinksThatCannotBeUsed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, config{inviteTTL: time.Hour})
	acct, c := e.teamAccount(t, "t")
	b := newBrowser(t)

	// Superseded: a re-invitation sends a new link and voids the old one.
	invite(t, c, acct, "re@example.org")
	inv2 := invite(t, c, acct, "re@example.org")
	if inv2[0].EmailStatus != types.EmailStatusSent {
		t.Errorf("re-invite %+v", inv2[0])
	}
	box := e.outbox(t, tenantA)
	if len(box) != 2 || box[0].Link == box[1].Link {
		t.Fatalf("outbox %+v", box)
	}
	old := b.get(box[0].Link)
	wantHTMLError(t, old, 410)
	if !strings.Contains(old.Body, "newer invitation") {
		t.Errorf("superseded page: %.300s", old.Body)
	}
	if p := b.get(box[1].Link); p.Status != 200 {
		t.Errorf("latest link: %d", p.Status)
	}

	// Registered through the control endpoint: the pending link dies.
	invite(t, c, acct, "ctl@example.org")
	ctlLink := e.outbox(t, tenantA)[2].Link
	u := userByEmail(t, c, acct, "ctl@example.org")
	if _, err := e.Svc.RegisterUser(ctx, tenantA, acct, *u.UserId, nil); err != nil {
		t.Fatal(err)
	}
	wantHTMLError(t, b.get(ctlLink), 410)

	// Removed user (Team suspension removes it): the link is unknown.
	invite(t, c, acct, "gone@example.org")
	goneLink := e.outbox(t, tenantA)[3].Link
	g := userByEmail(t, c, acct, "gone@example.org")
	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &acct, UserIdList: []string{*g.UserId}}); err != nil {
		t.Fatal(err)
	}
	wantHTMLError(t, b.get(goneLink), 404)

	// Unknown and malformed tokens.
	raw := make([]byte, 32)
	rand.Read(raw)
	wantHTMLError(t, b.get(e.URL+"/invite/"+base64.RawURLEncoding.EncodeToString(raw)), 404)
	wantHTMLError(t, b.get(e.URL+"/invite/short"), 404)
	wantHTMLError(t, b.get(e.URL+"/signin/"+base64.RawURLEncoding.EncodeToString(raw)), 404)
	// An invitation token is not a sign-in token.
	wantHTMLError(t, b.get(strings.Replace(box[1].Link, "/invite/", "/signin/", 1)), 404)

	// Expired: the clock moves past the TTL; the page says so and accepting changes nothing.
	invite(t, c, acct, "late@example.org")
	lateLink := e.outbox(t, tenantA)[4].Link
	fields, _, _ := firstForm(b.get(lateLink).Body)
	e.Clock.Advance(time.Hour + time.Second)
	p := b.get(lateLink)
	wantHTMLError(t, p, 410)
	if !strings.Contains(p.Body, "expired") {
		t.Errorf("expired page: %.300s", p.Body)
	}
	fields.Set("DisplayName", "Late")
	wantHTMLError(t, b.post(lateLink, fields, e.URL, "same-origin"), 410)
	if l := userByEmail(t, c, acct, "late@example.org"); l.UserRegistrationStatus != types.RegistrationStatusUnregistered {
		t.Errorf("expired link registered the user")
	}
}

// TestSecretsAtRest: neither the database files nor the logs' subject (the outbox rows) hold a token.
func TestSecretsAtRest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, config{})
	acct, c := e.teamAccount(t, "t")
	invite(t, c, acct, "s@example.org")
	link := e.outbox(t, tenantA)[0].Link
	_, session := newBrowser(t).accept(link, "S")
	inviteToken := link[strings.LastIndexByte(link, '/')+1:]
	dir := filepath.Dir(strings.TrimPrefix(e.DSN, "sqlite:"))
	files, _ := filepath.Glob(filepath.Join(dir, "chimed.db*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{inviteToken, session, "/invite/"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("%s holds %q", filepath.Base(f), secret)
			}
		}
	}
}

func TestOutboxScopedAndSigned(t *testing.T) {
	t.Parallel()
	e := newEnv(t, config{})
	acct, c := e.teamAccount(t, "t")
	invite(t, c, acct, "x@example.org")
	if box := e.outbox(t, tenantB); len(box) != 0 {
		t.Errorf("tenant B sees %+v", box)
	}
	resp, err := newBrowser(t).client.Get(e.URL + "/_chimed/outbox")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 || resp.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned outbox: %d %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"))
	}
	// Reset and DeleteAccount empty it.
	if status, body := e.signed(t, tenantA, "/_chimed/outbox"); status != 200 || !strings.Contains(string(body), "x@example.org") {
		t.Fatalf("outbox %d %s", status, body)
	}
	u := userByEmail(t, c, acct, "x@example.org")
	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &acct, UserIdList: []string{*u.UserId}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: &acct}); err != nil {
		t.Fatal(err)
	}
	if box := e.outbox(t, tenantA); len(box) != 0 {
		t.Errorf("outbox after DeleteAccount %+v", box)
	}
}

// TestAcceptRace: many browsers submit one invitation at once; exactly one wins, on every engine.
func TestAcceptRace(t *testing.T) {
	t.Parallel()
	for _, eng := range engines {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, config{dsn: eng.DSN(t), smtpURL: "-"})
			acct, c := e.teamAccount(t, "race")
			invite(t, c, acct, "race@example.org")
			link := e.outbox(t, tenantA)[0].Link
			const n = 8
			type result struct {
				status int
				token  string
			}
			forms := make([]*browser, n)
			fields := make([]url.Values, n)
			for i := range forms {
				forms[i] = newBrowser(t)
				fields[i], _, _ = firstForm(forms[i].get(link).Body)
				fields[i].Set("DisplayName", "Racer")
			}
			results := make(chan result, n)
			for i := range forms {
				go func() {
					p := forms[i].post(link, fields[i], e.URL, "same-origin")
					m := tokenPattern.FindStringSubmatch(p.Body)
					r := result{status: p.Status}
					if m != nil {
						r.token = m[1]
					}
					results <- r
				}()
			}
			wins := 0
			for range n {
				r := <-results
				switch {
				case r.status == 200 && r.token != "":
					wins++
				case r.status != 410:
					t.Errorf("a losing submission answered %d", r.status)
				}
			}
			if wins != 1 {
				t.Errorf("%d submissions won, want 1", wins)
			}
		})
	}
}
