package http_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// AssociatePhoneNumberWithUser / DisassociatePhoneNumberFromUser through aws-sdk-go-v2 (docs/behavior.md §4.22,
// D29), the cascades that free a user's number (BatchSuspendUser on Team, DeleteAccount: D45; reset: D48) and races
// on one number or one user.

// nuServer is a server whose orders stay Processing for orderDelay, with PUT /_chimed/clock enabled.
func nuServer(tb testing.TB, dsn string, orderDelay time.Duration) *testServer {
	tb.Helper()
	s := testenv.NewServer(tb, testenv.Config{DSN: dsn, AllowClockControl: true,
		Service: chimed.ServiceOptions{OrderDelay: orderDelay}})
	return &testServer{URL: s.URL, store: s.Store}
}

// nuOrder orders numbers of product type pt and returns the order's id.
func nuOrder(tb testing.TB, c *chime.Client, pt types.PhoneNumberProductType, e164s ...string) string {
	tb.Helper()
	out, err := c.CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{ProductType: pt, E164PhoneNumbers: e164s})
	if err != nil {
		tb.Fatalf("CreatePhoneNumberOrder %v: %v", e164s, err)
	}
	return *out.PhoneNumberOrder.PhoneNumberOrderId
}

func nuNumber(tb testing.TB, c *chime.Client, e164 string) types.PhoneNumber {
	tb.Helper()
	out, err := c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(e164)})
	if err != nil {
		tb.Fatalf("GetPhoneNumber %s: %v", e164, err)
	}
	return *out.PhoneNumber
}

func nuAssociate(c *chime.Client, accountID, userID, e164 string) (*chime.AssociatePhoneNumberWithUserOutput, error) {
	return c.AssociatePhoneNumberWithUser(ctx, &chime.AssociatePhoneNumberWithUserInput{AccountId: aws.String(accountID),
		UserId: aws.String(userID), E164PhoneNumber: aws.String(e164)})
}

func nuDisassociate(c *chime.Client, accountID, userID string) (*chime.DisassociatePhoneNumberFromUserOutput, error) {
	return c.DisassociatePhoneNumberFromUser(ctx, &chime.DisassociatePhoneNumberFromUserInput{
		AccountId: aws.String(accountID), UserId: aws.String(userID)})
}

func nuMustAssociate(tb testing.TB, c *chime.Client, accountID, userID, e164 string) {
	tb.Helper()
	out, err := nuAssociate(c, accountID, userID, e164)
	if err != nil {
		tb.Fatalf("associate %s with %s: %v", e164, userID, err)
	}
	checkMeta(tb, out.ResultMetadata, 200)
}

func wantAssociationsExist(tb testing.TB, err error) {
	tb.Helper()
	wantErr(tb, err, "BadRequestException", types.ErrorCodePhoneNumberAssociationsExist, 400)
}

// wantAssigned fails unless e164 is Assigned to user u of account a: the AccountId+UserId pair, one timestamp.
func wantAssigned(tb testing.TB, c *chime.Client, e164, a, u string) types.PhoneNumber {
	tb.Helper()
	n := nuNumber(tb, c, e164)
	if n.Status != types.PhoneNumberStatusAssigned || len(n.Associations) != 2 {
		tb.Fatalf("%s: status %s, associations %+v; want Assigned to %s/%s", e164, n.Status, n.Associations, a, u)
	}
	as := n.Associations
	if as[0].Name != types.PhoneNumberAssociationNameAccountId || aws.ToString(as[0].Value) != a ||
		as[1].Name != types.PhoneNumberAssociationNameUserId || aws.ToString(as[1].Value) != u {
		tb.Errorf("%s: associations %s=%s %s=%s, want AccountId=%s UserId=%s", e164, as[0].Name,
			aws.ToString(as[0].Value), as[1].Name, aws.ToString(as[1].Value), a, u)
	}
	if at := as[0].AssociatedTimestamp; at == nil || at.IsZero() || at.Nanosecond()%int(time.Millisecond) != 0 {
		tb.Errorf("%s: AssociatedTimestamp %v", e164, at)
	}
	if as[0].AssociatedTimestamp == nil || as[1].AssociatedTimestamp == nil ||
		!as[0].AssociatedTimestamp.Equal(*as[1].AssociatedTimestamp) {
		tb.Errorf("%s: association timestamps differ: %v %v", e164, as[0].AssociatedTimestamp, as[1].AssociatedTimestamp)
	}
	return n
}

