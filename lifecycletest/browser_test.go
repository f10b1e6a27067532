package lifecycletest_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// newChromium starts a headless Debian Chromium with a fresh profile; it stops when t ends.
func newChromium(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test skipped: %s is missing (install it with: apt-get install -y chromium)", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelCtx := chromedp.NewContext(alloc)
	bctx, cancelTimeout := context.WithTimeout(bctx, 45*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	return bctx
}

// TestAcceptInChromium drives the acceptance page in a real browser: open the emailed link, type a name,
// submit, land on the success page with an HttpOnly session cookie, and no Content-Security-Policy violation;
// then GetUser shows the user registered.
func TestAcceptInChromium(t *testing.T) {
	t.Parallel()
	bctx := newChromium(t)
	e := newEnv(t, config{})
	acct, c := e.teamAccount(t, "Chromium Team")
	invite(t, c, acct, "grace@example.org")
	msg := e.SMTP.Wait(t, 1, 5*time.Second)[0]
	links := msg.TextLinks()
	if len(links) != 1 {
		t.Fatalf("links %q", links)
	}

	var mu sync.Mutex
	var problems []string
	err := chromedp.Listen(bctx, func(ev any) { // runs in the tab's loop: only record
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError || strings.Contains(ev.Entry.Text, "Content Security Policy") {
				problems = append(problems, ev.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, ev.ExceptionDetails.Text)
		}
	})
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	if _, err := chromedp.Call(bctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("browser: Log.enable: %v", err)
	}
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(links[0]))
	if err != nil || resp.Status != 200 {
		t.Fatalf("open the invitation: %v, %+v", err, resp)
	}
	field := chromedp.CSS(`form input[name="DisplayName"]`)
	if err := chromedp.Do(bctx, chromedp.WaitVisible(field), chromedp.SendKeys(field, "Grace Hopper")); err != nil {
		t.Fatalf("fill the form: %v", err)
	}
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`form button[type="submit"]`)))
	if err != nil || resp.Status != 200 {
		t.Fatalf("submit: %v, %+v", err, resp)
	}
	text := func(id string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("read #%s: %v", id, err)
		}
		return strings.TrimSpace(v)
	}
	heading, token, pin := text("welcome"), text("session-token"), text("pin")
	if !strings.Contains(heading, "Chromium Team") || len(token) != 43 || len(pin) != 10 {
		t.Errorf("success page: heading %q token %q pin %q", heading, token, pin)
	}
	jar, err := chromedp.Call(bctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatalf("cookies: %v", err)
	}
	cookies := jar.Cookies
	mu.Lock()
	if len(problems) > 0 {
		t.Errorf("browser reported problems: %q", problems)
	}
	mu.Unlock()
	var session *network.Cookie
	for _, ck := range cookies {
		if ck.Name == "chimed_session" {
			session = ck
		}
	}
	if session == nil || !session.HTTPOnly || session.SameSite != network.CookieSameSiteStrict ||
		session.Value != token {
		t.Errorf("session cookie %+v", session)
	}
	u := userByEmail(t, c, acct, "grace@example.org")
	u = getUser(t, c, acct, *u.UserId)
	if u.UserRegistrationStatus != types.RegistrationStatusRegistered || u.UserInvitationStatus != types.InviteStatusAccepted ||
		aws.ToString(u.DisplayName) != "Grace Hopper" || u.RegisteredOn == nil {
		t.Errorf("GetUser after acceptance: %+v", u)
	}
	e.wantSession(t, token, *u.UserId, true)
}
