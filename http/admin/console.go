// Package admin is chimed's admin console at /admin/: server-rendered pages (html/template, plain forms, no
// script) where a person signed in with an access key's id and secret administers what the API administers.
// Every action calls the same chime.Service method the API handler calls, in a context carrying an audit entry,
// so it is recorded in the audit trail like an API call of the signed-in key.
//
// Security: sessions are server state (table console_sessions: only the SHA-256 of the cookie's token), bounded
// in time and checked against the key on every request (revoking the key ends them); the cookie is HttpOnly,
// SameSite=Strict, Path=/admin/ (under https Secure, named __Host-…, Path=/); every POST must come from this
// server's origin (Origin, or Referer when absent) and carry the session's CSRF token; a read-only key sees no
// forms but "Sign out" and its POSTs are refused with 403; failed sign-ins are throttled per key id and per
// client IP; every answer carries a strict Content-Security-Policy.
//
// # How to add a page
//
//  1. Write pages_NAME.go with a function `func (c *Console) NAMEPages(rt *router)` that registers the page's
//     routes: rt.page("GET /admin/NAME", handler) for a page (signed-in GETs), rt.post("POST /admin/NAME/x",
//     "OperationName", handler) for an action (the operation name is the model's, e.g. "CreateRoom": it is
//     the audit record's event name). Add `c.NAMEPages` to the list in (*Console).routes below (one line).
//  2. A page handler reads q.r (path values: q.r.PathValue("account")), calls the service with q.key().AwsAccountID
//     and renders: q.render(http.StatusOK, "NAME", "Title", "Nav item", data). The template is
//     templates/NAME.html and defines {{define "content"}}…{{end}}; the layout gives it .Data (your data),
//     .ReadOnly (hide every form when true), .CSRF (put {{template "csrf" $}} in every form), .Notice/.Error
//     (the flash of the last action). Helpers: pageLinks + {{template "paging" .Paging}} for keyset paging
//     (the service's NextToken in the query parameter "token"), fmtTime, q.fail(err) for a service error (its
//     status and plain message; 500s logged, not shown), q.errorPage, plain(err).
//  3. An action handler reads q.form (already checked: origin, CSRF, session, not read-only) and runs the
//     change with q.act(params, resources, func(ctx) error { … service call with ctx … }); then q.done(path,
//     notice) on success (a 303 to path with a flash) or q.failed(path, err) (the error as a flash).
//     Never call the service with q.r.Context() for a change: only act's ctx records it.
//
// Nav links to pages that do not exist yet answer 404.
package admin

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	chime "github.com/chimed/chimed"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Defaults of Options.
const (
	DefaultSessionTTL = 12 * time.Hour
	DefaultRegion     = "us-east-1"
	maxFormBytes      = 64 << 10
)

// Options configure a Console.
type Options struct {
	Service *chime.Service
	Keys    Keys         // checks sign-in secrets and the keys of sessions (CredentialKeys or EmulatorKeys)
	Logger  *slog.Logger // default slog.Default()
	// SessionTTL bounds a session's life; 0 means DefaultSessionTTL.
	SessionTTL time.Duration
	// Region is the audit records' region (the console signs nothing); "" means DefaultRegion.
	Region string
	// Throttle tunes the sign-in throttle; the zero value is DefaultThrottle.
	Throttle Throttle
	// Now is the wall clock of sessions; nil means time.Now.
	Now func() time.Time
}

// Console is the admin console's http.Handler, for paths under /admin/ (Owns).
type Console struct {
	svc        *chime.Service
	keys       Keys
	logger     *slog.Logger
	ttl        time.Duration
	region     string
	now        func() time.Time
	throttle   *signInThrottle
	pages      map[string]*template.Template
	mux        *http.ServeMux
	staticHTTP http.Handler
}

// Owns reports whether path belongs to the console: /admin and everything under /admin/.
func Owns(path string) bool {
	return path == "/admin" || strings.HasPrefix(path, "/admin/")
}

