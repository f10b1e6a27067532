package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
)

// A worker drives one share of the load. It owns its objects (accounts, users, rooms, bots, numbers), so the last
// acknowledged write to each is well defined; it holds mu for the length of each operation, and a check takes
// every worker's mu to see the server at rest. An object touched by a write of unknown outcome is dropped from
// the worker's pools (its checked facts stay in the ledger).
type worker struct {
	id   int
	s    *soak
	rng  *rand.Rand
	mu   sync.Mutex
	node int
	seq  int

	teams   []*account // Team accounts with invited users
	ent     *account   // an EnterpriseOIDC account: created users, rooms, bots, numbers, retention
	lwa     *account   // an EnterpriseLWA account: suspend and unsuspend
	numbers []*number
}

type account struct {
	id    string
	users []*user
	rooms []*room
	bots  []*bot
}

type user struct {
	id, email, number string
	suspended         bool
}

type room struct {
	id      string
	members map[string]bool // user and bot ids
}

type bot struct{ id, email string }

type number struct {
	e164    string
	user    string // "" when unassigned
	deleted bool
}

func (w *worker) endpoint() *endpoint { return w.s.endpoints[w.node%len(w.s.endpoints)] }
func (w *worker) nextNode()           { w.node++ }

func (w *worker) name(kind string) string {
	w.seq++
	return fmt.Sprintf("soak-%s-w%d-%d-%d", kind, w.id, w.seq, w.s.runID)
}

func (w *worker) email() string {
	w.seq++
	return fmt.Sprintf("w%d.%d.%d@soak.example.com", w.id, w.seq, w.s.runID)
}

func (w *worker) led() *ledger { return w.s.led }

// op is one kind of step of the workload.
type op struct {
	name   string
	weight int
	run    func(ctx context.Context, w *worker)
}

// run loops over weighted random operations until ctx ends.
func (w *worker) run(ctx context.Context, ops []op) {
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	for ctx.Err() == nil {
		n := w.rng.IntN(total)
		var chosen op
		for _, o := range ops {
			if n < o.weight {
				chosen = o
				break
			}
			n -= o.weight
		}
		w.mu.Lock()
		chosen.run(ctx, w)
		w.mu.Unlock()
		if w.s.think > 0 {
			time.Sleep(w.s.think)
		}
	}
}

func pick[T any](w *worker, xs []T) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[w.rng.IntN(len(xs))], true
}

func remove[T comparable](xs []T, x T) []T {
	for i, y := range xs {
		if y == x {
			return append(xs[:i], xs[i+1:]...)
		}
	}
	return xs
}

// newAccount creates an account of accountType (CreateAccount, then, for an Enterprise type, the conversion
// through PUT /_chimed/accounts/{id}/type) and returns it, or nil when a step failed.
func (w *worker) newAccount(ctx context.Context, accountType string) *account {
	name := w.name("acct")
	out, r := call(ctx, w, (*chime.Client).CreateAccount, &chime.CreateAccountInput{Name: aws.String(name)})
	if !r.ok() {
		return nil
	}
	id := aws.ToString(out.Account.AccountId)
	w.led().ack("CreateAccount", r.reqID, r.at, "acct|"+id+"|name", name)
	if accountType == "Team" {
		return &account{id: id}
	}
	body, _ := json.Marshal(map[string]string{"AccountType": accountType})
	if _, r := rawCall(ctx, w, "chimed:PutAccountType", "PUT", "/_chimed/accounts/"+id+"/type", body); !r.ok() {
		if r.outcome == outcomeUnknown {
			w.led().lostAnswer()
		}
		return nil
	}
	return &account{id: id}
}

// enterprise returns the worker's EnterpriseOIDC account, creating it if needed (nil when that failed; the next
// operation that needs it tries again).
func (w *worker) enterprise(ctx context.Context) *account {
	if w.ent == nil {
		w.ent = w.newAccount(ctx, "EnterpriseOIDC")
	}
	return w.ent
}

// unknownOutcome records a write of unknown outcome on keys.
func (w *worker) unknownOutcome(keys ...string) { w.led().lostAnswer(keys...) }

func userKey(a *account, u *user, field string) string {
	return "user|" + a.id + "/" + u.id + "|" + field
}

// allOps is the mix: every operation family of the API.
func allOps(first bool) []op {
	ops := []op{
		{"account", 4, opAccount},
		{"users", 8, opTeamUsers},
		{"enterpriseUsers", 6, opEnterpriseUsers},
		{"lwaSuspend", 2, opSuspendCycle},
		{"settings", 3, opSettings},
		{"phone", 8, opPhone},
		{"dialOut", 2, opDialOut},
		{"rooms", 6, opRooms},
		{"bots", 5, opBots},
		{"retention", 1, opRetention},
		{"reads", 6, opReads},
	}
	if first {
		ops = append(ops, op{"global", 1, opGlobal})
	}
	return ops
}
