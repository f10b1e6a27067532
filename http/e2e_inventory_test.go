package http_test

import (
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// The phone number inventory, end to end through aws-sdk-go-v2: GetPhoneNumber and ListPhoneNumbers
// (docs/behavior.md §3.5, §4.28, D20, D41) here; updates, deletion, restore and purge in
// e2e_inventory_changes_test.go. Numbers enter the inventory through CreatePhoneNumberOrder; scheduled transitions
// are moved with PUT /_chimed/clock.

// invServer starts a server with clock control and the phone number options of o.
func invServer(tb testing.TB, o chimed.ServiceOptions) *testServer {
	tb.Helper()
	s := testenv.NewServer(tb, testenv.Config{DSN: testDSN(tb), AllowClockControl: true, Service: o})
	return &testServer{URL: s.URL, store: s.Store}
}

// invOrder orders numbers and fails unless the order was accepted.
func invOrder(tb testing.TB, c *chime.Client, pt types.PhoneNumberProductType, nums ...string) {
	tb.Helper()
	out, err := c.CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{ProductType: pt, E164PhoneNumbers: nums})
	if err != nil {
		tb.Fatalf("CreatePhoneNumberOrder %s %v: %v", pt, nums, err)
	}
	checkMeta(tb, out.ResultMetadata, 201)
}

// invGet returns a number of the inventory.
func invGet(tb testing.TB, c *chime.Client, id string) types.PhoneNumber {
	tb.Helper()
	out, err := c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(id)})
	if err != nil {
		tb.Fatalf("GetPhoneNumber %s: %v", id, err)
	}
	checkMeta(tb, out.ResultMetadata, 200)
	return *out.PhoneNumber
}

// invRawGet returns the JSON object of GET /phone-numbers/{path}, decoded independently of the server code.
func invRawGet(tb testing.TB, s *testServer, keyID, path string) map[string]any {
	tb.Helper()
	r := s.raw(tb, keyID, "GET", "/phone-numbers/"+path, nil)
	if r.Status != 200 {
		tb.Fatalf("GET /phone-numbers/%s: %d %s", path, r.Status, r.Body)
	}
	var out struct{ PhoneNumber map[string]any }
	if err := json.Unmarshal(r.Body, &out); err != nil || out.PhoneNumber == nil {
		tb.Fatalf("GET /phone-numbers/%s: %s (%v)", path, r.Body, err)
	}
	return out.PhoneNumber
}

// invList returns every number of a listing, walked with the SDK paginator.
func invList(tb testing.TB, c *chime.Client, in chime.ListPhoneNumbersInput) []types.PhoneNumber {
	tb.Helper()
	var all []types.PhoneNumber
	p := chime.NewListPhoneNumbersPaginator(c, &in)
	for i := 0; p.HasMorePages(); i++ {
		page, err := p.NextPage(ctx)
		if err != nil {
			tb.Fatalf("ListPhoneNumbers: %v", err)
		}
		checkMeta(tb, page.ResultMetadata, 200)
		all = append(all, page.PhoneNumbers...)
		if i > 100 {
			tb.Fatal("ListPhoneNumbers: endless pages")
		}
	}
	return all
}

// invE164s lists the numbers of list.
func invE164s(list []types.PhoneNumber) []string {
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = aws.ToString(n.E164PhoneNumber)
	}
	return out
}

// invWantList fails unless the listing in selects exactly want (in this order).
func invWantList(tb testing.TB, c *chime.Client, what string, in chime.ListPhoneNumbersInput, want ...string) {
	tb.Helper()
	if got := invE164s(invList(tb, c, in)); !slices.Equal(got, want) {
		tb.Errorf("%s: %v, want %v", what, got, want)
	}
}

// invMustUser creates a Team account with one invited user and returns both ids.
func invMustUser(tb testing.TB, c *chime.Client, name, email string) (accountID, userID string) {
	tb.Helper()
	a := MustCreateAccount(tb, c, name)
	return *a.AccountId, MustTeamUser(tb, c, *a.AccountId, email)
}

