package http_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// CreatePhoneNumberOrder, GetPhoneNumberOrder and ListPhoneNumberOrders (docs/behavior.md §3.6, §4.26, §4.27; D21,
// D23, D24, D41), end to end through aws-sdk-go-v2: outcomes, whole-request refusals, the inventory limit, the
// order delay through the server clock, tenancy, paging and concurrent orders.

const (
	vc  = types.PhoneNumberProductTypeVoiceConnector
	bc  = types.PhoneNumberProductTypeBusinessCalling
	sma = types.PhoneNumberProductTypeSipMediaApplicationDialIn
)

var orderIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// newOrderServer starts a server with service options o and --allow-clock-control.
func newOrderServer(tb testing.TB, o chimed.ServiceOptions) *testServer {
	tb.Helper()
	s := testenv.NewServer(tb, testenv.Config{DSN: testDSN(tb), Service: o, AllowClockControl: true})
	return &testServer{URL: s.URL, store: s.Store}
}

func placeOrder(c *chime.Client, pt types.PhoneNumberProductType, nums ...string) (*chime.CreatePhoneNumberOrderOutput, error) {
	return c.CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{ProductType: pt, E164PhoneNumbers: nums})
}

// mustOrder places an order and checks the create response's shape: 201, Processing, every line Processing, in
// request order (normalized with a '+').
func mustOrder(tb testing.TB, c *chime.Client, pt types.PhoneNumberProductType, nums ...string) types.PhoneNumberOrder {
	tb.Helper()
	out, err := placeOrder(c, pt, nums...)
	if err != nil {
		tb.Fatalf("CreatePhoneNumberOrder %v: %v", nums, err)
	}
	checkMeta(tb, out.ResultMetadata, 201)
	o := *out.PhoneNumberOrder
	if !orderIDPattern.MatchString(aws.ToString(o.PhoneNumberOrderId)) {
		tb.Errorf("PhoneNumberOrderId = %q", aws.ToString(o.PhoneNumberOrderId))
	}
	if o.ProductType != pt || o.Status != types.PhoneNumberOrderStatusProcessing {
		tb.Errorf("created order: product %s status %s", o.ProductType, o.Status)
	}
	checkTime(tb, "CreatedTimestamp", o.CreatedTimestamp)
	if o.UpdatedTimestamp == nil || !o.UpdatedTimestamp.Equal(*o.CreatedTimestamp) {
		tb.Errorf("created order: UpdatedTimestamp %v, CreatedTimestamp %v", o.UpdatedTimestamp, o.CreatedTimestamp)
	}
	want := make([]string, len(nums))
	for i, n := range nums {
		want[i] = "+" + strings.TrimPrefix(n, "+") + ":Processing"
	}
	if got := lines(o); !slices.Equal(got, want) {
		tb.Errorf("created order lines %v, want %v", got, want)
	}
	return o
}

// lines returns "number:status" of each line of o.
func lines(o types.PhoneNumberOrder) []string {
	out := make([]string, len(o.OrderedPhoneNumbers))
	for i, l := range o.OrderedPhoneNumbers {
		out[i] = aws.ToString(l.E164PhoneNumber) + ":" + string(l.Status)
	}
	return out
}

func getOrder(tb testing.TB, c *chime.Client, id string) types.PhoneNumberOrder {
	tb.Helper()
	out, err := c.GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: aws.String(id)})
	if err != nil {
		tb.Fatalf("GetPhoneNumberOrder %s: %v", id, err)
	}
	checkMeta(tb, out.ResultMetadata, 200)
	return *out.PhoneNumberOrder
}

// wantOrder fails unless the order reads status with lines want ("number:status").
func wantOrder(tb testing.TB, o types.PhoneNumberOrder, status types.PhoneNumberOrderStatus, want ...string) {
	tb.Helper()
	if o.Status != status || !slices.Equal(lines(o), want) {
		tb.Errorf("order %s: %s %v, want %s %v", aws.ToString(o.PhoneNumberOrderId), o.Status, lines(o), status, want)
	}
}

