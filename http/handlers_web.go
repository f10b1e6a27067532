package http

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	chime "github.com/chimed/chimed"
)

// The user's pages (docs/behavior.md §9.3): server-rendered html/template pages, embedded, no script.
//
//	GET  /invite/{token}   the acceptance form (the first <form>, field DisplayName)
//	POST /invite/{token}   accept: register, start a session, show its token once
//	GET  /signin           the sign-in form (field Email)
//	POST /signin           send a one-time sign-in link; always the same answer
//	GET  /signin/{token}   open a sign-in link: start a session, show its token once
//	HEAD of these GETs     the GET's status and headers, no body; a link is never used (headSignIn)
//
// Every page is sent with a strict Content-Security-Policy (nothing but the page's own nonce'd style, forms to
// itself, no framing), no-store, and a same-origin referrer policy (the URL holds a token). Forms are protected against cross-site
// requests three ways: the browser's Origin (and Sec-Fetch-Site) must be ours when present, a double-submit
// token (an HttpOnly SameSite=Strict cookie that must equal a hidden field), and SameSite=Strict cookies.
// Errors are HTML pages, never JSON.

//go:embed web/*.html
var webFS embed.FS

var pages = map[string]*template.Template{}

func init() {
	for _, name := range []string{"invite", "welcome", "signin", "error"} {
		pages[name] = template.Must(template.New(name).ParseFS(webFS, "web/layout.html", "web/"+name+".html"))
	}
}

// Cookie names. The session cookie's value is the session's bearer token.
const (
	SessionCookie = "chimed_session"
	csrfCookie    = "chimed_csrf"
	csrfField     = "csrf"
	csrfTTL       = 2 * time.Hour
)

// page is the data of every template.
type page struct {
	Title       string
	Nonce       string
	CSRF        string
	AccountName string
	Email       string
	DisplayName string
	Error       string
	Expires     string
	// welcome
	SignIn bool
	PIN    string
	Token  string
	// signin
	Sent bool
	// error
	Message string
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

func pageTime(t time.Time) string { return t.UTC().Format("2 January 2006, 15:04 UTC") }

// secure tells whether the public URL is https (cookies then get Secure, and the CSRF cookie the __Host- prefix,
// which no other host can set).
func (s *Server) secure() bool { return strings.HasPrefix(s.svc.PublicURL(), "https://") }

func (s *Server) csrfCookieName() string {
	if s.secure() {
		return "__Host-" + csrfCookie
	}
	return csrfCookie
}

// renderPage answers an HTML page with the security headers.
func (s *Server) renderPage(c *call, status int, name string, p page) {
	p.Nonce = randomToken()
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.logger.Error("render page", "request_id", c.reqID, "page", name, "error", err)
		buf.Reset()
		buf.WriteString("<!DOCTYPE html><title>Error</title><p>Internal error.</p>")
		status = http.StatusInternalServerError
	}
	h := c.w.Header()
	setPageHeaders(h, p.Nonce)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	c.status = status
	c.w.WriteHeader(status)
	c.w.Write(buf.Bytes()) // net/http discards it on HEAD
}

// setPageHeaders sets the security headers of every page; nonce is the page's style nonce.
func setPageHeaders(h http.Header, nonce string) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+nonce+"'; form-action 'self'; "+
		"frame-ancestors 'none'; base-uri 'none'")
	h.Set("Cache-Control", "no-store")
	// same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on the form's POST, and the
	// token in the URL is still never sent to another site.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
}

// writeHTMLError answers err as an error page: a refused link with its own message (404 unknown, 410 used,
// expired or superseded, 403 blocked), a domain error with its status, anything else 500.
func (s *Server) writeHTMLError(c *call, err error) {
	// The exception name still goes in x-amzn-ErrorType, as on every chimed error (a diagnostic for scripts).
	if exc, ok := exceptionFor(chime.ErrorCode(err)); ok {
		c.w.Header().Set("x-amzn-ErrorType", exc.Name)
	} else {
		c.w.Header().Set("x-amzn-ErrorType", "ServiceFailureException")
	}
	if le, ok := chime.IsLinkError(err); ok {
		status, title := http.StatusGone, "This link cannot be used"
		switch le.Reason {
		case chime.LinkUnknown:
			status, title = http.StatusNotFound, "Link not found"
		case chime.LinkBlocked:
			status, title = http.StatusForbidden, "Sign-in not allowed"
		}
		s.renderPage(c, status, "error", page{Title: title, Message: le.Message()})
		return
	}
	code := chime.ErrorCode(err)
	exc, ok := exceptionFor(code)
	if !ok || code == chime.EINTERNAL {
		s.logger.ErrorContext(c.ctx, "internal failure", "request_id", c.reqID, "operation", c.op, "error", err)
		s.renderPage(c, http.StatusInternalServerError, "error", page{Title: "Something went wrong",
			Message: "The server could not complete the request. Try again later."})
		return
	}
	s.renderPage(c, exc.Status, "error", page{Title: http.StatusText(exc.Status), Message: chime.ErrorMessage(err)})
}

