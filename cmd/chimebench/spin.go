package main

import (
	"errors"
	"time"
)

// spinner burns a set amount of CPU per call: the reference's --work-us, which gives the bare server the CPU
// cost of a real request, so that what a setup does to any server of that cost (its tail latency, say) can be
// told from what the real server adds to it.
type spinner struct {
	perUS float64 // loop iterations per µs of CPU, calibrated
}

// calibrateSpinner times the burn loop against the process's CPU clock (cpu, the CPU time used so far) until
// it has used at least 20 ms of CPU.
func calibrateSpinner(cpu func() (time.Duration, error)) (spinner, error) {
	t0, err := cpu()
	if err != nil {
		return spinner{}, err
	}
	x, n := uint64(1), 0
	for {
		x = spinLoop(1<<18, x)
		n += 1 << 18
		t, err := cpu()
		if err != nil {
			return spinner{}, err
		}
		if d := t - t0; d >= 20*time.Millisecond {
			if x == 0 { // never: xorshift does not reach 0 from 1; it keeps the loop's result used
				return spinner{}, errors.New("spin loop reached 0")
			}
			return spinner{perUS: float64(n) / float64(d.Microseconds())}, nil
		}
	}
}

// burn spends about us µs of CPU; its result is never 0.
func (s spinner) burn(us int) uint64 { return spinLoop(int(s.perUS*float64(us)), 1) }

// spinLoop runs n steps of xorshift64 from x (x ≠ 0 stays ≠ 0).
func spinLoop(n int, x uint64) uint64 {
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}
