package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// applyMemorySettings sets the Go heap's soft limit (--memory-limit-mb) and, under a limit, the GC percentage
// (--gc-percent), unless GOMEMLIMIT / GOGC set them, and logs the values in effect. A high GC percentage only
// trades memory for CPU within the limit (a node serving lists then collects a few times less often,
// BENCHMARKS.md); without a limit it would let the heap grow to 11 times the live data, so Go's 100 stays.
func (m *Main) applyMemorySettings() {
	_, envLimit := os.LookupEnv("GOMEMLIMIT")
	if !envLimit && m.MemoryLimitMB > 0 {
		debug.SetMemoryLimit(int64(m.MemoryLimitMB) << 20)
	}
	if _, envGC := os.LookupEnv("GOGC"); !envGC && m.GCPercent > 0 && (envLimit || m.MemoryLimitMB > 0) {
		debug.SetGCPercent(m.GCPercent)
	}
	s := []metrics.Sample{{Name: "/gc/gomemlimit:bytes"}, {Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	m.logger.Info("memory settings", "memory_limit_bytes", s[0].Value.Uint64(), "gc_percent", s[1].Value.Uint64())
}
