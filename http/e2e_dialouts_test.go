package http_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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

// CreateMeetingDialOut and GET /_chimed/dial-outs (docs/behavior.md §4.38, §9.8; D40, D47, D48), end to end through
// aws-sdk-go-v2: the 201 shape, every modeled error (400 input rules, 403 AccessDenied for the From number, 400
// ResourceLimitExceeded at the 251st dial-out of a meeting), tenancy, the outbox, reset, and concurrent requests
// at the limit. The join token never reaches the log.

const (
	doMeeting = "5b6a5d8e-3c4f-4e7a-9b1c-2d3e4f5a6b7c"
	doToken   = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo+/0123"
	doTo      = "+14155550123"
)

// logText returns what the server logged so far (syncBuffer: auth_presign_e2e_test.go).
func logText(b *syncBuffer) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

func dialOut(c *chime.Client, meeting, from, to, token string) (*chime.CreateMeetingDialOutOutput, error) {
	return c.CreateMeetingDialOut(ctx, &chime.CreateMeetingDialOutInput{MeetingId: aws.String(meeting),
		FromPhoneNumber: aws.String(from), ToPhoneNumber: aws.String(to), JoinToken: aws.String(token)})
}

func mustDialOut(tb testing.TB, c *chime.Client, meeting, from, to, token string) string {
	tb.Helper()
	out, err := dialOut(c, meeting, from, to, token)
	if err != nil {
		tb.Fatalf("CreateMeetingDialOut %s → %s: %v", from, to, err)
	}
	checkMeta(tb, out.ResultMetadata, 201)
	id := aws.ToString(out.TransactionId)
	if !orderIDPattern.MatchString(id) {
		tb.Fatalf("TransactionId = %q, want a lowercase UUID v4", id)
	}
	return id
}

func wantAccessDenied(tb testing.TB, err error) {
	tb.Helper()
	var ad *types.AccessDeniedException
	if !errors.As(err, &ad) || ad.Code != types.ErrorCodeAccessDenied {
		tb.Errorf("got %v, want AccessDeniedException", err)
		return
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
		tb.Errorf("AccessDenied: not a 403: %v", err)
	}
}

type wireDialOut struct {
	TransactionId, MeetingId, FromPhoneNumber, ToPhoneNumber, JoinToken, CreatedTimestamp string
}

func listDialOuts(tb testing.TB, s *testServer, keyID string) []wireDialOut {
	tb.Helper()
	return listDialOutsAt(tb, s, keyID, "/_chimed/dial-outs")
}

// listDialOutsAt is listDialOuts of path (with a query).
func listDialOutsAt(tb testing.TB, s *testServer, keyID, path string) []wireDialOut {
	tb.Helper()
	r := s.raw(tb, keyID, "GET", path, nil)
	if r.Status != 200 || r.Header.Get("Cache-Control") != "no-store" {
		tb.Fatalf("GET /_chimed/dial-outs: %d %v %s", r.Status, r.Header, r.Body)
	}
	var out struct{ DialOuts []wireDialOut }
	if err := json.Unmarshal(r.Body, &out); err != nil || out.DialOuts == nil {
		tb.Fatalf("GET /_chimed/dial-outs: %s (%v)", r.Body, err)
	}
	return out.DialOuts
}

