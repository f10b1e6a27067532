// Package pgcluster starts and controls throwaway PostgreSQL servers for tests, from the binaries a Debian
// PostgreSQL package installs (/usr/lib/postgresql/VERSION/bin: initdb, pg_ctl, pg_basebackup, postgres): a
// primary made by initdb, streaming standbys made by pg_basebackup -R, and the faults tests inflict on them
// (SIGKILL of a server's whole process group, promotion of a standby).
//
// PostgreSQL refuses to run as root: when the test runs as root, every binary runs as the OS user "postgres"
// (its uid and gid as the child's credential) in a directory that user owns. Servers listen on 127.0.0.1 only
// (a free port each, no Unix socket) with trust authentication. Everything a Group started is killed and its
// directory removed when the test ends, also when it fails.
package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/chimed/chimed/sqlstore/pgtest"
)

// BinDirEnv names an environment variable that, when set, is the directory of the PostgreSQL binaries to use
// instead of the newest /usr/lib/postgresql/*/bin.
const BinDirEnv = "CHIMED_PG_BINDIR"

// tools are the binaries a Group runs.
var tools = []string{"initdb", "pg_ctl", "pg_basebackup", "postgres"}

// BinDir returns the directory of the PostgreSQL binaries: $CHIMED_PG_BINDIR, else the newest Debian version
// under /usr/lib/postgresql. Error: no directory holds every binary a Group runs.
func BinDir() (string, error) {
	dirs := []string{os.Getenv(BinDirEnv)}
	if dirs[0] == "" {
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
		sort.Slice(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
		dirs = found
	}
	for _, d := range dirs {
		ok := true
		for _, tool := range tools {
			if fi, err := os.Stat(filepath.Join(d, tool)); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
				ok = false
				break
			}
		}
		if ok {
			return d, nil
		}
	}
	return "", fmt.Errorf("pgcluster: no PostgreSQL binaries (%s) in /usr/lib/postgresql/*/bin or $%s",
		strings.Join(tools, ", "), BinDirEnv)
}

// Require skips tb unless PostgreSQL tests are enabled (CHIMED_TEST_POSTGRES is set, see pgtest) and the
// binaries are there (BinDir); in CI (the environment variable CI set) missing binaries fail tb instead: CI
// installs Debian's PostgreSQL, so the tests of this package's users must run there.
func Require(tb testing.TB) {
	tb.Helper()
	if !pgtest.Enabled() {
		tb.Skipf("%s is not set: skipping a test that starts PostgreSQL servers", pgtest.EnvVar)
	}
	if _, err := BinDir(); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal(err)
		}
		tb.Skip(err)
	}
}

// version is the major version number of a /usr/lib/postgresql/VERSION/bin path (0 when it has none).
func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Group is a set of PostgreSQL servers of one test sharing a temporary directory.
type Group struct {
	tb   testing.TB
	bin  string
	dir  string              // parent of the data directories, owned by the servers' OS user
	cred *syscall.Credential // nil when the test does not run as root
}

// New returns an empty Group whose directory is removed, after every server of it is killed, when tb ends.
// It fails tb when the binaries are missing (see BinDir) or, as root, there is no OS user "postgres".
func New(tb testing.TB) *Group {
	tb.Helper()
	bin, err := BinDir()
	if err != nil {
		tb.Fatal(err)
	}
	g := &Group{tb: tb, bin: bin}
	dir, err := os.MkdirTemp("", "pgcluster-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) }) // runs after the servers' cleanups, registered later
	g.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("pgcluster: running as root, PostgreSQL needs another OS user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		g.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	return g
}

// command returns an exec.Cmd running the PostgreSQL binary tool as the servers' OS user, in its own process
// group, with a minimal environment.
func (g *Group) command(tool string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(g.bin, tool), args...)
	cmd.Dir = g.dir
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "TZ=UTC", "HOME=" + g.dir}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: g.cred, Setpgid: true}
	return cmd
}

