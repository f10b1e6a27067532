package admin_test

import (
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
