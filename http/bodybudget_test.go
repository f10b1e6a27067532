package http

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

// acquireAsync starts acquire(n) and returns the channel of its outcome.
func acquireAsync(b *bodyBudget, ctx context.Context, n int64) chan bool {
	ch := make(chan bool, 1)
	go func() { ch <- b.acquire(ctx, n) }()
	return ch
}

// waitWaiters waits until b has n waiters in line.
func waitWaiters(t *testing.T, b *bodyBudget, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		b.mu.Lock()
		got := b.waiters.Len()
		b.mu.Unlock()
		if got == n {
			return
		}
	}
	t.Fatalf("waiters never reached %d", n)
}

func outcome(t *testing.T, ch chan bool) bool {
	t.Helper()
	select {
	case ok := <-ch:
		return ok
	case <-time.After(5 * time.Second):
		t.Fatal("acquire did not return")
		return false
	}
}

// TestBodyBudget: reservations never exceed the limit, a request waits at most the budget's wait, waiters are
// served in order (a small request does not overtake a large one), a waiter that gives up lets the next one
// through, and a cancelled request stops waiting.
func TestBodyBudget(t *testing.T) {
	t.Parallel()
	b := &bodyBudget{limit: 100, wait: 50 * time.Millisecond}
	if !b.acquire(ctx, 60) {
		t.Fatal("first reservation refused")
	}
	start := time.Now()
	if b.acquire(ctx, 50) {
		t.Fatal("reservation over the limit granted")
	}
	if d := time.Since(start); d < 40*time.Millisecond || d > 2*time.Second {
		t.Errorf("refused after %v, want about the wait (50ms)", d)
	}
	if b.inUse() != 60 {
		t.Errorf("in use %d, want 60", b.inUse())
	}

	// Released bytes go to the waiter.
	b.wait = 5 * time.Second
	w := acquireAsync(b, ctx, 50)
	waitWaiters(t, b, 1)
	b.release(60)
	if !outcome(t, w) || b.inUse() != 50 {
		t.Fatalf("waiter not granted on release: in use %d", b.inUse())
	}

	// First in, first served: 10 would fit, but 80 came first.
	large := acquireAsync(b, ctx, 80)
	waitWaiters(t, b, 1)
	small := acquireAsync(b, ctx, 10)
	waitWaiters(t, b, 2)
	select {
	case <-small:
		t.Fatal("a small request overtook a large one")
	case <-time.After(20 * time.Millisecond):
	}
	b.release(50)
	if !outcome(t, large) || !outcome(t, small) || b.inUse() != 90 {
		t.Fatalf("line not served in order: in use %d", b.inUse())
	}
	b.release(90)

	// A first waiter that gives up lets the ones behind it through.
	b.acquire(ctx, 50)
	tctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	large = acquireAsync(b, tctx, 80)
	waitWaiters(t, b, 1)
	small = acquireAsync(b, ctx, 10)
	if outcome(t, large) || !outcome(t, small) || b.inUse() != 60 {
		t.Fatalf("after a timeout: in use %d, want 60", b.inUse())
	}

	// A cancelled request stops waiting at once.
	cctx, stop := context.WithCancel(ctx)
	w = acquireAsync(b, cctx, 100)
	waitWaiters(t, b, 1)
	stop()
	if outcome(t, w) {
		t.Fatal("a cancelled request got its bytes")
	}
	b.release(60)
	if b.inUse() != 0 || b.waiters.Len() != 0 {
		t.Fatalf("in use %d, %d waiters, want none", b.inUse(), b.waiters.Len())
	}
}

