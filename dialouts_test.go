package chime_test

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// CreateMeetingDialOut and the dial-out outbox (docs/behavior.md §4.38, §9.8; D40, D47, D48): the rules against the
// store, on the engine testenv.DSN chooses.

const (
	meetingA = "5b6a5d8e-3c4f-4e7a-9b1c-2d3e4f5a6b7c"
	meetingB = "0f1e2d3c-4b5a-4697-8877-665544332211"
	joinTok  = "ABCdef0123+/xyz"
)

var txnIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func dialIn(meeting, from, to, token string) chime.DialOutInput {
	return chime.DialOutInput{MeetingID: &meeting, FromPhoneNumber: &from, ToPhoneNumber: &to, JoinToken: &token}
}

func mustDialOut(tb testing.TB, e *env, aws string, in chime.DialOutInput) *chime.DialOut {
	tb.Helper()
	d, err := e.Svc.CreateMeetingDialOut(ctx, aws, in)
	if err != nil {
		tb.Fatalf("CreateMeetingDialOut: %v", err)
	}
	return d
}

func dialOuts(tb testing.TB, e *env, aws string) []*chime.DialOut {
	tb.Helper()
	l, err := e.Svc.DialOuts(ctx, aws, "")
	if err != nil {
		tb.Fatalf("DialOuts: %v", err)
	}
	return l
}