func numberStatus(tb testing.TB, c *chime.Client, e164 string) (types.PhoneNumber, error) {
	tb.Helper()
	out, err := c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(e164)})
	if err != nil {
		return types.PhoneNumber{}, err
	}
	return *out.PhoneNumber, nil
}

func wantLimit(tb testing.TB, err error) {
	tb.Helper()
	var rl *types.ResourceLimitExceededException
	if !errors.As(err, &rl) || rl.Code != types.ErrorCodeResourceLimitExceeded {
		tb.Errorf("got %v, want ResourceLimitExceededException", err)
		return
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
		tb.Errorf("ResourceLimitExceeded: not a 400: %v", err)
	}
}

func firstAvailable(tb testing.TB, c *chime.Client, areaCode string, n int32) []string {
	tb.Helper()
	return search(tb, c, chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String(areaCode), MaxResults: aws.Int32(n)}).E164PhoneNumbers
}

func TestPhoneNumberOrderOutcomesE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)

	// Partial: two acquirable numbers (one toll-free) and one below the pool's start.
	o := mustOrder(t, c, vc, "+12065550100", "+18775550100", "+12065550099")
	id := *o.PhoneNumberOrderId
	got := getOrder(t, c, id)
	wantOrder(t, got, types.PhoneNumberOrderStatusPartial,
		"+12065550100:Acquired", "+18775550100:Acquired", "+12065550099:Failed")
	if !got.CreatedTimestamp.Equal(*o.CreatedTimestamp) || !got.UpdatedTimestamp.Equal(*o.CreatedTimestamp) {
		t.Errorf("with no delay: created %v updated %v, want both %v", got.CreatedTimestamp, got.UpdatedTimestamp, o.CreatedTimestamp)
	}
	for e164, typ := range map[string]types.PhoneNumberType{"+12065550100": types.PhoneNumberTypeLocal, "+18775550100": types.PhoneNumberTypeTollFree} {
		n, err := numberStatus(t, c, e164)
		if err != nil || n.Status != types.PhoneNumberStatusUnassigned || n.Type != typ || n.ProductType != vc ||
			aws.ToString(n.Country) != "US" {
			t.Errorf("%s: %+v %v", e164, n, err)
		}
	}
	_, err := numberStatus(t, c, "+12065550099")
	wantNotFound(t, err) // failed numbers get no record

	// Successful (a number without '+' is normalized), Failed (already acquired), foreign numbers for SMA.
	o = mustOrder(t, c, bc, "12065550101")
	wantOrder(t, getOrder(t, c, *o.PhoneNumberOrderId), types.PhoneNumberOrderStatusSuccessful, "+12065550101:Acquired")
	o = mustOrder(t, c, vc, "+12065550100", "+12065550101")
	wantOrder(t, getOrder(t, c, *o.PhoneNumberOrderId), types.PhoneNumberOrderStatusFailed,
		"+12065550100:Failed", "+12065550101:Failed")
	o = mustOrder(t, s.client(tenantB), sma, "+442079460000", "+12065550100")
	wantOrder(t, getOrder(t, s.client(tenantB), *o.PhoneNumberOrderId), types.PhoneNumberOrderStatusPartial,
		"+442079460000:Acquired", "+12065550100:Failed") // another AWS account's number fails too
	if n, err := numberStatus(t, s.client(tenantB), "+442079460000"); err != nil || aws.ToString(n.Country) != "GB" {
		t.Errorf("GB number: %+v %v", n, err)
	}
	_, err = numberStatus(t, s.client(tenantB), "+12065550100")
	wantNotFound(t, err)

	// The wire: 201 with the order's members.
	r := s.rawJSON(t, tenantA, "POST", "/phone-number-orders", map[string]any{"ProductType": "VoiceConnector",
		"E164PhoneNumbers": []string{"+12065550102"}})
	if r.Status != 201 || !strings.Contains(string(r.Body), `"Status":"Processing"`) ||
		!strings.Contains(string(r.Body), `"OrderedPhoneNumbers":[{"E164PhoneNumber":"+12065550102","Status":"Processing"}]`) {
		t.Errorf("raw create: %d %s", r.Status, r.Body)
	}

	// Search no longer offers ordered numbers, to anyone; not after deletion, not after a reset (D21).
	want := []string{"+12065550103", "+12065550104"}
	if got := firstAvailable(t, c, "206", 2); !slices.Equal(got, want) {
		t.Errorf("search after orders: %v, want %v", got, want)
	}
	if got := firstAvailable(t, s.client(tenantB), "206", 2); !slices.Equal(got, want) {
		t.Errorf("tenantB's search: %v, want %v", got, want)
	}
	if tf := search(t, c, chime.SearchAvailablePhoneNumbersInput{TollFreePrefix: aws.String("877"), MaxResults: aws.Int32(1)}); !slices.Equal(tf.E164PhoneNumbers, []string{"+18775550101"}) {
		t.Errorf("toll-free search: %v", tf.E164PhoneNumbers)
	}
	if _, err := c.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String("+12065550102")}); err != nil {
		t.Fatal(err)
	}
	if got := firstAvailable(t, c, "206", 2); !slices.Equal(got, want) {
		t.Errorf("search after delete: %v, want %v", got, want)
	}
	if r := s.raw(t, tenantA, "POST", "/_chimed/reset", nil); r.Status != 200 && r.Status != 204 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if got := firstAvailable(t, c, "206", 2); !slices.Equal(got, want) {
		t.Errorf("search after reset: %v, want %v", got, want)
	}
	o = mustOrder(t, c, vc, "+12065550100", "+12065550103")
	wantOrder(t, getOrder(t, c, *o.PhoneNumberOrderId), types.PhoneNumberOrderStatusPartial,
		"+12065550100:Failed", "+12065550103:Acquired")
	// The reset removed tenantA's orders (D48), not tenantB's.
	_, err = c.GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: aws.String(id)})
	wantNotFound(t, err)
	if l := listOrders(t, s.client(tenantB), 0); len(l) != 1 {
		t.Errorf("tenantB after A's reset: %d orders", len(l))
	}
}

func TestCreatePhoneNumberOrderRefusalsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	var many []string
	for i := range 101 {
		many = append(many, fmt.Sprintf("+1206555%04d", 1000+i))
	}
	for name, x := range map[string]struct {
		pt   types.PhoneNumberProductType
		nums []string
	}{
		"invalid product type":     {"Nope", []string{"+12065550100"}},
		"lowercase product type":   {"voiceconnector", []string{"+12065550100"}},
		"empty list":               {vc, []string{}},
		"101 numbers":              {vc, many},
		"malformed letters":        {vc, []string{"+12065550100", "+1206555010a"}},
		"malformed leading zero":   {vc, []string{"+02065550100"}},
		"malformed too long":       {vc, []string{"+1206555010012345"}},
		"malformed too short":      {vc, []string{"+1"}},
		"malformed plus only":      {vc, []string{"+"}},
		"malformed empty":          {vc, []string{""}},
		"malformed spaces":         {vc, []string{"+1 206 555 0100"}},
		"duplicate":                {vc, []string{"+12065550100", "+12065550101", "+12065550100"}},
		"duplicate after +":        {vc, []string{"+12065550100", "12065550100"}},
		"toll-free BusinessCall":   {bc, []string{"+12065550100", "+18885550100"}},
		"toll-free 800 BC":         {bc, []string{"+18005550100"}},
		"non-US VoiceConnector":    {vc, []string{"+12065550100", "+442079460000"}},
		"non-US BusinessCalling":   {bc, []string{"+442079460000"}},
		"non-+1 number, VC, no +1": {vc, []string{"+33199000000"}},
	} {
		_, err := placeOrder(c, x.pt, x.nums...)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantBadRequest(t, err)
	}
	// Missing members are refused by the SDK itself (Go enforces required): sent raw.
	for _, body := range []string{`{}`, `{"ProductType":"VoiceConnector"}`, `{"E164PhoneNumbers":["+12065550100"]}`,
		`{"ProductType":"VoiceConnector","E164PhoneNumbers":null}`, `{"ProductType":"VoiceConnector","E164PhoneNumbers":"+12065550100"}`,
		`{"ProductType":5,"E164PhoneNumbers":["+12065550100"]}`, `{"ProductType":"VoiceConnector","E164PhoneNumbers":[5]}`,
		`{"ProductType":"VoiceConnector","E164PhoneNumbers":[null]}`, `{"ProductType":"VoiceConnector","E164PhoneNumbers":["+12065550100"]`} {
		r := s.raw(t, tenantA, "POST", "/phone-number-orders", []byte(body))
		wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	}
	// Nothing was ordered or reserved by the refused requests.
	if got := firstAvailable(t, c, "206", 1); !slices.Equal(got, []string{"+12065550100"}) {
		t.Errorf("search after refusals: %v", got)
	}
	if l := listOrders(t, c, 0); len(l) != 0 {
		t.Errorf("refusals left %d orders", len(l))
	}
	// 100 numbers is the maximum; toll-free for VoiceConnector and foreign numbers for SMA are fine.
	o := mustOrder(t, c, vc, many[:100]...)
	if got := getOrder(t, c, *o.PhoneNumberOrderId); got.Status != types.PhoneNumberOrderStatusSuccessful || len(got.OrderedPhoneNumbers) != 100 {
		t.Errorf("100 numbers: %s, %d lines", got.Status, len(got.OrderedPhoneNumbers))
	}
	mustOrder(t, c, vc, "+18885550100")
	mustOrder(t, c, sma, "+33199000000", "+18005550100")
}

