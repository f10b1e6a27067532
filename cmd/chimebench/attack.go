//go:build linux

package main

// chimebench attack: the reliability measurements of issue 11 (defects 3 and 4), reproducible.
//
//	chimebench attack --chimed-bin PATH [--scenarios slowbody,idle] [flags]
//
// slowbody: --slow-conns connections (2,000) each send a request with a --body-bytes body (1 MiB) and a
// forged signature, trickled over --body-time (20 s), while a separate client sends signed GetUser requests;
// it reports the GetUser latency percentiles and chimed's peak RSS (VmHWM). Targets: peak RSS < 256 MB and
// GetUser p99 < 100 ms.
//
// idle: --idle-conns keep-alive connections (20,500, held by helper processes that raise their open-file
// limits) each make one request and stay open and idle; then fresh clients must still be answered within
// --probe-bound (1 s).

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

type attackConfig struct {
	chimedBin  string
	scenarios  string
	extraArgs  string
	slowConns  int
	bodyBytes  int
	bodyTime   time.Duration
	idleConns  int
	probeBound time.Duration
	region     string
	traceSlow  time.Duration
}

func runAttack(ctx context.Context, args []string, out io.Writer) error {
	var cfg attackConfig
	fs := flag.NewFlagSet("attack", flag.ContinueOnError)
	fs.StringVar(&cfg.chimedBin, "chimed-bin", "", "chimed binary to start (required)")
	fs.StringVar(&cfg.scenarios, "scenarios", "slowbody,idle", "comma-separated: slowbody idle")
	fs.StringVar(&cfg.extraArgs, "chimed-args", "", "extra arguments for chimed serve (space-separated)")
	fs.IntVar(&cfg.slowConns, "slow-conns", 2000, "slowbody: connections trickling a body")
	fs.IntVar(&cfg.bodyBytes, "body-bytes", 1<<20, "slowbody: declared and sent body size")
	fs.DurationVar(&cfg.bodyTime, "body-time", 20*time.Second, "slowbody: time over which each body is trickled")
	fs.IntVar(&cfg.idleConns, "idle-conns", 20500,
		"idle: keep-alive connections left idle (more than chimed's usual open-file limit of 20,000)")
	fs.DurationVar(&cfg.probeBound, "probe-bound", time.Second, "idle: a fresh client must be answered within this")
	fs.StringVar(&cfg.region, "region", "us-east-1", "signing region")
	fs.DurationVar(&cfg.traceSlow, "trace-slow", 0, "print each probe request slower than this, with its time")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.chimedBin == "" {
		return errors.New("--chimed-bin is required (go build -o /tmp/chimed ./cmd/chimed)")
	}
	failed := false
	for _, s := range strings.Split(cfg.scenarios, ",") {
		var ok bool
		var err error
		switch strings.TrimSpace(s) {
		case "slowbody":
			ok, err = attackSlowBody(ctx, cfg, out)
		case "idle":
			ok, err = attackIdle(ctx, cfg, out)
		default:
			return fmt.Errorf("unknown scenario %q", s)
		}
		if err != nil {
			return err
		}
		failed = failed || !ok
	}
	if failed {
		return errors.New("a target was missed")
	}
	return nil
}

// attackTarget is a chimed started for an attack, its log in a file, with one account of a few users.
type attackTarget struct {
	proc    *chimedProc
	dir     string
	logPath string
	addr    string
	key     string
	c       *client
	account string
	ids     []string
}

const attackKey, attackSecret = "AKCHATTACKBENCH00001", "attack-secret-0123456789abcdef01"

