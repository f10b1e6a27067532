package sqlstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	chime "github.com/chimed/chimed"
)

// TestChangeCounterMappingFollowsTheFile: the counter read through the mapping is the one in the -shm file
// (read with a pread, as before), after every commit, until the WAL has grown past the first 32 KiB region of
// the WAL index (more than 4,096 frames), so the file grew under the mapping. Each commit of this process
// steps it by one and is accounted as the writer's own.
func TestChangeCounterMappingFollowsTheFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "grow.db")
	db, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f, err := os.Open(path + "-shm")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pread := func() uint32 {
		var b [4]byte
		if _, err := f.ReadAt(b[:], iChangeOffset); err != nil {
			t.Fatal(err)
		}
		return binary.NativeEndian.Uint32(b[:])
	}
	svc, err := chime.NewService(ctx, db, chime.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := svc.CreateAccount(ctx, "111122223333", new("grow"))
	if err != nil {
		t.Fatal(err)
	}
	// A read transaction left open keeps checkpoints from restarting the WAL, so it grows until the WAL index
	// needs a second region.
	snap, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Rollback()
	var n int
	if err := snap.QueryRowContext(ctx, "SELECT count(*) FROM users").Scan(&n); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 200 && shmSize(t, f) <= 32<<10; round++ {
		err := db.Write(ctx, func(tx chime.Tx) error {
			for i := range 2000 {
				u := &chime.User{ID: fmt.Sprintf("u-%d-%d", round, i), AccountID: acc.ID, AwsAccountID: "111122223333",
					Email: fmt.Sprintf("u%d-%d@example.com", round, i), License: chime.LicensePro,
					Type: chime.UserPrivate, RegistrationStatus: chime.Unregistered, InvitationStatus: chime.InvitePending}
				if err := tx.InsertUser(ctx, u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.changes.counter()
		if err != nil || got != pread() {
			t.Fatalf("round %d: mapped counter %d (%v), file says %d", round, got, err, pread())
		}
		if db.changes.foreign() {
			t.Fatalf("round %d: this process's own commit counted as another's", round)
		}
	}
	if size := shmSize(t, f); size <= 32<<10 {
		t.Fatalf("the -shm file did not grow past its first region (%d bytes): the test proves less than it says", size)
	}
}

func shmSize(t *testing.T, f *os.File) int64 {
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// TestWriteOfNothingKeepsTheCache: a write transaction that changes nothing (a background job finding no work)
// commits without stepping the counter; that is neither the writer's commit nor anyone else's, and must not
// flush the read cache (it did: every such transaction, one every two seconds in a serving chimed, emptied it).
// A real commit by another store on the file still flushes it.
func TestWriteOfNothingKeepsTheCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "noop.db")
	db, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc, err := chime.NewService(ctx, db, chime.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := svc.CreateAccount(ctx, "111122223333", new("noop"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetAccount(ctx, "111122223333", acc.ID); err != nil { // cached now
		t.Fatal(err)
	}
	gen := db.cache.generation()
	for range 3 {
		if err := db.Write(ctx, func(tx chime.Tx) error {
			_, err := tx.Account(ctx, "111122223333", acc.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	if g := db.cache.generation(); g != gen {
		t.Fatalf("three write transactions that changed nothing moved the cache generation %d -> %d", gen, g)
	}
	if _, ok := db.cache.account(acc.ID); !ok {
		t.Fatal("a write transaction that changed nothing emptied the read cache")
	}

	other, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	osvc, err := chime.NewService(ctx, other, chime.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := osvc.UpdateAccount(ctx, "111122223333", acc.ID, new("renamed"), nil); err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx chime.Tx) error { // the other store's commit comes before this one's
		_, err := tx.Account(ctx, "111122223333", acc.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := svc.GetAccount(ctx, "111122223333", acc.ID); err != nil || got.Name != "renamed" {
		t.Fatalf("after another store's commit: %v, %v", got, err)
	}
}
