//go:build unix

package sqlstore

import (
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// shmHeader is a read-only shared mapping of the first page of a -shm file.
type shmHeader struct{ mem []byte }

func mapShmHeader(f *os.File) (shmHeader, error) {
	mem, err := syscall.Mmap(int(f.Fd()), 0, shmHeaderLen, syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return shmHeader{}, &os.PathError{Op: "mmap", Path: f.Name(), Err: err}
	}
	return shmHeader{mem: mem}, nil
}

// iChange loads the counter atomically: SQLite's writers store it while we read.
func (h shmHeader) iChange() (uint32, error) {
	if len(h.mem) < iChangeOffset+4 {
		return 0, os.ErrClosed
	}
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&h.mem[iChangeOffset]))), nil
}

func (h *shmHeader) close() {
	if h.mem != nil {
		syscall.Munmap(h.mem)
		h.mem = nil
	}
}
