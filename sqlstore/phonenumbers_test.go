package sqlstore_test

import (
	"slices"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

// TestAcquiredNumbers: the numbers of a range, ascending in byte order, inclusive at both ends, limited; a
// fresh store has none.
func TestAcquiredNumbers(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		store := MustOpen(t, dsn)
		acquired := func(from, to string, limit int) []string {
			t.Helper()
			var got []string
			must(t, store.Read(ctx, func(tx chime.Tx) (err error) {
				got, err = tx.AcquiredNumbers(ctx, from, to, limit)
				return err
			}))
			return got
		}
		if got := acquired("+12065550100", "+12065559999", 10); len(got) != 0 {
			t.Fatalf("fresh store: %v", got)
		}
		for _, e := range []string{"+12065550105", "+12065550100", "+12065559999", "+12065560000", "+442079460001",
			"+12065550099"} {
			must(t, sqlstore.InsertAcquiredNumber(ctx, store, e, tenant, time.Now()))
		}
		if got, want := acquired("+12065550100", "+12065559999", 10),
			[]string{"+12065550100", "+12065550105", "+12065559999"}; !slices.Equal(got, want) {
			t.Fatalf("range = %v, want %v", got, want)
		}
		if got, want := acquired("+12065550101", "+12065559999", 1), []string{"+12065550105"}; !slices.Equal(got, want) {
			t.Fatalf("limited = %v, want %v", got, want)
		}
		if got := acquired("+44207946000", "+442079469999", 10); !slices.Equal(got, []string{"+442079460001"}) {
			t.Fatalf("GB = %v", got)
		}
	})
}
