package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// benchConfig are the flags of `chimebench run`.
type benchConfig struct {
	chimedBin   string
	users       int
	direct      bool
	workloads   string
	concurrency int
	duration    time.Duration
	region      string
	extraArgs   string
	keepDir     bool
	warmup      time.Duration
	rounds      int
}

func runBench(ctx context.Context, args []string, out io.Writer) error {
	var cfg benchConfig
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&cfg.chimedBin, "chimed-bin", "", "chimed binary to start (required)")
	fs.IntVar(&cfg.users, "users", 10000, "users in the benchmark account")
	fs.BoolVar(&cfg.direct, "direct", false, "seed straight into the store instead of through the API")
	fs.StringVar(&cfg.workloads, "workloads", "get,list,listemail,invite,update,batch,mix",
		"comma-separated: get list list-mid list-last listemail invite update batch mix durable")
	fs.IntVar(&cfg.concurrency, "c", 32, "concurrent clients")
	fs.DurationVar(&cfg.duration, "d", 10*time.Second, "duration of each measurement")
	fs.StringVar(&cfg.region, "region", "us-east-1", "signing region")
	fs.StringVar(&cfg.extraArgs, "chimed-args", "", "extra arguments for chimed serve (space-separated)")
	fs.BoolVar(&cfg.keepDir, "keep", false, "keep the temporary data directory")
	fs.DurationVar(&cfg.warmup, "warmup", 5*time.Second, "untimed run of each workload first (fills caches)")
	fs.IntVar(&cfg.rounds, "rounds", 4,
		"chimed and the reference alternate this many times within -d each, so drift of a shared machine hits both")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.chimedBin == "" {
		return errors.New("--chimed-bin is required (go build -o /tmp/chimed ./cmd/chimed)")
	}
	dir, err := os.MkdirTemp("", "chimebench-")
	if err != nil {
		return err
	}
	if !cfg.keepDir {
		defer os.RemoveAll(dir)
	}
	dsn := "sqlite:" + filepath.Join(dir, "chimed.db")
	const key, secret = "AKCHBENCHMARKKEY0001", "benchmark-secret-0123456789abcdef"

	var account string
	var ids, emails []string
	if cfg.direct {
		t0 := time.Now()
		if account, ids, emails, err = seedDirect(ctx, dsn, cfg.users); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		fmt.Fprintf(out, "seeded %d users directly in %v\n", cfg.users, time.Since(t0).Round(time.Millisecond))
	}
	srv, err := startChimed(ctx, cfg.chimedBin, dsn, key, secret, strings.Fields(cfg.extraArgs))
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(out, "chimed start to ready: %v\n", srv.startToReady.Round(100*time.Microsecond))
	c := newClient(srv.url, key, secret, cfg.region, cfg.concurrency)
	if !cfg.direct {
		t0 := time.Now()
		if account, ids, emails, err = seedAPI(ctx, c, cfg.users); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		fmt.Fprintf(out, "seeded %d users through InviteUsers in %v\n", len(ids), time.Since(t0).Round(time.Millisecond))
	}
	w := &workloads{account: account, ids: ids, emails: emails, c: c}
	printHeader(out)
	for _, name := range strings.Split(cfg.workloads, ",") {
		name = strings.TrimSpace(name)
		if name == "durable" {
			if err := benchDurable(ctx, cfg, out); err != nil {
				return err
			}
			continue
		}
		ops, weights, err := w.build(ctx, name)
		if err != nil {
			return err
		}
		if cfg.warmup > 0 {
			if name == "get" || name == "mix" {
				w.touchAll(ctx, cfg.concurrency)
			}
			run(ctx, c, name, ops, weights, cfg.concurrency, cfg.warmup, ok2xx)
		}
		res, ceiling, err := measure(ctx, cfg, c, name, ops, weights)
		if err != nil {
			return err
		}
		printResult(out, res, ceiling.rps())
		ceiling.name = "  ceiling (reference)"
		printResult(out, ceiling, 0)
	}
	rss, hwm := srv.memory()
	fmt.Fprintf(out, "chimed memory after the run: RSS %d MB (peak %d MB) with %d users stored\n", rss>>10, hwm>>10, len(ids))
	return nil
}

func ok2xx(status int) bool { return status >= 200 && status < 300 }

