package main

import (
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

// limiterPair is a connLimiter on a loopback listener and the client sides of the connections it accepted.
type limiterPair struct {
	t *testing.T
	l *connLimiter
}

func newLimiterPair(t *testing.T, max int) *limiterPair {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newConnLimiter(inner, max)
	t.Cleanup(func() { l.Close() })
	return &limiterPair{t: t, l: l}
}

func (p *limiterPair) dial() net.Conn {
	p.t.Helper()
	c, err := net.Dial("tcp", p.l.Addr().String())
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() { c.Close() })
	return c
}

// accept dials, accepts the connection as http.Server would (Accept, then ConnState New) and returns both sides.
func (p *limiterPair) accept() (client, server net.Conn) {
	p.t.Helper()
	client = p.dial()
	server, err := p.l.Accept()
	if err != nil {
		p.t.Fatal(err)
	}
	p.l.ConnState(server, http.StateNew)
	return client, server
}

// closedByServer tells whether the server closed client's connection (EOF or reset within a short wait).
func closedByServer(client net.Conn) bool {
	client.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	defer client.SetReadDeadline(time.Time{})
	_, err := client.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// TestConnLimiterShedsOldestIdle: at the cap, a new connection closes the connection that has been idle
// longest; while none is idle it waits for one, and is closed when none turns up in time.
func TestConnLimiterShedsOldestIdle(t *testing.T) {
	p := newLimiterPair(t, 3)
	p.l.wait = 300 * time.Millisecond
	p.l.newGrace = time.Hour // never shed a connection for its silence here
	c1, s1 := p.accept()
	c2, s2 := p.accept()
	_, s3 := p.accept()
	for _, s := range []net.Conn{s1, s2, s3} {
		p.l.ConnState(s, http.StateActive)
	}
	p.l.ConnState(s2, http.StateIdle) // idle first: the oldest idle
	time.Sleep(time.Millisecond)
	p.l.ConnState(s1, http.StateIdle)

	_, s4 := p.accept() // at the cap: s2 goes
	if !closedByServer(c2) {
		t.Fatal("the oldest idle connection was not closed when a new one arrived at the cap")
	}
	if closedByServer(c1) {
		t.Fatal("a younger idle connection was closed instead of or along with the oldest")
	}
	p.l.ConnState(s2, http.StateClosed) // the server notices later: no double count
	if open, shed, _ := p.l.Stats(); open != 3 || shed != 1 {
		t.Fatalf("open %d, shed %d; want 3, 1", open, shed)
	}
	p.l.ConnState(s4, http.StateActive)
	_, s5 := p.accept() // s1 goes
	if !closedByServer(c1) {
		t.Fatal("the remaining idle connection was not shed")
	}
	p.l.ConnState(s5, http.StateActive)

	// s3, s4, s5 active: a new connection waits until one of them turns idle.
	c6 := p.dial()
	got := make(chan net.Conn)
	go func() {
		s, _ := p.l.Accept()
		got <- s
	}()
	time.Sleep(100 * time.Millisecond)
	select {
	case <-got:
		t.Fatal("a connection beyond the cap was accepted while none could be shed")
	default:
	}
	p.l.ConnState(s3, http.StateIdle)
	select {
	case s6 := <-got:
		p.l.ConnState(s6, http.StateNew)
		p.l.ConnState(s6, http.StateActive)
	case <-time.After(2 * time.Second):
		t.Fatal("a waiting connection was not admitted when a connection turned idle")
	}
	if closedByServer(c6) {
		t.Fatal("the admitted connection was closed")
	}

	// All active and none turning idle: the new connection is closed after the wait; Accept goes on.
	c7 := p.dial()
	go func() {
		s, _ := p.l.Accept()
		got <- s
	}()
	deadline := time.Now().Add(2 * time.Second)
	for !closedByServer(c7) {
		if time.Now().After(deadline) {
			t.Fatal("a connection beyond the cap was neither admitted nor closed")
		}
	}
	if _, _, refused := p.l.Stats(); refused != 1 {
		t.Fatalf("refused %d, want 1", refused)
	}
	p.l.ConnState(s4, http.StateClosed) // a slot frees: the next connection is admitted at once
	start := time.Now()
	p.dial()
	select {
	case <-got:
		if d := time.Since(start); d > 200*time.Millisecond {
			t.Errorf("admitting below the cap took %v", d)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a connection below the cap was not admitted")
	}
}

// TestConnLimiterShedsSilentNew: connections that never sent a request are shed after idle ones, oldest
// first, once they have been silent for newGrace.
func TestConnLimiterShedsSilentNew(t *testing.T) {
	p := newLimiterPair(t, 2)
	p.l.wait = 2 * time.Second
	p.l.newGrace = 150 * time.Millisecond
	c1, _ := p.accept() // silent
	c2, s2 := p.accept()
	p.l.ConnState(s2, http.StateActive)
	p.l.ConnState(s2, http.StateIdle)

	_, s3 := p.accept() // the idle one goes first, though the silent one is older
	if !closedByServer(c2) || closedByServer(c1) {
		t.Fatal("an idle connection must be shed before a silent new one")
	}
	p.l.ConnState(s3, http.StateActive)
	start := time.Now()
	c4 := p.dial()
	s4, err := p.l.Accept() // waits until c1 has been silent for newGrace
	if err != nil {
		t.Fatal(err)
	}
	p.l.ConnState(s4, http.StateNew)
	if d := time.Since(start); d > time.Second {
		t.Errorf("a silent connection was shed only after %v (grace 150ms)", d)
	}
	if !closedByServer(c1) || closedByServer(c4) {
		t.Fatal("the silent connection was not shed for the new one")
	}
	if open, shed, refused := p.l.Stats(); open != 2 || shed != 2 || refused != 0 {
		t.Errorf("open %d shed %d refused %d; want 2 2 0", open, shed, refused)
	}
}

// TestConnLimiterClose: closing the listener ends a waiting Accept; hijacked connections no longer count.
func TestConnLimiterClose(t *testing.T) {
	p := newLimiterPair(t, 1)
	p.l.wait = time.Hour
	_, s1 := p.accept()
	p.l.ConnState(s1, http.StateActive)
	p.dial()
	errc := make(chan error)
	go func() { _, err := p.l.Accept(); errc <- err }()
	time.Sleep(50 * time.Millisecond)
	p.l.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not end a waiting Accept")
	}

	q := newLimiterPair(t, 1)
	_, s := q.accept()
	q.l.ConnState(s, http.StateHijacked)
	if open, _, _ := q.l.Stats(); open != 0 {
		t.Errorf("a hijacked connection still counts: open %d", open)
	}
}

func TestDefaultMaxConnections(t *testing.T) {
	for _, c := range []struct {
		nofile uint64
		want   int
	}{{1 << 20, 4096}, {20000, 4096}, {4224, 4096}, {1024, 896}, {256, 128}, {100, 32}} {
		if got := defaultMaxConnections(c.nofile); got != c.want {
			t.Errorf("defaultMaxConnections(%d) = %d, want %d", c.nofile, got, c.want)
		}
	}
}
