package smtp_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/smtp"
	"github.com/chimed/chimed/smtp/smtptest"
)

var ctx = context.Background()

const link = "http://chimed.test/invite/abc"

func message(to string) chime.Message {
	return chime.Message{To: to, Subject: "Invitation to join Ünïcode Team", Link: link,
		Text: "Open this link:\n\n" + link + "\n", HTML: `<p><a href="` + link + `">Accept</a></p>`}
}

func MustMailer(tb testing.TB, c smtp.Config) *smtp.Mailer {
	tb.Helper()
	if c.From == "" {
		c.From = "chimed@chimed.test"
	}
	m, err := smtp.New(c)
	if err != nil {
		tb.Fatalf("smtp.New: %v", err)
	}
	return m
}

func TestSendArrives(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts smtptest.Options
		mode string
	}{
		{"plain, TLS none", smtptest.Options{}, smtp.TLSNone},
		{"plain, TLS opportunistic", smtptest.Options{}, smtp.TLSOpportunistic},
		{"STARTTLS, TLS mandatory", smtptest.Options{TLS: true}, smtp.TLSMandatory},
		{"STARTTLS, TLS opportunistic", smtptest.Options{TLS: true}, smtp.TLSOpportunistic},
		{"AUTH PLAIN, TLS none", smtptest.Options{User: "u", Password: "p w"}, smtp.TLSNone},
		{"AUTH PLAIN, TLS mandatory", smtptest.Options{TLS: true, User: "u", Password: "pw"}, smtp.TLSMandatory},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.NewServer(t, tc.opts)
			url := srv.URL()
			if tc.opts.Password == "p w" {
				url = "smtp://u:p%20w@" + srv.Addr
			}
			m := MustMailer(t, smtp.Config{URL: url, TLS: tc.mode, TLSConfig: &tls.Config{RootCAs: srv.CertPool()}})
			if err := m.Send(ctx, message("Someone@Example.org")); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.Wait(t, 1, 5*time.Second)[0]
			if len(got.To) != 1 || got.To[0] != "Someone@Example.org" || got.From != "chimed@chimed.test" {
				t.Errorf("envelope from %q to %q", got.From, got.To)
			}
			if got.Subject != "Invitation to join Ünïcode Team" || got.Header.Get("To") != "<Someone@Example.org>" {
				t.Errorf("subject %q, To header %q", got.Subject, got.Header.Get("To"))
			}
			if l := got.TextLinks(); len(l) != 1 || l[0] != link {
				t.Errorf("text links %q", l)
			}
			if l := got.HTMLLinks(); len(l) != 1 || l[0] != link {
				t.Errorf("html links %q", l)
			}
			if got.Header.Get("Message-Id") == "" || got.Header.Get("Date") == "" {
				t.Errorf("headers %v", got.Header)
			}
		})
	}
}

func TestSendFails(t *testing.T) {
	t.Parallel()
	plain := smtptest.NewServer(t, smtptest.Options{})
	refusing := smtptest.NewServer(t, smtptest.Options{})
	refusing.Refuse(550, "no such mailbox")
	for _, tc := range []struct {
		name, url, mode string
	}{
		{"mandatory TLS without STARTTLS", plain.URL(), smtp.TLSMandatory},
		{"default TLS mode is mandatory", plain.URL(), ""},
		{"recipient refused", refusing.URL(), smtp.TLSNone},
		{"connection refused", "smtp://" + smtptest.ClosedPort(t), smtp.TLSNone},
		{"wrong password", "smtp://u:bad@" + smtptest.NewServer(t, smtptest.Options{User: "u", Password: "pw"}).Addr, smtp.TLSNone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := MustMailer(t, smtp.Config{URL: tc.url, TLS: tc.mode})
			if err := m.Send(ctx, message("a@example.org")); err == nil {
				t.Fatal("Send succeeded")
			}
		})
	}
	if n := len(plain.Messages()) + len(refusing.Messages()); n != 0 {
		t.Errorf("%d messages arrived", n)
	}
}

func TestSendTimesOut(t *testing.T) {
	t.Parallel()
	addr := smtptest.BlackHole(t)
	m := MustMailer(t, smtp.Config{URL: "smtp://" + addr, TLS: smtp.TLSNone, Timeout: 5 * time.Second})
	c, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := m.Send(c, message("a@example.org")); err == nil {
		t.Fatal("Send succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v; the context allowed 300ms", d)
	}
	m = MustMailer(t, smtp.Config{URL: "smtp://" + addr, TLS: smtp.TLSNone, Timeout: 300 * time.Millisecond})
	start = time.Now()
	if err := m.Send(ctx, message("a@example.org")); err == nil {
		t.Fatal("Send succeeded")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v; the timeout is 300ms", d)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for _, c := range []smtp.Config{
		{URL: "http://host", From: "a@b.c"},
		{URL: "smtp://", From: "a@b.c"},
		{URL: "smtp://host:0", From: "a@b.c"},
		{URL: "smtp://host/path", From: "a@b.c"},
		{URL: "smtp://host", TLS: "sometimes", From: "a@b.c"},
		{URL: "smtps://host", TLS: smtp.TLSNone, From: "a@b.c"},
		{URL: "smtp://host", From: "not an address"},
	} {
		if _, err := smtp.New(c); err == nil {
			t.Errorf("New(%+v) succeeded", c)
		}
	}
	_, err := smtp.New(smtp.Config{URL: "smtp://user:s3cret@host%zz", From: "a@b.c"})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %v leaks the password", err)
	}
}

func TestDefaultFromAndRedact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://chime.example.com/base": "chimed@chime.example.com",
		"http://127.0.0.1:24463":         "chimed@[127.0.0.1]",
		"http://[::1]:8080":              "chimed@[::1]",
		"":                               "chimed@localhost",
	} {
		if got := smtp.DefaultFrom(in); got != want {
			t.Errorf("DefaultFrom(%q) = %q, want %q", in, got, want)
		}
	}
	if got := smtp.Redact("smtp://me:secret@host:25"); strings.Contains(got, "secret") {
		t.Errorf("Redact = %q", got)
	}
}
