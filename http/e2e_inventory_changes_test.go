package http_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
)

// UpdatePhoneNumber, BatchUpdatePhoneNumber, DeletePhoneNumber, BatchDeletePhoneNumber, RestorePhoneNumber and the
// deletion queue's purge (docs/behavior.md §4.29, §4.30, §5.5; D24–D27, D46), end to end through aws-sdk-go-v2.
// Helpers are in e2e_inventory_test.go.

func invUpdate(c *chime.Client, id string, pt types.PhoneNumberProductType, name *string) (*types.PhoneNumber, error) {
	out, err := c.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: &id, ProductType: pt, CallingName: name})
	if err != nil {
		return nil, err
	}
	return out.PhoneNumber, nil
}

// invErrs renders batch item errors as "id:code" in order.
func invErrs(errs []types.PhoneNumberError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = aws.ToString(e.PhoneNumberId) + ":" + string(e.ErrorCode)
		if aws.ToString(e.ErrorMessage) == "" {
			out[i] += "(no message)"
		}
	}
	return out
}

func invDelete(tb testing.TB, c *chime.Client, id string) error {
	tb.Helper()
	out, err := c.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: &id})
	if err == nil {
		checkMeta(tb, out.ResultMetadata, 204)
	}
	return err
}

func invRestore(c *chime.Client, id string) (*types.PhoneNumber, error) {
	out, err := c.RestorePhoneNumber(ctx, &chime.RestorePhoneNumberInput{PhoneNumberId: &id})
	if err != nil {
		return nil, err
	}
	return out.PhoneNumber, nil
}