func startAttackTarget(ctx context.Context, cfg attackConfig) (*attackTarget, error) {
	dir, err := os.MkdirTemp("", "chimebench-attack-")
	if err != nil {
		return nil, err
	}
	t := &attackTarget{dir: dir, logPath: filepath.Join(dir, "chimed.log"), key: attackKey}
	if t.addr, err = freePort(); err != nil {
		return nil, err
	}
	logf, err := os.Create(t.logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	args := append([]string{"serve", "--listen", t.addr, "--db", "sqlite:" + filepath.Join(dir, "chimed.db"),
		"--log-level", "warn"}, strings.Fields(cfg.extraArgs)...)
	cmd := exec.CommandContext(ctx, cfg.chimedBin, args...)
	cmd.Env = append(os.Environ(), "CHIMED_ACCESS_KEY_ID="+attackKey, "CHIMED_SECRET_ACCESS_KEY="+attackSecret,
		"CHIMED_AWS_ACCOUNT_ID="+benchAWS, "CHIMED_RATE_LIMIT=0")
	cmd.Stderr = logf
	t.proc = &chimedProc{cmd: cmd, url: "http://" + t.addr}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: time.Second}
	for start := time.Now(); ; time.Sleep(5 * time.Millisecond) {
		resp, err := hc.Get(t.proc.url + "/_chimed/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(start) > 30*time.Second {
			t.stop()
			return nil, errors.New("chimed did not become ready")
		}
	}
	t.c = newClient(t.proc.url, attackKey, attackSecret, cfg.region, 4)
	t.c.http.Timeout = 10 * time.Second
	if t.account, t.ids, _, err = seedAPI(ctx, t.c, 20); err != nil {
		t.stop()
		return nil, fmt.Errorf("seed: %w", err)
	}
	return t, nil
}

func (t *attackTarget) stop() {
	t.proc.stop()
	os.RemoveAll(t.dir)
}

// logSummary counts chimed's log lines, and those saying "too many open files".
func (t *attackTarget) logSummary() (lines, emfile int) {
	b, _ := os.ReadFile(t.logPath)
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" {
			lines++
		}
		if strings.Contains(l, "too many open files") {
			emfile++
		}
	}
	return lines, emfile
}

// openFDs counts the file descriptors chimed holds (/proc/PID/fd).
func (t *attackTarget) openFDs() int {
	es, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", t.proc.cmd.Process.Pid))
	return len(es)
}

