package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// flakyWriter fails every write with ENOSPC while full is set (a full disk), and works otherwise.
type flakyWriter struct {
	mu   sync.Mutex
	full bool
	out  bytes.Buffer
}

func (w *flakyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.full {
		return 0, &writeErr{syscall.ENOSPC}
	}
	return w.out.Write(p)
}

func (w *flakyWriter) setFull(full bool) { w.mu.Lock(); w.full = full; w.mu.Unlock() }

func (w *flakyWriter) lines() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Split(strings.TrimSuffix(w.out.String(), "\n"), "\n")
}

type writeErr struct{ errno syscall.Errno }

func (e *writeErr) Error() string { return "write /var/log/chimed: " + e.errno.Error() }
func (e *writeErr) Unwrap() error { return e.errno }

// TestLogWriterRecovers: a failed write (a full disk) loses the lines buffered then, but logging resumes when
// writes succeed again, with one line saying how many lines were dropped (defect 5: bufio's sticky error
// stopped logging forever).
func TestLogWriterRecovers(t *testing.T) {
	w := &flakyWriter{}
	lw := newLogWriter(w, time.Hour) // flushed by hand
	defer lw.Close()
	rec := func(i int) { fmt.Fprintf(lw, "{\"msg\":\"line %d\"}\n", i) }

	rec(0)
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	w.setFull(true)
	for i := 1; i <= 5; i++ {
		rec(i)
	}
	if err := lw.Flush(); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Flush on a full disk: %v, want ENOSPC", err)
	}
	rec(6) // still failing: dropped at the next flush
	if err := lw.Flush(); err == nil {
		t.Fatal("Flush on a full disk succeeded")
	}
	if got := lw.Dropped(); got != 6 {
		t.Errorf("Dropped() = %d after 6 lost lines, want 6", got)
	}

	w.setFull(false) // space is back
	rec(7)
	rec(8)
	if err := lw.Flush(); err != nil {
		t.Fatalf("Flush after the disk recovered: %v", err)
	}
	lines := w.lines()
	if len(lines) != 4 || lines[0] != `{"msg":"line 0"}` || lines[2] != `{"msg":"line 7"}` || lines[3] != `{"msg":"line 8"}` {
		t.Fatalf("output after recovery:\n%s\nwant line 0, the dropped-lines notice, line 7, line 8", strings.Join(lines, "\n"))
	}
	var notice struct {
		Level, Msg string
		Dropped    int
	}
	if err := json.Unmarshal([]byte(lines[1]), &notice); err != nil || notice.Dropped != 6 ||
		notice.Msg != "dropped 6 log lines" || notice.Level != "WARN" {
		t.Errorf("notice %q (%v), want a WARN JSON line \"dropped 6 log lines\" with Dropped 6", lines[1], err)
	}

	// A later failure is reported anew, counting only its own lines; the total keeps growing.
	w.setFull(true)
	rec(9)
	lw.Flush()
	w.setFull(false)
	rec(10)
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	lines = w.lines()
	if n := len(lines); n != 6 || !strings.Contains(lines[4], `"dropped 1 log lines"`) || lines[5] != `{"msg":"line 10"}` {
		t.Errorf("output after a second failure:\n%s", strings.Join(lines, "\n"))
	}
	if got := lw.Dropped(); got != 7 {
		t.Errorf("Dropped() = %d, want 7 in all", got)
	}
}

// TestLogWriterLargeRecords: records larger than the buffer, and a buffer that fills while the disk is full,
// neither block nor stop logging.
func TestLogWriterLargeRecords(t *testing.T) {
	w := &flakyWriter{}
	lw := newLogWriter(w, time.Hour)
	defer lw.Close()
	big := "{\"msg\":\"" + strings.Repeat("x", 100<<10) + "\"}\n"
	w.setFull(true)
	for i := 0; i < 10; i++ { // 1 MB through a 64 KiB buffer on a full disk
		lw.Write([]byte(big))
	}
	w.setFull(false)
	lw.Write([]byte("{\"msg\":\"after\"}\n"))
	if err := lw.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := w.lines()
	if len(lines) != 2 || !strings.Contains(lines[0], `"dropped 10 log lines"`) || lines[1] != `{"msg":"after"}` {
		t.Errorf("got %d lines, first %.100q", len(lines), lines[0])
	}
	lw.Write([]byte(big))
	lw.Flush()
	if lines := w.lines(); len(lines) != 3 || lines[2] != strings.TrimSuffix(big, "\n") {
		t.Errorf("a record larger than the buffer was not written whole")
	}
}
