package main_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chimed/chimed/internal/testenv"
)

// keepAlive opens a connection to addr, gets /_chimed/health on it and leaves it open and idle.
func keepAlive(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /_chimed/health HTTP/1.1\r\nHost: chimed\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("status %d", resp.StatusCode)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

// openIdle opens n idle keep-alive connections one after another.
func openIdle(t *testing.T, addr string, n int) []net.Conn {
	t.Helper()
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := keepAlive(addr)
		if err != nil {
			t.Fatalf("keep-alive connection %d: %v", i, err)
		}
		conns[i] = c
		t.Cleanup(func() { c.Close() })
	}
	return conns
}

// stillOpen reports, for each connection, whether the server still holds it open (checked in parallel).
func stillOpen(conns []net.Conn) []bool {
	open := make([]bool, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			_, err := c.Read(make([]byte, 1))
			var ne net.Error
			open[i] = errors.As(err, &ne) && ne.Timeout()
		}()
	}
	wg.Wait()
	return open
}

// probe times one GET /_chimed/health on a fresh connection (bounded by 5 s).
func probe(t *testing.T, url string) time.Duration {
	t.Helper()
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	resp, err := hc.Get(url + "/_chimed/health")
	if err != nil {
		t.Fatalf("a fresh client got no answer while idle connections fill the server: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health: %d", resp.StatusCode)
	}
	return time.Since(start)
}

// TestMaxConnectionsShedsIdle (defects 3, 4): idle keep-alive connections beyond --max-connections cannot
// hold the server: the oldest idle ones are closed, and a fresh client is answered at once.
func TestMaxConnectionsShedsIdle(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := testenv.BuildChimed(t)

	t.Run("flag", func(t *testing.T) {
		p := testenv.StartChimed(t, bin, "--auth", "any", "--db", "sqlite::memory:", "--max-connections", "50")
		conns := openIdle(t, p.Addr, 200)
		if d := probe(t, p.URL()); d > time.Second {
			t.Errorf("a fresh client waited %v with 200 idle connections and --max-connections 50", d)
		}
		open := stillOpen(conns)
		// 151 are shed: 150 for the later keep-alive connections, one for the probe. A connection turns idle
		// on the server a moment after its client has read the answer, so on a loaded machine a newer idle one
		// may be shed while an older one is still finishing its request (the older goes next): the last few
		// of the oldest 151 may still be open, but never the oldest 140.
		for i := 0; i < 140; i++ {
			if open[i] {
				t.Fatalf("idle connection %d (of the oldest 140) is still open", i)
			}
		}
		for i := 160; i < 200; i++ {
			if !open[i] {
				t.Fatalf("idle connection %d (of the newest 40) was closed: not the oldest idle first", i)
			}
		}
	})

	// The default cap follows the file limit: under a hard limit of 256 open files, 400 idle connections
	// would exhaust the descriptors (accept fails with EMFILE, a fresh client waits for the idle timeout).
	t.Run("default from the file limit", func(t *testing.T) {
		sh, err := exec.LookPath("sh")
		if err != nil {
			t.Skip("no sh to lower the file limit")
		}
		wrapper := filepath.Join(t.TempDir(), "chimed-nofile-256")
		script := fmt.Sprintf("#!%s\nulimit -n 256 || exit 1\nexec %q \"$@\"\n", sh, bin)
		if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		p := testenv.StartChimed(t, wrapper, "--auth", "any", "--db", "sqlite::memory:")
		conns := openIdle(t, p.Addr, 400)
		if d := probe(t, p.URL()); d > time.Second {
			t.Errorf("a fresh client waited %v with 400 idle connections under a file limit of 256", d)
		}
		n := 0
		for _, o := range stillOpen(conns) {
			if o {
				n++
			}
		}
		if n > 128 || n < 64 {
			t.Errorf("%d of 400 idle connections still open; want the default cap 256-128 = 128 at most", n)
		}
	})
}
