package lifecycletest_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/smtp"
	"github.com/chimed/chimed/smtp/smtptest"
)

var ctx = context.Background()

// Callers in `--auth any` mode: a 12-digit access key id is the caller's AWS account.
const (
	tenantA = "111122223333"
	tenantB = "444455556666"
)

// clock is an adjustable clock: real time plus an offset.
type clock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// env is a chimed (store, service, wire layer) behind an httptest server, mailing through an in-process SMTP
// server, with an adjustable clock.
type env struct {
	URL   string
	DSN   string
	SMTP  *smtptest.Server
	Clock *clock
	Svc   *chimed.Service
}

// config tunes an env.
type config struct {
	dsn       string                                 // default: SQLite in t.TempDir()
	smtpURL   string                                 // default: the env's SMTP server; "-" = no mailer
	timeout   time.Duration                          // mail timeout; default 10 s
	inviteTTL time.Duration                          // default 7 days
	public    func(serverURL string) (string, error) // public URL from the server's; default the same
}

// engines are the stores the main flow runs on; PostgreSQL is skipped unless CHIMED_TEST_POSTGRES is set.
var engines = testenv.Engines()

func newEnv(tb testing.TB, c config) *env {
	tb.Helper()
	e := &env{SMTP: smtptest.NewServer(tb, smtptest.Options{}), Clock: &clock{}}
	if c.dsn == "" {
		c.dsn = testenv.SQLiteDSN(tb)
	}
	s := testenv.NewServer(tb, testenv.Config{DSN: c.dsn,
		ServiceFor: func(url string) chimed.ServiceOptions {
			public := url
			if c.public != nil {
				var err error
				if public, err = c.public(url); err != nil {
					tb.Fatal(err)
				}
			}
			o := chimed.ServiceOptions{Now: e.Clock.Now, PublicURL: public, InviteTTL: c.inviteTTL,
				MailTimeout: c.timeout, Keyring: testenv.MustKeyring(tb), Logger: slog.New(slog.DiscardHandler)}
			if c.smtpURL == "" {
				c.smtpURL = e.SMTP.URL()
			}
			if c.smtpURL != "-" {
				m, err := smtp.New(smtp.Config{URL: c.smtpURL, TLS: smtp.TLSNone, From: smtp.DefaultFrom(public)})
				if err != nil {
					tb.Fatal(err)
				}
				o.Mailer = m
			}
			return o
		}})
	e.URL, e.DSN, e.Svc = s.URL, s.DSN, s.Service
	return e
}

// client is an SDK client of the AWS account keyID.
func (e *env) client(keyID string) *chime.Client {
	return testenv.NewClient(e.URL, testenv.Key{ID: keyID, Secret: testenv.AnySecret})
}

// teamAccount creates a Team account in tenant A and returns its id and an SDK client.
func (e *env) teamAccount(tb testing.TB, name string) (string, *chime.Client) {
	tb.Helper()
	c := e.client(tenantA)
	out, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(name)})
	if err != nil {
		tb.Fatalf("CreateAccount: %v", err)
	}
	return *out.Account.AccountId, c
}

// invite invites addresses and returns the invites.
func invite(tb testing.TB, c *chime.Client, accountID string, emails ...string) []types.Invite {
	tb.Helper()
	out, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: &accountID, UserEmailList: emails})
	if err != nil {
		tb.Fatalf("InviteUsers: %v", err)
	}
	return out.Invites
}

// userByEmail finds a user of an account.
func userByEmail(tb testing.TB, c *chime.Client, accountID, email string) types.User {
	tb.Helper()
	out, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: &accountID, UserEmail: &email})
	if err != nil || len(out.Users) != 1 {
		tb.Fatalf("ListUsers(%s): %v, %d users", email, err, len(out.Users))
	}
	return out.Users[0]
}

func getUser(tb testing.TB, c *chime.Client, accountID, userID string) types.User {
	tb.Helper()
	out, err := c.GetUser(ctx, &chime.GetUserInput{AccountId: &accountID, UserId: &userID})
	if err != nil {
		tb.Fatalf("GetUser: %v", err)
	}
	return *out.User
}

// ---- the outbox ----

type outboxMessage struct {
	To, Subject, Link, EmailStatus, CreatedOn string
}