func invAssociate(tb testing.TB, c *chime.Client, accountID, userID, e164 string) {
	tb.Helper()
	if _, err := c.AssociatePhoneNumberWithUser(ctx, &chime.AssociatePhoneNumberWithUserInput{AccountId: &accountID,
		UserId: &userID, E164PhoneNumber: &e164}); err != nil {
		tb.Fatalf("AssociatePhoneNumberWithUser %s: %v", e164, err)
	}
}

func invWantLimit(tb testing.TB, err error) {
	tb.Helper()
	var le *types.ResourceLimitExceededException
	if !errors.As(err, &le) || le.Code != types.ErrorCodeResourceLimitExceeded {
		tb.Errorf("got %T %v, want ResourceLimitExceededException", err, err)
	}
}

func TestPhoneNumberShapeE2E(t *testing.T) {
	t.Parallel()
	s := invServer(t, chimed.ServiceOptions{})
	c := s.client(tenantA)
	before := putClock(t, s, 0).now(t)
	invOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, "+12065550100", "+12065550101")
	invOrder(t, c, types.PhoneNumberProductTypeVoiceConnector, "+18005550100")
	invOrder(t, c, types.PhoneNumberProductTypeSipMediaApplicationDialIn, "+442079460000")
	after := putClock(t, s, 0).now(t)

	for _, x := range []struct {
		e164, country string
		typ           types.PhoneNumberType
		pt            types.PhoneNumberProductType
	}{
		{"+12065550100", "US", types.PhoneNumberTypeLocal, types.PhoneNumberProductTypeBusinessCalling},
		{"+18005550100", "US", types.PhoneNumberTypeTollFree, types.PhoneNumberProductTypeVoiceConnector},
		{"+442079460000", "GB", types.PhoneNumberTypeLocal, types.PhoneNumberProductTypeSipMediaApplicationDialIn},
	} {
		n := invGet(t, c, x.e164)
		id := "%2B" + x.e164[1:]
		if aws.ToString(n.PhoneNumberId) != id || aws.ToString(n.E164PhoneNumber) != x.e164 ||
			aws.ToString(n.Country) != x.country || n.Type != x.typ || n.ProductType != x.pt ||
			n.Status != types.PhoneNumberStatusUnassigned || n.CallingNameStatus != types.CallingNameStatusUnassigned ||
			n.CallingName != nil || n.DeletionTimestamp != nil || len(n.Associations) != 0 {
			t.Errorf("%s: %+v", x.e164, n)
		}
		us := x.country == "US"
		cp := n.Capabilities
		if cp == nil || !aws.ToBool(cp.InboundCall) || !aws.ToBool(cp.OutboundCall) ||
			aws.ToBool(cp.InboundSMS) != us || aws.ToBool(cp.OutboundSMS) != us ||
			aws.ToBool(cp.InboundMMS) != us || aws.ToBool(cp.OutboundMMS) != us {
			t.Errorf("%s: capabilities %+v", x.e164, cp)
		}
		checkTime(t, "CreatedTimestamp", n.CreatedTimestamp)
		within(t, "CreatedTimestamp", *n.CreatedTimestamp, before, after)
		if n.UpdatedTimestamp == nil || !n.UpdatedTimestamp.Equal(*n.CreatedTimestamp) {
			t.Errorf("%s: UpdatedTimestamp %v, CreatedTimestamp %v", x.e164, n.UpdatedTimestamp, n.CreatedTimestamp)
		}

		// The wire: exactly §3.5's members, Associations [] present, every capability explicit.
		w := invRawGet(t, s, tenantA, "%2B"+x.e164[1:])
		var keys []string
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		want := []string{"Associations", "CallingNameStatus", "Capabilities", "Country", "CreatedTimestamp",
			"E164PhoneNumber", "PhoneNumberId", "ProductType", "Status", "Type", "UpdatedTimestamp"}
		if !slices.Equal(keys, want) {
			t.Errorf("%s: members %v, want %v", x.e164, keys, want)
		}
		if as, ok := w["Associations"].([]any); !ok || len(as) != 0 {
			t.Errorf("%s: Associations %#v, want []", x.e164, w["Associations"])
		}
		if cw, _ := w["Capabilities"].(map[string]any); len(cw) != 6 || cw["InboundSMS"] != us || cw["InboundCall"] != true {
			t.Errorf("%s: Capabilities %v", x.e164, w["Capabilities"])
		}
		if w["PhoneNumberId"] != id || !wireTimestamp.MatchString(w["CreatedTimestamp"].(string)) {
			t.Errorf("%s: %v", x.e164, w)
		}
	}

	// Associated with a user: Assigned, the AccountId+UserId pair with one timestamp.
	acct, user := invMustUser(t, c, "shape", "shape@example.com")
	t1 := putClock(t, s, 0).now(t)
	invAssociate(t, c, acct, user, "+12065550100")
	t2 := putClock(t, s, 0).now(t)
	n := invGet(t, c, "+12065550100")
	if n.Status != types.PhoneNumberStatusAssigned || len(n.Associations) != 2 {
		t.Fatalf("assigned: %+v", n)
	}
	a0, a1 := n.Associations[0], n.Associations[1]
	if a0.Name != types.PhoneNumberAssociationNameAccountId || aws.ToString(a0.Value) != acct ||
		a1.Name != types.PhoneNumberAssociationNameUserId || aws.ToString(a1.Value) != user ||
		a0.AssociatedTimestamp == nil || a1.AssociatedTimestamp == nil || !a0.AssociatedTimestamp.Equal(*a1.AssociatedTimestamp) {
		t.Errorf("associations %+v", n.Associations)
	} else {
		within(t, "AssociatedTimestamp", *a0.AssociatedTimestamp, t1, t2)
		within(t, "UpdatedTimestamp", *n.UpdatedTimestamp, t1, t2)
	}
}

