package sqlstore_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
	"github.com/chimed/chimed/sqlstore/pgtest"
)

// The business rules under concurrency, through several nodes (stores) sharing one database. On SQLite the
// writers serialize on the database lock; on PostgreSQL the rules rest on row locks, unique indexes and the
// re-run of transactions that lost a race. Every operation must succeed or fail with its domain error: an
// internal error (a leaked serialization failure, deadlock or constraint violation) fails the test.

// hammer runs f(worker) on n goroutines released at the same moment and waits for them.
func hammer(n int, f func(worker int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			f(w)
		}()
	}
	close(start)
	wg.Wait()
}

// errList collects failures from goroutines (t.Fatal must not be called off the test goroutine).
type errList struct {
	mu   sync.Mutex
	errs []string
}

func (e *errList) add(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

func (e *errList) check(tb testing.TB) {
	tb.Helper()
	for i, s := range e.errs {
		if i == 10 {
			tb.Fatalf("… and %d more", len(e.errs)-10)
		}
		tb.Error(s)
	}
	if len(e.errs) > 0 {
		tb.FailNow()
	}
}

func addresses(n int, tag string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user%02d-%s@example.com", i, tag)
	}
	return out
}

// The same addresses invited at once through two nodes yield exactly one user each; every call succeeds and
// every invitation is pending (the first creates the user, the others invite it again).
func TestConcurrentInvitesOfTheSameAddresses(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		nodes := MustNodes(t, dsn, 2, chime.ServiceOptions{})
		a := MustAccount(t, nodes[0], aws1, "team", chime.AccountTeam)
		emails := addresses(10, "same")
		var errs errList
		hammer(8, func(w int) {
			list := append([]string(nil), emails...)
			if w%2 == 1 {
				for i := range list {
					list[i] = strings.ToUpper(list[i]) // same addresses, other case
				}
			}
			rand.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
			for range 3 {
				inv, err := nodes[w%2].InviteUsers(ctx, aws1, a.ID, list, nil)
				if err != nil {
					errs.add("worker %d: InviteUsers: %v", w, err)
					return
				}
				for _, i := range inv {
					if i.Status != chime.InvitePending {
						errs.add("worker %d: invite of %s is %s", w, i.Email, i.Status)
					}
				}
			}
		})
		errs.check(t)
		users := MustListUsers(t, nodes[1], aws1, a.ID)
		seen := map[string]int{}
		for _, u := range users {
			seen[chime.EmailKey(u.Email)]++
		}
		if len(users) != len(emails) || len(seen) != len(emails) {
			t.Fatalf("%d users for %d addresses: %v", len(users), len(emails), seen)
		}
	})
}

// Two Team accounts of one AWS account invite the same addresses at once: each address ends up with exactly
// one user, and an invitation is pending exactly when it was made by the account that holds the address.
func TestConcurrentInvitesAcrossAccounts(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		nodes := MustNodes(t, dsn, 2, chime.ServiceOptions{})
		accounts := []*chime.Account{
			MustAccount(t, nodes[0], aws1, "a", chime.AccountTeam),
			MustAccount(t, nodes[1], aws1, "b", chime.AccountTeam),
		}
		emails := addresses(8, "cross")
		type result struct {
			account string
			invites []chime.Invite
		}
		var mu sync.Mutex
		var results []result
		var errs errList
		hammer(8, func(w int) {
			acct := accounts[w%2].ID
			list := append([]string(nil), emails...)
			rand.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
			for range 2 {
				inv, err := nodes[(w/2)%2].InviteUsers(ctx, aws1, acct, list, nil)
				if err != nil {
					errs.add("worker %d: InviteUsers: %v", w, err)
					return
				}
				mu.Lock()
				results = append(results, result{acct, inv})
				mu.Unlock()
			}
		})
		errs.check(t)
		// Invitations of one AWS account take its lock before touching addresses, so overlapping lists inserted
		// in different orders never deadlock (PostgreSQL would only notice after deadlock_timeout, 1 s).
		for i, n := range nodes {
			if st := n.Store().(*sqlstore.DB).Retries(); st.Deadlock > 0 {
				t.Errorf("node %d: %d deadlocks", i, st.Deadlock)
			}
		}
		owner := map[string]string{}
		for _, e := range emails {
			u := userByEmail(t, nodes[0].Store(), aws1, e)
			if u == nil {
				t.Fatalf("no user holds %s", e)
			}
			owner[e] = u.AccountID
		}
		total := 0
		for _, a := range accounts {
			total += len(MustListUsers(t, nodes[0], aws1, a.ID))
		}
		if total != len(emails) {
			t.Fatalf("%d users for %d addresses", total, len(emails))
		}
		for _, r := range results {
			for _, inv := range r.invites {
				if pending := inv.Status == chime.InvitePending; pending != (owner[inv.Email] == r.account) {
					t.Errorf("invite of %s into %s is %s, but %s holds it", inv.Email, r.account, inv.Status, owner[inv.Email])
				}
			}
		}
	})
}

