package chime_test

import (
	"fmt"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// User numbers (docs/behavior.md §4.22, D29) and the cascades that free them (D45, D48), against the store.

// newNumbersEnv is newEnv with the phone number options o (its clock and PIN source are the env's).
func newNumbersEnv(tb testing.TB, o chime.ServiceOptions) *env {
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

func mustOrder(tb testing.TB, e *env, aws, pt string, numbers ...string) *chime.PhoneNumberOrder {
	tb.Helper()
	o, err := e.Svc.CreatePhoneNumberOrder(ctx, aws, &pt, numbers)
	if err != nil {
		tb.Fatalf("CreatePhoneNumberOrder %v: %v", numbers, err)
	}
	return o
}

func mustNumber(tb testing.TB, e *env, aws, e164 string) *chime.PhoneNumber {
	tb.Helper()
	n, err := e.Svc.GetPhoneNumber(ctx, aws, e164)
	if err != nil {
		tb.Fatalf("GetPhoneNumber %s: %v", e164, err)
	}
	return n
}

// wantHolder fails unless e164 is Assigned to user u of account a (both "": Unassigned, nothing attached) and
// the user, when given, shows it.
func wantHolder(tb testing.TB, e *env, aws, e164, a, u string) {
	tb.Helper()
	n := mustNumber(tb, e, aws, e164)
	want := chime.NumberAssigned
	if u == "" {
		want = chime.NumberUnassigned
	}
	if n.Status != want || n.AccountID != a || n.UserID != u || (u == "") != n.AssociatedAt.IsZero() {
		tb.Fatalf("%s: %s %q/%q at %v, want %s %q/%q", e164, n.Status, n.AccountID, n.UserID, n.AssociatedAt, want, a, u)
	}
	if u != "" {
		if got := MustGetUser(tb, e, aws, a, u).PhoneNumber; got != e164 {
			tb.Fatalf("user %s shows number %q, want %s", u, got, e164)
		}
	}
}

func associateNumber(e *env, aws, a, u, e164 string) error {
	return e.Svc.AssociatePhoneNumberWithUser(ctx, aws, a, u, &e164)
}

func TestAssociateNumberRules(t *testing.T) {
	e := newNumbersEnv(t, chime.ServiceOptions{OrderDelay: time.Hour, DeletionQueue: 30 * time.Minute})
	aws, other := newTenant(), newTenant()
	const free, taken, vc, queued, pending, purged, foreign = "+12065550100", "+12065550101", "+12065550102",
		"+12065550103", "+12065550104", "+12065550105", "+12065550106"
	mustOrder(t, e, aws, "BusinessCalling", free, taken, queued, purged)
	mustOrder(t, e, aws, "VoiceConnector", vc)
	mustOrder(t, e, other, "BusinessCalling", foreign)
	e.Clock.Advance(time.Hour)
	mustOrder(t, e, aws, "BusinessCalling", pending)
	must(t, e.Svc.DeletePhoneNumber(ctx, aws, purged))
	e.Clock.Advance(31 * time.Minute) // purged is gone for good; pending is still being acquired
	must(t, e.Svc.DeletePhoneNumber(ctx, aws, queued))

	a := MustAccount(t, e, aws, "rules", chime.AccountEnterpriseDirectory)
	u := MustCreateUser(t, e, aws, a.ID, newEmail("u"))
	v := MustCreateUser(t, e, aws, a.ID, newEmail("v"))
	must(t, associateNumber(e, aws, a.ID, v.ID, taken))

	wantErr(t, e.Svc.AssociatePhoneNumberWithUser(ctx, aws, "nope", "nope", nil), chime.EINVALID, chime.FieldE164Number)
	for _, bad := range []string{"", "+", "+0206", "2", "+1206555010a", "+1234567890123456"} {
		wantErr(t, associateNumber(e, aws, "nope", "nope", bad), chime.EINVALID, chime.FieldE164Number)
	}
	wantErr(t, associateNumber(e, aws, "00000000-0000-4000-8000-000000000000", u.ID, free), chime.ENOTFOUND, "")
	wantErr(t, associateNumber(e, other, a.ID, u.ID, free), chime.ENOTFOUND, "")
	wantErr(t, associateNumber(e, aws, a.ID, "00000000-0000-4000-8000-000000000000", free), chime.ENOTFOUND, "")
	for _, n := range []string{"+12065550199", foreign, purged} {
		wantErr(t, associateNumber(e, aws, a.ID, v.ID, n), chime.ENOTFOUND, "") // v has a number: 404 comes first
	}
	for _, n := range []string{vc, pending, queued} {
		wantErr(t, associateNumber(e, aws, a.ID, v.ID, n), chime.EINVALID, "")
		wantErr(t, associateNumber(e, aws, a.ID, u.ID, n), chime.EINVALID, "")
	}
	wantErr(t, associateNumber(e, aws, a.ID, u.ID, taken), chime.EASSOCIATED, "")
	wantErr(t, associateNumber(e, aws, a.ID, v.ID, free), chime.EINVALID, "")
	must(t, associateNumber(e, aws, a.ID, v.ID, taken)) // no-op
	wantHolder(t, e, aws, taken, a.ID, v.ID)
	wantHolder(t, e, aws, free, "", "")

	// Time moves on: the order completes, and so is given; its UpdatedTimestamp is the association's.
	e.Clock.Advance(time.Hour)
	must(t, associateNumber(e, aws, a.ID, u.ID, "12065550104"))
	wantHolder(t, e, aws, pending, a.ID, u.ID)
	n := mustNumber(t, e, aws, pending)
	if !n.UpdatedAt.Equal(e.Clock.Now()) || !n.AssociatedAt.Equal(e.Clock.Now()) {
		t.Fatalf("UpdatedAt %v, AssociatedAt %v, want %v", n.UpdatedAt, n.AssociatedAt, e.Clock.Now())
	}
	e.Clock.Advance(time.Minute)
	must(t, associateNumber(e, aws, a.ID, u.ID, pending)) // the no-op keeps the times
	if n2 := mustNumber(t, e, aws, pending); !n2.UpdatedAt.Equal(n.UpdatedAt) || !n2.AssociatedAt.Equal(n.AssociatedAt) {
		t.Fatalf("no-op moved the number's times: %v %v", n2.UpdatedAt, n2.AssociatedAt)
	}

	must(t, e.Svc.DisassociatePhoneNumberFromUser(ctx, aws, a.ID, u.ID))
	wantHolder(t, e, aws, pending, "", "")
	if n := mustNumber(t, e, aws, pending); !n.UpdatedAt.Equal(e.Clock.Now()) {
		t.Fatalf("disassociated at %v, UpdatedAt %v", e.Clock.Now(), n.UpdatedAt)
	}
	if got := MustGetUser(t, e, aws, a.ID, u.ID).PhoneNumber; got != "" {
		t.Fatalf("user keeps %q", got)
	}
	must(t, e.Svc.DisassociatePhoneNumberFromUser(ctx, aws, a.ID, u.ID)) // nothing attached
	wantErr(t, e.Svc.DisassociatePhoneNumberFromUser(ctx, other, a.ID, u.ID), chime.ENOTFOUND, "")
	wantErr(t, e.Svc.DisassociatePhoneNumberFromUser(ctx, aws, a.ID, "00000000-0000-4000-8000-000000000000"), chime.ENOTFOUND, "")
}

// A number freed by a cascade keeps its pending calling-name change; the cascade's write does not settle it early.
func TestReleaseKeepsPendingCallingName(t *testing.T) {
	e := newNumbersEnv(t, chime.ServiceOptions{CallingNameDelay: time.Hour})
	aws := newTenant()
	const num = "+12065550100"
	mustOrder(t, e, aws, "BusinessCalling", num)
	a := MustAccount(t, e, aws, "team", chime.AccountTeam)
	MustInvite(t, e, aws, a.ID, "cn@example.com")
	u := MustUserByEmail(t, e, aws, a.ID, "cn@example.com")
	must(t, associateNumber(e, aws, a.ID, u.ID, num))
	if _, err := e.Svc.UpdatePhoneNumber(ctx, aws, num, chime.NumberUpdate{CallingName: ptr("Acme")}); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(time.Minute)
	if _, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{u.ID}); err != nil {
		t.Fatal(err)
	}
	wantNoUser(t, e, aws, a.ID, u.ID)
	wantHolder(t, e, aws, num, "", "")
	if n := mustNumber(t, e, aws, num); n.CallingNameStatus != chime.CallingNameUpdateInProgress {
		t.Fatalf("calling name %s right after the cascade", n.CallingNameStatus)
	}
	e.Clock.Advance(time.Hour)
	if n := mustNumber(t, e, aws, num); n.CallingNameStatus != chime.CallingNameUpdateSucceeded || *n.CallingName != "Acme" {
		t.Fatalf("calling name %s %v an hour later", n.CallingNameStatus, n.CallingName)
	}
}

// DeleteAccount frees the numbers of every user of the account, past the store's page of 100, and no other.
func TestDeleteAccountReleasesNumbers(t *testing.T) {
	e := newNumbersEnv(t, chime.ServiceOptions{})
	aws := newTenant()
	const users = 105
	nums := seq("+1206555", 4, 100, 100+users)
	mustOrder(t, e, aws, "BusinessCalling", nums[:100]...)
	mustOrder(t, e, aws, "BusinessCalling", nums[100:]...)
	a := MustAccount(t, e, aws, "big", chime.AccountTeam)
	var emails []string
	for i := range users {
		emails = append(emails, fmt.Sprintf("big%03d@example.com", i))
	}
	MustInvite(t, e, aws, a.ID, emails[:50]...)
	MustInvite(t, e, aws, a.ID, emails[50:100]...)
	MustInvite(t, e, aws, a.ID, emails[100:]...)
	list := MustListUsers(t, e, aws, a.ID, 200)
	if len(list) != users {
		t.Fatalf("%d users", len(list))
	}
	for i, u := range list {
		must(t, associateNumber(e, aws, a.ID, u.ID, nums[i]))
	}
	keep := MustAccount(t, e, aws, "keep", chime.AccountEnterpriseDirectory)
	k := MustCreateUser(t, e, aws, keep.ID, newEmail("keep"))
	must(t, associateNumber(e, aws, keep.ID, k.ID, nums[users]))

	wantErr(t, e.Svc.DeleteAccount(ctx, aws, a.ID), chime.EUNPROCESSABLE, "") // Team with users
	wantHolder(t, e, aws, nums[0], a.ID, list[0].ID)
	MustSetType(t, e, aws, a.ID, chime.AccountEnterpriseLWA)
	for i := 0; i < users; i += 50 {
		if _, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, userIDs(list[i:min(i+50, users)])); err != nil {
			t.Fatal(err)
		}
	}
	wantHolder(t, e, aws, nums[7], a.ID, list[7].ID) // suspended LWA users keep their numbers
	must(t, e.Svc.DeleteAccount(ctx, aws, a.ID))
	for _, n := range nums[:users] {
		wantHolder(t, e, aws, n, "", "")
	}
	wantHolder(t, e, aws, nums[users], keep.ID, k.ID)
	// The freed numbers can be given again.
	must(t, e.Svc.DisassociatePhoneNumberFromUser(ctx, aws, keep.ID, k.ID))
	must(t, associateNumber(e, aws, keep.ID, k.ID, nums[0]))
	wantHolder(t, e, aws, nums[0], keep.ID, k.ID)
}

