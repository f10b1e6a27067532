package chime_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// Phone number orders (docs/behavior.md §4.26, §4.27; D21, D23, D24): the whole-request rules, the pools an
// order acquires from, the inventory limit, the order delay against the service clock and order paging.

// newEnvNumbers is newEnv with the number options of o (its Now is the env's clock).
func newEnvNumbers(tb testing.TB, o chime.ServiceOptions) *env {
	tb.Helper()
	e := &env{Store: testenv.MustOpen(tb, testenv.DSN(tb)),
		Clock: &clock{now: time.Date(2025, 3, 4, 5, 6, 7, 89_000_000, time.UTC)}}
	o.Now = e.Clock.Now
	svc, err := chime.NewService(ctx, e.Store, o)
	must(tb, err)
	e.Svc = svc
	tb.Cleanup(func() { svc.Drain(ctx) })
	return e
}

func mustPlace(tb testing.TB, e *env, aws, pt string, nums ...string) *chime.PhoneNumberOrder {
	tb.Helper()
	o, err := e.Svc.CreatePhoneNumberOrder(ctx, aws, &pt, nums)
	if err != nil {
		tb.Fatalf("CreatePhoneNumberOrder %v: %v", nums, err)
	}
	if o.Status != chime.OrderProcessing || !o.UpdatedAt.Equal(o.CreatedAt) || !o.CreatedAt.Equal(e.Clock.Now()) {
		tb.Fatalf("placed order: %s created %v updated %v", o.Status, o.CreatedAt, o.UpdatedAt)
	}
	for _, l := range o.Lines {
		if l.Status != chime.LineProcessing {
			tb.Fatalf("placed order: line %s %s", l.E164, l.Status)
		}
	}
	return o
}

// orderLines returns "number:status" of each line.
func orderLines(o *chime.PhoneNumberOrder) []string {
	out := make([]string, len(o.Lines))
	for i, l := range o.Lines {
		out[i] = l.E164 + ":" + string(l.Status)
	}
	return out
}

func mustGetOrder(tb testing.TB, e *env, aws, id string) *chime.PhoneNumberOrder {
	tb.Helper()
	o, err := e.Svc.GetPhoneNumberOrder(ctx, aws, id)
	if err != nil {
		tb.Fatalf("GetPhoneNumberOrder: %v", err)
	}
	return o
}

func TestOrderWholeRequestRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	var many []string
	for i := range chime.MaxOrderNumbers + 1 {
		many = append(many, fmt.Sprintf("+1206555%04d", 1000+i))
	}
	for _, x := range []struct {
		pt    *string
		nums  []string
		field chime.Field
	}{
		{nil, []string{"+12065550100"}, chime.FieldProductType},
		{ptr(""), []string{"+12065550100"}, chime.FieldProductType},
		{ptr("Nope"), []string{"+12065550100"}, chime.FieldProductType},
		{ptr("businesscalling"), []string{"+12065550100"}, chime.FieldProductType},
		{ptr("Nope"), nil, chime.FieldProductType}, // the product type is checked first
		{ptr("VoiceConnector"), nil, chime.FieldE164Numbers},
		{ptr("VoiceConnector"), []string{}, chime.FieldE164Numbers},
		{ptr("VoiceConnector"), many, chime.FieldE164Numbers},
		{ptr("VoiceConnector"), []string{""}, chime.FieldE164Numbers},
		{ptr("VoiceConnector"), []string{"+"}, chime.FieldE164Numbers},
		{ptr("VoiceConnector"), []string{"+1"}, chime.FieldE164Numbers},   // one digit
		{ptr("VoiceConnector"), []string{"++12"}, chime.FieldE164Numbers}, // two '+'
		{ptr("VoiceConnector"), []string{"+0123"}, chime.FieldE164Numbers},
		{ptr("VoiceConnector"), []string{"+1234567890123456"}, chime.FieldE164Numbers}, // 16 digits
		{ptr("VoiceConnector"), []string{"+1206555O100"}, chime.FieldE164Numbers},
		{ptr("VoiceConnector"), []string{"+12065550100", "+12065550100"}, chime.FieldE164Numbers},
		{ptr("VoiceConnector"), []string{"12065550100", "+12065550100"}, chime.FieldE164Numbers},
		{ptr("BusinessCalling"), []string{"+18005550100"}, chime.FieldE164Numbers},
		{ptr("BusinessCalling"), []string{"+1833"}, chime.FieldE164Numbers},
		{ptr("BusinessCalling"), []string{"+12065550100", "+44207946000"}, chime.FieldE164Numbers},
		{ptr("VoiceConnector"), []string{"+442079460000"}, chime.FieldE164Numbers},
		{ptr("VoiceConnector"), []string{"+2065550100"}, chime.FieldE164Numbers}, // +2…: not +1
	} {
		_, err := e.Svc.CreatePhoneNumberOrder(ctx, aws, x.pt, x.nums)
		wantErr(t, err, chime.EINVALID, x.field)
	}
	for _, p := range []string{"800", "833", "844", "855", "866", "877", "888"} {
		_, err := e.Svc.CreatePhoneNumberOrder(ctx, aws, ptr("BusinessCalling"), []string{"+1" + p + "5550100"})
		wantErr(t, err, chime.EINVALID, chime.FieldE164Numbers)
	}
	// Nothing stored by the refusals.
	list, _, err := e.Svc.ListPhoneNumberOrders(ctx, aws, 0, nil)
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("refusals stored %d orders", len(list))
	}
	avail, _, err := e.Svc.SearchAvailableNumbers(ctx, aws, chime.SearchNumbersInput{AreaCode: ptr("206"), MaxResults: 1})
	must(t, err)
	wantIDs(t, "available", avail, []string{"+12065550100"})

	// Accepted edge cases: exactly 100; 801 is no toll-free prefix; 2 and 15 digits are well-formed (and fail:
	// no pool holds them); toll-free numbers for VoiceConnector, any country for SipMediaApplicationDialIn.
	o := mustPlace(t, e, aws, "VoiceConnector", many[:100]...)
	if o = mustGetOrder(t, e, aws, o.ID); o.Status != chime.OrderSuccessful || len(o.Lines) != 100 {
		t.Fatalf("100 numbers: %s, %d lines", o.Status, len(o.Lines))
	}
	o = mustPlace(t, e, aws, "BusinessCalling", "+18015550100", "+12", "+123456789012345")
	wantIDs(t, "lines", orderLines(mustGetOrder(t, e, aws, o.ID)),
		[]string{"+18015550100:Acquired", "+12:Failed", "+123456789012345:Failed"})
	mustPlace(t, e, aws, "VoiceConnector", "+18005550100")
	mustPlace(t, e, aws, "SipMediaApplicationDialIn", "+33199000000", "+18335550100")
}

