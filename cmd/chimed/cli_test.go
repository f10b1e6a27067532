package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chimed/chimed/internal/testenv"
)

// runCLI runs `chimed args…` in process and returns its stdout and error.
func runCLI(args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, &stdout, &stderr)
	return stdout.String(), err
}

// TestCredentialsCommandLine: create prints `export …` lines; list and revoke refuse a database that does not
// exist without creating anything; errors say what to do on a command line, not Go error chains.
func TestCredentialsCommandLine(t *testing.T) {
	t.Setenv("CHIMED_MASTER_KEY", testenv.MasterKey)
	dir := t.TempDir()
	missing := filepath.Join(dir, "nothing", "chimed.db")
	for _, args := range [][]string{{"list", "--db", "sqlite:" + missing}, {"revoke", "--db", "sqlite:" + missing, "AKCHNOSUCHKEY0000000"}} {
		_, err := runCLI(append([]string{"credentials"}, args...)...)
		if err == nil || !strings.Contains(err.Error(), missing) {
			t.Errorf("credentials %s on a missing database: want a refusal naming it, got %v", args[0], err)
		}
		if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
			t.Fatalf("credentials %s on a missing database created %s", args[0], filepath.Dir(missing))
		}
	}

	db := "sqlite:" + filepath.Join(dir, "data", "chimed.db")
	out, err := runCLI("credentials", "create", "--aws-account-id", "111122223333", "--db", db)
	if err != nil || !regexp.MustCompile(`(?m)^export AWS_ACCESS_KEY_ID=AKCH\w+\nexport AWS_SECRET_ACCESS_KEY=\S{40}$`).MatchString(out) {
		t.Fatalf("credentials create: want export lines, got %v:\n%s", err, out)
	}

	os.WriteFile(filepath.Join(dir, "junk.db"), []byte("not a database"), 0o600)
	for _, c := range []struct{ args, want string }{
		{"create --db " + db, "--aws-account-id"},
		{"create --aws-account-id 1234 --db " + db, "--aws-account-id"},
		{"list --db sqlite:" + dir, "--db"},
		{"list --db sqlite:" + filepath.Join(dir, "junk.db"), "--db"},
		{"list --db mysql://x", "--db"},
		{"revoke --db " + db + " AKCHNOSUCHKEY0000000", "credentials list"},
		{"revoke --db " + db, "KEY_ID"},
	} {
		_, err := runCLI(append([]string{"credentials"}, strings.Fields(c.args)...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) ||
			regexp.MustCompile(`sqlstore:|sqlite: |migrations:|\(\d+\)`).MatchString(err.Error()) {
			t.Errorf("credentials %s: want a command-line message mentioning %s, got %v", c.args, c.want, err)
		}
	}
}

// TestCheckPostgres: `chimed check` on PostgreSQL passes on a migrated schema and fails on one that is not.
func TestCheckPostgres(t *testing.T) {
	t.Parallel()
	dsn := testenv.PostgresDSN(t)
	if out, err := runCLI("check", "--db", dsn); err == nil {
		t.Fatalf("check of an empty schema passed:\n%s", out)
	}
	testenv.MustOpen(t, dsn).Close()
	if out, err := runCLI("check", "--db", dsn); err != nil {
		t.Fatalf("check of a migrated schema: %v\n%s", err, out)
	}
}
