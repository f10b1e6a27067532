package main

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParsePin(t *testing.T) {
	p, err := parsePin("1/0")
	if err != nil || p != (pinning{"1", "0"}) {
		t.Fatalf("parsePin(1/0) = %+v, %v", p, err)
	}
	if p, err := parsePin(""); err != nil || p != (pinning{}) {
		t.Fatalf("parsePin(\"\") = %+v, %v", p, err)
	}
	if got, err := cpuList("0,2-4,7"); err != nil || !slices.Equal(got, []int{0, 2, 3, 4, 7}) {
		t.Fatalf("cpuList(0,2-4,7) = %v, %v", got, err)
	}
	for _, bad := range []string{"1", "1/", "/0", "a/0", "1/0-", "3-1/0", "1/-1", "1/0,,1", "1/2048"} {
		if _, err := parsePin(bad); err == nil {
			t.Errorf("parsePin(%q) accepted", bad)
		}
	}
}

// allowedCPUs is Cpus_allowed_list of a thread of this process.
func allowedCPUs(t *testing.T, tid string) string {
	b, err := os.ReadFile("/proc/self/task/" + tid + "/status")
	if err != nil {
		return "" // the thread ended
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no Cpus_allowed_list in thread %s's status", tid)
	return ""
}

// A pinned server starts on the SERVER CPUs, and pinSelf moves every thread of the generator to the LOAD CPUs.
func TestPinning(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("pinning is Linux only")
	}
	before := processCPUs(os.Getpid())
	cpus, err := cpuList(before)
	if err != nil || len(cpus) < 2 {
		t.Skipf("CPUs allowed %q: pinning needs two", before)
	}
	first, last := strconv.Itoa(cpus[0]), strconv.Itoa(cpus[len(cpus)-1])
	p := pinning{server: last, load: first}
	out, err := p.command(context.Background(), "grep", "Cpus_allowed_list", "/proc/self/status").Output()
	if err != nil {
		t.Fatalf("pinned grep: %v (taskset on PATH?)", err)
	}
	if got := strings.TrimSpace(strings.TrimPrefix(string(out), "Cpus_allowed_list:")); got != last {
		t.Errorf("a server started pinned runs on CPUs %q, want %q", got, last)
	}
	t.Cleanup(func() {
		if err := (pinning{load: before}).pinSelf(); err != nil {
			t.Errorf("restoring CPUs %s: %v", before, err)
		}
	})
	if err := p.pinSelf(); err != nil {
		t.Fatal(err)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if got := allowedCPUs(t, task.Name()); got != "" && got != first {
			t.Errorf("thread %s runs on CPUs %q after pinSelf, want %q", task.Name(), got, first)
		}
	}
}
