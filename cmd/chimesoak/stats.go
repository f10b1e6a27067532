package main

import (
	"sort"
	"sync"
	"time"
)

// sample is one second of the soak.
type sample struct {
	At       time.Duration // since the start
	Requests int
	Errors   int // transport errors and 5xx
	P50, P99 time.Duration
	RSSKiB   []int // per node
	FDs      []int // per node
}

// opStat is the tally of one operation over the run.
type opStat struct {
	Requests, Errors, Refused int
	lat                       []time.Duration
}

// stats collects request outcomes and latencies; the sampler turns them into one sample per second.
type stats struct {
	mu      sync.Mutex
	start   time.Time
	lat     []time.Duration // latencies of the current second
	reqs    int
	errs    int
	samples []sample
	byOp    map[string]*opStat
	paused  time.Duration // time the workload stood still for checks
}

func newStats(start time.Time) *stats { return &stats{start: start, byOp: map[string]*opStat{}} }

// record counts one request of op: its latency and its outcome.
func (s *stats) record(op string, d time.Duration, o outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.byOp[op]
	if st == nil {
		st = &opStat{}
		s.byOp[op] = st
	}
	st.Requests++
	st.lat = append(st.lat, d)
	s.reqs++
	s.lat = append(s.lat, d)
	switch o {
	case outcomeUnknown:
		st.Errors++
		s.errs++
	case outcomeRefused:
		st.Refused++
	}
}

// tick closes the current second into a sample with the nodes' resources.
func (s *stats) tick(now time.Time, rss, fds []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p50, p99 := percentile(s.lat, 0.50), percentile(s.lat, 0.99)
	s.samples = append(s.samples, sample{At: now.Sub(s.start), Requests: s.reqs, Errors: s.errs, P50: p50, P99: p99,
		RSSKiB: rss, FDs: fds})
	s.lat, s.reqs, s.errs = s.lat[:0], 0, 0
}

// percentile sorts ds in place and returns its q-quantile (0 when empty).
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	i := int(q * float64(len(ds)))
	if i >= len(ds) {
		i = len(ds) - 1
	}
	return ds[i]
}

// opRow is one line of the latency table.
type opRow struct {
	Op                        string
	Requests, Errors, Refused int
	P50, P99, Max             time.Duration
}

func (s *stats) table() (rows []opRow, total opRow) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []time.Duration
	for op, st := range s.byOp {
		l := append([]time.Duration(nil), st.lat...)
		all = append(all, l...)
		rows = append(rows, opRow{Op: op, Requests: st.Requests, Errors: st.Errors, Refused: st.Refused,
			P50: percentile(l, .5), P99: percentile(l, .99), Max: percentile(l, 1)})
		total.Requests += st.Requests
		total.Errors += st.Errors
		total.Refused += st.Refused
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Op < rows[j].Op })
	total.Op = "all"
	total.P50, total.P99, total.Max = percentile(all, .5), percentile(all, .99), percentile(all, 1)
	return rows, total
}
