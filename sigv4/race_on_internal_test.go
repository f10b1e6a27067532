//go:build race

package sigv4

// raceEnabled: the race detector drops a quarter of sync.Pool puts on purpose.
const raceEnabled = true