func TestPhoneNumberIDFormsE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	invOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, "+12065550100")
	// The SDK sends "+1206…" as %2B1206…; the returned "%2B…" goes back as %252B…; %2b and bare digits (D20).
	for _, id := range []string{"+12065550100", "%2B12065550100", "%2b12065550100", "12065550100"} {
		if n := invGet(t, c, id); aws.ToString(n.PhoneNumberId) != "%2B12065550100" {
			t.Errorf("%s: PhoneNumberId %q", id, aws.ToString(n.PhoneNumberId))
		}
	}
	got := invGet(t, c, "+12065550100")
	if again := invGet(t, c, aws.ToString(got.PhoneNumberId)); aws.ToString(again.E164PhoneNumber) != "+12065550100" {
		t.Errorf("returned ID passed back: %+v", again)
	}
	for _, p := range []string{"%2B12065550100", "12065550100", "%252B12065550100", "%252b12065550100"} {
		if w := invRawGet(t, s, tenantA, p); w["E164PhoneNumber"] != "+12065550100" {
			t.Errorf("raw %s: %v", p, w)
		}
	}
	// Anything else, a number never ordered, another AWS account → 404.
	for _, id := range []string{"abc", "+", "%2B", "%2C12065550100", "+012065550100", "++12065550100",
		"+1206555010a", " 12065550100", "+1234567890123456", "%2B%2B12065550100", "+12065550101", "12065550199"} {
		_, err := c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(id)})
		wantNotFound(t, err)
	}
	b := s.client(tenantB)
	for _, id := range []string{"+12065550100", "%2B12065550100", "12065550100"} {
		_, err := b.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(id)})
		wantNotFound(t, err)
	}
	invWantList(t, b, "tenantB's inventory", chime.ListPhoneNumbersInput{})
	r := s.raw(t, tenantB, "GET", "/phone-numbers", nil)
	if r.Status != 200 || string(r.Body) != `{"PhoneNumbers":[]}` {
		t.Errorf("empty listing: %d %s", r.Status, r.Body)
	}
}

