package http_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/model"
)

// TestAuditRecordsEverySuccessfulMutation: a session that calls every mutating operation of the model once,
// successfully, leaves for each one a record without an error code, with the request id it answered.
func TestAuditRecordsEverySuccessfulMutation(t *testing.T) {
	s, _ := setup(t)
	const tenant = "777788889999"
	c := s.client(tenant)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	str := aws.String

	// Accounts and users: a Team account with a registered invitee, converted to EnterpriseLWA to suspend it.
	team := *MustCreateAccount(t, c, "audited-team").AccountId
	_, err := c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: &team, Name: str("renamed")})
	must("UpdateAccount", err)
	_, err = c.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: &team,
		AccountSettings: &types.AccountSettings{DisableRemoteControl: aws.Bool(true)}})
	must("UpdateAccountSettings", err)
	MustInvite(t, c, team, "invitee@example.com")
	users, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: &team})
	must("ListUsers", err)
	uid := *users.Users[0].UserId
	MustRegister(t, s, tenant, team, uid)
	_, err = c.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: &team, UserId: &uid, LicenseType: types.LicenseBasic})
	must("UpdateUser", err)
	_, err = c.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: &team,
		UpdateUserRequestItems: []types.UpdateUserRequestItem{{UserId: &uid, LicenseType: types.LicensePro}}})
	must("BatchUpdateUser", err)
	_, err = c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: &team, UserId: &uid})
	must("ResetPersonalPIN", err)
	_, err = c.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: &team, UserId: &uid})
	must("LogoutUser", err)
	_, err = c.UpdateUserSettings(ctx, &chime.UpdateUserSettingsInput{AccountId: &team, UserId: &uid,
		UserSettings: &types.UserSettings{Telephony: &types.TelephonySettings{InboundCalling: aws.Bool(true),
			OutboundCalling: aws.Bool(false), SMS: aws.Bool(true)}}})
	must("UpdateUserSettings", err)
	MustSetAccountType(t, s, tenant, team, "EnterpriseLWA")
	_, err = c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &team, UserIdList: []string{uid}})
	must("BatchSuspendUser", err)
	_, err = c.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: &team, UserIdList: []string{uid}})
	must("BatchUnsuspendUser", err)
	_, err = c.PutRetentionSettings(ctx, &chime.PutRetentionSettingsInput{AccountId: &team,
		RetentionSettings: &types.RetentionSettings{RoomRetentionSettings: &types.RoomRetentionSettings{RetentionDays: aws.Int32(30)}}})
	must("PutRetentionSettings", err)

	// A directory account: delegate groups and users it creates.
	dir := *MustAccount(t, s, tenant, types.AccountTypeEnterpriseDirectory).AccountId
	_, err = c.AssociateSigninDelegateGroupsWithAccount(ctx, &chime.AssociateSigninDelegateGroupsWithAccountInput{
		AccountId: &dir, SigninDelegateGroups: []types.SigninDelegateGroup{{GroupName: str("admins")}}})
	must("AssociateSigninDelegateGroupsWithAccount", err)
	_, err = c.DisassociateSigninDelegateGroupsFromAccount(ctx, &chime.DisassociateSigninDelegateGroupsFromAccountInput{
		AccountId: &dir, GroupNames: []string{"admins"}})
	must("DisassociateSigninDelegateGroupsFromAccount", err)
	u1 := *MustCreateUser(t, c, dir, "one@example.com").UserId
	u2 := *MustCreateUser(t, c, dir, "two@example.com").UserId

	// AWS-account settings and phone numbers.
	_, err = c.UpdateGlobalSettings(ctx, &chime.UpdateGlobalSettingsInput{
		BusinessCalling: &types.BusinessCallingSettings{CdrBucket: str("cdr-bucket")}})
	must("UpdateGlobalSettings", err)
	_, err = c.UpdatePhoneNumberSettings(ctx, &chime.UpdatePhoneNumberSettingsInput{CallingName: str("Acme")})
	must("UpdatePhoneNumberSettings", err)
	found, err := c.SearchAvailablePhoneNumbers(ctx, &chime.SearchAvailablePhoneNumbersInput{AreaCode: str("206"),
		MaxResults: aws.Int32(2)})
	must("SearchAvailablePhoneNumbers", err)
	n1, n2 := found.E164PhoneNumbers[0], found.E164PhoneNumbers[1]
	_, err = c.CreatePhoneNumberOrder(ctx, &chime.CreatePhoneNumberOrderInput{
		ProductType: types.PhoneNumberProductTypeBusinessCalling, E164PhoneNumbers: []string{n1, n2}})
	must("CreatePhoneNumberOrder", err)
	_, err = c.UpdatePhoneNumber(ctx, &chime.UpdatePhoneNumberInput{PhoneNumberId: &n1, CallingName: str("Front Desk")})
	must("UpdatePhoneNumber", err)
	_, err = c.BatchUpdatePhoneNumber(ctx, &chime.BatchUpdatePhoneNumberInput{UpdatePhoneNumberRequestItems: []types.UpdatePhoneNumberRequestItem{
		{PhoneNumberId: &n2, ProductType: types.PhoneNumberProductTypeVoiceConnector}}})
	must("BatchUpdatePhoneNumber", err)
	_, err = c.AssociatePhoneNumberWithUser(ctx, &chime.AssociatePhoneNumberWithUserInput{AccountId: &dir,
		UserId: &u1, E164PhoneNumber: &n1})
	must("AssociatePhoneNumberWithUser", err)
	_, err = c.CreateMeetingDialOut(ctx, &chime.CreateMeetingDialOutInput{
		MeetingId: str("12345678-1234-1234-1234-123456789012"), FromPhoneNumber: &n1,
		ToPhoneNumber: str("+12065559999"), JoinToken: str("joinToken1")})
	must("CreateMeetingDialOut", err)
	_, err = c.DisassociatePhoneNumberFromUser(ctx, &chime.DisassociatePhoneNumberFromUserInput{AccountId: &dir, UserId: &u1})
	must("DisassociatePhoneNumberFromUser", err)
	_, err = c.DeletePhoneNumber(ctx, &chime.DeletePhoneNumberInput{PhoneNumberId: &n2})
	must("DeletePhoneNumber", err)
	_, err = c.RestorePhoneNumber(ctx, &chime.RestorePhoneNumberInput{PhoneNumberId: &n2})
	must("RestorePhoneNumber", err)
	_, err = c.BatchDeletePhoneNumber(ctx, &chime.BatchDeletePhoneNumberInput{PhoneNumberIds: []string{n2}})
	must("BatchDeletePhoneNumber", err)

	// Rooms, memberships, messages, bots.
	room, err := c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: &dir, Name: str("audited")})
	must("CreateRoom", err)
	rid := room.Room.RoomId
	_, err = c.UpdateRoom(ctx, &chime.UpdateRoomInput{AccountId: &dir, RoomId: rid, Name: str("audited 2")})
	must("UpdateRoom", err)
	_, err = c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: &dir, RoomId: rid, MemberId: &u1})
	must("CreateRoomMembership", err)
	_, err = c.BatchCreateRoomMembership(ctx, &chime.BatchCreateRoomMembershipInput{AccountId: &dir, RoomId: rid,
		MembershipItemList: []types.MembershipItem{{MemberId: &u2}}})
	must("BatchCreateRoomMembership", err)
	_, err = c.UpdateRoomMembership(ctx, &chime.UpdateRoomMembershipInput{AccountId: &dir, RoomId: rid, MemberId: &u2,
		Role: types.RoomMembershipRoleAdministrator})
	must("UpdateRoomMembership", err)
	var posted struct{ Message struct{ MessageId string } }
	decodeInto(t, s.rawJSON(t, tenant, "POST", "/_chimed/accounts/"+dir+"/rooms/"+*rid+"/messages",
		map[string]string{"SenderId": u1, "Content": "hello"}), 201, &posted)
	_, err = c.RedactRoomMessage(ctx, &chime.RedactRoomMessageInput{AccountId: &dir, RoomId: rid,
		MessageId: &posted.Message.MessageId})
	must("RedactRoomMessage", err)
	var conv struct {
		Conversation struct{ ConversationId string }
	}
	decodeInto(t, s.rawJSON(t, tenant, "POST", "/_chimed/accounts/"+dir+"/conversations",
		map[string]any{"MemberIds": []string{u1, u2}}), 201, &conv)
	cid := conv.Conversation.ConversationId
	decodeInto(t, s.rawJSON(t, tenant, "POST", "/_chimed/accounts/"+dir+"/conversations/"+cid+"/messages",
		map[string]string{"SenderId": u2, "Content": "psst"}), 201, &posted)
	_, err = c.RedactConversationMessage(ctx, &chime.RedactConversationMessageInput{AccountId: &dir,
		ConversationId: &cid, MessageId: &posted.Message.MessageId})
	must("RedactConversationMessage", err)
	_, err = c.DeleteRoomMembership(ctx, &chime.DeleteRoomMembershipInput{AccountId: &dir, RoomId: rid, MemberId: &u2})
	must("DeleteRoomMembership", err)
	_, err = c.DeleteRoom(ctx, &chime.DeleteRoomInput{AccountId: &dir, RoomId: rid})
	must("DeleteRoom", err)
	bot, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: &dir, DisplayName: str("auditor"), Domain: str("example.com")})
	must("CreateBot", err)
	bid := bot.Bot.BotId
	_, err = c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: &dir, BotId: bid, Disabled: aws.Bool(true)})
	must("UpdateBot", err)
	_, err = c.RegenerateSecurityToken(ctx, &chime.RegenerateSecurityTokenInput{AccountId: &dir, BotId: bid})
	must("RegenerateSecurityToken", err)
	_, err = c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: &dir, BotId: bid,
		LambdaFunctionArn: str("arn:aws:lambda:us-east-1:777788889999:function:auditor")})
	must("PutEventsConfiguration", err)
	_, err = c.DeleteEventsConfiguration(ctx, &chime.DeleteEventsConfigurationInput{AccountId: &dir, BotId: bid})
	must("DeleteEventsConfiguration", err)

	// Last, an empty account goes.
	gone := *MustCreateAccount(t, c, "to-delete").AccountId
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: &gone})
	must("DeleteAccount", err)

	m, err := model.Load()
	if err != nil {
		t.Fatal(err)
	}
	succeeded := map[string]bool{}
	ct := ctClient(s.URL, testenv.Key{ID: tenant, Secret: testenv.AnySecret})
	for _, e := range lookup(t, ct, &cloudtrail.LookupEventsInput{}, 50) {
		rec := record(t, e)
		if rec.ErrorCode == "" {
			if rec.RequestID == "" || rec.UserIdentity.AccountID != tenant {
				t.Errorf("%s: record %+v", rec.EventName, rec)
			}
			succeeded[rec.EventName] = true
		}
	}
	for name, op := range m.Operations {
		if op.HTTP.Method != "GET" && !succeeded[name] {
			t.Errorf("%s: no record of its success", name)
		}
	}
}
