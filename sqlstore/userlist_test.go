package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

// listFixture writes n users to a new account of store, every third one a shared device.
func listFixture(t *testing.T, store *sqlstore.DB, n int) *chime.Account {
	t.Helper()
	svc := MustService(t, store, chime.ServiceOptions{})
	acc, err := svc.CreateAccount(ctx, tenant, strp("listed"))
	must(t, err)
	must(t, store.Write(ctx, func(tx chime.Tx) error {
		for i := range n {
			u := &chime.User{ID: fmt.Sprintf("user-%04d", i), AccountID: acc.ID, AwsAccountID: tenant,
				Email: fmt.Sprintf("u%d@example.com", i), DisplayName: fmt.Sprintf("User %d", i),
				License: chime.LicensePro, Type: chime.UserPrivate, RegistrationStatus: chime.Unregistered,
				PIN: fmt.Sprintf("%010d", i), InviteID: "inv", CreatedAt: time.UnixMilli(1_700_000_000_000).UTC()}
			if i%3 == 0 {
				u.Type = chime.UserSharedDevice
			}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	}))
	return acc
}

func listPage(t *testing.T, store *sqlstore.DB, acc *chime.Account, f chime.UserFilter) []*chime.User {
	t.Helper()
	var list []*chime.User
	must(t, store.Read(ctx, func(tx chime.Tx) error {
		var err error
		list, err = tx.ListUsers(ctx, acc, f)
		return err
	}))
	return list
}

func userHits(store *sqlstore.DB) int64 {
	for _, c := range store.Stats().Cache {
		if c.Kind == "user" {
			return c.Hits
		}
	}
	return 0
}

// TestListUsersFromCache: on SQLite a page whose users are cached is answered from the cache, and every page —
// first read, answered from the cache, after an update or a delete — is what a store without a cache lists.
func TestListUsersFromCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "list.db")
	store := MustOpen(t, "sqlite:"+path)
	acc := listFixture(t, store, 250)
	plain, err := sqlstore.OpenWith(ctx, "sqlite:"+path, sqlstore.Options{CacheUsers: -1})
	must(t, err)
	t.Cleanup(func() { plain.Close() })

	filters := []chime.UserFilter{{Limit: 101}, {AfterSeq: 120, Limit: 101}, {Type: chime.UserSharedDevice, Limit: 30},
		{Type: chime.UserPrivate, AfterSeq: 200, Limit: 101}}
	check := func(when string) {
		t.Helper()
		for _, f := range filters {
			want := listPage(t, plain, acc, f)
			for pass := range 2 {
				before := userHits(store)
				got := listPage(t, store, acc, f)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s, %+v, pass %d: listed %d users, not what an uncached store lists (%d)", when, f, pass,
						len(got), len(want))
				}
				if hits := userHits(store) - before; pass == 1 && hits != int64(len(want)) {
					t.Errorf("%s, %+v: second read of the page had %d cache hits, want %d", when, f, hits, len(want))
				}
			}
		}
	}
	check("first reads")
	listedUser := listPage(t, store, acc, chime.UserFilter{Limit: 10})[4]
	must(t, store.Write(ctx, func(tx chime.Tx) error {
		u, err := tx.User(ctx, acc.ID, listedUser.ID)
		if err != nil {
			return err
		}
		u.DisplayName, u.Type = "Renamed", chime.UserSharedDevice
		return tx.UpdateUser(ctx, u)
	}))
	check("after an update")
	if got := listPage(t, store, acc, chime.UserFilter{Limit: 10})[4]; got.DisplayName != "Renamed" {
		t.Errorf("after the update the page shows %q", got.DisplayName)
	}
	must(t, store.Write(ctx, func(tx chime.Tx) error {
		u, err := tx.User(ctx, acc.ID, listedUser.ID)
		if err != nil {
			return err
		}
		return tx.DeleteUser(ctx, u)
	}))
	check("after a delete")
	for _, u := range listPage(t, store, acc, chime.UserFilter{Limit: 101}) {
		if u.ID == listedUser.ID {
			t.Fatal("a deleted user is still listed")
		}
		if u.PIN != "" || u.InviteID != "" || !u.CreatedAt.IsZero() {
			t.Fatalf("a listed user carries members lists never read: %+v", u)
		}
	}
}

// TestListUsersFromCacheKeepsTheSnapshot: a user whose type changed after a read's snapshot began, cached since
// by a newer read, is listed by the older read's type filter as of its snapshot, not dropped or shown with the
// newer type under the old filter.
func TestListUsersFromCacheKeepsTheSnapshot(t *testing.T) {
	store := MustOpen(t, "sqlite:"+filepath.Join(t.TempDir(), "snap.db"))
	acc := listFixture(t, store, 20)
	target := "user-0001" // private
	listPage(t, store, acc, chime.UserFilter{Limit: 101})
	must(t, store.Read(ctx, func(tx chime.Tx) error {
		if _, err := tx.CountUsers(ctx, acc.ID, chime.Suspended); err != nil { // the snapshot begins here
			return err
		}
		must(t, store.Write(ctx, func(w chime.Tx) error {
			u, err := w.User(ctx, acc.ID, target)
			if err != nil {
				return err
			}
			u.Type = chime.UserSharedDevice
			return w.UpdateUser(ctx, u)
		}))
		must(t, store.Read(ctx, func(r chime.Tx) error { // caches the new version
			u, err := r.User(ctx, acc.ID, target)
			if err == nil && u.Type != chime.UserSharedDevice {
				t.Fatalf("a read after the update sees type %s", u.Type)
			}
			return err
		}))
		list, err := tx.ListUsers(ctx, acc, chime.UserFilter{Type: chime.UserPrivate, Limit: 101})
		if err != nil {
			return err
		}
		found := false
		for _, u := range list {
			if u.Type != chime.UserPrivate {
				t.Errorf("the Private page lists %s with type %s", u.ID, u.Type)
			}
			found = found || u.ID == target
		}
		if !found {
			t.Errorf("the Private page of the older snapshot does not list %s", target)
		}
		return nil
	}))
}
