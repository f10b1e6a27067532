package testenv

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
)

// StartTimeout is how long StartChimed waits for the process to listen.
const StartTimeout = 20 * time.Second

// BuildChimed builds the chimed binary (github.com/chimed/chimed/cmd/chimed) into tb.TempDir() and returns its
// path.
func BuildChimed(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "chimed")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/chimed/chimed/cmd/chimed").CombinedOutput()
	if err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// ProcOptions describe a `chimed serve` child process.
type ProcOptions struct {
	Name string   // names the process in failure reports; default "chimed"
	Args []string // flags after `serve --listen 127.0.0.1:0`
	Env  []string // KEY=VALUE added to the test's environment (and CHIMED_LOG_LEVEL=info)
}

// Proc is a `chimed serve` child process listening on 127.0.0.1:0. It is killed when the test ends.
type Proc struct {
	Name string        // ProcOptions.Name
	Cmd  *exec.Cmd     // the started `chimed serve`
	Addr string        // host:port it listens on, once WaitListening returned
	Done chan struct{} // closed when the process has exited

	listening chan struct{} // closed when the process announced its address
	mu        sync.Mutex
	logs      []string // stderr lines, for failure reports
}

// LaunchChimed starts `bin serve --listen 127.0.0.1:0 o.Args…` and returns at once; WaitListening waits until
// it serves. Launching several before waiting starts them at the same moment.
func LaunchChimed(tb testing.TB, bin string, o ProcOptions) *Proc {
	tb.Helper()
	p := &Proc{Name: o.Name, Done: make(chan struct{}), listening: make(chan struct{})}
	if p.Name == "" {
		p.Name = "chimed"
	}
	p.Cmd = exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, o.Args...)...)
	p.Cmd.Env = append(append(os.Environ(), "CHIMED_LOG_LEVEL=info"), o.Env...)
	stderr, err := p.Cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := p.Cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { p.Cmd.Process.Kill(); <-p.Done })
	go func() {
		listening := false
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.log(sc.Text())
			var line struct{ Msg, Addr string }
			if !listening && json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "chimed serving" {
				p.Addr, listening = line.Addr, true
				close(p.listening)
			}
		}
		io.Copy(io.Discard, stderr) // a line too long for the scanner must not block the process
		p.Cmd.Wait()                // after the last read of stderr
		close(p.Done)
	}()
	return p
}

// WaitListening waits up to timeout until p listens; it fails tb, with p's last log lines, when p exits first
// or the time runs out.
func (p *Proc) WaitListening(tb testing.TB, timeout time.Duration) {
	tb.Helper()
	select {
	case <-p.listening: // even when the time is already up
		return
	default:
	}
	select {
	case <-p.listening:
		return
	case <-p.Done:
		select {
		case <-p.listening:
			return
		default:
		}
		tb.Fatalf("%s exited before listening:\n%s", p.Name, p.Tail())
	case <-time.After(timeout):
		tb.Fatalf("%s did not start listening in %v:\n%s", p.Name, timeout, p.Tail())
	}
}

// StartChimed starts `bin serve --listen 127.0.0.1:0 args…` and waits until it listens (StartTimeout).
func StartChimed(tb testing.TB, bin string, args ...string) *Proc {
	tb.Helper()
	p := LaunchChimed(tb, bin, ProcOptions{Args: args})
	p.WaitListening(tb, StartTimeout)
	return p
}

// URL returns the base URL of p, http://ADDR.
func (p *Proc) URL() string { return "http://" + p.Addr }

// Client returns an SDK client of p for access key keyID with the emulator's secret (AnySecret).
func (p *Proc) Client(keyID string, optFns ...func(*chime.Options)) *chime.Client {
	return NewClient(p.URL(), Key{ID: keyID, Secret: AnySecret}, optFns...)
}

// ClientFor returns an SDK client of p signing with key k.
func (p *Proc) ClientFor(k Key, optFns ...func(*chime.Options)) *chime.Client {
	return NewClient(p.URL(), k, optFns...)
}

// Kill sends SIGKILL to p and waits until it has exited.
func (p *Proc) Kill(tb testing.TB) {
	tb.Helper()
	if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		tb.Fatal(err)
	}
	<-p.Done
}

// Tail returns p's last 15 lines of stderr.
func (p *Proc) Tail() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.logs[max(0, len(p.logs)-15):], "\n")
}

// Logs returns every line p has written to stderr so far.
func (p *Proc) Logs() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.logs)
}

func (p *Proc) log(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logs = append(p.logs, line)
}
