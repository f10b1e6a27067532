//go:build !linux

package main

import "errors"

// pinSelf needs Linux's sched_setaffinity.
func (p pinning) pinSelf() error {
	if p.load == "" {
		return nil
	}
	return errors.New("--pin works on Linux only")
}
