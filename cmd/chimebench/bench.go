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
	compareBin  string // --compare-bin: a second build deployed on each store too, alternating with the first
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
	load        string
	pool        int
	dbs         string
	nodes       int
	wrk         bool
	rooms       int
	bots        int
	profile     string
	refWorkUS   int // --reference-work-us
	seedDir     string
	pin         pinning // --pin: the servers' CPUs and the generator's
}

// readWorkloads are the workloads whose requests can be replayed and that presigned load drives by default.
var readWorkloads = map[string]bool{"get": true, "list": true, "list-mid": true, "list-last": true,
	"listemail": true, "phones": true, "rooms": true}

// replayable are the workloads whose requests may be sent more than once (--load presigned accepts them).
var replayable = map[string]bool{"update": true, "batch": true}

// presignedFor reports whether workload name runs with presigned load under cfg.
func (cfg benchConfig) presignedFor(name string) bool {
	switch cfg.load {
	case "sdk":
		return false
	case "presigned":
		return readWorkloads[name] || replayable[name]
	}
	return readWorkloads[name]
}

const benchKey, benchSecret = "AKCHBENCHMARKKEY0001", "benchmark-secret-0123456789abcdef"

func runBench(ctx context.Context, args []string, out io.Writer) error {
	var cfg benchConfig
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&cfg.chimedBin, "chimed-bin", "", "chimed binary to start (required)")
	fs.StringVar(&cfg.compareBin, "compare-bin", "", "a second chimed binary, deployed on its own copy of each store and "+
		"measured in the same rounds as --chimed-bin and the reference (two builds compared under the same drift)")
	fs.IntVar(&cfg.users, "users", 10000, "users in the benchmark account")
	fs.BoolVar(&cfg.direct, "direct", false, "seed straight into the store instead of through the API")
	fs.StringVar(&cfg.workloads, "workloads", "get,list,listemail,invite,update,batch,mix",
		"comma-separated: get list list-mid list-last listemail invite update batch mix durable\n"+
			"phones (ListPhoneNumbers, 1,000 numbers) rooms (ListRooms, --rooms rooms) botevents (bot events delivered end to end)")
	fs.IntVar(&cfg.concurrency, "c", 32, "concurrent clients (connections)")
	fs.DurationVar(&cfg.duration, "d", 10*time.Second, "duration of each measurement")
	fs.StringVar(&cfg.region, "region", "us-east-1", "signing region")
	fs.StringVar(&cfg.extraArgs, "chimed-args", "", "extra arguments for chimed serve (space-separated)")
	fs.BoolVar(&cfg.keepDir, "keep", false, "keep the temporary data directory")
	fs.DurationVar(&cfg.warmup, "warmup", 5*time.Second, "untimed run of each workload first (fills caches)")
	fs.IntVar(&cfg.rounds, "rounds", 4,
		"chimed and the reference alternate this many times within -d each, so drift of a shared machine hits both")
	fs.StringVar(&cfg.load, "load", "auto", "how requests are generated: presigned (a pool of signed requests "+
		"replayed over raw keep-alive connections), sdk (a fresh aws-sdk-go-v2 signature and net/http per request), "+
		"or auto (presigned for read workloads, sdk for writes)")
	fs.IntVar(&cfg.pool, "pool", 10000, "signed requests in a presigned pool (re-signed every 2 minutes)")
	fs.StringVar(&cfg.dbs, "db", "sqlite", "comma-separated stores measured in the same run: sqlite (a temporary "+
		"file) and/or a postgres:// URL (a fresh schema is created in it and dropped afterwards)")
	fs.IntVar(&cfg.nodes, "nodes", 1, "chimed nodes started on each PostgreSQL store (connections spread over them)")
	fs.IntVar(&cfg.rooms, "rooms", 1000, "rooms in the enterprise account of the rooms workload (at most 1500)")
	fs.IntVar(&cfg.bots, "bots", 10, "bots (each in its own room) of the botevents workload (at most 10)")
	fs.StringVar(&cfg.profile, "profile", "", "write a CPU profile of the first chimed process over each workload's "+
		"measurement to PREFIX-WORKLOAD.prof (chimed started with --pprof on a free port), and the reference's to "+
		"PREFIX-WORKLOAD-reference.prof")
	fs.StringVar(&cfg.seedDir, "seed-dir", "", "with --direct: keep the seeded SQLite store of --users users in this "+
		"directory and start later runs from a copy of it (delete it after changing chimebench or the migrations)")
	fs.BoolVar(&cfg.wrk, "wrk", false, "after each presigned workload, replay the same pool with wrk against the first "+
		"chimed and the reference (wrk on PATH), to check that chimebench's generator is not the bottleneck")
	fs.IntVar(&cfg.refWorkUS, "reference-work-us", 0, "the reference burns this many µs of CPU on each request "+
		"before answering: a bare server as costly as a real one, to show what the setup alone does to a server of "+
		"that cost (its tail latency, say); the ratio to it is then not the ceiling's")
	pin := fs.String("pin", "", "SERVER/LOAD: start chimed and the reference on the SERVER CPUs and run the load "+
		"generator on the LOAD CPUs (CPU lists as taskset takes them, e.g. 1/0), so the generator's threads never "+
		"queue ahead of a server's; PostgreSQL is not moved")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if cfg.pin, err = parsePin(*pin); err != nil {
		return err
	}
	if err := cfg.pin.pinSelf(); err != nil {
		return err
	}
	if cfg.chimedBin == "" {
		return errors.New("--chimed-bin is required (go build -o /tmp/chimed ./cmd/chimed)")
	}
	if cfg.load != "auto" && cfg.load != "sdk" && cfg.load != "presigned" {
		return fmt.Errorf("--load %q: want auto, presigned or sdk", cfg.load)
	}
	var deps []*deployment
	defer func() {
		for _, d := range deps {
			d.stop()
		}
	}()
	bins := []string{cfg.chimedBin}
	if cfg.compareBin != "" {
		bins = append(bins, cfg.compareBin)
	}
	for _, db := range strings.Split(cfg.dbs, ",") {
		for i, bin := range bins {
			d, err := deploy(ctx, cfg, strings.TrimSpace(db), bin, i > 0, out)
			if err != nil {
				return err
			}
			deps = append(deps, d)
		}
	}
	printHeader(out)
	var failed []string
	for _, name := range strings.Split(cfg.workloads, ",") {
		name = strings.TrimSpace(name)
		var errs int64
		var err error
		switch name {
		case "durable":
			err = benchDurable(ctx, cfg, out)
		case "botevents":
			for _, d := range deps {
				if errs, err = benchBotEvents(ctx, cfg, d, out); err != nil || errs > 0 {
					break
				}
			}
		default:
			errs, err = benchWorkload(ctx, cfg, deps, name, out)
		}
		if err != nil {
			return err
		}
		if errs > 0 {
			failed = append(failed, fmt.Sprintf("%s (%d)", name, errs))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("requests failed in workloads %s", strings.Join(failed, ", "))
	}
	return nil
}

