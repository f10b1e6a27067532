package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chimed/chimed/sigv4"
)

// A presigned pool replayed over raw connections is accepted by the server's SigV4 verifier, every time, and the
// generator reads fixed-length, chunked and error responses in step.
func TestPresignedRequestsVerify(t *testing.T) {
	v := sigv4.New(sigv4.Options{})
	secrets := func(_ context.Context, id string) (string, bool, error) {
		return benchSecret, id == benchKey, nil
	}
	var verified, refused atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := v.Verify(r.Context(), r, body, secrets); err != nil {
			refused.Add(1)
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		verified.Add(1)
		if strings.Contains(r.URL.RawQuery, "chunked") { // no Content-Length: net/http answers chunked
			w.Write([]byte(strings.Repeat("x", 5000)))
			w.(http.Flusher).Flush()
			w.Write([]byte("tail"))
			return
		}
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	c := newClient(srv.URL, benchKey, benchSecret, "us-east-1", 4)
	ops := []op{
		{"get", func(r *rand.Rand) (string, string, []byte) {
			return "GET", "/accounts/a/users/" + string(rune('a'+r.IntN(26))) + "?user-email=x%40y.example", nil
		}},
		{"chunked", func(*rand.Rand) (string, string, []byte) { return "GET", "/accounts/a/users?chunked=1", nil }},
		{"post", func(*rand.Rand) (string, string, []byte) { return "POST", "/accounts/a/users", []byte(`{"A":1}`) }},
	}
	pool, err := newSignedPool(context.Background(), c, addr, ops, []int{2, 1, 1}, 50)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.close()
	res := runPresigned(context.Background(), "get", []string{addr}, pool, 4, 300*time.Millisecond, nil)
	if res.errors != 0 || refused.Load() != 0 {
		t.Fatalf("%d errors, %d refused: %s", res.errors, refused.Load(), res.firstErr)
	}
	if res.requests < 50 || int64(res.requests) != verified.Load() {
		t.Fatalf("requests %d, server verified %d", res.requests, verified.Load())
	}
	if res.p50 <= 0 || res.p99 < res.p50 || res.pmax < res.p99 {
		t.Fatalf("percentiles p50 %v p99 %v max %v", res.p50, res.p99, res.pmax)
	}

	// A wrong secret: every request is answered 403 and counted as an error, with the body shown.
	bad := newClient(srv.URL, benchKey, "wrong", "us-east-1", 4)
	badPool, err := newSignedPool(context.Background(), bad, addr, ops[:1], []int{1}, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer badPool.close()
	res = runPresigned(context.Background(), "bad", []string{addr}, badPool, 2, 100*time.Millisecond, nil)
	if res.errors == 0 || int64(res.requests) != res.errors || !strings.Contains(res.firstErr, "403") ||
		!strings.Contains(res.firstErr, "signature") {
		t.Fatalf("errors %d of %d, first %q", res.errors, res.requests, res.firstErr)
	}
}

func TestReadResponse(t *testing.T) {
	stream := "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc" +
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n" +
		"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found" +
		"HTTP/1.1 204 No Content\r\n\r\n" +
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
	c := &rawConn{br: bufio.NewReader(strings.NewReader(stream))}
	for i, want := range []struct {
		status int
		close  bool
	}{{200, false}, {200, false}, {404, false}, {204, false}, {200, true}} {
		status, closeConn, err := c.readResponse()
		if err != nil || status != want.status || closeConn != want.close {
			t.Fatalf("response %d: %d %v %v, want %d %v", i, status, closeConn, err, want.status, want.close)
		}
		if status == 404 && string(c.errBody) != "not found" {
			t.Fatalf("error body %q", c.errBody)
		}
	}
	for _, bad := range []string{"HTTP/1.1 2x0 OK\r\n\r\n", "SSH-2.0\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"} {
		c := &rawConn{br: bufio.NewReader(strings.NewReader(bad))}
		if _, _, err := c.readResponse(); err == nil {
			t.Fatalf("%q: no error", bad)
		}
	}
}

func TestHistogramQuantiles(t *testing.T) {
	var h histogram
	for i := 1; i <= 10000; i++ {
		h.record(time.Duration(i) * time.Microsecond)
	}
	for _, q := range []float64{0.5, 0.9, 0.99} {
		got, want := h.quantile(q), time.Duration(q*10000)*time.Microsecond
		if d := got - want; d > want/100 || d < -want/100 {
			t.Errorf("q%v = %v, want %v ±1%%", q, got, want)
		}
	}
	if h.quantile(1) != 10*time.Millisecond {
		t.Errorf("max %v", h.quantile(1))
	}
	for v := uint64(0); v < 1<<20; v += 7 { // buckets are ordered and hold their value
		if i := histIndex(v); histIndex(v+1) < i || histValue(i) > v+v/histSub+1 || histValue(i)+histValue(i)/histSub+1 < v {
			t.Fatalf("value %d: bucket %d holds %d", v, i, histValue(i))
		}
	}
}

// The steady state of the generator allocates nothing per request (the server here is a canned responder on a
// raw connection, which allocates nothing either: AllocsPerRun counts every goroutine).
func TestRoundTripAllocations(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		buf := make([]byte, 4096)
		have := 0
		for {
			n, err := nc.Read(buf[have:])
			if err != nil {
				return
			}
			have += n
			for { // answer each complete request (they end with an empty line)
				i := bytes.Index(buf[:have], []byte("\r\n\r\n"))
				if i < 0 {
					break
				}
				copy(buf, buf[i+4:have])
				have -= i + 4
				if _, err := nc.Write(resp); err != nil {
					return
				}
			}
		}
	}()
	rc := &rawConn{addr: l.Addr().String(), closeAt: time.Now().Add(time.Minute)}
	defer rc.close()
	req := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if status, err := rc.roundTrip(req); err != nil || status != 200 {
		t.Fatal(status, err)
	}
	var h histogram
	allocs := testing.AllocsPerRun(200, func() {
		t0 := time.Now()
		if status, err := rc.roundTrip(req); err != nil || status != 200 {
			t.Fatal(status, err)
		}
		h.record(time.Since(t0))
	})
	if allocs > 0 {
		t.Fatalf("%v allocations per request", allocs)
	}
}

// The wrk script carries each request byte for byte (Lua decimal escapes for everything but printable ASCII).
func TestLuaString(t *testing.T) {
	got := luaString([]byte("GET /a?b=\"c\"\\ HTTP/1.1\r\n\x00é"))
	want := `"GET /a?b=\034c\034\092 HTTP/1.1\013\010\000\195\169"`
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

// The pool is re-signed in the background: the same requests, a later signing time.
func TestPoolResigned(t *testing.T) {
	c := newClient("http://127.0.0.1:1", benchKey, benchSecret, "us-east-1", 1)
	ops := []op{{"get", func(r *rand.Rand) (string, string, []byte) { return "GET", "/u/" + strconv.Itoa(r.IntN(1000)), nil }}}
	pool, err := newSignedPoolEvery(context.Background(), c, "127.0.0.1:1", ops, []int{1}, 20, 1100*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.close()
	first := pool.load()
	date := func(req []byte) string {
		for _, l := range strings.Split(string(req), "\r\n") {
			if v, ok := strings.CutPrefix(l, "X-Amz-Date: "); ok {
				return v
			}
		}
		t.Fatalf("no X-Amz-Date in %q", req)
		return ""
	}
	deadline := time.Now().Add(5 * time.Second)
	for &pool.load()[0] == &first[0] {
		if time.Now().After(deadline) {
			t.Fatal("pool not re-signed")
		}
		time.Sleep(50 * time.Millisecond)
	}
	second := pool.load()
	for i := range first {
		if firstLine(first[i]) != firstLine(second[i]) {
			t.Fatalf("request %d: %s, then %s", i, firstLine(first[i]), firstLine(second[i]))
		}
		if date(second[i]) <= date(first[i]) {
			t.Fatalf("request %d signed at %s, then %s", i, date(first[i]), date(second[i]))
		}
	}
}
