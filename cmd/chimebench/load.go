package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// client sends SigV4-signed requests the way an SDK does (fresh signature per request, aws-sdk-go-v2 signer).
type client struct {
	base   string
	creds  aws.Credentials
	region string
	signer *v4.Signer
	http   *http.Client
}

func newClient(base, key, secret, region string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: time.Minute,
		DisableCompression: true}
	return &client{base: strings.TrimSuffix(base, "/"), creds: aws.Credentials{AccessKeyID: key, SecretAccessKey: secret},
		region: region, signer: v4.NewSigner(), http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

var emptySHA = func() string { s := sha256.Sum256(nil); return hex.EncodeToString(s[:]) }()

// do sends one signed request and returns the status and body.
func (c *client) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var rd io.Reader
	hash := emptySHA
	if body != nil {
		rd = bytes.NewReader(body)
		s := sha256.Sum256(body)
		hash = hex.EncodeToString(s[:])
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := c.signer.SignHTTP(ctx, c.creds, req, hash, "chime", c.region, time.Now()); err != nil {
		return 0, nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// op is one kind of request of a workload: it builds a request; ok tells a success status.
type op struct {
	name string
	next func(r *rand.Rand) (method, path string, body []byte)
}

// result is the outcome of a run against one target.
type result struct {
	hist                *histogram
	name                string
	concurrency         int
	requests            int // completed, errors included
	errors              int64
	firstErr            string
	elapsed             time.Duration
	p50, p90, p99, pmax time.Duration
	serverCPU           cpuTime       // CPU time the target's processes used during the run (0: not measured)
	genCPU              time.Duration // CPU time chimebench itself used during the run
}

func (r result) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// cpuPerReq is the target's CPU time per completed request, in microseconds (0 when not measured).
func (r result) cpuPerReq() float64 {
	if r.requests == 0 || r.serverCPU.total() == 0 {
		return 0
	}
	return float64(r.serverCPU.total().Microseconds()) / float64(r.requests)
}

// sysShare is the part of the target's CPU time spent in the kernel (syscalls, TCP, scheduling), 0..1.
func (r result) sysShare() float64 {
	if t := r.serverCPU.total(); t > 0 {
		return float64(r.serverCPU.sys) / float64(t)
	}
	return 0
}

// genPerReq is chimebench's own CPU time per completed request, in microseconds.
func (r result) genPerReq() float64 {
	if r.requests == 0 {
		return 0
	}
	return float64(r.genCPU.Microseconds()) / float64(r.requests)
}

// errorLog keeps the count and the first of a run's failures.
type errorLog struct {
	mu    sync.Mutex
	n     int64
	first string
}

func (e *errorLog) add(describe func() string) {
	e.mu.Lock()
	e.n++
	if e.first == "" {
		e.first = describe()
	}
	e.mu.Unlock()
}

// run drives ops (chosen by weight) at the given concurrency for d with SDK-style signing (a fresh signature per
// request, net/http client) and reports latency percentiles; pids are the target's processes, whose CPU time is
// measured over the run.
func run(ctx context.Context, cs []*client, name string, ops []op, weights []int, concurrency int, d time.Duration,
	okStatus func(int) bool, pids ...int) result {
	total := 0
	for _, w := range weights {
		total += w
	}
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
			c := cs[w%len(cs)]
			r := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for time.Now().Before(deadline) && ctx.Err() == nil {
				n := r.IntN(total)
				i := 0
				for n >= weights[i] {
					n -= weights[i]
					i++
				}
				method, path, body := ops[i].next(r)
				t0 := time.Now()
				status, resp, err := c.do(ctx, method, path, body)
				lat := time.Since(t0)
				count.Add(1)
				if err != nil || !okStatus(status) {
					errs.add(func() string { return fmt.Sprintf("%s %s: %d %v %.200s", method, path, status, err, resp) })
					continue
				}
				h.record(lat)
			}
		}(w)
	}
	wg.Wait()
	res := result{name: name, concurrency: concurrency, requests: int(count.Load()), errors: errs.n,
		firstErr: errs.first, elapsed: time.Since(start), hist: new(histogram)}
	if len(pids) > 0 {
		res.serverCPU = cpuOf(pids).sub(cpu0)
	}
	res.genCPU = cpuOf([]int{os.Getpid()}).sub(gen0).total()
	for _, h := range hists {
		res.hist.merge(h)
	}
	res.percentiles()
	return res
}

// percentiles fills p50, p90, p99 and max from the histogram.
func (r *result) percentiles() {
	if r.hist == nil {
		return
	}
	r.p50, r.p90, r.p99, r.pmax = r.hist.quantile(0.50), r.hist.quantile(0.90), r.hist.quantile(0.99), r.hist.quantile(1)
}

// merge adds up the slices of one measurement.
func merge(rs []result) result {
	m := result{name: rs[0].name, concurrency: rs[0].concurrency, hist: new(histogram)}
	for _, r := range rs {
		m.requests += r.requests
		m.errors += r.errors
		m.elapsed += r.elapsed
		m.serverCPU = m.serverCPU.add(r.serverCPU)
		m.genCPU += r.genCPU
		if r.hist != nil {
			m.hist.merge(r.hist)
		}
		if m.firstErr == "" {
			m.firstErr = r.firstErr
		}
	}
	m.percentiles()
	return m
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

func printHeader(w io.Writer) {
	fmt.Fprintf(w, "%-34s %4s %9s %8s %8s %8s %8s %6s %10s %5s %8s %s\n", "workload", "c", "req/s", "p50ms", "p90ms",
		"p99ms", "maxms", "errors", "cpu us/req", "sys%", "gen us", "vs ceiling")
}

// printResult prints one result line; ceiling is the reference's req/s (0: none), cpu its CPU µs per request.
func printResult(w io.Writer, r result, ceiling, cpu float64) {
	ratio := "-"
	if ceiling > 0 {
		ratio = fmt.Sprintf("%.2fx", r.rps()/ceiling)
		if cpu > 0 && r.cpuPerReq() > 0 {
			ratio += fmt.Sprintf(" (cpu/req %.2fx)", r.cpuPerReq()/cpu)
		}
	}
	cpuCol, sysCol := "-", "-"
	if v := r.cpuPerReq(); v > 0 {
		cpuCol, sysCol = fmt.Sprintf("%.1f", v), fmt.Sprintf("%.0f", 100*r.sysShare())
	}
	fmt.Fprintf(w, "%-34s %4d %9.0f %8s %8s %8s %8s %6d %10s %5s %8.1f %s\n", r.name, r.concurrency, r.rps(), ms(r.p50),
		ms(r.p90), ms(r.p99), ms(r.pmax), r.errors, cpuCol, sysCol, r.genPerReq(), ratio)
	if r.firstErr != "" {
		fmt.Fprintf(w, "    first error: %s\n", r.firstErr)
	}
}
