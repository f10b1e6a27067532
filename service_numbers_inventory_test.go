package chime_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// The phone number inventory's rules (docs/behavior.md §4.28–§4.30; D19, D20, D24–D27, D46) against the real
// store, with a controllable clock: transitions are checked at the millisecond they fall due.

// invEnv is newEnv with the phone number options of o.
func invEnv(tb testing.TB, o chime.ServiceOptions) *env {
	tb.Helper()
	e := &env{Store: testenv.MustOpen(tb, testenv.DSN(tb)),
		Clock: &clock{now: time.Date(2025, 3, 4, 5, 6, 7, 89_000_000, time.UTC)}, PINs: &pinSource{}, Mail: &mailbox{}}
	o.Now, o.Rand, o.Mailer = e.Clock.Now, e.PINs, e.Mail
	svc, err := chime.NewService(ctx, e.Store, o)
	if err != nil {
		tb.Fatalf("NewService: %v", err)
	}
	e.Svc = svc
	tb.Cleanup(func() { svc.Drain(ctx) })
	return e
}

func invOrder(tb testing.TB, e *env, aws, pt string, nums ...string) {
	tb.Helper()
	if _, err := e.Svc.CreatePhoneNumberOrder(ctx, aws, &pt, nums); err != nil {
		tb.Fatalf("CreatePhoneNumberOrder %v: %v", nums, err)
	}
}

func invGet(tb testing.TB, e *env, aws, id string) *chime.PhoneNumber {
	tb.Helper()
	n, err := e.Svc.GetPhoneNumber(ctx, aws, id)
	if err != nil {
		tb.Fatalf("GetPhoneNumber %s: %v", id, err)
	}
	return n
}

// invList returns the numbers of a listing (every page, of size 2).
func invList(tb testing.TB, e *env, aws string, in chime.ListNumbersInput) []string {
	tb.Helper()
	in.MaxResults = 2
	var out []string
	for i := 0; ; i++ {
		page, next, err := e.Svc.ListPhoneNumbers(ctx, aws, in)
		if err != nil {
			tb.Fatalf("ListPhoneNumbers: %v", err)
		}
		for _, n := range page {
			out = append(out, n.E164)
		}
		if next == "" || i > 100 {
			return out
		}
		in.NextToken = &next
	}
}

func invStatus(tb testing.TB, e *env, aws, id string, want chime.NumberStatus) *chime.PhoneNumber {
	tb.Helper()
	n := invGet(tb, e, aws, id)
	if n.Status != want {
		tb.Fatalf("%s: status %s, want %s", id, n.Status, want)
	}
	return n
}

// invUser creates an EnterpriseDirectory account with a user and gives the user the number e164.
func invUser(tb testing.TB, e *env, aws, e164 string) (accountID, userID string) {
	tb.Helper()
	a := MustAccount(tb, e, aws, "numbers", chime.AccountEnterpriseDirectory)
	u := MustCreateUser(tb, e, aws, a.ID, newEmail("num"))
	must(tb, e.Svc.AssociatePhoneNumberWithUser(ctx, aws, a.ID, u.ID, &e164))
	return a.ID, u.ID
}

func invErrs(errs []chime.NumberError) []string {
	out := make([]string, len(errs))
	for i, x := range errs {
		out[i] = x.NumberID + ":" + x.Code
	}
	return out
}

