package sqlstore_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	chime "github.com/chimed/chimed"
)

const tenant = "111122223333"

func strp(s string) *string { return &s }

// TestCacheSeesCommitsOfOtherConnections: a second store on the same SQLite file stands for another process
// (the credentials command, or a second server by mistake). Rows the first store has cached are changed
// through the second; the first must answer the new rows at once, never its cached copies.
func TestCacheSeesCommitsOfOtherConnections(t *testing.T) {
	t.Parallel()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
	a, b := MustOpen(t, dsn), MustOpen(t, dsn)
	svcA, svcB := MustService(t, a, chime.ServiceOptions{}), MustService(t, b, chime.ServiceOptions{})

	acc, err := svcA.CreateAccount(ctx, tenant, strp("before"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svcA.InviteUsers(ctx, tenant, acc.ID, []string{"u@example.com"}, nil); err != nil {
		t.Fatal(err)
	}
	users, _, err := svcA.ListUsers(ctx, tenant, acc.ID, chime.ListUsersInput{})
	if err != nil || len(users) != 1 {
		t.Fatal(err)
	}
	uid := users[0].ID
	for round := 0; round < 20; round++ {
		// Fill A's cache.
		if _, err := svcA.GetUser(ctx, tenant, acc.ID, uid); err != nil {
			t.Fatal(err)
		}
		if _, err := svcA.GetAccount(ctx, tenant, acc.ID); err != nil {
			t.Fatal(err)
		}
		// Change both rows through B.
		name := fmt.Sprintf("renamed-%d", round)
		lic := [2]chime.License{chime.LicenseBasic, chime.LicensePro}[round%2]
		if _, err := svcB.UpdateAccount(ctx, tenant, acc.ID, &name, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := svcB.UpdateUser(ctx, tenant, acc.ID, uid, chime.UserPatch{LicenseType: &lic}); err != nil {
			t.Fatal(err)
		}
		got, err := svcA.GetAccount(ctx, tenant, acc.ID)
		if err != nil || got.Name != name {
			t.Fatalf("round %d: A answers account name %q after B renamed it to %q (%v)", round, got.Name, name, err)
		}
		u, err := svcA.GetUser(ctx, tenant, acc.ID, uid)
		if err != nil || u.License != lic {
			t.Fatalf("round %d: A answers license %s after B set %s (%v)", round, u.License, lic, err)
		}
	}

	// Credentials: revoked through B while cached in A.
	keyring, err := chime.NewKeyring([]byte("a master key of at least thirty-two characters"))
	if err != nil {
		t.Fatal(err)
	}
	credsA, credsB := chime.NewCredentials(a, keyring), chime.NewCredentials(b, keyring)
	id, _, err := credsA.Create(ctx, tenant, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := credsA.Lookup(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := credsB.Revoke(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, _, err := credsA.Lookup(ctx, id); chime.ErrorCode(err) != chime.ENOTFOUND {
		t.Fatalf("a key revoked by another connection still authenticates: %v", err)
	}
	// Deleting the account through B hides it from A at once.
	if _, err := svcB.BatchSuspendUser(ctx, tenant, acc.ID, []string{uid}); err != nil {
		t.Fatal(err)
	}
	if err := svcB.DeleteAccount(ctx, tenant, acc.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svcA.GetAccount(ctx, tenant, acc.ID); chime.ErrorCode(err) != chime.ENOTFOUND {
		t.Fatalf("A still answers a deleted account: %v", err)
	}
}

// TestGroupCommitIsolatesFailures: concurrent write transactions share commits, but a transaction whose
// function fails leaves nothing behind, and every acknowledged one is stored.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		store := MustOpen(t, dsn)
		svc := MustService(t, store, chime.ServiceOptions{})
		acc, err := svc.CreateAccount(ctx, tenant, strp("batch"))
		if err != nil {
			t.Fatal(err)
		}
		errBoom := errors.New("boom")
		var wg sync.WaitGroup
		var mu sync.Mutex
		acked := map[string]bool{}
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					email := fmt.Sprintf("w%d-%d@example.com", w, i)
					fail := (w+i)%3 == 0
					err := store.Write(ctx, func(tx chime.Tx) error {
						a, err := tx.Account(ctx, tenant, acc.ID)
						if err != nil {
							return err
						}
						u := &chime.User{ID: email, AccountID: a.ID, AwsAccountID: tenant, Email: email,
							License: chime.LicensePro, Type: chime.UserPrivate, RegistrationStatus: chime.Unregistered}
						if err := tx.InsertUser(ctx, u); err != nil {
							return err
						}
						if fail {
							return errBoom // after writing: the insert must be rolled back
						}
						return nil
					})
					switch {
					case fail && !errors.Is(err, errBoom):
						t.Errorf("%s: want the function's own error, got %v", email, err)
					case !fail && err != nil:
						t.Errorf("%s: %v", email, err)
					case !fail:
						mu.Lock()
						acked[email] = true
						mu.Unlock()
					}
				}
			}(w)
		}
		wg.Wait()
		users, _, err := svc.ListUsers(ctx, tenant, acc.ID, chime.ListUsersInput{MaxResults: 200})
		if err != nil {
			t.Fatal(err)
		}
		if len(users) != len(acked) {
			t.Errorf("%d users stored, %d acknowledged", len(users), len(acked))
		}
		for _, u := range users {
			if !acked[u.Email] {
				t.Errorf("%s is stored although its transaction failed", u.Email)
			}
		}
	})
}
