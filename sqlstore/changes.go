package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// changeDetector tells whether another process committed to a SQLite database since this process last
// looked. SQLite's WAL-index header, at the start of the -shm file that every connection maps, holds iChange:
// a counter incremented by exactly one at each commit, by any connection of any process (checkpoints and WAL
// restarts leave it alone; see https://www.sqlite.org/walformat.html). The writer of this process reads it
// after BEGIN IMMEDIATE (holding the write lock) and after COMMIT: a step of exactly one is its own commit,
// anything else means somebody else committed. Readers compare it with the value the writer last accounted
// for.
//
// The counter is read from a shared read-only mapping of the -shm file's first page (shmHeader; a pread where
// mapping is not available), so a check is one load from memory that every SQLite connection of every
// process writes through its own mapping of the same file, and a check that finds no change takes no lock.
// The store holds a connection open for its whole life, so SQLite never truncates, deletes or recreates the
// -shm file under the mapping (that happens only when the first connection opens it, or when the last one
// closes); the file only grows, and the mapped first page stays valid.
//
// The descriptor the mapping was made from stays open until every connection of the store is closed
// (closeFile): SQLite locks the -shm file with POSIX record locks, which the kernel drops, all of them, at
// any close of any descriptor of the file by the process — closing it earlier would let another process
// believe it is alone and rebuild the WAL index under this one.
type changeDetector struct {
	f    *os.File
	shm  shmHeader
	hold *sql.Conn

	mu    sync.Mutex    // serializes updates of known with the writer's accounting
	known atomic.Uint32 // the counter value that everything cached is consistent with
}

// shmHeaderLen is what the detector maps of the -shm file: the first page, which holds both copies of the
// WAL-index header (136 bytes). SQLite creates the file in 32 KiB regions, so it is at least this long once a
// connection has read the database.
const shmHeaderLen = 4096

// iChangeOffset is where iChange sits in the first header copy (a native-endian, 4-byte aligned uint32).
const iChangeOffset = 8

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
	fail := func(err error) (*changeDetector, error) {
		d.close()
		d.closeFile()
		return nil, err
	}
	if fi, err := f.Stat(); err != nil {
		return fail(err)
	} else if fi.Size() < shmHeaderLen {
		return fail(fmt.Errorf("%s-shm is %d bytes, shorter than a WAL-index header page", path, fi.Size()))
	}
	if d.shm, err = mapShmHeader(f); err != nil {
		return fail(err)
	}
	v, err := d.counter()
	if err != nil {
		return fail(err)
	}
	d.known.Store(v)
	return d, nil
}

// counter reads iChange (offset 8 of the first header copy, native byte order).
func (d *changeDetector) counter() (uint32, error) { return d.shm.iChange() }

// foreign reports whether the counter moved since the writer last accounted for it (a commit by another
// process, or by this process's writer in the instant before it records its own), and records the new value.
// An unreadable counter counts as a change. When nothing moved it is two atomic loads and takes no lock.
func (d *changeDetector) foreign() bool {
	v, err := d.counter()
	if err == nil && v == d.known.Load() {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err != nil || v != d.known.Load() {
		d.known.Store(v)
		return true
	}
	return false
}

// ownCommit accounts for the writer's commit: before is the counter read under the write lock before the
// commit. It reports whether someone else committed since the last check (before the write lock was taken,
// or in the instant between the COMMIT and this call). A step of one is the writer's own commit; no step at
// all is a transaction that wrote nothing (SQLite commits it without touching the WAL) and nobody else's
// commit either, since the counter only grows.
func (d *changeDetector) ownCommit(before uint32, beforeErr error) bool {
	after, err := d.counter()
	d.mu.Lock()
	defer d.mu.Unlock()
	foreign := beforeErr != nil || err != nil || before != d.known.Load() || (after != before+1 && after != before)
	d.known.Store(after)
	return foreign
}

// close unmaps the header before the held connection goes (the connection keeps the file alive).
func (d *changeDetector) close() {
	d.shm.close()
	d.hold.Close()
}

// closeFile closes the descriptor of the -shm file: call it after every connection of the store is closed
// (see changeDetector).
func (d *changeDetector) closeFile() { d.f.Close() }
