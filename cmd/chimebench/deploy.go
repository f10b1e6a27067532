package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// deployment is chimed serving one store: one process on SQLite, or --nodes processes on one PostgreSQL schema.
type deployment struct {
	name    string
	compare bool // started from --compare-bin
	procs   []*chimedProc
	clients []*client // one per process
	w       *workloads
	cleanup []func()
}

func (d *deployment) addrs() []string {
	var a []string
	for _, p := range d.procs {
		a = append(a, strings.TrimPrefix(p.url, "http://"))
	}
	return a
}

func (d *deployment) pids() []int {
	var a []int
	for _, p := range d.procs {
		a = append(a, p.cmd.Process.Pid)
	}
	return a
}

// stop stops the processes and removes the store (temporary directory or schema).
func (d *deployment) stop() {
	for _, p := range d.procs {
		p.stop()
	}
	for i := len(d.cleanup) - 1; i >= 0; i-- {
		d.cleanup[i]()
	}
}

// deploy creates a fresh store for db ("sqlite" or a postgres:// URL), seeds it and starts the chimed binary bin
// on it; compare marks the deployment of --compare-bin in its name.
func deploy(ctx context.Context, cfg benchConfig, db, bin string, compare bool, out io.Writer) (_ *deployment, err error) {
	d := &deployment{}
	defer func() {
		if err != nil {
			d.stop()
		}
	}()
	var dsn string
	nodes := 1
	switch {
	case db == "sqlite":
		dir, err := os.MkdirTemp("", "chimebench-")
		if err != nil {
			return nil, err
		}
		if !cfg.keepDir {
			d.cleanup = append(d.cleanup, func() { os.RemoveAll(dir) })
		}
		dsn, d.name = "sqlite:"+filepath.Join(dir, "chimed.db"), "sqlite"
	case strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://"):
		var drop func()
		if dsn, drop, err = freshSchema(ctx, db); err != nil {
			return nil, err
		}
		if !cfg.keepDir {
			d.cleanup = append(d.cleanup, drop)
		}
		nodes = max(1, cfg.nodes)
		d.name = fmt.Sprintf("postgres x%d", nodes)
	default:
		return nil, fmt.Errorf("--db %q: want sqlite or a postgres:// URL", db)
	}
	if compare {
		d.name, d.compare = d.name+" (compare-bin)", true
	}
	d.w = &workloads{dsn: dsn, rooms: cfg.rooms}
	if cfg.direct {
		t0 := time.Now()
		how := "seeded %d users directly in %v\n"
		if cfg.seedDir != "" && db == "sqlite" {
			var copied bool
			copied, err = d.w.seedCached(ctx, cfg.seedDir, strings.TrimPrefix(dsn, "sqlite:"), cfg.users)
			if copied {
				how = "copied a store of %d users from --seed-dir in %v\n"
			}
		} else {
			d.w.account, d.w.ids, d.w.emails, err = seedDirect(ctx, dsn, cfg.users)
		}
		if err != nil {
			return nil, fmt.Errorf("seed %s: %w", d.name, err)
		}
		fmt.Fprintf(out, "%s: "+how, d.name, cfg.users, time.Since(t0).Round(time.Millisecond))
	}
	for i := 0; i < nodes; i++ {
		extra, pprofAddr := strings.Fields(cfg.extraArgs), ""
		if cfg.profile != "" {
			if pprofAddr, err = freePort(); err != nil {
				return nil, err
			}
			extra = append(extra, "--pprof", pprofAddr)
		}
		p, err := startChimed(ctx, cfg.pin, bin, dsn, benchKey, benchSecret, extra)
		if err != nil {
			return nil, fmt.Errorf("%s node %d: %w", d.name, i+1, err)
		}
		p.pprof = pprofAddr
		d.procs = append(d.procs, p)
		d.clients = append(d.clients, newClient(p.url, benchKey, benchSecret, cfg.region, cfg.concurrency))
		pinned := ""
		if cfg.pin.server != "" {
			pinned = fmt.Sprintf(" (on CPUs %s, the generator on %s)", processCPUs(p.cmd.Process.Pid), processCPUs(os.Getpid()))
		}
		fmt.Fprintf(out, "%s node %d: start to ready %v%s\n", d.name, i+1, p.startToReady.Round(100*time.Microsecond), pinned)
	}
	d.w.c = d.clients[0]
	if !cfg.direct {
		t0 := time.Now()
		if d.w.account, d.w.ids, d.w.emails, err = seedAPI(ctx, d.w.c, cfg.users); err != nil {
			return nil, fmt.Errorf("seed %s: %w", d.name, err)
		}
		fmt.Fprintf(out, "%s: seeded %d users through InviteUsers in %v\n", d.name, len(d.w.ids), time.Since(t0).Round(time.Millisecond))
	}
	return d, nil
}

// freshSchema creates a schema chimebench_<random> in the database of base and returns a URL whose search_path
// is that schema, and a function dropping it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	b := make([]byte, 6)
	rand.Read(b)
	schema := "chimebench_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return "", nil, fmt.Errorf("postgres: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, fmt.Errorf("postgres: create schema: %w", err)
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, base); err == nil {
			conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
			conn.Close(ctx)
		}
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// profileCPU fetches a CPU profile over d from the net/http/pprof server at addr (of the process called who)
// into path, in the background; the channel is closed when done.
func profileCPU(ctx context.Context, addr string, d time.Duration, path, who string, out io.Writer) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		secs := max(1, int((d+time.Second-1)/time.Second))
		url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, secs)
		req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
		if err != nil {
			return
		}
		resp, err := (&http.Client{Timeout: d + 30*time.Second}).Do(req)
		if err != nil {
			fmt.Fprintf(out, "    profile: %v\n", err)
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != 200 {
			err = fmt.Errorf("%s: %d %.200s", url, resp.StatusCode, b)
		}
		if err == nil {
			err = os.WriteFile(path, b, 0o644)
		}
		if err != nil {
			fmt.Fprintf(out, "    profile: %v\n", err)
			return
		}
		fmt.Fprintf(out, "    CPU profile of %s: %s (go tool pprof -top %s)\n", who, path, path)
	}()
	return done
}

// seedCached seeds the SQLite store at path with n users, from a copy kept in dir when there is one (copied is
// then true), else directly, keeping a copy in dir for the next run.
func (w *workloads) seedCached(ctx context.Context, dir, path string, n int) (copied bool, err error) {
	base := filepath.Join(dir, fmt.Sprintf("users-%d", n))
	if b, err := os.ReadFile(base + ".ids"); err == nil {
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) == n+1 {
			if err := copyFile(base+".db", path); err != nil {
				return false, err
			}
			w.account = lines[0]
			w.ids, w.emails = make([]string, n), make([]string, n)
			for i, l := range lines[1:] {
				w.ids[i], w.emails[i], _ = strings.Cut(l, " ")
			}
			return true, nil
		}
	}
	if w.account, w.ids, w.emails, err = seedDirect(ctx, "sqlite:"+path, n); err != nil {
		return false, err
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		return false, nil // not checkpointed: not a file that can be copied alone
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	if err := copyFile(path, base+".db"); err != nil {
		return false, err
	}
	var b strings.Builder
	b.WriteString(w.account + "\n")
	for i := range w.ids {
		b.WriteString(w.ids[i] + " " + w.emails[i] + "\n")
	}
	return false, os.WriteFile(base+".ids", []byte(b.String()), 0o644)
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
