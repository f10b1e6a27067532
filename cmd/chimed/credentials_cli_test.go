package main_test

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/smithy-go"

	"github.com/chimed/chimed/internal/testenv"
)

// TestCredentialsCommandOnARunningServer: keys created and revoked by `chimed credentials` (another process
// on the same SQLite file) work, and stop working, at once on a running server — even right after the server
// answered requests of that key (its credential cache must not outlive the revocation).
func TestCredentialsCommandOnARunningServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := testenv.BuildChimed(t)
	db := testenv.SQLiteDSN(t)
	t.Setenv("CHIMED_MASTER_KEY", testenv.MasterKey)
	p := testenv.StartChimed(t, bin, "--db", db) // default --auth sigv4
	cli := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"credentials"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("chimed credentials %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	var id, secret string
	for _, line := range strings.Split(cli("create", "--aws-account-id", "111122223333", "--db", db), "\n") {
		if v, ok := strings.CutPrefix(line, "export AWS_ACCESS_KEY_ID="); ok {
			id = v
		} else if v, ok := strings.CutPrefix(line, "export AWS_SECRET_ACCESS_KEY="); ok {
			secret = v
		}
	}
	if id == "" || secret == "" {
		t.Fatal("credentials create printed no key")
	}
	c := p.ClientFor(testenv.Key{ID: id, Secret: secret})
	ctx := context.Background()
	for i := 0; i < 3; i++ { // the key is in use (and cached) on the server
		if _, err := c.ListAccounts(ctx, &chime.ListAccountsInput{}); err != nil {
			t.Fatalf("a key created by the command line does not work at once: %v", err)
		}
	}
	if list := cli("list", "--db", db); !strings.Contains(list, id) || strings.Contains(list, secret) {
		t.Fatalf("credentials list must name the key and never show its secret:\n%s", list)
	}
	cli("revoke", "--db", db, id)
	_, err := c.ListAccounts(ctx, &chime.ListAccountsInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "UnrecognizedClientException" {
		t.Fatalf("first request after revoke: want UnrecognizedClientException, got %v", err)
	}
}
