package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/google/uuid"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

const benchAWS = "111122223333"

// seedDirect creates one Team account holding n invited users straight through the store (no HTTP), in large
// transactions: the fast path for a million users. It returns the account id and the user ids and emails.
func seedDirect(ctx context.Context, dsn string, n int) (string, []string, []string, error) {
	store, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return "", nil, nil, err
	}
	defer store.Close()
	svc, err := chime.NewService(ctx, store, chime.ServiceOptions{})
	if err != nil {
		return "", nil, nil, err
	}
	name := "bench"
	a, err := svc.CreateAccount(ctx, benchAWS, &name)
	if err != nil {
		return "", nil, nil, err
	}
	ids, emails := make([]string, n), make([]string, n)
	now := time.Now().UTC().Truncate(time.Millisecond)
	const batch = 10000
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		err := store.Write(ctx, func(tx chime.Tx) error {
			for i := lo; i < hi; i++ {
				ids[i], emails[i] = uuid.NewString(), fmt.Sprintf("user%07d@bench.example.com", i)
				u := &chime.User{ID: ids[i], AccountID: a.ID, AwsAccountID: benchAWS, Email: emails[i],
					License: chime.LicensePro, Type: chime.UserPrivate, RegistrationStatus: chime.Unregistered,
					InvitationStatus: chime.InvitePending, InviteID: uuid.NewString(), InvitedOn: now, CreatedAt: now}
				if err := tx.InsertUser(ctx, u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", nil, nil, err
		}
	}
	return a.ID, ids, emails, nil
}

// seedAPI creates one Team account with n invited users through the API (InviteUsers, 50 per call).
func seedAPI(ctx context.Context, c *client, n int) (string, []string, []string, error) {
	status, body, err := c.do(ctx, "POST", "/accounts", []byte(`{"Name":"bench"}`))
	if err != nil || status != 201 {
		return "", nil, nil, fmt.Errorf("CreateAccount: %d %v %s", status, err, body)
	}
	var acc struct{ Account struct{ AccountId string } }
	if err := json.Unmarshal(body, &acc); err != nil {
		return "", nil, nil, err
	}
	a := acc.Account.AccountId
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	next := make(chan int)
	go func() {
		for lo := 0; lo < n; lo += 50 {
			next <- lo
		}
		close(next)
	}()
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				var list []string
				for i := lo; i < min(n, lo+50); i++ {
					list = append(list, fmt.Sprintf("user%07d@bench.example.com", i))
				}
				b, _ := json.Marshal(map[string]any{"UserEmailList": list})
				status, body, err := c.do(ctx, "POST", "/accounts/"+a+"/users?operation=add", b)
				if err != nil || status != 201 {
					errs <- fmt.Errorf("InviteUsers: %d %v %s", status, err, body)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return "", nil, nil, err
	}
	ids, emails, err := listAll(ctx, c, a)
	return a, ids, emails, err
}

// listAll walks ListUsers to collect every user id and email.
func listAll(ctx context.Context, c *client, a string) ([]string, []string, error) {
	var ids, emails []string
	token := ""
	for {
		path := "/accounts/" + a + "/users?max-results=200"
		if token != "" {
			path += "&next-token=" + token
		}
		status, body, err := c.do(ctx, "GET", path, nil)
		if err != nil || status != 200 {
			return nil, nil, fmt.Errorf("ListUsers: %d %v %s", status, err, body)
		}
		var out struct {
			Users     []struct{ UserId, PrimaryEmail string }
			NextToken string
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return nil, nil, err
		}
		for _, u := range out.Users {
			ids, emails = append(ids, u.UserId), append(emails, u.PrimaryEmail)
		}
		if out.NextToken == "" {
			return ids, emails, nil
		}
		token = out.NextToken
	}
}

// runSeed is `chimebench seed`: direct seeding of a store that no server is using.
func runSeed(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	db := fs.String("db", "sqlite:chimed-data/chimed.db", "store to seed")
	n := fs.Int("users", 1000000, "users to create in one account")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	a, _, _, err := seedDirect(ctx, *db, *n)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "seeded account %s (AWS account %s) with %d users in %v\n", a, benchAWS, *n, time.Since(start).Round(time.Millisecond))
	return nil
}