// measure runs a workload against chimed and against the reference server in alternating slices.
func measure(ctx context.Context, cfg benchConfig, c *client, name string, ops []op, weights []int) (result, result, error) {
	ref, stop, err := startReference(ctx, cfg, c, ops)
	if err != nil {
		return result{}, result{}, err
	}
	defer stop()
	rounds := max(1, cfg.rounds)
	slice := cfg.duration / time.Duration(rounds)
	var mine, theirs []result
	for i := 0; i < rounds; i++ {
		mine = append(mine, run(ctx, c, name, ops, weights, cfg.concurrency, slice, ok2xx))
		theirs = append(theirs, run(ctx, ref, "ceiling", ops, weights, cfg.concurrency, slice, ok2xx))
	}
	return merge(mine), merge(theirs), nil
}

// startReference starts a reference server whose body has the size of a real response of the workload.
func startReference(ctx context.Context, cfg benchConfig, real *client, ops []op) (*client, func(), error) {
	method, path, body := ops[0].next(rand.New(rand.NewPCG(1, 2)))
	_, resp, err := real.do(ctx, method, path, body)
	if err != nil {
		return nil, nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	cmd := exec.CommandContext(ctx, self, "reference", "--size", strconv.Itoa(len(resp)))
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	stop := func() { cmd.Process.Kill(); cmd.Wait() }
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		return nil, nil, err
	}
	ref := newClient("http://"+strings.TrimSpace(strings.TrimPrefix(line, "listening ")), real.creds.AccessKeyID,
		real.creds.SecretAccessKey, real.region, cfg.concurrency)
	return ref, stop, nil
}

// chimedProc is a chimed child process.
type chimedProc struct {
	cmd          *exec.Cmd
	url          string
	startToReady time.Duration
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startChimed starts chimed serve on a free port and measures the time from exec to a 200 from /_chimed/ready.
func startChimed(ctx context.Context, bin, dsn, key, secret string, extra []string) (*chimedProc, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--listen", addr, "--db", dsn, "--log-level", "warn"}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "CHIMED_ACCESS_KEY_ID="+key, "CHIMED_SECRET_ACCESS_KEY="+secret,
		"CHIMED_AWS_ACCOUNT_ID="+benchAWS, "CHIMED_RATE_LIMIT=0")
	cmd.Stderr = os.Stderr
	p := &chimedProc{cmd: cmd, url: "http://" + addr}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: time.Second}
	for time.Since(t0) < 30*time.Second {
		resp, err := hc.Get(p.url + "/_chimed/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				p.startToReady = time.Since(t0)
				return p, nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	p.stop()
	return nil, errors.New("chimed did not become ready")
}

func (p *chimedProc) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// memory returns the resident set size and its peak, in KiB, from /proc.
func (p *chimedProc) memory() (rss, hwm int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "VmRSS:" {
			rss, _ = strconv.Atoi(f[1])
		} else if len(f) >= 2 && f[0] == "VmHWM:" {
			hwm, _ = strconv.Atoi(f[1])
		}
	}
	return rss, hwm
}

// benchDurable compares InviteUsers at 64 writers with synchronous=FULL against the same with durability off.
func benchDurable(ctx context.Context, cfg benchConfig, out io.Writer) error {
	const key, secret = "AKCHBENCHMARKKEY0002", "benchmark-secret-0123456789abcdef"
	var rps [2]float64
	for i, extra := range [][]string{nil, {"--sqlite-synchronous", "off"}} {
		dir, err := os.MkdirTemp("", "chimebench-durable-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		srv, err := startChimed(ctx, cfg.chimedBin, "sqlite:"+filepath.Join(dir, "c.db"), key, secret,
			append(strings.Fields(cfg.extraArgs), extra...))
		if err != nil {
			return err
		}
		c := newClient(srv.url, key, secret, cfg.region, 64)
		a, _, _, err := seedAPI(ctx, c, 0)
		if err != nil {
			srv.stop()
			return err
		}
		w := &workloads{account: a, c: c}
		ops, weights, _ := w.build(ctx, "invite")
		name := "invite c64 synchronous=FULL"
		if i == 1 {
			name = "invite c64 durability off"
		}
		res := run(ctx, c, name, ops, weights, 64, cfg.duration, ok2xx)
		srv.stop()
		rps[i] = res.rps()
		printResult(out, res, 0)
	}
	fmt.Fprintf(out, "durable/non-durable throughput ratio: %.2fx\n", rps[0]/rps[1])
	return nil
}

// workloads builds the request generators of each named workload.
type workloads struct {
	account string
	ids     []string
	emails  []string
	c       *client
	fresh   atomic.Int64
	touched bool
}

