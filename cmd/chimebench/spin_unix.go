//go:build unix

package main

import (
	"syscall"
	"time"
)

// ownCPU is the CPU time (user and system, all threads) this process has used.
func ownCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
