package main

import (
	"io"
	"net"
	"sync"
	"time"
)

// Coarse connection deadlines. net/http bounds every request with read and write deadlines (--read-header-timeout,
// --read-timeout, --idle-timeout, and the write timeout), and it sets them several times a request: the idle
// deadline, the header deadline, the whole-request deadline, the write deadline, and their clearing. On a
// *net.TCPConn each of those re-arms a runtime timer, which cost ~3 % of the server's CPU on a GetUser load
// (BENCHMARKS.md, seventh pass).
//
// deadlineListener wraps each accepted connection in a coarseConn, whose SetReadDeadline and SetWriteDeadline
// only record a future deadline under the connection's own mutex. A watchdog goroutine looks at every open
// connection each tick and, for a recorded deadline that has passed, sets the underlying connection's deadline to
// the past: a Read or Write blocked on it returns os.ErrDeadlineExceeded, as with the timer, at most one tick late.
// A deadline already in the past when it is set (net/http uses one to interrupt its background read) and the
// clearing of one the connection already holds are passed through at once, so their effect is immediate.

// deadlineTick is how often the watchdog looks at the connections: a deadline fires at most this late.
const deadlineTick = 250 * time.Millisecond

// deadlineListener is a net.Listener whose connections are coarseConns.
type deadlineListener struct {
	net.Listener
	tick time.Duration

	mu     sync.Mutex
	conns  map[*coarseConn]struct{}
	closed bool
	done   chan struct{} // closed when the watchdog has ended (the listener closed, no connection left)
}

func newDeadlineListener(l net.Listener, tick time.Duration) *deadlineListener {
	dl := &deadlineListener{Listener: l, tick: tick, conns: map[*coarseConn]struct{}{},
		done: make(chan struct{})}
	go dl.watch()
	return dl
}

// Accept returns the next connection, wrapped.
func (l *deadlineListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	cc := &coarseConn{Conn: c, l: l}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed { // the watchdog may have ended: a connection it would not watch is not served
		c.Close()
		return nil, net.ErrClosed
	}
	l.conns[cc] = struct{}{}
	return cc, nil
}

// Close closes the listener. Connections already accepted keep their deadlines until they are closed.
func (l *deadlineListener) Close() error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	return l.Listener.Close()
}

// watch fires the deadlines that have passed, every tick, until the listener is closed and no connection is left.
func (l *deadlineListener) watch() {
	defer close(l.done)
	t := time.NewTicker(l.tick)
	defer t.Stop()
	var open []*coarseConn
	for range t.C {
		l.mu.Lock()
		open = open[:0]
		for c := range l.conns {
			open = append(open, c)
		}
		done := l.closed && len(open) == 0
		l.mu.Unlock()
		if done {
			return
		}
		now := time.Now().UnixNano()
		for i, c := range open {
			c.fire(now)
			open[i] = nil
		}
	}
}

// coarseConn is a connection whose deadlines the listener's watchdog enforces (see deadlineListener).
type coarseConn struct {
	net.Conn
	l *deadlineListener

	mu         sync.Mutex
	rd, wd     int64 // pending deadlines in Unix nanoseconds; 0: none
	rSet, wSet bool  // the underlying connection holds a read (write) deadline
	closeOnce  sync.Once
}

// SetDeadline sets both deadlines.
func (c *coarseConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline records t (zero: none); a t already past takes effect at once.
func (c *coarseConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return setCoarse(&c.rd, &c.rSet, t, c.Conn.SetReadDeadline)
}

// SetWriteDeadline records t (zero: none); a t already past takes effect at once.
func (c *coarseConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return setCoarse(&c.wd, &c.wSet, t, c.Conn.SetWriteDeadline)
}

// setCoarse records the deadline t in *pending, or passes it to set: at once when t is past, and to clear a
// deadline the connection holds (*held) before recording a new one.
func setCoarse(pending *int64, held *bool, t time.Time, set func(time.Time) error) error {
	*pending = 0
	// time.Until reads only the monotonic clock for a deadline that holds a monotonic reading (net/http's are
	// time.Now().Add(timeout)); time.Now would read the wall clock too, on every deadline of every request.
	if !t.IsZero() && time.Until(t) <= 0 {
		*held = true
		return set(t)
	}
	if *held {
		*held = false
		if err := set(time.Time{}); err != nil {
			return err
		}
	}
	if !t.IsZero() {
		*pending = t.UnixNano()
	}
	return nil
}

// fire sets the underlying deadlines that have passed by now (Unix nanoseconds) to the past.
func (c *coarseConn) fire(now int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rd != 0 && c.rd <= now {
		c.rd, c.rSet = 0, true
		c.Conn.SetReadDeadline(time.Unix(0, now))
	}
	if c.wd != 0 && c.wd <= now {
		c.wd, c.wSet = 0, true
		c.Conn.SetWriteDeadline(time.Unix(0, now))
	}
}

// Close closes the connection and stops watching it.
func (c *coarseConn) Close() error {
	c.closeOnce.Do(func() {
		c.l.mu.Lock()
		delete(c.l.conns, c)
		c.l.mu.Unlock()
	})
	return c.Conn.Close()
}

// CloseWrite shuts down the writing side, where the connection can (net/http uses it before closing).
func (c *coarseConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// ReadFrom lets the underlying connection copy from r (sendfile, splice) where it can.
func (c *coarseConn) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.Conn.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(struct{ io.Writer }{c.Conn}, r)
}