func TestPhoneNumberOrderLimitE2E(t *testing.T) {
	t.Parallel()
	s := newOrderServer(t, chimed.ServiceOptions{NumberLimit: 3})
	c := s.client(tenantA)
	mustOrder(t, c, vc, "+12065550100", "+12065550101")
	_, err := placeOrder(c, vc, "+12065550102", "+12065550103")
	wantLimit(t, err)
	// Every requested number counts, even one that will fail.
	_, err = placeOrder(c, vc, "+12065550102", "+12065550099")
	wantLimit(t, err)
	// A malformed request is a 400 first (D47: limits come last).
	_, err = placeOrder(c, vc, "+12065550102", "+12065550102")
	wantBadRequest(t, err)
	mustOrder(t, c, vc, "+12065550102") // exactly at the limit
	_, err = placeOrder(c, vc, "+12065550103")
	wantLimit(t, err)
	// The refused orders reserved nothing.
	if got := firstAvailable(t, c, "206", 1); !slices.Equal(got, []string{"+12065550103"}) {
		t.Errorf("search: %v", got)
	}
	// The deletion queue does not count (D24).
	if _, err := c.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String("%2B12065550100")}); err != nil {
		t.Fatal(err)
	}
	mustOrder(t, c, vc, "+12065550103")
	_, err = placeOrder(c, vc, "+12065550104")
	wantLimit(t, err)
	// The limit is per AWS account.
	mustOrder(t, s.client(tenantB), vc, "+12065550104", "+12065550105", "+12065550106")
}

