package sqlstore_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// TestListUsersRoundTripsEveryField: ListUsers returns what the point read returns, less the members lists
// do not show (PIN, InviteID, CreatedAt), for unicode, empty and NULL fields.
func TestListUsersRoundTripsEveryField(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		store := MustOpen(t, dsn)
		svc := MustService(t, store, chime.ServiceOptions{})
		acc, err := svc.CreateAccount(ctx, tenant, strp("packed"))
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		odd := []string{"", "-", "3:abc", "12:", ":", "-:-", "é😀", "a\x1fb\nc", "0", "-1:x", "9999999999:y"}
		var want []*chime.User
		err = store.Write(ctx, func(tx chime.Tx) error {
			want = want[:0]
			for i, s := range odd {
				u := &chime.User{ID: fmt.Sprintf("u%02d%s", i, s), AccountID: acc.ID, AwsAccountID: tenant,
					Email: fmt.Sprintf("%s%d@example.com", s, i), DisplayName: s, License: chime.LicensePro,
					Type: chime.UserSharedDevice, RegistrationStatus: chime.Registered, InvitationStatus: chime.InviteAccepted,
					InviteID: s, CreatedAt: now, AlexaEnabled: i%2 == 0, AlexaRoomARN: s, PhoneNumber: s}
				if i%3 == 0 { // NULL timestamps and PIN on some rows
					u.InvitedOn, u.RegisteredOn, u.PIN = now.Add(-time.Hour), now, fmt.Sprintf("%010d", i)
				}
				if err := tx.InsertUser(ctx, u); err != nil {
					return err
				}
				want = append(want, u)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []*chime.User
		err = store.Read(ctx, func(tx chime.Tx) error {
			a, err := tx.Account(ctx, tenant, acc.ID)
			if err != nil {
				return err
			}
			got, err = tx.ListUsers(ctx, a, chime.UserFilter{Limit: 100})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%d users listed, want %d", len(got), len(want))
		}
		for i := range want {
			var point *chime.User
			store.Read(ctx, func(tx chime.Tx) error {
				point, err = tx.User(ctx, acc.ID, want[i].ID)
				return err
			})
			point.PIN, point.InviteID, point.CreatedAt = "", "", time.Time{}
			if !reflect.DeepEqual(got[i], point) {
				t.Errorf("row %d: listed %+v\npoint read %+v", i, got[i], point)
			}
			w := *want[i]
			w.Seq, w.PIN, w.InviteID, w.CreatedAt = got[i].Seq, "", "", time.Time{}
			if !reflect.DeepEqual(got[i], &w) {
				t.Errorf("row %d: listed %+v\nstored %+v", i, got[i], &w)
			}
		}
	})
}