func (w *workloads) build(ctx context.Context, name string) ([]op, []int, error) {
	base := "/accounts/" + w.account + "/users"
	pick := func(r *rand.Rand) int { return r.IntN(len(w.ids)) }
	get := op{"GetUser", func(r *rand.Rand) (string, string, []byte) { return "GET", base + "/" + w.ids[pick(r)], nil }}
	list := op{"ListUsers", func(*rand.Rand) (string, string, []byte) { return "GET", base + "?max-results=100", nil }}
	email := op{"ListUsers email", func(r *rand.Rand) (string, string, []byte) {
		return "GET", base + "?user-email=" + url.QueryEscape(w.emails[pick(r)]), nil
	}}
	invite := op{"InviteUsers", func(*rand.Rand) (string, string, []byte) {
		n := w.fresh.Add(1)
		return "POST", base + "?operation=add", []byte(fmt.Sprintf(`{"UserEmailList":["new%d-%d@bench.example.com"]}`, time.Now().UnixNano(), n))
	}}
	update := op{"UpdateUser", func(r *rand.Rand) (string, string, []byte) {
		lic := [2]string{"Basic", "Pro"}[r.IntN(2)]
		return "POST", base + "/" + w.ids[pick(r)], []byte(`{"LicenseType":"` + lic + `"}`)
	}}
	batch := op{"BatchUpdateUser", func(r *rand.Rand) (string, string, []byte) {
		items := make([]map[string]string, 20)
		for i := range items {
			items[i] = map[string]string{"UserId": w.ids[pick(r)], "LicenseType": [2]string{"Basic", "Pro"}[r.IntN(2)]}
		}
		b, _ := json.Marshal(map[string]any{"UpdateUserRequestItems": items})
		return "POST", base, b
	}}
	needUsers := map[string]bool{"get": true, "listemail": true, "update": true, "batch": true, "mix": true}
	if needUsers[name] && len(w.ids) == 0 {
		return nil, nil, fmt.Errorf("workload %s needs --users > 0", name)
	}
	switch name {
	case "get":
		return []op{get}, []int{1}, nil
	case "list":
		return []op{list}, []int{1}, nil
	case "list-mid", "list-last":
		frac := 0.5
		if name == "list-last" {
			frac = 0.999
		}
		token, err := tokenAt(ctx, w.c, w.account, int(frac*float64(len(w.ids))))
		if err != nil {
			return nil, nil, err
		}
		return []op{{name, func(*rand.Rand) (string, string, []byte) {
			return "GET", base + "?max-results=100&next-token=" + url.QueryEscape(token), nil
		}}}, []int{1}, nil
	case "listemail":
		return []op{email}, []int{1}, nil
	case "invite":
		return []op{invite}, []int{1}, nil
	case "update":
		return []op{update}, []int{1}, nil
	case "batch":
		return []op{batch}, []int{1}, nil
	case "mix":
		return []op{get, list, email, invite, update, batch}, []int{60, 10, 10, 10, 5, 5}, nil
	}
	return nil, nil, fmt.Errorf("unknown workload %q", name)
}

// touchAll reads every user once (a server with a read cache then holds the whole working set).
func (w *workloads) touchAll(ctx context.Context, concurrency int) {
	if w.touched {
		return
	}
	w.touched = true
	next := make(chan string)
	go func() {
		for _, id := range w.ids {
			next <- id
		}
		close(next)
	}()
	var wg sync.WaitGroup
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range next {
				w.c.do(ctx, "GET", "/accounts/"+w.account+"/users/"+id, nil)
			}
		}()
	}
	wg.Wait()
}

// tokenAt walks ListUsers (200 per page) until about position pos and returns the NextToken found there.
func tokenAt(ctx context.Context, c *client, account string, pos int) (string, error) {
	token := ""
	for seen := 0; seen < pos; {
		path := "/accounts/" + account + "/users?max-results=200"
		if token != "" {
			path += "&next-token=" + url.QueryEscape(token)
		}
		status, body, err := c.do(ctx, "GET", path, nil)
		if err != nil || status != 200 {
			return "", fmt.Errorf("ListUsers: %d %v", status, err)
		}
		var out struct {
			Users     []json.RawMessage
			NextToken string
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return "", err
		}
		if out.NextToken == "" {
			break
		}
		seen += len(out.Users)
		token = out.NextToken
	}
	return token, nil
}
