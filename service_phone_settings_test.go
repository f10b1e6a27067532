package chime_test

import (
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// GetPhoneNumberSettings / UpdatePhoneNumberSettings (docs/behavior.md §4.31, D28, D48).

func wantPhoneSettings(tb testing.TB, svc *chime.Service, aws string, want chime.PhoneNumberSettings) {
	tb.Helper()
	got, err := svc.GetPhoneNumberSettings(ctx, aws)
	must(tb, err)
	if got.CallingName != want.CallingName || !got.UpdatedAt.Equal(want.UpdatedAt) {
		tb.Fatalf("phone number settings = %+v, want %+v", got, want)
	}
}

func TestPhoneNumberSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	now := func() time.Time { return e.Clock.Now().UTC().Truncate(time.Millisecond) }

	t.Run("never set, set, the interval, clear", func(t *testing.T) {
		aws := newTenant()
		wantPhoneSettings(t, e.Svc, aws, chime.PhoneNumberSettings{}) // D28: {}
		t0 := now()
		must(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("Acme Corp")))
		wantPhoneSettings(t, e.Svc, aws, chime.PhoneNumberSettings{CallingName: "Acme Corp", UpdatedAt: t0})

		// within 168 h of the last successful update → 400, nothing changes
		e.Clock.Advance(chime.DefaultCallingNameInterval - time.Millisecond)
		wantErr(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("Other")), chime.EINVALID, "")
		wantPhoneSettings(t, e.Svc, aws, chime.PhoneNumberSettings{CallingName: "Acme Corp", UpdatedAt: t0})

		// at 168 h: allowed; "" clears and restarts the interval
		e.Clock.Advance(time.Millisecond)
		t1 := now()
		must(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("")))
		wantPhoneSettings(t, e.Svc, aws, chime.PhoneNumberSettings{CallingName: "", UpdatedAt: t1})
		e.Clock.Advance(time.Hour)
		wantErr(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("Acme")), chime.EINVALID, "")
	})

	t.Run("the server clock counts", func(t *testing.T) {
		env := newEnv(t)
		aws := newTenant()
		must(t, env.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("Acme")))
		_, err := env.Svc.SetClockOffset(ctx, ptr(int64(7*24*3600)))
		must(t, err)
		must(t, env.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("Acme Two")))
		got, err := env.Svc.GetPhoneNumberSettings(ctx, aws)
		must(t, err)
		if want := env.Clock.Now().Add(7 * 24 * time.Hour).UTC().Truncate(time.Millisecond); !got.UpdatedAt.Equal(want) {
			t.Fatalf("CallingNameUpdatedTimestamp = %v, want the server clock %v", got.UpdatedAt, want)
		}
	})

	t.Run("per AWS account", func(t *testing.T) {
		aws, other := newTenant(), newTenant()
		must(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("Acme")))
		wantPhoneSettings(t, e.Svc, other, chime.PhoneNumberSettings{})
		must(t, e.Svc.UpdatePhoneNumberSettings(ctx, other, ptr("Other Co"))) // its own interval
		wantPhoneSettings(t, e.Svc, other, chime.PhoneNumberSettings{CallingName: "Other Co", UpdatedAt: now()})
		wantPhoneSettings(t, e.Svc, aws, chime.PhoneNumberSettings{CallingName: "Acme", UpdatedAt: now()})
	})

	// The name's syntax is the model's (the wire layer refuses "A", "Acme-Corp", … with 400: http tests); the
	// domain refuses what no store can keep.
	t.Run("pattern", func(t *testing.T) {
		aws := newTenant()
		wantErr(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, nil), chime.EINVALID, chime.FieldCallingName)
		for _, bad := range []string{"A\x00B", "bad\xffutf8", strings.Repeat("a", chime.MaxTextLen+1)} {
			wantErr(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr(bad)), chime.EINVALID, chime.FieldCallingName)
		}
		wantPhoneSettings(t, e.Svc, aws, chime.PhoneNumberSettings{}) // a refused update starts no interval
		for _, good := range []string{"AB", "Fifteen chars x"} {
			e2 := newEnvInterval(t, -1)
			must(t, e2.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr(good)))
		}
	})

	t.Run("reset clears them", func(t *testing.T) {
		aws := newTenant()
		must(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("Acme")))
		must(t, e.Svc.ResetTenant(ctx, aws))
		wantPhoneSettings(t, e.Svc, aws, chime.PhoneNumberSettings{})
		must(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("Acme Two"))) // and the interval with them
	})
}

// newEnvInterval is newEnv with ServiceOptions.CallingNameInterval d.
func newEnvInterval(tb testing.TB, d time.Duration) *env {
	tb.Helper()
	e := &env{Store: testenv.MustOpen(tb, testenv.DSN(tb)),
		Clock: &clock{now: time.Date(2025, 3, 4, 5, 6, 7, 89_000_000, time.UTC)}}
	svc, err := chime.NewService(ctx, e.Store, chime.ServiceOptions{Now: e.Clock.Now, CallingNameInterval: d})
	must(tb, err)
	e.Svc = svc
	tb.Cleanup(func() { svc.Drain(ctx) })
	return e
}

func TestPhoneNumberSettingsInterval(t *testing.T) {
	t.Parallel()
	t.Run("disabled", func(t *testing.T) {
		e := newEnvInterval(t, -1)
		aws := newTenant()
		for _, name := range []string{"One", "Two", "", "Three"} {
			must(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr(name)))
		}
		wantPhoneSettings(t, e.Svc, aws, chime.PhoneNumberSettings{CallingName: "Three",
			UpdatedAt: e.Clock.Now().UTC().Truncate(time.Millisecond)})
	})
	t.Run("custom", func(t *testing.T) {
		e := newEnvInterval(t, time.Hour)
		aws := newTenant()
		must(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("One")))
		e.Clock.Advance(59 * time.Minute)
		wantErr(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("Two")), chime.EINVALID, "")
		e.Clock.Advance(time.Minute)
		must(t, e.Svc.UpdatePhoneNumberSettings(ctx, aws, ptr("Two")))
	})
}
