package admin_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The browser tests drive the console in Debian's Chromium (headless) with chromedp: one browser, one tab and
// one server for the whole suite. They are skipped when /usr/bin/chromium is missing, unless CI=true (.ci/run
// installs it), where a missing browser fails.

const chromiumPath = "/usr/bin/chromium"

// chrome is the tab of the suite and the server it talks to.
type chrome struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newChrome starts a headless Chromium with a fresh profile; it stops when t ends.
func newChrome(t *testing.T, base string) *chrome {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: .ci/run installs it (apt-get install -y chromium)", chromiumPath)
		}
		t.Skipf("browser test skipped: %s is missing (install it with: apt-get install -y chromium)", chromiumPath)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	c := &chrome{t: t, ctx: ctx, base: base}
	c.width(1440)
	return c
}

// width sets the viewport's width (CSS pixels; 900 high).
func (c *chrome) width(w int64) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.EmulateViewport(w, 900)); err != nil {
		c.t.Fatalf("viewport %d: %v", w, err)
	}
}

// open loads path and fails t unless it answers want.
func (c *chrome) open(path string, want int64) {
	c.t.Helper()
	resp, err := chromedp.Run(c.ctx, chromedp.NavigateResponse(c.base+path))
	if err != nil {
		c.t.Fatalf("open %s: %v", path, err)
	}
	if resp.Status != want {
		c.t.Fatalf("open %s: status %d, want %d\n%s", path, resp.Status, want, c.text("main"))
	}
}

// xq quotes s as an XPath string literal (s holds no double quote).
func xq(s string) string { return `"` + s + `"` }

// button is the XPath of the button whose text is name.
func button(name string) string { return `//button[normalize-space()=` + xq(name) + `]` }

// control returns the CSS selector (#id) of the input, select or textarea that the label whose text is label
// names; it fails t when there is none.
func (c *chrome) control(label string) string {
	c.t.Helper()
	id := c.eval(`(() => { const l = [...document.querySelectorAll('label')].find(l => l.textContent.trim() === ` +
		strconv.Quote(label) + `); return l && l.htmlFor && document.getElementById(l.htmlFor) ? l.htmlFor : ""; })()`)
	if id == "" {
		c.t.Fatalf("%s: no field labelled %q:\n%s", c.url(), label, c.text("main"))
	}
	return "#" + id
}

// typeInto clears the field labelled label and types value.
func (c *chrome) typeInto(label, value string) {
	c.t.Helper()
	css := c.control(label)
	c.eval(`document.querySelector(` + strconv.Quote(css) + `).value = ""`)
	if err := chromedp.Do(c.ctx, chromedp.SendKeys(chromedp.CSS(css), value)); err != nil {
		c.t.Fatalf("type into %q: %v", label, err)
	}
}

// choose selects the option valued value of the select labelled label.
func (c *chrome) choose(label, value string) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.SetValue(chromedp.CSS(c.control(label)), value)); err != nil {
		c.t.Fatalf("choose %q in %q: %v", value, label, err)
	}
}

// check ticks the checkbox labelled label.
func (c *chrome) check(label string) {
	c.t.Helper()
	if err := chromedp.Do(c.ctx, chromedp.Click(chromedp.CSS(c.control(label)))); err != nil {
		c.t.Fatalf("check %q: %v", label, err)
	}
}

// press clicks the button named name (the first one) and waits for the page it loads; it fails t unless that
// page answers want.
func (c *chrome) press(name string, want int64) {
	c.t.Helper()
	resp, err := chromedp.RunResponse(c.ctx, chromedp.Click(button(name)))
	if err != nil {
		c.t.Fatalf("press %q: %v", name, err)
	}
	if resp.Status != want {
		c.t.Fatalf("press %q: status %d, want %d\n%s", name, resp.Status, want, c.text("main"))
	}
}

// text returns the text of the first element matching the CSS selector css.
func (c *chrome) text(css string) string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`(document.querySelector(`+strconv.Quote(css)+`)||{}).innerText||""`))
	if err != nil {
		c.t.Fatalf("text of %s: %v", css, err)
	}
	return v
}

// eval returns the value of the JavaScript expression js (a string).
func (c *chrome) eval(js string) string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		c.t.Fatalf("eval %s: %v", js, err)
	}
	return v
}

// url returns the tab's URL.
func (c *chrome) url() string {
	c.t.Helper()
	v, err := chromedp.Run(c.ctx, chromedp.Evaluate[string](`location.href`))
	if err != nil {
		c.t.Fatal(err)
	}
	return v
}

// heading returns the page's h1.
func (c *chrome) heading() string { return strings.TrimSpace(c.text("h1")) }

// says fails t unless the page's main text holds every s.
func (c *chrome) says(ss ...string) {
	c.t.Helper()
	body := c.text("main")
	for _, s := range ss {
		if !strings.Contains(body, s) {
			c.t.Errorf("%s does not say %q:\n%s", c.url(), s, body)
		}
	}
}

// sessionCookie returns the console's session cookie in the browser, or nil.
func (c *chrome) sessionCookie() *network.Cookie {
	c.t.Helper()
	res, err := chromedp.Call(c.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{c.base + "/admin/"}})
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ck := range res.Cookies {
		if ck.Name == "chimed_console" {
			return ck
		}
	}
	return nil
}

// a11yScript lists what the page gets wrong: a form control without a label (label[for], a wrapping label,
// aria-label or aria-labelledby), a table without th, and (narrow) the body wider than the viewport, or an
// element sticking out of it that is not inside a scroll container.
const a11yScript = `(() => {
  const out = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const named = (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) || el.closest('label') ||
      el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) out.push('unlabelled ' + el.tagName.toLowerCase() + ' name=' + el.name);
  }
  for (const t of document.querySelectorAll('table')) {
    if (!t.querySelector('th')) out.push('table without th');
  }
  const vw = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > vw) out.push('page ' + document.documentElement.scrollWidth + 'px wide in a ' + vw + 'px viewport');
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1) continue;
    let p = el.parentElement, scrolled = false;
    for (; p && p !== document.body; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden') { scrolled = true; break; }
    }
    if (!scrolled && getComputedStyle(el).position !== 'absolute') out.push('overflow: ' + el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '') + ' ends at ' + Math.round(r.right) + 'px');
  }
  return out.slice(0, 10);
})()`

// accessible fails t with what the page gets wrong (a11yScript).
func (c *chrome) accessible(name string) {
	c.t.Helper()
	raw, err := chromedp.Run(c.ctx, chromedp.Evaluate[[]byte](a11yScript))
	if err != nil {
		c.t.Fatalf("a11y check: %v", err)
	}
	var problems []string
	if err := json.Unmarshal(raw, &problems); err != nil {
		c.t.Fatalf("a11y check: %v: %s", err, raw)
	}
	if len(problems) > 0 {
		c.t.Errorf("%s (%s): %q", name, c.url(), problems)
	}
}

// shot saves a full-page PNG of the page as dir/name.png.
func (c *chrome) shot(dir, name string) {
	c.t.Helper()
	buf, err := chromedp.Run(c.ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		c.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		c.t.Fatal(err)
	}
}
