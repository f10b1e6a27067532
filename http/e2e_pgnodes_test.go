package http_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/smithy-go"

	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// Two chimed nodes on one PostgreSQL schema, their read caches warm, through the SDK: a change acknowledged by
// node A is answered by the next GetUser sent to node B, and a key revoked through A is refused by B at once.
func TestPostgresNodesThroughTheSDK(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	a := testenv.NewServer(t, testenv.Config{DSN: dsn, SigV4: &sigv4.Options{}})
	b := testenv.NewServer(t, testenv.Config{DSN: dsn, SigV4: &sigv4.Options{}})
	ctx := context.Background()
	key := a.MustKey(t, "111122223333", false)
	ca, cb := a.ClientFor(key), b.ClientFor(key)
	acct := MustCreateAccount(t, ca, "nodes")
	MustInvite(t, ca, *acct.AccountId, "dana@example.com")
	list, err := ca.ListUsers(ctx, &chime.ListUsersInput{AccountId: acct.AccountId})
	if err != nil || len(list.Users) != 1 {
		t.Fatalf("ListUsers: %+v, %v", list, err)
	}
	u := list.Users[0]
	in := &chime.GetUserInput{AccountId: acct.AccountId, UserId: u.UserId}
	for range 2 { // B caches the key, the account and the user
		if _, err := cb.GetUser(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 60 {
		out, err := ca.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: acct.AccountId, UserId: u.UserId})
		if err != nil {
			t.Fatal(err)
		}
		got, err := cb.GetUser(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if want := aws.ToString(out.User.PersonalPIN); aws.ToString(got.User.PersonalPIN) != want {
			t.Fatalf("reset %d: node B answered PIN %s, node A acknowledged %s", i, aws.ToString(got.User.PersonalPIN), want)
		}
	}
	if s, ok := b.Store.CacheListener(); !ok || !s.Connected || s.Remote == 0 {
		t.Fatalf("node B's cache listener: %+v, %v", s, ok)
	}

	for i := range 10 {
		k := a.MustKey(t, "111122223333", true)
		c := b.ClientFor(k)
		for range 2 {
			if _, err := c.GetUser(ctx, in); err != nil {
				t.Fatalf("key %d before its revocation: %v", i, err)
			}
		}
		if err := a.Credentials.Revoke(ctx, k.ID); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetUser(ctx, in)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "UnrecognizedClientException" {
			t.Fatalf("key %d revoked through node A: node B answered %v, want UnrecognizedClientException", i, err)
		}
	}
}
