package admin

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	chime "github.com/chimed/chimed"
)

// request is one console request in flight.
type request struct {
	c    *Console
	w    http.ResponseWriter
	r    *http.Request
	id   string     // the request id (the http layer's x-amzn-RequestId when mounted there)
	sess *session   // nil on the sign-in page and when signed out
	op   string     // the operation of an action (post)
	form url.Values // the fields of an action's form
	// created are the ids an action created, added to its audit record after success (act).
	created []chime.AuditResource
}

func (c *Console) newRequest(w http.ResponseWriter, r *http.Request) *request {
	id := w.Header().Get("x-amzn-RequestId")
	if id == "" {
		id = uuid.NewString()
		w.Header().Set("x-amzn-RequestId", id)
	}
	return &request{c: c, w: w, r: r, id: id}
}

// key returns the signed-in key (the zero Key on public pages).
func (q *request) key() Key {
	if q.sess == nil {
		return Key{}
	}
	return q.sess.key
}

// clientIP is the peer's address without its port (no proxy header is trusted).
func clientIP(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// parseForm reads an action's form (application/x-www-form-urlencoded, at most 64 KiB); it answers 400 or 413
// and reports false when the body is not one.
func (q *request) parseForm() bool {
	if ct := q.r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		q.errorPage(http.StatusBadRequest, "Bad request", "The form must be sent as application/x-www-form-urlencoded.")
		return false
	}
	if err := q.r.ParseForm(); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			q.errorPage(http.StatusRequestEntityTooLarge, "Form too large", "The form is larger than 64 KiB.")
		} else {
			q.errorPage(http.StatusBadRequest, "Bad request", "The form is malformed.")
		}
		return false
	}
	q.form = q.r.PostForm
	return true
}

// view is the data of every page template.
type view struct {
	Title    string
	Nav      string // the active nav item
	Nav1     []navItem
	Key      Key
	SignedIn bool
	ReadOnly bool
	CSRF     string
	Notice   string // the flash of the last action: what it did
	Error    string // the flash of the last action: why it failed
	Data     any
}

type navItem struct{ Name, Href string }

// navItems is the console's navigation (the pages of part 2 may 404 until they exist).
func navItems() []navItem {
	return []navItem{{"Accounts", "/admin/"}, {"Phone numbers", "/admin/phone-numbers"}, {"Rooms", "/admin/rooms"},
		{"Bots", "/admin/bots"}, {"Outbox", "/admin/outbox"}, {"Bot events", "/admin/bot-events"},
		{"Audit trail", "/admin/audit"}}
}

// render answers the page templates/name.html in the layout with status (Cache-Control: no-store).
func (q *request) render(status int, name, title, navItem string, data any) {
	v := view{Title: title, Nav: navItem, Nav1: navItems(), Data: data}
	if q.sess != nil {
		v.SignedIn, v.Key, v.ReadOnly, v.CSRF = true, q.sess.key, q.sess.key.ReadOnly, q.sess.csrf
	}
	v.Notice, v.Error = q.takeFlash()
	t := q.c.pages[name]
	var buf bytes.Buffer
	if t == nil {
		q.c.logger.Error("console: no template", "page", name)
		status = http.StatusInternalServerError
		buf.WriteString("<!DOCTYPE html><title>Error</title><p>Internal error.</p>")
	} else if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		q.c.logger.Error("console: render", "request_id", q.id, "page", name, "error", err)
		buf.Reset()
		buf.WriteString("<!DOCTYPE html><title>Error</title><p>Internal error.</p>")
		status = http.StatusInternalServerError
	}
	h := q.w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	q.w.WriteHeader(status)
	q.w.Write(buf.Bytes())
}

// message is the data of the error page.
type message struct{ Message string }

// errorPage answers status with a page saying msg.
func (q *request) errorPage(status int, title, msg string) {
	q.render(status, "error", title, "", message{msg})
}

// forbidden answers 403 with msg; nothing was changed.
func (q *request) forbidden(msg string) {
	q.errorPage(http.StatusForbidden, "Forbidden", msg)
}

// fail answers a service error of a page (GET): its status and plain message; internal failures are logged and
// answered 500 without details.
func (q *request) fail(err error) {
	status, _ := statusOf(err)
	if status >= 500 {
		q.c.logger.ErrorContext(q.r.Context(), "console: internal failure", "request_id", q.id, "error", err)
		q.errorPage(status, "Something went wrong", "The server could not complete the request. Try again later.")
		return
	}
	q.errorPage(status, http.StatusText(status), plain(err))
}

// plain returns a domain error's message for people.
func plain(err error) string {
	msg := chime.ErrorMessage(err)
	if msg == "" {
		return "The request failed."
	}
	if f := chime.ErrorField(err); f != "" && !strings.HasPrefix(msg, string(f)) {
		// The domain's name of the field begins the sentence: "Display name is required". Only the name is
		// capitalized; a message may begin with a value (an id, an address) that must be shown as it is.
		r, size := utf8.DecodeRuneInString(string(f))
		msg = string(unicode.ToUpper(r)) + string(f)[size:] + " " + msg
	}
	return msg
}

// Flash messages: the outcome of an action, shown once by the page the action redirects to (Post/Redirect/Get).
// They travel in a short-lived cookie the server sets (HttpOnly, SameSite=Strict); the page reads and clears it.
const flashCookie = "chimed_console_flash"

// done redirects (303) to path with notice as the flash.
func (q *request) done(path, notice string) {
	q.setFlash("n", notice)
	http.Redirect(q.w, q.r, path, http.StatusSeeOther)
}

// failed redirects (303) to path with err, in plain words, as the flash (an internal failure is logged and
// shown without details).
func (q *request) failed(path string, err error) {
	q.setFlash("e", q.errorText(err))
	http.Redirect(q.w, q.r, path, http.StatusSeeOther)
}

// errorText is err for people (internal failures logged, not shown).
func (q *request) errorText(err error) string {
	if status, _ := statusOf(err); status >= 500 {
		q.c.logger.ErrorContext(q.r.Context(), "console: internal failure", "request_id", q.id, "operation", q.op,
			"error", err)
		return "The server could not complete the request. Try again later."
	}
	return plain(err)
}

func (q *request) setFlash(kind, msg string) {
	if len(msg) > 1500 {
		msg = msg[:1500]
		for !utf8.ValidString(msg) {
			msg = msg[:len(msg)-1]
		}
		msg += "…"
	}
	http.SetCookie(q.w, &http.Cookie{Name: flashCookie, Value: kind + base64.RawURLEncoding.EncodeToString([]byte(msg)),
		Path: "/admin/", MaxAge: 60, HttpOnly: true, Secure: q.c.secure(q.r), SameSite: http.SameSiteStrictMode})
}

// takeFlash returns the flash of the last action (notice or error) and clears it.
func (q *request) takeFlash() (notice, errText string) {
	ck, err := q.r.Cookie(flashCookie)
	if err != nil || len(ck.Value) < 1 {
		return "", ""
	}
	http.SetCookie(q.w, &http.Cookie{Name: flashCookie, Value: "", Path: "/admin/", MaxAge: -1, HttpOnly: true,
		Secure: q.c.secure(q.r), SameSite: http.SameSiteStrictMode})
	b, err := base64.RawURLEncoding.DecodeString(ck.Value[1:])
	if err != nil || !utf8.Valid(b) {
		return "", ""
	}
	if ck.Value[0] == 'e' {
		return "", string(b)
	}
	return string(b), ""
}