// getUserProbe sends signed GetUser requests from `workers` clients, pausing `pause` between requests, until
// stop is closed; failures count with the time they took.
func (t *attackTarget) getUserProbe(ctx context.Context, workers int, pause time.Duration, stop <-chan struct{},
	traceSlow time.Duration, trace io.Writer) result {
	var mu sync.Mutex
	res := result{name: "GetUser probe", concurrency: workers, hist: new(histogram)}
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for {
				select {
				case <-stop:
					return
				default:
				}
				path := "/accounts/" + t.account + "/users/" + t.ids[r.IntN(len(t.ids))]
				t0 := time.Now()
				status, body, err := t.c.do(ctx, "GET", path, nil)
				lat := time.Since(t0)
				mu.Lock()
				if traceSlow > 0 && lat > traceSlow {
					fmt.Fprintf(trace, "    slow probe: started at +%v, took %v (%d %v)\n",
						t0.Sub(start).Round(time.Millisecond), lat.Round(time.Millisecond), status, err)
				}
				res.requests++
				res.hist.record(lat)
				if err != nil || status != 200 {
					res.errors++
					if res.firstErr == "" {
						res.firstErr = fmt.Sprintf("%d %v %.200s", status, err, body)
					}
				}
				mu.Unlock()
				time.Sleep(pause)
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.percentiles()
	return res
}

// attackSlowBody: many connections trickle large bodies with a forged signature while GetUser is probed.
func attackSlowBody(ctx context.Context, cfg attackConfig, out io.Writer) (bool, error) {
	t, err := startAttackTarget(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer t.stop()
	fmt.Fprintf(out, "== slowbody: %d connections each trickling a %d-byte body over %v (forged signature), "+
		"GetUser probed by 2 signed clients\n", cfg.slowConns, cfg.bodyBytes, cfg.bodyTime)
	stop := make(chan struct{})
	time.AfterFunc(3*time.Second, func() { close(stop) })
	base := t.getUserProbe(ctx, 2, 10*time.Millisecond, stop, 0, nil)
	_, hwmBase := t.proc.memory()
	fmt.Fprintf(out, "baseline (no attack, 3 s): GetUser %d requests, p50 %s ms, p99 %s ms, max %s ms; peak RSS %d MB\n",
		base.requests, ms(base.p50), ms(base.p99), ms(base.pmax), hwmBase>>10)

	path := "/accounts/" + t.account + "/users?operation=add"
	body := make([]byte, cfg.bodyBytes) // {"UserEmailList":["aaaa…"]}, shared by every connection
	prefix := `{"UserEmailList":["`
	copy(body, prefix)
	for j := len(prefix); j < len(body); j++ {
		body[j] = 'a'
	}
	if len(body) >= len(prefix)+3 {
		copy(body[len(body)-3:], `"]}`)
	}
	var statuses sync.Map // status text → *atomic.Int64
	tally := func(s string) {
		v, _ := statuses.LoadOrStore(s, new(atomic.Int64))
		v.(*atomic.Int64).Add(1)
	}
	var peakRSS atomic.Int64
	sampling := make(chan struct{})
	go func() { // RSS over time, for the peak while the attack lasts
		tk := time.NewTicker(200 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-sampling:
				return
			case <-tk.C:
				if rss, _ := t.proc.memory(); int64(rss) > peakRSS.Load() {
					peakRSS.Store(int64(rss))
				}
			}
		}
	}()
	stop = make(chan struct{})
	probeDone := make(chan result)
	go func() { probeDone <- t.getUserProbe(ctx, 2, 10*time.Millisecond, stop, cfg.traceSlow, out) }()
	attackStart := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 100) // dial 100 at a time
	for i := 0; i < cfg.slowConns; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", t.addr, 10*time.Second)
			<-sem
			if err != nil {
				tally("dial error")
				return
			}
			defer c.Close()
			tally(slowBody(c, t.addr, path, body, cfg, i))
		}(i)
	}
	wg.Wait()
	attackTime := time.Since(attackStart)
	close(stop)
	probe := <-probeDone
	close(sampling)
	rss, hwm := t.proc.memory()
	lines, emfile := t.logSummary()

	var outcomes []string
	statuses.Range(func(k, v any) bool {
		outcomes = append(outcomes, fmt.Sprintf("%s ×%d", k, v.(*atomic.Int64).Load()))
		return true
	})
	sort.Strings(outcomes)
	fmt.Fprintf(out, "attack took %v; outcomes of the attack connections: %s\n", attackTime.Round(100*time.Millisecond),
		strings.Join(outcomes, ", "))
	fmt.Fprintf(out, "during the attack: GetUser %d requests, %d errors, p50 %s ms, p90 %s ms, p99 %s ms, max %s ms\n",
		probe.requests, probe.errors, ms(probe.p50), ms(probe.p90), ms(probe.p99), ms(probe.pmax))
	if probe.firstErr != "" {
		fmt.Fprintf(out, "    first error: %s\n", probe.firstErr)
	}
	fmt.Fprintf(out, "chimed memory: peak RSS (VmHWM) %d MB, highest sampled RSS %d MB, RSS after %d MB; %d log lines (%d \"too many open files\")\n",
		hwm>>10, peakRSS.Load()>>10, rss>>10, lines, emfile)
	ok := hwm>>10 < 256 && probe.p99 < 100*time.Millisecond && probe.errors == 0
	fmt.Fprintf(out, "slowbody targets (peak RSS < 256 MB, GetUser p99 < 100 ms, no errors): %s\n", passFail(ok))
	return ok, nil
}

