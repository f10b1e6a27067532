//go:build !unix

package sqlstore

import (
	"encoding/binary"
	"os"
)

// shmHeader reads the -shm header with a pread where memory mapping is not available (the detector keeps
// the descriptor open).
type shmHeader struct{ f *os.File }

func mapShmHeader(f *os.File) (shmHeader, error) { return shmHeader{f: f}, nil }

func (h shmHeader) iChange() (uint32, error) {
	var b [4]byte
	if _, err := h.f.ReadAt(b[:], iChangeOffset); err != nil {
		return 0, err
	}
	return binary.NativeEndian.Uint32(b[:]), nil
}

func (h *shmHeader) close() {}