func TestListPhoneNumbersFiltersE2E(t *testing.T) {
	t.Parallel()
	s := invServer(t, chimed.ServiceOptions{OrderDelay: time.Hour})
	c := s.client(tenantA)
	invOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, "+12065550100", "+12065550101", "+12065550102")
	invOrder(t, c, types.PhoneNumberProductTypeVoiceConnector, "+18005550100")
	all := []string{"+12065550100", "+12065550101", "+12065550102", "+18005550100"}
	status := func(st types.PhoneNumberStatus) chime.ListPhoneNumbersInput {
		return chime.ListPhoneNumbersInput{Status: st}
	}

	// Within the order delay: AcquireInProgress, not Unassigned.
	invWantList(t, c, "all while acquiring", chime.ListPhoneNumbersInput{}, all...)
	invWantList(t, c, "AcquireInProgress", status(types.PhoneNumberStatusAcquireInProgress), all...)
	invWantList(t, c, "Unassigned while acquiring", status(types.PhoneNumberStatusUnassigned))
	n := invGet(t, c, "+12065550100")
	if n.Status != types.PhoneNumberStatusAcquireInProgress || !n.UpdatedTimestamp.Equal(*n.CreatedTimestamp) {
		t.Errorf("while acquiring: %+v", n)
	}
	created := *n.CreatedTimestamp

	// The delay passes (server clock): Unassigned, updated at the order's time + the delay.
	putClock(t, s, 3600)
	invWantList(t, c, "Unassigned", status(types.PhoneNumberStatusUnassigned), all...)
	invWantList(t, c, "AcquireInProgress after the delay", status(types.PhoneNumberStatusAcquireInProgress))
	n = invGet(t, c, "+12065550100")
	if n.Status != types.PhoneNumberStatusUnassigned || !n.CreatedTimestamp.Equal(created) ||
		!n.UpdatedTimestamp.Equal(created.Add(time.Hour)) {
		t.Errorf("after the delay: status %s created %v updated %v", n.Status, n.CreatedTimestamp, n.UpdatedTimestamp)
	}
	invOrder(t, c, types.PhoneNumberProductTypeSipMediaApplicationDialIn, "+442079460000")
	invWantList(t, c, "a new order", status(types.PhoneNumberStatusAcquireInProgress), "+442079460000")
	invWantList(t, c, "the earlier ones", status(types.PhoneNumberStatusUnassigned), all...)

	// Product type, and filters combined with AND.
	invWantList(t, c, "BusinessCalling", chime.ListPhoneNumbersInput{ProductType: types.PhoneNumberProductTypeBusinessCalling}, all[:3]...)
	invWantList(t, c, "VoiceConnector", chime.ListPhoneNumbersInput{ProductType: types.PhoneNumberProductTypeVoiceConnector}, "+18005550100")
	invWantList(t, c, "SMA", chime.ListPhoneNumbersInput{ProductType: types.PhoneNumberProductTypeSipMediaApplicationDialIn}, "+442079460000")
	invWantList(t, c, "SMA and Unassigned", chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusUnassigned,
		ProductType: types.PhoneNumberProductTypeSipMediaApplicationDialIn})
	for _, st := range []types.PhoneNumberStatus{"AcquireFailed", "ReleaseInProgress", "ReleaseFailed", "DeleteFailed",
		"DeleteInProgress", "Assigned"} {
		invWantList(t, c, string(st), status(st))
	}

	// AccountId / UserId: the numbers of users of that account, of that user.
	acct, user := invMustUser(t, c, "filters", "f1@example.com")
	other, otherUser := invMustUser(t, c, "others", "f2@example.com")
	invAssociate(t, c, acct, user, "+12065550101")
	byName := func(name types.PhoneNumberAssociationName, v string) chime.ListPhoneNumbersInput {
		return chime.ListPhoneNumbersInput{FilterName: name, FilterValue: aws.String(v)}
	}
	invWantList(t, c, "AccountId", byName(types.PhoneNumberAssociationNameAccountId, acct), "+12065550101")
	invWantList(t, c, "UserId", byName(types.PhoneNumberAssociationNameUserId, user), "+12065550101")
	invWantList(t, c, "Assigned", status(types.PhoneNumberStatusAssigned), "+12065550101")
	invWantList(t, c, "Unassigned", status(types.PhoneNumberStatusUnassigned), "+12065550100", "+12065550102", "+18005550100")
	invWantList(t, c, "AccountId and Assigned", chime.ListPhoneNumbersInput{FilterName: "AccountId",
		FilterValue: &acct, Status: types.PhoneNumberStatusAssigned}, "+12065550101")
	invWantList(t, c, "AccountId and Unassigned", chime.ListPhoneNumbersInput{FilterName: "AccountId",
		FilterValue: &acct, Status: types.PhoneNumberStatusUnassigned})
	invWantList(t, c, "AccountId and VoiceConnector", chime.ListPhoneNumbersInput{FilterName: "AccountId",
		FilterValue: &acct, ProductType: types.PhoneNumberProductTypeVoiceConnector})
	invWantList(t, c, "another account", byName(types.PhoneNumberAssociationNameAccountId, other))
	invWantList(t, c, "another user", byName(types.PhoneNumberAssociationNameUserId, otherUser))
	invWantList(t, c, "unknown account", byName(types.PhoneNumberAssociationNameAccountId, "00000000-0000-0000-0000-000000000000"))
	invWantList(t, c, "user id as account id", byName(types.PhoneNumberAssociationNameAccountId, user))
	for _, name := range []types.PhoneNumberAssociationName{"VoiceConnectorId", "VoiceConnectorGroupId", "SipRuleId"} {
		invWantList(t, c, string(name), byName(name, acct))
	}
	invWantList(t, s.client(tenantB), "tenantB by account", byName(types.PhoneNumberAssociationNameAccountId, acct))

	// filter-name and filter-value come together; enums are the model's → else 400.
	for name, in := range map[string]chime.ListPhoneNumbersInput{
		"name without value": {FilterName: types.PhoneNumberAssociationNameAccountId},
		"value without name": {FilterValue: aws.String(acct)},
		"unknown name":       {FilterName: "AccountID", FilterValue: aws.String(acct)},
		"unknown status":     {Status: "Deleted"},
		"unknown product":    {ProductType: "Nope"},
	} {
		_, err := c.ListPhoneNumbers(ctx, &in)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantBadRequest(t, err)
	}
	for _, q := range []string{"filter-name=UserId", "filter-value=x", "filter-name=&filter-value=x",
		"status=unassigned", "product-type=", "max-results=", "max-results=1.5"} {
		wantRawErr(t, s.raw(t, tenantA, "GET", "/phone-numbers?"+q, nil), 400, "BadRequestException", "BadRequest")
	}
	r := s.raw(t, tenantA, "GET", "/phone-numbers?filter-name=UserId&filter-value="+user, nil)
	if r.Status != 200 || !json.Valid(r.Body) || string(r.Body[:31]) != `{"PhoneNumbers":[{"PhoneNumberI` {
		t.Errorf("raw filter: %d %s", r.Status, r.Body)
	}
}

