package admin_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Sign-in with a wrong secret is refused and sets no cookie; the right one starts a session whose cookie is
// HttpOnly, SameSite=Strict, Path=/admin/, bounded, and whose pages carry the security headers.
func TestSignIn(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)

	p := b.get("/admin/")
	if !strings.HasSuffix(p.url, "/admin/signin") {
		t.Fatalf("signed out, /admin/ lands on %s, want the sign-in form", p.url)
	}
	mustContain(t, p.body, `<label for="AccessKeyID">Access key ID</label>`,
		`<label for="SecretAccessKey">Secret access key</label>`, `<button type="submit">Sign in</button>`)

	p = b.post("/admin/signin", url.Values{"AccessKeyID": {k.ID}, "SecretAccessKey": {k.Secret + "x"}})
	if p.status != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d, want 401", p.status)
	}
	mustContain(t, p.body, "wrong")
	if b.cookie() != nil {
		t.Error("a wrong secret set a session cookie")
	}
	p = b.post("/admin/signin", url.Values{"AccessKeyID": {"AKCHNOSUCHKEY0000000"}, "SecretAccessKey": {k.Secret}})
	if p.status != http.StatusUnauthorized {
		t.Errorf("unknown key: %d, want 401", p.status)
	}

	// The cookie's attributes, from the Set-Cookie header itself (the jar hides them).
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/signin",
		strings.NewReader(url.Values{"AccessKeyID": {k.ID}, "SecretAccessKey": {k.Secret}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", srv.URL)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/" {
		t.Errorf("sign-in answered %d → %q, want 303 → /admin/", resp.StatusCode, resp.Header.Get("Location"))
	}
	cks := resp.Cookies()
	if len(cks) != 1 {
		t.Fatalf("cookies %v, want one", cks)
	}
	ck := cks[0]
	if ck.Name != "chimed_console" || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/admin/" ||
		ck.Secure || ck.MaxAge <= 0 || ck.MaxAge > 12*3600 || len(ck.Value) != 43 {
		t.Errorf("session cookie %+v: want chimed_console, HttpOnly, SameSite=Strict, Path=/admin/, not Secure "+
			"over http, 0 < Max-Age ≤ 12 h", ck)
	}
	if strings.Contains(resp.Header.Get("Set-Cookie"), k.Secret) {
		t.Error("the cookie holds the secret")
	}

	p = b.signIn(k)
	mustContain(t, p.body, `<label for="new-account-name">Account name</label>`, "Create account", "Sign out", k.ID)
	h := p.header
	if got := h.Get("Content-Security-Policy"); got != "default-src 'none'; style-src 'self'; img-src 'self'; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'" {
		t.Errorf("CSP %q", got)
	}
	for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
		"Cache-Control": "no-store", "Content-Type": "text/html; charset=utf-8"} {
		if got := h.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	// The stylesheet the CSP allows is served from the console itself.
	css := b.get("/admin/static/console.css")
	if css.status != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet: %d %s", css.status, css.header.Get("Content-Type"))
	}
	if p := b.get("/admin/static/"); p.status != http.StatusNotFound {
		t.Errorf("the static directory: %d, want 404 (no listing)", p.status)
	}
	// An unknown console page is a 404 page, not the API's JSON.
	if p := b.get("/admin/nothing-here"); p.status != http.StatusNotFound || !strings.Contains(p.body, "Page not found") {
		t.Errorf("unknown page: %d %s", p.status, p.body)
	}
}

// A few mistakes are allowed; then the key id is throttled (429 with Retry-After, even with the right secret),
// while another key from the same address still signs in.
func TestSignInThrottle(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	other := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	for i := range 5 {
		p := b.post("/admin/signin", url.Values{"AccessKeyID": {k.ID}, "SecretAccessKey": {"wrong secret"}})
		if p.status != http.StatusUnauthorized {
			t.Fatalf("mistake %d: %d, want 401 (a person mistyping is not locked out)", i+1, p.status)
		}
	}
	p := b.post("/admin/signin", url.Values{"AccessKeyID": {k.ID}, "SecretAccessKey": {k.Secret}})
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures, the right secret: %d (Retry-After %q), want 429", p.status, p.header.Get("Retry-After"))
	}
	mustContain(t, p.body, "Too many failed sign-in attempts")
	if b.cookie() != nil {
		t.Error("a throttled sign-in set a cookie")
	}
	newBrowser(t, srv).signIn(other)
}

// Signing out ends the session on the server: the old cookie, replayed, opens nothing and changes nothing.
func TestSignOutEndsSession(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	old := b.cookie()
	csrf := b.csrf()
	p := b.submit("/admin/signout", nil)
	if !strings.Contains(p.url, "/admin/signin") || !strings.Contains(p.body, "You are signed out") {
		t.Fatalf("sign out: %d at %s", p.status, p.url)
	}
	if b.cookie() != nil {
		t.Error("the cookie survived sign-out")
	}
	// A copy of the old cookie, in another browser.
	thief := newBrowser(t, srv)
	u, _ := url.Parse(srv.URL + "/admin/")
	thief.c.Jar.SetCookies(u, []*http.Cookie{{Name: old.Name, Value: old.Value, Path: "/admin/"}})
	if p := thief.get("/admin/"); !strings.HasSuffix(p.url, "/admin/signin") {
		t.Errorf("the old cookie still opens %s", p.url)
	}
	thief.c.Jar.SetCookies(u, []*http.Cookie{{Name: old.Name, Value: old.Value, Path: "/admin/"}})
	p = thief.post("/admin/accounts", url.Values{"Name": {"after sign-out"}, "csrf": {csrf}})
	if p.status != http.StatusForbidden {
		t.Errorf("a post with the old cookie: %d, want 403", p.status)
	}
	if n := len(accounts(t, srv)); n != 0 {
		t.Errorf("%d accounts after a post with the old cookie, want 0", n)
	}
}

// Revoking the key ends its console sessions at once.
func TestRevokedKeyEndsSession(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	csrf := b.csrf()
	if err := srv.Credentials.Revoke(context.Background(), k.ID); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/admin/"); !strings.HasSuffix(p.url, "/admin/signin") {
		t.Errorf("after revocation /admin/ lands on %s, want the sign-in form", p.url)
	}
	p := b.post("/admin/accounts", url.Values{"Name": {"after revocation"}, "csrf": {csrf}})
	if p.status != http.StatusForbidden {
		t.Errorf("a post after revocation: %d, want 403", p.status)
	}
	if n := len(accounts(t, srv)); n != 0 {
		t.Errorf("%d accounts after revocation, want 0", n)
	}
	p = b.post("/admin/signin", url.Values{"AccessKeyID": {k.ID}, "SecretAccessKey": {k.Secret}})
	if p.status != http.StatusUnauthorized {
		t.Errorf("a revoked key signs in: %d, want 401", p.status)
	}
}
