package main

import (
	"fmt"
	"io"

	"github.com/chimed/chimed/internal/buildinfo"
)

// runVersion is `chimed version`: the module version, the VCS revision and its time, as the Go toolchain
// recorded them in the binary (a build outside a VCS checkout, or with -buildvcs=false, has no revision).
func runVersion(args []string, stdout io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("version takes no arguments")
	}
	i := buildinfo.Read()
	rev := i.Revision
	if i.Modified {
		rev += " (modified)"
	}
	t := i.Time
	if t == "" {
		t = "unknown"
	}
	fmt.Fprintf(stdout, "chimed %s\nrevision: %s\ntime: %s\ngo: %s\n", i.Version, rev, t, i.GoVersion)
	return nil
}
