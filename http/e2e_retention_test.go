package http_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// GetRetentionSettings / PutRetentionSettings (docs/behavior.md §4.20, D2, D45, D48) and the server clock's
// control endpoints (D19, §9.5), end to end through aws-sdk-go-v2.

const retentionGrace = 30 * 24 * time.Hour

// newClockServer starts a server with --allow-clock-control.
func newClockServer(tb testing.TB) *testServer {
	tb.Helper()
	s := testenv.NewServer(tb, testenv.Config{DSN: testDSN(tb), AllowClockControl: true})
	return &testServer{URL: s.URL, store: s.Store}
}

type wireClock struct {
	Now           string
	OffsetSeconds *int64
}

func (c wireClock) now(tb testing.TB) time.Time {
	tb.Helper()
	if !wireTimestamp.MatchString(c.Now) {
		tb.Fatalf("clock Now = %q, not a wire timestamp", c.Now)
	}
	t, err := time.Parse(time.RFC3339Nano, c.Now)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func decodeClock(tb testing.TB, r rawResponse) wireClock {
	tb.Helper()
	if r.Status != 200 {
		tb.Fatalf("clock: %d %s", r.Status, r.Body)
	}
	var c wireClock
	if err := json.Unmarshal(r.Body, &c); err != nil || c.OffsetSeconds == nil {
		tb.Fatalf("clock body %s: %v", r.Body, err)
	}
	return c
}

func putClock(tb testing.TB, s *testServer, seconds int64) wireClock {
	tb.Helper()
	return decodeClock(tb, s.rawJSON(tb, tenantA, "PUT", "/_chimed/clock", map[string]int64{"OffsetSeconds": seconds}))
}

// within fails unless got lies in [lo, hi] (all at millisecond precision).
func within(tb testing.TB, what string, got, lo, hi time.Time) {
	tb.Helper()
	lo, hi = lo.Truncate(time.Millisecond), hi.Truncate(time.Millisecond).Add(time.Millisecond)
	if got.Before(lo) || got.After(hi) {
		tb.Errorf("%s = %v, want between %v and %v", what, got, lo, hi)
	}
}

func TestRetentionSettingsE2E(t *testing.T) {
	t.Parallel()
	s := newClockServer(t)
	c := s.client(tenantA)
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseLWA)

	// never configured: {"RetentionSettings":{}}
	r := s.raw(t, tenantA, "GET", "/accounts/"+*a.AccountId+"/retention-settings", nil)
	if r.Status != 200 || string(r.Body) != `{"RetentionSettings":{}}` {
		t.Fatalf("never configured: %d %s", r.Status, r.Body)
	}
	got, err := c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: a.AccountId})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, got.ResultMetadata, 200)
	if rs := got.RetentionSettings; rs == nil || rs.RoomRetentionSettings != nil || rs.ConversationRetentionSettings != nil ||
		got.InitiateDeletionTimestamp != nil {
		t.Fatalf("never configured: %+v", got)
	}

	// a room policy: 204 without a body; InitiateDeletionTimestamp = now + 30 days
	before := time.Now()
	put, err := c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: a.AccountId,
		RetentionSettings: &types.RetentionSettings{RoomRetentionSettings: &types.RoomRetentionSettings{RetentionDays: aws.Int32(7)}}})
	if err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	checkMeta(t, put.ResultMetadata, 204)
	if put.RetentionSettings != nil || put.InitiateDeletionTimestamp != nil {
		t.Errorf("204 answer decoded to %+v", put)
	}
	got, err = c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: a.AccountId})
	if err != nil {
		t.Fatal(err)
	}
	if rs := got.RetentionSettings; rs.RoomRetentionSettings == nil || aws.ToInt32(rs.RoomRetentionSettings.RetentionDays) != 7 ||
		rs.ConversationRetentionSettings != nil || got.InitiateDeletionTimestamp == nil {
		t.Fatalf("after room 7: %+v", got)
	}
	within(t, "InitiateDeletionTimestamp", *got.InitiateDeletionTimestamp, before.Add(retentionGrace), after.Add(retentionGrace))
	first := *got.InitiateDeletionTimestamp

	// {"RetentionSettings":{}} changes nothing; turning the other policy off keeps the timestamp
	if r := s.raw(t, tenantA, "PUT", "/accounts/"+*a.AccountId+"/retention-settings", []byte(`{"RetentionSettings":{}}`)); r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("empty settings: %d %s", r.Status, r.Body)
	}
	if r := s.raw(t, tenantA, "PUT", "/accounts/"+*a.AccountId+"/retention-settings",
		[]byte(`{"RetentionSettings":{"ConversationRetentionSettings":{}}}`)); r.Status != 204 {
		t.Fatalf("conversation off: %d %s", r.Status, r.Body)
	}
	got, _ = c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: a.AccountId})
	if aws.ToInt32(got.RetentionSettings.RoomRetentionSettings.RetentionDays) != 7 || !got.InitiateDeletionTimestamp.Equal(first) {
		t.Fatalf("after no-ops: %+v", got)
	}

	// the server clock moves InitiateDeletionTimestamp: 10 days ahead, then a conversation policy
	clk := putClock(t, s, 10*86400)
	within(t, "clock Now", clk.now(t), time.Now().Add(10*24*time.Hour-time.Minute), time.Now().Add(10*24*time.Hour))
	before = time.Now()
	if _, err := c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: a.AccountId,
		RetentionSettings: &types.RetentionSettings{ConversationRetentionSettings: &types.ConversationRetentionSettings{RetentionDays: aws.Int32(5475)}}}); err != nil {
		t.Fatal(err)
	}
	after = time.Now()
	got, _ = c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: a.AccountId})
	if aws.ToInt32(got.RetentionSettings.RoomRetentionSettings.RetentionDays) != 7 ||
		aws.ToInt32(got.RetentionSettings.ConversationRetentionSettings.RetentionDays) != 5475 {
		t.Fatalf("after conversation 5475: %+v", got.RetentionSettings)
	}
	within(t, "InitiateDeletionTimestamp after the clock moved", *got.InitiateDeletionTimestamp,
		before.Add(10*24*time.Hour+retentionGrace), after.Add(10*24*time.Hour+retentionGrace))

	// both off: the timestamp goes
	if r := s.raw(t, tenantA, "PUT", "/accounts/"+*a.AccountId+"/retention-settings",
		[]byte(`{"RetentionSettings":{"RoomRetentionSettings":{},"ConversationRetentionSettings":{}}}`)); r.Status != 204 {
		t.Fatalf("both off: %d %s", r.Status, r.Body)
	}
	r = s.raw(t, tenantA, "GET", "/accounts/"+*a.AccountId+"/retention-settings", nil)
	if r.Status != 200 || string(r.Body) != `{"RetentionSettings":{}}` {
		t.Fatalf("both off: %d %s", r.Status, r.Body)
	}

	// bounds: 1 and 5475 are fine, 0 and 5476 are 400 (the model's range)
	for _, d := range []int32{1, 5475} {
		if _, err := c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: a.AccountId,
			RetentionSettings: &types.RetentionSettings{RoomRetentionSettings: &types.RoomRetentionSettings{RetentionDays: aws.Int32(d)}}}); err != nil {
			t.Errorf("%d days: %v", d, err)
		}
	}
	for _, d := range []int32{0, -1, 5476} {
		_, err := c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: a.AccountId,
			RetentionSettings: &types.RetentionSettings{ConversationRetentionSettings: &types.ConversationRetentionSettings{RetentionDays: aws.Int32(d)}}})
		wantBadRequest(t, err)
	}
	// RetentionSettings is required; a string is not an integer
	for _, body := range []string{`{}`, `{"RetentionSettings":{"RoomRetentionSettings":{"RetentionDays":"7"}}}`} {
		r := s.raw(t, tenantA, "PUT", "/accounts/"+*a.AccountId+"/retention-settings", []byte(body))
		wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	}
	got, _ = c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: a.AccountId})
	if aws.ToInt32(got.RetentionSettings.RoomRetentionSettings.RetentionDays) != 5475 || got.RetentionSettings.ConversationRetentionSettings != nil {
		t.Errorf("refused Puts changed the settings: %+v", got.RetentionSettings)
	}
}

