package main_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/internal/testenv"
)

// holdBody opens a connection to addr that declares a 1 MiB body, sends 600 KiB of it and stops.
func holdBody(t *testing.T, addr string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST /accounts HTTP/1.1\r\nHost: chimed\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\n\r\n", 1<<20)
	// A reservation grows with the bytes received: past half of the declared MiB it is the whole MiB.
	if _, err := c.Write(bytes.Repeat([]byte(" "), 600<<10)); err != nil {
		t.Fatal(err)
	}
}

// TestMaxBodyMemoryFlag: --max-body-memory-mb (or CHIMED_MAX_BODY_MEMORY_MB) bounds the request bodies the
// real server holds at once: with 1 MiB, one client holding most of a 1 MiB body makes every other request with a body
// wait, then get 503 ServiceUnavailableException, while GetUser-like reads still answer; with the default
// (64 MiB) the same client blocks nobody.
func TestMaxBodyMemoryFlag(t *testing.T) {
	t.Parallel()
	bin := testenv.BuildChimed(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		o       testenv.ProcOptions
		blocked bool
	}{
		{"flag", testenv.ProcOptions{Args: []string{"--auth", "any", "--db", "sqlite::memory:",
			"--max-body-memory-mb", "1"}}, true},
		{"env", testenv.ProcOptions{Args: []string{"--auth", "any", "--db", "sqlite::memory:"},
			Env: []string{"CHIMED_MAX_BODY_MEMORY_MB=1"}}, true},
		{"default", testenv.ProcOptions{Args: []string{"--auth", "any", "--db", "sqlite::memory:"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := testenv.LaunchChimed(t, bin, tc.o)
			p.WaitListening(t, testenv.StartTimeout)
			c := p.Client("111122223333")
			holdBody(t, p.Addr)
			time.Sleep(200 * time.Millisecond) // the held request has reserved its body

			if _, err := c.ListAccounts(ctx, &chime.ListAccountsInput{}); err != nil {
				t.Errorf("ListAccounts (no body) while a body is held: %v", err)
			}
			start := time.Now()
			_, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("x")})
			var su *types.ServiceUnavailableException
			switch {
			case tc.blocked && !errors.As(err, &su):
				t.Errorf("CreateAccount with the budget spent: %v, want ServiceUnavailableException", err)
			case tc.blocked && time.Since(start) < time.Second:
				t.Errorf("refused after %v, without waiting", time.Since(start))
			case !tc.blocked && err != nil:
				t.Errorf("CreateAccount with the default budget: %v", err)
			}
		})
	}
}