func TestPhoneNumberOrderDelayE2E(t *testing.T) {
	t.Parallel()
	const delay = time.Hour
	s := newOrderServer(t, chimed.ServiceOptions{OrderDelay: delay, NumberLimit: 2})
	c := s.client(tenantA)
	putClock(t, s, 0)
	o := mustOrder(t, c, vc, "+12065550100", "+12065550099")
	id, t0 := *o.PhoneNumberOrderId, *o.CreatedTimestamp

	pending := func(when string) {
		t.Helper()
		got := getOrder(t, c, id)
		wantOrder(t, got, types.PhoneNumberOrderStatusProcessing, "+12065550100:Processing", "+12065550099:Processing")
		if !got.UpdatedTimestamp.Equal(t0) {
			t.Errorf("%s: UpdatedTimestamp %v, want %v", when, got.UpdatedTimestamp, t0)
		}
		n, err := numberStatus(t, c, "+12065550100")
		if err != nil || n.Status != types.PhoneNumberStatusAcquireInProgress {
			t.Errorf("%s: number %s %v", when, n.Status, err)
		}
		if l := listOrders(t, c, 0); len(l) != 1 || l[0].Status != types.PhoneNumberOrderStatusProcessing {
			t.Errorf("%s: listed %+v", when, l)
		}
	}
	pending("at once")
	// A pending number is acquired: not offered, not acquirable by another account, counted by the limit.
	if got := firstAvailable(t, c, "206", 1); !slices.Equal(got, []string{"+12065550101"}) {
		t.Errorf("search while pending: %v", got)
	}
	ob := mustOrder(t, s.client(tenantB), vc, "+12065550100")
	_, err := placeOrder(c, vc, "+12065550101", "+12065550102")
	wantLimit(t, err)
	putClock(t, s, int64((delay - 10*time.Second).Seconds()))
	pending("10 s before")

	putClock(t, s, int64(delay.Seconds()))
	got := getOrder(t, c, id)
	wantOrder(t, got, types.PhoneNumberOrderStatusPartial, "+12065550100:Acquired", "+12065550099:Failed")
	if !got.CreatedTimestamp.Equal(t0) || !got.UpdatedTimestamp.Equal(t0.Add(delay)) {
		t.Errorf("completed: created %v updated %v, want %v and %v", got.CreatedTimestamp, got.UpdatedTimestamp, t0, t0.Add(delay))
	}
	n, err := numberStatus(t, c, "+12065550100")
	if err != nil || n.Status != types.PhoneNumberStatusUnassigned || !n.CreatedTimestamp.Equal(t0) ||
		!n.UpdatedTimestamp.Equal(t0.Add(delay)) {
		t.Errorf("completed number: %s created %v updated %v (%v)", n.Status, n.CreatedTimestamp, n.UpdatedTimestamp, err)
	}
	if l := listOrders(t, c, 0); len(l) != 1 || l[0].Status != types.PhoneNumberOrderStatusPartial {
		t.Errorf("listed after completion: %+v", l)
	}
	wantOrder(t, getOrder(t, s.client(tenantB), *ob.PhoneNumberOrderId), types.PhoneNumberOrderStatusFailed,
		"+12065550100:Failed")
}

func TestGetPhoneNumberOrderErrorsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	id := *mustOrder(t, c, vc, "+12065550100").PhoneNumberOrderId
	for _, x := range []struct {
		id       string
		notFound bool
	}{
		{"6a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", true}, // unknown
		{"x" + id, true}, // the model's pattern is unanchored: a GUID in it passes
		{"abc", false},
		{"6a1b2c3d-4e5f-4a6b-8c7d", false},
		{strings.ReplaceAll(id, "-", ""), false},
	} {
		_, err := c.GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: aws.String(x.id)})
		if x.notFound {
			wantNotFound(t, err)
		} else {
			wantBadRequest(t, err)
		}
	}
	_, err := s.client(tenantB).GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: aws.String(id)})
	wantNotFound(t, err) // another AWS account's order
	wantRawErr(t, s.raw(t, tenantA, "GET", "/phone-number-orders/not-a-guid", nil), 400, "BadRequestException", "BadRequest")
	r := s.raw(t, tenantA, "GET", "/phone-number-orders/"+id, nil)
	if r.Status != 200 || !strings.HasPrefix(string(r.Body), `{"PhoneNumberOrder":{`) ||
		!wireTimestamp.MatchString(jsonField(string(r.Body), "CreatedTimestamp")) {
		t.Errorf("raw get: %d %s", r.Status, r.Body)
	}
}

// jsonField extracts the string value of "name":"…" from body (first occurrence).
func jsonField(body, name string) string {
	_, rest, ok := strings.Cut(body, `"`+name+`":"`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

// listOrders returns every order through the SDK paginator with pages of size (0: the default).
func listOrders(tb testing.TB, c *chime.Client, size int32) []types.PhoneNumberOrder {
	tb.Helper()
	in := &chime.ListPhoneNumberOrdersInput{}
	if size > 0 {
		in.MaxResults = aws.Int32(size)
	}
	var all []types.PhoneNumberOrder
	p := chime.NewListPhoneNumberOrdersPaginator(c, in)
	for i := 0; p.HasMorePages(); i++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			tb.Fatalf("ListPhoneNumberOrders page %d: %v", i+1, err)
		}
		checkMeta(tb, page.ResultMetadata, 200)
		if size > 0 && len(page.PhoneNumberOrders) > int(size) {
			tb.Fatalf("page of %d orders, max %d", len(page.PhoneNumberOrders), size)
		}
		all = append(all, page.PhoneNumberOrders...)
		if i > 200 {
			tb.Fatal("endless pages")
		}
	}
	return all
}

