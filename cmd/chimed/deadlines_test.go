package main

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// deadlinePair is a deadlineListener on loopback, one connection it accepted and the client side of it.
type deadlinePair struct {
	l      *deadlineListener
	server *coarseConn
	client net.Conn
}

func newDeadlinePair(t *testing.T, tick time.Duration) *deadlinePair {
	t.Helper()
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := newDeadlineListener(inner, tick)
	t.Cleanup(func() { l.Close() })
	client, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &deadlinePair{l: l, server: c.(*coarseConn), client: client}
}

// readErr reads one byte on c and returns the error and how long the read took. A read still blocked after 5 s
// is a failure: the connection is closed to end it.
func readErr(c net.Conn) (error, time.Duration) {
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	select {
	case err := <-done:
		return err, time.Since(start)
	case <-time.After(5 * time.Second):
		c.Close()
		<-done
		return errors.New("read still blocked after 5 s"), time.Since(start)
	}
}

func TestCoarseReadDeadlineFires(t *testing.T) {
	p := newDeadlinePair(t, 20*time.Millisecond)
	p.server.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
	err, took := readErr(p.server)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read past the deadline: %v, want os.ErrDeadlineExceeded", err)
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("the error is not a timeout net.Error: %v", err)
	}
	if took < 140*time.Millisecond || took > 2*time.Second {
		t.Errorf("the deadline fired after %v, want 150 ms plus at most a few ticks", took)
	}

	// A new deadline after one fired clears it: the connection reads again.
	p.server.SetReadDeadline(time.Now().Add(time.Hour))
	p.client.Write([]byte("x"))
	if err, _ := readErr(p.server); err != nil {
		t.Fatalf("read after a new deadline: %v", err)
	}
	// So does clearing it.
	p.server.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if err, _ := readErr(p.server); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("second deadline: %v", err)
	}
	p.wantReadAfterClearing(t, "a fired deadline")
}

func TestCoarseDeadlineClearedBeforeItPasses(t *testing.T) {
	p := newDeadlinePair(t, 20*time.Millisecond)
	p.server.SetReadDeadline(time.Now().Add(60 * time.Millisecond))
	p.server.SetReadDeadline(time.Time{})
	p.wantNoTimeout(t, "a cleared deadline")
	// A later deadline replaces an earlier one.
	p.server.SetReadDeadline(time.Now().Add(60 * time.Millisecond))
	p.server.SetReadDeadline(time.Now().Add(time.Hour))
	p.wantNoTimeout(t, "a replaced deadline")
}

// wantReadAfterClearing clears the server side's read deadline (what: the one that fired) and checks that a read
// then gets the client's next byte.
func (p *deadlinePair) wantReadAfterClearing(t *testing.T, what string) {
	t.Helper()
	p.server.SetReadDeadline(time.Time{})
	p.client.Write([]byte("x"))
	if err, _ := readErr(p.server); err != nil {
		t.Fatalf("read after clearing %s: %v", what, err)
	}
}

// wantNoTimeout checks that a read on the server side waits for the client's byte, sent 300 ms later, instead of
// timing out first (what: the deadline that must not fire).
func (p *deadlinePair) wantNoTimeout(t *testing.T, what string) {
	t.Helper()
	go func() {
		time.Sleep(300 * time.Millisecond)
		p.client.Write([]byte("x"))
	}()
	if err, took := readErr(p.server); err != nil || took < 250*time.Millisecond {
		t.Fatalf("%s still fired: %v after %v", what, err, took)
	}
}

// A deadline in the past interrupts a blocked read at once, without waiting for a tick (net/http relies on it
// to stop its background read at the end of every request): net/http's own, a wall-clock time long ago, and one
// just past that holds a monotonic reading, as time.Now gives.
func TestCoarsePastDeadlineIsImmediate(t *testing.T) {
	for name, past := range map[string]func() time.Time{
		"long ago":  func() time.Time { return time.Unix(1, 0) },
		"just past": func() time.Time { return time.Now().Add(-time.Millisecond) },
	} {
		t.Run(name, func(t *testing.T) {
			p := newDeadlinePair(t, time.Hour)
			go func() {
				time.Sleep(50 * time.Millisecond)
				p.server.SetReadDeadline(past())
			}()
			if err, _ := readErr(p.server); !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("a past deadline did not interrupt the read: %v", err)
			}
			p.wantReadAfterClearing(t, "a past deadline")
		})
	}
}

func TestCoarseWriteDeadlineFires(t *testing.T) {
	p := newDeadlinePair(t, 20*time.Millisecond)
	p.server.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
	// The client never reads: the writes fill the socket buffers and block until the deadline fires.
	done := make(chan error, 1)
	go func() {
		chunk := make([]byte, 1<<20)
		for {
			if _, err := p.server.Write(chunk); err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("blocked write: %v, want os.ErrDeadlineExceeded", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write blocked on a client that never reads outlived its deadline")
	}
	// The read side is not affected.
	p.client.Write([]byte("x"))
	p.server.SetReadDeadline(time.Now().Add(time.Hour))
	if err, _ := readErr(p.server); err != nil {
		t.Fatalf("read after a write deadline fired: %v", err)
	}
}

// The watchdog forgets closed connections and ends once the listener is closed and no connection is left.
func TestDeadlineListenerForgetsClosed(t *testing.T) {
	p := newDeadlinePair(t, 10*time.Millisecond)
	p.server.Close()
	p.server.Close() // twice is harmless
	p.l.mu.Lock()
	n := len(p.l.conns)
	p.l.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d connections still watched after Close", n)
	}
	if err := p.l.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.l.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the watchdog still runs after the listener and its connections closed")
	}
	if _, err := io.ReadAll(p.client); err != nil {
		t.Errorf("client side of a closed connection: %v", err)
	}
}
