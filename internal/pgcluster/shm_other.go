//go:build !linux

package pgcluster

// removeShm does nothing where the segment cannot be removed this way; the operating system keeps it until
// it is removed by hand (ipcrm).
func removeShm(id int) {}