func TestParseNumberID(t *testing.T) {
	for id, want := range map[string]string{
		"+12065550100": "+12065550100", "%2B12065550100": "+12065550100", "%2b12065550100": "+12065550100",
		"12065550100": "+12065550100", "+44207946000": "+44207946000", "12": "+12", "+123456789012345": "+123456789012345",
	} {
		got, ok := chime.ParseNumberID(id)
		if !ok || got != want {
			t.Errorf("ParseNumberID(%q) = %q, %v; want %q", id, got, ok, want)
		}
		if ok && chime.NumberID(got) != "%2B"+want[1:] {
			t.Errorf("NumberID(%q) = %q", got, chime.NumberID(got))
		}
	}
	for _, id := range []string{"", "+", "%2B", "%2b", "1", "+1", "%2B1", "0123", "+0123", "%2B0123",
		"1234567890123456", "+1234567890123456", "++12065550100", "+%2B12065550100", "%2B+12065550100",
		"%252B12065550100", "%2C12065550100", "%2A12065550100", " 12065550100", "12065550100 ", "+1206555 0100",
		"+1206555010a", "+١٢٣٤", "+12065550100\x00", "-12065550100", "1e10"} {
		if got, ok := chime.ParseNumberID(id); ok {
			t.Errorf("ParseNumberID(%q) = %q, accepted", id, got)
		}
	}
	if got := chime.NumberID("+12065550100"); got != "%2B12065550100" {
		t.Errorf("NumberID = %q", got)
	}
}

