package chime_test

import (
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// Rules of GetRetentionSettings / PutRetentionSettings (docs/behavior.md §4.20, D2, D45, D48) and the server
// clock (D19, §9.5) they read.

func days(n int) *chime.RetentionPolicyPatch { return &chime.RetentionPolicyPatch{Days: &n} }

var off = &chime.RetentionPolicyPatch{} // a policy without days: turns it off

func mustRetention(tb testing.TB, e *env, aws, id string) *chime.RetentionSettings {
	tb.Helper()
	r, err := e.Svc.GetRetentionSettings(ctx, aws, id)
	if err != nil {
		tb.Fatalf("GetRetentionSettings: %v", err)
	}
	return r
}

func mustPutRetention(tb testing.TB, e *env, aws, id string, p chime.RetentionSettingsPatch) {
	tb.Helper()
	if _, err := e.Svc.PutRetentionSettings(ctx, aws, id, &p); err != nil {
		tb.Fatalf("PutRetentionSettings: %v", err)
	}
}

func wantRetention(tb testing.TB, r *chime.RetentionSettings, room, conv int, initiate time.Time) {
	tb.Helper()
	if r.RoomDays != room || r.ConversationDays != conv || !r.InitiateDeletion.Equal(initiate) {
		tb.Fatalf("retention = room %d, conversation %d, initiate %v; want %d, %d, %v", r.RoomDays,
			r.ConversationDays, r.InitiateDeletion, room, conv, initiate)
	}
}

func TestRetentionSettings(t *testing.T) {
	e := newEnv(t)
	grace := 30 * 24 * time.Hour

	t.Run("put semantics and InitiateDeletion", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "ret", chime.AccountEnterpriseLWA)
		wantRetention(t, mustRetention(t, e, aws, a.ID), 0, 0, time.Time{}) // never configured

		mustPutRetention(t, e, aws, a.ID, chime.RetentionSettingsPatch{Room: days(7)})
		t0 := e.Clock.Now().Add(grace)
		wantRetention(t, mustRetention(t, e, aws, a.ID), 7, 0, t0)

		// {} changes nothing; a policy turned off while the other stays on keeps the timestamp
		e.Clock.Advance(time.Hour)
		mustPutRetention(t, e, aws, a.ID, chime.RetentionSettingsPatch{})
		wantRetention(t, mustRetention(t, e, aws, a.ID), 7, 0, t0)
		mustPutRetention(t, e, aws, a.ID, chime.RetentionSettingsPatch{Conversation: off})
		wantRetention(t, mustRetention(t, e, aws, a.ID), 7, 0, t0)

		// a Put carrying days moves the timestamp, even for the other policy; absent policies stay
		mustPutRetention(t, e, aws, a.ID, chime.RetentionSettingsPatch{Conversation: days(5475)})
		t1 := e.Clock.Now().Add(grace)
		wantRetention(t, mustRetention(t, e, aws, a.ID), 7, 5475, t1)

		// both off: no timestamp
		mustPutRetention(t, e, aws, a.ID, chime.RetentionSettingsPatch{Room: off})
		wantRetention(t, mustRetention(t, e, aws, a.ID), 0, 5475, t1)
		mustPutRetention(t, e, aws, a.ID, chime.RetentionSettingsPatch{Room: off, Conversation: off})
		wantRetention(t, mustRetention(t, e, aws, a.ID), 0, 0, time.Time{})

		mustPutRetention(t, e, aws, a.ID, chime.RetentionSettingsPatch{Room: days(1), Conversation: days(1)})
		wantRetention(t, mustRetention(t, e, aws, a.ID), 1, 1, e.Clock.Now().Add(grace))
	})

	t.Run("bounds", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "ret", chime.AccountEnterpriseDirectory)
		for _, n := range []int{0, -1, 5476} {
			_, err := e.Svc.PutRetentionSettings(ctx, aws, a.ID, &chime.RetentionSettingsPatch{Room: days(n)})
			wantErr(t, err, chime.EINVALID, chime.FieldRoomRetentionDays)
			_, err = e.Svc.PutRetentionSettings(ctx, aws, a.ID, &chime.RetentionSettingsPatch{Room: days(5), Conversation: days(n)})
			wantErr(t, err, chime.EINVALID, chime.FieldConversationRetentionDays)
		}
		_, err := e.Svc.PutRetentionSettings(ctx, aws, a.ID, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldRetentionSettings)
		wantRetention(t, mustRetention(t, e, aws, a.ID), 0, 0, time.Time{}) // nothing was stored
	})

	t.Run("account types and tenancy", func(t *testing.T) {
		aws := newTenant()
		for _, typ := range []chime.AccountType{chime.AccountEnterpriseLWA, chime.AccountEnterpriseDirectory,
			chime.AccountEnterpriseOIDC} {
			a := MustAccount(t, e, aws, "ret", typ)
			mustPutRetention(t, e, aws, a.ID, chime.RetentionSettingsPatch{Room: days(30)})
			wantRetention(t, mustRetention(t, e, aws, a.ID), 30, 0, e.Clock.Now().Add(grace))
		}
		team := MustAccount(t, e, aws, "team", chime.AccountTeam)
		_, err := e.Svc.GetRetentionSettings(ctx, aws, team.ID)
		wantErr(t, err, chime.EFORBIDDEN, "")
		_, err = e.Svc.PutRetentionSettings(ctx, aws, team.ID, &chime.RetentionSettingsPatch{Room: days(1)})
		wantErr(t, err, chime.EFORBIDDEN, "")
		// bad days are refused before the account is looked at (D47: validation first)
		_, err = e.Svc.PutRetentionSettings(ctx, aws, team.ID, &chime.RetentionSettingsPatch{Room: days(0)})
		wantErr(t, err, chime.EINVALID, chime.FieldRoomRetentionDays)

		// another AWS account's account, an unknown one, a blank id
		other := MustAccount(t, e, newTenant(), "other", chime.AccountEnterpriseLWA)
		_, err = e.Svc.GetRetentionSettings(ctx, aws, other.ID)
		wantErr(t, err, chime.ENOTFOUND, "")
		_, err = e.Svc.PutRetentionSettings(ctx, aws, other.ID, &chime.RetentionSettingsPatch{Room: days(1)})
		wantErr(t, err, chime.ENOTFOUND, "")
		_, err = e.Svc.GetRetentionSettings(ctx, aws, "00000000-0000-4000-8000-000000000000")
		wantErr(t, err, chime.ENOTFOUND, "")
		_, err = e.Svc.GetRetentionSettings(ctx, aws, " ")
		wantErr(t, err, chime.EINVALID, chime.FieldAccountID)
		wantRetention(t, mustRetention(t, e, other.AwsAccountID, other.ID), 0, 0, time.Time{}) // untouched
	})

	t.Run("DeleteAccount and reset remove them", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "gone", chime.AccountEnterpriseLWA)
		b := MustAccount(t, e, aws, "reset", chime.AccountEnterpriseLWA)
		mustPutRetention(t, e, aws, a.ID, chime.RetentionSettingsPatch{Room: days(3)})
		mustPutRetention(t, e, aws, b.ID, chime.RetentionSettingsPatch{Conversation: days(4)})
		must(t, e.Svc.DeleteAccount(ctx, aws, a.ID))
		wantStored := func(id string, want bool) {
			t.Helper()
			err := e.Store.Read(ctx, func(tx chime.Tx) error {
				_, err := tx.RetentionSettings(ctx, id)
				return err
			})
			if got := err == nil; got != want {
				t.Fatalf("settings of %s stored = %v (%v), want %v", id, got, err, want)
			}
		}
		wantStored(a.ID, false)
		wantStored(b.ID, true)
		must(t, e.Svc.ResetTenant(ctx, aws))
		wantStored(b.ID, false)
	})
}

