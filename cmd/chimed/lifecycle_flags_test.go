package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/smtp/smtptest"
)

// runMain starts an in-process `chimed serve` with args (plus --auth any, a fresh SQLite store, port 0).
func runMain(t *testing.T, args ...string) (*Main, error) {
	t.Helper()
	m := NewMain(io.Discard, io.Discard)
	all := append([]string{"--auth", "any", "--listen", "127.0.0.1:0", "--db", testenv.SQLiteDSN(t)}, args...)
	if err := m.ParseFlags(all); err != nil {
		return nil, err
	}
	if err := m.Run(context.Background()); err != nil {
		return nil, err
	}
	t.Cleanup(func() { m.Close() })
	return m, nil
}

// inviteOne creates a Team account on the server and invites one address.
func inviteOne(t *testing.T, addr, email string) types.Invite {
	t.Helper()
	c := testenv.NewClient("http://"+addr, testenv.Key{ID: "111122223333", Secret: testenv.AnySecret})
	ctx := context.Background()
	a, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("flags")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: a.Account.AccountId, UserEmailList: []string{email}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Invites[0]
}

func TestMailFlags(t *testing.T) {
	t.Parallel()
	srv := smtptest.NewServer(t, smtptest.Options{})
	m, err := runMain(t, "--smtp-url", srv.URL(), "--smtp-tls", "none", "--public-url", "https://chime.example.test/base/")
	if err != nil {
		t.Fatal(err)
	}
	if inv := inviteOne(t, m.Addr(), "x@example.org"); inv.EmailStatus != types.EmailStatusSent {
		t.Fatalf("invite %+v", inv)
	}
	msg := srv.Wait(t, 1, 5*time.Second)[0]
	if msg.From != "chimed@chime.example.test" || len(msg.TextLinks()) != 1 ||
		!strings.HasPrefix(msg.TextLinks()[0], "https://chime.example.test/base/invite/") {
		t.Errorf("from %q, links %q", msg.From, msg.TextLinks())
	}

	// Defaults: links name the bound address; the TLS policy is mandatory, which a plain server fails.
	m2, err := runMain(t, "--smtp-url", srv.URL(), "--smtp-from", "Chime Admin <admin@example.org>")
	if err != nil {
		t.Fatal(err)
	}
	if inv := inviteOne(t, m2.Addr(), "y@example.org"); inv.EmailStatus != types.EmailStatusFailed {
		t.Errorf("mandatory TLS against a plain server: %+v", inv)
	}
	// Without --smtp-url nothing is sent.
	m3, err := runMain(t)
	if err != nil {
		t.Fatal(err)
	}
	if inv := inviteOne(t, m3.Addr(), "z@example.org"); inv.EmailStatus != types.EmailStatusNotSent {
		t.Errorf("no SMTP: %+v", inv)
	}
	if m3.PublicURL != "" {
		t.Errorf("PublicURL flag changed: %q", m3.PublicURL)
	}
}

func TestMailFlagsRefused(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--smtp-tls", "sometimes"},
		{"--public-url", "ftp://host"},
		{"--public-url", "https://host/?q=1"},
		{"--smtp-url", "http://host"},
		{"--smtp-url", "smtp://host", "--smtp-from", "not an address"},
	} {
		if _, err := runMain(t, args...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