// wantUnassigned fails unless e164 is Unassigned with no associations.
func wantUnassigned(tb testing.TB, c *chime.Client, e164 string) types.PhoneNumber {
	tb.Helper()
	n := nuNumber(tb, c, e164)
	if n.Status != types.PhoneNumberStatusUnassigned || n.Associations == nil || len(n.Associations) != 0 {
		tb.Errorf("%s: status %s, associations %+v; want Unassigned, []", e164, n.Status, n.Associations)
	}
	return n
}

// wantUserNumber fails unless GetUser and ListUsers show want as the user's PrimaryProvisionedNumber ("": none).
func wantUserNumber(tb testing.TB, c *chime.Client, accountID, userID, want string) {
	tb.Helper()
	if got := aws.ToString(MustGetUser(tb, c, accountID, userID).PrimaryProvisionedNumber); got != want {
		tb.Errorf("GetUser %s: PrimaryProvisionedNumber %q, want %q", userID, got, want)
	}
	found := false
	for _, u := range MustListUsers(tb, c, chime.ListUsersInput{AccountId: aws.String(accountID)}) {
		if aws.ToString(u.UserId) == userID {
			found = true
			if got := aws.ToString(u.PrimaryProvisionedNumber); got != want {
				tb.Errorf("ListUsers %s: PrimaryProvisionedNumber %q, want %q", userID, got, want)
			}
		}
	}
	if !found {
		tb.Errorf("ListUsers does not list %s", userID)
	}
}

// nuUser returns an account of type typ with one user (Team: a pending invitee; EnterpriseLWA: a registered
// member of a converted Team account; Directory and OIDC: CreateUser).
func nuUser(tb testing.TB, s *testServer, c *chime.Client, typ types.AccountType, email string) (string, string) {
	tb.Helper()
	switch typ {
	case types.AccountTypeEnterpriseDirectory, types.AccountTypeEnterpriseOIDC:
		a := MustAccount(tb, s, tenantA, typ)
		return *a.AccountId, *MustCreateUser(tb, c, *a.AccountId, email).UserId
	}
	a := MustCreateAccount(tb, c, "numbers")
	u := MustTeamUser(tb, c, *a.AccountId, email)
	if typ != types.AccountTypeTeam {
		MustRegister(tb, s, tenantA, *a.AccountId, u)
		MustSetAccountType(tb, s, tenantA, *a.AccountId, string(typ))
	}
	return *a.AccountId, u
}

func TestAssociatePhoneNumberWithUserE2E(t *testing.T) {
	t.Parallel()
	s := nuServer(t, testDSN(t), 0)
	c := s.client(tenantA)
	for i, typ := range allTypes {
		t.Run(string(typ), func(t *testing.T) {
			e164 := fmt.Sprintf("+120655501%02d", i)
			nuOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, e164)
			a, u := nuUser(t, s, c, typ, fmt.Sprintf("number%d@example.com", i))
			before := wantUnassigned(t, c, e164)
			wantUserNumber(t, c, a, u, "")

			r := s.rawJSON(t, tenantA, "POST", "/accounts/"+a+"/users/"+u+"?operation=associate-phone-number",
				map[string]string{"E164PhoneNumber": e164})
			if r.Status != 200 || string(r.Body) != "{}" {
				t.Fatalf("associate: %d %s", r.Status, r.Body)
			}
			n := wantAssigned(t, c, e164, a, u)
			if at := n.Associations[0].AssociatedTimestamp; at == nil || !n.UpdatedTimestamp.Equal(*at) ||
				at.Before(*before.UpdatedTimestamp) {
				t.Errorf("UpdatedTimestamp %v, AssociatedTimestamp %v: want both the time of the association (after %v)",
					n.UpdatedTimestamp, at, before.UpdatedTimestamp)
			}
			wantUserNumber(t, c, a, u, e164)
			upd, err := c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: &a, UserId: &u, UserType: types.UserTypeSharedDevice})
			if err != nil || aws.ToString(upd.User.PrimaryProvisionedNumber) != e164 {
				t.Errorf("UpdateUser: %v, PrimaryProvisionedNumber %v", err, upd)
			}
			bu, err := c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: &a,
				UpdateUserRequestItems: []types.UpdateUserRequestItem{{UserId: &u, UserType: types.UserTypePrivateUser}}})
			if err != nil || len(bu.UserErrors) != 0 {
				t.Errorf("BatchUpdateUser: %v %+v", err, bu)
			}
			wantUserNumber(t, c, a, u, e164)

			// The same number again is a no-op: nothing moves.
			time.Sleep(2 * time.Millisecond)
			if out, err := nuAssociate(c, a, u, e164); err != nil {
				t.Fatalf("re-associate: %v", err)
			} else {
				checkMeta(t, out.ResultMetadata, 200)
			}
			again := wantAssigned(t, c, e164, a, u)
			if !again.UpdatedTimestamp.Equal(*n.UpdatedTimestamp) || !again.Associations[0].AssociatedTimestamp.Equal(*n.Associations[0].AssociatedTimestamp) {
				t.Errorf("no-op moved timestamps: %v/%v, then %v/%v", n.UpdatedTimestamp, n.Associations[0].AssociatedTimestamp,
					again.UpdatedTimestamp, again.Associations[0].AssociatedTimestamp)
			}

			r = s.raw(t, tenantA, "POST", "/accounts/"+a+"/users/"+u+"?operation=disassociate-phone-number", nil)
			if r.Status != 200 || string(r.Body) != "{}" {
				t.Fatalf("disassociate: %d %s", r.Status, r.Body)
			}
			wantUnassigned(t, c, e164)
			wantUserNumber(t, c, a, u, "")
			out, err := nuDisassociate(c, a, u) // nothing attached: a no-op
			if err != nil {
				t.Fatalf("second disassociate: %v", err)
			}
			checkMeta(t, out.ResultMetadata, 200)
			wantUnassigned(t, c, e164)
			nuMustAssociate(t, c, a, u, e164) // free again
			wantAssigned(t, c, e164, a, u)
		})
	}
}

