//go:build unix

package main

import (
	"errors"
	"testing"
	"time"
)

// TestSpinnerBurnsWhatItIsAsked checks the reference's --work-us: after calibration, burning N µs uses about N
// µs of this process's CPU (CPU time, so a loaded machine stretches the wall time, not the measure). The bounds
// are wide: the point is the unit (µs, not ns or ms) and that the loop is not optimized away.
func TestSpinnerBurnsWhatItIsAsked(t *testing.T) {
	s, err := calibrateSpinner(ownCPU)
	if err != nil {
		t.Fatal(err)
	}
	if s.perUS <= 0 {
		t.Fatalf("%v iterations per µs", s.perUS)
	}
	const want = 50 * time.Millisecond
	t0, _ := ownCPU()
	for range 10 {
		if s.burn(int(want.Microseconds()/10)) == 0 {
			t.Fatal("burn returned 0")
		}
	}
	t1, _ := ownCPU()
	got := t1 - t0
	t.Logf("%.0f iterations/µs; asked %v, used %v", s.perUS, want, got)
	if got < want*3/10 || got > want*3 {
		t.Errorf("burning %v used %v of CPU", want, got)
	}
}

func TestSpinnerCalibrationError(t *testing.T) {
	boom := errors.New("no clock")
	if _, err := calibrateSpinner(func() (time.Duration, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
}
