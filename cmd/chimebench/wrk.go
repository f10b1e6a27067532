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

// runWrk replays pool against addr with wrk (2 threads, `conns` connections) for d and returns its req/s and
// the count of non-2xx/3xx responses.
func runWrk(ctx context.Context, pool *signedPool, addr string, conns int, d time.Duration) (float64, int, error) {
	dir, err := os.MkdirTemp("", "chimebench-wrk-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	script, err := wrkScript(dir, pool.load())
	if err != nil {
		return 0, 0, err
	}
	secs := max(1, int(d.Round(time.Second)/time.Second))
	out, err := exec.CommandContext(ctx, "wrk", "-t", "2", "-c", strconv.Itoa(conns), "-d", strconv.Itoa(secs)+"s",
		"-s", script, "http://"+addr+"/").CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("wrk: %v: %s", err, out)
	}
	m := wrkRate.FindSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("wrk: no Requests/sec in %s", out)
	}
	rps, _ := strconv.ParseFloat(string(m[1]), 64)
	bad := 0
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		bad, _ = strconv.Atoi(string(m[1]))
	}
	return rps, bad, nil
}
