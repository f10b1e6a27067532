package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// runPresigned replays the pool's requests over `concurrency` persistent HTTP/1.1 connections (spread over
// addrs, one goroutine each, one request in flight per connection, like wrk) for d. A worker writes the bytes,
// reads the status line and headers, and skips the body by Content-Length (or chunk sizes): no net/http, no
// allocation per request in steady state. pids are the target's processes, whose CPU time is measured.
func runPresigned(ctx context.Context, name string, addrs []string, pool *signedPool, concurrency int,
	d time.Duration, pids []int) result {
	var errs errorLog
	var count atomic.Int64
	hists := make([]*histogram, concurrency)
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	cpu0, gen0 := cpuOf(pids), cpuOf([]int{os.Getpid()})
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		hists[w] = new(histogram)
		go func(w int) {
			defer wg.Done()
			h := hists[w]
			rc := &rawConn{addr: addrs[w%len(addrs)], closeAt: deadline.Add(30 * time.Second)}
			defer rc.close()
			i := w * len(pool.load()) / concurrency
			var n int64
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				reqs := pool.load()
				req := reqs[i%len(reqs)]
				i++
				status, err := rc.roundTrip(req)
				lat := time.Since(t0)
				n++
				if err != nil || status < 200 || status > 299 {
					errs.add(func() string { return fmt.Sprintf("%s: %d %v %.200s", firstLine(req), status, err, rc.errBody) })
					if err != nil {
						time.Sleep(time.Millisecond) // a refused connection must not spin
					}
					continue
				}
				h.record(lat)
			}
			count.Add(n)
		}(w)
	}
	wg.Wait()
	res := result{name: name, concurrency: concurrency, requests: int(count.Load()), errors: errs.n,
		firstErr: errs.first, elapsed: time.Since(start), hist: new(histogram)}
	res.serverCPU = cpuOf(pids).sub(cpu0)
	res.genCPU = cpuOf([]int{os.Getpid()}).sub(gen0).total()
	for _, h := range hists {
		res.hist.merge(h)
	}
	res.percentiles()
	return res
}

func firstLine(req []byte) string {
	for i, c := range req {
		if c == '\r' || c == '\n' {
			return string(req[:i])
		}
	}
	return string(req)
}

// rawConn is one persistent client connection, (re)dialled on demand.
type rawConn struct {
	addr    string
	closeAt time.Time // an absolute deadline for all I/O, so a stuck server cannot hang the run
	nc      net.Conn
	br      *bufio.Reader
	errBody []byte // the start of the last non-2xx response's body
}

func (c *rawConn) close() {
	if c.nc != nil {
		c.nc.Close()
		c.nc = nil
	}
}

// roundTrip writes one request and reads its response; the connection is closed on an error or when the server
// asks for it, and dialled again by the next call.
func (c *rawConn) roundTrip(req []byte) (int, error) {
	if c.nc == nil {
		nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			return 0, err
		}
		nc.SetDeadline(c.closeAt)
		c.nc = nc
		if c.br == nil {
			c.br = bufio.NewReaderSize(nc, 64<<10)
		} else {
			c.br.Reset(nc)
		}
	}
	if _, err := c.nc.Write(req); err != nil {
		c.close()
		return 0, err
	}
	status, closeConn, err := c.readResponse()
	if err != nil || closeConn {
		c.close()
	}
	return status, err
}

var errMalformed = errors.New("malformed HTTP response")

// readResponse reads one HTTP/1.1 response, keeping only its status (and, for a failure, the start of its body).
func (c *rawConn) readResponse() (status int, closeConn bool, err error) {
	br := c.br
	line, err := br.ReadSlice('\n')
	if err != nil {
		return 0, true, err
	}
	if len(line) < 12 || !hasPrefixFold(line, "HTTP/1.") || line[8] != ' ' {
		return 0, true, errMalformed
	}
	for _, d := range line[9:12] {
		if d < '0' || d > '9' {
			return 0, true, errMalformed
		}
		status = status*10 + int(d-'0')
	}
	length, chunked := -1, false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return status, true, err
		}
		if len(line) <= 2 { // the blank line that ends the header
			break
		}
		switch {
		case hasPrefixFold(line, "content-length:"):
			length = parseDecimal(line[len("content-length:"):])
			if length < 0 {
				return status, true, errMalformed
			}
		case hasPrefixFold(line, "transfer-encoding:"):
			chunked = containsFold(line, "chunked")
		case hasPrefixFold(line, "connection:"):
			closeConn = containsFold(line, "close")
		}
	}
	if status < 200 || status > 299 {
		n := length
		if n < 0 || n > 200 {
			n = 200
		}
		peek, _ := br.Peek(n)
		c.errBody = append(c.errBody[:0], peek...)
	}
	switch {
	case status == 204 || status == 304 || (status >= 100 && status < 200):
	case chunked:
		for {
			line, err = br.ReadSlice('\n')
			if err != nil {
				return status, true, err
			}
			size, ok := parseHex(line)
			if !ok {
				return status, true, errMalformed
			}
			if size == 0 {
				break
			}
			if _, err := br.Discard(size + 2); err != nil {
				return status, true, err
			}
		}
		for { // trailers, then the blank line
			line, err = br.ReadSlice('\n')
			if err != nil {
				return status, true, err
			}
			if len(line) <= 2 {
				break
			}
		}
	case length >= 0:
		if _, err := br.Discard(length); err != nil {
			return status, true, err
		}
	default: // the body runs to the end of the connection
		_, err = io.Copy(io.Discard, br)
		return status, true, err
	}
	return status, closeConn, nil
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// hasPrefixFold reports whether b starts with the lower-case ASCII prefix p, ignoring case.
func hasPrefixFold(b []byte, p string) bool {
	if len(b) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if lowerASCII(b[i]) != lowerASCII(p[i]) {
			return false
		}
	}
	return true
}

// containsFold reports whether b contains the lower-case ASCII word w, ignoring case.
func containsFold(b []byte, w string) bool {
	for i := 0; i+len(w) <= len(b); i++ {
		if hasPrefixFold(b[i:], w) {
			return true
		}
	}
	return false
}

// parseDecimal parses a header value of decimal digits between optional white space; -1 when it is not one.
func parseDecimal(b []byte) int {
	i, j := 0, len(b)
	for i < j && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	for j > i && (b[j-1] == ' ' || b[j-1] == '\t' || b[j-1] == '\r' || b[j-1] == '\n') {
		j--
	}
	if i == j || j-i > 15 {
		return -1
	}
	n := 0
	for _, c := range b[i:j] {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// parseHex parses a chunk-size line (hex digits, optionally followed by ";extensions").
func parseHex(line []byte) (int, bool) {
	n, digits := 0, 0
	for _, c := range line {
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'a' && c <= 'f':
			v = int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v = int(c-'A') + 10
		default:
			return n, digits > 0 && digits <= 15
		}
		n = n<<4 | v
		digits++
	}
	return n, digits > 0 && digits <= 15
}