// TestAssociatePhoneNumberRules walks §4.22's rules in the order of D47: each case also breaks every later rule.
func TestAssociatePhoneNumberRules(t *testing.T) {
	t.Parallel()
	s := nuServer(t, testDSN(t), time.Hour)
	c, cb := s.client(tenantA), s.client(tenantB)
	const (
		free, taken, mine, vc, queued, pending, foreign, failed = "+12065550100", "+12065550101", "+12065550102",
			"+12065550103", "+12065550104", "+12065550105", "+12065550106", "+12065550099"
	)
	nuOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, free, taken, mine, queued, failed)
	nuOrder(t, c, types.PhoneNumberProductTypeVoiceConnector, vc)
	nuOrder(t, cb, types.PhoneNumberProductTypeBusinessCalling, foreign)
	putClock(t, s, 3601) // the orders complete
	nuOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, pending)
	if _, err := c.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(queued)}); err != nil {
		t.Fatal(err)
	}

	a, u := nuUser(t, s, c, types.AccountTypeTeam, "rules@example.com")
	other := MustTeamUser(t, c, a, "other@example.com")
	b, elsewhere := nuUser(t, s, c, types.AccountTypeEnterpriseDirectory, "elsewhere@example.com")
	nuMustAssociate(t, c, a, u, mine)
	nuMustAssociate(t, c, b, elsewhere, taken)
	const unknown = "00000000-0000-4000-8000-000000000000"

	for _, bad := range []string{"", "abc", "+0123", "+1", "+1234567890123456", "+1206555 0100"} {
		_, err := nuAssociate(c, unknown, unknown, bad)
		wantBadRequest(t, err)
	}
	_, err := nuAssociate(c, unknown, u, free)
	wantNotFound(t, err)
	_, err = nuAssociate(c, a, unknown, free)
	wantNotFound(t, err)
	_, err = nuAssociate(cb, a, u, free) // another AWS account's Chime account
	wantNotFound(t, err)
	_, err = nuAssociate(c, b, u, free) // a user of another Chime account
	wantNotFound(t, err)
	for _, n := range []string{"+12065550199", foreign, failed} { // never ordered; tenantB's; its order line failed
		_, err = nuAssociate(c, a, u, n) // u has a number too: 404 comes first
		wantNotFound(t, err)
	}
	for _, n := range []string{vc, pending, queued} {
		_, err = nuAssociate(c, a, other, n)
		wantBadRequest(t, err)
	}
	_, err = nuAssociate(c, a, u, taken) // another account's user holds it; u holds another one
	wantAssociationsExist(t, err)
	_, err = nuAssociate(c, a, other, mine)
	wantAssociationsExist(t, err)
	_, err = nuAssociate(c, a, u, free)
	wantBadRequest(t, err)
	if _, err := nuAssociate(c, a, u, mine); err != nil {
		t.Errorf("same user, same number: %v", err)
	}
	// Without '+' the number gets one.
	nuMustAssociate(t, c, a, other, "12065550100")
	wantAssigned(t, c, free, a, other)
	wantUserNumber(t, c, a, other, free)

	// Nothing refused changed anything.
	wantAssigned(t, c, mine, a, u)
	wantAssigned(t, c, taken, b, elsewhere)
	if n := nuNumber(t, c, vc); n.Status != types.PhoneNumberStatusUnassigned || len(n.Associations) != 0 {
		t.Errorf("voice connector number: %s %+v", n.Status, n.Associations)
	}
	if n := nuNumber(t, c, pending); n.Status != types.PhoneNumberStatusAcquireInProgress {
		t.Errorf("pending number: %s", n.Status)
	}
	if n := nuNumber(t, c, queued); n.Status != types.PhoneNumberStatusDeleteInProgress {
		t.Errorf("queued number: %s", n.Status)
	}
	if n := nuNumber(t, cb, foreign); n.Status != types.PhoneNumberStatusUnassigned {
		t.Errorf("tenantB's number: %s", n.Status)
	}
	// Once the pending order completes, its number can be given.
	_, err = nuAssociate(c, b, elsewhere, pending)
	wantBadRequest(t, err) // still being acquired (and elsewhere has a number)
	putClock(t, s, 2*3601)
	if _, err := nuDisassociate(c, b, elsewhere); err != nil {
		t.Fatal(err)
	}
	nuMustAssociate(t, c, b, elsewhere, pending)
	wantAssigned(t, c, pending, b, elsewhere)
	wantUnassigned(t, c, taken)

	_, err = nuDisassociate(c, unknown, u)
	wantNotFound(t, err)
	_, err = nuDisassociate(c, a, unknown)
	wantNotFound(t, err)
	_, err = nuDisassociate(cb, a, u)
	wantNotFound(t, err)
	wantAssigned(t, c, mine, a, u)
}

