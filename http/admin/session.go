package admin

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	chime "github.com/chimed/chimed"
)

// Cookie and field names.
const (
	sessionCookie = "chimed_console"
	csrfField     = "csrf"
	tokenLen      = 43 // base64url of 32 random bytes
)

// session is a signed-in console session of the request.
type session struct {
	hash    []byte
	key     Key // the key as it is now (its current rights)
	csrf    string
	expires time.Time
}

func (s *session) checkCSRF(v string) bool {
	return v != "" && subtle.ConstantTimeCompare([]byte(v), []byte(s.csrf)) == 1
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// secure reports whether r reached us over https (directly, or per the configured public URL): cookies are then
// Secure and the session cookie is __Host- prefixed.
func (c *Console) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(c.svc.PublicURL(), "https://")
}

func (c *Console) cookieName(r *http.Request) (name, path string) {
	if c.secure(r) {
		return "__Host-" + sessionCookie, "/"
	}
	return sessionCookie, "/admin/"
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, token string) {
	name, path := c.cookieName(r)
	http.SetCookie(w, &http.Cookie{Name: name, Value: token, Path: path, MaxAge: int(c.ttl.Seconds()), HttpOnly: true,
		Secure: c.secure(r), SameSite: http.SameSiteStrictMode})
}

// clearCookie removes the session cookie from the browser (when it sent one).
func (c *Console) clearCookie(w http.ResponseWriter, r *http.Request) {
	name, path := c.cookieName(r)
	if _, err := r.Cookie(name); err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, Secure: c.secure(r),
		SameSite: http.SameSiteStrictMode})
}

// sessionHash returns the hash of the request's session token, or nil when it has no well-formed one.
func (c *Console) sessionHash(r *http.Request) []byte {
	name, _ := c.cookieName(r)
	ck, err := r.Cookie(name)
	if err != nil || len(ck.Value) != tokenLen {
		return nil
	}
	return chime.ConsoleTokenHash(ck.Value)
}

// session returns the request's live session, or nil: no cookie, an unknown or expired session, or one whose
// key is revoked, deleted or moved to another AWS account (such a session is deleted). A store failure is
// logged and also yields nil (the person is asked to sign in again).
func (c *Console) session(r *http.Request) *session {
	hash := c.sessionHash(r)
	if hash == nil {
		return nil
	}
	ctx := r.Context()
	var cs *chime.ConsoleSession
	err := c.svc.Store().Read(ctx, func(tx chime.Tx) error {
		var err error
		cs, err = tx.ConsoleSession(ctx, hash)
		return err
	})
	if err != nil {
		if chime.ErrorCode(err) != chime.ENOTFOUND {
			c.logger.ErrorContext(ctx, "console: read session", "error", err)
		}
		return nil
	}
	if !c.now().Before(cs.ExpiresAt) {
		c.endSession(ctx, hash)
		return nil
	}
	key, err := c.keys.Current(ctx, cs.AccessKeyID)
	if errors.Is(err, ErrBadSecret) || err == nil && key.AwsAccountID != cs.AwsAccountID {
		c.endSession(ctx, hash)
		return nil
	} else if err != nil {
		c.logger.ErrorContext(ctx, "console: check key", "access_key_id", cs.AccessKeyID, "error", err)
		return nil
	}
	return &session{hash: hash, key: key, csrf: cs.CSRF, expires: cs.ExpiresAt}
}

// endSession deletes a session (best effort: a failure is logged; the row expires anyway).
func (c *Console) endSession(ctx context.Context, hash []byte) {
	err := c.svc.Store().Write(context.WithoutCancel(ctx), func(tx chime.Tx) error {
		return tx.DeleteConsoleSession(ctx, hash)
	})
	if err != nil {
		c.logger.ErrorContext(ctx, "console: delete session", "error", err)
	}
}

// signInData is the data of the sign-in page.
type signInData struct {
	AccessKeyID string
	Problem     string
	SignedOut   bool
}

// signInPage: GET /admin/signin. A signed-in browser goes on to the Accounts page.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	q := c.newRequest(w, r)
	if c.session(r) != nil {
		http.Redirect(w, r, "/admin/", http.StatusSeeOther)
		return
	}
	q.render(http.StatusOK, "signin", "Sign in", "", signInData{SignedOut: r.URL.Query().Has("signedout")})
}