func TestRetentionSettingsAccountTypesAndTenancy(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	c, other := s.client(tenantA), s.client(tenantB)
	room := &types.RetentionSettings{RoomRetentionSettings: &types.RoomRetentionSettings{RetentionDays: aws.Int32(30)}}
	for _, typ := range []types.AccountType{types.AccountTypeEnterpriseLWA, types.AccountTypeEnterpriseDirectory,
		types.AccountTypeEnterpriseOIDC} {
		a := MustAccount(t, s, tenantA, typ)
		if _, err := c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: a.AccountId, RetentionSettings: room}); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
		got, err := c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: a.AccountId})
		if err != nil || aws.ToInt32(got.RetentionSettings.RoomRetentionSettings.RetentionDays) != 30 {
			t.Errorf("%s: %+v %v", typ, got, err)
		}
		// another AWS account sees nothing
		_, err = other.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: a.AccountId})
		wantNotFound(t, err)
		_, err = other.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: a.AccountId, RetentionSettings: room})
		wantNotFound(t, err)
	}
	team := MustAccount(t, s, tenantA, types.AccountTypeTeam)
	_, err := c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: team.AccountId})
	wantErr(t, err, "ForbiddenException", types.ErrorCodeForbidden, 403)
	_, err = c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: team.AccountId, RetentionSettings: room})
	wantErr(t, err, "ForbiddenException", types.ErrorCodeForbidden, 403)
	// D47: validation (400) before the account (404) before its type (403)
	_, err = c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: team.AccountId,
		RetentionSettings: &types.RetentionSettings{RoomRetentionSettings: &types.RoomRetentionSettings{RetentionDays: aws.Int32(0)}}})
	wantBadRequest(t, err)
	_, err = c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: aws.String(unknownID)})
	wantNotFound(t, err)
	_, err = c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: aws.String(unknownID), RetentionSettings: room})
	wantNotFound(t, err)
	r := s.raw(t, tenantA, "GET", "/accounts/%20/retention-settings", nil)
	wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
}