func TestDialOutRules(t *testing.T) {
	e := invEnv(t, chime.ServiceOptions{OrderDelay: time.Hour})

	t.Run("success and outbox", func(t *testing.T) {
		aws := newTenant()
		invOrder(t, e, aws, "BusinessCalling", "+12065550100")
		e.Clock.Advance(time.Hour) // the order completes: Unassigned
		before := e.Clock.Now()
		d := mustDialOut(t, e, aws, dialIn(meetingA, "12065550100", "+14155550123", joinTok))
		if !txnIDPattern.MatchString(d.TransactionID) {
			t.Fatalf("TransactionId = %q", d.TransactionID)
		}
		d2 := mustDialOut(t, e, aws, dialIn(meetingA, "+12065550100", "4155550124", joinTok+"2"))
		if d2.TransactionID == d.TransactionID {
			t.Fatal("same TransactionId twice")
		}
		l := dialOuts(t, e, aws)
		if len(l) != 2 {
			t.Fatalf("outbox: %d entries", len(l))
		}
		got := *l[0]
		if got.TransactionID != d.TransactionID || got.MeetingID != meetingA || got.From != "+12065550100" ||
			got.To != "+14155550123" || got.JoinToken != joinTok || !got.CreatedAt.Equal(before) {
			t.Fatalf("outbox[0] = %+v", got)
		}
		if l[1].TransactionID != d2.TransactionID || l[1].To != "+4155550124" || l[1].JoinToken != joinTok+"2" {
			t.Fatalf("outbox[1] = %+v", *l[1])
		}
		// Sealed in the store: the stored bytes do not contain the token.
		if strings.Contains(string(got.SealedJoinToken), joinTok) {
			t.Fatal("join token stored in clear")
		}
		// An Assigned number may dial out too.
		invOrder(t, e, aws, "BusinessCalling", "+12065550101")
		e.Clock.Advance(time.Hour)
		invUser(t, e, aws, "+12065550101")
		mustDialOut(t, e, aws, dialIn(meetingB, "+12065550101", "+14155550123", joinTok))
		// Other AWS accounts see nothing.
		if l := dialOuts(t, e, newTenant()); len(l) != 0 {
			t.Fatalf("other tenant sees %d", len(l))
		}
	})

	t.Run("input rules", func(t *testing.T) {
		aws := newTenant()
		invOrder(t, e, aws, "BusinessCalling", "+12065550110")
		e.Clock.Advance(time.Hour)
		const from, to = "+12065550110", "+14155550123"
		for _, tc := range []struct {
			in    chime.DialOutInput
			field chime.Field
		}{
			{dialIn("not-a-guid", from, to, joinTok), chime.FieldMeetingID},
			{dialIn("5b6a5d8e3c4f4e7a9b1c2d3e4f5a6b7c", from, to, joinTok), chime.FieldMeetingID},
			{dialIn(strings.Repeat("a", 300)+meetingA, from, to, joinTok), chime.FieldMeetingID},
			{dialIn(meetingA, "+012065550110", to, joinTok), chime.FieldFromPhoneNumber},
			{dialIn(meetingA, "+1", to, joinTok), chime.FieldFromPhoneNumber},
			{dialIn(meetingA, "+1206555011000000", to, joinTok), chime.FieldFromPhoneNumber},
			{dialIn(meetingA, "+1206-555-0110", to, joinTok), chime.FieldFromPhoneNumber},
			{dialIn(meetingA, from, "++14155550123", joinTok), chime.FieldToPhoneNumber},
			{dialIn(meetingA, from, "", joinTok), chime.FieldToPhoneNumber},
			{dialIn(meetingA, from, to, "a"), chime.FieldJoinToken},
			{dialIn(meetingA, from, to, strings.Repeat("a", 2049)), chime.FieldJoinToken},
			{dialIn(meetingA, from, to, "abc=="), chime.FieldJoinToken},
			{dialIn(meetingA, from, to, "abc def"), chime.FieldJoinToken},
			{dialIn(meetingA, from, from, joinTok), chime.FieldToPhoneNumber},
			{dialIn(meetingA, from, "12065550110", joinTok), chime.FieldToPhoneNumber}, // the same number without '+'
			{chime.DialOutInput{}, chime.FieldMeetingID},
			{chime.DialOutInput{MeetingID: ptr(meetingA)}, chime.FieldFromPhoneNumber},
			{chime.DialOutInput{MeetingID: ptr(meetingA), FromPhoneNumber: ptr(from)}, chime.FieldToPhoneNumber},
			{chime.DialOutInput{MeetingID: ptr(meetingA), FromPhoneNumber: ptr(from), ToPhoneNumber: ptr(to)}, chime.FieldJoinToken},
		} {
			_, err := e.Svc.CreateMeetingDialOut(ctx, aws, tc.in)
			wantErr(t, err, chime.EINVALID, tc.field)
			if strings.Contains(chime.ErrorMessage(err), joinTok) {
				t.Fatalf("message shows the join token: %v", err)
			}
		}
		// Input rules come before the From check (D47): an unknown From with a bad token is 400.
		_, err := e.Svc.CreateMeetingDialOut(ctx, aws, dialIn(meetingA, "+19995550100", to, "a"))
		wantErr(t, err, chime.EINVALID, chime.FieldJoinToken)
		// Edges that pass: an unanchored GUID, 2 and 2,048 token characters, upper-case hex.
		for _, in := range []chime.DialOutInput{
			dialIn("meeting:"+meetingA+":x", from, to, joinTok),
			dialIn(strings.ToUpper(meetingA), from, to, "ab"),
			dialIn(meetingA, from, "+44", strings.Repeat("z", 2048)),
		} {
			mustDialOut(t, e, aws, in)
		}
		if l := dialOuts(t, e, aws); len(l) != 3 {
			t.Fatalf("refused dial-outs were recorded: %d", len(l))
		}
	})

	t.Run("From must be usable", func(t *testing.T) {
		aws, other := newTenant(), newTenant()
		invOrder(t, e, other, "BusinessCalling", "+12065550120")
		invOrder(t, e, aws, "BusinessCalling", "+12065550121", "+12065550122")
		e.Clock.Advance(time.Hour)
		invOrder(t, e, aws, "BusinessCalling", "+12065550123") // pending for an hour: AcquireInProgress
		must(t, e.Svc.DeletePhoneNumber(ctx, aws, "+12065550122"))
		const to = "+14155550123"
		for _, from := range []string{
			"+12065550129", // never ordered
			"+12065550120", // another AWS account's
			"+12065550123", // AcquireInProgress
			"+12065550122", // DeleteInProgress
		} {
			_, err := e.Svc.CreateMeetingDialOut(ctx, aws, dialIn(meetingA, from, to, joinTok))
			wantErr(t, err, chime.EACCESSDENIED, "")
		}
		mustDialOut(t, e, aws, dialIn(meetingA, "+12065550121", to, joinTok))
		// Settled at the server clock: the pending order completes at T0 + 1 h, and from then on the number works.
		e.Clock.Advance(time.Hour)
		mustDialOut(t, e, aws, dialIn(meetingA, "+12065550123", to, joinTok))
		if l := dialOuts(t, e, aws); len(l) != 2 {
			t.Fatalf("outbox: %d", len(l))
		}
		if l := dialOuts(t, e, other); len(l) != 0 {
			t.Fatalf("other tenant's outbox: %d", len(l))
		}
	})

	t.Run("250 per meeting and reset", func(t *testing.T) {
		aws, other := newTenant(), newTenant()
		invOrder(t, e, aws, "BusinessCalling", "+12065550130")
		invOrder(t, e, other, "BusinessCalling", "+12065550131")
		e.Clock.Advance(time.Hour)
		for range chime.MaxDialOutsPerMeeting {
			mustDialOut(t, e, aws, dialIn(meetingA, "+12065550130", "+14155550123", joinTok))
		}
		_, err := e.Svc.CreateMeetingDialOut(ctx, aws, dialIn(meetingA, "+12065550130", "+14155550199", joinTok))
		wantErr(t, err, chime.ELIMIT, "")
		// The limit is per meeting ID (as sent) and per AWS account.
		mustDialOut(t, e, aws, dialIn(meetingB, "+12065550130", "+14155550123", joinTok))
		mustDialOut(t, e, other, dialIn(meetingA, "+12065550131", "+14155550123", joinTok))
		// The From check precedes the limit (D47).
		_, err = e.Svc.CreateMeetingDialOut(ctx, aws, dialIn(meetingA, "+12065550131", "+14155550123", joinTok))
		wantErr(t, err, chime.EACCESSDENIED, "")
		if l := dialOuts(t, e, aws); len(l) != chime.MaxDialOutsPerMeeting+1 || l[len(l)-1].MeetingID != meetingB {
			t.Fatalf("outbox: %d entries", len(l))
		}
		// Reset clears the caller's dial-outs, and the count with them (D48); the other tenant keeps its own.
		must(t, e.Svc.ResetTenant(ctx, aws))
		if l := dialOuts(t, e, aws); len(l) != 0 {
			t.Fatalf("after reset: %d", len(l))
		}
		if l := dialOuts(t, e, other); len(l) != 1 {
			t.Fatalf("other tenant after reset: %d", len(l))
		}
		// Reset removed the inventory too: the From number is gone.
		_, err = e.Svc.CreateMeetingDialOut(ctx, aws, dialIn(meetingA, "+12065550130", "+14155550123", joinTok))
		wantErr(t, err, chime.EACCESSDENIED, "")
	})

	t.Run("concurrent near the limit", func(t *testing.T) {
		aws := newTenant()
		var froms []string
		for i := range 10 {
			froms = append(froms, fmt.Sprintf("+1206555015%d", i))
		}
		invOrder(t, e, aws, "BusinessCalling", froms...)
		e.Clock.Advance(time.Hour)
		const free = 5
		for range chime.MaxDialOutsPerMeeting - free {
			mustDialOut(t, e, aws, dialIn(meetingA, froms[0], "+14155550123", joinTok))
		}
		const n = 40
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				// Ten From numbers: the rows they lock do not serialize the requests; the meeting's lock must.
				_, errs[i] = e.Svc.CreateMeetingDialOut(ctx, aws, dialIn(meetingA, froms[i%len(froms)], "+14155550123", joinTok))
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch chime.ErrorCode(err) {
			case "":
				ok++
			case chime.ELIMIT:
			default:
				t.Fatalf("concurrent dial-out: %v", err)
			}
		}
		if ok != free {
			t.Fatalf("%d of %d concurrent dial-outs succeeded, want %d", ok, n, free)
		}
		if l := dialOuts(t, e, aws); len(l) != chime.MaxDialOutsPerMeeting {
			t.Fatalf("outbox: %d, want %d", len(l), chime.MaxDialOutsPerMeeting)
		}
	})
}

