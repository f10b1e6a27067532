package sqlstore_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

// TestChangeDetectorSeesOtherProcesses: commits made by another process (this test binary run again, as the
// credentials command would) on the file of an open store are seen by its next read, never hidden by its cache:
// the change counter is read from the mapping of the -shm file that the other process writes through its own.
func TestChangeDetectorSeesOtherProcesses(t *testing.T) {
	if os.Getenv("CHIMED_TEST_RENAME_CHILD") != "" {
		t.Skip("the child's work is done by TestMain-less helper below")
	}
	t.Parallel()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "shared.db")
	a := MustOpen(t, dsn)
	svc := MustService(t, a, chime.ServiceOptions{})
	acc := MustAccount(t, svc, tenant, "before", chime.AccountTeam)
	for round := range 3 {
		if _, err := svc.GetAccount(ctx, tenant, acc.ID); err != nil { // cached now
			t.Fatal(err)
		}
		name := fmt.Sprintf("renamed-by-child-%d", round)
		cmd := exec.Command(os.Args[0], "-test.run=^TestRenameAccountChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "CHIMED_TEST_RENAME_CHILD="+dsn+"|"+acc.ID+"|"+name)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("child: %v\n%s", err, out)
		}
		got, err := svc.GetAccount(ctx, tenant, acc.ID)
		if err != nil || got.Name != name {
			t.Fatalf("round %d: the store answers %q after another process renamed the account to %q (%v)",
				round, got.Name, name, err)
		}
	}
}

// TestRenameAccountChild is TestChangeDetectorSeesOtherProcesses's other process; it does nothing otherwise.
func TestRenameAccountChild(t *testing.T) {
	arg := os.Getenv("CHIMED_TEST_RENAME_CHILD")
	if arg == "" {
		t.Skip("run by TestChangeDetectorSeesOtherProcesses")
	}
	var dsn, id, name string
	for i, part := range splitBar(arg) {
		*[]*string{&dsn, &id, &name}[i] = part
	}
	store, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := MustService(t, store, chime.ServiceOptions{})
	if _, err := svc.UpdateAccount(ctx, tenant, id, &name, nil); err != nil {
		t.Fatal(err)
	}
}

func splitBar(s string) []string {
	var out []string
	for len(out) < 2 {
		i := 0
		for i < len(s) && s[i] != '|' {
			i++
		}
		out = append(out, s[:i])
		s = s[min(i+1, len(s)):]
	}
	return append(out, s)
}
