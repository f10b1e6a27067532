package main_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/internal/testenv"
)

// Several chimed processes on one PostgreSQL schema: started together, driven alternately, one killed mid-load.

const mnTenant = "111122223333"

// mnStart starts one node per name, all at the same moment, and waits until every one listens.
func mnStart(t *testing.T, bin, dsn string, names ...string) []*testenv.Proc {
	t.Helper()
	nodes := make([]*testenv.Proc, len(names))
	for i, name := range names {
		nodes[i] = testenv.LaunchChimed(t, bin, testenv.ProcOptions{Name: name,
			Args: []string{"--auth", "any", "--db", dsn, "--db-max-conns", "6", "--db-conn-timeout", "5s",
				"--log-level", "info"},
			Env: []string{"CHIMED_RATE_LIMIT=0", "CHIMED_MASTER_KEY=one master key shared by every node of the test"}})
	}
	deadline := time.Now().Add(60 * time.Second)
	for _, n := range nodes {
		n.WaitListening(t, time.Until(deadline))
	}
	return nodes
}

func mnReady(t *testing.T, n *testenv.Proc) {
	t.Helper()
	resp, err := http.Get(n.URL() + "/_chimed/ready")
	if err != nil {
		t.Fatalf("%s ready: %v", n.Name, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("%s ready: %d", n.Name, resp.StatusCode)
	}
}

// mnUsers lists every user of an account through c.
func mnUsers(t *testing.T, c *chime.Client, accountID string) []types.User {
	t.Helper()
	var all []types.User
	p := chime.NewListUsersPaginator(c, &chime.ListUsersInput{AccountId: &accountID, MaxResults: aws.Int32(200)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		all = append(all, page.Users...)
	}
	return all
}

func TestMultiNodePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dsn := testenv.PostgresDSN(t) // skips when CHIMED_TEST_POSTGRES is unset
	bin := testenv.BuildChimed(t)
	// Both start on an empty schema at once: one migrates under the advisory lock, the other waits.
	nodes := mnStart(t, bin, dsn, "A", "B")
	for _, n := range nodes {
		mnReady(t, n)
	}
	clients := []*chime.Client{nodes[0].Client(mnTenant), nodes[1].Client(mnTenant)}
	op := 0
	next := func() *chime.Client { op++; return clients[op%2] } // every operation goes to the other node
	ctx := context.Background()

	t.Run("alternating", func(t *testing.T) {
		out, err := next().CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("alt")})
		if err != nil {
			t.Fatal(err)
		}
		id := out.Account.AccountId
		if _, err := next().UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: id, Name: aws.String("alt 2"),
			DefaultLicense: types.LicenseBasic}); err != nil {
			t.Fatal(err)
		}
		got, err := next().GetAccount(ctx, &chime.GetAccountInput{AccountId: id})
		if err != nil || *got.Account.Name != "alt 2" || got.Account.DefaultLicense != types.LicenseBasic {
			t.Fatalf("GetAccount on the other node: %+v, %v", got, err)
		}
		if _, err := next().UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: id,
			AccountSettings: &types.AccountSettings{EnableDialOut: aws.Bool(true)}}); err != nil {
			t.Fatal(err)
		}
		st, err := next().GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: id})
		if err != nil || !aws.ToBool(st.AccountSettings.EnableDialOut) {
			t.Fatalf("settings on the other node: %+v, %v", st, err)
		}
		if _, err := next().InviteUsers(ctx, &chime.InviteUsersInput{AccountId: id,
			UserEmailList: []string{"alt1@example.com", "alt2@example.com"}}); err != nil {
			t.Fatal(err)
		}
		users := mnUsers(t, next(), *id)
		if len(users) != 2 {
			t.Fatalf("%d users", len(users))
		}
		if _, err := next().DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: id}); err == nil {
			t.Fatal("deleted a Team account that has users")
		}
		ids := []string{*users[0].UserId, *users[1].UserId}
		if _, err := next().BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: id, UserIdList: ids}); err != nil {
			t.Fatal(err)
		}
		if _, err := next().DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: id}); err != nil {
			t.Fatal(err)
		}
		var nf *types.NotFoundException
		if _, err := next().GetAccount(ctx, &chime.GetAccountInput{AccountId: id}); !errors.As(err, &nf) {
			t.Fatalf("deleted account on the other node: %v", err)
		}
	})

	t.Run("pagination across nodes", func(t *testing.T) {
		var want []string
		for i := range 9 {
			out, err := next().CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(fmt.Sprintf("page-%d", i))})
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, *out.Account.AccountId)
		}
		var got []string
		in := &chime.ListAccountsInput{Name: aws.String("page-"), MaxResults: aws.Int32(2)}
		for {
			out, err := next().ListAccounts(ctx, in) // the token of one node goes to the other
			if err != nil {
				t.Fatalf("page %d: %v", len(got)/2, err)
			}
			for _, a := range out.Accounts {
				got = append(got, *a.AccountId)
			}
			if out.NextToken == nil {
				break
			}
			in.NextToken = out.NextToken
		}
		if !slices.Equal(got, want) {
			t.Fatalf("listing through both nodes = %v, want %v", got, want)
		}
	})

	t.Run("concurrent invites of the same addresses", func(t *testing.T) {
		out, err := next().CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("contested")})
		if err != nil {
			t.Fatal(err)
		}
		id := out.Account.AccountId
		emails := make([]string, 12)
		for i := range emails {
			emails[i] = fmt.Sprintf("same%02d@example.com", i)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		start := make(chan struct{})
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				list := slices.Clone(emails)
				rand.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
				if w%3 == 0 {
					for i := range list {
						list[i] = strings.ToUpper(list[i])
					}
				}
				<-start
				for range 2 {
					out, err := clients[w%2].InviteUsers(ctx, &chime.InviteUsersInput{AccountId: id, UserEmailList: list})
					if err != nil {
						errs <- fmt.Errorf("worker %d: %w", w, err)
						return
					}
					for _, inv := range out.Invites {
						if inv.Status != types.InviteStatusPending {
							errs <- fmt.Errorf("worker %d: invite of %s is %s", w, *inv.EmailAddress, inv.Status)
						}
					}
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		count := map[string]int{}
		for _, u := range mnUsers(t, next(), *id) {
			count[strings.ToLower(*u.PrimaryEmail)]++
		}
		for _, e := range emails {
			if count[e] != 1 {
				t.Errorf("%s: %d users, want exactly 1", e, count[e])
			}
		}
		if len(count) != len(emails) {
			t.Errorf("%d distinct addresses, want %d", len(count), len(emails))
		}
	})

	t.Run("SIGKILL one node mid-load", func(t *testing.T) {
		out, err := next().CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("load")})
		if err != nil {
			t.Fatal(err)
		}
		id := out.Account.AccountId
		type request struct {
			node   int
			emails []string
			acked  bool
		}
		var mu sync.Mutex
		var requests []*request
		var accounts []string // acknowledged CreateAccount results
		stop := make(chan struct{})
		var aErrs []error // failures on the surviving node: there must be none
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				node := w % 2
				c := clients[node]
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					r := &request{node: node}
					for k := range 3 {
						r.emails = append(r.emails, fmt.Sprintf("load-w%d-r%d-%d@example.com", w, i, k))
					}
					mu.Lock()
					requests = append(requests, r)
					mu.Unlock()
					rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
					_, err := c.InviteUsers(rctx, &chime.InviteUsersInput{AccountId: id, UserEmailList: r.emails})
					var acc *chime.CreateAccountOutput
					if err == nil && i%4 == 0 {
						acc, err = c.CreateAccount(rctx, &chime.CreateAccountInput{Name: aws.String(r.emails[0])})
					}
					cancel()
					mu.Lock()
					if err == nil || acc != nil {
						r.acked = true
					}
					if acc != nil {
						accounts = append(accounts, *acc.Account.AccountId)
					}
					if err != nil && node == 0 {
						aErrs = append(aErrs, err)
					}
					mu.Unlock()
					if err != nil && node == 1 {
						time.Sleep(20 * time.Millisecond) // B is dead: keep knocking, slowly
					}
				}
			}()
		}
		// Let writes flow through both nodes, then kill B while its requests are in flight.
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			n := len(requests)
			mu.Unlock()
			if n >= 60 || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		nodes[1].Kill(t)
		time.Sleep(500 * time.Millisecond) // A keeps serving meanwhile
		close(stop)
		wg.Wait()

		if len(aErrs) > 0 {
			t.Fatalf("the surviving node failed %d requests, first: %v", len(aErrs), aErrs[0])
		}
		mnReady(t, nodes[0])
		held := map[string]bool{}
		for _, u := range mnUsers(t, clients[0], *id) {
			held[*u.PrimaryEmail] = true
		}
		var ackedA, ackedB, lostB int
		for _, r := range requests {
			present := 0
			for _, e := range r.emails {
				if held[e] {
					present++
				}
			}
			switch {
			case r.acked && present != len(r.emails):
				t.Errorf("acknowledged invitation through node %d of %v: only %d of %d users exist", r.node, r.emails,
					present, len(r.emails))
			case present != 0 && present != len(r.emails):
				t.Errorf("unacknowledged invitation of %v is half applied (%d of %d users)", r.emails, present, len(r.emails))
			}
			switch {
			case r.acked && r.node == 0:
				ackedA++
			case r.acked:
				ackedB++
			default:
				lostB++
			}
		}
		for _, a := range accounts {
			if _, err := clients[0].GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(a)}); err != nil {
				t.Errorf("acknowledged account %s: %v", a, err)
			}
		}
		if ackedA == 0 || ackedB == 0 {
			t.Fatalf("load did not reach both nodes: %d acknowledged through A, %d through B", ackedA, ackedB)
		}
		t.Logf("%d invitations acknowledged through A, %d through B before the kill, %d unacknowledged", ackedA,
			ackedB, lostB)

		// A restarted node serves the same data at once.
		again := mnStart(t, bin, dsn, "B2")[0]
		mnReady(t, again)
		if n := len(mnUsers(t, again.Client(mnTenant), *id)); n != len(held) {
			t.Fatalf("restarted node sees %d users, the survivor %d", n, len(held))
		}
	})
}
