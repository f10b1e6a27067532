package main

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// pinSelf moves every thread of this process to the LOAD CPUs; threads created later inherit the mask of the
// thread that creates them. No pinning does nothing.
func (p pinning) pinSelf() error {
	if p.load == "" {
		return nil
	}
	cpus, err := cpuList(p.load)
	if err != nil {
		return err
	}
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, &set); err != nil && err != unix.ESRCH { // ESRCH: the thread ended
			return fmt.Errorf("pinning thread %d to CPUs %s: %w", tid, p.load, err)
		}
	}
	return nil
}