// slowBody sends one request whose body trickles in 64 chunks over cfg.bodyTime and returns its outcome.
func slowBody(c net.Conn, host, path string, body []byte, cfg attackConfig, i int) string {
	now := time.Now().UTC()
	date := now.Format("20060102T150405Z")
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"+
		"X-Amz-Date: %s\r\nAuthorization: AWS4-HMAC-SHA256 Credential=%s/%s/%s/chime/aws4_request, "+
		"SignedHeaders=content-type;host;x-amz-date, Signature=%064x\r\n\r\n",
		path, host, cfg.bodyBytes, date, attackKey, date[:8], cfg.region, i)
	c.SetDeadline(now.Add(cfg.bodyTime + 40*time.Second))
	if _, err := io.WriteString(c, head); err != nil {
		return "closed before the body"
	}
	const chunks = 64
	// The response may come early (the server refuses before the whole body): read it concurrently.
	resp := make(chan string, 1)
	go func() {
		r, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			resp <- "closed without an answer"
			return
		}
		r.Body.Close()
		resp <- fmt.Sprintf("HTTP %d", r.StatusCode)
	}()
	interval := cfg.bodyTime / chunks
	time.Sleep(time.Duration(rand.Int64N(int64(interval) + 1))) // spread the writes
	size := (len(body) + chunks - 1) / chunks
	for off := 0; off < len(body); off += size {
		select {
		case s := <-resp:
			return s + " before the body was sent"
		default:
		}
		if _, err := c.Write(body[off:min(len(body), off+size)]); err != nil {
			select {
			case s := <-resp:
				return s + " before the body was sent"
			case <-time.After(time.Second):
				return "closed while sending the body"
			}
		}
		time.Sleep(interval)
	}
	return <-resp
}

// attackIdle: many idle keep-alive connections, then fresh clients. The connections are held by helper
// processes (`chimebench attack-idle-helper`, at most idlePerHelper each), so that together they can hold more
// than one process's open-file limit, and more than chimed's.
func attackIdle(ctx context.Context, cfg attackConfig, out io.Writer) (bool, error) {
	t, err := startAttackTarget(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer t.stop()
	var chimedLimit string
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", t.proc.cmd.Process.Pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if f := strings.Fields(l); len(f) >= 5 && strings.HasPrefix(l, "Max open files") {
				chimedLimit = f[3] + "/" + f[4]
			}
		}
	}
	n := cfg.idleConns
	helpers := (n + idlePerHelper - 1) / idlePerHelper
	fmt.Fprintf(out, "== idle: %d keep-alive connections (one request each, then idle) from %d helper processes; "+
		"chimed's open-file limit %s (soft/hard)\n", n, helpers, chimedLimit)

	self, err := os.Executable()
	if err != nil {
		return false, err
	}
	type helper struct {
		cmd *exec.Cmd
		in  io.WriteCloser
		out *bufio.Reader
	}
	hs := make([]*helper, helpers)
	start := time.Now()
	for i := range hs {
		k := n/helpers + btoi(i < n%helpers)
		cmd := exec.CommandContext(ctx, self, "attack-idle-helper", "--addr", t.addr, "--n", fmt.Sprint(k),
			"--workers", fmt.Sprint(max(1, 32/helpers)))
		cmd.Stderr = os.Stderr
		in, _ := cmd.StdinPipe()
		o, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			return false, err
		}
		hs[i] = &helper{cmd: cmd, in: in, out: bufio.NewReader(o)}
		defer func() { in.Close(); cmd.Wait() }()
	}
	opened, failed, firstErr := 0, 0, ""
	for _, h := range hs { // "opened OK FAILED [first error]"
		line, err := h.out.ReadString('\n')
		if err != nil {
			return false, fmt.Errorf("idle helper: %w", err)
		}
		var ok, bad int
		fmt.Sscanf(line, "opened %d %d", &ok, &bad)
		opened, failed = opened+ok, failed+bad
		if f := strings.SplitN(strings.TrimSpace(line), " ", 4); len(f) == 4 && firstErr == "" {
			firstErr = f[3]
		}
	}
	fmt.Fprintf(out, "opened in %v: %d answered, %d failed", time.Since(start).Round(100*time.Millisecond), opened, failed)
	if firstErr != "" {
		fmt.Fprintf(out, " (first: %s)", firstErr)
	}
	fmt.Fprintf(out, "; chimed holds %d file descriptors\n", t.openFDs())

	// Fresh clients: a signed GetUser on a new connection each; stop at the first failure.
	probeClient := newClient(t.proc.url, attackKey, attackSecret, cfg.region, 1)
	probeClient.http = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	var worst time.Duration
	answered, tried := 0, 0
	var probeErr string
	for i := 0; i < 10 && probeErr == ""; i++ {
		tried++
		t0 := time.Now()
		status, body, err := probeClient.do(ctx, "GET", "/accounts/"+t.account+"/users/"+t.ids[i%len(t.ids)], nil)
		d := time.Since(t0)
		worst = max(worst, d)
		if err != nil || status != 200 {
			probeErr = fmt.Sprintf("after %v: %d %v %.100s", d.Round(time.Millisecond), status, err, body)
			break
		}
		answered++
	}
	open := 0
	for _, h := range hs { // "check" → "open K"
		io.WriteString(h.in, "check\n")
		line, err := h.out.ReadString('\n')
		if err != nil {
			return false, fmt.Errorf("idle helper: %w", err)
		}
		var k int
		fmt.Sscanf(line, "open %d", &k)
		open += k
	}
	_, hwm := t.proc.memory()
	lines, emfile := t.logSummary()
	fmt.Fprintf(out, "fresh clients (signed GetUser, new connection each): %d/%d answered, slowest %v", answered, tried,
		worst.Round(100*time.Microsecond))
	if probeErr != "" {
		fmt.Fprintf(out, "; failed %s", probeErr)
	}
	fmt.Fprintf(out, "\nidle connections the server still holds: %d of %d; chimed peak RSS %d MB; %d log lines (%d \"too many open files\")\n",
		open, opened, hwm>>10, lines, emfile)
	ok := probeErr == "" && worst <= cfg.probeBound
	fmt.Fprintf(out, "idle target (every fresh client answered within %v): %s\n", cfg.probeBound, passFail(ok))
	return ok, nil
}