// csrfToken returns the caller's double-submit token, setting a fresh cookie when it has none.
func (s *Server) csrfToken(c *call) string {
	if ck, err := c.r.Cookie(s.csrfCookieName()); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	v := randomToken()
	http.SetCookie(c.w, &http.Cookie{Name: s.csrfCookieName(), Value: v, Path: "/", MaxAge: int(csrfTTL.Seconds()),
		HttpOnly: true, Secure: s.secure(), SameSite: http.SameSiteStrictMode})
	return v
}

// errForged is the refusal of a form that did not come from our own page.
var errForged = chime.Errorf(chime.EFORBIDDEN,
	"The form could not be verified (it did not come from this site, or its session expired). Open the link again and retry.")

// readForm checks that a POST comes from our own page and returns its fields. Errors: EFORBIDDEN for a foreign
// Origin or Sec-Fetch-Site, or a missing or wrong double-submit token; EINVALID for a body that is not a form.
func (s *Server) readForm(c *call) (url.Values, error) {
	if !s.sameOrigin(c.r) {
		return nil, errForged
	}
	if ct := c.r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
			return nil, chime.Invalid("the form must be sent as application/x-www-form-urlencoded")
		}
	}
	form, err := url.ParseQuery(string(c.body))
	if err != nil {
		return nil, chime.Invalid("the form is malformed")
	}
	ck, err := c.r.Cookie(s.csrfCookieName())
	field := form.Get(csrfField)
	if err != nil || ck.Value == "" || field == "" || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(field)) != 1 {
		return nil, errForged
	}
	return form, nil
}

// sameOrigin refuses requests that a browser marks as coming from another site. A request without these
// headers (not a browser, or an old one) is left to the double-submit token.
func (s *Server) sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if u, err := url.Parse(s.svc.PublicURL()); err == nil && origin == u.Scheme+"://"+u.Host {
		return true
	}
	return origin == "http://"+r.Host || origin == "https://"+r.Host
}

// setSession sets the session cookie (HttpOnly, SameSite=Strict, Secure on https, lasting as long as the
// session).
func (s *Server) setSession(c *call, in *chime.SignedIn) {
	http.SetCookie(c.w, &http.Cookie{Name: SessionCookie, Value: in.Token, Path: "/",
		MaxAge: max(1, int(time.Until(in.ExpiresAt).Seconds())), HttpOnly: true, Secure: s.secure(),
		SameSite: http.SameSiteStrictMode})
}

func (s *Server) welcome(c *call, in *chime.SignedIn, signIn bool) {
	s.setSession(c, in)
	title := "Welcome"
	if signIn {
		title = "Signed in"
	}
	s.renderPage(c, http.StatusOK, "welcome", page{Title: title, SignIn: signIn, AccountName: in.Account.Name,
		Email: in.User.Email, DisplayName: in.User.DisplayName, PIN: in.User.PIN, Token: in.Token,
		Expires: pageTime(in.ExpiresAt)})
}

// invitePage: GET /invite/{token}.
func (s *Server) invitePage(c *call) {
	s.showInvite(c, http.StatusOK, "", "")
}

func (s *Server) showInvite(c *call, status int, displayName, problem string) {
	inv, err := s.svc.Invitation(c.ctx, c.label(0))
	if err != nil {
		s.writeHTMLError(c, err)
		return
	}
	s.renderPage(c, status, "invite", page{Title: "Join " + inv.AccountName, CSRF: s.csrfToken(c),
		AccountName: inv.AccountName, Email: inv.Email, DisplayName: displayName, Error: problem,
		Expires: pageTime(inv.ExpiresAt)})
}

