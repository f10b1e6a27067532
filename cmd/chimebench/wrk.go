package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// wrk cross-checks the presigned generator (--wrk): the same signed requests are replayed by wrk
// (https://github.com/wg/wrk, a C load generator with a Lua hook) against the same server, so the two
// generators' ceilings can be compared on one machine. wrk must be on PATH (apt-get install -y wrk).

// wrkScript writes a Lua script that makes wrk send reqs in turn (each thread starting at a random one).
func wrkScript(dir string, reqs [][]byte) (string, error) {
	var b bytes.Buffer
	b.WriteString("local reqs = {\n")
	for _, r := range reqs {
		b.WriteString("  ")
		b.WriteString(luaString(r))
		b.WriteString(",\n")
	}
	b.WriteString("}\nlocal i = 0\n")
	b.WriteString("init = function(args) math.randomseed(os.time() + math.floor(os.clock() * 1e6)); i = math.random(#reqs) end\n")
	b.WriteString("request = function() i = i % #reqs + 1; return reqs[i] end\n")
	p := filepath.Join(dir, "pool.lua")
	return p, os.WriteFile(p, b.Bytes(), 0o600)
}

// luaString quotes s as a Lua string literal with decimal escapes for everything but printable ASCII.
func luaString(s []byte) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range s {
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\%03d", c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
var wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses:\s+([0-9]+)`)
var wrkPercentile = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s|m)\s*$`)

// wrkResult is what runWrk reads off wrk's report.
type wrkResult struct {
	rps      float64
	non2xx   int
	p50, p99 time.Duration // from --latency's distribution (0: not reported)
}

// runWrk replays pool against addr with wrk (2 threads, `conns` connections, --latency) for d.
func runWrk(ctx context.Context, pool *signedPool, addr string, conns int, d time.Duration) (wrkResult, error) {
	dir, err := os.MkdirTemp("", "chimebench-wrk-")
	if err != nil {
		return wrkResult{}, err
	}
	defer os.RemoveAll(dir)
	script, err := wrkScript(dir, pool.load())
	if err != nil {
		return wrkResult{}, err
	}
	secs := max(1, int(d.Round(time.Second)/time.Second))
	out, err := exec.CommandContext(ctx, "wrk", "-t", "2", "-c", strconv.Itoa(conns), "-d", strconv.Itoa(secs)+"s",
		"--latency", "-s", script, "http://"+addr+"/").CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk: %v: %s", err, out)
	}
	return parseWrk(out)
}

// parseWrk reads req/s, the non-2xx/3xx count and the 50th and 99th latency percentiles off a wrk report.
func parseWrk(out []byte) (wrkResult, error) {
	m := wrkRate.FindSubmatch(out)
	if m == nil {
		return wrkResult{}, fmt.Errorf("wrk: no Requests/sec in %s", out)
	}
	var r wrkResult
	r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		r.non2xx, _ = strconv.Atoi(string(m[1]))
	}
	units := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute}
	for _, m := range wrkPercentile.FindAllSubmatch(out, -1) {
		v, err := strconv.ParseFloat(string(m[2]), 64)
		if err != nil {
			return wrkResult{}, fmt.Errorf("wrk: percentile %q: %v", m[0], err)
		}
		d := time.Duration(v * float64(units[string(m[3])]))
		if string(m[1]) == "50" {
			r.p50 = d
		} else {
			r.p99 = d
		}
	}
	return r, nil
}