// BatchSuspendUser on Team frees the numbers of the removed users only, and refused items change nothing.
func TestSuspendReleasesNumbers(t *testing.T) {
	e := newNumbersEnv(t, chime.ServiceOptions{})
	aws := newTenant()
	nums := seq("+1206555", 4, 100, 102)
	mustOrder(t, e, aws, "BusinessCalling", nums...)
	a := MustAccount(t, e, aws, "team", chime.AccountTeam)
	u1, _ := MustMember(t, e, aws, a.ID, "s1@example.com")
	u2, _ := MustMember(t, e, aws, a.ID, "s2@example.com")
	must(t, associateNumber(e, aws, a.ID, u1.ID, nums[0]))
	must(t, associateNumber(e, aws, a.ID, u2.ID, nums[1]))
	errs, err := e.Svc.BatchSuspendUser(ctx, aws, a.ID, []string{u1.ID, "00000000-0000-4000-8000-000000000000", u1.ID})
	if err != nil || len(errs) != 1 {
		t.Fatalf("BatchSuspendUser: %v %+v", err, errs)
	}
	wantNoUser(t, e, aws, a.ID, u1.ID)
	wantHolder(t, e, aws, nums[0], "", "")
	wantHolder(t, e, aws, nums[1], a.ID, u2.ID)
	// Directory accounts refuse BatchSuspendUser as a whole: nothing is freed.
	d := MustAccount(t, e, aws, "dir", chime.AccountEnterpriseDirectory)
	du := MustCreateUser(t, e, aws, d.ID, newEmail("d"))
	must(t, associateNumber(e, aws, d.ID, du.ID, nums[2]))
	_, err = e.Svc.BatchSuspendUser(ctx, aws, d.ID, []string{du.ID})
	wantErr(t, err, chime.EINVALID, "")
	wantHolder(t, e, aws, nums[2], d.ID, du.ID)

	// A reset takes every number and order of the AWS account; they are never acquired again.
	must(t, e.Svc.ResetTenant(ctx, aws))
	for _, n := range nums {
		_, err := e.Svc.GetPhoneNumber(ctx, aws, n)
		wantErr(t, err, chime.ENOTFOUND, "")
	}
	if o := mustOrder(t, e, aws, "BusinessCalling", nums[0]); o.Outcome != chime.OrderFailed {
		t.Fatalf("re-order after reset: %s", o.Outcome)
	}
}
