//go:build !linux

package main

import (
	"context"
	"errors"
	"io"
)

// runAttack needs Linux (/proc, RLIMIT_NOFILE).
func runAttack(context.Context, []string, io.Writer) error {
	return errors.New("chimebench attack runs on Linux only")
}

func runIdleHelper([]string, io.Writer) error {
	return errors.New("chimebench attack runs on Linux only")
}