// CreateUser of one address in two accounts at once: exactly one succeeds, every other call is a Conflict.
func TestConcurrentCreateUserOfOneAddress(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		nodes := MustNodes(t, dsn, 2, chime.ServiceOptions{})
		accounts := []*chime.Account{
			MustAccount(t, nodes[0], aws1, "a", chime.AccountEnterpriseDirectory),
			MustAccount(t, nodes[0], aws1, "b", chime.AccountEnterpriseOIDC),
		}
		for round := range 5 {
			email := fmt.Sprintf("contested%d@example.com", round)
			var mu sync.Mutex
			created := 0
			var errs errList
			hammer(6, func(w int) {
				_, err := nodes[w%2].CreateUser(ctx, aws1, accounts[(w/2)%2].ID, chime.CreateUserInput{Email: &email})
				switch chime.ErrorCode(err) {
				case "":
					mu.Lock()
					created++
					mu.Unlock()
				case chime.ECONFLICT:
				default:
					errs.add("worker %d: CreateUser: %v", w, err)
				}
			})
			errs.check(t)
			if created != 1 {
				t.Fatalf("round %d: %d users created for one address", round, created)
			}
		}
	})
}

// Concurrent BatchSuspendUser/BatchUnsuspendUser/BatchUpdateUser on the same users, each changing another
// field, through two nodes: after every round each user shows every change of that round (no lost update).
func TestConcurrentBatchesLoseNoUpdate(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		nodes := MustNodes(t, dsn, 2, chime.ServiceOptions{})
		svc := nodes[0]
		a := MustAccount(t, svc, aws1, "lwa", chime.AccountTeam)
		_, err := svc.InviteUsers(ctx, aws1, a.ID, addresses(12, "batch"), nil)
		must(t, err)
		var ids []string
		for _, u := range MustListUsers(t, svc, aws1, a.ID) {
			_, err := svc.RegisterUser(ctx, aws1, a.ID, u.ID, nil)
			must(t, err)
			ids = append(ids, u.ID)
		}
		_, err = svc.SetAccountType(ctx, aws1, a.ID, ptr("EnterpriseLWA"))
		must(t, err)
		reversed := make([]string, len(ids))
		for i, id := range ids {
			reversed[len(ids)-1-i] = id
		}
		patches := func(ids []string, p chime.UserPatch) []chime.UserPatch {
			out := make([]chime.UserPatch, len(ids))
			for i, id := range ids {
				out[i] = p
				out[i].UserID = id
			}
			return out
		}
		for round := range 8 {
			even := round%2 == 0
			license, typ, status := chime.LicensePro, chime.UserPrivate, chime.Registered
			if even {
				license, typ, status = chime.LicenseBasic, chime.UserSharedDevice, chime.Suspended
			}
			arn := fmt.Sprintf("arn:aws:a4b:room/%d", round)
			var errs errList
			hammer(4, func(w int) {
				node := nodes[(w+round)%2]
				order := ids
				if w%2 == 1 {
					order = reversed // opposite lock order: a deadlock must be avoided or retried
				}
				var uerrs []chime.UserError
				var err error
				switch w {
				case 0:
					if even {
						uerrs, err = node.BatchSuspendUser(ctx, aws1, a.ID, order)
					} else {
						uerrs, err = node.BatchUnsuspendUser(ctx, aws1, a.ID, order)
					}
				case 1:
					uerrs, err = node.BatchUpdateUser(ctx, aws1, a.ID, patches(order[:10], chime.UserPatch{LicenseType: &license}))
					if err == nil && len(uerrs) == 0 {
						uerrs, err = node.BatchUpdateUser(ctx, aws1, a.ID, patches(order[10:], chime.UserPatch{LicenseType: &license}))
					}
				case 2:
					uerrs, err = node.BatchUpdateUser(ctx, aws1, a.ID, patches(order[:10], chime.UserPatch{UserType: &typ}))
					if err == nil && len(uerrs) == 0 {
						uerrs, err = node.BatchUpdateUser(ctx, aws1, a.ID, patches(order[10:], chime.UserPatch{UserType: &typ}))
					}
				case 3:
					for _, id := range order {
						if _, err = node.UpdateUser(ctx, aws1, a.ID, id, chime.UserPatch{
							Alexa: &chime.AlexaPatch{Enabled: ptr(even), RoomARN: &arn}}); err != nil {
							break
						}
					}
				}
				if err != nil || len(uerrs) > 0 {
					errs.add("round %d worker %d: %v %+v", round, w, err, uerrs)
				}
			})
			errs.check(t)
			for _, u := range MustListUsers(t, nodes[1], aws1, a.ID) {
				if u.RegistrationStatus != status || u.License != license || u.Type != typ ||
					u.AlexaEnabled != even || u.AlexaRoomARN != arn {
					t.Fatalf("round %d: lost update on %s: status %s license %s type %s alexa %v %s; want %s %s %s %v %s",
						round, u.ID, u.RegistrationStatus, u.License, u.Type, u.AlexaEnabled, u.AlexaRoomARN,
						status, license, typ, even, arn)
				}
			}
		}
	})
}

