package http

import (
	"container/list"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	chime "github.com/chimed/chimed"
)

// Body memory (docs/behavior.md D17). Request bodies are read whole before the signature is checked (the
// signature covers the payload's hash), so an unauthenticated client can make the server hold up to
// MaxBodyBytes per request. A server-wide budget bounds the body bytes held at once: a request reserves its
// declared Content-Length before reading it, or, without one (chunked), reserves as its buffer grows; it gives
// the reservation back when its answer is written. A request that finds the budget exhausted waits in line up to
// Options.BodyMemoryWait, then is refused with 503 ServiceUnavailableException (modeled for every operation;
// SDKs retry it) and its connection is closed. Requests without a body (GetUser …) never touch the budget.

const (
	// DefaultMaxBodyMemory is the default of Options.MaxBodyMemory: 64 MiB of bodies in flight.
	DefaultMaxBodyMemory = 64 << 20
	// DefaultBodyMemoryWait is the default of Options.BodyMemoryWait.
	DefaultBodyMemoryWait = 2 * time.Second
	// bodyChunk is the first reservation of a body of unknown length; it doubles as the body grows.
	bodyChunk = 16 << 10
)

// bodyBudget is a weighted semaphore of body bytes with a FIFO line of waiters (a request needing much does not
// starve behind a stream of small ones).
type bodyBudget struct {
	limit int64
	wait  time.Duration

	mu      sync.Mutex
	used    int64
	waiters list.List // of *budgetWaiter, oldest first
}

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed when the bytes are granted
}

// newBodyBudget returns a budget of limit bytes (at least MaxBodyBytes, so that any accepted body fits) where a
// request waits at most wait.
func newBodyBudget(limit int64, wait time.Duration) *bodyBudget {
	if limit <= 0 {
		limit = DefaultMaxBodyMemory
	}
	limit = max(limit, MaxBodyBytes)
	if wait <= 0 {
		wait = DefaultBodyMemoryWait
	}
	return &bodyBudget{limit: limit, wait: wait}
}

// errBodyBudget is the refusal of a request that could not get body memory in time.
var errBodyBudget = chime.Errorf(chime.EUNAVAILABLE, "The server is busy reading other requests; retry later")

// acquire reserves n bytes (0 < n ≤ limit), waiting in line at most b.wait, or less when ctx ends. It reports
// whether the bytes were reserved.
func (b *bodyBudget) acquire(ctx context.Context, n int64) bool {
	b.mu.Lock()
	if b.waiters.Len() == 0 && b.used+n <= b.limit {
		b.used += n
		b.mu.Unlock()
		return true
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	e := b.waiters.PushBack(w)
	b.mu.Unlock()

	t := time.NewTimer(b.wait)
	defer t.Stop()
	select {
	case <-w.ready:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // granted meanwhile
		return true
	default:
	}
	first := b.waiters.Front() == e
	b.waiters.Remove(e)
	if first {
		b.grantLocked() // those behind it may fit
	}
	return false
}

// release gives back n reserved bytes.
func (b *bodyBudget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.grantLocked()
	b.mu.Unlock()
}

// grantLocked grants waiters in order while the first fits.
func (b *bodyBudget) grantLocked() {
	for e := b.waiters.Front(); e != nil; e = b.waiters.Front() {
		w := e.Value.(*budgetWaiter)
		if b.used+w.n > b.limit {
			return
		}
		b.used += w.n
		b.waiters.Remove(e)
		close(w.ready)
	}
}

// inUse returns the bytes reserved now.
func (b *bodyBudget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// errBodyTooLarge is the refusal of a body over MaxBodyBytes (D17: 400, 413 is not modeled).
var errBodyTooLarge = chime.Invalid("the request body is larger than %d bytes", MaxBodyBytes)

// readBody reads the request's body into c.body within the server's body budget; c.reserved records the bytes
// reserved, released when the request ends (ServeHTTP). Errors: errBodyTooLarge, errBodyBudget, EINVALID when
// the body cannot be read. After an error the connection is not reused.
func (s *Server) readBody(c *call) error {
	err := s.readBodyBudgeted(c)
	if err != nil {
		c.w.Header().Set("Connection", "close") // the rest of the body is not read
		if err == errBodyBudget {
			c.w.Header().Set("Retry-After", "1")
		}
	}
	return err
}

func (s *Server) readBodyBudgeted(c *call) error {
	r := c.r
	if r.ContentLength > MaxBodyBytes {
		return errBodyTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil
	}
	// The reservation grows with the bytes received: the buffer doubles from bodyChunk up to the declared length
	// (or MaxBodyBytes when none is declared), so a client that declares 1 MiB and then sends slowly holds only
	// about what it has sent, not the budget of others.
	limit := int64(MaxBodyBytes)
	if r.ContentLength > 0 {
		limit = r.ContentLength
	}
	ctx := r.Context()
	var body []byte
	for {
		if len(body) == cap(body) {
			if int64(cap(body)) == limit {
				var extra [1]byte // net/http stops at Content-Length; another Body may not
				m, err := io.ReadFull(r.Body, extra[:])
				if m > 0 {
					return errBodyTooLarge
				}
				if errors.Is(err, io.EOF) {
					break
				}
				return chime.Invalid("the request body could not be read")
			}
			grown := min(max(2*int64(cap(body)), bodyChunk), limit)
			if !s.budget.acquire(ctx, grown-int64(cap(body))) {
				return errBodyBudget
			}
			c.reserved += grown - int64(cap(body))
			nb := make([]byte, len(body), grown)
			copy(nb, body)
			body = nb
		}
		m, err := r.Body.Read(body[len(body):cap(body)])
		body = body[:len(body)+m]
		if err == io.EOF {
			break
		}
		if err != nil {
			return chime.Invalid("the request body could not be read")
		}
	}
	c.body = body
	return nil
}
