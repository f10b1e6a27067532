package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

// opAccount creates, renames and deletes Team accounts.
func opAccount(ctx context.Context, w *worker) {
	switch {
	case len(w.teams) < 2 || (len(w.teams) < 4 && w.rng.IntN(3) == 0):
		if a := w.newAccount(ctx, "Team"); a != nil {
			w.teams = append(w.teams, a)
		}
	case w.rng.IntN(3) == 0:
		a, _ := pick(w, w.teams)
		deleteTeam(ctx, w, a)
	default:
		a, _ := pick(w, w.teams)
		name := w.name("renamed")
		_, r := call(ctx, w, (*chime.Client).UpdateAccount, &chime.UpdateAccountInput{AccountId: aws.String(a.id),
			Name: aws.String(name)})
		switch r.outcome {
		case outcomeOK:
			w.led().ack("UpdateAccount", r.reqID, r.at, "acct|"+a.id+"|name", name)
		case outcomeUnknown:
			w.unknownOutcome("acct|" + a.id + "|name")
		}
	}
}

// deleteTeam removes every user of a Team account (BatchSuspendUser), then deletes it.
func deleteTeam(ctx context.Context, w *worker, a *account) {
	lu, r := call(ctx, w, (*chime.Client).ListUsers, &chime.ListUsersInput{AccountId: aws.String(a.id),
		MaxResults: aws.Int32(99)})
	if !r.ok() {
		return
	}
	if len(lu.Users) > 0 {
		var ids []string
		for _, u := range lu.Users {
			ids = append(ids, aws.ToString(u.UserId))
		}
		if !suspendTeamUsers(ctx, w, a, ids) {
			return
		}
	}
	_, r = call(ctx, w, (*chime.Client).DeleteAccount, &chime.DeleteAccountInput{AccountId: aws.String(a.id)})
	switch r.outcome {
	case outcomeOK:
		w.led().ackGone("DeleteAccount", r.reqID, r.at, "acct|"+a.id+"|", "user|"+a.id+"/")
		w.s.noteDeleted(a.id)
		w.teams = remove(w.teams, a)
	case outcomeUnknown:
		w.led().lostAnswerPrefix("acct|"+a.id+"|", "user|"+a.id+"/")
		w.teams = remove(w.teams, a)
	}
}