func TestUpdatePhoneNumberE2E(t *testing.T) {
	t.Parallel()
	s := invServer(t, chimed.ServiceOptions{CallingNameDelay: time.Hour})
	c := s.client(tenantA)
	invOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, "+12065550100", "+12065550101")
	invOrder(t, c, types.PhoneNumberProductTypeVoiceConnector, "+18005550100", "+13125550100")
	invOrder(t, c, types.PhoneNumberProductTypeSipMediaApplicationDialIn, "+442079460000")
	acct, user := invMustUser(t, c, "upd", "upd@example.com")
	invAssociate(t, c, acct, user, "+12065550100")
	const bc, vc, sma = types.PhoneNumberProductTypeBusinessCalling, types.PhoneNumberProductTypeVoiceConnector,
		types.PhoneNumberProductTypeSipMediaApplicationDialIn

	// Exactly one of ProductType and CallingName; the model's enum and pattern → else 400.
	for name, f := range map[string]func() error{
		"neither":                      func() error { _, err := invUpdate(c, "+12065550101", "", nil); return err },
		"both":                         func() error { _, err := invUpdate(c, "+12065550101", vc, aws.String("Acme")); return err },
		"unknown product":              func() error { _, err := invUpdate(c, "+12065550101", "Nope", nil); return err },
		"toll-free to BusinessCalling": func() error { _, err := invUpdate(c, "+18005550100", bc, nil); return err },
		"GB to VoiceConnector":         func() error { _, err := invUpdate(c, "+442079460000", vc, nil); return err },
		"GB to BusinessCalling":        func() error { _, err := invUpdate(c, "+442079460000", bc, nil); return err },
	} {
		if err := f(); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			wantBadRequest(t, err)
		}
	}
	for _, bad := range []string{"A", strings.Repeat("a", 16), "Acme-Corp", "Acmé", " ", "Acme\tCo"} {
		_, err := invUpdate(c, "+12065550101", "", aws.String(bad))
		wantBadRequest(t, err)
		wantRawErr(t, s.rawJSON(t, tenantA, "POST", "/phone-numbers/%2B12065550101", map[string]string{"CallingName": bad}),
			400, "BadRequestException", "BadRequest")
	}
	wantRawErr(t, s.raw(t, tenantA, "POST", "/phone-numbers/%2B12065550101", []byte(`{}`)), 400, "BadRequestException", "BadRequest")
	// Unknown, junk, another AWS account → 404.
	for _, id := range []string{"+12065550199", "junk"} {
		_, err := invUpdate(c, id, vc, nil)
		wantNotFound(t, err)
	}
	_, err := invUpdate(s.client(tenantB), "+12065550101", vc, nil)
	wantNotFound(t, err)

	// The same product: 200, unchanged.
	orig := invGet(t, c, "+12065550101")
	putClock(t, s, 60)
	n, err := invUpdate(c, "+12065550101", bc, nil)
	if err != nil || n.ProductType != bc || !n.UpdatedTimestamp.Equal(*orig.UpdatedTimestamp) {
		t.Fatalf("same product: %+v %v", n, err)
	}
	if n, err := invUpdate(c, "+442079460000", sma, nil); err != nil || n.ProductType != sma {
		t.Fatalf("GB, same product: %+v %v", n, err)
	}
	// A change: the new product, UpdatedTimestamp now; and back. Toll-free may be any product but BusinessCalling.
	clk := putClock(t, s, 120).now(t)
	n, err = invUpdate(c, "%2B12065550101", vc, nil)
	if err != nil || n.ProductType != vc || aws.ToString(n.E164PhoneNumber) != "+12065550101" {
		t.Fatalf("to VoiceConnector: %+v %v", n, err)
	}
	within(t, "UpdatedTimestamp", *n.UpdatedTimestamp, clk, clk.Add(time.Minute))
	if got := invGet(t, c, "+12065550101"); got.ProductType != vc {
		t.Errorf("stored product %s", got.ProductType)
	}
	for _, x := range []struct {
		id string
		pt types.PhoneNumberProductType
	}{{"12065550101", bc}, {"+18005550100", sma}, {"+18005550100", vc}, {"+13125550100", bc}} {
		if n, err := invUpdate(c, x.id, x.pt, nil); err != nil || n.ProductType != x.pt {
			t.Errorf("%s to %s: %+v %v", x.id, x.pt, n, err)
		}
	}

	// Leaving BusinessCalling while Assigned → 400 PhoneNumberAssociationsExist; staying is fine.
	_, err = invUpdate(c, "+12065550100", vc, nil)
	wantErr(t, err, "BadRequestException", types.ErrorCodePhoneNumberAssociationsExist, 400)
	if n, err := invUpdate(c, "+12065550100", bc, nil); err != nil || n.Status != types.PhoneNumberStatusAssigned {
		t.Errorf("assigned, same product: %+v %v", n, err)
	}

	// A calling name: shown at once, UpdateInProgress for the delay; another meanwhile → 409.
	t0 := putClock(t, s, 180).now(t)
	n, err = invUpdate(c, "+12065550101", "", aws.String("Acme Corp"))
	if err != nil || aws.ToString(n.CallingName) != "Acme Corp" || n.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("calling name: %+v %v", n, err)
	}
	if g := invGet(t, c, "+12065550101"); aws.ToString(g.CallingName) != "Acme Corp" || g.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("read back: %+v", g)
	}
	for _, name := range []string{"Other", "", "Acme Corp"} {
		_, err = invUpdate(c, "+12065550101", "", aws.String(name))
		wantConflict(t, err)
	}
	if g := invGet(t, c, "+12065550101"); aws.ToString(g.CallingName) != "Acme Corp" {
		t.Fatalf("after refused updates: %+v", g)
	}
	putClock(t, s, 180+3600-60) // a minute short of the delay
	if g := invGet(t, c, "+12065550101"); g.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("before the delay: %s", g.CallingNameStatus)
	}
	_, err = invUpdate(c, "+12065550101", "", aws.String("Other"))
	wantConflict(t, err)
	putClock(t, s, 180+3600+1)
	g := invGet(t, c, "+12065550101")
	if aws.ToString(g.CallingName) != "Acme Corp" || g.CallingNameStatus != types.CallingNameStatusUpdateSucceeded {
		t.Fatalf("after the delay: %+v", g)
	}
	within(t, "UpdatedTimestamp", *g.UpdatedTimestamp, t0.Add(time.Hour), t0.Add(time.Hour+time.Minute))
	listed := invList(t, c, chime.ListPhoneNumbersInput{ProductType: bc})
	if len(listed) != 3 || aws.ToString(listed[1].E164PhoneNumber) != "+12065550101" ||
		listed[1].CallingNameStatus != types.CallingNameStatusUpdateSucceeded || !listed[1].UpdatedTimestamp.Equal(*g.UpdatedTimestamp) {
		t.Errorf("listing after the delay: %v", listed)
	}

	// "" clears: no name, UpdateInProgress, then Unassigned after the delay.
	n, err = invUpdate(c, "+12065550101", "", aws.String(""))
	if err != nil || n.CallingName != nil || n.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("clear: %+v %v", n, err)
	}
	w := invRawGet(t, s, tenantA, "%2B12065550101")
	if _, ok := w["CallingName"]; ok || w["CallingNameStatus"] != "UpdateInProgress" {
		t.Errorf("cleared on the wire: %v", w)
	}
	putClock(t, s, 180+2*3600+2)
	if g := invGet(t, c, "+12065550101"); g.CallingName != nil || g.CallingNameStatus != types.CallingNameStatusUnassigned {
		t.Fatalf("cleared after the delay: %+v", g)
	}
	// A name on an assigned number is allowed (only the product is bound by the association).
	if n, err := invUpdate(c, "+12065550100", "", aws.String("Desk 1")); err != nil || aws.ToString(n.CallingName) != "Desk 1" {
		t.Errorf("name of an assigned number: %+v %v", n, err)
	}
}

