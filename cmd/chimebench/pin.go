package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// Pinning (--pin SERVER/LOAD) keeps the load generator off the servers' CPUs: on a machine of two cores the
// generator's goroutines otherwise take turns with the server's on both, and a request waits for a core behind
// them, which shows in every server's tail (the reference's too). chimed and the reference are started on the
// SERVER CPUs (through taskset, so every thread they create inherits them) and chimebench's own threads are
// moved to the LOAD CPUs. PostgreSQL is not moved.

// pinning is a parsed --pin: two CPU lists, in taskset's syntax.
type pinning struct{ server, load string }

// parsePin parses "SERVER/LOAD", each a CPU list such as 1, 0-1 or 0,2. The empty string is no pinning.
func parsePin(s string) (pinning, error) {
	if s == "" {
		return pinning{}, nil
	}
	server, load, ok := strings.Cut(s, "/")
	if !ok {
		return pinning{}, fmt.Errorf("--pin %q: want SERVER/LOAD, two CPU lists such as 1/0", s)
	}
	for _, l := range []string{server, load} {
		if _, err := cpuList(l); err != nil {
			return pinning{}, fmt.Errorf("--pin %q: %w", s, err)
		}
	}
	return pinning{server, load}, nil
}

// cpuList expands a CPU list (comma-separated numbers and ranges a-b) into its CPUs.
func cpuList(s string) ([]int, error) {
	var cpus []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || a < 0 || b < a || b >= 1024 {
			return nil, fmt.Errorf("CPU list %q: want numbers and ranges such as 0,2-3", s)
		}
		for c := a; c <= b; c++ {
			cpus = append(cpus, c)
		}
	}
	return cpus, nil
}

// command is exec.CommandContext for a server process, started on the SERVER CPUs when pinning.
func (p pinning) command(ctx context.Context, bin string, args ...string) *exec.Cmd {
	if p.server == "" {
		return exec.CommandContext(ctx, bin, args...)
	}
	return exec.CommandContext(ctx, "taskset", append([]string{"--cpu-list", p.server, bin}, args...)...)
}
