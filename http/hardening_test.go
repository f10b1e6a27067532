package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// logBuffer collects a server's log lines; it is safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// linkEnv is a server whose logs are captured, with one live invitation link (for ana@example.com) and one
// live sign-in link (for bob@example.com, registered) of tenant A.
type linkEnv struct {
	*testenv.Server
	logs          *logBuffer
	invite, login string // the tokens of the two links
}

func newLinkEnv(t *testing.T) *linkEnv {
	t.Helper()
	logs := &logBuffer{}
	s := testenv.NewServer(t, testenv.Config{
		Logger:     slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		ServiceFor: func(u string) chimed.ServiceOptions { return chimed.ServiceOptions{PublicURL: u} },
	})
	e := &linkEnv{Server: s, logs: logs}
	c := s.Client(tenantA)
	a := MustCreateAccount(t, c, "links")
	MustInvite(t, c, *a.AccountId, "ana@example.com")
	bob := MustTeamUser(t, c, *a.AccountId, "bob@example.com")
	ts := &testServer{URL: s.URL, store: s.Store}
	MustRegister(t, ts, tenantA, *a.AccountId, bob)

	// Bob asks for a sign-in link through the form, as a browser would.
	form := send(t, mustRequest(t, "GET", s.URL+"/signin", nil))
	var csrf string
	for _, ck := range (&http.Response{Header: form.Header}).Cookies() {
		if ck.Name == "chimed_csrf" {
			csrf = ck.Value
		}
	}
	if form.Status != 200 || csrf == "" {
		t.Fatalf("GET /signin: %d, csrf cookie %q", form.Status, csrf)
	}
	req := mustRequest(t, "POST", s.URL+"/signin",
		strings.NewReader(url.Values{"Email": {"bob@example.com"}, "csrf": {csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "chimed_csrf", Value: csrf})
	if r := send(t, req); r.Status != 200 {
		t.Fatalf("POST /signin: %d %s", r.Status, r.Body)
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Service.Drain(dctx); err != nil { // the sign-in link is made after the answer
		t.Fatalf("drain: %v", err)
	}

	box := ts.raw(t, tenantA, "GET", "/_chimed/outbox", nil)
	var out struct{ Messages []struct{ To, Link string } }
	if err := json.Unmarshal(box.Body, &out); box.Status != 200 || err != nil {
		t.Fatalf("outbox: %d %s %v", box.Status, box.Body, err)
	}
	for _, m := range out.Messages {
		if tok, ok := strings.CutPrefix(m.Link, s.URL+"/invite/"); ok && m.To == "ana@example.com" {
			e.invite = tok
		}
		if tok, ok := strings.CutPrefix(m.Link, s.URL+"/signin/"); ok && m.To == "bob@example.com" {
			e.login = tok
		}
	}
	if len(e.invite) != 43 || len(e.login) != 43 {
		t.Fatalf("links not found in the outbox %+v", out.Messages)
	}
	return e
}

func mustRequest(tb testing.TB, method, u string, body io.Reader) *http.Request {
	tb.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		tb.Fatalf("new request %s %s: %v", method, u, err)
	}
	return req
}

// TestPageTokensNeverLogged: whatever the method and the shape of the path, a request to an invitation or
// sign-in link never writes its token to the logs (docs/behavior.md §9.3). Before the fix only matched page
// routes were redacted: HEAD, PUT, OPTIONS, trailing slashes and doubled slashes logged the raw token.
func TestPageTokensNeverLogged(t *testing.T) {
	t.Parallel()
	e := newLinkEnv(t)
	before := strings.Count(e.logs.String(), `"msg":"request"`)
	methods := []string{"HEAD", "PUT", "OPTIONS", "POST", "DELETE", "PATCH", "PROPFIND", "GET"}
	sent := 0
	for _, link := range []struct{ prefix, token string }{{"invite", e.invite}, {"signin", e.login}} {
		p, tok := link.prefix, link.token
		shapes := []string{
			"/" + p + "/" + tok,
			"/" + p + "/" + tok + "/",
			"//" + p + "/" + tok,
			"/" + p + "//" + tok,
			"///" + p + "///" + tok + "//",
			"/" + p + "/" + tok + "/more",
			"/" + p + "/" + tok + "%2F",
			"/" + p + "%2F" + tok,
			"/%" + strings.ToUpper(hexByte(p[0])) + p[1:] + "/" + tok, // the first letter percent-encoded
			"/" + strings.ToUpper(p) + "/" + tok,
			"/" + p + "/" + tok + ";x=1",
			"/" + p + "/" + tok + "?x=1",
			"/console/" + p + "/" + tok,
		}
		for _, m := range methods {
			for _, path := range shapes {
				r := send(t, mustRequest(t, m, e.URL+path, nil))
				if r.Status == 0 {
					t.Errorf("%s %s: no answer", m, path)
				}
				sent++
			}
		}
	}
	logs := e.logs.String()
	for _, tok := range []string{e.invite, e.login} {
		if i := strings.Index(logs, tok); i >= 0 {
			line := logs[strings.LastIndexByte(logs[:i], '\n')+1:]
			if j := strings.IndexByte(line, '\n'); j >= 0 {
				line = line[:j]
			}
			t.Errorf("a token reached the logs: %s", line)
		}
	}
	if got := strings.Count(logs, `"msg":"request"`) - before; got != sent {
		t.Errorf("%d access-log lines for %d requests", got, sent)
	}
	if !strings.Contains(logs, `"path":"/invite/{token}"`) || !strings.Contains(logs, `"path":"/signin/{token}"`) {
		t.Errorf("no redacted path in the access log")
	}
}

func hexByte(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

// pageHeaders are the headers every page carries, compared between GET and HEAD.
var pageHeaders = []string{"Content-Type", "Cache-Control", "Referrer-Policy", "X-Content-Type-Options",
	"X-Frame-Options", "Cross-Origin-Opener-Policy", "x-amzn-ErrorType"}

// sameAsGet asserts that a HEAD answer has the GET answer's status and page headers, and no body.
func sameAsGet(t *testing.T, what string, head, get rawResponse) {
	t.Helper()
	if head.Status != get.Status {
		t.Errorf("%s: HEAD %d, GET %d", what, head.Status, get.Status)
	}
	for _, h := range pageHeaders {
		if head.Header.Get(h) != get.Header.Get(h) {
			t.Errorf("%s: %s is %q on HEAD, %q on GET", what, h, head.Header.Get(h), get.Header.Get(h))
		}
	}
	if !strings.HasPrefix(head.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("%s: HEAD without the page's CSP: %v", what, head.Header)
	}
	if len(head.Body) != 0 {
		t.Errorf("%s: HEAD answered a body", what)
	}
}

func sessionCookie(r rawResponse) string {
	for _, ck := range (&http.Response{Header: r.Header}).Cookies() {
		if ck.Name == "chimed_session" {
			return ck.Value
		}
	}
	return ""
}

// TestHeadPages: HEAD of a page answers as GET does (status and headers, no body) and never uses a link: a HEAD
// of a sign-in link starts no session, and the link still works afterwards (before the fix HEAD was 404).
func TestHeadPages(t *testing.T) {
	t.Parallel()
	e := newLinkEnv(t)
	get := func(path string) rawResponse { return send(t, mustRequest(t, "GET", e.URL+path, nil)) }
	head := func(path string) rawResponse { return send(t, mustRequest(t, "HEAD", e.URL+path, nil)) }

	// The invitation page (GET does not use the link either); same length as well.
	h, g := head("/invite/"+e.invite), get("/invite/"+e.invite)
	sameAsGet(t, "invitation", h, g)
	if h.Status != 200 || h.Header.Get("Content-Length") != g.Header.Get("Content-Length") {
		t.Errorf("invitation: HEAD %d Content-Length %q, GET %d length %q", h.Status,
			h.Header.Get("Content-Length"), g.Status, g.Header.Get("Content-Length"))
	}
	sameAsGet(t, "sign-in form", head("/signin"), get("/signin"))
	sameAsGet(t, "unknown invitation", head("/invite/"+strings.Repeat("A", 43)), get("/invite/"+strings.Repeat("A", 43)))
	sameAsGet(t, "malformed sign-in link", head("/signin/x"), get("/signin/x"))

	// A live sign-in link: HEAD answers 200 without a session, twice, and the link is still unused.
	for i := 0; i < 2; i++ {
		h := head("/signin/" + e.login)
		if h.Status != 200 || sessionCookie(h) != "" || len(h.Body) != 0 ||
			!strings.HasPrefix(h.Header.Get("Content-Type"), "text/html") || h.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("HEAD of a live sign-in link: %d %v", h.Status, h.Header)
		}
	}
	g = get("/signin/" + e.login)
	if g.Status != 200 || sessionCookie(g) == "" {
		t.Fatalf("GET of the sign-in link after HEAD: %d %.200s", g.Status, g.Body)
	}
	// Now used: HEAD says what GET says.
	sameAsGet(t, "used sign-in link", head("/signin/"+e.login), get("/signin/"+e.login))
	if h := head("/signin/" + e.login); h.Status != 410 {
		t.Errorf("HEAD of a used sign-in link: %d", h.Status)
	}
	// HEAD is only for pages: the API has none.
	if h := head("/accounts"); h.Status != 404 {
		t.Errorf("HEAD /accounts: %d", h.Status)
	}
}

// TestDuplicateSelector: the signature covers the whole query, sorted, while routing reads one value of the
// selector; a request carrying `operation` (or `type`) more than once is refused with 400 before routing, and
// no operation runs (docs/behavior.md §2.5). Before the fix the first value was routed and its operation ran.
func TestDuplicateSelector(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "dup")
	uid := MustTeamUser(t, c, *a.AccountId, "dup@example.com")
	reset, err := c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: a.AccountId, UserId: aws.String(uid)})
	if err != nil {
		t.Fatal(err)
	}
	pin := aws.ToString(reset.User.PersonalPIN)
	userPath := "/accounts/" + *a.AccountId + "/users/" + uid
	for _, path := range []string{
		userPath + "?operation=reset-personal-pin&operation=logout",
		userPath + "?operation=logout&operation=reset-personal-pin",
		userPath + "?operation=reset-personal-pin&operation=reset-personal-pin",
		userPath + "?operation=reset-personal-pin&x=1&operation=",
		"/accounts/" + *a.AccountId + "/users?operation=create&operation=add",
	} {
		r := s.raw(t, tenantA, "POST", path, []byte(`{"UserEmailList":["new@example.com"]}`))
		wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
		if !strings.Contains(string(r.Body), "operation") || !strings.Contains(string(r.Body), "more than once") {
			t.Errorf("POST %s: message %s", path, r.Body)
		}
	}
	r := s.raw(t, tenantA, "GET", "/search?type=phone-numbers&type=phone-numbers", nil)
	wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	if !strings.Contains(string(r.Body), "type") || !strings.Contains(string(r.Body), "more than once") {
		t.Errorf("GET /search: message %s", r.Body)
	}
	// Refused before routing, so before authentication too.
	unsigned := send(t, mustRequest(t, "POST", s.URL+userPath+"?operation=logout&operation=logout", nil))
	wantRawErr(t, unsigned, 400, "BadRequestException", "BadRequest")

	if u := MustGetUser(t, c, *a.AccountId, uid); aws.ToString(u.PersonalPIN) != pin {
		t.Errorf("the PIN changed: %s → %s", pin, aws.ToString(u.PersonalPIN))
	}
	if users := MustListUsers(t, c, chime.ListUsersInput{AccountId: a.AccountId}); len(users) != 1 {
		t.Errorf("%d users, want 1: an operation ran", len(users))
	}
	// One value is routed as before.
	if r := s.raw(t, tenantA, "POST", userPath+"?operation=reset-personal-pin", nil); r.Status != 200 {
		t.Errorf("single selector: %d %s", r.Status, r.Body)
	}
}