func TestBatchUpdatePhoneNumberE2E(t *testing.T) {
	t.Parallel()
	s := invServer(t, chimed.ServiceOptions{CallingNameDelay: time.Hour})
	c := s.client(tenantA)
	invOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, "+12065550100", "+12065550101", "+12065550102")
	invOrder(t, c, types.PhoneNumberProductTypeVoiceConnector, "+18005550100", "+13125550100")
	acct, user := invMustUser(t, c, "bupd", "bupd@example.com")
	invAssociate(t, c, acct, user, "+12065550100")
	item := func(id string, pt types.PhoneNumberProductType, name *string) types.UpdatePhoneNumberRequestItem {
		return types.UpdatePhoneNumberRequestItem{PhoneNumberId: aws.String(id), ProductType: pt, CallingName: name}
	}
	batch := func(items ...types.UpdatePhoneNumberRequestItem) ([]string, error) {
		out, err := c.BatchUpdatePhoneNumber(ctx, &chime.BatchUpdatePhoneNumberInput{UpdatePhoneNumberRequestItems: items})
		if err != nil {
			return nil, err
		}
		checkMeta(t, out.ResultMetadata, 200)
		return invErrs(out.PhoneNumberErrors), nil
	}

	// Per-item failures with the §5.5 codes, the ID echoed as sent; the others apply, in order.
	got, err := batch(
		item("+12065550101", "", aws.String("Bee Co")),
		item("%2B12065550199", types.PhoneNumberProductTypeVoiceConnector, nil),
		item("junk", types.PhoneNumberProductTypeVoiceConnector, nil),
		item("+18005550100", types.PhoneNumberProductTypeBusinessCalling, nil),
		item("12065550100", types.PhoneNumberProductTypeVoiceConnector, nil),
		item("+13125550100", "", nil),
		item("+13125550100", types.PhoneNumberProductTypeSipMediaApplicationDialIn, nil), // repeated: ignored
		item("%2B12065550101", "", aws.String("Second")),                                 // repeated: ignored
		item("+12065550102", types.PhoneNumberProductTypeVoiceConnector, nil),
	)
	want := []string{"%2B12065550199:NotFound", "junk:NotFound", "+18005550100:BadRequest",
		"12065550100:PhoneNumberAssociationsExist", "+13125550100:BadRequest"}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("batch: %v %v, want %v", got, err, want)
	}
	if n := invGet(t, c, "+12065550101"); aws.ToString(n.CallingName) != "Bee Co" || n.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Errorf("first item: %+v", n)
	}
	for id, pt := range map[string]types.PhoneNumberProductType{"+12065550102": "VoiceConnector", "+13125550100": "VoiceConnector",
		"+18005550100": "VoiceConnector", "+12065550100": "BusinessCalling"} {
		if n := invGet(t, c, id); n.ProductType != pt {
			t.Errorf("%s: product %s, want %s", id, n.ProductType, pt)
		}
	}

	// A pending calling name → Conflict; full success → [] on the wire.
	got, err = batch(item("+12065550101", "", aws.String("Third")), item("+12065550102", types.PhoneNumberProductTypeSipMediaApplicationDialIn, nil))
	if err != nil || !slices.Equal(got, []string{"+12065550101:Conflict"}) {
		t.Errorf("conflict: %v %v", got, err)
	}
	r := s.rawJSON(t, tenantA, "POST", "/phone-numbers?operation=batch-update", map[string]any{
		"UpdatePhoneNumberRequestItems": []map[string]string{{"PhoneNumberId": "%2B12065550102", "ProductType": "VoiceConnector"},
			{"PhoneNumberId": "+12065550102", "CallingName": "Ignored"}}})
	if r.Status != 200 || string(r.Body) != `{"PhoneNumberErrors":[]}` {
		t.Errorf("full success: %d %s", r.Status, r.Body)
	}
	if n := invGet(t, c, "+12065550102"); n.ProductType != types.PhoneNumberProductTypeVoiceConnector || n.CallingName != nil {
		t.Errorf("after full success: %+v", n)
	}

	// Whole-request 400: no items, more than 50, a bad enum or pattern, a missing ID.
	var many []types.UpdatePhoneNumberRequestItem
	for i := 0; i < 51; i++ {
		many = append(many, item(fmt.Sprintf("+1206555%04d", 200+i), types.PhoneNumberProductTypeVoiceConnector, nil))
	}
	_, err = batch(many...)
	wantBadRequest(t, err)
	got, err = batch(many[:50]...) // 50 unknown numbers: accepted, 50 item errors
	if err != nil || len(got) != 50 || got[0] != "+12065550200:NotFound" {
		t.Errorf("50 items: %d errors %v", len(got), err)
	}
	_, err = c.BatchUpdatePhoneNumber(ctx, &chime.BatchUpdatePhoneNumberInput{UpdatePhoneNumberRequestItems: []types.UpdatePhoneNumberRequestItem{}})
	wantBadRequest(t, err) // the SDK sends []
	for _, body := range []string{`{"UpdatePhoneNumberRequestItems":[]}`, `{}`,
		`{"UpdatePhoneNumberRequestItems":[{"ProductType":"VoiceConnector"}]}`,
		`{"UpdatePhoneNumberRequestItems":[{"PhoneNumberId":"+12065550102","ProductType":"Nope"}]}`,
		`{"UpdatePhoneNumberRequestItems":[{"PhoneNumberId":"+12065550102","CallingName":"A-B"}]}`,
		`{"UpdatePhoneNumberRequestItems":[{"PhoneNumberId":"+12065550102","ProductType":"SipMediaApplicationDialIn"},{"PhoneNumberId":"+13125550100","CallingName":"x"}]}`,
	} {
		wantRawErr(t, s.raw(t, tenantA, "POST", "/phone-numbers?operation=batch-update", []byte(body)), 400, "BadRequestException", "BadRequest")
	}
	if n := invGet(t, c, "+12065550102"); n.ProductType != types.PhoneNumberProductTypeVoiceConnector {
		t.Errorf("a refused batch changed a number: %+v", n)
	}
	// Another AWS account's numbers are NotFound items.
	out, err := s.client(tenantB).BatchUpdatePhoneNumber(ctx, &chime.BatchUpdatePhoneNumberInput{
		UpdatePhoneNumberRequestItems: []types.UpdatePhoneNumberRequestItem{item("+12065550102", "BusinessCalling", nil)}})
	if err != nil || !slices.Equal(invErrs(out.PhoneNumberErrors), []string{"+12065550102:NotFound"}) {
		t.Errorf("tenantB: %v %v", out, err)
	}
}

