package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"

	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/smithy-go"

	"github.com/chimed/chimed/internal/testenv"
)

// lockedBuffer collects what the server writes to stderr (its logs are flushed from another goroutine).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

var exportRE = regexp.MustCompile(`export AWS_ACCESS_KEY_ID=(\S+)\s+export AWS_SECRET_ACCESS_KEY=(\S+)`)

// TestRegionsFlag: --regions tolerates spaces around its names and is honored in both auth modes; a region
// outside the list is refused with InvalidSignatureException, as a region outside it always was in sigv4 mode.
func TestRegionsFlag(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"sigv4", "any"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			stderr := &lockedBuffer{}
			m := NewMain(io.Discard, stderr)
			if err := m.ParseFlags([]string{"--auth", mode, "--listen", "127.0.0.1:0", "--db", testenv.SQLiteDSN(t),
				"--regions", " us-east-1, eu-west-1 ,local"}); err != nil {
				t.Fatal(err)
			}
			if err := m.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { m.Close() })
			key := testenv.Key{ID: "111122223333", Secret: testenv.AnySecret}
			if mode == "sigv4" {
				found := exportRE.FindStringSubmatch(stderr.String())
				if found == nil {
					t.Fatalf("no generated key on stderr:\n%s", stderr)
				}
				key = testenv.Key{ID: found[1], Secret: found[2]}
			}
			for region, want := range map[string]string{"us-east-1": "", "eu-west-1": "", "local": "",
				"ap-south-1": "InvalidSignatureException", "us-east-2": "InvalidSignatureException"} {
				c := testenv.NewClient("http://"+m.Addr(), key, testenv.WithRegion(region))
				_, err := c.ListAccounts(context.Background(), &chime.ListAccountsInput{})
				var ae smithy.APIError
				switch {
				case want == "" && err != nil:
					t.Errorf("region %s: %v", region, err)
				case want != "" && (!errors.As(err, &ae) || ae.ErrorCode() != want || !strings.Contains(ae.ErrorMessage(), region)):
					t.Errorf("region %s: %v, want %s naming the region", region, err, want)
				}
			}
		})
	}
}

// TestRegionsFlagRefusesNonsense: a --regions entry no client can be configured with is a command-line error.
func TestRegionsFlagRefusesNonsense(t *testing.T) {
	t.Parallel()
	m := NewMain(io.Discard, io.Discard)
	if err := m.ParseFlags([]string{"--auth", "any", "--listen", "127.0.0.1:0", "--db", testenv.SQLiteDSN(t),
		"--regions", "us-east-1 eu-west-1"}); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	if err == nil {
		m.Close()
		t.Fatal("started with --regions \"us-east-1 eu-west-1\"")
	}
	if !strings.Contains(err.Error(), "--regions") || !strings.Contains(err.Error(), "us-east-1 eu-west-1") {
		t.Errorf("error %q does not name the flag and the entry", err)
	}
}
