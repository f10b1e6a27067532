package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/chimed/chimed/internal/testenv"
)

// TestMemorySettings: a real `chimed serve` reports the heap limit and GC percentage in effect — the defaults
// (64 MiB, 1000), the flags and their CHIMED_ variables, Go's 100 kept without a limit, and GOGC / GOMEMLIMIT
// winning over the flags.
func TestMemorySettings(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"GOGC", "GOMEMLIMIT", "CHIMED_GC_PERCENT", "CHIMED_MEMORY_LIMIT_MB"} {
		if _, set := os.LookupEnv(v); set {
			t.Skipf("%s is set in the test's environment; the cases below need it unset", v)
		}
	}
	bin := testenv.BuildChimed(t)
	base := []string{"--auth", "any", "--db", "sqlite::memory:"}
	for _, tc := range []struct {
		name       string
		args, env  []string
		limit, pct uint64
	}{
		{"defaults", nil, nil, 64 << 20, 1000},
		{"flags", []string{"--memory-limit-mb", "100", "--gc-percent", "300"}, nil, 100 << 20, 300},
		{"environment", nil, []string{"CHIMED_MEMORY_LIMIT_MB=80", "CHIMED_GC_PERCENT=200"}, 80 << 20, 200},
		{"no limit keeps Go's 100", []string{"--memory-limit-mb", "0"}, nil, 1<<63 - 1, 100},
		{"GOGC and GOMEMLIMIT win", []string{"--memory-limit-mb", "100", "--gc-percent", "300"},
			[]string{"GOGC=50", "GOMEMLIMIT=90MiB"}, 90 << 20, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := testenv.LaunchChimed(t, bin, testenv.ProcOptions{Args: append(base, tc.args...), Env: tc.env})
			p.WaitListening(t, testenv.StartTimeout)
			for _, line := range p.Logs() {
				var l struct {
					Msg       string
					Limit     uint64 `json:"memory_limit_bytes"`
					GCPercent uint64 `json:"gc_percent"`
				}
				if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "memory settings" {
					if l.Limit != tc.limit || l.GCPercent != tc.pct {
						t.Errorf("memory limit %d, GC %d%%; want %d, %d%%", l.Limit, l.GCPercent, tc.limit, tc.pct)
					}
					return
				}
			}
			t.Fatalf("no 'memory settings' line:\n%s", p.Tail())
		})
	}
}
