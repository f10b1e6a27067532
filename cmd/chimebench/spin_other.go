//go:build !unix

package main

import (
	"errors"
	"time"
)

// ownCPU needs getrusage.
func ownCPU() (time.Duration, error) {
	return 0, errors.New("--work-us needs getrusage (a Unix system)")
}
