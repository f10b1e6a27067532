package http_test

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// TestListedUsersShowWhatGetUserShows: ListUsers answers from each user's packed listing (sqlstore/listing.go),
// GetUser from its columns. After every kind of write a user of a Team account goes through — invitation,
// registration, UpdateUser, BatchUpdateUser, a phone number associated and dissociated, another user removed
// (BatchSuspendUser) —
// every user of every page (aws-sdk-go-v2's paginator, two users a page) is what GetUser answers for it,
// PersonalPIN aside; a refused update changes neither.
func TestListedUsersShowWhatGetUserShows(t *testing.T) {
	t.Parallel()
	s := nuServer(t, testDSN(t), 0)
	c := s.client(tenantA)
	id := *MustCreateAccount(t, c, "listing").AccountId
	MustInvite(t, c, id, "plain@example.com", "registered@example.com", "kiosk@example.com", "suspended@example.com")
	ids := map[string]string{}
	for _, u := range MustListUsers(t, c, chime.ListUsersInput{AccountId: &id}) {
		ids[*u.PrimaryEmail] = *u.UserId
	}
	same := func(when string) {
		t.Helper()
		p := chime.NewListUsersPaginator(c, &chime.ListUsersInput{AccountId: &id, MaxResults: aws.Int32(2)})
		n := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("%s: ListUsers: %v", when, err)
			}
			for _, listed := range page.Users {
				n++
				got := MustGetUser(t, c, id, *listed.UserId)
				got.PersonalPIN = nil
				if !reflect.DeepEqual(listed, got) {
					t.Errorf("%s: listed\n%+v\nGetUser\n%+v", when, listed, got)
				}
			}
		}
		if n != len(ids) {
			t.Fatalf("%s: %d users listed, want %d", when, n, len(ids))
		}
	}
	same("after the invitations")

	MustRegister(t, s, tenantA, id, ids["registered@example.com"])
	same("after a registration")

	if _, err := c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: &id, UserId: aws.String(ids["kiosk@example.com"]),
		UserType: types.UserTypeSharedDevice, LicenseType: types.LicenseBasic,
		AlexaForBusinessMetadata: &types.AlexaForBusinessMetadata{IsAlexaForBusinessEnabled: aws.Bool(true),
			AlexaForBusinessRoomArn: aws.String("arn:aws:a4b:room/1")}}); err != nil {
		t.Fatal(err)
	}
	if out, err := c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: &id,
		UpdateUserRequestItems: []types.UpdateUserRequestItem{{UserId: aws.String(ids["plain@example.com"]),
			LicenseType: types.LicenseBasic}}}); err != nil || len(out.UserErrors) != 0 {
		t.Fatalf("BatchUpdateUser: %v, %+v", err, out)
	}
	same("after UpdateUser and BatchUpdateUser")

	// A refused update (a license the model does not know) leaves the listing as it was.
	before := MustGetUser(t, c, id, ids["plain@example.com"])
	if _, err := c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: &id, UserId: aws.String(ids["plain@example.com"]),
		LicenseType: types.License("Platinum")}); err == nil || apiCode(t, err) != "BadRequestException" {
		t.Fatalf("UpdateUser with an unknown license: %v", err)
	}
	if after := MustGetUser(t, c, id, ids["plain@example.com"]); after.LicenseType != before.LicenseType {
		t.Fatalf("a refused update changed the license: %s -> %s", before.LicenseType, after.LicenseType)
	}
	same("after a refused update")

	const e164 = "+12065550177"
	nuOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, e164)
	putClock(t, s, 60) // the order completes
	nuMustAssociate(t, c, id, ids["registered@example.com"], e164)
	same("after AssociatePhoneNumberWithUser")
	if _, err := nuDisassociate(c, id, ids["registered@example.com"]); err != nil {
		t.Fatal(err)
	}
	same("after DisassociatePhoneNumberFromUser")

	if _, err := c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &id,
		UserIdList: []string{ids["suspended@example.com"]}}); err != nil {
		t.Fatal(err)
	}
	delete(ids, "suspended@example.com") // a removed Team user is not listed (docs/behavior.md §4.10)
	same("after BatchSuspendUser")
}
