//go:build linux || darwin

package main

import "syscall"

// raiseFileLimit raises the soft limit of open files (RLIMIT_NOFILE) to the hard limit and returns both
// limits as they are afterwards.
func raiseFileLimit() (soft, hard uint64, err error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, 0, err
	}
	if lim.Cur < lim.Max {
		want := lim
		want.Cur = lim.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want); err != nil {
			return lim.Cur, lim.Max, err
		}
		lim = want
	}
	return lim.Cur, lim.Max, nil
}
