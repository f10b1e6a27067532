//go:build linux || darwin

package main

import (
	"syscall"
	"testing"
)

// TestRaiseFileLimit: the soft limit of open files is raised to the hard limit.
func TestRaiseFileLimit(t *testing.T) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &orig); err != nil {
		t.Skip(err)
	}
	defer syscall.Setrlimit(syscall.RLIMIT_NOFILE, &orig)
	low := orig
	low.Cur = min(orig.Max, 512)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip(err)
	}
	soft, hard, err := raiseFileLimit()
	if err != nil {
		t.Fatal(err)
	}
	var now syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now)
	if soft != orig.Max || hard != orig.Max || now.Cur != orig.Max {
		t.Errorf("after raiseFileLimit: soft %d (reported %d), hard %d; want the hard limit %d", now.Cur, soft, hard, orig.Max)
	}
}
