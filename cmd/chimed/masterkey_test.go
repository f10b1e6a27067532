package main_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// runChimed runs the binary with args, in an environment without CHIMED_* variables but env, and returns its
// combined output and error (an *exec.ExitError for a non-zero exit). It gives up after 30 s.
func runChimed(t *testing.T, bin string, env []string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CHIMED_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("chimed %v did not exit in 30 s (it should refuse to start):\n%s", args, out)
	}
	return string(out), err
}

// TestWrongMasterKeyRefused: a store remembers a key-check value of its master key; a start (serve or the
// credentials command) with another key exits non-zero naming where the key came from, never the key. A store
// written before key checks existed gets its value from the first start that opens a stored credential.
func TestWrongMasterKeyRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	bin := testenv.BuildChimed(t)
	const other = "another master key of at least thirty-two characters"
	keyA, keyB := "CHIMED_MASTER_KEY="+testenv.MasterKey, "CHIMED_MASTER_KEY="+other
	refused := func(out string, err error, source, key string) {
		t.Helper()
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("want a non-zero exit, got %v:\n%s", err, out)
		}
		if !strings.Contains(out, source) || strings.Contains(out, key) {
			t.Fatalf("the refusal must name %s and never the key:\n%s", source, out)
		}
	}

	// A store of an older chimed: one credential sealed under key A, no key-check value.
	db := testenv.SQLiteDSN(t)
	store := testenv.MustOpen(t, db)
	if _, _, err := chime.NewCredentials(store, testenv.MustKeyring(t)).Create(context.Background(), "111122223333", false); err != nil {
		t.Fatal(err)
	}
	store.Close()
	out, err := runChimed(t, bin, []string{keyB}, "serve", "--listen", "127.0.0.1:0", "--db", db)
	refused(out, err, "CHIMED_MASTER_KEY", other)
	out, err = runChimed(t, bin, []string{keyB}, "credentials", "create", "--aws-account-id", "111122223333", "--db", db)
	refused(out, err, "CHIMED_MASTER_KEY", other)
	p := testenv.LaunchChimed(t, bin, testenv.ProcOptions{Args: []string{"--db", db}, Env: []string{keyA}})
	p.WaitListening(t, testenv.StartTimeout)
	p.Kill(t)

	// A new store with a key file: the value is written at once; another key in the file is refused.
	db2 := testenv.SQLiteDSN(t)
	if out, err := runChimed(t, bin, nil, "credentials", "create", "--aws-account-id", "111122223333", "--db", db2); err != nil {
		t.Fatalf("credentials create: %v\n%s", err, out)
	}
	keyFile := filepath.Join(filepath.Dir(strings.TrimPrefix(db2, "sqlite:")), "master.key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = runChimed(t, bin, nil, "serve", "--listen", "127.0.0.1:0", "--db", db2)
	refused(out, err, keyFile, strings.Repeat("ab", 32))
}
