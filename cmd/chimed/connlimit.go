package main

import (
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Connection cap (--max-connections). Every open connection holds a file descriptor, so idle keep-alive
// connections alone could exhaust the process's file limit: accept then fails with EMFILE and nobody else is
// served until the idle timeout frees some (issue 11, defects 3 and 4). connLimiter wraps the listener and,
// fed by http.Server.ConnState, knows the state of every open connection. When a new connection arrives at
// the cap, it closes, to make room:
//
//  1. the connection that has been idle (keep-alive, between requests) the longest; else
//  2. the oldest connection that has not sent a complete first request for newGrace (a silent client);
//  3. else the new connection waits up to `wait` (100 ms) for a connection to close or turn idle, and is
//     closed itself if none does (the client sees the connection closed; SDKs retry).
//
// While a new connection waits, Accept is blocked: later connections queue in the kernel's listen backlog,
// which holds no file descriptor of this process. Connections with a request in progress are never closed.

// defaultMaxConnections is the default cap for a soft file limit of nofile: what the limit leaves after a
// reserve for the store, logs and the rest, at most 4096.
func defaultMaxConnections(nofile uint64) int {
	const reserve, most, least = 128, 4096, 32
	if nofile < reserve+least {
		return least
	}
	return int(min(most, nofile-reserve))
}

// connLimiter is a net.Listener that caps the connections open at once; its ConnState method must be the
// http.Server's ConnState hook.
type connLimiter struct {
	net.Listener
	max      int
	wait     time.Duration // how long a new connection at the cap waits for room
	newGrace time.Duration // a connection without a complete first request after this long may be shed
	logger   *slog.Logger  // nil: no warnings

	mu      sync.Mutex
	conns   map[net.Conn]*trackedConn
	idle    connList      // in StateIdle, longest idle first
	fresh   connList      // in StateNew, oldest first
	changed chan struct{} // closed when a connection closes or becomes sheddable, while Accept waits
	closed  bool
	shed    uint64
	refused uint64
	warned  time.Time // last warning logged
}

type trackedConn struct {
	c          net.Conn
	since      time.Time // accepted (while in fresh)
	list       *connList // idle or fresh, or nil (active)
	prev, next *trackedConn
}

// connList is a doubly linked list of tracked connections, linked through the connections themselves: the
// ConnState hook, called twice a request, moves a connection in and out of idle without allocating.
type connList struct{ head, tail *trackedConn }

func (l *connList) front() *trackedConn { return l.head }

func (l *connList) pushBack(tc *trackedConn) {
	tc.list, tc.prev, tc.next = l, l.tail, nil
	if l.tail != nil {
		l.tail.next = tc
	} else {
		l.head = tc
	}
	l.tail = tc
}

// unlink removes tc from the list it is in, if any.
func (tc *trackedConn) unlink() {
	l := tc.list
	if l == nil {
		return
	}
	if tc.prev != nil {
		tc.prev.next = tc.next
	} else {
		l.head = tc.next
	}
	if tc.next != nil {
		tc.next.prev = tc.prev
	} else {
		l.tail = tc.prev
	}
	tc.list, tc.prev, tc.next = nil, nil, nil
}

func newConnLimiter(l net.Listener, max int) *connLimiter {
	return &connLimiter{Listener: l, max: max, wait: 100 * time.Millisecond, newGrace: time.Second,
		conns: make(map[net.Conn]*trackedConn)}
}

// Accept returns the next connection, making room for it first when the cap is reached.
func (l *connLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ok, err := l.admit(c)
		if ok {
			return c, nil
		}
		c.Close()
		if err != nil {
			return nil, err
		}
	}
}

// admit tracks c if there is room or room can be made; false when c must be closed (err: the listener is
// closed).
func (l *connLimiter) admit(c net.Conn) (bool, error) {
	deadline := time.Now().Add(l.wait)
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		if l.closed {
			return false, net.ErrClosed
		}
		now := time.Now()
		if len(l.conns) < l.max {
			tc := &trackedConn{c: c, since: now}
			l.fresh.pushBack(tc)
			l.conns[c] = tc
			return true, nil
		}
		if v := l.victim(now); v != nil {
			l.untrack(v)
			l.shed++
			v.c.Close() // the server's goroutine reading it ends; its StateClosed finds nothing tracked
			l.warn(now)
			continue
		}
		left := deadline.Sub(now)
		if left <= 0 {
			l.refused++
			l.warn(now)
			return false, nil
		}
		if tc := l.fresh.front(); tc != nil { // the oldest silent connection becomes sheddable then
			left = min(left, tc.since.Add(l.newGrace).Sub(now)+time.Millisecond)
		}
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		ch := l.changed
		l.mu.Unlock()
		t := time.NewTimer(left)
		select {
		case <-ch:
		case <-t.C:
		}
		t.Stop()
		l.mu.Lock()
	}
}

// victim is the connection to close for a new one, or nil.
func (l *connLimiter) victim(now time.Time) *trackedConn {
	if tc := l.idle.front(); tc != nil {
		return tc
	}
	if tc := l.fresh.front(); tc != nil && now.Sub(tc.since) >= l.newGrace {
		return tc
	}
	return nil
}

func (l *connLimiter) untrack(tc *trackedConn) {
	tc.unlink()
	delete(l.conns, tc.c)
}

// ConnState is the http.Server.ConnState hook.
func (l *connLimiter) ConnState(c net.Conn, s http.ConnState) {
	if s == http.StateNew { // tracked as new by Accept
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	tc := l.conns[c]
	if tc == nil { // shed already, or accepted before the limiter
		return
	}
	switch s {
	case http.StateActive:
		tc.unlink()
		return
	case http.StateIdle:
		tc.unlink()
		l.idle.pushBack(tc)
	case http.StateClosed, http.StateHijacked:
		l.untrack(tc)
	}
	l.notify()
}

// notify wakes an Accept waiting for room.
func (l *connLimiter) notify() {
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// warn logs, at most every 10 s, that the cap was reached.
func (l *connLimiter) warn(now time.Time) {
	if l.logger == nil || now.Sub(l.warned) < 10*time.Second {
		return
	}
	l.warned = now
	l.logger.Warn("connection limit reached: closing the longest-idle connections for new ones",
		"max_connections", l.max, "shed_total", l.shed, "refused_total", l.refused)
}

// Close closes the listener and ends a waiting Accept.
func (l *connLimiter) Close() error {
	l.mu.Lock()
	l.closed = true
	l.notify()
	l.mu.Unlock()
	return l.Listener.Close()
}

// Stats returns the connections open, and those shed and refused since the start.
func (l *connLimiter) Stats() (open int, shed, refused uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns), l.shed, l.refused
}

// limitConnections raises the file limit, picks the cap (--max-connections, or the default from the file
// limit) and wraps ln.
func (m *Main) limitConnections(ln net.Listener) *connLimiter {
	soft, hard, err := raiseFileLimit()
	max := m.MaxConnections
	if max <= 0 {
		max = defaultMaxConnections(soft)
		if err != nil && soft == 0 {
			max = 1024
		}
	}
	if err != nil {
		m.logger.Warn("could not raise the open-file limit", "err", err, "nofile", soft, "nofile_max", hard,
			"max_connections", max)
	} else {
		m.logger.Info("open-file limit", "nofile", soft, "nofile_max", hard, "max_connections", max)
	}
	l := newConnLimiter(ln, max)
	l.logger = m.logger
	return l
}