// benchWorkload warms up and measures one workload on every deployment and the reference server, alternating,
// and returns the number of failed requests in the measurement.
func benchWorkload(ctx context.Context, cfg benchConfig, deps []*deployment, name string, out io.Writer) (int64, error) {
	presigned := cfg.presignedFor(name)
	var targets []*target
	defer func() {
		for _, t := range targets {
			if t.pool != nil && !t.sharedPool {
				t.pool.close()
			}
		}
	}()
	for _, d := range deps {
		if err := d.w.prepare(ctx, name); err != nil {
			return 0, err
		}
		ops, weights, err := d.w.build(ctx, name)
		if err != nil {
			return 0, err
		}
		t := &target{name: fmt.Sprintf("%s %s", name, d.name), addrs: d.addrs(), pids: d.pids(),
			clients: d.clients, ops: ops, weights: weights}
		if len(deps) == 1 {
			t.name = name
		}
		if presigned {
			if t.pool, err = newSignedPool(ctx, d.clients[0], d.addrs()[0], ops, weights, cfg.pool); err != nil {
				return 0, err
			}
		}
		targets = append(targets, t)
		if cfg.warmup > 0 {
			if name == "get" || name == "mix" {
				t0 := time.Now()
				if n := d.w.touchAll(ctx, cfg.concurrency, d.addrs()); n > 0 {
					return 0, fmt.Errorf("%s: reading every user once: %d reads failed", d.name, n)
				}
				fmt.Fprintf(out, "    %s: read all %d users once in %v\n", d.name, len(d.w.ids), time.Since(t0).Round(time.Millisecond))
			}
			t.run(ctx, cfg, cfg.warmup, presigned)
		}
	}
	ref, stop, err := startReference(ctx, cfg, targets[0])
	if err != nil {
		return 0, err
	}
	defer stop()
	rounds := max(1, cfg.rounds)
	slice := cfg.duration / time.Duration(rounds)
	if cfg.profile != "" {
		// The profile covers the whole alternating measurement: samples are taken while chimed is busy.
		total := time.Duration(rounds) * slice * time.Duration(len(deps)+1)
		done := profileCPU(ctx, deps[0].procs[0].pprof, total, fmt.Sprintf("%s-%s.prof", cfg.profile, name),
			"the first chimed", out)
		defer func() { <-done }()
		// The reference's own profile over the same span, to compare where each spends its CPU.
		doneRef := profileCPU(ctx, ref.pprof, total, fmt.Sprintf("%s-%s-reference.prof", cfg.profile, name),
			"the reference", out)
		defer func() { <-doneRef }()
	}
	all := append(append([]*target(nil), targets...), ref)
	res := make([][]result, len(all))
	for i := 0; i < rounds; i++ {
		for j, t := range all {
			res[j] = append(res[j], t.run(ctx, cfg, slice, presigned))
		}
	}
	ceiling := merge(res[len(all)-1])
	mode := "sdk"
	if presigned {
		mode = "presigned"
	}
	merged := make([]result, len(deps))
	failed := ceiling.errors
	for j, d := range deps {
		r := merge(res[j])
		merged[j] = r
		failed += r.errors
		r.name += " [" + mode + "]"
		printResult(out, r, ceiling.rps(), ceiling.cpuPerReq())
		base := 0 // the first store's first build; a --compare-bin deployment is compared with its store's first
		if d.compare {
			base = j - 1
		}
		if j > 0 && merged[base].rps() > 0 {
			cpu := ""
			if c := merged[base].cpuPerReq(); c > 0 {
				cpu = fmt.Sprintf(", %.2fx CPU per request", r.cpuPerReq()/c)
			}
			fmt.Fprintf(out, "    %s / %s: %.2fx req/s%s\n", d.name, deps[base].name, r.rps()/merged[base].rps(), cpu)
		}
	}
	ceiling.name = "  ceiling (reference)"
	if cfg.refWorkUS > 0 {
		ceiling.name = fmt.Sprintf("  reference + %d µs CPU", cfg.refWorkUS)
	}
	printResult(out, ceiling, 0, 0)
	if cfg.wrk && presigned {
		half := cfg.duration / 2
		mine, err := runWrk(ctx, targets[0].pool, targets[0].addrs[0], cfg.concurrency, half)
		if err != nil {
			return 0, err
		}
		theirs, err := runWrk(ctx, targets[0].pool, ref.addrs[0], cfg.concurrency, half)
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(out, "    wrk, same requests, %v each: %s node 1 %.0f req/s, p50 %s ms, p99 %s ms (%d non-2xx); "+
			"reference %.0f req/s, p50 %s ms, p99 %s ms (%d non-2xx): %.2fx\n", half, deps[0].name,
			mine.rps, ms(mine.p50), ms(mine.p99), mine.non2xx, theirs.rps, ms(theirs.p50), ms(theirs.p99), theirs.non2xx,
			mine.rps/theirs.rps)
	}
	for _, d := range deps {
		for i, p := range d.procs {
			rss, hwm := p.memory()
			fmt.Fprintf(out, "    memory %s node %d after %s: RSS %d MB (peak %d MB), %d users stored\n",
				d.name, i+1, name, rss>>10, hwm>>10, len(d.w.ids))
		}
	}
	return failed, nil
}

