package admin_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chimed/chimed/http/admin"
	"github.com/chimed/chimed/internal/testenv"
)

// fakeClock is a settable wall clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// consoleOn serves a Console of srv's service and credentials with o (Service and Keys filled in) on its own
// listener, and returns a browser of it.
func consoleOn(t *testing.T, srv *testenv.Server, o admin.Options) *browser {
	t.Helper()
	o.Service, o.Keys = srv.Service, admin.CredentialKeys{Credentials: srv.Credentials}
	hs := httptest.NewServer(admin.New(o))
	t.Cleanup(hs.Close)
	b := newBrowser(t, srv)
	b.base, b.origin = hs.URL, hs.URL
	return b
}

// A session ends when its lifetime is over, however active it was.
func TestSessionLifetime(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	clock := &fakeClock{t: time.Now()}
	b := consoleOn(t, srv, admin.Options{SessionTTL: time.Hour, Now: clock.now})
	b.signIn(k)
	clock.add(59 * time.Minute)
	if p := b.get("/admin/"); !strings.Contains(p.body, "<h1>Accounts</h1>") {
		t.Fatalf("after 59 minutes of a 1 h session: %s", p.url)
	}
	clock.add(2 * time.Minute)
	if p := b.get("/admin/"); !strings.HasSuffix(p.url, "/admin/signin") {
		t.Errorf("after 61 minutes of a 1 h session /admin/ lands on %s, want the sign-in form", p.url)
	}
}

// The throttle counts failures per client address too: a guesser trying many key ids is slowed, and the
// buckets refill with time.
func TestSignInThrottlePerAddress(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	clock := &fakeClock{t: time.Now()}
	b := consoleOn(t, srv, admin.Options{Now: clock.now,
		Throttle: admin.Throttle{KeyBurst: 3, KeyEvery: time.Minute, IPBurst: 4, IPEvery: time.Minute}})
	guess := func(id string) int {
		return b.post("/admin/signin", url.Values{"AccessKeyID": {id}, "SecretAccessKey": {"guess"}}).status
	}
	for _, id := range []string{"AKCHGUESS1", "AKCHGUESS2", "AKCHGUESS3", "AKCHGUESS4"} {
		if s := guess(id); s != http.StatusUnauthorized {
			t.Fatalf("guess %s: %d, want 401", id, s)
		}
	}
	if s := guess("AKCHGUESS5"); s != http.StatusTooManyRequests {
		t.Errorf("fifth failure from one address: %d, want 429", s)
	}
	p := b.post("/admin/signin", url.Values{"AccessKeyID": {k.ID}, "SecretAccessKey": {k.Secret}})
	if p.status != http.StatusTooManyRequests {
		t.Errorf("a right key from the throttled address: %d, want 429", p.status)
	}
	clock.add(time.Minute)
	b.signIn(k)
}

// In the emulator mode (--auth any) the console, like the API, takes any key id with any secret; a 12-digit id
// is the AWS account.
func TestEmulatorSignIn(t *testing.T) {
	t.Parallel()
	srv := testenv.NewServer(t, testenv.Config{})
	b := newBrowser(t, srv)
	b.signIn(testenv.Key{ID: awsAccount, Secret: "anything"})
	b.createAccount("Emulated")
	if as := accounts(t, srv); len(as) != 1 || as[0].Name != "Emulated" {
		t.Errorf("accounts of %s: %v", awsAccount, as)
	}
	p := b.post("/admin/signin", url.Values{"AccessKeyID": {"not a key!"}, "SecretAccessKey": {"x"}})
	if p.status != http.StatusUnauthorized {
		t.Errorf("a malformed key id: %d, want 401", p.status)
	}
}

// Sessions are server state shared by every node of one database: a session opened on one node works on
// another, signing out on one ends it on both, and a key revoked through either node ends its sessions on all.
func TestSessionsAcrossNodes(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			dsn := e.DSN(t)
			a, b := newServer(t, dsn), newServer(t, dsn)
			k := a.MustKey(t, awsAccount, false)
			onA := newBrowser(t, a)
			onA.signIn(k)
			onB := newBrowser(t, b)
			ck := onA.cookie()
			u, _ := url.Parse(b.URL + "/admin/")
			onB.c.Jar.SetCookies(u, []*http.Cookie{{Name: ck.Name, Value: ck.Value, Path: "/admin/"}})
			if p := onB.get("/admin/"); !strings.Contains(p.body, "<h1>Accounts</h1>") {
				t.Fatalf("node A's session on node B lands on %s", p.url)
			}
			onA.submit("/admin/signout", nil)
			if p := onB.get("/admin/"); !strings.HasSuffix(p.url, "/admin/signin") {
				t.Errorf("after signing out on node A, node B still opens %s", p.url)
			}

			onA.signIn(k)
			if err := b.Credentials.Revoke(context.Background(), k.ID); err != nil {
				t.Fatal(err)
			}
			if p := onA.get("/admin/"); !strings.HasSuffix(p.url, "/admin/signin") {
				t.Errorf("after revoking the key through node B, node A still opens %s", p.url)
			}
		})
	}
}

// Signing in again in the same browser replaces its session: the previous cookie no longer opens anything.
func TestSignInAgainReplacesSession(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "")
	k := srv.MustKey(t, awsAccount, false)
	b := newBrowser(t, srv)
	b.signIn(k)
	first := b.cookie()
	b.signIn(k)
	if second := b.cookie(); second == nil || second.Value == first.Value {
		t.Fatal("signing in again kept the cookie")
	}
	other := newBrowser(t, srv)
	u, _ := url.Parse(srv.URL + "/admin/")
	other.c.Jar.SetCookies(u, []*http.Cookie{{Name: first.Name, Value: first.Value, Path: "/admin/"}})
	if p := other.get("/admin/"); !strings.HasSuffix(p.url, "/admin/signin") {
		t.Errorf("the replaced session still opens %s", p.url)
	}
}
