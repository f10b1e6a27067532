package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

// benchStore opens a SQLite store holding one account with n users.
func benchStore(b *testing.B, n int, o sqlstore.Options) (*sqlstore.DB, *chime.Account, []string) {
	b.Helper()
	db, err := sqlstore.OpenWith(ctx, "sqlite:"+filepath.Join(b.TempDir(), "bench.db"), o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	svc := MustService(b, db, chime.ServiceOptions{})
	a, err := svc.CreateAccount(ctx, tenant, strp("bench"))
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, n)
	err = db.Write(ctx, func(tx chime.Tx) error {
		for i := range ids {
			ids[i] = fmt.Sprintf("user-%06d", i)
			u := &chime.User{ID: ids[i], AccountID: a.ID, AwsAccountID: tenant, Email: ids[i] + "@example.com",
				License: chime.LicensePro, Type: chime.UserPrivate, RegistrationStatus: chime.Unregistered}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, a, ids
}

func benchPointRead(b *testing.B, o sqlstore.Options) {
	db, a, ids := benchStore(b, 1000, o)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		err := db.Read(ctx, func(tx chime.Tx) error {
			if _, err := tx.Account(ctx, tenant, a.ID); err != nil {
				return err
			}
			_, err := tx.User(ctx, a.ID, ids[i%len(ids)])
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkPointRead is GetUser's store work (account, then user) served from the read cache.
func BenchmarkPointRead(b *testing.B) { benchPointRead(b, sqlstore.Options{}) }

// BenchmarkPointReadUncached is the same work answered by SQLite (read cache disabled).
func BenchmarkPointReadUncached(b *testing.B) { benchPointRead(b, sqlstore.Options{CacheUsers: -1}) }

// BenchmarkListUsersPage reads a page of 100 users (keyset).
func BenchmarkListUsersPage(b *testing.B) {
	db, a, _ := benchStore(b, 1000, sqlstore.Options{})
	b.ReportAllocs()
	for b.Loop() {
		err := db.Read(ctx, func(tx chime.Tx) error {
			_, err := tx.ListUsers(ctx, a, chime.UserFilter{AfterSeq: 400, Limit: 101})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteUpdateUser is UpdateUser's store work (account, user, update) in one write transaction, with
// synchronous=OFF so that the fsync does not hide the CPU cost of the write path.
func BenchmarkWriteUpdateUser(b *testing.B) {
	db, a, ids := benchStore(b, 1000, sqlstore.Options{Synchronous: "OFF"})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		err := db.Write(ctx, func(tx chime.Tx) error {
			if _, err := tx.Account(ctx, tenant, a.ID); err != nil {
				return err
			}
			u, err := tx.User(ctx, a.ID, ids[i%len(ids)])
			if err != nil {
				return err
			}
			u.DisplayName = fmt.Sprintf("name-%d", i)
			return tx.UpdateUser(ctx, u)
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkWriteInsertUser is CreateUser's store work (account, address lookup, insert) in one write
// transaction, with synchronous=OFF.
func BenchmarkWriteInsertUser(b *testing.B) {
	db, a, _ := benchStore(b, 1000, sqlstore.Options{Synchronous: "OFF"})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		err := db.Write(ctx, func(tx chime.Tx) error {
			if _, err := tx.Account(ctx, tenant, a.ID); err != nil {
				return err
			}
			id := fmt.Sprintf("new-%08d", i)
			key := chime.EmailKey(id + "@example.com")
			if _, err := tx.UserByEmail(ctx, tenant, key); chime.ErrorCode(err) != chime.ENOTFOUND {
				return fmt.Errorf("UserByEmail: %v", err)
			}
			return tx.InsertUser(ctx, &chime.User{ID: id, AccountID: a.ID, AwsAccountID: tenant,
				Email: id + "@example.com", License: chime.LicensePro, Type: chime.UserPrivate,
				RegistrationStatus: chime.Unregistered})
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}
