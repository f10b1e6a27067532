package main_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/testenv"
)

// TestCrashKeepsAcknowledgedWrites kills the server with SIGKILL right after a burst of acknowledged writes
// and checks that every one of them is there after a restart (synchronous=FULL, WAL).
func TestCrashKeepsAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := testenv.BuildChimed(t)
	db := testenv.SQLiteDSN(t)
	ctx := context.Background()
	p := testenv.StartChimed(t, bin, "--auth", "any", "--db", db)
	c := p.Client("111122223333")

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
	p.Kill(t)
	if len(acked) != 120 {
		t.Fatalf("only %d of 120 invitations were acknowledged before the kill", len(acked))
	}

	p2 := testenv.StartChimed(t, bin, "--auth", "any", "--db", db)
	c2 := p2.Client("111122223333")
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
