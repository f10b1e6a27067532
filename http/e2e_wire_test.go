package http_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
)

// TestMemberNamesAreCaseSensitive: request members bind by their exact model names; other spellings are unknown
// members and ignored (D17), as the real service does.
func TestMemberNamesAreCaseSensitive(t *testing.T) {
	s := newServer(t)
	// A misspelt member is not Name: Name is missing.
	r := s.raw(t, tenantA, "POST", "/accounts", []byte(`{"name":"x"}`))
	wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	r = s.raw(t, tenantA, "POST", "/accounts", []byte(`{"NAME":"x"}`))
	wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	// Another spelling of a member, with the wrong type, is ignored.
	r = s.raw(t, tenantA, "POST", "/accounts", []byte(`{"Name":"ok","NAME":7,"nAmE":{}}`))
	if r.Status != 201 {
		t.Fatalf("CreateAccount with extra spellings: %d %s", r.Status, r.Body)
	}
	var out struct {
		Account struct{ AccountId, Name string }
	}
	if err := json.Unmarshal(r.Body, &out); err != nil || out.Account.Name != "ok" {
		t.Fatalf("created %+v (%v)", out, err)
	}
	// Nested members too: the item's userid is not UserId.
	path := "/accounts/" + out.Account.AccountId + "/users"
	r = s.raw(t, tenantA, "POST", path, []byte(`{"UpdateUserRequestItems":[{"userid":"u1","LicenseType":"Basic"}]}`))
	wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	r = s.raw(t, tenantA, "POST", path, []byte(`{"updateuserrequestitems":[]}`))
	wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	// The exact names work (an unknown user is a per-item error).
	r = s.raw(t, tenantA, "POST", path, []byte(`{"UpdateUserRequestItems":[{"UserId":"u1","LicenseType":"Basic"}]}`))
	if r.Status != 200 {
		t.Fatalf("BatchUpdateUser: %d %s", r.Status, r.Body)
	}
	// Query parameters are case-sensitive as well: MAX-RESULTS is not max-results.
	r = s.raw(t, tenantA, "GET", "/accounts?MAX-RESULTS=0", nil)
	if r.Status != 200 {
		t.Errorf("ListAccounts with an unknown query parameter: %d %s", r.Status, r.Body)
	}
	r = s.raw(t, tenantA, "GET", "/accounts?max-results=0", nil)
	wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
}

// TestValidationAndAuthenticationFirst: a request is authenticated, then validated against the model, before
// any domain rule runs: the SDK types the BadRequestException, never UnknownOperation or a 5xx.
func TestValidationAndAuthenticationFirst(t *testing.T) {
	s, c := setup(t)
	a := MustCreateAccount(t, c, "validation-first")
	// A join token below the model's 2 characters is refused by validation, before the From number is looked up.
	_, err := c.CreateMeetingDialOut(ctx, &chime.CreateMeetingDialOutInput{
		MeetingId: aws.String("12345678-1234-1234-1234-123456789012"), FromPhoneNumber: aws.String("+12065550100"),
		ToPhoneNumber: aws.String("+12065550101"), JoinToken: aws.String("a")})
	wantBadRequest(t, err)
	// Model validation still comes first: ListRooms' max-results is 1..99.
	r := s.raw(t, tenantA, "GET", "/accounts/"+*a.AccountId+"/rooms?max-results=100", nil)
	wantRawErr(t, r, 400, "BadRequestException", "BadRequest")
	// Unsigned requests are refused before.
	req, err := http.NewRequest("GET", s.URL+"/settings", nil)
	if err != nil {
		t.Fatal(err)
	}
	r = send(t, req)
	if r.Status != 403 {
		t.Errorf("unsigned GetGlobalSettings: %d %s", r.Status, r.Body)
	}
}
