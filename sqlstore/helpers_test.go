package sqlstore_test

import (
	"context"
	"errors"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sqlstore"
)

// The conformance suite is written once and runs against every engine (testenv.Engines): SQLite on a file in
// t.TempDir() always, PostgreSQL in a fresh schema when CHIMED_TEST_POSTGRES is set (else that subtest is
// skipped, saying why).

var ctx = context.Background()

// eachEngine runs f once per engine, as parallel subtests, each with a fresh database.
func eachEngine(t *testing.T, f func(t *testing.T, dsn string)) {
	t.Helper()
	testenv.EachEngine(t, f)
}

// MustOpen opens a store on dsn, closed when tb ends.
func MustOpen(tb testing.TB, dsn string) *sqlstore.DB {
	tb.Helper()
	return testenv.MustOpen(tb, dsn)
}

// MustService returns a Service over store.
func MustService(tb testing.TB, store chime.Store, o chime.ServiceOptions) *chime.Service {
	tb.Helper()
	return testenv.MustService(tb, store, o)
}

// MustNodes returns n services, each over its own store on dsn: n nodes (processes) sharing one database.
func MustNodes(tb testing.TB, dsn string, n int, o chime.ServiceOptions) []*chime.Service {
	tb.Helper()
	nodes := make([]*chime.Service, n)
	for i := range nodes {
		nodes[i] = MustService(tb, MustOpen(tb, dsn), o)
	}
	return nodes
}

// wantCode fails unless err carries the domain error code (EINTERNAL for non-domain errors, "" for nil).
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := chime.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

func ptr[T any](v T) *T { return &v }

// MustAccount creates an account named name of type typ for aws.
func MustAccount(tb testing.TB, svc *chime.Service, aws, name string, typ chime.AccountType) *chime.Account {
	tb.Helper()
	a, err := svc.CreateAccount(ctx, aws, &name)
	if err != nil {
		tb.Fatalf("CreateAccount: %v", err)
	}
	if typ != chime.AccountTeam {
		if a, err = svc.SetAccountType(ctx, aws, a.ID, ptr(string(typ))); err != nil {
			tb.Fatalf("SetAccountType: %v", err)
		}
	}
	return a
}

// MustListUsers returns every user of an account (all pages).
func MustListUsers(tb testing.TB, svc *chime.Service, aws, accountID string) []*chime.User {
	tb.Helper()
	var all []*chime.User
	in := chime.ListUsersInput{MaxResults: chime.MaxPageSize}
	for {
		page, next, err := svc.ListUsers(ctx, aws, accountID, in)
		if err != nil {
			tb.Fatalf("ListUsers: %v", err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		in.NextToken = &next
	}
}

// userByEmail reads the user holding email in aws straight from the store (nil when none).
func userByEmail(tb testing.TB, store chime.Store, aws, email string) *chime.User {
	tb.Helper()
	var u *chime.User
	err := store.Read(ctx, func(tx chime.Tx) error {
		var err error
		u, err = tx.UserByEmail(ctx, aws, chime.EmailKey(email))
		return err
	})
	if chime.ErrorCode(err) == chime.ENOTFOUND {
		return nil
	}
	must(tb, err)
	return u
}

var errSentinel = errors.New("sentinel")
