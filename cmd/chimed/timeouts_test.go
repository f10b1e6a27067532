package main_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/testenv"
)

// TestServerTimeouts: the idle and whole-request timeouts close the connections of clients that hold them, no
// sooner than the timeout and within a second of it (the deadlines are coarse: deadlines.go).
func TestServerTimeouts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	p := testenv.StartChimed(t, testenv.BuildChimed(t), "--auth", "any", "--db", "sqlite::memory:",
		"--idle-timeout", "1s", "--read-timeout", "2s", "--read-header-timeout", "1s")

	// closedAfter waits for the server to close c and returns how long that took from start.
	closedAfter := func(c net.Conn, r *bufio.Reader, start time.Time) time.Duration {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadAll(r); err != nil {
			t.Fatalf("the server kept the connection open 10 s: %v", err)
		}
		return time.Since(start)
	}

	// A keep-alive connection left idle after a request is closed after the idle timeout.
	c, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /accounts HTTP/1.1\r\nHost: x\r\n"+anyAuthHeader+"\r\n")
	r := bufio.NewReader(c)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Close {
		t.Fatalf("first request: %d, close %v", resp.StatusCode, resp.Close)
	}
	if d := closedAfter(c, r, time.Now()); d < 900*time.Millisecond || d > 2500*time.Millisecond {
		t.Errorf("idle connection closed after %v, want about the 1 s idle timeout", d)
	}

	// A body that stops arriving is cut off by the whole-request timeout.
	c2, err := net.Dial("tcp", p.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	start := time.Now()
	io.WriteString(c2, "POST /accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"+anyAuthHeader+
		"Content-Length: 100\r\n\r\n{\"Name\":")
	r2 := bufio.NewReader(c2)
	if d := closedAfter(c2, r2, start); d < 1900*time.Millisecond || d > 3500*time.Millisecond {
		t.Errorf("stalled body: connection closed after %v, want about the 2 s read timeout", d)
	}
}
