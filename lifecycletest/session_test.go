package lifecycletest_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// registered invites email into a new Team account, accepts in a browser and returns the account, the user id
// and the session token.
func (e *env) registered(t *testing.T, c *chime.Client, email string) (string, string, string) {
	t.Helper()
	acct, _ := e.teamAccount(t, "acct "+email)
	invite(t, c, acct, email)
	box := e.outbox(t, tenantA)
	p, tok := newBrowser(t).accept(box[len(box)-1].Link, "User "+email)
	if p.Status != 200 || tok == "" {
		t.Fatalf("accept: %d", p.Status)
	}
	return acct, *userByEmail(t, c, acct, email).UserId, tok
}

// requestSignIn fills the sign-in form in a fresh browser and returns the answer.
func (e *env) requestSignIn(t *testing.T, email string) page {
	t.Helper()
	b := newBrowser(t)
	form := b.get(e.URL + "/signin")
	fields, _, ok := firstForm(form.Body)
	if form.Status != 200 || !ok || !fields.Has("Email") {
		t.Fatalf("sign-in form: %d %v", form.Status, fields)
	}
	fields.Set("Email", email)
	p := b.post(e.URL+"/signin", fields, e.URL, "same-origin")
	if err := e.Svc.Drain(ctx); err != nil { // the mail goes out after the answer
		t.Fatal(err)
	}
	return p
}

// signInLinks returns the sign-in links of the outbox of tenant A.
func (e *env) signInLinks(t *testing.T) []outboxMessage {
	var out []outboxMessage
	for _, m := range e.outbox(t, tenantA) {
		if strings.Contains(m.Link, "/signin/") {
			out = append(out, m)
		}
	}
	return out
}

// signIn requests a link for email, opens the newest one and returns the session token.
func (e *env) signIn(t *testing.T, email string) string {
	t.Helper()
	if p := e.requestSignIn(t, email); p.Status != 200 {
		t.Fatalf("POST /signin: %d", p.Status)
	}
	links := e.signInLinks(t)
	if len(links) == 0 {
		t.Fatal("no sign-in link was sent")
	}
	p := newBrowser(t).get(links[len(links)-1].Link)
	m := tokenPattern.FindStringSubmatch(p.Body)
	if p.Status != 200 || m == nil {
		t.Fatalf("sign-in link: %d %.300s", p.Status, p.Body)
	}
	return m[1]
}

func TestSignInAndLogout(t *testing.T) {
	t.Parallel()
	for _, eng := range engines {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			testSignInAndLogout(t, newEnv(t, config{dsn: eng.DSN(t)}))
		})
	}
}

func testSignInAndLogout(t *testing.T, e *env) {
	c := e.client(tenantA)
	acct, uid, first := e.registered(t, c, "dana@example.org")
	e.wantSession(t, first, uid, true)

	// No enumeration: a known and an unknown address get the same page; only the known one gets mail.
	known, unknown := e.requestSignIn(t, "DANA@example.org"), e.requestSignIn(t, "nobody@example.org")
	strip := func(s string) string {
		s = strings.ReplaceAll(s, "DANA@example.org", "X")
		s = strings.ReplaceAll(s, "nobody@example.org", "X")
		return regexpNonce.ReplaceAllString(s, "")
	}
	if known.Status != 200 || unknown.Status != 200 || strip(known.Body) != strip(unknown.Body) {
		t.Errorf("answers differ: %d / %d\n%s\n%s", known.Status, unknown.Status, strip(known.Body), strip(unknown.Body))
	}
	msgs := e.SMTP.Wait(t, 2, 5*time.Second) // the invitation and one sign-in link
	if len(msgs) != 2 || msgs[1].To[0] != "dana@example.org" || !strings.HasPrefix(msgs[1].Subject, "Your sign-in link") {
		t.Fatalf("mail: %d messages", len(msgs))
	}
	if l := msgs[1].TextLinks(); len(l) != 1 || !strings.HasPrefix(l[0], e.URL+"/signin/") {
		t.Errorf("sign-in mail links %q", l)
	}
	links := e.signInLinks(t)
	if len(links) != 1 || links[0].To != "dana@example.org" || links[0].EmailStatus != "Sent" {
		t.Fatalf("outbox sign-in links %+v", links)
	}
	b := newBrowser(t)
	p := b.get(links[0].Link)
	second := ""
	if m := tokenPattern.FindStringSubmatch(p.Body); p.Status == 200 && m != nil {
		second = m[1]
	} else {
		t.Fatalf("open sign-in link: %d %.300s", p.Status, p.Body)
	}
	if b.cookie(e.URL, "chimed_session") != second {
		t.Error("the sign-in did not set the session cookie")
	}
	e.wantSession(t, second, uid, true)
	wantHTMLError(t, b.get(links[0].Link), 410) // single use

	// LogoutUser revokes every session.
	if _, err := c.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: &acct, UserId: &uid}); err != nil {
		t.Fatal(err)
	}
	e.wantSession(t, first, uid, false)
	e.wantSession(t, second, uid, false)
	if status, _ := e.session(t, b, ""); status != 401 {
		t.Errorf("cookie session after logout: %d", status)
	}
	// The user is unchanged and can sign in again.
	if u := getUser(t, c, acct, uid); u.UserRegistrationStatus != types.RegistrationStatusRegistered {
		t.Errorf("user after logout %+v", u)
	}
	e.wantSession(t, e.signIn(t, "dana@example.org"), uid, true)

	// Garbage is 401, never 5xx.
	for _, tok := range []string{"", "x", strings.Repeat("A", 43), first + "x"} {
		e.wantSession(t, tok, uid, false)
	}
}