func TestRetentionSettingsGoWithAccountAndReset(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	stored := func(id string) bool {
		t.Helper()
		err := s.store.Read(ctx, func(tx chimed.Tx) error {
			_, err := tx.RetentionSettings(ctx, id)
			return err
		})
		if err != nil && chimed.ErrorCode(err) != chimed.ENOTFOUND {
			t.Fatal(err)
		}
		return err == nil
	}
	room := &types.RetentionSettings{RoomRetentionSettings: &types.RoomRetentionSettings{RetentionDays: aws.Int32(3)}}
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseLWA)
	b := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseOIDC)
	for _, x := range []types.Account{a, b} {
		if _, err := c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: x.AccountId, RetentionSettings: room}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: a.AccountId}); err != nil {
		t.Fatal(err)
	}
	if stored(*a.AccountId) || !stored(*b.AccountId) {
		t.Fatalf("after DeleteAccount: a stored %v, b stored %v", stored(*a.AccountId), stored(*b.AccountId))
	}
	_, err := c.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: a.AccountId})
	wantNotFound(t, err)
	if r := s.raw(t, tenantA, "POST", "/_chimed/reset", nil); r.Status != 204 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if stored(*b.AccountId) {
		t.Fatal("reset kept retention settings")
	}
}

// The clock endpoints: GET always, PUT only with --allow-clock-control; every timestamp follows the clock.
func TestClockControlOffByDefault(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	clk := decodeClock(t, s.raw(t, tenantA, "GET", "/_chimed/clock", nil))
	if *clk.OffsetSeconds != 0 {
		t.Errorf("offset = %d, want 0", *clk.OffsetSeconds)
	}
	within(t, "Now", clk.now(t), time.Now().Add(-time.Minute), time.Now())
	r := s.rawJSON(t, tenantA, "PUT", "/_chimed/clock", map[string]int64{"OffsetSeconds": 60})
	wantRawErr(t, r, 403, "ForbiddenException", "Forbidden")
	if clk := decodeClock(t, s.raw(t, tenantA, "GET", "/_chimed/clock", nil)); *clk.OffsetSeconds != 0 {
		t.Errorf("refused PUT moved the clock to %d", *clk.OffsetSeconds)
	}
}