func TestInventoryTransitions(t *testing.T) {
	t.Parallel()
	const delay = 10 * time.Minute
	e := invEnv(t, chime.ServiceOptions{OrderDelay: delay, CallingNameDelay: delay, DeletionQueue: time.Hour})
	ms := time.Millisecond

	t.Run("order delay, to the millisecond", func(t *testing.T) {
		aws := newTenant()
		t0 := e.Clock.Now()
		invOrder(t, e, aws, "VoiceConnector", "+13035550100", "+18445550100")
		e.Clock.Advance(delay - ms)
		invStatus(t, e, aws, "+13035550100", chime.NumberAcquireInProgress)
		wantIDs(t, "acquiring", invList(t, e, aws, chime.ListNumbersInput{Status: ptr("AcquireInProgress")}),
			[]string{"+13035550100", "+18445550100"})
		wantIDs(t, "unassigned", invList(t, e, aws, chime.ListNumbersInput{Status: ptr("Unassigned")}), nil)
		wantErr(t, e.Svc.DeletePhoneNumber(ctx, aws, "+13035550100"), chime.EINVALID, "")
		_, err := e.Svc.UpdatePhoneNumber(ctx, aws, "+13035550100", chime.NumberUpdate{CallingName: ptr("Early")})
		wantErr(t, err, chime.EINVALID, "")
		e.Clock.Advance(ms)
		n := invStatus(t, e, aws, "+13035550100", chime.NumberUnassigned)
		if !n.CreatedAt.Equal(t0) || !n.UpdatedAt.Equal(t0.Add(delay)) || n.Type != chime.NumberLocal ||
			invGet(t, e, aws, "+18445550100").Type != chime.NumberTollFree {
			t.Fatalf("settled: %+v", n)
		}
		wantIDs(t, "acquiring", invList(t, e, aws, chime.ListNumbersInput{Status: ptr("AcquireInProgress")}), nil)
		wantIDs(t, "unassigned", invList(t, e, aws, chime.ListNumbersInput{Status: ptr("Unassigned")}),
			[]string{"+13035550100", "+18445550100"})
	})

	t.Run("calling name", func(t *testing.T) {
		aws := newTenant()
		invOrder(t, e, aws, "BusinessCalling", "+13035550101")
		e.Clock.Advance(delay)
		t0 := e.Clock.Now()
		n, err := e.Svc.UpdatePhoneNumber(ctx, aws, "+13035550101", chime.NumberUpdate{CallingName: ptr("Front Desk")})
		must(t, err)
		if *n.CallingName != "Front Desk" || n.CallingNameStatus != chime.CallingNameUpdateInProgress || !n.UpdatedAt.Equal(t0) {
			t.Fatalf("answer: %+v", n)
		}
		e.Clock.Advance(delay - ms)
		if g := invGet(t, e, aws, "+13035550101"); g.CallingNameStatus != chime.CallingNameUpdateInProgress || !g.UpdatedAt.Equal(t0) {
			t.Fatalf("a millisecond early: %+v", g)
		}
		for _, name := range []string{"Other", "", "Front Desk"} {
			_, err = e.Svc.UpdatePhoneNumber(ctx, aws, "+13035550101", chime.NumberUpdate{CallingName: &name})
			wantErr(t, err, chime.ECONFLICT, "")
		}
		// A product change is no calling-name change: allowed meanwhile.
		_, err = e.Svc.UpdatePhoneNumber(ctx, aws, "+13035550101", chime.NumberUpdate{ProductType: ptr("VoiceConnector")})
		must(t, err)
		e.Clock.Advance(ms)
		g := invGet(t, e, aws, "+13035550101")
		if g.CallingNameStatus != chime.CallingNameUpdateSucceeded || *g.CallingName != "Front Desk" ||
			!g.UpdatedAt.Equal(t0.Add(delay)) || g.ProductType != chime.ProductVoiceConnector {
			t.Fatalf("due: %+v", g)
		}
		// Clearing: the name goes at once; Unassigned once due.
		n, err = e.Svc.UpdatePhoneNumber(ctx, aws, "%2B13035550101", chime.NumberUpdate{CallingName: ptr("")})
		must(t, err)
		if n.CallingName != nil || n.CallingNameStatus != chime.CallingNameUpdateInProgress {
			t.Fatalf("clear: %+v", n)
		}
		e.Clock.Advance(delay)
		if g := invGet(t, e, aws, "+13035550101"); g.CallingName != nil || g.CallingNameStatus != chime.CallingNameUnassigned {
			t.Fatalf("cleared: %+v", g)
		}
	})

	t.Run("deletion queue and purge, to the millisecond", func(t *testing.T) {
		aws := newTenant()
		invOrder(t, e, aws, "SipMediaApplicationDialIn", "+442079460000", "+442079460001")
		e.Clock.Advance(delay)
		t0 := e.Clock.Now()
		must(t, e.Svc.DeletePhoneNumber(ctx, aws, "+442079460000"))
		n := invStatus(t, e, aws, "442079460000", chime.NumberDeleteInProgress)
		if !n.DeletedAt.Equal(t0) || !n.UpdatedAt.Equal(t0) || !n.PurgeAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("queued: %+v", n)
		}
		e.Clock.Advance(time.Minute)
		must(t, e.Svc.DeletePhoneNumber(ctx, aws, "+442079460000")) // no-op
		if g := invGet(t, e, aws, "+442079460000"); !g.DeletedAt.Equal(t0) || !g.UpdatedAt.Equal(t0) {
			t.Fatalf("second delete moved it: %+v", g)
		}
		e.Clock.Advance(time.Hour - time.Minute - ms)
		invStatus(t, e, aws, "+442079460000", chime.NumberDeleteInProgress)
		e.Clock.Advance(ms)
		for _, f := range []func() error{
			func() error { _, err := e.Svc.GetPhoneNumber(ctx, aws, "+442079460000"); return err },
			func() error { _, err := e.Svc.RestorePhoneNumber(ctx, aws, "+442079460000"); return err },
			func() error { return e.Svc.DeletePhoneNumber(ctx, aws, "+442079460000") },
			func() error {
				_, err := e.Svc.UpdatePhoneNumber(ctx, aws, "+442079460000", chime.NumberUpdate{CallingName: ptr("Gone")})
				return err
			},
		} {
			wantErr(t, f(), chime.ENOTFOUND, "")
		}
		wantIDs(t, "after the purge", invList(t, e, aws, chime.ListNumbersInput{}), []string{"+442079460001"})
		// Never acquired again, by anyone (D21).
		o, err := e.Svc.CreatePhoneNumberOrder(ctx, newTenant(), ptr("SipMediaApplicationDialIn"), []string{"+442079460000"})
		must(t, err)
		if o.Outcome != chime.OrderFailed {
			t.Fatalf("reorder of a purged number: %s", o.Outcome)
		}
	})
}

