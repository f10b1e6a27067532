package http_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
)

// GetPhoneNumberSettings / UpdatePhoneNumberSettings (docs/behavior.md §4.31, D28, D48), end to end through
// aws-sdk-go-v2; the calling-name interval through the server clock (PUT /_chimed/clock, §9.5).

func mustPhoneSettings(tb testing.TB, s *testServer, keyID string) string {
	tb.Helper()
	r := s.raw(tb, keyID, "GET", "/settings/phone-number", nil)
	if r.Status != 200 {
		tb.Fatalf("GetPhoneNumberSettings: %d %s", r.Status, r.Body)
	}
	return string(r.Body)
}

func TestPhoneNumberSettingsE2E(t *testing.T) {
	t.Parallel()
	s := newClockServer(t)
	c := s.client(tenantA)

	// Never set (D28): {}.
	out, err := c.GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 200)
	if out.CallingName != nil || out.CallingNameUpdatedTimestamp != nil {
		t.Fatalf("never set: %v %v", out.CallingName, out.CallingNameUpdatedTimestamp)
	}
	if got := mustPhoneSettings(t, s, tenantA); got != `{}` {
		t.Fatalf("never set: %s", got)
	}

	// Set: 204 without a body; Get shows the name and the server time of the update.
	before := putClock(t, s, 0).now(t)
	up, err := c.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Acme Corp")})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, up.ResultMetadata, 204)
	after := putClock(t, s, 0).now(t)
	out, err = c.GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.CallingName) != "Acme Corp" {
		t.Fatalf("CallingName = %q", aws.ToString(out.CallingName))
	}
	checkTime(t, "CallingNameUpdatedTimestamp", out.CallingNameUpdatedTimestamp)
	set := *out.CallingNameUpdatedTimestamp
	within(t, "CallingNameUpdatedTimestamp", set, before, after)

	// Within the interval (168 h by default) → 400, nothing changes.
	_, err = c.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Other")})
	wantBadRequest(t, err)
	putClock(t, s, 7*24*3600-60) // a minute short of 168 h
	_, err = c.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Other")})
	wantBadRequest(t, err)
	out, err = c.GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.CallingName) != "Acme Corp" || !out.CallingNameUpdatedTimestamp.Equal(set) {
		t.Fatalf("after refused updates: %q %v", aws.ToString(out.CallingName), out.CallingNameUpdatedTimestamp)
	}

	// After the interval (server clock): allowed again, with the server clock's time.
	clk := putClock(t, s, 7*24*3600+1)
	if _, err := c.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Acme Two")}); err != nil {
		t.Fatal(err)
	}
	out, err = c.GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.CallingName) != "Acme Two" {
		t.Fatalf("CallingName = %q", aws.ToString(out.CallingName))
	}
	within(t, "CallingNameUpdatedTimestamp", *out.CallingNameUpdatedTimestamp, clk.now(t), clk.now(t).Add(time.Minute))

	// "" clears (a successful update, so it waits for the interval too).
	putClock(t, s, 2*7*24*3600+2)
	r := s.rawJSON(t, tenantA, "PUT", "/settings/phone-number", map[string]string{"CallingName": ""})
	if r.Status != 204 || len(r.Body) != 0 {
		t.Fatalf("clear: %d %s", r.Status, r.Body)
	}
	got := mustPhoneSettings(t, s, tenantA)
	if !strings.Contains(got, `"CallingName":""`) || !strings.Contains(got, `"CallingNameUpdatedTimestamp":"`) {
		t.Fatalf("after clearing: %s", got)
	}
	// The SDK sees the cleared name as an empty string, not as an absent member (D28).
	cleared, err := c.GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
	if err != nil || cleared.CallingName == nil || *cleared.CallingName != "" {
		t.Fatalf("after clearing: %v, %v", cleared, err)
	}

	// Bounds and pattern → 400 (the model's pattern), whatever the interval.
	putClock(t, s, 3*7*24*3600+3)
	for _, bad := range []string{"A", strings.Repeat("a", 16), "Acme-Corp", "Acmé", "Acme\tCo"} {
		_, err := c.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String(bad)})
		wantBadRequest(t, err)
		r := s.rawJSON(t, tenantA, "PUT", "/settings/phone-number", map[string]string{"CallingName": bad})
		wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	}
	for _, body := range []string{`{}`, `{"CallingName":null}`, `{"CallingName":5}`} {
		r := s.raw(t, tenantA, "PUT", "/settings/phone-number", []byte(body))
		wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	}
	for _, good := range []string{"AB", strings.Repeat("z", 15)} {
		s2 := newServer(t)
		if _, err := s2.client(tenantA).UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{
			CallingName: aws.String(good)}); err != nil {
			t.Fatalf("%q: %v", good, err)
		}
	}

	// Per AWS account: tenant B has none, and its own interval.
	if got := mustPhoneSettings(t, s, tenantB); got != `{}` {
		t.Fatalf("tenantB: %s", got)
	}
	b := s.client(tenantB)
	if _, err := b.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Bee Co")}); err != nil {
		t.Fatal(err)
	}
	if got := mustPhoneSettings(t, s, tenantB); !strings.Contains(got, `"CallingName":"Bee Co"`) {
		t.Fatalf("tenantB: %s", got)
	}
	if got := mustPhoneSettings(t, s, tenantA); strings.Contains(got, "Bee") {
		t.Fatalf("tenantA sees tenantB's: %s", got)
	}

	// Reset clears them, and the interval with them (D48); the other tenant keeps its own.
	if r := s.raw(t, tenantB, "POST", "/_chimed/reset", nil); r.Status != 200 && r.Status != 204 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if got := mustPhoneSettings(t, s, tenantB); got != `{}` {
		t.Fatalf("tenantB after reset: %s", got)
	}
	if got := mustPhoneSettings(t, s, tenantA); !strings.Contains(got, `"CallingNameUpdatedTimestamp"`) {
		t.Fatalf("tenantA after B's reset: %s", got)
	}
	if _, err := b.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: aws.String("Bee Two")}); err != nil {
		t.Fatal(err)
	}
}
