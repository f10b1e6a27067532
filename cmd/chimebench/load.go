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
	"slices"
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

// stats collects latencies of one run.
type stats struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    int64
	firstErr  string
}

func (s *stats) add(d time.Duration) {
	s.mu.Lock()
	s.latencies = append(s.latencies, d)
	s.mu.Unlock()
}

// result is the outcome of a run.
type result struct {
	latencies           []time.Duration // sorted
	name                string
	concurrency         int
	requests            int
	errors              int64
	firstErr            string
	elapsed             time.Duration
	p50, p90, p99, pmax time.Duration
}

func (r result) rps() float64 { return float64(r.requests) / r.elapsed.Seconds() }

// run drives ops (chosen by weight) at the given concurrency for d and reports latency percentiles.
func run(ctx context.Context, c *client, name string, ops []op, weights []int, concurrency int, d time.Duration,
	okStatus func(int) bool) result {
	total := 0
	for _, w := range weights {
		total += w
	}
	st := &stats{}
	var count atomic.Int64
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
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
					st.mu.Lock()
					st.errors++
					if st.firstErr == "" {
						st.firstErr = fmt.Sprintf("%s %s: %d %v %.200s", method, path, status, err, resp)
					}
					st.mu.Unlock()
					continue
				}
				st.add(lat)
			}
		}(w)
	}
	wg.Wait()
	res := result{name: name, concurrency: concurrency, requests: int(count.Load()), errors: st.errors,
		firstErr: st.firstErr, elapsed: time.Since(start)}
	res.latencies = st.latencies
	res.percentiles()
	return res
}

// percentiles sorts the latencies and fills p50, p90, p99 and max.
func (r *result) percentiles() {
	slices.Sort(r.latencies)
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
	}
	r.p50, r.p90, r.p99 = pct(0.50), pct(0.90), pct(0.99)
	if len(r.latencies) > 0 {
		r.pmax = r.latencies[len(r.latencies)-1]
	}
}

// merge adds up the slices of one measurement.
func merge(rs []result) result {
	m := result{name: rs[0].name, concurrency: rs[0].concurrency}
	for _, r := range rs {
		m.requests += r.requests
		m.errors += r.errors
		m.elapsed += r.elapsed
		m.latencies = append(m.latencies, r.latencies...)
		if m.firstErr == "" {
			m.firstErr = r.firstErr
		}
	}
	m.percentiles()
	return m
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }

func printHeader(w io.Writer) {
	fmt.Fprintf(w, "%-28s %4s %9s %8s %8s %8s %8s %6s %s\n", "workload", "c", "req/s", "p50ms", "p90ms", "p99ms",
		"maxms", "errors", "vs ceiling")
}

func printResult(w io.Writer, r result, ceiling float64) {
	ratio := "-"
	if ceiling > 0 {
		ratio = fmt.Sprintf("%.2fx", r.rps()/ceiling)
	}
	fmt.Fprintf(w, "%-28s %4d %9.0f %8s %8s %8s %8s %6d %s\n", r.name, r.concurrency, r.rps(), ms(r.p50), ms(r.p90),
		ms(r.p99), ms(r.pmax), r.errors, ratio)
	if r.firstErr != "" {
		fmt.Fprintf(w, "    first error: %s\n", r.firstErr)
	}
}
