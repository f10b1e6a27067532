package http

import (
	"encoding/json"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

func oracleUser(t testing.TB, u *chime.User, withPIN bool) string {
	b, err := json.Marshal(toWireUser(u, withPIN))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAppendUserMatchesEncodingJSON: the hand-written encoder gives what encoding/json gives for wireUser.
func TestAppendUserMatchesEncodingJSON(t *testing.T) {
	odd := []string{"", "plain", `quote"back\slash`, "<tag>&amp;", "ctl\x00\x01\b\f\n\r\t\x1f", "é😀", "\u2028\u2029",
		"bad\xffutf8\xc3", "\x7f"}
	for i, s := range odd {
		u := benchUser()
		u.ID, u.Email, u.DisplayName, u.AlexaRoomARN, u.PhoneNumber, u.PIN = s+"id", s, s, s, s, s
		u.AlexaEnabled = i%2 == 0
		if i%3 == 0 {
			u.RegisteredOn, u.InvitedOn, u.InvitationStatus = time.Time{}, time.Time{}, ""
		}
		for _, withPIN := range []bool{true, false} {
			if got, want := string(appendUser(nil, u, withPIN)), oracleUser(t, u, withPIN); got != want {
				t.Errorf("case %d (pin %v):\n got %s\nwant %s", i, withPIN, got, want)
			}
		}
	}
}

func FuzzAppendUser(f *testing.F) {
	f.Add("id", "a@b.c", "Name", "arn", "+1555", "0123456789", true, int64(1700000000123))
	f.Add("", "<>&\"\\", "\x00\u2028", "\xff", "", "", false, int64(0))
	f.Fuzz(func(t *testing.T, id, email, name, arn, phone, pin string, alexa bool, ms int64) {
		u := &chime.User{ID: id, AccountID: "acc", Email: email, DisplayName: name, AlexaRoomARN: arn,
			PhoneNumber: phone, PIN: pin, AlexaEnabled: alexa, License: chime.LicensePro, Type: chime.UserPrivate,
			RegistrationStatus: chime.Registered}
		if ms > 0 && ms < 253402300799999 {
			u.RegisteredOn = time.UnixMilli(ms)
		}
		if got, want := string(appendUser(nil, u, true)), oracleUser(t, u, true); got != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}
