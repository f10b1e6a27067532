package pgcluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is one running PostgreSQL server (postmaster) of a Group.
type Server struct {
	Name string // names it in failure reports; a standby's application_name
	Port int    // on 127.0.0.1
	Dir  string // data directory

	g    *Group
	pid  int           // the postmaster, leader of its own process group
	done chan struct{} // closed when the postmaster has exited

	mu   sync.Mutex
	logs []string // stderr lines
}

// start runs the postmaster on s.Dir with the base settings and extra, and waits until it accepts connections.
// The server is killed when the test ends.
func (s *Server) start(extra Settings) {
	tb := s.g.tb
	tb.Helper()
	settings := baseSettings(s.Port)
	maps.Copy(settings, extra)
	args := []string{"-D", s.Dir}
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		args = append(args, "-c", k+"="+settings[k])
	}
	cmd := s.g.command("postgres", args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stdout = nil
	if err := cmd.Start(); err != nil {
		tb.Fatalf("pgcluster: start %s: %v", s.Name, err)
	}
	s.pid, s.done = cmd.Process.Pid, make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			s.log(sc.Text())
		}
		cmd.Wait()
		close(s.done)
	}()
	tb.Cleanup(func() {
		if s.Kill() == nil && tb.Failed() {
			tb.Logf("pgcluster: %s (port %d) log tail:\n%s", s.Name, s.Port, s.Tail())
		}
	})
	if err := s.WaitReady(30 * time.Second); err != nil {
		tb.Fatalf("pgcluster: %s: %v\n%s", s.Name, err, s.Tail())
	}
}

// WaitReady waits up to timeout until s accepts connections to database postgres (a standby: read-only ones).
// Errors: s exited, or the time ran out (with the last connection error).
func (s *Server) WaitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		conn, err := connect(context.Background(), s.Port, "postgres", 5*time.Second)
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-s.done:
			return errExited
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not accepting connections after %v: %w", timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Kill sends SIGKILL to the process group of s — the postmaster and every backend, walsender and helper — as a
// crash of its machine would stop them, waits until the postmaster has exited and removes the System V
// shared memory segment it leaves behind. Error: s had already exited (nil is returned only by the call that
// stopped it).
func (s *Server) Kill() error {
	select {
	case <-s.done:
		return errExited
	default:
	}
	shm := s.shmID() // before the kill: postmaster.pid stays, but read it while it is certainly current
	if err := syscall.Kill(-s.pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("pgcluster: kill %s: %w", s.Name, err)
	}
	<-s.done
	// The backends are in the group too, and the kernel delivers SIGKILL to all of them at once; wait until
	// none is left, so that the shared memory is detached and no socket of the server is still open.
	for i := 0; i < 200 && syscall.Kill(-s.pid, 0) == nil; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if shm >= 0 {
		removeShm(shm)
	}
	return nil
}

// Exited is closed when the postmaster of s has exited.
func (s *Server) Exited() <-chan struct{} { return s.done }

// shmID returns the id of the System V shared memory segment of s from its postmaster.pid (line 7:
// "KEY ID"), -1 when it cannot be read.
func (s *Server) shmID() int {
	b, err := os.ReadFile(filepath.Join(s.Dir, "postmaster.pid"))
	if err != nil {
		return -1
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 7 {
		return -1
	}
	f := strings.Fields(lines[6])
	if len(f) != 2 {
		return -1
	}
	id, err := strconv.Atoi(f[1])
	if err != nil {
		return -1
	}
	return id
}

// Promote turns the standby s into a primary with pg_ctl promote and waits (up to 30 s) until it has left
// recovery and accepts writes, asking every 5 ms on one open connection, so it returns within a few
// milliseconds of that moment (pg_ctl's own wait polls every 100 ms). Errors: no connection to s, pg_ctl failed
// (its output), or s is still in recovery.
func (s *Server) Promote() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, s.Port, "postgres", 10*time.Second)
	if err != nil {
		return fmt.Errorf("pgcluster: %s: %w", s.Name, err)
	}
	defer conn.Close(context.Background())
	out, err := s.g.command("pg_ctl", "promote", "-D", s.Dir, "-W").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgcluster: pg_ctl promote %s: %v\n%s", s.Name, err, out)
	}
	for {
		var inRecovery bool
		if err := conn.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&inRecovery); err != nil {
			return fmt.Errorf("pgcluster: %s after pg_ctl promote: %w", s.Name, err)
		} else if !inRecovery {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgcluster: %s still in recovery 30 s after pg_ctl promote", s.Name)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// row is a pgx.Row that also closes the connection it came from.
type row struct {
	conn *pgx.Conn
	row  pgx.Row
	err  error
}

func (r *row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.conn.Close(context.Background())
	return r.row.Scan(dest...)
}

// QueryRow runs q with args on a new connection to database db of s (closed after Scan).
func (s *Server) QueryRow(db, q string, args ...any) pgx.Row {
	conn, err := connect(context.Background(), s.Port, db, 10*time.Second)
	if err != nil {
		return &row{err: fmt.Errorf("%s: %w", s.Name, err)}
	}
	return &row{conn: conn, row: conn.QueryRow(context.Background(), q, args...)}
}

// Exec runs q (one statement or several without arguments) on a new connection to database db of s, for at
// most 30 s (a commit on a primary with synchronous_standby_names waits for a standby that may not be there).
func (s *Server) Exec(db, q string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, s.Port, db, 10*time.Second)
	if err != nil {
		return fmt.Errorf("%s: %w", s.Name, err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, q)
	return err
}

// WaitSync waits up to timeout until the primary s streams to the standby named name synchronously:
// pg_stat_replication shows it with state "streaming" and sync_state "sync". Error: the time ran out (with
// what the view showed last).
func (s *Server) WaitSync(name string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var state, syncState string
		err := s.QueryRow("postgres", `SELECT state, sync_state FROM pg_stat_replication WHERE application_name = $1`,
			name).Scan(&state, &syncState)
		if err == nil && state == "streaming" && syncState == "sync" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("pgcluster: %s does not stream synchronously to %s after %v: state %q, sync_state %q, %v",
				s.Name, name, timeout, state, syncState, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Tail returns the last 30 lines s wrote to stderr.
func (s *Server) Tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.logs[max(0, len(s.logs)-30):], "\n")
}

func (s *Server) log(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logs = append(s.logs, line)
}