// DeleteAccount racing InviteUsers: exactly one wins. Either the invitation comes first and the deletion is
// refused (the account has users), or the deletion comes first and the invitation finds no account; a deleted
// account never keeps users.
func TestDeleteAccountRacesInviteUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		nodes := MustNodes(t, dsn, 2, chime.ServiceOptions{})
		store := nodes[0].Store()
		for round := range 12 {
			a := MustAccount(t, nodes[0], aws1, fmt.Sprintf("doomed %d", round), chime.AccountTeam)
			emails := addresses(3, fmt.Sprintf("race%d", round))
			var delErr, invErr error
			hammer(2, func(w int) {
				if w == 0 {
					delErr = nodes[round%2].DeleteAccount(ctx, aws1, a.ID)
				} else {
					_, invErr = nodes[(round+1)%2].InviteUsers(ctx, aws1, a.ID, emails, nil)
				}
			})
			switch {
			case delErr == nil && chime.ErrorCode(invErr) == chime.ENOTFOUND:
				must(t, store.Read(ctx, func(tx chime.Tx) error {
					if list, err := tx.ListUsers(ctx, a, chime.UserFilter{Limit: 10}); err != nil || len(list) > 0 {
						t.Fatalf("round %d: deleted account has users %v (%v)", round, list, err)
					}
					return nil
				}))
				for _, e := range emails {
					if u := userByEmail(t, store, aws1, e); u != nil {
						t.Fatalf("round %d: %s held by %+v after its account was deleted", round, e, u)
					}
				}
			case invErr == nil && chime.ErrorCode(delErr) == chime.EUNPROCESSABLE:
				if n := len(MustListUsers(t, nodes[0], aws1, a.ID)); n != len(emails) {
					t.Fatalf("round %d: surviving account has %d users", round, n)
				}
			default:
				t.Fatalf("round %d: DeleteAccount = %v, InviteUsers = %v", round, delErr, invErr)
			}
		}
	})
}