// TestBodyBudgetConcurrent: under contention the bytes in use never exceed the limit and all come back.
func TestBodyBudgetConcurrent(t *testing.T) {
	t.Parallel()
	b := &bodyBudget{limit: 1000, wait: 20 * time.Millisecond}
	var peak, held atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range 200 {
				n := rand.Int64N(400) + 1
				if !b.acquire(ctx, n) {
					continue
				}
				h := held.Add(n)
				for p := peak.Load(); h > p && !peak.CompareAndSwap(p, h); p = peak.Load() {
				}
				time.Sleep(time.Duration(rand.IntN(100)) * time.Microsecond)
				held.Add(-n)
				b.release(n)
			}
		})
	}
	wg.Wait()
	if peak.Load() > 1000 || b.inUse() != 0 || b.waiters.Len() != 0 {
		t.Fatalf("peak %d, in use %d, %d waiters", peak.Load(), b.inUse(), b.waiters.Len())
	}
}

func TestNewBodyBudgetDefaults(t *testing.T) {
	t.Parallel()
	if b := newBodyBudget(0, 0); b.limit != DefaultMaxBodyMemory || b.wait != DefaultBodyMemoryWait {
		t.Errorf("defaults %d %v", b.limit, b.wait)
	}
	if b := newBodyBudget(1000, time.Second); b.limit != MaxBodyBytes {
		t.Errorf("a budget below one body is %d, want %d", b.limit, MaxBodyBytes)
	}
}

// budgetServer is a Server (emulator auth, SQLite) whose body budget is one maximal body, waiting 100ms.
func budgetServer(t *testing.T) *Server {
	t.Helper()
	store, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc, err := chime.NewService(ctx, store, chime.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return NewServer(Options{Service: svc, Authenticator: AnyAuth{}, Logger: newDiscardLogger(),
		MaxBodyMemory: MaxBodyBytes, BodyMemoryWait: 100 * time.Millisecond})
}

var ctx = context.Background()

const testAuth = "AWS4-HMAC-SHA256 Credential=111122223333/20261122/us-east-1/chime/aws4_request, " +
	"SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000"

// serveAsync serves req on s in the background; the returned channel has the recorder when it is done.
func serveAsync(s *Server, req *http.Request) chan *httptest.ResponseRecorder {
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		done <- rec
	}()
	return done
}

func waitInUse(t *testing.T, b *bodyBudget, want int64) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if b.inUse() == want {
			return
		}
	}
	t.Fatalf("body bytes in use %d, want %d", b.inUse(), want)
}

func wantUnavailable(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != 503 || rec.Header().Get("x-amzn-ErrorType") != "ServiceUnavailableException" ||
		!strings.Contains(rec.Body.String(), `"Code":"ServiceUnavailable"`) ||
		rec.Header().Get("Connection") != "close" || rec.Header().Get("Retry-After") == "" {
		t.Errorf("got %d %v %s, want 503 ServiceUnavailableException, Connection: close, Retry-After", rec.Code,
			rec.Header(), rec.Body)
	}
}

