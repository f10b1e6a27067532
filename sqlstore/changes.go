package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"os"
	"sync"
)

// changeDetector tells whether another process committed to a SQLite database since this process last
// looked. SQLite's WAL-index header, at the start of the -shm file that every connection maps, holds iChange:
// a counter incremented by exactly one at each commit, by any connection of any process (checkpoints and WAL
// restarts leave it alone; see https://www.sqlite.org/walformat.html). The writer of this process reads it
// after BEGIN IMMEDIATE (holding the write lock) and after COMMIT: a step of exactly one is its own commit,
// anything else means somebody else committed. Readers compare it with the value the writer last accounted
// for. One pread per check; the store holds a connection open for its whole life so that SQLite never deletes
// and recreates the -shm file under the open descriptor.
type changeDetector struct {
	f    *os.File
	hold *sql.Conn

	mu    sync.Mutex
	known uint32 // the counter value that everything cached is consistent with
}

func openChangeDetector(ctx context.Context, read *sql.DB, path string) (*changeDetector, error) {
	hold, err := read.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var one int
	if err := hold.QueryRowContext(ctx, "SELECT 1 FROM sqlite_master LIMIT 1").Scan(&one); err != nil && err != sql.ErrNoRows {
		hold.Close()
		return nil, err
	}
	f, err := os.Open(path + "-shm")
	if err != nil {
		hold.Close()
		return nil, err
	}
	d := &changeDetector{f: f, hold: hold}
	d.known, err = d.counter()
	if err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// counter reads iChange (offset 8 of the first header copy, native byte order: little endian here).
func (d *changeDetector) counter() (uint32, error) {
	var b [4]byte
	if _, err := d.f.ReadAt(b[:], 8); err != nil {
		return 0, err
	}
	return binary.NativeEndian.Uint32(b[:]), nil
}

// foreign reports whether the counter moved since the writer last accounted for it (a commit by another
// process, or by this process's writer in the instant before it records its own), and records the new value.
// An unreadable counter counts as a change.
func (d *changeDetector) foreign() bool {
	v, err := d.counter()
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil || v != d.known {
		d.known = v
		return true
	}
	return false
}

// ownCommit accounts for the writer's commit: before is the counter read under the write lock before the
// commit. It reports whether someone else committed since the last check (before the write lock was taken,
// or in the instant between the COMMIT and this call).
func (d *changeDetector) ownCommit(before uint32, beforeErr error) bool {
	after, err := d.counter()
	d.mu.Lock()
	defer d.mu.Unlock()
	foreign := beforeErr != nil || err != nil || before != d.known || after != before+1
	d.known = after
	return foreign
}

func (d *changeDetector) close() {
	d.f.Close()
	d.hold.Close()
}
