package main_test

import (
	"context"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/testenv"
)

// TestSCIMTokenCommand: `chimed scim-token create` (another process on the server's SQLite file) makes a token
// that works at once on the running server, list shows its id and prefix but never the token, and after
// revoke the next request is refused (401). Bad invocations say what is wrong.
func TestSCIMTokenCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := testenv.BuildChimed(t)
	db := testenv.SQLiteDSN(t)
	p := testenv.StartChimed(t, bin, "--db", db, "--auth", "any")
	ctx := context.Background()
	out, err := p.Client("111122223333").CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("scim")})
	if err != nil {
		t.Fatal(err)
	}
	account := *out.Account.AccountId
	cli := func(args ...string) (string, string, error) {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"scim-token"}, args...)...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return stdout.String(), stderr.String(), err
	}
	token, msg, err := cli("create", "--db", db, "--aws-account-id", "111122223333", "--account-id", account)
	token = strings.TrimSpace(token)
	if err != nil || !strings.HasPrefix(token, "chs_") || !strings.Contains(msg, "shown only now") {
		t.Fatalf("create: %v %q %q", err, token, msg)
	}
	get := func() int {
		req, _ := http.NewRequest("GET", p.URL()+"/scim/v2/accounts/"+account+"/Users", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		return testenv.Send(t, req).Status
	}
	if s := get(); s != 200 {
		t.Fatalf("a new token answers %d", s)
	}
	list, _, err := cli("list", "--db", db)
	id := strings.Split(strings.TrimPrefix(token, "chs_"), "_")[0]
	if err != nil || !strings.Contains(list, id) || strings.Contains(list, token) || !strings.Contains(list, "active") {
		t.Fatalf("list must name the token and never show it: %v\n%s", err, list)
	}
	if o, _, err := cli("revoke", "--db", db, id); err != nil || !strings.Contains(o, "revoked "+id) {
		t.Fatalf("revoke: %v %s", err, o)
	}
	if s := get(); s != 401 {
		t.Fatalf("a revoked token answers %d", s)
	}
	if list, _, _ := cli("list", "--db", db, "--account-id", account); !strings.Contains(list, "revoked") {
		t.Fatalf("list after revoke:\n%s", list)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"create", "--db", db, "--account-id", account}, "--aws-account-id and --account-id are required"},
		{[]string{"create", "--db", db, "--aws-account-id", "111122223333", "--account-id", "nope"}, "has no Chime account"},
		{[]string{"create", "--db", db, "--aws-account-id", "444455556666", "--account-id", account}, "has no Chime account"},
		{[]string{"create", "--db", db, "--aws-account-id", "12", "--account-id", account}, "not 12 digits"},
		{[]string{"revoke", "--db", db, id}, "no active SCIM token"},
		{[]string{"revoke", "--db", db}, "give one TOKEN_ID"},
		{[]string{"frobnicate"}, "unknown subcommand"},
	} {
		_, stderr, err := cli(bad.args...)
		if err == nil || !strings.Contains(stderr, bad.want) {
			t.Errorf("scim-token %v: %v, stderr %q, want %q", bad.args, err, stderr, bad.want)
		}
	}
}
