package http

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
	"unicode/utf8"

	chime "github.com/chimed/chimed"
)

// oracleUser is what encoding/json writes for the User shape of u (the generated struct and its tags).
func oracleUser(t testing.TB, u *chime.User, withPIN bool) string {
	var w User
	var a AlexaForBusinessMetadata
	setUser(&w, &a, u, withPIN)
	b, err := json.Marshal(&w)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func encodeUser(u *chime.User, withPIN bool) string {
	var w User
	var a AlexaForBusinessMetadata
	setUser(&w, &a, u, withPIN)
	return string(appendUser(nil, &w))
}

// TestAppendUserMatchesEncodingJSON: the generated encoder gives what encoding/json gives for the User shape,
// with every kind of string the escaping must get right.
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
			if got, want := encodeUser(u, withPIN), oracleUser(t, u, withPIN); got != want {
				t.Errorf("case %d (pin %v):\n got %s\nwant %s", i, withPIN, got, want)
			}
		}
	}
	// The shape clients see: required UserId always, PIN only with it, Alexa metadata always.
	u := benchUser()
	var got map[string]any
	if err := json.Unmarshal([]byte(encodeUser(u, false)), &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["PersonalPIN"]; ok {
		t.Errorf("PersonalPIN in a listed user: %v", got)
	}
	if got["RegisteredOn"] != u.RegisteredOn.UTC().Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("RegisteredOn = %v", got["RegisteredOn"])
	}
	if m, ok := got["AlexaForBusinessMetadata"].(map[string]any); !ok || m["IsAlexaForBusinessEnabled"] != false {
		t.Errorf("AlexaForBusinessMetadata = %v", got["AlexaForBusinessMetadata"])
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
		if got, want := encodeUser(u, true), oracleUser(t, u, true); got != want {
			t.Fatalf("got %s\nwant %s", got, want)
		}
	})
}

// TestAppendTimestampMatchesAppendFormat: the hand-written timestamp is time's own layout, for every year
// (those outside four digits go through AppendFormat) and every millisecond, truncated like .000.
func TestAppendTimestampMatchesAppendFormat(t *testing.T) {
	times := []time.Time{time.Unix(0, 0), time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 6, 7, 8, 9, 10, 11, time.UTC), time.Date(2026, 2, 20, 1, 2, 3, 4567890, time.FixedZone("x", -7*3600))}
	for ns := int64(-3e17); ns < 3e17; ns += 7_777_777_777_777_777 {
		times = append(times, time.Unix(0, ns).In(time.FixedZone("y", 5*3600+1800)))
	}
	for _, tm := range times {
		want := `"` + tm.UTC().Format(timestampLayout) + `"`
		if got := string(appendTimestamp(nil, isoTime(tm))); got != want {
			t.Errorf("%v: got %s, want %s", tm, got, want)
		}
	}
}

// TestPlain8 compares the eight-byte test with jsonPlain, byte by byte: every byte value at every position
// among plain ones, and random strings.
func TestPlain8(t *testing.T) {
	plain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] >= utf8.RuneSelf || !jsonPlain[s[i]] {
				return false
			}
		}
		return true
	}
	base := []byte("abcdefgh")
	for pos := range 8 {
		for b := range 256 {
			s := append([]byte(nil), base...)
			s[pos] = byte(b)
			if got, want := plain8(string(s)), plain(string(s)); got != want {
				t.Fatalf("%q: plain8 %v, want %v", s, got, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := "aZ09 -_@.:/\"\\<>&\x00\x1f\x7f\x80\xff\xc3"
	for range 200_000 {
		var s [8]byte
		for i := range s {
			s[i] = alphabet[r.IntN(len(alphabet))]
		}
		if got, want := plain8(string(s[:])), plain(string(s[:])); got != want {
			t.Fatalf("%q: plain8 %v, want %v", s, got, want)
		}
	}
}
