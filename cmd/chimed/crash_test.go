package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
)

// chimedProc is a chimed serve child process.
type chimedProc struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{}
}

// buildChimedBinary builds cmd/chimed once per test into a temporary directory.
func buildChimedBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "chimed")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startChimedProc starts `chimed serve --listen 127.0.0.1:0 args…` and waits until it listens.
func startChimedProc(t testing.TB, bin string, args ...string) *chimedProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "CHIMED_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &chimedProc{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "chimed serving" {
				addr <- line.Addr
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-p.done })
	select {
	case p.addr = <-addr:
	case <-p.done:
		t.Fatal("chimed exited before listening")
	case <-time.After(20 * time.Second):
		t.Fatal("chimed did not start listening")
	}
	return p
}

func (p *chimedProc) client(key string) *chime.Client {
	return chime.New(chime.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + p.addr),
		Credentials: credentials.NewStaticCredentialsProvider(key, "secret-not-checked", ""), RetryMaxAttempts: 1})
}

// TestCrashKeepsAcknowledgedWrites kills the server with SIGKILL right after a burst of acknowledged writes
// and checks that every one of them is there after a restart (synchronous=FULL, WAL).
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildChimedBinary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "data", "chimed.db")
	ctx := context.Background()
	p := startChimedProc(t, bin, "--auth", "any", "--db", db)
	c := p.client("111122223333")

	acc, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("crash")})
	if err != nil {
		t.Fatal(err)
	}
	accountID := *acc.Account.AccountId
	var mu sync.Mutex
	acked := map[string]bool{} // emails whose invitation was acknowledged
	accounts := []string{accountID}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 15; i++ {
				email := fmt.Sprintf("w%d-u%d@example.com", w, i)
				_, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: &accountID, UserEmailList: []string{email}})
				if err == nil {
					mu.Lock()
					acked[email] = true
					mu.Unlock()
				}
				if i%5 == 0 {
					out, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(email)})
					if err == nil {
						mu.Lock()
						accounts = append(accounts, *out.Account.AccountId)
						mu.Unlock()
					}
				}
			}
		}(w)
	}
	wg.Wait()
	// Kill right after the last acknowledgement: nothing gets a chance to flush on the way out.
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if len(acked) != 120 {
		t.Fatalf("only %d of 120 invitations were acknowledged before the kill", len(acked))
	}

	p2 := startChimedProc(t, bin, "--auth", "any", "--db", db)
	c2 := p2.client("111122223333")
	seen := map[string]bool{}
	pg := chime.NewListUsersPaginator(c2, &chime.ListUsersInput{AccountId: &accountID, MaxResults: aws.Int32(200)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.Users {
			seen[*u.PrimaryEmail] = true
		}
	}
	for email := range acked {
		if !seen[email] {
			t.Errorf("acknowledged invitation of %s lost after SIGKILL", email)
		}
	}
	for _, id := range accounts {
		if _, err := c2.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)}); err != nil {
			t.Errorf("acknowledged account %s lost after SIGKILL: %v", id, err)
		}
	}
}