// acceptInvite: POST /invite/{token}.
func (s *Server) acceptInvite(c *call) {
	form, err := s.readForm(c)
	if err != nil {
		s.writeHTMLError(c, err)
		return
	}
	name := strings.TrimSpace(form.Get("DisplayName"))
	in, err := s.svc.AcceptInvitation(c.ctx, c.label(0), name)
	if chime.ErrorCode(err) == chime.EINVALID {
		msg := chime.ErrorMessage(err)
		if f := chime.ErrorField(err); f != "" {
			msg = "The display name " + msg
		}
		s.showInvite(c, http.StatusBadRequest, name, msg)
		return
	} else if err != nil {
		s.writeHTMLError(c, err)
		return
	}
	s.logger.InfoContext(c.ctx, "invitation accepted", "request_id", c.reqID, "account_id", in.Account.ID,
		"user_id", in.User.ID)
	s.welcome(c, in, false)
}

// signInPage: GET /signin.
func (s *Server) signInPage(c *call) {
	s.renderPage(c, http.StatusOK, "signin", page{Title: "Sign in", CSRF: s.csrfToken(c)})
}

// requestSignIn: POST /signin. The answer is the same whether or not the address belongs to anyone.
func (s *Server) requestSignIn(c *call) {
	form, err := s.readForm(c)
	if err != nil {
		s.writeHTMLError(c, err)
		return
	}
	email := strings.TrimSpace(form.Get("Email"))
	err = s.svc.RequestSignIn(c.ctx, email)
	if chime.ErrorCode(err) == chime.EINVALID {
		s.renderPage(c, http.StatusBadRequest, "signin", page{Title: "Sign in", CSRF: s.csrfToken(c), Email: email,
			Error: "Enter a valid email address."})
		return
	} else if err != nil {
		s.writeHTMLError(c, err)
		return
	}
	s.renderPage(c, http.StatusOK, "signin", page{Title: "Check your email", Sent: true, Email: email})
}

// openSignIn: GET /signin/{token}.
func (s *Server) openSignIn(c *call) {
	in, err := s.svc.OpenSignIn(c.ctx, c.label(0))
	if err != nil {
		s.writeHTMLError(c, err)
		return
	}
	s.logger.InfoContext(c.ctx, "signed in", "request_id", c.reqID, "account_id", in.Account.ID,
		"user_id", in.User.ID)
	s.welcome(c, in, true)
}

// headSignIn: HEAD /signin/{token}. It answers what GET would (200, or the refused link's status) with the
// page's headers, but only looks at the link: no session starts, no cookie is set, and the link stays usable
// (mail scanners and link previews send HEAD before the person opens the link).
func (s *Server) headSignIn(c *call) {
	if err := s.svc.SignInLink(c.ctx, c.label(0)); err != nil {
		s.writeHTMLError(c, err)
		return
	}
	setPageHeaders(c.w.Header(), randomToken())
	c.status = http.StatusOK
	c.w.WriteHeader(http.StatusOK)
}

// Paths that carry a link's token (docs/behavior.md §9.3), and the incoming webhook URLs (§9.7), whose id is
// logged as "{token}" too although their token travels in the query (never logged).
var tokenPrefixes = [...]string{"/invite", "/signin", "/incomingwebhooks"}

// logPath is the request path as logs and error messages show it: on every path that may carry a link's
// token — whatever the method, and whether or not a route matched — what follows the first "/invite" or
// "/signin" is replaced by "/{token}", so that invitation and sign-in tokens never reach the logs.
func (c *call) logPath() string {
	return redactPath(c.r.URL)
}

// redactPath returns u's escaped path, or, when its decoded path holds "/invite" or "/signin" (in any case,
// after any prefix or percent-encoding) followed by anything but slashes, the decoded path up to that word
// and "/{token}".
func redactPath(u *url.URL) string {
	p := u.Path
	for i := 0; i+len("/invite") <= len(p); i++ {
		if p[i] != '/' || p[i+1]|0x20 != 'i' && p[i+1]|0x20 != 's' {
			continue
		}
		for _, pre := range tokenPrefixes {
			end := i + len(pre)
			if end > len(p) || !strings.EqualFold(p[i:end], pre) {
				continue
			}
			if strings.Trim(p[end:], "/") == "" {
				return u.EscapedPath() // /invite, /signin/: no token
			}
			return p[:end] + "/{token}"
		}
	}
	return u.EscapedPath()
}
