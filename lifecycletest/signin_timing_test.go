package lifecycletest_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"
)

// TestSignInTimingReport measures POST /signin for a registered and for an unknown address through the real
// server (SQLite, SMTP) and logs mean and percentiles of each; it asserts nothing (a timing assertion would be
// flaky on a shared machine: TestSignInAnswersBeforeTheWork in the root package checks the cause structurally).
// It runs only when CHIMED_MEASURE_SIGNIN is set, e.g.
//
//	CHIMED_MEASURE_SIGNIN=400 go test -run TestSignInTimingReport -v ./lifecycletest/
//
// (the value is the number of requests of each kind; default 200; about 0.2 s per pair). The two kinds are interleaved in random
// order; the background work of each request is drained, untimed, before the next one, and the clock moves 16
// minutes after each registered request so that its links expire and every request does the full work.
func TestSignInTimingReport(t *testing.T) {
	v := os.Getenv("CHIMED_MEASURE_SIGNIN")
	if v == "" {
		t.Skip("set CHIMED_MEASURE_SIGNIN=N to measure N sign-in requests of each kind")
	}
	n := 200
	fmt.Sscan(v, &n)
	e := newEnv(t, config{})
	c := e.client(tenantA)
	e.registered(t, c, "timing@example.org")
	b := newBrowser(t)
	form := b.get(e.URL + "/signin")
	fields, _, ok := firstForm(form.Body)
	if form.Status != 200 || !ok {
		t.Fatalf("sign-in form: %d", form.Status)
	}
	kinds := make([]bool, 0, 2*n) // true: registered
	for i := range 2 * n {
		kinds = append(kinds, i%2 == 0)
	}
	rand.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	var reg, unk []time.Duration
	for i, registered := range kinds {
		email := fmt.Sprintf("nobody%d@example.org", i)
		if registered {
			email = "timing@example.org"
		}
		fields.Set("Email", email)
		start := time.Now()
		p := b.post(e.URL+"/signin", fields, e.URL, "same-origin")
		d := time.Since(start)
		if p.Status != 200 {
			t.Fatalf("POST /signin: %d", p.Status)
		}
		if err := e.Svc.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if registered {
			reg = append(reg, d)
			e.Clock.Advance(16 * time.Minute)
		} else {
			unk = append(unk, d)
		}
	}
	if links := e.signInLinks(t); len(links) < n/2 {
		t.Errorf("only %d sign-in links were sent for %d registered requests", len(links), n)
	}
	t.Logf("POST /signin, %d requests of each kind:", n)
	t.Logf("  registered: %s", summary(reg))
	t.Logf("  unknown:    %s", summary(unk))
	t.Logf("  the best single threshold tells them apart in %.1f%% of the requests (50%% = chance)",
		100*bestThreshold(reg, unk))
}

// bestThreshold returns the accuracy of the best classifier "registered iff the time is above (or below) a
// threshold", chosen on the data itself (so optimistic).
func bestThreshold(reg, unk []time.Duration) float64 {
	all := append(slices.Clone(reg), unk...)
	best := 0.0
	for _, th := range all {
		above := 0
		for _, d := range reg {
			if d >= th {
				above++
			}
		}
		for _, d := range unk {
			if d < th {
				above++
			}
		}
		acc := float64(above) / float64(len(all))
		best = max(best, acc, 1-acc)
	}
	return best
}

func summary(ds []time.Duration) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	q := func(p float64) time.Duration { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return fmt.Sprintf("mean %v  p10 %v  p50 %v  p90 %v  p99 %v  max %v", (sum / time.Duration(len(s))).Round(time.Microsecond),
		q(0.10).Round(time.Microsecond), q(0.50).Round(time.Microsecond), q(0.90).Round(time.Microsecond),
		q(0.99).Round(time.Microsecond), s[len(s)-1].Round(time.Microsecond))
}