func TestInventoryRules(t *testing.T) {
	t.Parallel()
	e := invEnv(t, chime.ServiceOptions{NumberLimit: 4})

	t.Run("update", func(t *testing.T) {
		aws := newTenant()
		invOrder(t, e, aws, "BusinessCalling", "+12065550100", "+12065550101")
		invOrder(t, e, aws, "VoiceConnector", "+18005550100")
		invOrder(t, e, aws, "SipMediaApplicationDialIn", "+33199000000")
		invUser(t, e, aws, "+12065550100")
		up := func(id string, u chime.NumberUpdate) error {
			_, err := e.Svc.UpdatePhoneNumber(ctx, aws, id, u)
			return err
		}
		wantErr(t, up("+12065550101", chime.NumberUpdate{}), chime.EINVALID, "")
		wantErr(t, up("+12065550101", chime.NumberUpdate{ProductType: ptr("VoiceConnector"), CallingName: ptr("X Y")}), chime.EINVALID, "")
		wantErr(t, up("+12065550101", chime.NumberUpdate{ProductType: ptr("Nope")}), chime.EINVALID, chime.FieldProductType)
		wantErr(t, up("+18005550100", chime.NumberUpdate{ProductType: ptr("BusinessCalling")}), chime.EINVALID, chime.FieldProductType)
		wantErr(t, up("+33199000000", chime.NumberUpdate{ProductType: ptr("VoiceConnector")}), chime.EINVALID, chime.FieldProductType)
		wantErr(t, up("+12065550100", chime.NumberUpdate{ProductType: ptr("VoiceConnector")}), chime.EASSOCIATED, "")
		wantErr(t, up("+12065550199", chime.NumberUpdate{ProductType: ptr("VoiceConnector")}), chime.ENOTFOUND, "")
		wantErr(t, up("x", chime.NumberUpdate{ProductType: ptr("VoiceConnector")}), chime.ENOTFOUND, "")
		_, err := e.Svc.UpdatePhoneNumber(ctx, newTenant(), "+12065550101", chime.NumberUpdate{ProductType: ptr("VoiceConnector")})
		wantErr(t, err, chime.ENOTFOUND, "")
		before := invGet(t, e, aws, "+12065550101")
		e.Clock.Advance(time.Second)
		must(t, up("+12065550101", chime.NumberUpdate{ProductType: ptr("BusinessCalling")})) // the same: unchanged
		if g := invGet(t, e, aws, "+12065550101"); !g.UpdatedAt.Equal(before.UpdatedAt) {
			t.Fatalf("same product moved UpdatedAt: %v → %v", before.UpdatedAt, g.UpdatedAt)
		}
		must(t, up("+12065550101", chime.NumberUpdate{ProductType: ptr("SipMediaApplicationDialIn")}))
		if g := invGet(t, e, aws, "+12065550101"); g.ProductType != chime.ProductSipMediaApplicationDialIn || !g.UpdatedAt.Equal(e.Clock.Now()) {
			t.Fatalf("changed: %+v", g)
		}
		// The wire layer refuses what the model's pattern refuses; with delay 0 the answer is still UpdateInProgress.
		n, err := e.Svc.UpdatePhoneNumber(ctx, aws, "+12065550100", chime.NumberUpdate{CallingName: ptr("Desk")})
		must(t, err)
		if n.CallingNameStatus != chime.CallingNameUpdateInProgress || invGet(t, e, aws, "+12065550100").CallingNameStatus != chime.CallingNameUpdateSucceeded {
			t.Fatalf("delay 0: answer %s", n.CallingNameStatus)
		}
	})

	t.Run("batch update", func(t *testing.T) {
		aws := newTenant()
		invOrder(t, e, aws, "BusinessCalling", "+12065550110", "+12065550111")
		invUser(t, e, aws, "+12065550110")
		items := []chime.BatchUpdateItem{
			{NumberID: "+12065550111", NumberUpdate: chime.NumberUpdate{ProductType: ptr("VoiceConnector")}},
			{NumberID: "%2b12065550111", NumberUpdate: chime.NumberUpdate{ProductType: ptr("SipMediaApplicationDialIn")}},
			{NumberID: "12065550110", NumberUpdate: chime.NumberUpdate{ProductType: ptr("VoiceConnector")}},
			{NumberID: "+12065550110", NumberUpdate: chime.NumberUpdate{CallingName: ptr("Ignored")}},
			{NumberID: "nope", NumberUpdate: chime.NumberUpdate{CallingName: ptr("A B")}},
			{NumberID: "nope", NumberUpdate: chime.NumberUpdate{CallingName: ptr("C D")}}, // repeated: once
			{NumberID: "+12065550199"},
		}
		errs, err := e.Svc.BatchUpdatePhoneNumber(ctx, aws, items)
		must(t, err)
		wantIDs(t, "item errors", invErrs(errs), []string{"12065550110:PhoneNumberAssociationsExist", "nope:NotFound",
			"+12065550199:BadRequest"})
		if g := invGet(t, e, aws, "+12065550111"); g.ProductType != chime.ProductVoiceConnector {
			t.Fatalf("first item of a repeated ID: %s", g.ProductType)
		}
		if g := invGet(t, e, aws, "+12065550110"); g.CallingName != nil {
			t.Fatalf("a repeat was applied: %+v", g)
		}
		_, err = e.Svc.BatchUpdatePhoneNumber(ctx, aws, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldNumberItems)
		_, err = e.Svc.BatchUpdatePhoneNumber(ctx, aws, make([]chime.BatchUpdateItem, chime.MaxNumberBatch+1))
		wantErr(t, err, chime.EINVALID, chime.FieldNumberItems)
		errs, err = e.Svc.BatchUpdatePhoneNumber(ctx, aws, items[:1])
		if err != nil || errs == nil || len(errs) != 0 {
			t.Fatalf("full success: %v %v", errs, err)
		}
	})

	t.Run("delete, batch delete, restore, the limit", func(t *testing.T) {
		aws := newTenant()
		invOrder(t, e, aws, "BusinessCalling", "+12065550120", "+12065550121", "+12065550122", "+12065550123")
		invUser(t, e, aws, "+12065550120")
		wantErr(t, e.Svc.DeletePhoneNumber(ctx, aws, "+12065550120"), chime.EASSOCIATED, "")
		wantErr(t, e.Svc.DeletePhoneNumber(ctx, aws, "+12065550129"), chime.ENOTFOUND, "")
		wantErr(t, e.Svc.DeletePhoneNumber(ctx, newTenant(), "+12065550121"), chime.ENOTFOUND, "")
		_, err := e.Svc.RestorePhoneNumber(ctx, aws, "+12065550121")
		wantErr(t, err, chime.EINVALID, "")
		_, err = e.Svc.RestorePhoneNumber(ctx, aws, "+12065550120")
		wantErr(t, err, chime.EINVALID, "")

		ids := []string{"+12065550121", "%2B12065550121", "+12065550120", "+12065550129", "", "12065550122"}
		errs, err := e.Svc.BatchDeletePhoneNumber(ctx, aws, ids)
		must(t, err)
		wantIDs(t, "item errors", invErrs(errs), []string{"+12065550120:PhoneNumberAssociationsExist",
			"+12065550129:NotFound", ":NotFound"})
		wantIDs(t, "queue", invList(t, e, aws, chime.ListNumbersInput{Status: ptr("DeleteInProgress")}),
			[]string{"+12065550121", "+12065550122"})
		_, err = e.Svc.BatchDeletePhoneNumber(ctx, aws, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldNumberIDs)
		_, err = e.Svc.BatchDeletePhoneNumber(ctx, aws, make([]string, chime.MaxNumberBatch+1))
		wantErr(t, err, chime.EINVALID, chime.FieldNumberIDs)
		errs, err = e.Svc.BatchDeletePhoneNumber(ctx, aws, make([]string, chime.MaxNumberBatch))
		if err != nil || len(errs) != 1 { // a repeated ID is handled once, a repeated unknown one too (D46)
			t.Fatalf("50 empty IDs: %d errors, %v", len(errs), err)
		}

		// Limit 4: 120, 123 in the inventory, 121, 122 queued; two more fill it.
		invOrder(t, e, aws, "VoiceConnector", "+13125550120", "+13125550121")
		_, err = e.Svc.RestorePhoneNumber(ctx, aws, "+12065550121")
		wantErr(t, err, chime.ELIMIT, "")
		invStatus(t, e, aws, "+12065550121", chime.NumberDeleteInProgress)
		must(t, e.Svc.DeletePhoneNumber(ctx, aws, "+13125550121"))
		e.Clock.Advance(time.Second)
		n, err := e.Svc.RestorePhoneNumber(ctx, aws, "12065550121")
		must(t, err)
		if n.Status != chime.NumberUnassigned || !n.DeletedAt.IsZero() || !n.PurgeAt.IsZero() || n.UserID != "" ||
			!n.UpdatedAt.Equal(e.Clock.Now()) {
			t.Fatalf("restored: %+v", n)
		}
		if g := invGet(t, e, aws, "+12065550121"); g.Status != chime.NumberUnassigned || !g.DeletedAt.IsZero() {
			t.Fatalf("restored, read back: %+v", g)
		}
		_, err = e.Svc.RestorePhoneNumber(ctx, aws, "+12065550129")
		wantErr(t, err, chime.ENOTFOUND, "")
	})

	t.Run("list filters", func(t *testing.T) {
		aws := newTenant()
		invOrder(t, e, aws, "BusinessCalling", "+12065550130", "+12065550131")
		invOrder(t, e, aws, "SipMediaApplicationDialIn", "+61255500000")
		acct, user := invUser(t, e, aws, "+12065550131")
		for _, x := range []struct {
			in   chime.ListNumbersInput
			want []string
		}{
			{chime.ListNumbersInput{}, []string{"+12065550130", "+12065550131", "+61255500000"}},
			{chime.ListNumbersInput{FilterName: ptr("AccountId"), FilterValue: &acct}, []string{"+12065550131"}},
			{chime.ListNumbersInput{FilterName: ptr("UserId"), FilterValue: &user}, []string{"+12065550131"}},
			{chime.ListNumbersInput{FilterName: ptr("UserId"), FilterValue: ptr("")}, nil},
			{chime.ListNumbersInput{FilterName: ptr("SipRuleId"), FilterValue: &acct}, nil},
			{chime.ListNumbersInput{FilterName: ptr("AccountId"), FilterValue: &acct, Status: ptr("Unassigned")}, nil},
			{chime.ListNumbersInput{ProductType: ptr("BusinessCalling"), Status: ptr("Unassigned")}, []string{"+12065550130"}},
			{chime.ListNumbersInput{ProductType: ptr("SipMediaApplicationDialIn")}, []string{"+61255500000"}},
		} {
			if got := invList(t, e, aws, x.in); !slices.Equal(got, x.want) {
				t.Errorf("%+v: %v, want %v", x.in, got, x.want)
			}
		}
		for _, in := range []chime.ListNumbersInput{{FilterName: ptr("UserId")}, {FilterValue: &user}} {
			_, _, err := e.Svc.ListPhoneNumbers(ctx, aws, in)
			wantErr(t, err, chime.EINVALID, "")
		}
		_, next, err := e.Svc.ListPhoneNumbers(ctx, aws, chime.ListNumbersInput{MaxResults: 1})
		must(t, err)
		for _, in := range []chime.ListNumbersInput{{NextToken: &next, Status: ptr("Unassigned")}, {NextToken: ptr(strings.Repeat("x", 40))}} {
			in.MaxResults = 1
			_, _, err := e.Svc.ListPhoneNumbers(ctx, aws, in)
			wantErr(t, err, chime.EINVALID, "")
		}
		_, _, err = e.Svc.ListPhoneNumbers(ctx, newTenant(), chime.ListNumbersInput{NextToken: &next, MaxResults: 1})
		wantErr(t, err, chime.EINVALID, "")
		page, last, err := e.Svc.ListPhoneNumbers(ctx, aws, chime.ListNumbersInput{MaxResults: 3})
		if err != nil || len(page) != 3 || last != "" {
			t.Fatalf("exact page: %d numbers, token %q, %v", len(page), last, err)
		}
		empty, _, err := e.Svc.ListPhoneNumbers(ctx, newTenant(), chime.ListNumbersInput{})
		if err != nil || empty == nil || len(empty) != 0 {
			t.Fatalf("empty inventory: %v %v", empty, err)
		}
	})
}