// run runs tool to completion and fails tb, with its output, when it fails.
func (g *Group) run(tool string, args ...string) {
	g.tb.Helper()
	cmd := g.command(tool, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		g.tb.Fatalf("pgcluster: %s %s: %v\n%s", tool, strings.Join(args, " "), err, out)
	}
}

// Settings are server configuration parameters (postgresql.conf names and values), given to the server on its
// command line, so they are neither copied by pg_basebackup nor left behind after a promotion.
type Settings map[string]string

// baseSettings are the parameters of every server: 127.0.0.1 only, no Unix socket, small memory, logs on
// stderr, and streaming replication possible.
func baseSettings(port int) Settings {
	return Settings{
		"port":                    strconv.Itoa(port),
		"listen_addresses":        "127.0.0.1",
		"unix_socket_directories": "",
		"shared_buffers":          "16MB",
		"max_connections":         "60",
		"max_wal_senders":         "4",
		"wal_level":               "replica",
		"hot_standby":             "on",
		"wal_keep_size":           "64MB",
		"logging_collector":       "off",
		"log_min_messages":        "warning",
		"log_line_prefix":         "%m [%p] ",
	}
}

// InitPrimary creates a database cluster with initdb (UTF8, locale C, trust authentication, superuser
// "postgres") and starts it as a primary with settings added to the base ones. Fails tb when the server does
// not accept connections within 30 s. With synchronous_standby_names set, every commit waits until a standby
// has it: make the standby (InitStandby, then WaitSync) before writing.
func (g *Group) InitPrimary(name string, settings Settings) *Server {
	g.tb.Helper()
	s := g.newServer(name)
	g.run("initdb", "-D", s.Dir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync",
		"--no-instructions")
	s.start(settings)
	return s
}

// InitStandby makes a streaming standby of primary with pg_basebackup -R (the WAL streamed during the copy),
// names it to the primary with application_name = name (what synchronous_standby_names matches and
// pg_stat_replication shows), and starts it with settings added to the base ones. Fails tb when the standby does
// not accept (read-only) connections within 30 s.
func (g *Group) InitStandby(name string, primary *Server, settings Settings) *Server {
	g.tb.Helper()
	s := g.newServer(name)
	g.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(primary.Port), "-U", "postgres", "-D", s.Dir,
		"-R", "-X", "stream", "-c", "fast", "--no-sync")
	// The last setting in postgresql.auto.conf wins over the one pg_basebackup -R wrote.
	conninfo := fmt.Sprintf("host=127.0.0.1 port=%d user=postgres application_name=%s", primary.Port, name)
	f, err := os.OpenFile(filepath.Join(s.Dir, "postgresql.auto.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = fmt.Fprintf(f, "primary_conninfo = '%s'\n", conninfo)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		g.tb.Fatalf("pgcluster: %s: %v", name, err)
	}
	s.start(settings)
	return s
}

// newServer reserves a free port on 127.0.0.1 and a data directory path for a server named name.
func (g *Group) newServer(name string) *Server {
	g.tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		g.tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return &Server{Name: name, Port: port, Dir: filepath.Join(g.dir, name), g: g}
}

// Ports returns "127.0.0.1:P1,127.0.0.1:P2,…" for servers, the host list of a multi-host connection URL.
func Ports(servers ...*Server) string {
	hosts := make([]string, len(servers))
	for i, s := range servers {
		hosts[i] = "127.0.0.1:" + strconv.Itoa(s.Port)
	}
	return strings.Join(hosts, ",")
}

// connect opens a connection to database db of the server on port, as postgres, within timeout.
func connect(ctx context.Context, port int, db string, timeout time.Duration) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return pgx.Connect(ctx, fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable&connect_timeout=5",
		port, db))
}

// errExited is returned by waits on a server that exited.
var errExited = errors.New("the server exited")