// idlePerHelper is the most idle connections one helper process holds (under a usual limit of 20,000 files).
const idlePerHelper = 10000

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// runIdleHelper opens --n idle keep-alive connections to --addr, prints "opened OK FAILED [first error]",
// then answers each "check" line on stdin with "open K" (the connections the server still holds) until EOF.
func runIdleHelper(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("attack-idle-helper", flag.ContinueOnError)
	addr := fs.String("addr", "", "chimed's address")
	n := fs.Int("n", 0, "connections")
	workers := fs.Int("workers", 16, "connections opened at once")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, _, err := raiseOwnFileLimit(uint64(*n) + 256); err != nil {
		return err
	}
	conns := make([]net.Conn, *n)
	var failed atomic.Int64
	var firstErr atomic.Value
	next := make(chan int)
	go func() {
		for i := range conns {
			next <- i
		}
		close(next)
	}()
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := idleConn(*addr)
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	fmt.Fprintf(out, "opened %d %d", *n-int(failed.Load()), failed.Load())
	if e := firstErr.Load(); e != nil {
		fmt.Fprintf(out, " %s", e)
	}
	fmt.Fprintln(out)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		var open atomic.Int64
		var wg sync.WaitGroup
		for _, c := range conns {
			if c == nil {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
				_, err := c.Read(make([]byte, 1))
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					open.Add(1)
				}
			}()
		}
		wg.Wait()
		fmt.Fprintf(out, "open %d\n", open.Load())
	}
	return nil
}

// idleConn opens a connection, gets /_chimed/health on it keep-alive and returns it open.
func idleConn(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(c, "GET /_chimed/health HTTP/1.1\r\nHost: chimed\r\n\r\n"); err != nil {
		c.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	c.SetDeadline(time.Time{})
	return c, nil
}

// raiseOwnFileLimit raises this process's open-file limit to at least want (the hard limit too, when allowed),
// else to the hard limit.
func raiseOwnFileLimit(want uint64) (soft, hard uint64, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, err
	}
	if lim.Max < want {
		up := syscall.Rlimit{Cur: want, Max: want}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &up) == nil {
			return want, want, nil
		}
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, err
	}
	return lim.Cur, lim.Max, nil
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}
