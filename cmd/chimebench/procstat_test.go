package main

import (
	"os"
	"testing"
	"time"
)

// A command name may hold spaces and parentheses: fields are counted after the last ')'.
func TestParseStat(t *testing.T) {
	line := "4242 (chimed (x) y) S 1 4242 4242 0 -1 4194560 1200 0 0 0 1234 567 0 0 20 0 9 0 100 0 0\n"
	c, err := parseStat([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	if c.user != 12340*time.Millisecond || c.sys != 5670*time.Millisecond {
		t.Fatalf("user %v sys %v, want 12.34s and 5.67s", c.user, c.sys)
	}
	for _, bad := range []string{"4242 chimed S 1", "4242 (chimed) S 1 2 3", "4242 (c) S 1 4242 4242 0 -1 0 0 0 0 0 x 567 0"} {
		if _, err := parseStat([]byte(bad)); err == nil {
			t.Errorf("parseStat(%q) accepted", bad)
		}
	}
}

// The split follows where the time goes: a loop of syscalls shows mostly in sys, arithmetic in user. Each loop
// runs until it has used 200 ms of CPU (not of wall time), so a busy machine only makes the test slower. Reading
// /proc is itself kernel time, so the arithmetic loop reads it only every ~10 ms of work: at every ~0.1 ms (as
// once written) the reads alone made a third of that loop's time "sys" and failed CI.
func TestProcessCPUSplit(t *testing.T) {
	pid := os.Getpid()
	c0, err := processCPU(pid)
	if err != nil {
		t.Skip("no /proc:", err)
	}
	f, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	used := func(since cpuTime) cpuTime { c, _ := processCPU(pid); return c.sub(since) }
	buf := make([]byte, 1)
	for used(c0).total() < 200*time.Millisecond {
		for range 1000 {
			f.Read(buf) // one syscall each
		}
	}
	c1, _ := processCPU(pid)
	x := uint64(1)
	for used(c1).total() < 200*time.Millisecond {
		for range 20_000_000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
	}
	arith, io := used(c1), c1.sub(c0)
	t.Logf("syscall loop %+v, arithmetic loop %+v", io, arith)
	if x == 0 {
		t.Log(x)
	}
	if io.sys < io.total()/4 || arith.sys > arith.total()/4 {
		t.Fatalf("syscall loop %+v, arithmetic loop %+v", io, arith)
	}
}
