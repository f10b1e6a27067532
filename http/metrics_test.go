package http

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/chimed/chimed/metrics"
)

// TestObservabilityAllocatesNothing: counting an answered request — a matched route's success, and a request no
// route matched — uses the children resolved at start and allocates nothing.
func TestObservabilityAllocatesNothing(t *testing.T) {
	rs := routeTable()
	o := newObservability(metrics.New(prometheus.NewRegistry()), false, AnyAuth{}, rs)
	for _, c := range []*call{
		{op: rs[0].name, rt: &rs[0], status: rs[0].m.okStatus},
		{op: "-", status: 404},
	} {
		if n := testing.AllocsPerRun(1000, func() {
			o.inFlight.Inc()
			o.end(c, time.Millisecond)
			o.inFlight.Dec()
		}); n != 0 {
			t.Errorf("%s %d: %v allocations per request", c.op, c.status, n)
		}
	}
}

// BenchmarkObservability measures what the metrics add to a request.
func BenchmarkObservability(b *testing.B) {
	rs := routeTable()
	o := newObservability(metrics.New(prometheus.NewRegistry()), false, AnyAuth{}, rs)
	c := &call{op: rs[0].name, rt: &rs[0], status: rs[0].m.okStatus}
	b.ReportAllocs()
	for b.Loop() {
		o.inFlight.Inc()
		o.end(c, time.Millisecond)
		o.inFlight.Dec()
	}
}