// newDialOutServer starts a server with a one-hour order delay and clock control, and numbers: tenantA's
// +12065550100/01 Unassigned, 02 DeleteInProgress, 03 AcquireInProgress; tenantB's +12065550110 Unassigned.
func newDialOutServer(tb testing.TB, logger *slog.Logger) *testServer {
	tb.Helper()
	ts := testenv.NewServer(tb, testenv.Config{DSN: testDSN(tb), AllowClockControl: true, Logger: logger,
		Service: chimed.ServiceOptions{OrderDelay: time.Hour}})
	s := &testServer{URL: ts.URL, store: ts.Store}
	a, b := s.client(tenantA), s.client(tenantB)
	putClock(tb, s, 0)
	mustOrder(tb, a, bc, "+12065550100", "+12065550101", "+12065550102")
	mustOrder(tb, b, bc, "+12065550110")
	putClock(tb, s, 3600)
	if _, err := placeOrder(a, bc, "+12065550103"); err != nil { // (mustOrder wants wall-clock timestamps)
		tb.Fatal(err)
	}
	if _, err := a.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String("+12065550102")}); err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestCreateMeetingDialOutE2E(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	s := newDialOutServer(t, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	a, b := s.client(tenantA), s.client(tenantB)

	// Success: 201 {"TransactionId"}, recorded with the server clock.
	before := putClock(t, s, 3600).now(t)
	id1 := mustDialOut(t, a, doMeeting, "+12065550100", doTo, doToken)
	r := s.rawJSON(t, tenantA, "POST", "/meetings/"+doMeeting+"/dial-outs", map[string]string{
		"FromPhoneNumber": "12065550101", "ToPhoneNumber": "442079460000", "JoinToken": "ab"})
	if r.Status != 201 {
		t.Fatalf("raw dial-out: %d %s", r.Status, r.Body)
	}
	var body map[string]string
	if err := json.Unmarshal(r.Body, &body); err != nil || len(body) != 1 || !orderIDPattern.MatchString(body["TransactionId"]) {
		t.Fatalf("raw dial-out body: %s", r.Body)
	}
	id2 := body["TransactionId"]
	after := putClock(t, s, 3600).now(t)
	l := listDialOuts(t, s, tenantA)
	if len(l) != 2 {
		t.Fatalf("outbox: %+v", l)
	}
	if w := (wireDialOut{id1, doMeeting, "+12065550100", doTo, doToken, l[0].CreatedTimestamp}); l[0] != w {
		t.Errorf("outbox[0] = %+v, want %+v", l[0], w)
	}
	if w := (wireDialOut{id2, doMeeting, "+12065550101", "+442079460000", "ab", l[1].CreatedTimestamp}); l[1] != w {
		t.Errorf("outbox[1] = %+v, want %+v", l[1], w)
	}
	for _, d := range l {
		if !wireTimestamp.MatchString(d.CreatedTimestamp) {
			t.Fatalf("CreatedTimestamp %q", d.CreatedTimestamp)
		}
		ts, _ := time.Parse(time.RFC3339, d.CreatedTimestamp)
		within(t, "CreatedTimestamp", ts, before, after)
	}

	// Input rules → 400 BadRequest (the Go SDK validates none of them).
	long := strings.Repeat("A", 2049)
	for _, tc := range [][4]string{
		{"not-a-guid", "+12065550100", doTo, doToken},
		{"5b6a5d8e3c4f4e7a9b1c2d3e4f5a6b7c", "+12065550100", doTo, doToken},
		{doMeeting, "+02065550100", doTo, doToken},
		{doMeeting, "+1", doTo, doToken},
		{doMeeting, "+1206555010012345", doTo, doToken},
		{doMeeting, "+12065550100", "tel:+14155550123", doToken},
		{doMeeting, "+12065550100", "", doToken},
		{doMeeting, "+12065550100", doTo, "a"},
		{doMeeting, "+12065550100", doTo, long},
		{doMeeting, "+12065550100", doTo, "abc="},
		{doMeeting, "+12065550100", doTo, "abc-def"},
		{doMeeting, "+12065550100", "+12065550100", doToken}, // To = From
		{doMeeting, "+12065550100", "12065550100", doToken},  // the same number without '+'
		{"not-a-guid", "+19995550100", doTo, doToken},        // input rules before the From check (D47)
	} {
		_, err := dialOut(a, tc[0], tc[1], tc[2], tc[3])
		wantBadRequest(t, err)
	}
	for _, body := range []string{`{}`, `{"FromPhoneNumber":"+12065550100","ToPhoneNumber":"+14155550123"}`,
		`{"FromPhoneNumber":"+12065550100","JoinToken":"abc"}`, `{"ToPhoneNumber":"+14155550123","JoinToken":"abc"}`,
		`{"FromPhoneNumber":12065550100,"ToPhoneNumber":"+14155550123","JoinToken":"abc"}`, `not json`} {
		r := s.raw(t, tenantA, "POST", "/meetings/"+doMeeting+"/dial-outs", []byte(body))
		wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	}

	// The From number must be an Unassigned or Assigned number of the caller's inventory → else 403 AccessDenied.
	for _, from := range []string{
		"+12065550199", // never ordered
		"+12065550110", // tenantB's
		"+12065550103", // AcquireInProgress (the order delay)
		"+12065550102", // DeleteInProgress
	} {
		_, err := dialOut(a, doMeeting, from, doTo, doToken)
		wantAccessDenied(t, err)
	}
	r = s.rawJSON(t, tenantA, "POST", "/meetings/"+doMeeting+"/dial-outs", map[string]string{
		"FromPhoneNumber": "+12065550110", "ToPhoneNumber": doTo, "JoinToken": doToken})
	wantRawErr(t, r, 403, "AccessDeniedException", "AccessDenied")
	// The pending order completes at the server clock: then the number works.
	putClock(t, s, 2*3600)
	mustDialOut(t, a, doMeeting, "+12065550103", doTo, doToken)

	// Tenancy: tenantB dials out with its own number, sees only its own dial-outs, and A sees none of B's.
	idB := mustDialOut(t, b, doMeeting, "+12065550110", doTo, doToken)
	if lb := listDialOuts(t, s, tenantB); len(lb) != 1 || lb[0].TransactionId != idB {
		t.Fatalf("tenantB's outbox: %+v", lb)
	}
	if la := listDialOuts(t, s, tenantA); len(la) != 3 || la[2].FromPhoneNumber != "+12065550103" {
		t.Fatalf("tenantA's outbox: %+v", la)
	}
	// ?meeting-id= lists one meeting's dial-outs (of the caller only).
	other := mustDialOut(t, a, "0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f", "+12065550100", doTo, doToken)
	if l := listDialOutsAt(t, s, tenantA, "/_chimed/dial-outs?meeting-id=0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f"); len(l) != 1 || l[0].TransactionId != other {
		t.Fatalf("one meeting's dial-outs: %+v", l)
	}
	if l := listDialOutsAt(t, s, tenantA, "/_chimed/dial-outs?meeting-id="+doMeeting); len(l) != 3 || l[0].TransactionId != id1 {
		t.Fatalf("doMeeting's dial-outs: %+v", l)
	}
	if l := listDialOutsAt(t, s, tenantB, "/_chimed/dial-outs?meeting-id=0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f"); len(l) != 0 {
		t.Fatalf("tenantB sees tenantA's meeting: %+v", l)
	}

	// Reset clears the caller's dial-outs only (D48).
	if r := s.raw(t, tenantB, "POST", "/_chimed/reset", nil); r.Status != 204 && r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if lb := listDialOuts(t, s, tenantB); len(lb) != 0 {
		t.Fatalf("tenantB after reset: %+v", lb)
	}
	if la := listDialOuts(t, s, tenantA); len(la) != 4 {
		t.Fatalf("tenantA after B's reset: %d", len(la))
	}

	// The join token never reaches the log (the server logs every request at debug level here).
	text := logText(logs)
	if !strings.Contains(text, "CreateMeetingDialOut") {
		t.Fatalf("the requests were not logged: %.300s", text)
	}
	if strings.Contains(text, doToken) || strings.Contains(text, long[:100]) {
		t.Fatal("the join token was logged")
	}
}

// TestMeetingDialOutLimitE2E: 250 dial-outs per meeting ID and AWS account; 260 requests from 16 concurrent
// clients at one meeting: exactly 250 succeed, the rest are 400 ResourceLimitExceeded, and the 251st afterwards
// too; other meetings and other AWS accounts have their own counts.
func TestMeetingDialOutLimitE2E(t *testing.T) {
	t.Parallel()
	s := newDialOutServer(t, nil)
	a, b := s.client(tenantA), s.client(tenantB)
	const total, workers = chimed.MaxDialOutsPerMeeting + 10, 16
	var (
		mu       sync.Mutex
		ok, over int
		other    []error
		wg       sync.WaitGroup
	)
	jobs := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				from := []string{"+12065550100", "+12065550101"}[i%2] // two From numbers: the meeting's lock decides
				_, err := dialOut(a, doMeeting, from, fmt.Sprintf("+1415555%04d", i), doToken)
				var rl *types.ResourceLimitExceededException
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.As(err, &rl):
					over++
					wantLimit(t, err)
				default:
					other = append(other, err)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range total {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	if len(other) > 0 || ok != chimed.MaxDialOutsPerMeeting || over != total-ok {
		t.Fatalf("%d succeeded, %d over the limit, other errors %v", ok, over, other)
	}
	_, err := dialOut(a, doMeeting, "+12065550100", doTo, doToken)
	wantLimit(t, err)
	// The From check comes before the limit (D47).
	_, err = dialOut(a, doMeeting, "+12065550199", doTo, doToken)
	wantAccessDenied(t, err)
	if l := listDialOuts(t, s, tenantA); len(l) != chimed.MaxDialOutsPerMeeting {
		t.Fatalf("outbox: %d", len(l))
	}
	// Another meeting, another AWS account: their own counts.
	mustDialOut(t, a, "0f1e2d3c-4b5a-4697-8877-665544332211", "+12065550100", doTo, doToken)
	mustDialOut(t, b, doMeeting, "+12065550110", doTo, doToken)
	// Reset empties the count (D48).
	if r := s.raw(t, tenantA, "POST", "/_chimed/reset", nil); r.Status != 204 && r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if l := listDialOuts(t, s, tenantA); len(l) != 0 {
		t.Fatalf("after reset: %d", len(l))
	}
}
