package main

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// logBufferSize is the size of the log buffer; a record at least this large is written straight through.
const logBufferSize = 64 << 10

// logWriter buffers log output and flushes it at least every interval and when the buffer fills, so that
// the access log (one line per request) does not cost one write system call per request. Close flushes.
//
// A failed write (a full disk, a closed pipe) drops what was buffered and counts the lost lines, and logging
// goes on: the first write that succeeds again is preceded by a WARN line "dropped N log lines". (A
// bufio.Writer would keep its first error forever and stop logging.)
type logWriter struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte // whole records (slog handlers write one record per call)
	lost    int    // lines dropped since the last notice
	partial bool   // a failed write left a partial line: the notice starts a new line
	dropped atomic.Uint64
	stop    chan struct{}
	done    chan struct{}
}

func newLogWriter(w io.Writer, interval time.Duration) *logWriter {
	lw := &logWriter{w: w, buf: make([]byte, 0, logBufferSize), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(lw.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				lw.Flush()
			case <-lw.stop:
				lw.Flush()
				return
			}
		}
	}()
	return lw
}

// Write implements io.Writer; slog handlers write one whole record per call. It never fails: a record that
// cannot be written is counted as dropped.
func (lw *logWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if len(lw.buf)+len(p) > cap(lw.buf) {
		lw.flushLocked()
	}
	if len(p) >= cap(lw.buf) {
		lw.emit(p)
	} else {
		lw.buf = append(lw.buf, p...)
	}
	return len(p), nil
}

// Flush writes out what is buffered; on failure the buffered lines are dropped.
func (lw *logWriter) Flush() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.flushLocked()
}

// Dropped is the number of log lines lost to failed writes since the start.
func (lw *logWriter) Dropped() uint64 { return lw.dropped.Load() }

func (lw *logWriter) flushLocked() error {
	if len(lw.buf) == 0 {
		return nil
	}
	err := lw.emit(lw.buf)
	lw.buf = lw.buf[:0]
	return err
}

// emit writes b, preceded by the dropped-lines notice when lines were lost; if that fails, b's lines are lost.
func (lw *logWriter) emit(b []byte) error {
	if lw.lost > 0 {
		nl := ""
		if lw.partial {
			nl = "\n"
		}
		notice := fmt.Sprintf("%s{\"time\":%q,\"level\":\"WARN\",\"msg\":\"dropped %d log lines\",\"dropped\":%d}\n",
			nl, time.Now().Format("2006-01-02T15:04:05.000Z07:00"), lw.lost, lw.lost)
		if err := lw.write([]byte(notice), false); err != nil {
			lw.drop(b, 0)
			return err
		}
		lw.lost = 0
	}
	return lw.write(b, true)
}

// write writes b whole; on failure it records a partial line and, if count, drops b's unwritten lines.
func (lw *logWriter) write(b []byte, count bool) error {
	n, err := lw.w.Write(b)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err == nil {
		lw.partial = false
		return nil
	}
	n = max(0, min(n, len(b)))
	if n > 0 {
		lw.partial = b[n-1] != '\n'
	}
	if count {
		lw.drop(b, n)
	}
	return err
}

// drop counts the lines of b from offset n on (a line written in part counts) as lost.
func (lw *logWriter) drop(b []byte, n int) {
	lines := 0
	for _, c := range b[n:] {
		if c == '\n' {
			lines++
		}
	}
	if len(b) > n && b[len(b)-1] != '\n' {
		lines++
	}
	lw.lost += lines
	lw.dropped.Add(uint64(lines))
}

// Close stops the flusher and flushes.
func (lw *logWriter) Close() error {
	close(lw.stop)
	<-lw.done
	return nil
}
