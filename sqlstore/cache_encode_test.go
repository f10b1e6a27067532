package sqlstore

import (
	"reflect"
	"slices"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

func roundTrip(t *testing.T, u *chime.User) {
	t.Helper()
	e, ok := encodeUser(u)
	if !ok {
		t.Fatalf("not encodable: %+v", u)
	}
	got := decodeUser(e, &owner{accountID: u.AccountID, aws: u.AwsAccountID})
	if !reflect.DeepEqual(got, u) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, u)
	}
}

func TestCachedUserRoundTrip(t *testing.T) {
	now := time.UnixMilli(1795000000123).UTC()
	roundTrip(t, &chime.User{Seq: 1, ID: "u", AccountID: "a", AwsAccountID: "111122223333",
		License: chime.LicensePro, Type: chime.UserPrivate, RegistrationStatus: chime.Unregistered})
	roundTrip(t, &chime.User{Seq: 1 << 40, ID: "5c0f6c1e-2d8e-4b53-9a0e-3f1f4b7c2d11", AccountID: "a",
		AwsAccountID: "1", Email: "é😀@x.y", DisplayName: string(make([]byte, 300)), License: chime.LicenseProTrial,
		Type: chime.UserSharedDevice, RegistrationStatus: chime.Suspended, InvitationStatus: chime.InviteAccepted,
		InviteID: "inv", InvitedOn: now, RegisteredOn: now.Add(time.Hour), PIN: "0123456789", AlexaEnabled: true,
		AlexaRoomARN: "arn:x", PhoneNumber: "+15555550100", CreatedAt: now})
	if _, ok := encodeUser(&chime.User{License: "Gold", Type: chime.UserPrivate, RegistrationStatus: chime.Registered}); ok {
		t.Fatal("an enum outside the model must not be cached")
	}
}

func FuzzCachedUser(f *testing.F) {
	f.Add(int64(5), "id", "e@x.y", "name", "inv", "pin", "arn", "+1", true, int64(1795000000123), uint8(1))
	f.Fuzz(func(t *testing.T, seq int64, id, email, name, inv, pin, arn, phone string, alexa bool, ms int64, k uint8) {
		if ms < 1 || ms > 253402300799999 {
			ms = 1
		}
		when := time.UnixMilli(ms).UTC()
		u := &chime.User{Seq: seq, ID: id, AccountID: "acc", AwsAccountID: "aws", Email: email, DisplayName: name,
			InviteID: inv, PIN: pin, AlexaRoomARN: arn, PhoneNumber: phone, AlexaEnabled: alexa,
			License: licenses[int(k)%len(licenses)], Type: types[int(k)%len(types)],
			RegistrationStatus: regs[int(k)%len(regs)], InvitationStatus: invs[int(k)%len(invs)]}
		if k%2 == 0 {
			u.InvitedOn, u.RegisteredOn, u.CreatedAt = when, when, when
		}
		roundTrip(t, u)
	})
}

// The enum tables of the cache are the model's lists (the empty InviteStatus, code 0, first), each value once
// and at most 256 of them (one byte per code).
func TestEnumTablesFollowTheModel(t *testing.T) {
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) || len(got) > 256 {
			t.Errorf("%s: cache table %q, model %q", name, got, want)
		}
		seen := map[string]bool{}
		for _, v := range got {
			if seen[v] {
				t.Errorf("%s: %q twice", name, v)
			}
			seen[v] = true
		}
	}
	check("licenses", strs(licenses), strs(chime.Licenses))
	check("user types", strs(types), strs(chime.UserTypes))
	check("registration states", strs(regs), strs(chime.RegistrationStatuses))
	check("invitation states", strs(invs), append([]string{""}, strs(chime.InviteStatuses)...))
	for _, l := range chime.Licenses {
		roundTrip(t, &chime.User{ID: "u", AccountID: "a", License: l, Type: chime.UserPrivate,
			RegistrationStatus: chime.Registered})
	}
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