// ResetTenant racing invitations never fails, and never leaves a user without its account.
func TestResetTenantRacesInviteUsers(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		nodes := MustNodes(t, dsn, 2, chime.ServiceOptions{})
		for round := range 6 {
			a := MustAccount(t, nodes[0], aws1, "t", chime.AccountTeam)
			var errs errList
			hammer(4, func(w int) {
				if w == 0 {
					if err := nodes[round%2].ResetTenant(ctx, aws1); err != nil {
						errs.add("round %d: ResetTenant: %v", round, err)
					}
					return
				}
				_, err := nodes[w%2].InviteUsers(ctx, aws1, a.ID, addresses(5, fmt.Sprintf("r%dw%d", round, w)), nil)
				if c := chime.ErrorCode(err); c != "" && c != chime.ENOTFOUND {
					errs.add("round %d worker %d: InviteUsers: %v", round, w, err)
				}
			})
			errs.check(t)
		}
	})
}

// lowEntropy makes the service draw PINs from 0000000000…0000000015, so concurrent draws collide all the time.
type lowEntropy struct{}

func (lowEntropy) Read(p []byte) (int, error) {
	clear(p)
	if len(p) > 0 {
		p[len(p)-1] = byte(rand.IntN(16))
	}
	return len(p), nil
}

// PINs stay unique server-wide while nodes create users and reset PINs concurrently, even when every draw is
// likely to collide.
func TestPINsStayUniqueUnderContention(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		nodes := MustNodes(t, dsn, 2, chime.ServiceOptions{Rand: lowEntropy{}})
		accounts := []*chime.Account{
			MustAccount(t, nodes[0], aws1, "a", chime.AccountEnterpriseDirectory),
			MustAccount(t, nodes[0], aws2, "b", chime.AccountEnterpriseDirectory),
		}
		type ref struct{ aws, account, user string }
		var mu sync.Mutex
		var users []ref
		var errs errList
		hammer(6, func(w int) {
			a := accounts[w%2]
			u, err := nodes[(w/2)%2].CreateUser(ctx, a.AwsAccountID, a.ID,
				chime.CreateUserInput{Email: ptr(fmt.Sprintf("pin%d@example.com", w))})
			if err != nil {
				errs.add("worker %d: CreateUser: %v", w, err)
				return
			}
			mu.Lock()
			users = append(users, ref{a.AwsAccountID, a.ID, u.ID})
			mu.Unlock()
		})
		errs.check(t)
		hammer(6, func(w int) {
			for i := range 8 {
				r := users[(w+i)%len(users)]
				if _, err := nodes[(w+i)%2].ResetPersonalPIN(ctx, r.aws, r.account, r.user); err != nil {
					errs.add("worker %d: ResetPersonalPIN: %v", w, err)
				}
			}
		})
		errs.check(t)
		pins := map[string]string{}
		for _, a := range accounts {
			for _, listed := range MustListUsers(t, nodes[0], a.AwsAccountID, a.ID) {
				u, err := nodes[0].GetUser(ctx, a.AwsAccountID, a.ID, listed.ID) // lists carry no PIN
				if err != nil {
					t.Fatal(err)
				}
				if other, ok := pins[u.PIN]; ok || u.PIN == "" {
					t.Fatalf("PIN %q held by %s and %s", u.PIN, other, u.ID)
				}
				pins[u.PIN] = u.ID
			}
		}
		if len(pins) != 6 {
			t.Fatalf("%d users", len(pins))
		}
	})
}

// Nodes that start at the same moment on an empty schema all come up: one migrates under the advisory lock,
// the others wait and find the schema current.
func TestNodesMigrateConcurrently(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	dbs := make([]*sqlstore.DB, 4)
	errs := make([]error, len(dbs))
	hammer(len(dbs), func(w int) { dbs[w], errs[w] = sqlstore.Open(ctx, dsn) })
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		t.Cleanup(func() { dbs[i].Close() })
	}
	svc := MustService(t, dbs[3], chime.ServiceOptions{})
	a := MustAccount(t, svc, aws1, "after concurrent migration", chime.AccountTeam)
	if _, err := MustService(t, dbs[0], chime.ServiceOptions{}).GetAccount(ctx, aws1, a.ID); err != nil {
		t.Fatal(err)
	}
}