// TestReadBodyBudget: a request's reservation grows with the bytes it has sent (its buffer), up to its declared
// length; a request finding the budget spent waits, then gets 503; everything is given
// back when requests end; requests without a body never wait.
func TestReadBodyBudget(t *testing.T) {
	t.Parallel()
	s := budgetServer(t)

	// A slow client declares a whole MiB and sends nothing yet: it holds one chunk, not the MiB it declared.
	slowR, slowW := io.Pipe()
	req := httptest.NewRequest("POST", "/accounts", slowR)
	req.ContentLength = MaxBodyBytes
	req.Header.Set("Authorization", testAuth)
	slow := serveAsync(s, req)
	waitInUse(t, s.budget, bodyChunk)
	// Once it has sent more than half, it holds the whole MiB: the budget is spent.
	first := append([]byte(`{"Name":"slow"}`), bytes.Repeat([]byte(" "), MaxBodyBytes/2+100-15)...)
	go slowW.Write(first)
	waitInUse(t, s.budget, MaxBodyBytes)

	// Another body waits, then is refused, in JSON for the API and in HTML for a page.
	req = httptest.NewRequest("POST", "/accounts", strings.NewReader(`{"Name":"x"}`))
	req.Header.Set("Authorization", testAuth)
	start := time.Now()
	rec := <-serveAsync(s, req)
	wantUnavailable(t, rec)
	if d := time.Since(start); d < 90*time.Millisecond {
		t.Errorf("refused after %v, before the wait", d)
	}
	req = httptest.NewRequest("POST", "/signin", strings.NewReader(`Email=a@example.com`))
	if rec := <-serveAsync(s, req); rec.Code != 503 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Errorf("page: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	// No body, no wait: health and a signed GET answer at once.
	for _, path := range []string{"/_chimed/health", "/accounts"} {
		req = httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", testAuth)
		start = time.Now()
		if rec := <-serveAsync(s, req); rec.Code != 200 || time.Since(start) > 80*time.Millisecond {
			t.Errorf("GET %s during the hold: %d after %v", path, rec.Code, time.Since(start))
		}
	}

	// The slow client finishes: its request runs, and its bytes come back.
	go func() {
		slowW.Write(bytes.Repeat([]byte(" "), MaxBodyBytes-len(first)))
		slowW.Close()
	}()
	if rec := <-slow; rec.Code != 201 {
		t.Fatalf("slow request: %d %s", rec.Code, rec.Body)
	}
	waitInUse(t, s.budget, 0)

	// Chunked: the reservation follows the buffer (16 KiB, then doubling).
	chunkR, chunkW := io.Pipe()
	req = httptest.NewRequest("POST", "/accounts", chunkR)
	req.ContentLength = -1
	req.Header.Set("Authorization", testAuth)
	chunked := serveAsync(s, req)
	chunkW.Write([]byte(`{"Name":"chunked"}`))
	waitInUse(t, s.budget, bodyChunk)
	chunkW.Write(bytes.Repeat([]byte(" "), bodyChunk))
	waitInUse(t, s.budget, 2*bodyChunk)
	chunkW.Write(bytes.Repeat([]byte(" "), 600<<10)) // past half a MiB: the reservation is the whole MiB
	waitInUse(t, s.budget, MaxBodyBytes)
	req = httptest.NewRequest("POST", "/accounts", strings.NewReader(`{"Name":"x"}`))
	req.Header.Set("Authorization", testAuth)
	wantUnavailable(t, <-serveAsync(s, req))
	chunkW.Close()
	if rec := <-chunked; rec.Code != 201 {
		t.Fatalf("chunked request: %d %s", rec.Code, rec.Body)
	}
	waitInUse(t, s.budget, 0)

	// Too large, declared or chunked: 400, nothing kept.
	req = httptest.NewRequest("POST", "/accounts", io.MultiReader(strings.NewReader(`{"Name":"big"}`),
		bytes.NewReader(make([]byte, MaxBodyBytes))))
	req.ContentLength = -1
	req.Header.Set("Authorization", testAuth)
	if rec := <-serveAsync(s, req); rec.Code != 400 || rec.Header().Get("Connection") != "close" {
		t.Errorf("chunked body over 1 MiB: %d %v", rec.Code, rec.Header())
	}
	req = httptest.NewRequest("POST", "/accounts", strings.NewReader(`{}`))
	req.ContentLength = MaxBodyBytes + 1
	req.Header.Set("Authorization", testAuth)
	if rec := <-serveAsync(s, req); rec.Code != 400 {
		t.Errorf("declared body over 1 MiB: %d", rec.Code)
	}
	// Exactly 1 MiB, chunked, is accepted.
	req = httptest.NewRequest("POST", "/accounts", io.MultiReader(strings.NewReader(`{"Name":"max"}`),
		bytes.NewReader(bytes.Repeat([]byte(" "), MaxBodyBytes-14))))
	req.ContentLength = -1
	req.Header.Set("Authorization", testAuth)
	if rec := <-serveAsync(s, req); rec.Code != 201 {
		t.Errorf("chunked body of exactly 1 MiB: %d %s", rec.Code, rec.Body)
	}
	waitInUse(t, s.budget, 0)
}
