package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat: 100 on every Linux architecture Go
// supports (the kernel scales its internal HZ to it for user space).
const clockTicks = 100

// cpuTime is CPU time split as /proc reports it: in user space and in the kernel on the process's behalf.
type cpuTime struct{ user, sys time.Duration }

func (c cpuTime) total() time.Duration  { return c.user + c.sys }
func (c cpuTime) sub(o cpuTime) cpuTime { return cpuTime{c.user - o.user, c.sys - o.sys} }
func (c cpuTime) add(o cpuTime) cpuTime { return cpuTime{c.user + o.user, c.sys + o.sys} }

// processCPU returns the CPU time (all threads, including exited ones) that process pid has used, from
// /proc/PID/stat, at 10 ms resolution. It returns an error where /proc is unavailable.
func processCPU(pid int) (cpuTime, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return cpuTime{}, err
	}
	c, err := parseStat(b)
	if err != nil {
		return cpuTime{}, fmt.Errorf("/proc/%d/stat: %w", pid, err)
	}
	return c, nil
}

// parseStat reads utime and stime (fields 14 and 15) from the text of a /proc/PID/stat file.
func parseStat(b []byte) (cpuTime, error) {
	// The command name (field 2) is in parentheses and may hold spaces: fields are counted after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return cpuTime{}, fmt.Errorf("no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime is field 14, stime field 15.
	if len(f) < 13 {
		return cpuTime{}, fmt.Errorf("%d fields", len(f))
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return cpuTime{}, fmt.Errorf("bad utime/stime")
	}
	return cpuTime{user: time.Duration(ut) * time.Second / clockTicks, sys: time.Duration(st) * time.Second / clockTicks}, nil
}

// cpuOf sums processCPU over pids (0 where unreadable).
func cpuOf(pids []int) cpuTime {
	var sum cpuTime
	for _, p := range pids {
		if c, err := processCPU(p); err == nil {
			sum = sum.add(c)
		}
	}
	return sum
}

// processMemory returns the resident set size and its peak (VmRSS, VmHWM), in KiB, from /proc/PID/status.
func processMemory(pid int) (rss, hwm int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "VmRSS:" {
			rss, _ = strconv.Atoi(f[1])
		} else if len(f) >= 2 && f[0] == "VmHWM:" {
			hwm, _ = strconv.Atoi(f[1])
		}
	}
	return rss, hwm
}

// processCPUs returns the CPUs a process may run on (Cpus_allowed_list of /proc/PID/status), "" if unknown.
func processCPUs(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