func TestDeleteAndRestorePhoneNumberE2E(t *testing.T) {
	t.Parallel()
	s := invServer(t, chimed.ServiceOptions{OrderDelay: time.Hour, NumberLimit: 6})
	c := s.client(tenantA)
	invOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, "+12065550100", "+12065550101", "+12065550102", "+12065550103")
	putClock(t, s, 3600)
	invOrder(t, c, types.PhoneNumberProductTypeVoiceConnector, "+18005550100") // AcquireInProgress for an hour
	acct, user := invMustUser(t, c, "del", "del@example.com")
	invAssociate(t, c, acct, user, "+12065550100")
	if _, err := invUpdate(c, "+12065550101", "", aws.String("Kept Name")); err != nil {
		t.Fatal(err)
	}

	// Unassigned → 204, DeleteInProgress with DeletionTimestamp = UpdatedTimestamp = now; the name is kept.
	t0 := putClock(t, s, 3700).now(t)
	if err := invDelete(t, c, "+12065550101"); err != nil {
		t.Fatal(err)
	}
	n := invGet(t, c, "+12065550101")
	if n.Status != types.PhoneNumberStatusDeleteInProgress || n.DeletionTimestamp == nil ||
		!n.DeletionTimestamp.Equal(*n.UpdatedTimestamp) || aws.ToString(n.CallingName) != "Kept Name" {
		t.Fatalf("queued: %+v", n)
	}
	within(t, "DeletionTimestamp", *n.DeletionTimestamp, t0, t0.Add(time.Minute))
	if w := invRawGet(t, s, tenantA, "%2B12065550101"); w["DeletionTimestamp"] != w["UpdatedTimestamp"] {
		t.Errorf("wire: %v", w)
	}
	// Queued again → 204 no-op, timestamps unchanged; listed under DeleteInProgress.
	putClock(t, s, 3800)
	if err := invDelete(t, c, "%2B12065550101"); err != nil {
		t.Fatal(err)
	}
	if again := invGet(t, c, "+12065550101"); !again.DeletionTimestamp.Equal(*n.DeletionTimestamp) || !again.UpdatedTimestamp.Equal(*n.UpdatedTimestamp) {
		t.Errorf("second delete moved timestamps: %+v", again)
	}
	invWantList(t, c, "queue", chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusDeleteInProgress}, "+12065550101")
	// A queued number takes no update.
	_, err := invUpdate(c, "+12065550101", types.PhoneNumberProductTypeVoiceConnector, nil)
	wantBadRequest(t, err)
	_, err = invUpdate(c, "+18005550100", types.PhoneNumberProductTypeSipMediaApplicationDialIn, nil)
	wantBadRequest(t, err) // nor does one being acquired

	// Assigned → PhoneNumberAssociationsExist; being acquired → 400; unknown, junk, another account → 404.
	wantErr(t, invDelete(t, c, "+12065550100"), "BadRequestException", types.ErrorCodePhoneNumberAssociationsExist, 400)
	wantBadRequest(t, invDelete(t, c, "+18005550100"))
	wantNotFound(t, invDelete(t, c, "+12065550199"))
	wantNotFound(t, invDelete(t, c, "junk"))
	wantNotFound(t, invDelete(t, s.client(tenantB), "+12065550102"))
	if g := invGet(t, c, "+12065550100"); g.Status != types.PhoneNumberStatusAssigned {
		t.Errorf("refused delete changed %+v", g)
	}

	// Batch: each ID as Delete would, failures with item codes, repeats once, queued ones silently.
	out, err := c.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: []string{
		"+12065550102", "%2B12065550100", "+18005550100", "+12065550199", "junk", "12065550101", "%2b12065550102", "junk"}})
	want := []string{"%2B12065550100:PhoneNumberAssociationsExist", "+18005550100:BadRequest", "+12065550199:NotFound", "junk:NotFound"}
	if err != nil || !slices.Equal(invErrs(out.PhoneNumberErrors), want) {
		t.Fatalf("batch delete: %v %v, want %v", out, err, want)
	}
	invWantList(t, c, "queue", chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusDeleteInProgress}, "+12065550101", "+12065550102")
	r := s.rawJSON(t, tenantA, "POST", "/phone-numbers?operation=batch-delete", map[string]any{"PhoneNumberIds": []string{"+12065550103"}})
	if r.Status != 200 || string(r.Body) != `{"PhoneNumberErrors":[]}` {
		t.Errorf("batch delete success: %d %s", r.Status, r.Body)
	}
	for _, body := range []string{`{"PhoneNumberIds":[]}`, `{}`, `{"PhoneNumberIds":"+12065550103"}`} {
		wantRawErr(t, s.raw(t, tenantA, "POST", "/phone-numbers?operation=batch-delete", []byte(body)), 400, "BadRequestException", "BadRequest")
	}
	_, err = c.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: numbers("+1206555", 4, 200, 250)})
	wantBadRequest(t, err) // 51 IDs
	if out, err := c.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: numbers("+1206555", 4, 200, 249)}); err != nil || len(out.PhoneNumberErrors) != 50 {
		t.Errorf("50 IDs: %v %v", out, err)
	}
	out, err = s.client(tenantB).BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: []string{"+12065550100"}})
	if err != nil || !slices.Equal(invErrs(out.PhoneNumberErrors), []string{"+12065550100:NotFound"}) {
		t.Errorf("tenantB: %v %v", out, err)
	}

	// Restore: Unassigned, Associations [], no DeletionTimestamp, UpdatedTimestamp now.
	t1 := putClock(t, s, 3900).now(t)
	rn, err := invRestore(c, "%2B12065550101")
	if err != nil || rn.Status != types.PhoneNumberStatusUnassigned || rn.DeletionTimestamp != nil || len(rn.Associations) != 0 {
		t.Fatalf("restore: %+v %v", rn, err)
	}
	within(t, "UpdatedTimestamp", *rn.UpdatedTimestamp, t1, t1.Add(time.Minute))
	w := invRawGet(t, s, tenantA, "%2B12065550101")
	if _, ok := w["DeletionTimestamp"]; ok || w["Status"] != "Unassigned" {
		t.Errorf("restored on the wire: %v", w)
	}
	// Not queued → 400 (Unassigned, Assigned, being acquired); unknown, another account → 404.
	for _, id := range []string{"+12065550101", "+12065550100", "+18005550100"} {
		_, err := invRestore(c, id)
		wantBadRequest(t, err)
	}
	for _, id := range []string{"+12065550199", "junk"} {
		_, err := invRestore(c, id)
		wantNotFound(t, err)
	}
	_, err = invRestore(s.client(tenantB), "+12065550102")
	wantNotFound(t, err)

	// The inventory limit (6): 3 in it (100, 101, 18005550100), 2 queued (102, 103); order 3 more → full.
	invOrder(t, c, types.PhoneNumberProductTypeVoiceConnector, "+13125550100", "+13125550101", "+13125550102")
	_, err = invRestore(c, "+12065550102")
	invWantLimit(t, err)
	if g := invGet(t, c, "+12065550102"); g.Status != types.PhoneNumberStatusDeleteInProgress {
		t.Errorf("refused restore changed %+v", g)
	}
	if err := invDelete(t, c, "+12065550101"); err != nil { // one leaves: room for one
		t.Fatal(err)
	}
	if _, err := invRestore(c, "+12065550102"); err != nil {
		t.Fatalf("restore with room: %v", err)
	}
}