// New returns the console. It panics when a template does not parse (they are embedded: a build defect).
func New(o Options) *Console {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &Console{svc: o.Service, keys: o.Keys, logger: o.Logger, ttl: o.SessionTTL, region: o.Region, now: o.Now,
		throttle: newSignInThrottle(o.Throttle, o.Now), pages: parseTemplates(), mux: http.NewServeMux()}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	c.staticHTTP = http.StripPrefix("/admin/static/", http.FileServerFS(sub))
	c.routes()
	return c
}

// routes registers every page: the console's own, then each page set.
func (c *Console) routes() {
	rt := &router{c: c}
	c.mux.HandleFunc("GET /admin/static/", c.static)
	c.mux.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
	})
	c.mux.HandleFunc("GET /admin/signin", c.signInPage)
	c.mux.HandleFunc("POST /admin/signin", c.signIn)
	c.mux.HandleFunc("POST /admin/signout", c.signOut)
	c.mux.HandleFunc("/admin/", c.notFound)
	for _, pages := range []func(*router){
		c.accountsPages,  // pages_accounts.go: Accounts, and actions on a whole account
		c.accountPages,   // pages_account.go: Account (users, invitations, settings)
		c.userPages,      // pages_user.go: User
		c.numbersPages,   // pages_numbers*.go: Phone numbers (inventory, deletion queue, settings, search, orders)
		c.roomsPages,     // pages_rooms.go: Rooms and members
		c.botsPages,      // pages_bots.go: Bots, events configuration, recent deliveries
		c.outboxPages,    // pages_outbox.go: Outbox (invitation mail)
		c.botEventsPages, // pages_botevents.go: Bot events
		c.auditPages,     // pages_audit.go: Audit trail
	} {
		pages(rt)
	}
}

// ServeHTTP implements http.Handler: the security headers of every answer, then the route.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "+
		"frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	}
	c.mux.ServeHTTP(w, r)
}

// static serves the embedded stylesheet and images (cacheable for an hour; they change with the binary); a
// directory is not listed.
func (c *Console) static(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/") {
		c.notFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	c.staticHTTP.ServeHTTP(w, r)
}

// router registers the routes of a page set (see "How to add a page").
type router struct{ c *Console }

// page registers a signed-in page (GET): without a valid session the browser is sent to the sign-in form.
func (rt *router) page(pattern string, h func(q *request)) {
	c := rt.c
	c.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		q := c.newRequest(w, r)
		if q.sess = c.session(r); q.sess == nil {
			c.clearCookie(w, r)
			http.Redirect(w, r, "/admin/signin", http.StatusSeeOther)
			return
		}
		if q.syncClock() {
			h(q)
		}
	})
}

// post registers an action (POST) of the operation op: it is refused with 403, changing nothing, when it does
// not come from this server's origin, has no valid session or CSRF token, or the key is read-only (that
// refusal is recorded in the audit trail, as the API records a read-only key's refused change).
func (rt *router) post(pattern, op string, h func(q *request)) {
	c := rt.c
	c.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		q := c.newRequest(w, r)
		q.op = op
		if !c.sameOrigin(r) {
			q.forbidden("This form did not come from this console (its origin is another site). Nothing was changed.")
			return
		}
		if q.sess = c.session(r); q.sess == nil {
			c.clearCookie(w, r)
			q.forbidden("Your session has ended: sign in again. Nothing was changed.")
			return
		}
		if !q.parseForm() {
			return
		}
		if !q.sess.checkCSRF(q.form.Get(csrfField)) {
			q.forbidden("This form could not be verified (its security token is missing or stale): reload the page and try again. Nothing was changed.")
			return
		}
		if q.sess.key.ReadOnly {
			q.refuseReadOnly()
			return
		}
		if q.syncClock() {
			h(q)
		}
	})
}

// syncClock refreshes the server clock's offset when the cached one is stale (as the API does before every
// operation, clock.go); it answers the error page and reports false when the store fails.
func (q *request) syncClock() bool {
	if err := q.c.svc.SyncClock(q.r.Context()); err != nil {
		q.fail(err)
		return false
	}
	return true
}

// notFound answers an unknown console path: a 404 page.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request) {
	q := c.newRequest(w, r)
	q.sess = c.session(r)
	q.errorPage(http.StatusNotFound, "Page not found", "There is no console page at this address.")
}