func orderIDs(l []types.PhoneNumberOrder) []string {
	ids := make([]string, len(l))
	for i, o := range l {
		ids[i] = aws.ToString(o.PhoneNumberOrderId)
	}
	return ids
}

func TestListPhoneNumberOrdersE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	r := s.raw(t, tenantA, "GET", "/phone-number-orders", nil)
	if r.Status != 200 || string(r.Body) != `{"PhoneNumberOrders":[]}` {
		t.Errorf("no orders: %d %s", r.Status, r.Body)
	}
	var created []types.PhoneNumberOrder
	for i := range 5 {
		created = append(created, mustOrder(t, c, vc, fmt.Sprintf("+1206555%04d", 100+i), "+12065550099"))
	}
	bOrder := mustOrder(t, s.client(tenantB), vc, "+13125550100")
	// The §2.4 order: CreatedTimestamp, then PhoneNumberOrderId.
	slices.SortStableFunc(created, func(a, b types.PhoneNumberOrder) int {
		if c := a.CreatedTimestamp.Compare(*b.CreatedTimestamp); c != 0 {
			return c
		}
		return strings.Compare(*a.PhoneNumberOrderId, *b.PhoneNumberOrderId)
	})
	want := orderIDs(created)
	for _, size := range []int32{0, 1, 2, 5, 99} {
		got := listOrders(t, c, size)
		if !slices.Equal(orderIDs(got), want) {
			t.Errorf("pages of %d: %v, want %v", size, orderIDs(got), want)
			continue
		}
		for _, o := range got {
			if o.Status != types.PhoneNumberOrderStatusPartial || len(o.OrderedPhoneNumbers) != 2 ||
				o.OrderedPhoneNumbers[1].Status != types.OrderedPhoneNumberStatusFailed {
				t.Errorf("listed order: %s %v", o.Status, lines(o))
			}
		}
	}
	// Page sizes: 2, 2, 1, NextToken absent on the last.
	first, err := c.ListPhoneNumberOrders(ctx, &chime.ListPhoneNumberOrdersInput{MaxResults: aws.Int32(2)})
	if err != nil || len(first.PhoneNumberOrders) != 2 || aws.ToString(first.NextToken) == "" {
		t.Fatalf("first page: %+v %v", first, err)
	}
	last, err := c.ListPhoneNumberOrders(ctx, &chime.ListPhoneNumberOrdersInput{MaxResults: aws.Int32(5)})
	if err != nil || len(last.PhoneNumberOrders) != 5 || last.NextToken != nil {
		t.Errorf("exact page: %d orders, NextToken %v, %v", len(last.PhoneNumberOrders), last.NextToken, err)
	}
	// Tenancy: tenantB sees its own order only; a new AWS account sees nothing.
	if got := orderIDs(listOrders(t, s.client(tenantB), 0)); !slices.Equal(got, []string{*bOrder.PhoneNumberOrderId}) {
		t.Errorf("tenantB: %v", got)
	}
	if got := listOrders(t, s.client("999988887777"), 1); len(got) != 0 {
		t.Errorf("new AWS account: %v", orderIDs(got))
	}
	// Bounds and tokens → 400.
	tok := first.NextToken
	for name, in := range map[string]chime.ListPhoneNumberOrdersInput{
		"max 0":          {MaxResults: aws.Int32(0)},
		"max 100":        {MaxResults: aws.Int32(100)},
		"max -1":         {MaxResults: aws.Int32(-1)},
		"garbage token":  {NextToken: aws.String("garbage")},
		"altered token":  {NextToken: aws.String(strings.ToUpper(*tok))},
		"truncated":      {NextToken: aws.String((*tok)[:len(*tok)-2])},
		"prefixed token": {NextToken: aws.String("x" + *tok)},
	} {
		_, err := c.ListPhoneNumberOrders(ctx, &in)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantBadRequest(t, err)
	}
	_, err = s.client(tenantB).ListPhoneNumberOrders(ctx, &chime.ListPhoneNumberOrdersInput{NextToken: tok, MaxResults: aws.Int32(2)})
	wantBadRequest(t, err) // another caller's token
	for _, q := range []string{"max-results=abc", "max-results=", "max-results=1.5"} {
		wantRawErr(t, s.raw(t, tenantA, "GET", "/phone-number-orders?"+q, nil), 400, "BadRequestException", "BadRequest")
	}
	// A token still works after more orders arrive: the rest of the listing, new ones at the end.
	extra := mustOrder(t, c, vc, "+12065550200")
	rest, err := c.ListPhoneNumberOrders(ctx, &chime.ListPhoneNumberOrdersInput{NextToken: tok})
	if err != nil || !slices.Equal(orderIDs(rest.PhoneNumberOrders), append(slices.Clone(want[2:]), *extra.PhoneNumberOrderId)) {
		t.Errorf("rest after new order: %v %v", orderIDs(rest.PhoneNumberOrders), err)
	}
}