func TestPhoneNumberPurgeE2E(t *testing.T) {
	t.Parallel()
	s := invServer(t, chimed.ServiceOptions{DeletionQueue: 2 * time.Hour})
	c := s.client(tenantA)
	invOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, "+12065550100", "+12065550101", "+12065550102")
	if err := invDelete(t, c, "+12065550100"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: []string{"+12065550101"}}); err != nil {
		t.Fatal(err)
	}
	// Still restorable a minute before the end of the queue.
	putClock(t, s, 2*3600-60)
	invWantList(t, c, "queue", chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusDeleteInProgress}, "+12065550100", "+12065550101")
	if n := invGet(t, c, "+12065550100"); n.Status != types.PhoneNumberStatusDeleteInProgress {
		t.Fatalf("before the purge: %+v", n)
	}

	// After it: gone for good.
	putClock(t, s, 2*3600+1)
	for _, id := range []string{"+12065550100", "%2B12065550101"} {
		_, err := c.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(id)})
		wantNotFound(t, err)
		_, err = invRestore(c, id)
		wantNotFound(t, err)
		wantNotFound(t, invDelete(t, c, id))
		_, err = invUpdate(c, id, types.PhoneNumberProductTypeVoiceConnector, nil)
		wantNotFound(t, err)
	}
	invWantList(t, c, "after the purge", chime.ListPhoneNumbersInput{}, "+12065550102")
	invWantList(t, c, "queue after the purge", chime.ListPhoneNumbersInput{Status: types.PhoneNumberStatusDeleteInProgress})
	out, err := c.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: []string{"+12065550100", "+12065550102"}})
	if err != nil || !slices.Equal(invErrs(out.PhoneNumberErrors), []string{"+12065550100:NotFound"}) {
		t.Errorf("batch after the purge: %v %v", out, err)
	}

	// Never offered or acquired again, by anyone (D21).
	got := search(t, c, chime.SearchAvailablePhoneNumbersInput{AreaCode: aws.String("206"), MaxResults: aws.Int32(2)})
	if !slices.Equal(got.E164PhoneNumbers, []string{"+12065550103", "+12065550104"}) {
		t.Errorf("search after the purge: %v", got.E164PhoneNumbers)
	}
	for _, k := range []string{tenantA, tenantB} {
		o, err := s.client(k).CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{
			ProductType: types.PhoneNumberProductTypeBusinessCalling, E164PhoneNumbers: []string{"+12065550100"}})
		if err != nil {
			t.Fatal(err)
		}
		g, err := s.client(k).GetPhoneNumberOrder(ctx, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: o.PhoneNumberOrder.PhoneNumberOrderId})
		if err != nil || g.PhoneNumberOrder.Status != types.PhoneNumberOrderStatusFailed {
			t.Errorf("%s reorders a purged number: %+v %v", k, g, err)
		}
		_, err = s.client(k).GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String("+12065550100")})
		wantNotFound(t, err)
	}
}