func TestNumberCascadesE2E(t *testing.T) {
	t.Parallel()
	s := nuServer(t, testDSN(t), 0)
	c := s.client(tenantA)
	nums := numbers("+1206555", 4, 100, 105)
	order := nuOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, nums...)

	// Team: BatchSuspendUser removes the user and frees its number; the other user keeps its own.
	team := *MustCreateAccount(t, c, "team").AccountId
	gone, stays := MustTeamUser(t, c, team, "gone@example.com"), MustTeamUser(t, c, team, "stays@example.com")
	MustRegister(t, s, tenantA, team, stays)
	nuMustAssociate(t, c, team, gone, nums[0])
	nuMustAssociate(t, c, team, stays, nums[1])
	out, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &team, UserIdList: []string{gone}})
	if err != nil || len(out.UserErrors) != 0 {
		t.Fatalf("BatchSuspendUser: %v %+v", err, out)
	}
	wantUnassigned(t, c, nums[0])
	wantAssigned(t, c, nums[1], team, stays)
	// The re-invited address is a new user without a number; the freed number can be given to it.
	back := MustTeamUser(t, c, team, "gone@example.com")
	wantUserNumber(t, c, team, back, "")
	nuMustAssociate(t, c, team, back, nums[0])
	wantAssigned(t, c, nums[0], team, back)
	// Removing both empties the account, which can then go: no number stays attached to it.
	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &team, UserIdList: []string{back, stays}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: &team}); err != nil {
		t.Fatal(err)
	}
	wantUnassigned(t, c, nums[0])
	wantUnassigned(t, c, nums[1])

	// EnterpriseLWA: suspending keeps the number; deleting the account frees the numbers of its users only.
	lwa, lwaUsers := registeredUsers(t, s, c, types.AccountTypeEnterpriseLWA, 2)
	keep, keepUser := nuUser(t, s, c, types.AccountTypeEnterpriseDirectory, "keep@example.com")
	nuMustAssociate(t, c, lwa, lwaUsers[0], nums[2])
	nuMustAssociate(t, c, lwa, lwaUsers[1], nums[3])
	nuMustAssociate(t, c, keep, keepUser, nums[4])
	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &lwa, UserIdList: lwaUsers}); err != nil {
		t.Fatal(err)
	}
	wantAssigned(t, c, nums[2], lwa, lwaUsers[0])
	wantUserNumber(t, c, lwa, lwaUsers[1], nums[3])
	if _, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: &lwa}); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	wantUnassigned(t, c, nums[2])
	wantUnassigned(t, c, nums[3])
	wantAssigned(t, c, nums[4], keep, keepUser)
	list, err := c.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{FilterName: types.PhoneNumberAssociationNameAccountId, FilterValue: &lwa})
	if err != nil || len(list.PhoneNumbers) != 0 {
		t.Errorf("numbers still filed under the deleted account: %v %+v", err, list)
	}
	// The AWS account's order stays (D45).
	if _, err := c.GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: &order}); err != nil {
		t.Errorf("order after DeleteAccount: %v", err)
	}

	// Reset: the caller's numbers and orders go, and are never offered again; tenantB keeps its own.
	cb := s.client(tenantB)
	nuOrder(t, cb, types.PhoneNumberProductTypeBusinessCalling, "+12065550106")
	if r := s.raw(t, tenantA, "POST", "/_chimed/reset", nil); r.Status != 200 && r.Status != 204 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	for _, n := range nums {
		_, err := c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(n)})
		wantNotFound(t, err)
	}
	_, err = c.GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: &order})
	wantNotFound(t, err)
	if l, err := c.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{}); err != nil || len(l.PhoneNumbers) != 0 {
		t.Errorf("ListPhoneNumbers after reset: %v %+v", err, l)
	}
	if l, err := c.ListPhoneNumberOrders(ctx, &chime.ListPhoneNumberOrdersInput{}); err != nil || len(l.PhoneNumberOrders) != 0 {
		t.Errorf("ListPhoneNumberOrders after reset: %v %+v", err, l)
	}
	found := search(t, c, chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int32(3)})
	if !slices.Equal(found.E164PhoneNumbers, numbers("+1206555", 4, 107, 109)) {
		t.Errorf("search after reset: %v", found.E164PhoneNumbers)
	}
	if n := nuNumber(t, cb, "+12065550106"); n.Status != types.PhoneNumberStatusUnassigned {
		t.Errorf("tenantB's number after tenantA's reset: %s", n.Status)
	}
	o, err := c.CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{
		ProductType: types.PhoneNumberProductTypeBusinessCalling, E164PhoneNumbers: nums[:1]})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: o.PhoneNumberOrder.PhoneNumberOrderId})
	if err != nil || g.PhoneNumberOrder.Status != types.PhoneNumberOrderStatusFailed {
		t.Errorf("re-ordering a reset number: %v %+v", err, g)
	}
}