// TestDialOutOutboxBound: the listing shows the latest DialOutOutboxLimit dial-outs, oldest first.
func TestDialOutOutboxBound(t *testing.T) {
	e := invEnv(t, chime.ServiceOptions{})
	aws := newTenant()
	invOrder(t, e, aws, "BusinessCalling", "+12065550150")
	meetings := []string{}
	total := chime.DialOutOutboxLimit + 5
	for i := range total {
		m := strings.Replace(meetingA, "5b6a5d8e", "5b6a"+hex4(i), 1)
		meetings = append(meetings, m)
		e.Clock.Advance(time.Millisecond)
		mustDialOut(t, e, aws, dialIn(m, "+12065550150", "+14155550123", joinTok))
	}
	l := dialOuts(t, e, aws)
	if len(l) != chime.DialOutOutboxLimit {
		t.Fatalf("outbox: %d, want %d", len(l), chime.DialOutOutboxLimit)
	}
	if l[0].MeetingID != meetings[5] || l[len(l)-1].MeetingID != meetings[total-1] {
		t.Fatalf("outbox spans %s … %s", l[0].MeetingID, l[len(l)-1].MeetingID)
	}
	for i := 1; i < len(l); i++ {
		if l[i].CreatedAt.Before(l[i-1].CreatedAt) {
			t.Fatalf("not oldest first at %d", i)
		}
	}
}

func hex4(i int) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[i>>12&15], digits[i>>8&15], digits[i>>4&15], digits[i&15]})
}
