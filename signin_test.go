package chime_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// Sign-in requests (docs/behavior.md §9.3) answer before any work that only a registered address causes: the
// lookup, the link, the outbox and the mail happen after the answer, so that the answer's delay does not tell a
// registered address from an unknown one.

// gatedStore is a Store whose transactions wait while its gate is closed, and counts them.
type gatedStore struct {
	chime.Store
	mu     sync.Mutex
	gate   chan struct{} // nil: open
	calls  atomic.Int64
	closed atomic.Bool
}

func (g *gatedStore) wait(ctx context.Context) error {
	g.calls.Add(1)
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	if gate == nil {
		return nil
	}
	select {
	case <-gate:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close closes the gate: transactions wait until Open.
func (g *gatedStore) CloseGate() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.gate = make(chan struct{})
}

// Open lets the waiting transactions and every later one through.
func (g *gatedStore) Open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.gate != nil {
		close(g.gate)
		g.gate = nil
	}
}

func (g *gatedStore) Read(ctx context.Context, fn func(chime.Tx) error) error {
	if err := g.wait(ctx); err != nil {
		return err
	}
	return g.Store.Read(ctx, fn)
}

func (g *gatedStore) Write(ctx context.Context, fn func(chime.Tx) error) error {
	if err := g.wait(ctx); err != nil {
		return err
	}
	return g.Store.Write(ctx, fn)
}

// slowMailer is a mailbox whose Send waits while it is held.
type slowMailer struct {
	mailbox
	mu   sync.Mutex
	gate chan struct{}
}

func (m *slowMailer) Send(ctx context.Context, msg chime.Message) error {
	m.mu.Lock()
	gate := m.gate
	m.mu.Unlock()
	select {
	case <-gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return m.mailbox.Send(ctx, msg)
}

// Hold makes Send wait until Release.
func (m *slowMailer) Hold() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gate = make(chan struct{})
}

// Release lets the waiting Sends and every later one through.
func (m *slowMailer) Release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	select {
	case <-m.gate:
	default:
		close(m.gate)
	}
}

// gatedEnv is an env whose store and mailer can be held.
func gatedEnv(t *testing.T) (*env, *gatedStore, *slowMailer) {
	t.Helper()
	store := &gatedStore{Store: testenv.MustOpen(t, testenv.DSN(t))}
	mail := &slowMailer{gate: make(chan struct{})}
	e := &env{Store: store, Clock: &clock{now: time.Now().UTC()}, PINs: &pinSource{}, Mail: &mail.mailbox}
	svc, err := chime.NewService(ctx, store, chime.ServiceOptions{Now: e.Clock.Now, Rand: e.PINs, Mailer: mail,
		MailTimeout: time.Minute, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	e.Svc = svc
	store.calls.Store(0) // NewService read the server clock's offset (clock.go)
	t.Cleanup(func() {
		store.Open()
		mail.Release()
		svc.Drain(ctx)
	})
	return e, store, mail
}

// returnsWithin runs f and reports whether it returned within d (f keeps running otherwise).
func returnsWithin(d time.Duration, f func() error) (bool, error) {
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return true, err
	case <-time.After(d):
		return false, nil
	}
}

// TestSignInAnswersBeforeTheWork: with the store and the mail server held, RequestSignIn answers at once for a
// registered address as for an unknown one, having touched neither; the link and the mail follow after the
// answer.
func TestSignInAnswersBeforeTheWork(t *testing.T) {
	t.Parallel()
	e, store, mail := gatedEnv(t)
	aws := newTenant()
	team := MustAccount(t, e, aws, "Team", chime.AccountTeam)
	mail.Release() // the invitation goes out
	member := newEmail("member")
	u, _ := MustMember(t, e, aws, team.ID, member)
	mail.Hold() // the sign-in mail waits
	before := len(e.Mail.To(member))

	store.CloseGate()
	for _, email := range []string{strings.ToUpper(member), newEmail("nobody")} {
		ok, err := returnsWithin(2*time.Second, func() error { return e.Svc.RequestSignIn(ctx, email) })
		if !ok {
			t.Fatalf("RequestSignIn(%s) waited for the held store", email)
		}
		if err != nil {
			t.Fatalf("RequestSignIn(%s): %v", email, err)
		}
	}
	// Nothing was stored or sent yet: the store is held.
	if got := len(e.Mail.To(member)); got != before {
		t.Fatalf("mail sent while the store was held: %d", got-before)
	}

	// Release the store: the link is created and recorded; the mail waits for the mail server, and the
	// answer did not wait for it either.
	store.Open()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		must(t, e.Store.Read(ctx, func(tx chime.Tx) error {
			list, err := tx.ListOutbox(ctx, aws, 100)
			n = 0
			for _, m := range list {
				if m.Kind == chime.LinkSignIn {
					n++
				}
			}
			return err
		}))
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sign-in messages in the outbox: %d, want 1", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	ok, err := returnsWithin(2*time.Second, func() error { return e.Svc.RequestSignIn(ctx, member) })
	if !ok || err != nil {
		t.Fatalf("RequestSignIn with the mail server held: returned %v, %v", ok, err)
	}
	mail.Release()
	must(t, e.Svc.Drain(ctx))
	got := e.Mail.To(member)
	if len(got)-before != 2 {
		t.Fatalf("sign-in mails to %s: %d, want 2 (none to the unknown address)", member, len(got)-before)
	}
	prefix := e.Svc.PublicURL() + "/signin/"
	in, err := e.Svc.OpenSignIn(ctx, strings.TrimPrefix(got[len(got)-1].Link, prefix))
	if err != nil || in.User.ID != u.ID {
		t.Fatalf("OpenSignIn: %v", err)
	}
}

// TestSignInFlood: requests beyond what the background keeps pending are dropped, not waited for; the answer
// stays the same.
func TestSignInFlood(t *testing.T) {
	t.Parallel()
	e, store, mail := gatedEnv(t)
	mail.Release()
	store.CloseGate()
	ok, err := returnsWithin(10*time.Second, func() error {
		for range 5000 {
			if err := e.Svc.RequestSignIn(ctx, newEmail("flood")); err != nil {
				return err
			}
		}
		return nil
	})
	if !ok || err != nil {
		t.Fatalf("5000 requests with the store held: returned %v, %v", ok, err)
	}
	store.Open()
	must(t, e.Svc.Drain(ctx))
}

// TestSignInStillValidates: a malformed address is refused before anything is queued.
func TestSignInStillValidates(t *testing.T) {
	t.Parallel()
	e, store, _ := gatedEnv(t)
	store.CloseGate()
	for _, email := range []string{"", "no-at-sign", "a@b", "x\x00@example.org", "\xff@example.org"} {
		ok, err := returnsWithin(2*time.Second, func() error { return e.Svc.RequestSignIn(ctx, email) })
		if !ok {
			t.Fatalf("RequestSignIn(%q) waited", email)
		}
		wantErr(t, err, chime.EINVALID, chime.FieldEmail)
	}
	if n := store.calls.Load(); n != 0 {
		t.Errorf("%d transactions for malformed addresses", n)
	}
}