// TestOrderPools: each number of an order is acquired when it lies in one of D21's pools, whatever the product
// type allows (the product rules are whole-request rules); other numbers fail.
func TestOrderPools(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	acquired := map[string]string{ // number → Country/Type
		"+12065550100": "US/Local", "+12065559999": "US/Local", "+19075550100": "US/Local",
		"+18005550100": "US/TollFree", "+18885559999": "US/TollFree",
		"+442079460000": "GB/Local", "+442079469999": "GB/Local", "+448081570000": "GB/TollFree",
		"+448081579999": "GB/TollFree", "+493023125000": "DE/Local", "+493023125999": "DE/Local",
		"+33199000000": "FR/Local", "+33199999999": "FR/Local", "+61255500000": "AU/Local", "+61255509999": "AU/Local",
		"+611800160400": "AU/TollFree", "+611800160499": "AU/TollFree",
	}
	failed := []string{
		"+12065550099", "+12065550000", // below the US pool's 0100 start
		"+18005550099",                 // likewise, toll-free
		"+12065560100",                 // not the 555 exchange
		"+1206555010", "+120655501000", // 10 and 12 digits after +
		"+12115550100", "+19115550100", // N11
		"+11065550100", "+10655550100", // NPA starting with 1 or 0
		"+44207946000", "+4420794600000", "+442079450000", "+448081580000",
		"+49302312500", "+4930231250000", "+33199000", "+331990000000", "+3319900000",
		"+61255510000", "+611800160399", "+611800160500", "+61180016040",
		"+8005550100", "+15", "+447700900123",
	}
	nums := append(slices.Sorted(mapKeys(acquired)), failed...)
	o := mustPlace(t, e, aws, "SipMediaApplicationDialIn", nums...)
	o = mustGetOrder(t, e, aws, o.ID)
	if o.Status != chime.OrderPartial || len(o.Lines) != len(nums) {
		t.Fatalf("order: %s with %d lines", o.Status, len(o.Lines))
	}
	for i, l := range o.Lines {
		if l.E164 != nums[i] {
			t.Fatalf("line %d = %s, want %s (request order)", i, l.E164, nums[i])
		}
		want := chime.LineFailed
		if _, ok := acquired[l.E164]; ok {
			want = chime.LineAcquired
		}
		if l.Status != want || l.Acquired != (want == chime.LineAcquired) {
			t.Errorf("%s: %s, want %s", l.E164, l.Status, want)
		}
	}
	for e164, ct := range acquired {
		n, err := e.Svc.GetPhoneNumber(ctx, aws, e164)
		if err != nil {
			t.Errorf("%s: %v", e164, err)
			continue
		}
		if got := n.Country + "/" + string(n.Type); got != ct || n.Status != chime.NumberUnassigned ||
			n.ProductType != chime.ProductSipMediaApplicationDialIn {
			t.Errorf("%s: %s %s %s, want %s Unassigned", e164, got, n.Status, n.ProductType, ct)
		}
	}
	for _, e164 := range failed {
		_, err := e.Svc.GetPhoneNumber(ctx, aws, e164)
		wantErr(t, err, chime.ENOTFOUND, "")
	}
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestOrderSettle: an order is Processing until CreatedAt + the order delay and shows its outcome from then on,
// to the millisecond; its numbers are AcquireInProgress until then and Unassigned after.
func TestOrderSettle(t *testing.T) {
	t.Parallel()
	const delay = 90 * time.Minute
	e := newEnvNumbers(t, chime.ServiceOptions{OrderDelay: delay})
	aws, other := newTenant(), newTenant()
	t0 := e.Clock.Now()
	o := mustPlace(t, e, aws, "VoiceConnector", "+12065550100", "+12065550099", "+18775550100")
	wantState := func(when string, status chime.OrderStatus, line1 chime.OrderLineStatus, num chime.NumberStatus) {
		t.Helper()
		got := mustGetOrder(t, e, aws, o.ID)
		line2 := line1
		if line1 == chime.LineAcquired {
			line2 = chime.LineFailed
		}
		want := []string{"+12065550100:" + string(line1), "+12065550099:" + string(line2), "+18775550100:" + string(line1)}
		if got.Status != status || !slices.Equal(orderLines(got), want) {
			t.Fatalf("%s: %s %v, want %s %v", when, got.Status, orderLines(got), status, want)
		}
		updated := t0
		if status != chime.OrderProcessing {
			updated = t0.Add(delay)
		}
		if !got.CreatedAt.Equal(t0) || !got.UpdatedAt.Equal(updated) || got.ProductType != chime.ProductVoiceConnector {
			t.Fatalf("%s: created %v updated %v product %s", when, got.CreatedAt, got.UpdatedAt, got.ProductType)
		}
		list, _, err := e.Svc.ListPhoneNumberOrders(ctx, aws, 0, nil)
		must(t, err)
		if len(list) != 1 || list[0].Status != status || !slices.Equal(orderLines(list[0]), want) {
			t.Fatalf("%s: listed %v", when, list)
		}
		for _, e164 := range []string{"+12065550100", "+18775550100"} {
			n, err := e.Svc.GetPhoneNumber(ctx, aws, e164)
			must(t, err)
			if n.Status != num || !n.CreatedAt.Equal(t0) || !n.UpdatedAt.Equal(later(t0, updated)) {
				t.Fatalf("%s: number %s %s created %v updated %v", when, e164, n.Status, n.CreatedAt, n.UpdatedAt)
			}
		}
	}
	wantState("at once", chime.OrderProcessing, chime.LineProcessing, chime.NumberAcquireInProgress)
	// Pending numbers are taken: another account's order for one fails, and it cannot be deleted yet.
	ob := mustPlace(t, e, other, "VoiceConnector", "+12065550100")
	wantErr(t, e.Svc.DeletePhoneNumber(ctx, aws, "+12065550100"), chime.EINVALID, "")
	e.Clock.Advance(delay - time.Millisecond)
	wantState("a millisecond before", chime.OrderProcessing, chime.LineProcessing, chime.NumberAcquireInProgress)
	e.Clock.Advance(time.Millisecond)
	wantState("at CreatedAt+delay", chime.OrderPartial, chime.LineAcquired, chime.NumberUnassigned)
	e.Clock.Advance(24 * time.Hour)
	wantState("a day later", chime.OrderPartial, chime.LineAcquired, chime.NumberUnassigned)
	// The other account's order completed at the same time, with nothing.
	if got := mustGetOrder(t, e, other, ob.ID); got.Status != chime.OrderFailed ||
		!slices.Equal(orderLines(got), []string{"+12065550100:Failed"}) || !got.UpdatedAt.Equal(t0.Add(delay)) {
		t.Fatalf("other's order: %s %v %v", got.Status, orderLines(got), got.UpdatedAt)
	}
	must(t, e.Svc.DeletePhoneNumber(ctx, aws, "+12065550100"))
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// TestOrderLimit: the inventory (AcquireInProgress, Unassigned, Assigned) plus every number asked for may not
// exceed the limit; the deletion queue does not count; each AWS account has its own.
func TestOrderLimit(t *testing.T) {
	t.Parallel()
	e := newEnvNumbers(t, chime.ServiceOptions{NumberLimit: 4, OrderDelay: time.Hour})
	aws := newTenant()
	mustPlace(t, e, aws, "BusinessCalling", "+12065550100", "+12065550101") // AcquireInProgress for an hour
	_, err := e.Svc.CreatePhoneNumberOrder(ctx, aws, ptr("VoiceConnector"),
		[]string{"+12065550102", "+12065550103", "+12065550099"})
	wantErr(t, err, chime.ELIMIT, "") // the failing number counts too
	_, err = e.Svc.CreatePhoneNumberOrder(ctx, aws, ptr("VoiceConnector"), []string{"+12065550102", "bad"})
	wantErr(t, err, chime.EINVALID, chime.FieldE164Numbers) // validation comes first
	e.Clock.Advance(time.Hour)
	mustPlace(t, e, aws, "VoiceConnector", "+12065550102") // 3 of 4
	_, err = e.Svc.CreatePhoneNumberOrder(ctx, aws, ptr("VoiceConnector"), []string{"+12065550103", "+12065550104"})
	wantErr(t, err, chime.ELIMIT, "")
	// An Assigned number counts; a queued one does not.
	a := MustAccount(t, e, aws, "acme", chime.AccountEnterpriseDirectory)
	u := MustCreateUser(t, e, aws, a.ID, newEmail("caller"))
	must(t, e.Svc.AssociatePhoneNumberWithUser(ctx, aws, a.ID, u.ID, ptr("+12065550101")))
	must(t, e.Svc.DeletePhoneNumber(ctx, aws, "+12065550100"))
	mustPlace(t, e, aws, "VoiceConnector", "+12065550103", "+12065550104") // 4 of 4
	_, err = e.Svc.CreatePhoneNumberOrder(ctx, aws, ptr("VoiceConnector"), []string{"+12065550105"})
	wantErr(t, err, chime.ELIMIT, "")
	// The refused orders stored nothing and acquired nothing.
	list, _, err := e.Svc.ListPhoneNumberOrders(ctx, aws, 0, nil)
	must(t, err)
	if len(list) != 3 {
		t.Fatalf("%d orders stored, want 3", len(list))
	}
	avail, _, err := e.Svc.SearchAvailableNumbers(ctx, aws, chime.SearchNumbersInput{AreaCode: ptr("206"), MaxResults: 1})
	must(t, err)
	wantIDs(t, "available", avail, []string{"+12065550105"})
	mustPlace(t, e, newTenant(), "VoiceConnector", "+12065550105", "+12065550106", "+12065550107", "+12065550108")
	// A reset empties the inventory; numbers once acquired stay taken (D21, D48).
	must(t, e.Svc.ResetTenant(ctx, aws))
	o := mustPlace(t, e, aws, "VoiceConnector", "+12065550101", "+12065550109", "+12065550110", "+12065550111")
	e.Clock.Advance(time.Hour)
	wantIDs(t, "after reset", orderLines(mustGetOrder(t, e, aws, o.ID)), []string{"+12065550101:Failed",
		"+12065550109:Acquired", "+12065550110:Acquired", "+12065550111:Acquired"})
}

// TestOrderPaging: orders in (CreatedAt, ID) order, also when they share a millisecond; tokens bound to the
// listing and the AWS account.
func TestOrderPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	aws := newTenant()
	var ids []string
	for i := range 7 {
		o := mustPlace(t, e, aws, "VoiceConnector", fmt.Sprintf("+1206555%04d", 100+i))
		ids = append(ids, o.ID)
		if i == 2 || i == 4 { // orders 0–2 share a millisecond, 3–4 another, 5–6 a third
			e.Clock.Advance(time.Millisecond)
		}
	}
	want := slices.Clone(ids)
	slices.Sort(want[0:3])
	slices.Sort(want[3:5])
	slices.Sort(want[5:7])
	for size := 1; size <= 8; size++ {
		var got []string
		var tok *string
		for pages := 1; ; pages++ {
			list, next, err := e.Svc.ListPhoneNumberOrders(ctx, aws, size, tok)
			must(t, err)
			if len(list) > size || pages > 8 {
				t.Fatalf("size %d: page %d holds %d", size, pages, len(list))
			}
			for _, o := range list {
				got = append(got, o.ID)
			}
			if next == "" {
				break
			}
			tok = &next
		}
		wantIDs(t, fmt.Sprintf("pages of %d", size), got, want)
	}
	list, next, err := e.Svc.ListPhoneNumberOrders(ctx, aws, 0, nil) // 0: the default page
	must(t, err)
	if len(list) != 7 || next != "" {
		t.Fatalf("default page: %d orders, next %q", len(list), next)
	}
	_, next, err = e.Svc.ListPhoneNumberOrders(ctx, aws, 3, nil)
	must(t, err)
	_, _, err = e.Svc.ListPhoneNumberOrders(ctx, newTenant(), 3, &next)
	wantErr(t, err, chime.EINVALID, chime.FieldNextToken)
	for _, bad := range []string{"garbage", next[:len(next)-1], strings.Repeat("A", 5000)} {
		_, _, err = e.Svc.ListPhoneNumberOrders(ctx, aws, 3, &bad)
		wantErr(t, err, chime.EINVALID, chime.FieldNextToken)
	}
	_, _, err = e.Svc.SearchAvailableNumbers(ctx, aws, chime.SearchNumbersInput{AreaCode: ptr("206"), NextToken: &next})
	wantErr(t, err, chime.EINVALID, chime.FieldNextToken) // another listing's token
	// Orders of another AWS account are not listed and not readable.
	if list, _, err := e.Svc.ListPhoneNumberOrders(ctx, newTenant(), 0, nil); err != nil || len(list) != 0 {
		t.Fatalf("another account: %d orders, %v", len(list), err)
	}
	_, err = e.Svc.GetPhoneNumberOrder(ctx, newTenant(), ids[0])
	wantErr(t, err, chime.ENOTFOUND, "")
	_, err = e.Svc.GetPhoneNumberOrder(ctx, aws, "6a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d")
	wantErr(t, err, chime.ENOTFOUND, "")
}

// TestOrderRace: concurrent orders for the same numbers, from many AWS accounts and in opposite orders: each
// number is acquired by exactly one line, and the limit holds for concurrent orders of one AWS account.
func TestOrderRace(t *testing.T) {
	t.Parallel()
	e := newEnvNumbers(t, chime.ServiceOptions{NumberLimit: 3})
	const n = 8
	tenants := make([]string, n)
	for i := range tenants {
		tenants[i] = newTenant()
	}
	orders := make([]*chime.PhoneNumberOrder, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nums := []string{"+12065550100", "+12065550101"}
			if i%2 == 1 {
				nums[0], nums[1] = nums[1], nums[0]
			}
			orders[i], errs[i] = e.Svc.CreatePhoneNumberOrder(ctx, tenants[i], ptr("VoiceConnector"), nums)
		}()
	}
	wg.Wait()
	count := map[string]int{}
	for i := range n {
		must(t, errs[i])
		for _, l := range mustGetOrder(t, e, tenants[i], orders[i].ID).Lines {
			if l.Status == chime.LineAcquired {
				count[l.E164]++
			}
		}
	}
	if count["+12065550100"] != 1 || count["+12065550101"] != 1 {
		t.Fatalf("acquisitions: %v, want each number once", count)
	}

	aws := newTenant()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.Svc.CreatePhoneNumberOrder(ctx, aws, ptr("VoiceConnector"),
				[]string{fmt.Sprintf("+1312555%04d", 100+2*i), fmt.Sprintf("+1312555%04d", 101+2*i)})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantErr(t, err, chime.ELIMIT, "")
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent orders of 2 succeeded under a limit of 3, want 1", ok)
	}
}