// signIn: POST /admin/signin. A foreign origin is refused (403). The secret is checked against the key; after
// too many failures of the key id or of the client's address the answer is 429 until the throttle refills
// (a right secret included, so that guessing stays slow). Success starts a session and goes to /admin/.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	q := c.newRequest(w, r)
	if !c.sameOrigin(r) {
		q.forbidden("This form did not come from this console (its origin is another site).")
		return
	}
	if !q.parseForm() {
		return
	}
	id := strings.TrimSpace(q.form.Get("AccessKeyID"))
	secret := q.form.Get("SecretAccessKey")
	ip := clientIP(r)
	retry := func(status int, problem string) {
		q.render(status, "signin", "Sign in", "", signInData{AccessKeyID: id, Problem: problem})
	}
	if id == "" || secret == "" || len(id) > 128 || len(secret) > 256 {
		retry(http.StatusBadRequest, "Enter an access key ID and its secret access key.")
		return
	}
	if wait, ok := c.throttle.allowed(id, ip); !ok {
		w.Header().Set("Retry-After", wait)
		retry(http.StatusTooManyRequests, "Too many failed sign-in attempts. Wait "+wait+" seconds and try again.")
		return
	}
	key, err := c.keys.Verify(r.Context(), id, secret)
	if errors.Is(err, ErrBadSecret) {
		c.throttle.failed(id, ip)
		c.logger.WarnContext(r.Context(), "console: sign-in failed", "request_id", q.id, "access_key_id", id,
			"remote_addr", ip)
		retry(http.StatusUnauthorized, "The access key ID or the secret access key is wrong.")
		return
	} else if err != nil {
		c.logger.ErrorContext(r.Context(), "console: sign-in", "request_id", q.id, "error", err)
		q.errorPage(http.StatusInternalServerError, "Something went wrong", "The server could not check the key. Try again later.")
		return
	}
	token, now := randomToken(), c.now().UTC().Truncate(time.Millisecond)
	cs := &chime.ConsoleSession{Hash: chime.ConsoleTokenHash(token), AccessKeyID: key.ID, AwsAccountID: key.AwsAccountID,
		CSRF: randomToken(), CreatedAt: now, ExpiresAt: now.Add(c.ttl)}
	err = c.svc.Store().Write(r.Context(), func(tx chime.Tx) error {
		if _, err := tx.PruneConsoleSessions(r.Context(), now, 100); err != nil {
			return err
		}
		return tx.InsertConsoleSession(r.Context(), cs)
	})
	if err != nil {
		c.logger.ErrorContext(r.Context(), "console: start session", "request_id", q.id, "error", err)
		q.errorPage(http.StatusInternalServerError, "Something went wrong", "The server could not start a session. Try again later.")
		return
	}
	if old := c.sessionHash(r); old != nil { // signing in again replaces the browser's session
		c.endSession(r.Context(), old)
	}
	c.logger.InfoContext(r.Context(), "console: signed in", "request_id", q.id, "access_key_id", key.ID,
		"read_only", key.ReadOnly, "remote_addr", ip)
	c.setCookie(w, r, token)
	http.Redirect(w, r, "/admin/", http.StatusSeeOther)
}

// signOut: POST /admin/signout ends the session on the server (the old cookie no longer works anywhere) and
// clears the cookie. It needs the session's CSRF token and this server's origin, like every action, but is
// allowed to read-only keys.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	q := c.newRequest(w, r)
	if !c.sameOrigin(r) {
		q.forbidden("This form did not come from this console (its origin is another site). You are still signed in.")
		return
	}
	if q.sess = c.session(r); q.sess == nil {
		c.clearCookie(w, r)
		http.Redirect(w, r, "/admin/signin?signedout", http.StatusSeeOther)
		return
	}
	if !q.parseForm() {
		return
	}
	if !q.sess.checkCSRF(q.form.Get(csrfField)) {
		q.forbidden("This form could not be verified (its security token is missing or stale). You are still signed in.")
		return
	}
	c.endSession(r.Context(), q.sess.hash)
	c.clearCookie(w, r)
	http.Redirect(w, r, "/admin/signin?signedout", http.StatusSeeOther)
}

// sameOrigin reports whether a POST comes from this server's own pages: Sec-Fetch-Site, when sent, must not
// say cross-site or same-site; Origin (or, without it, the Referer's origin) must be this server's — the
// request's host over http or https, or the configured public URL's origin. A request with neither header (not a
// browser) is left to the CSRF token.
func (c *Console) sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		ref := r.Header.Get("Referer")
		if ref == "" {
			return true
		}
		u, err := url.Parse(ref)
		if err != nil || u.Host == "" {
			return false
		}
		origin = u.Scheme + "://" + u.Host
	}
	if u, err := url.Parse(c.svc.PublicURL()); err == nil && u.Host != "" && strings.EqualFold(origin, u.Scheme+"://"+u.Host) {
		return true
	}
	return strings.EqualFold(origin, "http://"+r.Host) || strings.EqualFold(origin, "https://"+r.Host)
}
