package main_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	_ "modernc.org/sqlite"

	"github.com/chimed/chimed/internal/testenv"
)

// TestCorruptStore: pages of the database of a running server are overwritten. Requests reading them fail
// with 500, and then /_chimed/ready answers 503 (it said 200 before, defect 8 of issue 11); `chimed check`
// passes on the sound store and exits non-zero, saying what is wrong, on the damaged one.
func TestCorruptStore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	bin := testenv.BuildChimed(t)
	path := testenv.SQLitePath(t)
	p := testenv.LaunchChimed(t, bin, testenv.ProcOptions{Args: []string{"--auth", "any", "--db", "sqlite:" + path},
		Env: []string{"CHIMED_RATE_LIMIT=0"}})
	p.WaitListening(t, testenv.StartTimeout)
	c := p.Client("111122223333")
	ctx := context.Background()
	acc, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("corrupt")})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ { // 1500 users with their links and mail: a few hundred pages
		emails := make([]string, 50)
		for j := range emails {
			emails[j] = fmt.Sprintf("user-%d-%d@example.com", i, j)
		}
		if _, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acc.Account.AccountId, UserEmailList: emails}); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := runChimed(t, bin, nil, "check", "--db", "sqlite:"+path); err != nil {
		t.Fatalf("check of a sound store: %v\n%s", err, out)
	}

	// Move everything into the database file, then overwrite its middle third.
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	from, to := fi.Size()/3/page*page, 2*fi.Size()/3/page*page
	if _, err := f.WriteAt([]byte(strings.Repeat("\xa5", int(to-from))), from); err != nil {
		t.Fatal(err)
	}
	f.Close()

	_, err = c.ListUsers(ctx, &chime.ListUsersInput{AccountId: acc.Account.AccountId, MaxResults: aws.Int32(200)})
	for next := (*string)(nil); err == nil; {
		var out *chime.ListUsersOutput
		out, err = c.ListUsers(ctx, &chime.ListUsersInput{AccountId: acc.Account.AccountId, MaxResults: aws.Int32(200), NextToken: next})
		if err == nil && out.NextToken == nil {
			break
		} else if err == nil {
			next = out.NextToken
		}
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 500 {
		t.Fatalf("listing the users of a corrupt store: want a 500, got %v", err)
	}
	resp, err := http.Get(p.URL() + "/_chimed/ready")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 503 {
		t.Errorf("ready on a corrupt store: %d, want 503", resp.StatusCode)
	}
	out, err := runChimed(t, bin, nil, "check", "--db", "sqlite:"+path)
	if _, ok := err.(*exec.ExitError); !ok || !strings.Contains(out, "damaged") {
		t.Errorf("check of a corrupt store: want a non-zero exit and what is damaged, got %v:\n%s", err, out)
	}
}