// TestPhoneNumberOrderRaceE2E: concurrent orders for the same number, from one AWS account and from several,
// and in opposite orders across accounts: exactly one line acquires each number, and no request fails.
func TestPhoneNumberOrderRaceE2E(t *testing.T) {
	t.Parallel()
	s, _ := setup(t)
	const n = 8
	run := func(name string, keyOf func(i int) string, numsOf func(i int) []string, want map[string]int) {
		t.Helper()
		var wg sync.WaitGroup
		orders := make([]types.PhoneNumberOrder, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				out, err := placeOrder(s.client(keyOf(i)), vc, numsOf(i)...)
				if errs[i] = err; err == nil {
					orders[i] = *out.PhoneNumberOrder
				}
			}()
		}
		close(start)
		wg.Wait()
		acquired := map[string]int{}
		for i := range n {
			if errs[i] != nil {
				t.Errorf("%s: order %d: %v", name, i, errs[i])
				continue
			}
			o := getOrder(t, s.client(keyOf(i)), *orders[i].PhoneNumberOrderId)
			for _, l := range o.OrderedPhoneNumbers {
				if l.Status == types.OrderedPhoneNumberStatusAcquired {
					acquired[*l.E164PhoneNumber]++
				}
			}
		}
		for e164, k := range want {
			if acquired[e164] != k {
				t.Errorf("%s: %s acquired %d times, want %d", name, e164, acquired[e164], k)
			}
		}
	}
	tenant := func(i int) string { return fmt.Sprintf("%012d", 210000000000+i) }
	run("one account", func(int) string { return tenantA }, func(int) []string { return []string{"+12065550300"} },
		map[string]int{"+12065550300": 1})
	run("accounts", tenant, func(int) []string { return []string{"+12065550301"} }, map[string]int{"+12065550301": 1})
	run("opposite orders", tenant, func(i int) []string {
		if i%2 == 0 {
			return []string{"+12065550302", "+12065550303", fmt.Sprintf("+1312555%04d", 100+i)}
		}
		return []string{"+12065550303", "+12065550302", fmt.Sprintf("+1312555%04d", 100+i)}
	}, map[string]int{"+12065550302": 1, "+12065550303": 1, "+13125550100": 1, "+13125550107": 1})
}

// TestPhoneNumberOrderLimitRaceE2E: concurrent orders of one AWS account that together exceed its limit: only as
// many succeed as fit, and the inventory never exceeds the limit.
func TestPhoneNumberOrderLimitRaceE2E(t *testing.T) {
	t.Parallel()
	s := newOrderServer(t, chimed.ServiceOptions{NumberLimit: 3})
	c := s.client(tenantA)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = placeOrder(c, vc, fmt.Sprintf("+1206555%04d", 100+2*i), fmt.Sprintf("+1206555%04d", 101+2*i))
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else {
			wantLimit(t, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d orders of 2 numbers succeeded with a limit of 3, want 1", ok, n)
	}
	out, err := c.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{})
	if err != nil || len(out.PhoneNumbers) != 2 {
		t.Errorf("inventory: %d numbers (%v), want 2", len(out.PhoneNumbers), err)
	}
}