func TestClockControl(t *testing.T) {
	t.Parallel()
	s := newClockServer(t)
	c := s.client(tenantA)
	day := 24 * time.Hour

	clk := putClock(t, s, 86400)
	if *clk.OffsetSeconds != 86400 {
		t.Errorf("offset = %d", *clk.OffsetSeconds)
	}
	within(t, "Now", clk.now(t), time.Now().Add(day-time.Minute), time.Now().Add(day))
	before := time.Now()
	a := MustCreateAccount(t, c, "tomorrow")
	after := time.Now()
	within(t, "CreateAccount CreatedTimestamp", *a.CreatedTimestamp, before.Add(day), after.Add(day))
	if g := MustGetAccount(t, c, *a.AccountId); !g.CreatedTimestamp.Equal(*a.CreatedTimestamp) {
		t.Errorf("GetAccount CreatedTimestamp = %v, want %v", g.CreatedTimestamp, a.CreatedTimestamp)
	}
	// server-wide: another AWS account sees the same clock
	if clk := decodeClock(t, s.raw(t, tenantB, "GET", "/_chimed/clock", nil)); *clk.OffsetSeconds != 86400 {
		t.Errorf("tenant B offset = %d", *clk.OffsetSeconds)
	}
	// never back; the same offset is fine; bad bodies are 400
	for _, body := range []string{`{"OffsetSeconds":3600}`, `{"OffsetSeconds":-1}`, `{}`, `{"OffsetSeconds":"7"}`,
		`{"OffsetSeconds":1.5}`, `not json`, `{"OffsetSeconds":99999999999999}`} {
		r := s.raw(t, tenantA, "PUT", "/_chimed/clock", []byte(body))
		wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	}
	putClock(t, s, 86400)
	putClock(t, s, 2*86400)
	before = time.Now()
	b := MustCreateAccount(t, c, "day after")
	within(t, "CreatedTimestamp after a second move", *b.CreatedTimestamp, before.Add(2*day), time.Now().Add(2*day))
}

func TestClockControlNeedsWriteRights(t *testing.T) {
	t.Parallel()
	s := testenv.NewServer(t, testenv.Config{DSN: testDSN(t), SigV4: &sigv4.Options{}, AllowClockControl: true})
	ro := s.MustKey(t, tenantA, true)
	rw := s.MustKey(t, tenantA, false)
	do := func(k testenv.Key, method, body string) rawResponse {
		var b []byte
		if body != "" {
			b = []byte(body)
		}
		ts := &testServer{URL: s.URL}
		req := ts.newSignedRequest(t, k.ID, method, "/_chimed/clock", b, false)
		testenv.Sign(t, req, b, k)
		return send(t, req)
	}
	if r := do(ro, "GET", ""); r.Status != 200 {
		t.Errorf("read-only GET: %d %s", r.Status, r.Body)
	}
	wantRawErr(t, do(ro, "PUT", `{"OffsetSeconds":5}`), 403, "ForbiddenException", "Forbidden")
	if r := do(rw, "PUT", `{"OffsetSeconds":86400}`); r.Status != 200 {
		t.Errorf("write PUT: %d %s", r.Status, r.Body)
	}
	// SigV4 keeps the wall clock: requests signed now still pass with the server clock a day ahead
	if r := do(ro, "GET", ""); r.Status != 200 || *decodeClock(t, r).OffsetSeconds != 86400 {
		t.Errorf("GET signed at wall time, server clock a day ahead: %d %s", r.Status, r.Body)
	}
}
