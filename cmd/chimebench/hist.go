package main

import (
	"math/bits"
	"time"
)

// histogram records latencies in log-linear buckets (HDR style): values below 128 ns are exact, above that each
// power of two is split into 128 buckets, so a recorded value is known within 1/128 (0.8 %). Recording is an
// index computation and an increment: no allocation, no lock (each load worker owns one; merge them after).
type histogram struct {
	counts [histBuckets]uint64
	n      uint64
	max    time.Duration
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits
	histMaxExp  = 40 // 2^(40+7) ns ≈ 39 hours: anything longer lands in the last bucket
	histBuckets = (histMaxExp + 1) * histSub
)

func histIndex(v uint64) int {
	if v < histSub {
		return int(v)
	}
	e := bits.Len64(v) - histSubBits // ≥ 1
	if e > histMaxExp {
		return histBuckets - 1
	}
	return e*histSub + int(v>>(e-1)) - histSub
}

// histValue is the middle of bucket i, in nanoseconds.
func histValue(i int) uint64 {
	e := i / histSub
	if e == 0 {
		return uint64(i)
	}
	lo := uint64(i%histSub+histSub) << (e - 1)
	return lo + (uint64(1)<<(e-1))/2
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[histIndex(uint64(d))]++
	h.n++
	if d > h.max {
		h.max = d
	}
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the latency below which a fraction q of the recorded values lie (0 when empty); q ≥ 1 is the
// exact maximum.
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	if q >= 1 {
		return h.max
	}
	rank := uint64(q*float64(h.n)) + 1
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(histValue(i)), h.max)
		}
	}
	return h.max
}