func TestListPhoneNumbersPaginationE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	// 100 numbers in one order, plus numbers of other countries and types: byte order of E164PhoneNumber.
	us := numbers("+1312555", 4, 100, 199)
	invOrder(t, c, types.PhoneNumberProductTypeVoiceConnector, us...)
	invOrder(t, c, types.PhoneNumberProductTypeSipMediaApplicationDialIn, "+611800160400", "+61255500000",
		"+442079460000", "+33199000000")
	invOrder(t, c, types.PhoneNumberProductTypeVoiceConnector, "+18005550100")
	want := append(append([]string{}, us...), "+18005550100", "+33199000000", "+442079460000", "+611800160400", "+61255500000")

	// The default page is 99.
	first, err := c.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.PhoneNumbers) != 99 || aws.ToString(first.NextToken) == "" || !slices.Equal(invE164s(first.PhoneNumbers), want[:99]) {
		t.Fatalf("default page: %d numbers, token %v", len(first.PhoneNumbers), first.NextToken)
	}
	rest, err := c.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{NextToken: first.NextToken})
	if err != nil || rest.NextToken != nil || !slices.Equal(invE164s(rest.PhoneNumbers), want[99:]) {
		t.Fatalf("second page: %v %v", rest, err)
	}

	// The paginator with max-results: full pages, the last without a token.
	p := chime.NewListPhoneNumbersPaginator(c, &chime.ListPhoneNumbersInput{MaxResults: aws.Int32(30)})
	var got []string
	var sizes []int
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page.PhoneNumbers))
		if last := len(sizes) == 4; (page.NextToken == nil) != last {
			t.Errorf("page %d: NextToken %v", len(sizes), page.NextToken)
		}
		got = append(got, invE164s(page.PhoneNumbers)...)
		if len(sizes) > 4 {
			t.Fatal("more than 4 pages")
		}
	}
	if !slices.Equal(sizes, []int{30, 30, 30, 15}) || !slices.Equal(got, want) {
		t.Errorf("sizes %v, numbers %v", sizes, got)
	}
	// Pages of one; a filtered listing's token.
	one, err := c.ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{MaxResults: aws.Int32(1),
		ProductType: types.PhoneNumberProductTypeSipMediaApplicationDialIn})
	if err != nil || len(one.PhoneNumbers) != 1 || aws.ToString(one.PhoneNumbers[0].E164PhoneNumber) != "+33199000000" || one.NextToken == nil {
		t.Fatalf("max-results 1: %v %v", one, err)
	}
	invWantList(t, c, "SMA in pages of 1", chime.ListPhoneNumbersInput{MaxResults: aws.Int32(1),
		ProductType: types.PhoneNumberProductTypeSipMediaApplicationDialIn}, want[101:]...)
	invWantList(t, c, "pages of 99", chime.ListPhoneNumbersInput{MaxResults: aws.Int32(99)}, want...)

	// Bounds 1..99 and tokens bound to caller and filters → 400.
	for name, in := range map[string]chime.ListPhoneNumbersInput{
		"max 0":             {MaxResults: aws.Int32(0)},
		"max 100":           {MaxResults: aws.Int32(100)},
		"max -1":            {MaxResults: aws.Int32(-1)},
		"garbage token":     {NextToken: aws.String("garbage")},
		"token, new filter": {NextToken: one.NextToken},
		"token, other status": {NextToken: one.NextToken, Status: types.PhoneNumberStatusUnassigned,
			ProductType: types.PhoneNumberProductTypeSipMediaApplicationDialIn},
	} {
		_, err := c.ListPhoneNumbers(ctx, &in)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantBadRequest(t, err)
	}
	_, err = s.client(tenantB).ListPhoneNumbers(ctx, &chime.ListPhoneNumbersInput{NextToken: first.NextToken})
	wantBadRequest(t, err) // another caller's token
	for _, q := range []string{"max-results=abc", "max-results=0", "max-results=100"} {
		wantRawErr(t, s.raw(t, tenantA, "GET", "/phone-numbers?"+q, nil), 400, "BadRequestException", "BadRequest")
	}
}