// suspendTeamUsers removes users of a Team account; it reports whether all are gone.
func suspendTeamUsers(ctx context.Context, w *worker, a *account, ids []string) bool {
	out, r := call(ctx, w, (*chime.Client).BatchSuspendUser, &chime.BatchSuspendUserInput{AccountId: aws.String(a.id),
		UserIdList: ids})
	var prefixes []string
	for _, id := range ids {
		prefixes = append(prefixes, "user|"+a.id+"/"+id+"|")
	}
	switch r.outcome {
	case outcomeUnknown:
		w.led().lostAnswerPrefix(prefixes...)
		a.users = nil
		return false
	case outcomeRefused:
		return false
	}
	failed := map[string]bool{}
	for _, e := range out.UserErrors {
		failed[aws.ToString(e.UserId)] = true
	}
	var goneP []string
	for i, id := range ids {
		if !failed[id] {
			goneP = append(goneP, prefixes[i])
		}
	}
	w.led().ackGone("BatchSuspendUser", r.reqID, r.at, goneP...)
	var keep []*user
	for _, u := range a.users {
		if failed[u.id] || !contains(ids, u.id) {
			keep = append(keep, u)
		}
	}
	a.users = keep
	return len(failed) == 0
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// opTeamUsers invites, updates and removes users of Team accounts.
func opTeamUsers(ctx context.Context, w *worker) {
	a, ok := pick(w, w.teams)
	if !ok {
		opAccount(ctx, w)
		return
	}
	if len(a.users) < 2 || (len(a.users) < 5 && w.rng.IntN(3) == 0) {
		invite(ctx, w, a, 2)
		return
	}
	u, _ := pick(w, a.users)
	if w.rng.IntN(6) == 0 {
		suspendTeamUsers(ctx, w, a, []string{u.id})
		return
	}
	updateUser(ctx, w, a, u)
}

// invite invites n fresh addresses into a Team account and learns their user ids.
func invite(ctx context.Context, w *worker, a *account, n int) []*user {
	var emails []string
	for range n {
		emails = append(emails, w.email())
	}
	out, r := call(ctx, w, (*chime.Client).InviteUsers, &chime.InviteUsersInput{AccountId: aws.String(a.id),
		UserEmailList: emails})
	if r.outcome == outcomeUnknown {
		w.unknownOutcome()
	}
	if !r.ok() {
		return nil
	}
	var kv []string
	var added []*user
	for _, inv := range out.Invites {
		if inv.Status != types.InviteStatusPending {
			continue
		}
		e := aws.ToString(inv.EmailAddress)
		lu, r := call(ctx, w, (*chime.Client).ListUsers, &chime.ListUsersInput{AccountId: aws.String(a.id),
			UserEmail: aws.String(e)})
		if !r.ok() || len(lu.Users) != 1 {
			continue
		}
		u := &user{id: aws.ToString(lu.Users[0].UserId), email: e}
		kv = append(kv, userKey(a, u, "email"), e)
		a.users = append(a.users, u)
		added = append(added, u)
	}
	w.led().ack("InviteUsers", r.reqID, r.at, kv...)
	return added
}

// Plus is refused for the accounts the soak makes ("LicenseType Plus is not supported by this account").
var licenses = []types.License{types.LicenseBasic, types.LicensePro}

// updateUser changes one thing of a user: license (alone or in a batch), telephony settings, PIN, or logs out.
func updateUser(ctx context.Context, w *worker, a *account, u *user) {
	switch w.rng.IntN(6) {
	case 0, 1:
		l := licenses[w.rng.IntN(len(licenses))]
		_, r := call(ctx, w, (*chime.Client).UpdateUser, &chime.UpdateUserInput{AccountId: aws.String(a.id),
			UserId: aws.String(u.id), LicenseType: l})
		w.record(r, "UpdateUser", userKey(a, u, "license"), string(l))
	case 2:
		l := licenses[w.rng.IntN(len(licenses))]
		out, r := call(ctx, w, (*chime.Client).BatchUpdateUser, &chime.BatchUpdateUserInput{AccountId: aws.String(a.id),
			UpdateUserRequestItems: []types.UpdateUserRequestItem{{UserId: aws.String(u.id), LicenseType: l}}})
		if r.ok() && len(out.UserErrors) > 0 {
			w.led().ackNoFact("BatchUpdateUser", r.reqID, r.at)
			return
		}
		w.record(r, "BatchUpdateUser", userKey(a, u, "license"), string(l))
	case 3:
		in, out, sms := w.rng.IntN(2) == 0, w.rng.IntN(2) == 0, w.rng.IntN(2) == 0
		_, r := call(ctx, w, (*chime.Client).UpdateUserSettings, &chime.UpdateUserSettingsInput{
			AccountId: aws.String(a.id), UserId: aws.String(u.id), UserSettings: &types.UserSettings{
				Telephony: &types.TelephonySettings{InboundCalling: &in, OutboundCalling: &out, SMS: &sms}}})
		w.record(r, "UpdateUserSettings", userKey(a, u, "telephony"), fmt.Sprintf("%v/%v/%v", in, out, sms))
	case 4:
		out, r := call(ctx, w, (*chime.Client).ResetPersonalPIN, &chime.ResetPersonalPINInput{AccountId: aws.String(a.id),
			UserId: aws.String(u.id)})
		pin := ""
		if r.ok() {
			pin = aws.ToString(out.User.PersonalPIN)
		}
		w.record(r, "ResetPersonalPIN", userKey(a, u, "pin"), pin)
	default:
		_, r := call(ctx, w, (*chime.Client).LogoutUser, &chime.LogoutUserInput{AccountId: aws.String(a.id),
			UserId: aws.String(u.id)})
		w.record(r, "LogoutUser")
	}
}

// record puts a write's outcome in the ledger: acknowledged → its facts (key, value…); unknown → its keys
// unchecked; refused → nothing.
func (w *worker) record(r result, op string, kv ...string) {
	switch r.outcome {
	case outcomeOK:
		w.led().ack(op, r.reqID, r.at, kv...)
	case outcomeUnknown:
		var keys []string
		for i := 0; i < len(kv); i += 2 {
			keys = append(keys, kv[i])
		}
		w.unknownOutcome(keys...)
	}
}

// opEnterpriseUsers creates users in the worker's EnterpriseOIDC account and updates them.
func opEnterpriseUsers(ctx context.Context, w *worker) {
	a := w.enterprise(ctx)
	if a == nil {
		return
	}
	if len(a.users) < 3 || (len(a.users) < 6 && w.rng.IntN(4) == 0) {
		e := w.email()
		out, r := call(ctx, w, (*chime.Client).CreateUser, &chime.CreateUserInput{AccountId: aws.String(a.id),
			Email: aws.String(e), UserType: types.UserTypePrivateUser})
		switch r.outcome {
		case outcomeOK:
			u := &user{id: aws.ToString(out.User.UserId), email: e}
			a.users = append(a.users, u)
			w.led().ack("CreateUser", r.reqID, r.at, userKey(a, u, "email"), e)
		case outcomeUnknown:
			w.unknownOutcome()
		}
		return
	}
	u, _ := pick(w, a.users)
	updateUser(ctx, w, a, u)
}

// opSuspendCycle suspends and unsuspends users of an EnterpriseLWA account (made from a Team account whose
// invitees registered).
func opSuspendCycle(ctx context.Context, w *worker) {
	if w.lwa == nil {
		a := w.newAccount(ctx, "Team")
		if a == nil {
			return
		}
		w.teams = append(w.teams, a) // until it is converted
		for _, u := range invite(ctx, w, a, 2) {
			body, _ := json.Marshal(map[string]string{"DisplayName": "Soak " + u.id[:8]})
			_, r := rawCall(ctx, w, "chimed:RegisterUser", "POST", "/_chimed/accounts/"+a.id+"/users/"+u.id+"/register", body)
			w.record(r, "chimed:RegisterUser", userKey(a, u, "status"), "Registered")
			if !r.ok() {
				return
			}
		}
		body, _ := json.Marshal(map[string]string{"AccountType": "EnterpriseLWA"})
		_, r := rawCall(ctx, w, "chimed:PutAccountType", "PUT", "/_chimed/accounts/"+a.id+"/type", body)
		w.record(r, "chimed:PutAccountType")
		if r.ok() {
			w.teams = remove(w.teams, a)
			w.lwa = a
		}
		return
	}
	a := w.lwa
	u, ok := pick(w, a.users)
	if !ok {
		return
	}
	ids := []string{u.id}
	if u.suspended {
		out, r := call(ctx, w, (*chime.Client).BatchUnsuspendUser, &chime.BatchUnsuspendUserInput{
			AccountId: aws.String(a.id), UserIdList: ids})
		if r.ok() && len(out.UserErrors) == 0 {
			u.suspended = false
		}
		w.record(r, "BatchUnsuspendUser", userKey(a, u, "status"), "Registered")
		return
	}
	out, r := call(ctx, w, (*chime.Client).BatchSuspendUser, &chime.BatchSuspendUserInput{
		AccountId: aws.String(a.id), UserIdList: ids})
	if r.ok() && len(out.UserErrors) == 0 {
		u.suspended = true
	}
	w.record(r, "BatchSuspendUser", userKey(a, u, "status"), "Suspended")
	if r.outcome == outcomeUnknown {
		a.users = remove(a.users, u)
	}
}

// opSettings updates account settings.
func opSettings(ctx context.Context, w *worker) {
	a, ok := pick(w, w.teams)
	if !ok || w.rng.IntN(2) == 0 {
		if a = w.enterprise(ctx); a == nil {
			return
		}
	}
	rc, do := w.rng.IntN(2) == 0, w.rng.IntN(2) == 0
	_, r := call(ctx, w, (*chime.Client).UpdateAccountSettings, &chime.UpdateAccountSettingsInput{
		AccountId: aws.String(a.id), AccountSettings: &types.AccountSettings{DisableRemoteControl: &rc, EnableDialOut: &do}})
	w.record(r, "UpdateAccountSettings", "acct|"+a.id+"|settings", fmt.Sprintf("rc=%v do=%v", rc, do))
}

// opGlobal updates the AWS account's global and phone number settings (one worker only: they are shared).
func opGlobal(ctx context.Context, w *worker) {
	w.seq++
	if w.rng.IntN(2) == 0 {
		b := fmt.Sprintf("soak-cdr-%d", w.seq)
		_, r := call(ctx, w, (*chime.Client).UpdateGlobalSettings, &chime.UpdateGlobalSettingsInput{
			BusinessCalling: &types.BusinessCallingSettings{CdrBucket: aws.String(b)}})
		w.record(r, "UpdateGlobalSettings", "global||cdr", b)
		return
	}
	n := fmt.Sprintf("Soak %d", w.seq%100000)
	_, r := call(ctx, w, (*chime.Client).UpdatePhoneNumberSettings, &chime.UpdatePhoneNumberSettingsInput{
		CallingName: aws.String(n)})
	w.record(r, "UpdatePhoneNumberSettings", "global||callingname", n)
}

// opRetention puts retention settings on the enterprise account.
func opRetention(ctx context.Context, w *worker) {
	a := w.enterprise(ctx)
	if a == nil {
		return
	}
	days := int32(30 + w.rng.IntN(3000))
	_, r := call(ctx, w, (*chime.Client).PutRetentionSettings, &chime.PutRetentionSettingsInput{AccountId: aws.String(a.id),
		RetentionSettings: &types.RetentionSettings{RoomRetentionSettings: &types.RoomRetentionSettings{RetentionDays: &days}}})
	w.record(r, "PutRetentionSettings", "acct|"+a.id+"|retention", fmt.Sprint(days))
}

// opReads sends one read of some family.
func opReads(ctx context.Context, w *worker) {
	a := w.enterprise(ctx)
	if a == nil {
		return
	}
	switch w.rng.IntN(8) {
	case 0:
		call(ctx, w, (*chime.Client).ListAccounts, &chime.ListAccountsInput{MaxResults: aws.Int32(20)})
	case 1:
		call(ctx, w, (*chime.Client).ListUsers, &chime.ListUsersInput{AccountId: aws.String(a.id)})
	case 2:
		call(ctx, w, (*chime.Client).ListPhoneNumbers, &chime.ListPhoneNumbersInput{MaxResults: aws.Int32(20)})
	case 3:
		call(ctx, w, (*chime.Client).ListRooms, &chime.ListRoomsInput{AccountId: aws.String(a.id)})
	case 4:
		call(ctx, w, (*chime.Client).ListBots, &chime.ListBotsInput{AccountId: aws.String(a.id)})
	case 5:
		call(ctx, w, (*chime.Client).GetGlobalSettings, &chime.GetGlobalSettingsInput{})
	case 6:
		call(ctx, w, (*chime.Client).ListPhoneNumberOrders, &chime.ListPhoneNumberOrdersInput{})
	default:
		call(ctx, w, (*chime.Client).GetAccount, &chime.GetAccountInput{AccountId: aws.String(a.id)})
	}
}
