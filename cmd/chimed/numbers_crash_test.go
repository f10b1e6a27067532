package main_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/internal/testenv"
)

// Scheduled phone number transitions (an order's completion, a calling name's propagation, the deletion queue's
// purge) are stored data settled against the server clock on every read (README "Scheduled transitions", D19):
// a kill -9 loses none of them, and every node of one PostgreSQL store sees a due transition.

const numTenant = "111122223333"

// numberState is what the crash test checks of one number: "" status means 404.
type numberState struct {
	status      types.PhoneNumberStatus
	callingName types.CallingNameStatus
	holder      string // the UserId association, "" when none
}

func numberOf(t *testing.T, c *chime.Client, e164 string) numberState {
	t.Helper()
	out, err := c.GetPhoneNumber(context.Background(), &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(e164)})
	var nf *types.NotFoundException
	if errors.As(err, &nf) {
		return numberState{}
	}
	if err != nil {
		t.Fatalf("GetPhoneNumber %s: %v", e164, err)
	}
	n := out.PhoneNumber
	st := numberState{status: n.Status, callingName: n.CallingNameStatus}
	for _, a := range n.Associations {
		if a.Name == types.PhoneNumberAssociationNameUserId {
			st.holder = aws.ToString(a.Value)
		}
	}
	return st
}

func orderStatus(t *testing.T, c *chime.Client, id string) string {
	t.Helper()
	out, err := c.GetPhoneNumberOrder(context.Background(), &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: &id})
	if err != nil {
		t.Fatalf("GetPhoneNumberOrder: %v", err)
	}
	s := string(out.PhoneNumberOrder.Status)
	for _, l := range out.PhoneNumberOrder.OrderedPhoneNumbers {
		s += " " + string(l.Status)
	}
	return s
}

func placeOrder(t *testing.T, c *chime.Client, e164s ...string) string {
	t.Helper()
	out, err := c.CreatePhoneNumberOrder(context.Background(), &chime.CreatePhoneNumberOrderInput{
		ProductType: types.PhoneNumberProductTypeBusinessCalling, E164PhoneNumbers: e164s})
	if err != nil {
		t.Fatalf("CreatePhoneNumberOrder: %v", err)
	}
	return *out.PhoneNumberOrder.PhoneNumberOrderId
}

func setClock(t *testing.T, p *testenv.Proc, seconds int64) {
	t.Helper()
	if st, off, _ := clockCall(t, p, "PUT", fmt.Appendf(nil, `{"OffsetSeconds":%d}`, seconds)); st != 200 || off != seconds {
		t.Fatalf("PUT clock %d: %d, offset %d", seconds, st, off)
	}
}

func TestNumberTransitionsSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := testenv.BuildChimed(t)
	ctx := context.Background()
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			opts := testenv.ProcOptions{Args: []string{"--auth", "any", "--db", e.DSN(t), "--order-delay", "1h",
				"--calling-name-delay", "1h", "--phone-deletion-queue", "2h", "--allow-clock-control"},
				Env: []string{"CHIMED_MASTER_KEY=" + testenv.MasterKey, "CHIMED_RATE_LIMIT=0"}}
			start := func() (*testenv.Proc, *chime.Client) {
				p := testenv.LaunchChimed(t, bin, opts)
				p.WaitListening(t, testenv.StartTimeout)
				return p, p.Client(numTenant)
			}
			p, c := start()
			const held, named, queued, ordered = "+12065550100", "+12065550101", "+12065550102", "+12065550103"
			first := placeOrder(t, c, held, named, queued)
			setClock(t, p, 3600) // the first order completes
			if got := orderStatus(t, c, first); got != "Successful Acquired Acquired Acquired" {
				t.Fatalf("first order: %s", got)
			}
			acc, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("crash")})
			if err != nil {
				t.Fatal(err)
			}
			a := *acc.Account.AccountId
			if _, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: &a, UserEmailList: []string{"held@example.com"}}); err != nil {
				t.Fatal(err)
			}
			users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: &a})
			if err != nil || len(users.Users) != 1 {
				t.Fatalf("ListUsers: %v %+v", err, users)
			}
			u := *users.Users[0].UserId
			if _, err := c.AssociatePhoneNumberWithUser(ctx, &chime.AssociatePhoneNumberWithUserInput{AccountId: &a,
				UserId: &u, E164PhoneNumber: aws.String(held)}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(named),
				CallingName: aws.String("Acme")}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(queued)}); err != nil {
				t.Fatal(err)
			}
			second := placeOrder(t, c, ordered)

			pending := map[string]numberState{
				held:    {types.PhoneNumberStatusAssigned, types.CallingNameStatusUnassigned, u},
				named:   {types.PhoneNumberStatusUnassigned, types.CallingNameStatusUpdateInProgress, ""},
				queued:  {types.PhoneNumberStatusDeleteInProgress, types.CallingNameStatusUnassigned, ""},
				ordered: {types.PhoneNumberStatusAcquireInProgress, types.CallingNameStatusUnassigned, ""},
			}
			check := func(when string, c *chime.Client, want map[string]numberState, order string) {
				t.Helper()
				for num, w := range want {
					if got := numberOf(t, c, num); got != w {
						t.Errorf("%s: %s is %+v, want %+v", when, num, got, w)
					}
				}
				if got := orderStatus(t, c, second); got != order {
					t.Errorf("%s: second order %s, want %s", when, got, order)
				}
			}
			check("before the kill", c, pending, "Processing Processing")

			p.Kill(t)
			p, c = start()
			if st, off, _ := clockCall(t, p, "GET", nil); st != 200 || off != 3600 {
				t.Fatalf("clock after restart: %d, offset %d", st, off)
			}
			check("after the restart", c, pending, "Processing Processing")

			setClock(t, p, 3600+2*3600+60) // past every pending transition
			done := map[string]numberState{
				held:    pending[held],
				named:   {types.PhoneNumberStatusUnassigned, types.CallingNameStatusUpdateSucceeded, ""},
				queued:  {},
				ordered: {types.PhoneNumberStatusUnassigned, types.CallingNameStatusUnassigned, ""},
			}
			check("past the transitions", c, done, "Successful Acquired")
			list, err := c.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{})
			if err != nil || len(list.PhoneNumbers) != 3 {
				t.Fatalf("ListPhoneNumbers: %v, %d numbers", err, len(list.PhoneNumbers))
			}
			unassigned, err := c.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusUnassigned})
			if err != nil || len(unassigned.PhoneNumbers) != 2 {
				t.Fatalf("ListPhoneNumbers(Unassigned): %v %+v", err, unassigned)
			}

			// Once more through a kill: what was settled stays settled.
			p.Kill(t)
			_, c = start()
			check("after the second restart", c, done, "Successful Acquired")
		})
	}
}

// TestNumberTransitionsMultiNode: two processes on one PostgreSQL store both see a transition once it is due,
// whether the server clock moves through one of them or the wall clock reaches it.
func TestNumberTransitionsMultiNode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dsn := testenv.PostgresDSN(t) // skips when CHIMED_TEST_POSTGRES is unset
	bin := testenv.BuildChimed(t)
	ctx := context.Background()
	var nodes []*testenv.Proc
	for _, name := range []string{"A", "B"} {
		nodes = append(nodes, testenv.LaunchChimed(t, bin, testenv.ProcOptions{Name: name,
			Args: []string{"--auth", "any", "--db", dsn, "--order-delay", "1h", "--calling-name-delay", "2s",
				"--allow-clock-control"},
			Env: []string{"CHIMED_RATE_LIMIT=0", "CHIMED_MASTER_KEY=" + testenv.MasterKey}}))
	}
	for _, n := range nodes {
		n.WaitListening(t, 60*time.Second)
	}
	ca, cb := nodes[0].Client(numTenant), nodes[1].Client(numTenant)
	const num = "+12065550100"
	order := placeOrder(t, ca, num)
	for i, c := range []*chime.Client{ca, cb} {
		if got := orderStatus(t, c, order); got != "Processing Processing" {
			t.Fatalf("node %d: order %s before it is due", i, got)
		}
	}

	// The server clock moves through A: A sees the order complete at once, B within the clock's cache time.
	setClock(t, nodes[0], 3601)
	if got := orderStatus(t, ca, order); got != "Successful Acquired" {
		t.Fatalf("A: order %s right after the clock moved", got)
	}
	numEventually(t, "B sees the order complete", func() bool { return orderStatus(t, cb, order) == "Successful Acquired" })
	if got := numberOf(t, cb, num); got.status != types.PhoneNumberStatusUnassigned {
		t.Fatalf("B: number %s", got.status)
	}

	// The wall clock reaches a calling name set through B: both see it applied.
	if _, err := cb.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(num),
		CallingName: aws.String("Acme")}); err != nil {
		t.Fatal(err)
	}
	if got := numberOf(t, ca, num); got.callingName != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("A: calling name %s before it is due", got.callingName)
	}
	for i, c := range []*chime.Client{ca, cb} {
		numEventually(t, fmt.Sprintf("node %d sees the calling name applied", i), func() bool {
			return numberOf(t, c, num).callingName == types.CallingNameStatusUpdateSucceeded
		})
	}
}

// numEventually polls cond for up to 10 s.
func numEventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
