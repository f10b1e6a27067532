package admin_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// The console's tests drive a real chimed (internal/testenv: store, service, http.Server with SigV4
// credentials) through net/http with a cookie jar, as a browser without script would: forms are posted with the
// browser's Origin header and the page's CSRF field.

const (
	awsAccount = "111122223333"
	userAgent  = "console-test-browser/1.0"
)

// newServer starts a chimed on dsn ("" = the default engine) that checks signatures against stored keys.
func newServer(t *testing.T, dsn string) *testenv.Server {
	t.Helper()
	return testenv.NewServer(t, testenv.Config{DSN: dsn, SigV4: &sigv4.Options{}})
}

// browser is a person's browser: a cookie jar, the server's origin, and the last page it loaded.
type browser struct {
	t      testing.TB
	base   string
	c      *http.Client
	origin string // the Origin header of its POSTs ("" sends none)
	last   string // the body of the last page
}

func newBrowser(t testing.TB, srv *testenv.Server) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: srv.URL, origin: srv.URL, c: &http.Client{Jar: jar}}
}

// page is one answer (after redirects unless noRedirect).
type page struct {
	status int
	header http.Header
	body   string
	url    string // the final URL
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	req.Header.Set("User-Agent", userAgent)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	b.last = string(body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(body), url: resp.Request.URL.String()}
}

// get loads path (following redirects).
func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post submits form to path with the browser's Origin (following the 303 that answers a success).
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if b.origin != "" {
		req.Header.Set("Origin", b.origin)
	}
	return b.do(req)
}

// submit posts form to path with the CSRF token of the last page loaded.
func (b *browser) submit(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf())
	return b.post(path, form)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the last page.
func (b *browser) csrf() string {
	b.t.Helper()
	m := csrfRE.FindStringSubmatch(b.last)
	if m == nil {
		b.t.Fatalf("no CSRF field on the last page:\n%s", b.last)
	}
	return html.UnescapeString(m[1])
}

// signIn signs in with k and fails t unless the Accounts page shows.
func (b *browser) signIn(k testenv.Key) page {
	b.t.Helper()
	p := b.post("/admin/signin", url.Values{"AccessKeyID": {k.ID}, "SecretAccessKey": {k.Secret}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "<h1>Accounts</h1>") {
		b.t.Fatalf("sign in: %d at %s\n%s", p.status, p.url, p.body)
	}
	return p
}

// cookie returns the console session cookie the jar holds for the server, or nil.
func (b *browser) cookie() *http.Cookie {
	u, _ := url.Parse(b.base + "/admin/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "chimed_console" {
			return c
		}
	}
	return nil
}

// mustContain fails t unless body holds every s.
func mustContain(t *testing.T, body string, ss ...string) {
	t.Helper()
	for _, s := range ss {
		if !strings.Contains(body, s) {
			t.Errorf("the page does not say %q:\n%s", s, body)
		}
	}
}

// accounts returns the accounts of the test AWS account, read through the service.
func accounts(t *testing.T, srv *testenv.Server) []*chime.Account {
	t.Helper()
	as, _, err := srv.Service.ListAccounts(context.Background(), awsAccount, chime.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

// users returns the users of account id, read through the service.
func users(t *testing.T, srv *testenv.Server, id string) []*chime.User {
	t.Helper()
	us, _, err := srv.Service.ListUsers(context.Background(), awsAccount, id, chime.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	return us
}

// auditOf returns the audit events of key k, newest first.
func auditOf(t *testing.T, srv *testenv.Server, k testenv.Key) []*chime.AuditEvent {
	t.Helper()
	evs, _, err := srv.Service.LookupAuditEvents(context.Background(), chime.Identity{AwsAccountID: awsAccount},
		chime.AuditLookup{AttributeKey: "AccessKeyId", AttributeValue: k.ID})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

var accountLinkRE = regexp.MustCompile(`href="/admin/accounts/([0-9a-f-]{36})"`)

// createAccount creates an account through the Accounts page and returns its id (the page it lands on).
func (b *browser) createAccount(name string) string {
	b.t.Helper()
	b.get("/admin/")
	p := b.submit("/admin/accounts", url.Values{"Name": {name}})
	if p.status != http.StatusOK || !strings.Contains(p.url, "/admin/accounts/") {
		b.t.Fatalf("create account: %d at %s\n%s", p.status, p.url, p.body)
	}
	return p.url[strings.LastIndex(p.url, "/")+1:]
}
