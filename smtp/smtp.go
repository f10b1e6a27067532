// Package smtp sends chimed's email (invitations, sign-in links) through an SMTP server, with
// github.com/wneessen/go-mail. It implements chime.Mailer.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	chime "github.com/chimed/chimed"
)

// TLS modes of --smtp-tls.
const (
	TLSMandatory     = "mandatory"     // STARTTLS is required; a server without it is an error (go-mail's default)
	TLSOpportunistic = "opportunistic" // STARTTLS when the server offers it, else plain text
	TLSNone          = "none"          // never STARTTLS
)

// DefaultTimeout bounds one message when the context has no earlier deadline.
const DefaultTimeout = 10 * time.Second

// Config describes the SMTP server.
type Config struct {
	// URL is smtp://[user[:password]@]host[:port] (STARTTLS per TLS; port default 587, or 25 with TLS none)
	// or smtps://[user[:password]@]host[:port] (TLS from the first byte; port default 465).
	URL string
	// TLS is TLSMandatory (default), TLSOpportunistic or TLSNone; smtps:// URLs are always encrypted.
	TLS string
	// From is the sender address, e.g. "chimed@example.com" or "Chime <chimed@example.com>".
	From string
	// Timeout bounds one message (dial, TLS, authentication, transfer); default DefaultTimeout. A context
	// deadline that comes earlier wins.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (e.g. RootCAs in tests); ServerName defaults to the URL's host.
	TLSConfig *tls.Config
}

// Mailer sends messages through one SMTP server. Each message uses its own connection, so a Mailer is safe
// for concurrent use.
type Mailer struct {
	host    string
	opts    []gomail.Option
	from    string
	timeout time.Duration
}

var _ chime.Mailer = (*Mailer)(nil)

// New checks c and returns its Mailer; nothing is dialled yet. Errors: a malformed URL, TLS mode or sender.
func New(c Config) (*Mailer, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("smtp URL: %s", Redact(c.URL))
	}
	if (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || u.Path != "" && u.Path != "/" ||
		u.RawQuery != "" {
		return nil, fmt.Errorf("smtp URL %s: want smtp://[user:password@]host[:port] or smtps://…", Redact(c.URL))
	}
	mode := c.TLS
	if mode == "" {
		mode = TLSMandatory
	}
	var policy gomail.TLSPolicy
	switch mode {
	case TLSMandatory:
		policy = gomail.TLSMandatory
	case TLSOpportunistic:
		policy = gomail.TLSOpportunistic
	case TLSNone:
		policy = gomail.NoTLS
	default:
		return nil, fmt.Errorf("smtp TLS mode %q: want mandatory, opportunistic or none", c.TLS)
	}
	if u.Scheme == "smtps" && mode == TLSNone {
		return nil, errors.New("smtps:// URLs are always encrypted: do not combine them with TLS mode none")
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return nil, fmt.Errorf("smtp sender %q: %w", c.From, err)
	}
	port := 587
	switch {
	case u.Port() != "":
		if port, err = strconv.Atoi(u.Port()); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("smtp URL %s: bad port", Redact(c.URL))
		}
	case u.Scheme == "smtps":
		port = 465
	case mode == TLSNone:
		port = 25
	}
	tc := &tls.Config{ServerName: u.Hostname(), MinVersion: tls.VersionTLS12}
	if c.TLSConfig != nil {
		tc = c.TLSConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = u.Hostname()
		}
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTLSPolicy(policy),
		gomail.WithTLSConfig(tc)}
	if u.Scheme == "smtps" {
		opts = append(opts, gomail.WithSSL())
	}
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		// Auto-discovery never sends a password in clear over an unencrypted connection; with TLS none the
		// operator chose plain text, so PLAIN is allowed there.
		auth := gomail.SMTPAuthAutoDiscover
		if mode == TLSNone && u.Scheme == "smtp" {
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Mailer{host: u.Hostname(), opts: opts, from: from.String(), timeout: timeout}, nil
}

// Send implements chime.Mailer: nil once the server accepted the message (the end of DATA), an error when
// it refused it, could not be reached or did not answer before the deadline (ctx's, or the Mailer's timeout).
func (m *Mailer) Send(ctx context.Context, msg chime.Message) error {
	timeout := m.timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	if timeout <= 0 {
		return fmt.Errorf("smtp: %w", context.DeadlineExceeded)
	}
	gm := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := gm.From(m.from); err != nil {
		return fmt.Errorf("smtp: sender: %w", err)
	}
	if err := gm.To(msg.To); err != nil {
		return fmt.Errorf("smtp: recipient: %w", err)
	}
	gm.Subject(msg.Subject)
	gm.SetMessageID()
	gm.SetDate()
	gm.SetGenHeader("Auto-Submitted", "auto-generated")
	gm.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		gm.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	opts := append(append([]gomail.Option(nil), m.opts...), gomail.WithTimeout(timeout))
	c, err := gomail.NewClient(m.host, opts...)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, gm); err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	return nil
}

// Redact returns an SMTP URL with its password replaced by "xxxxx", for logs and errors.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// DefaultFrom is the sender used when none is configured: chimed@ and the host of the public URL.
func DefaultFrom(publicURL string) string {
	host := "localhost"
	if u, err := url.Parse(publicURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	if ip := net.ParseIP(host); ip != nil {
		host = "[" + ip.String() + "]" // an address literal (RFC 5321 §4.1.3)
	}
	return "chimed@" + strings.TrimSuffix(host, ".")
}