var regexpNonce = regexpMust(`nonce="[^"]+"`)

func TestSuspensionEndsSessions(t *testing.T) {
	t.Parallel()
	for _, eng := range engines {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			testSuspensionEndsSessions(t, newEnv(t, config{dsn: eng.DSN(t)}))
		})
	}
}

func testSuspensionEndsSessions(t *testing.T, e *env) {
	c := e.client(tenantA)
	acct, uid, tok := e.registered(t, c, "lwa@example.org")
	if _, err := e.Svc.SetAccountType(ctx, tenantA, acct, aws.String("EnterpriseLWA")); err != nil {
		t.Fatal(err)
	}
	e.wantSession(t, tok, uid, true)
	// A sign-in link requested before the suspension dies with it.
	e.requestSignIn(t, "lwa@example.org")
	pending := e.signInLinks(t)[0].Link

	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &acct, UserIdList: []string{uid}}); err != nil {
		t.Fatal(err)
	}
	e.wantSession(t, tok, uid, false)
	wantHTMLError(t, newBrowser(t).get(pending), 404, 403, 410)
	before := len(e.signInLinks(t))
	if p := e.requestSignIn(t, "lwa@example.org"); p.Status != 200 {
		t.Errorf("POST /signin for a suspended user: %d", p.Status)
	}
	if n := len(e.signInLinks(t)); n != before {
		t.Errorf("a suspended user was sent a sign-in link")
	}

	if _, err := c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: &acct, UserIdList: []string{uid}}); err != nil {
		t.Fatal(err)
	}
	e.wantSession(t, tok, uid, false) // unsuspending restores no session
	e.wantSession(t, e.signIn(t, "lwa@example.org"), uid, true)

	// A link issued while registered cannot be opened while suspended.
	e.requestSignIn(t, "lwa@example.org")
	links := e.signInLinks(t)
	last := links[len(links)-1].Link
	e.Svc.BatchSuspendUser(ctx, tenantA, acct, []string{uid})
	e.Svc.BatchUnsuspendUser(ctx, tenantA, acct, []string{uid})
	wantHTMLError(t, newBrowser(t).get(last), 404) // voided by the suspension
}

func TestRemovedUsersAndAccounts(t *testing.T) {
	t.Parallel()
	for _, eng := range engines {
		t.Run(eng.Name, func(t *testing.T) {
			t.Parallel()
			testRemovedUsersAndAccounts(t, newEnv(t, config{dsn: eng.DSN(t)}))
		})
	}
}

func testRemovedUsersAndAccounts(t *testing.T, e *env) {
	c := e.client(tenantA)
	acct, uid, tok := e.registered(t, c, "team@example.org")
	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &acct, UserIdList: []string{uid}}); err != nil {
		t.Fatal(err)
	}
	e.wantSession(t, tok, uid, false)
	before := len(e.SMTP.Messages())
	e.requestSignIn(t, "team@example.org")
	if n := len(e.SMTP.Messages()); n != before {
		t.Errorf("a removed Team user was sent a sign-in link")
	}

	// DeleteAccount and reset end sessions too.
	acct2, uid2, tok2 := e.registered(t, c, "other@example.org")
	c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &acct2, UserIdList: []string{uid2}})
	if _, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: &acct2}); err != nil {
		t.Fatal(err)
	}
	e.wantSession(t, tok2, uid2, false)
	_, uid3, tok3 := e.registered(t, c, "third@example.org")
	e.wantSession(t, tok3, uid3, true)
	if err := e.Svc.ResetTenant(ctx, tenantA); err != nil {
		t.Fatal(err)
	}
	e.wantSession(t, tok3, uid3, false)
	if box := e.outbox(t, tenantA); len(box) != 0 {
		t.Errorf("outbox after reset: %d messages", len(box))
	}
}

func TestSignInLinksAreBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, config{})
	c := e.client(tenantA)
	e.registered(t, c, "flood@example.org")
	for range 8 {
		e.requestSignIn(t, "flood@example.org")
	}
	if n := len(e.signInLinks(t)); n != 5 {
		t.Errorf("%d sign-in links sent, want the bound of 5", n)
	}
	// A malformed address is a 400 page, not an error of the service.
	b := newBrowser(t)
	fields, _, _ := firstForm(b.get(e.URL + "/signin").Body)
	fields.Set("Email", "not-an-address")
	if p := b.post(e.URL+"/signin", fields, e.URL, "same-origin"); p.Status != 400 || !strings.Contains(p.Body, "valid email") {
		t.Errorf("bad address: %d", p.Status)
	}
	// Cross-site POST /signin is refused.
	wantHTMLError(t, newBrowser(t).post(e.URL+"/signin", url.Values{"Email": {"flood@example.org"}},
		"https://evil.example", "cross-site"), 403)
}

func TestSignInLinkExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t, config{})
	c := e.client(tenantA)
	e.registered(t, c, "slow@example.org")
	e.requestSignIn(t, "slow@example.org")
	link := e.signInLinks(t)[0].Link
	e.Clock.Advance(16 * time.Minute)
	p := newBrowser(t).get(link)
	wantHTMLError(t, p, 410)
	if !strings.Contains(p.Body, "expired") {
		t.Errorf("page %.300s", p.Body)
	}
}

func TestSessionExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t, config{})
	c := e.client(tenantA)
	_, uid, tok := e.registered(t, c, "old@example.org")
	e.Clock.Advance(29 * 24 * time.Hour)
	e.wantSession(t, tok, uid, true)
	e.Clock.Advance(2 * 24 * time.Hour)
	e.wantSession(t, tok, uid, false)
}