// target is what a measurement drives: one deployment's nodes, or the reference server.
type target struct {
	name       string
	addrs      []string // host:port of each process; connections are spread over them
	pids       []int
	clients    []*client // one per process (SDK load)
	ops        []op
	weights    []int
	pool       *signedPool // presigned load
	sharedPool bool        // pool belongs to another target
	pprof      string      // address of its net/http/pprof server ("" when not profiled)
}

// run drives the target for d in the chosen load mode.
func (t *target) run(ctx context.Context, cfg benchConfig, d time.Duration, presigned bool) result {
	if presigned {
		return runPresigned(ctx, t.name, t.addrs, t.pool, cfg.concurrency, d, t.pids)
	}
	return run(ctx, t.clients, t.name, t.ops, t.weights, cfg.concurrency, d, ok2xx, t.pids...)
}

func ok2xx(status int) bool { return status >= 200 && status < 300 }

// startReference starts a reference server whose body has the size of a real response of the workload; it is
// driven with real's requests (its pool, in presigned mode: the same bytes).
func startReference(ctx context.Context, cfg benchConfig, real *target) (*target, func(), error) {
	method, path, body := real.ops[0].next(rand.New(rand.NewPCG(1, 2)))
	_, resp, err := real.clients[0].do(ctx, method, path, body)
	if err != nil {
		return nil, nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, nil, err
	}
	args := []string{"reference", "--size", strconv.Itoa(len(resp))}
	if cfg.refWorkUS > 0 {
		args = append(args, "--work-us", strconv.Itoa(cfg.refWorkUS))
	}
	pprofAddr := ""
	if cfg.profile != "" {
		if pprofAddr, err = freePort(); err != nil {
			return nil, nil, err
		}
		args = append(args, "--pprof", pprofAddr)
	}
	cmd := cfg.pin.command(ctx, self, args...)
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
	addr := strings.TrimSpace(strings.TrimPrefix(line, "listening "))
	c0 := real.clients[0]
	ref := &target{name: "ceiling", addrs: []string{addr}, pids: []int{cmd.Process.Pid}, pprof: pprofAddr,
		clients: []*client{newClient("http://"+addr, c0.creds.AccessKeyID, c0.creds.SecretAccessKey, c0.region,
			cfg.concurrency)}, ops: real.ops, weights: real.weights, pool: real.pool, sharedPool: true}
	return ref, stop, nil
}

