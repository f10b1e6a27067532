package sigv4_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chimed/chimed/sigv4"
)

// botocoreScript is scripts/botocore_sign_check.py, relative to this package.
var botocoreScript = filepath.Join("..", "scripts", "botocore_sign_check.py")

// TestBotocoreSignedRequests runs scripts/botocore_sign_check.py against a
// server that only verifies signatures. It proves compatibility with
// botocore's signer (path normalization, no content-length signing, query
// encoding) and tests the script itself. Skipped when python3 or botocore is
// missing.
func TestBotocoreSignedRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("runs python3")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	if out, err := exec.Command(py, "-c", "import botocore.auth").CombinedOutput(); err != nil {
		t.Skipf("botocore not importable: %v: %s", err, out)
	}
	if _, err := os.Stat(botocoreScript); err != nil {
		t.Fatalf("script missing: %v", err)
	}

	// The script must fail against a server that accepts everything (its
	// negative checks) and against one that refuses everything.
	for _, status := range []int{http.StatusOK, http.StatusForbidden} {
		t.Run(fmt.Sprintf("script fails on always %d", status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("x-amzn-ErrorType", "InvalidSignatureException")
				w.WriteHeader(status)
				_, _ = w.Write([]byte("{}"))
			}))
			defer srv.Close()
			out, err := exec.Command(py, botocoreScript, srv.URL, testAKID, testSecret).CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("exit: %v, want status 1\n%s", err, out)
			}
		})
	}

	for _, region := range []string{"eu-west-1", "us-east-1"} {
		t.Run(region, func(t *testing.T) {
			srv := newAuthServer(t, sigv4.New(sigv4.Options{}), testSecrets)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, py, botocoreScript, srv.URL, testAKID, testSecret, "--region", region)
			cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
			out, err := cmd.CombinedOutput()
			t.Logf("script output:\n%s", out)
			if err != nil {
				t.Fatalf("script failed: %v", err)
			}

			srv.mu.Lock()
			defer srv.mu.Unlock()
			var ok, invalid, unrecognized int
			for _, s := range srv.seen {
				switch {
				case s.err == nil:
					ok++
					if strings.Contains(strings.Join(s.signedHeaders, ";"), "content-length") {
						t.Errorf("%s %s: botocore signed content-length: %v", s.method, s.path, s.signedHeaders)
					}
				case strings.HasPrefix(s.err.Error(), "InvalidSignatureException"):
					invalid++
				case strings.HasPrefix(s.err.Error(), "UnrecognizedClientException"):
					unrecognized++
				default:
					t.Errorf("%s %s?%s: %v", s.method, s.path, s.query, s.err)
				}
			}
			// The script's signed requests must all have passed Verify itself
			// (not merely avoided a 403), and exactly its two negative checks failed.
			if ok < 15 || invalid != 1 || unrecognized != 1 {
				t.Errorf("verified %d, InvalidSignature %d, UnrecognizedClient %d; want >=15, 1, 1", ok, invalid, unrecognized)
			}
		})
	}
}