// nuRace runs f(i) for i in 0..n-1 at once and returns the errors.
func nuRace(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = f(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// nuWinner fails unless exactly one of errs is nil and returns its index; the others must pass check.
func nuWinner(tb testing.TB, errs []error, check func(testing.TB, error)) int {
	tb.Helper()
	won := -1
	for i, err := range errs {
		if err != nil {
			check(tb, err)
			continue
		}
		if won >= 0 {
			tb.Fatalf("calls %d and %d both succeeded", won, i)
		}
		won = i
	}
	if won < 0 {
		tb.Fatalf("no call succeeded: %v", errs)
	}
	return won
}

func TestAssociatePhoneNumberRaces(t *testing.T) {
	t.Parallel()
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			s := nuServer(t, e.DSN(t), 0)
			c := s.client(tenantA)
			const n = 8
			nums := numbers("+1206555", 4, 100, 100+n-1)
			nuOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, nums...)
			type member struct{ a, u string }
			var users []member
			for i := range 2 {
				a := *MustCreateAccount(t, c, fmt.Sprintf("race%d", i)).AccountId
				for j := range n / 2 {
					users = append(users, member{a, MustTeamUser(t, c, a, fmt.Sprintf("r%d-%d@example.com", i, j))})
				}
			}
			// Every user wants the same number: one gets it.
			for round, num := range nums[:3] {
				errs := nuRace(len(users), func(i int) error {
					_, err := nuAssociate(c, users[i].a, users[i].u, num)
					return err
				})
				w := users[nuWinner(t, errs, wantAssociationsExist)]
				wantAssigned(t, c, num, w.a, w.u)
				for _, m := range users {
					want := ""
					if m == w {
						want = num
					}
					if got := aws.ToString(MustGetUser(t, c, m.a, m.u).PrimaryProvisionedNumber); got != want {
						t.Errorf("round %d: user %s has %q, want %q", round, m.u, got, want)
					}
				}
				if _, err := nuDisassociate(c, w.a, w.u); err != nil {
					t.Fatal(err)
				}
			}
			// One user, every number at once: it gets one of them.
			for round := range 2 {
				m := users[round]
				errs := nuRace(len(nums), func(i int) error {
					_, err := nuAssociate(c, m.a, m.u, nums[i])
					return err
				})
				w := nuWinner(t, errs, wantBadRequest)
				wantUserNumber(t, c, m.a, m.u, nums[w])
				for i, num := range nums {
					if i == w {
						wantAssigned(t, c, num, m.a, m.u)
					} else {
						wantUnassigned(t, c, num)
					}
				}
				if _, err := nuDisassociate(c, m.a, m.u); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
