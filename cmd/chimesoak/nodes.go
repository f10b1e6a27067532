package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// node is one `chimed serve` process the soak starts, kills with SIGKILL and restarts on the same address and
// data.
type node struct {
	name string
	bin  string
	args []string // after "serve"
	env  []string
	addr string // 127.0.0.1:PORT, kept across restarts
	log  *os.File

	cmd  *exec.Cmd
	done chan struct{}
}

// freeAddr asks the kernel for a free loopback port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func newNode(name, bin, logPath string, args, env []string) (*node, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	return &node{name: name, bin: bin, args: append([]string{"serve", "--listen", addr}, args...), env: env,
		addr: addr, log: f}, nil
}

func (n *node) url() string { return "http://" + n.addr }

// start launches the process and waits until /_chimed/ready answers 200 (or timeout).
func (n *node) start(ctx context.Context, timeout time.Duration) error {
	cmd := exec.Command(n.bin, n.args...)
	cmd.Env = append(os.Environ(), n.env...)
	cmd.Stdout, cmd.Stderr = n.log, n.log
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	n.cmd, n.done = cmd, done
	return n.waitReady(ctx, timeout)
}

func (n *node) waitReady(ctx context.Context, timeout time.Duration) error {
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-n.done:
			return fmt.Errorf("%s exited before it was ready (log: %s)", n.name, n.log.Name())
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := hc.Get(n.url() + "/_chimed/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %v (log: %s)", n.name, timeout, n.log.Name())
}

// kill sends SIGKILL and waits for the process to be gone.
func (n *node) kill() error {
	if n.cmd == nil || n.cmd.Process == nil {
		return errors.New("not running")
	}
	if err := n.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	<-n.done
	return nil
}

// stop ends the process with SIGTERM (SIGKILL after 15 s).
func (n *node) stop() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	select {
	case <-n.done:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(15 * time.Second):
		n.cmd.Process.Kill()
		<-n.done
	}
}

// alive reports whether the process runs.
func (n *node) alive() bool {
	if n.done == nil {
		return false
	}
	select {
	case <-n.done:
		return false
	default:
		return true
	}
}

// resources returns the resident set size in KiB and the number of open file descriptors (0, 0 when down).
func (n *node) resources() (rssKiB, fds int) {
	if !n.alive() {
		return 0, 0
	}
	pid := n.cmd.Process.Pid
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				rssKiB, _ = strconv.Atoi(f[1])
			}
		}
	}
	if ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
		fds = len(ents)
	}
	return rssKiB, fds
}
