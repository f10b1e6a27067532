// Command chimesoak runs chimed under a mixed load of every operation family for a while, kills a server with
// SIGKILL at a fixed interval and restarts it, and checks after each restart and at the end that every
// acknowledged write is still there and that the state-wide invariants hold. It writes a report (report.md and
// soak.png) and ends with one verdict line; it exits 1 when a write was lost or an invariant broken.
//
//	chimesoak [--duration 10m] [--kill-every 30s] [--concurrency 8] [--report DIR] [--chimed-bin PATH]
//	          [--postgres URL [--nodes 2]]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"
)

// config is the command line.
type config struct {
	bin         string
	postgres    string
	nodes       int
	duration    time.Duration
	killEvery   time.Duration
	concurrency int
	think       time.Duration
	report      string
	keep        bool
	args        []string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ok, err := run(ctx, os.Args[1:], os.Stdout)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "chimesoak:", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("chimesoak", flag.ContinueOnError)
	fs.StringVar(&c.bin, "chimed-bin", "", "chimed binary (default: build ./cmd/chimed)")
	fs.StringVar(&c.postgres, "postgres", "", "PostgreSQL URL: run --nodes nodes on a fresh schema of this database (default: one SQLite node)")
	fs.IntVar(&c.nodes, "nodes", 2, "PostgreSQL nodes")
	fs.DurationVar(&c.duration, "duration", 10*time.Minute, "length of the load")
	fs.DurationVar(&c.killEvery, "kill-every", 30*time.Second, "interval between two SIGKILLs (round robin over the nodes)")
	fs.IntVar(&c.concurrency, "concurrency", 8, "workers")
	fs.DurationVar(&c.think, "think", 0, "pause of a worker between two operations")
	fs.StringVar(&c.report, "report", "", "report directory (default: a new temporary directory)")
	fs.BoolVar(&c.keep, "keep", false, "keep the servers' data and logs (their directory is printed)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.postgres == "" {
		c.nodes = 1
	}
	if c.nodes < 1 || c.concurrency < 1 || c.duration <= 0 || c.killEvery <= 0 {
		return c, errors.New("--nodes, --concurrency, --duration and --kill-every must be positive")
	}
	c.args = args
	return c, nil
}

// run is the whole soak; ok is the verdict.
func run(ctx context.Context, args []string, stdout io.Writer) (ok bool, err error) {
	cfg, err := parseFlags(args)
	if err != nil {
		return false, err
	}
	work, err := os.MkdirTemp("", "chimesoak-")
	if err != nil {
		return false, err
	}
	if cfg.keep {
		fmt.Fprintf(stdout, "data and logs kept in %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	if cfg.report == "" {
		cfg.report = filepath.Join(work, "report")
	}
	if err := os.MkdirAll(cfg.report, 0o755); err != nil {
		return false, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if cfg.bin == "" {
		cfg.bin = filepath.Join(work, "chimed")
		log.Info("building chimed", "out", cfg.bin)
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", cfg.bin, "github.com/chimed/chimed/cmd/chimed").CombinedOutput(); err != nil {
			return false, fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	s, err := newSoak(ctx, cfg, work, log)
	if err != nil {
		return false, err
	}
	defer s.close()
	res := s.run(ctx)
	if err := writeReport(cfg, s, res); err != nil {
		return false, err
	}
	fmt.Fprintf(stdout, "report: %s\n", cfg.report)
	fmt.Fprintln(stdout, verdict(s, res))
	if res.err != nil {
		fmt.Fprintln(stdout, "not a passing run:", res.err)
	}
	return len(res.lost) == 0 && len(res.violations) == 0 && res.err == nil, res.err
}

// verdict is the run's one-line result, e.g. "verdict: sqlite 10m kills 17, acknowledged writes 51234, lost 0,
// invariant violations 0".
func verdict(s *soak, res *runResult) string {
	acked, _ := s.led.counts()
	return fmt.Sprintf("verdict: %s %s kills %d, acknowledged writes %d, lost %d, invariant violations %d", s.engine(),
		shortDuration(s.cfg.duration), len(res.kills), acked, len(res.lost), len(res.violations))
}

// shortDuration writes 10m rather than 10m0s.
func shortDuration(d time.Duration) string {
	str := d.String()
	if strings.HasSuffix(str, "m0s") {
		str = strings.TrimSuffix(str, "0s")
	}
	if strings.HasSuffix(str, "h0m") {
		str = strings.TrimSuffix(str, "0m")
	}
	return str
}

// redact hides a URL's password for the report.
func redact(url string) string {
	if i := strings.Index(url, "://"); i >= 0 {
		if j := strings.Index(url[i+3:], "@"); j >= 0 {
			if k := strings.Index(url[i+3:i+3+j], ":"); k >= 0 {
				return url[:i+3+k] + ":***" + url[i+3+j:]
			}
		}
	}
	return url
}