// signed sends a SigV4-signed GET (credentials keyID/secret) and returns the status and body.
func (e *env) signed(tb testing.TB, keyID, path string) (int, []byte) {
	tb.Helper()
	req, err := http.NewRequest("GET", e.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	testenv.Sign(tb, req, nil, testenv.Key{ID: keyID, Secret: testenv.AnySecret})
	r := testenv.Send(tb, req)
	return r.Status, r.Body
}

// outbox returns the outbox of keyID's AWS account.
func (e *env) outbox(tb testing.TB, keyID string) []outboxMessage {
	tb.Helper()
	status, body := e.signed(tb, keyID, "/_chimed/outbox")
	if status != 200 {
		tb.Fatalf("GET /_chimed/outbox: %d %s", status, body)
	}
	var out struct{ Messages []outboxMessage }
	if err := json.Unmarshal(body, &out); err != nil || out.Messages == nil {
		tb.Fatalf("outbox body %s: %v", body, err)
	}
	return out.Messages
}

// ---- a browser-like client ----

// browser is an HTTP client with a cookie jar that sends forms the way a browser does (Origin of the page,
// Sec-Fetch-Site, the form's hidden fields).
type browser struct {
	tb     testing.TB
	client *http.Client
}

func newBrowser(tb testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{tb: tb, client: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// page is a fetched page.
type page struct {
	Status int
	Header http.Header
	Body   string
	URL    string
}

func (b *browser) do(req *http.Request) page {
	b.tb.Helper()
	resp, err := b.client.Do(req)
	if err != nil {
		b.tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{Status: resp.StatusCode, Header: resp.Header, Body: string(body), URL: resp.Request.URL.String()}
}

func (b *browser) get(u string) page {
	b.tb.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Sec-Fetch-Site", "none")
	return b.do(req)
}

// post submits fields to u with the given Origin ("" sends none) and Sec-Fetch-Site.
func (b *browser) post(u string, fields url.Values, origin, fetchSite string) page {
	b.tb.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(fields.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if fetchSite != "" {
		req.Header.Set("Sec-Fetch-Site", fetchSite)
	}
	return b.do(req)
}

// cookie returns the value of a cookie the jar holds for u.
func (b *browser) cookie(u, name string) string {
	pu, _ := url.Parse(u)
	for _, c := range b.client.Jar.Cookies(pu) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var (
	formPattern   = regexp.MustCompile(`(?s)<form\b([^>]*)>(.*?)</form>`)
	inputPattern  = regexp.MustCompile(`<input\b[^>]*>`)
	attrPattern   = regexp.MustCompile(`\b(name|value|type)="([^"]*)"`)
	tokenPattern  = regexp.MustCompile(`<code id="session-token">([^<]+)</code>`)
	actionPattern = regexp.MustCompile(`\baction="([^"]*)"`)
)

// firstForm returns the first form's fields (name → value), its action and whether it has one.
func firstForm(body string) (url.Values, string, bool) {
	m := formPattern.FindStringSubmatch(body)
	if m == nil {
		return nil, "", false
	}
	action := ""
	if a := actionPattern.FindStringSubmatch(m[1]); a != nil {
		action = a[1]
	}
	fields := url.Values{}
	for _, in := range inputPattern.FindAllString(m[2], -1) {
		var name, value string
		for _, a := range attrPattern.FindAllStringSubmatch(in, -1) {
			switch a[1] {
			case "name":
				name = a[2]
			case "value":
				value = a[2]
			}
		}
		if name != "" {
			fields.Set(name, value)
		}
	}
	return fields, action, true
}

// accept opens an invitation link and submits its first form with name, as a browser would.
func (b *browser) accept(link, name string) (page, string) {
	b.tb.Helper()
	p := b.get(link)
	if p.Status != 200 {
		b.tb.Fatalf("GET %s: %d %s", link, p.Status, p.Body)
	}
	fields, _, ok := firstForm(p.Body)
	if !ok {
		b.tb.Fatalf("no form on %s", p.Body)
	}
	fields.Set("DisplayName", name)
	u, _ := url.Parse(link)
	done := b.post(link, fields, u.Scheme+"://"+u.Host, "same-origin")
	tok := ""
	if m := tokenPattern.FindStringSubmatch(done.Body); m != nil {
		tok = m[1]
	}
	return done, tok
}

// session calls GET /_chimed/session with the browser's cookies, or without a browser with a bearer token.
func (e *env) session(tb testing.TB, b *browser, token string) (int, map[string]any) {
	tb.Helper()
	req, _ := http.NewRequest("GET", e.URL+"/_chimed/session", nil)
	c := http.DefaultClient
	if b != nil {
		c = b.client
	} else {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ User map[string]any }
	body, _ := io.ReadAll(resp.Body)
	json.Unmarshal(body, &out)
	return resp.StatusCode, out.User
}

// wantSession asserts that token is a valid session of userID (status 200) or not (401).
func (e *env) wantSession(tb testing.TB, token, userID string, valid bool) {
	tb.Helper()
	status, u := e.session(tb, nil, token)
	switch {
	case valid && (status != 200 || u["UserId"] != userID):
		tb.Errorf("session: %d %v, want 200 for user %s", status, u, userID)
	case !valid && status != 401:
		tb.Errorf("session: %d %v, want 401", status, u)
	}
}

// wantHTMLError asserts an HTML error page with a status in want.
func wantHTMLError(tb testing.TB, p page, want ...int) {
	tb.Helper()
	ok := false
	for _, w := range want {
		ok = ok || p.Status == w
	}
	if !ok {
		tb.Errorf("status %d, want one of %v: %.300s", p.Status, want, p.Body)
	}
	if ct := p.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		tb.Errorf("Content-Type %q, want HTML: %.300s", ct, p.Body)
	}
	if !strings.Contains(p.Body, `id="error"`) {
		tb.Errorf("not the error page: %.300s", p.Body)
	}
}

func regexpMust(p string) *regexp.Regexp { return regexp.MustCompile(p) }
