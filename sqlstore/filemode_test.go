package sqlstore_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// TestFileModes: the data directory the store creates is 0700 and the database, its WAL and its shared-memory
// file are 0600, after opening and after a write, whatever the umask (defect 9 of issue 11).
func TestFileModes(t *testing.T) {
	t.Parallel()
	path := testenv.SQLitePath(t)
	db := testenv.MustOpen(t, "sqlite:"+path)
	check := func(when string) {
		t.Helper()
		want := map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600}
		for p, mode := range want {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if got := fi.Mode().Perm(); got != mode {
				t.Errorf("%s: %s has mode %#o, want %#o", when, filepath.Base(p), got, mode)
			}
		}
	}
	check("after open")
	c := &chime.Credential{AccessKeyID: "AKCHFILEMODETEST0001", AwsAccountID: "111122223333",
		SealedSecret: []byte("x"), CreatedAt: time.Now()}
	if err := db.InsertCredential(ctx, c); err != nil {
		t.Fatal(err)
	}
	check("after a write")
}
