package scim

import (
	"errors"
	"net/http"
	"testing"
)

// Hostile filters and PATCH operations end in a 400 with a SCIM error, never a panic or another status.

func want400(t *testing.T, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusBadRequest || e.SCIMType == "" {
		t.Fatalf("error %v: want a 400 with a scimType", err)
	}
}

var sample = &User{Schemas: []string{UserSchema, ChimeSchema}, ID: "u1", ExternalID: "x", UserName: "a@example.com",
	DisplayName: "A", Active: true, Emails: []Email{{Value: "a@example.com", Type: "work", Primary: true}},
	Chime: &ChimeExt{LicenseType: "Pro", UserType: "PrivateUser"}, Meta: &Meta{ResourceType: "User"}}

func FuzzFilter(f *testing.F) {
	for _, s := range []string{`userName eq "a"`, `emails[type eq "work"].value eq "a@example.com"`,
		`not (active eq true) or externalId pr`, `meta.created gt "2020"`, `((((`, `a[b[c]]`, `"`, `x eq 1e999`,
		`urn:chimed:params:scim:schemas:extension:chime:2.0:User:licenseType eq "Pro"`, `emails[`, `]`, `a.b.c.d eq 1`} {
		f.Add(s)
	}
	g := generic(sample)
	f.Fuzz(func(t *testing.T, s string) {
		flt, err := parseFilter(s)
		if err != nil {
			want400(t, err)
			return
		}
		flt.match(g)
		addressHint(flt)
	})
}

func FuzzPatchOperation(f *testing.F) {
	for _, s := range []string{`{"op":"Replace","path":"active","value":"False"}`, `{"op":"replace","value":{"active":false}}`,
		`{"op":"add","path":"emails[type eq \"work\"].value","value":"a@example.com"}`, `{"op":"remove","path":"externalId"}`,
		`{"op":"replace","value":{"urn:chimed:params:scim:schemas:extension:chime:2.0:User":{"licenseType":"Pro"}}}`,
		`{"op":"add","path":"emails","value":[{"value":"a@example.com","primary":"True"}]}`, `[]`, `null`, `{"op":7}`,
		`{"op":"replace","path":"emails[type eq \"work\"]","value":{"value":"b@example.com"}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st := state{userName: "a@example.com", email: "a@example.com", active: true, license: "Pro"}
		if err := applyOp(&st, b); err != nil {
			want400(t, err)
		}
	})
}