// The server clock: its offset moves every timestamp the service writes, never goes back, and is kept in the
// store (a new Service over the same store reads it).
func TestServerClock(t *testing.T) {
	e := newEnv(t)
	wall := e.Clock.Now()
	st, err := e.Svc.Clock(ctx)
	must(t, err)
	if st.Offset != 0 || !st.Now.Equal(wall) {
		t.Fatalf("clock = %+v, want offset 0 at %v", st, wall)
	}
	_, err = e.Svc.SetClockOffset(ctx, nil)
	wantErr(t, err, chime.EINVALID, chime.FieldOffsetSeconds)
	st, err = e.Svc.SetClockOffset(ctx, ptr(int64(86400)))
	must(t, err)
	if st.Offset != 24*time.Hour || !st.Now.Equal(wall.Add(24*time.Hour)) {
		t.Fatalf("clock = %+v, want a day ahead of %v", st, wall)
	}
	aws := newTenant()
	a := MustAccount(t, e, aws, "later", chime.AccountEnterpriseLWA)
	if !a.CreatedAt.Equal(wall.Add(24 * time.Hour)) {
		t.Fatalf("CreatedAt = %v, want the server clock %v", a.CreatedAt, wall.Add(24*time.Hour))
	}
	mustPutRetention(t, e, aws, a.ID, chime.RetentionSettingsPatch{Room: days(2)})
	wantRetention(t, mustRetention(t, e, aws, a.ID), 2, 0, wall.Add(24*time.Hour+30*24*time.Hour))

	// never back; the same offset is fine
	for _, bad := range []int64{86399, 0, -1, 1 << 40} {
		_, err = e.Svc.SetClockOffset(ctx, ptr(bad))
		wantErr(t, err, chime.EINVALID, chime.FieldOffsetSeconds)
	}
	_, err = e.Svc.SetClockOffset(ctx, ptr(int64(86400)))
	must(t, err)

	// a second service over the same store (another node, or a restart) runs on the same clock
	svc2, err := chime.NewService(ctx, e.Store, chime.ServiceOptions{Now: e.Clock.Now})
	must(t, err)
	st, err = svc2.Clock(ctx)
	must(t, err)
	if st.Offset != 24*time.Hour {
		t.Fatalf("second service: offset %v, want 24h", st.Offset)
	}
	b, err := svc2.CreateAccount(ctx, aws, ptr("node2"))
	must(t, err)
	if !b.CreatedAt.Equal(wall.Add(24 * time.Hour)) {
		t.Fatalf("second service: CreatedAt = %v, want %v", b.CreatedAt, wall.Add(24*time.Hour))
	}
	// a change through one service reaches the other after SyncClock once ClockTTL has passed
	_, err = e.Svc.SetClockOffset(ctx, ptr(int64(2*86400)))
	must(t, err)
	time.Sleep(chime.ClockTTL + 50*time.Millisecond)
	must(t, svc2.SyncClock(ctx))
	c, err := svc2.CreateAccount(ctx, aws, ptr("node2b"))
	must(t, err)
	if !c.CreatedAt.Equal(wall.Add(48 * time.Hour)) {
		t.Fatalf("second service after sync: CreatedAt = %v, want %v", c.CreatedAt, wall.Add(48*time.Hour))
	}
}