// TestCallingNameWithoutDelayE2E: with --calling-name-delay 0 (the default) the answer still shows the state
// before the transition it schedules (D19, D27): UpdateInProgress; every later request sees it applied.
func TestCallingNameWithoutDelayE2E(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	invOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, "+12065550100", "+12065550101")
	n, err := invUpdate(c, "+12065550100", "", aws.String("Front Desk"))
	if err != nil || aws.ToString(n.CallingName) != "Front Desk" || n.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("answer: %+v %v", n, err)
	}
	if g := invGet(t, c, "+12065550100"); g.CallingNameStatus != types.CallingNameStatusUpdateSucceeded ||
		!g.UpdatedTimestamp.Equal(*n.UpdatedTimestamp) {
		t.Fatalf("read after: %+v", g)
	}
	// No pending change, so another name at once is no conflict; "" clears.
	if n, err = invUpdate(c, "+12065550100", "", aws.String("Lobby")); err != nil || n.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("second name: %+v %v", n, err)
	}
	if n, err = invUpdate(c, "+12065550100", "", aws.String("")); err != nil || n.CallingName != nil ||
		n.CallingNameStatus != types.CallingNameStatusUpdateInProgress {
		t.Fatalf("clear: %+v %v", n, err)
	}
	if g := invGet(t, c, "+12065550100"); g.CallingName != nil || g.CallingNameStatus != types.CallingNameStatusUnassigned {
		t.Fatalf("cleared: %+v", g)
	}
	out, err := c.BatchUpdatePhoneNumber(ctx, &chime.BatchUpdatePhoneNumberInput{UpdatePhoneNumberRequestItems: []types.UpdatePhoneNumberRequestItem{
		{PhoneNumberId: aws.String("+12065550101"), CallingName: aws.String("Batch Name")}}})
	if err != nil || len(out.PhoneNumberErrors) != 0 {
		t.Fatalf("batch: %v %v", out, err)
	}
	if l := invList(t, c, chime.ListPhoneNumbersInput{}); len(l) != 2 || l[1].CallingNameStatus != types.CallingNameStatusUpdateSucceeded ||
		aws.ToString(l[1].CallingName) != "Batch Name" {
		t.Fatalf("listed after the batch: %+v", l)
	}
	// An empty ID in a batch delete is an item that names no number.
	r := s.raw(t, tenantA, "POST", "/phone-numbers?operation=batch-delete", []byte(`{"PhoneNumberIds":["","+12065550101"]}`))
	if r.Status != 200 || strings.Count(string(r.Body), `"ErrorCode":"NotFound"`) != 1 || strings.Contains(string(r.Body), "+1206") {
		t.Errorf("empty ID: %d %s", r.Status, r.Body)
	}
}