// chimedProc is a chimed child process.
type chimedProc struct {
	cmd          *exec.Cmd
	url          string
	pprof        string // address of its net/http/pprof server ("" when not started with one)
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
// With pinning it runs on the pinned servers' CPUs.
func startChimed(ctx context.Context, pin pinning, bin, dsn, key, secret string, extra []string) (*chimedProc, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--listen", addr, "--db", dsn, "--log-level", "warn"}, extra...)
	cmd := pin.command(ctx, bin, args...)
	cmd.Env = append(os.Environ(), "CHIMED_ACCESS_KEY_ID="+key, "CHIMED_SECRET_ACCESS_KEY="+secret,
		"CHIMED_AWS_ACCOUNT_ID="+benchAWS, "CHIMED_RATE_LIMIT=0",
		// The same on every node of a PostgreSQL store (each node must read the credentials the others sealed).
		"CHIMED_MASTER_KEY=chimebench master key, the same on every node")
	cmd.Stderr = os.Stderr
	p := &chimedProc{cmd: cmd, url: "http://" + addr}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	hc := &http.Client{Timeout: time.Second}
	// A --seed-dir store of an older schema is migrated on start: a million users can take half a minute.
	for time.Since(t0) < 2*time.Minute {
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
func (p *chimedProc) memory() (rss, hwm int) { return processMemory(p.cmd.Process.Pid) }

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
		srv, err := startChimed(ctx, cfg.pin, cfg.chimedBin, "sqlite:"+filepath.Join(dir, "c.db"), key, secret,
			append(strings.Fields(cfg.extraArgs), extra...))
		if err != nil {
			return err
		}
		c := newClient(srv.url, key, secret, cfg.region, 64)
		cs := []*client{c}
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
		res := run(ctx, cs, name, ops, weights, 64, cfg.duration, ok2xx, srv.cmd.Process.Pid)
		srv.stop()
		rps[i] = res.rps()
		printResult(out, res, 0, 0)
	}
	fmt.Fprintf(out, "durable/non-durable throughput ratio: %.2fx\n", rps[0]/rps[1])
	return nil
}

// workloads builds the request generators of each named workload.
type workloads struct {
	dsn      string
	rooms    int             // rooms to seed for the "rooms" workload
	prepared map[string]bool // workloads whose data is seeded
	ent      string          // the enterprise account of rooms and bots ("" until created)
	entUser  string          // its user
	account  string
	ids      []string
	emails   []string
	c        *client
	fresh    atomic.Int64
	touched  bool
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
	if o, ok := w.newOps(name); ok {
		return []op{o}, []int{1}, nil
	}
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

// touchAll reads every user once (a server with a read cache then holds the whole working set), over raw
// keep-alive connections to addrs, each request signed as it is sent. It returns the count of failed reads.
func (w *workloads) touchAll(ctx context.Context, concurrency int, addrs []string) int64 {
	if w.touched {
		return 0
	}
	w.touched = true
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := &rawConn{addr: addrs[i%len(addrs)], closeAt: time.Now().Add(time.Hour)}
			defer rc.close()
			for ctx.Err() == nil {
				j := int(next.Add(1)) - 1
				if j >= len(w.ids) {
					return
				}
				req, err := w.c.presign(ctx, addrs[0], "GET", "/accounts/"+w.account+"/users/"+w.ids[j], nil, time.Now())
				if err == nil {
					var status int
					status, err = rc.roundTrip(req)
					if err == nil && status != 200 {
						err = fmt.Errorf("status %d", status)
					}
				}
				if err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return failed.Load()
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
