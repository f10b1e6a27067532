package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// Cross-site requests change nothing: a post without the CSRF token, with another session's or a wrong one,
// from a foreign Origin, or (without Origin) from a foreign Referer is answered 403; the same post from the
// console itself succeeds.
func TestForgedPostsChangeNothing(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	good := b.csrf()
	other := newBrowser(t, srv)
	other.signIn(k)
	otherToken := other.csrf()

	cases := []struct {
		name    string
		form    url.Values
		origin  string
		referer string
	}{
		{"no CSRF token", url.Values{}, srv.URL, ""},
		{"a wrong CSRF token", url.Values{"csrf": {"x" + good[1:]}}, srv.URL, ""},
		{"another session's token", url.Values{"csrf": {otherToken}}, srv.URL, ""},
		{"a foreign Origin", url.Values{"csrf": {good}}, "https://evil.example", ""},
		{"Origin null", url.Values{"csrf": {good}}, "null", ""},
		{"a foreign Referer", url.Values{"csrf": {good}}, "", "https://evil.example/page"},
	}
	for _, c := range cases {
		c.form.Set("Name", "forged "+c.name)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/accounts", strings.NewReader(c.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
		}
		if c.referer != "" {
			req.Header.Set("Referer", c.referer)
		}
		p := b.do(req)
		if p.status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", c.name, p.status)
		}
		mustContain(t, p.body, "Nothing was changed")
	}
	// Sign-out is protected too: a forged one leaves the session alive.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/signout", strings.NewReader("csrf="+good))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if p := b.do(req); p.status != http.StatusForbidden {
		t.Errorf("forged sign-out: %d, want 403", p.status)
	}
	if n := len(accounts(t, srv)); n != 0 {
		t.Fatalf("%d accounts after forged posts, want 0", n)
	}
	// The genuine form, with the same-origin Referer only (some browsers send no Origin), works.
	b.origin = ""
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/admin/accounts",
		strings.NewReader(url.Values{"Name": {"genuine"}, "csrf": {good}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", srv.URL+"/admin/")
	if p := b.do(req); p.status != http.StatusOK || !strings.Contains(p.body, "genuine") {
		t.Errorf("genuine post: %d at %s", p.status, p.url)
	}
	if as := accounts(t, srv); len(as) != 1 || as[0].Name != "genuine" {
		t.Errorf("accounts %v, want the genuine one", as)
	}
}

// Under an https public URL the session cookie is Secure and __Host- prefixed, with Path=/.
func TestSecureCookie(t *testing.T) {
	t.Parallel()
	srv := testenv.NewServer(t, testenv.Config{SigV4: &sigv4.Options{},
		Service: chime.ServiceOptions{PublicURL: "https://chime.example.org"}})
	k := srv.MustKey(t, awsAccount, false)
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/admin/signin",
		strings.NewReader(url.Values{"AccessKeyID": {k.ID}, "SecretAccessKey": {k.Secret}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://chime.example.org")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cks := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || len(cks) != 1 {
		t.Fatalf("sign-in: %d, cookies %v", resp.StatusCode, cks)
	}
	if ck := cks[0]; ck.Name != "__Host-chimed_console" || !ck.Secure || ck.Path != "/" || !ck.HttpOnly ||
		ck.SameSite != http.SameSiteStrictMode {
		t.Errorf("cookie %+v, want __Host-chimed_console, Secure, Path=/, HttpOnly, SameSite=Strict", ck)
	}
}

// A read-only key gets a read-only console: a visible notice, no form but "Sign out", and a form posted by
// hand (with a valid token) is refused 403, changes nothing, and is recorded as a refused change.
func TestReadOnlyConsole(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	rw := srv.MustKey(t, awsAccount, false)
	ro := srv.MustKey(t, awsAccount, true)
	admin := newBrowser(t, srv)
	admin.signIn(rw)
	id := admin.createAccount("Shared")
	admin.submit("/admin/accounts/"+id+"/invite", url.Values{"Emails": {"a@example.com"}})
	uid := users(t, srv, id)[0].ID

	b := newBrowser(t, srv)
	p := b.signIn(ro)
	for _, path := range []string{"/admin/", "/admin/accounts/" + id, "/admin/accounts/" + id + "/users/" + uid} {
		p = b.get(path)
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", path, p.status)
		}
		mustContain(t, p.body, "read-only", "Sign out")
		if n := strings.Count(p.body, `method="post"`); n != 1 {
			t.Errorf("%s shows %d forms that post, want only Sign out:\n%s", path, n, p.body)
		}
		for _, s := range []string{"Create account", "Invite users", "Delete account", "Suspend selected", "Reset personal PIN"} {
			if strings.Contains(p.body, s) {
				t.Errorf("%s offers %q to a read-only key", path, s)
			}
		}
	}
	for _, post := range []struct{ path, op string }{
		{"/admin/accounts", "CreateAccount"},
		{"/admin/accounts/" + id + "/delete", "DeleteAccount"},
		{"/admin/accounts/" + id + "/suspend", "BatchSuspendUser"},
		{"/admin/accounts/" + id + "/users/" + uid + "/pin", "ResetPersonalPIN"},
	} {
		p := b.submit(post.path, url.Values{"Name": {"by hand"}, "user": {uid}})
		if p.status != http.StatusForbidden {
			t.Errorf("read-only POST %s: %d, want 403", post.path, p.status)
		}
		mustContain(t, p.body, "read-only")
	}
	if as := accounts(t, srv); len(as) != 1 || as[0].Name != "Shared" {
		t.Errorf("accounts %v after read-only posts, want Shared alone", as)
	}
	if us := users(t, srv, id); len(us) != 1 {
		t.Errorf("%d users after read-only posts, want 1", len(us))
	}
	evs := auditOf(t, srv, ro)
	if len(evs) != 4 {
		t.Fatalf("%d audit records of the read-only key, want its 4 refused posts", len(evs))
	}
	for _, e := range evs {
		if e.Status != http.StatusForbidden || e.ErrorCode != "ForbiddenException" || e.UserAgent != userAgent {
			t.Errorf("record %s: status %d %s, agent %q", e.Operation, e.Status, e.ErrorCode, e.UserAgent)
		}
	}
	// Sign-out is the read-only key's one form, and it works.
	if p := b.submit("/admin/signout", nil); !strings.Contains(p.url, "/admin/signin") {
		t.Errorf("read-only sign-out lands on %s", p.url)
	}
}
