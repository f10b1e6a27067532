//go:build !(linux || darwin)

package main

import "errors"

// raiseFileLimit is not supported here: the connection cap defaults to 1024.
func raiseFileLimit() (soft, hard uint64, err error) {
	return 0, 0, errors.New("no RLIMIT_NOFILE on this system")
}
