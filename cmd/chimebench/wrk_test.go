package main

import (
	"testing"
	"time"
)

// A wrk 4.1 report with --latency, as Debian's wrk prints it.
const wrkReport = `Running 2s test @ http://127.0.0.1:41231/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02ms    1.74ms  31.20ms   93.42%
    Req/Sec     4.21k   312.55     4.80k    72.50%
  Latency Distribution
     50%  612.00us
     75%    1.01ms
     90%    1.88ms
     99%    5.31ms
  16774 requests in 2.00s, 612.47MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   8386.12
Transfer/sec:    306.09MB
`

func TestParseWrk(t *testing.T) {
	r, err := parseWrk([]byte(wrkReport))
	if err != nil {
		t.Fatal(err)
	}
	want := wrkResult{rps: 8386.12, non2xx: 3, p50: 612 * time.Microsecond, p99: 5310 * time.Microsecond}
	if r != want {
		t.Fatalf("got %+v, want %+v", r, want)
	}
	r, err = parseWrk([]byte("Requests/sec:  100.5\n     99%    1.50s\n"))
	if err != nil || r.rps != 100.5 || r.p99 != 1500*time.Millisecond || r.p50 != 0 || r.non2xx != 0 {
		t.Fatalf("seconds, no 50%%: %+v, %v", r, err)
	}
	if _, err := parseWrk([]byte("unable to connect to 127.0.0.1:1 Connection refused\n")); err == nil {
		t.Fatal("no Requests/sec: want an error")
	}
}
