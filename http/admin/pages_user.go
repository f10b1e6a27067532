package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	chime "github.com/chimed/chimed"
)

// The User page: every field, license and user type, PIN reset, logout, phone number, user settings.

func (c *Console) userPages(rt *router) {
	rt.page("GET /admin/accounts/{account}/users/{user}", userPage)
	rt.post("POST /admin/accounts/{account}/users/{user}/update", "UpdateUser", updateUser)
	rt.post("POST /admin/accounts/{account}/users/{user}/pin", "ResetPersonalPIN", resetPIN)
	rt.post("POST /admin/accounts/{account}/users/{user}/logout", "LogoutUser", logoutUser)
	rt.post("POST /admin/accounts/{account}/users/{user}/phone", "AssociatePhoneNumberWithUser", associateNumber)
	rt.post("POST /admin/accounts/{account}/users/{user}/phone/remove", "DisassociatePhoneNumberFromUser",
		disassociateNumber)
	rt.post("POST /admin/accounts/{account}/users/{user}/settings", "UpdateUserSettings", userSettings)
}

// userData is the data of user.html.
type userData struct {
	Account   *chime.Account
	User      *chime.User
	Settings  chime.UserSettings
	Licenses  []chime.License
	UserTypes []chime.UserType
}

func userPath(account, user string) string {
	return accountPath(account) + "/users/" + url.PathEscape(user)
}

// userPage: GET /admin/accounts/{account}/users/{user}.
func userPage(q *request) {
	ctx, aws := q.r.Context(), q.key().AwsAccountID
	aid, uid := q.r.PathValue("account"), q.r.PathValue("user")
	a, err := q.c.svc.GetAccount(ctx, aws, aid)
	if err != nil {
		q.fail(err)
		return
	}
	u, err := q.c.svc.GetUser(ctx, aws, aid, uid)
	if err != nil {
		q.fail(err)
		return
	}
	st, err := q.c.svc.GetUserSettings(ctx, aws, aid, uid)
	if err != nil {
		q.fail(err)
		return
	}
	title := u.Email
	if title == "" {
		title = u.ID
	}
	q.render(http.StatusOK, "user", title, "Accounts", userData{Account: a, User: u, Settings: st,
		Licenses: a.SupportedLicenses, UserTypes: chime.UserTypes})
}

// userAction runs the change of a user action and redirects to the user's page with notice or the error.
func userAction(q *request, params map[string]any, notice string, run func(ctx context.Context, aws, aid, uid string) error) {
	aid, uid := q.r.PathValue("account"), q.r.PathValue("user")
	p := map[string]any{"accountId": aid, "userId": uid}
	for k, v := range params {
		p[k] = v
	}
	err := q.act(p, []chime.AuditResource{resource("Account", aid), resource("User", uid)},
		func(ctx context.Context) error { return run(ctx, q.key().AwsAccountID, aid, uid) })
	if err != nil {
		q.failed(userPath(aid, uid), err)
		return
	}
	q.done(userPath(aid, uid), notice)
}

// updateUser: POST …/update (LicenseType, UserType) → UpdateUser.
func updateUser(q *request) {
	var p chime.UserPatch
	params := map[string]any{}
	if v := q.form.Get("LicenseType"); v != "" {
		l := chime.License(v)
		p.LicenseType, params["LicenseType"] = &l, v
	}
	if v := q.form.Get("UserType"); v != "" {
		t := chime.UserType(v)
		p.UserType, params["UserType"] = &t, v
	}
	userAction(q, params, "User saved.", func(ctx context.Context, aws, aid, uid string) error {
		_, err := q.c.svc.UpdateUser(ctx, aws, aid, uid, p)
		return err
	})
}

// resetPIN: POST …/pin → ResetPersonalPIN (the new PIN shows on the user's page).
func resetPIN(q *request) {
	userAction(q, nil, "Personal PIN reset.", func(ctx context.Context, aws, aid, uid string) error {
		_, err := q.c.svc.ResetPersonalPIN(ctx, aws, aid, uid)
		return err
	})
}

// logoutUser: POST …/logout → LogoutUser.
func logoutUser(q *request) {
	userAction(q, nil, "The user is signed out everywhere.", func(ctx context.Context, aws, aid, uid string) error {
		return q.c.svc.LogoutUser(ctx, aws, aid, uid)
	})
}

// associateNumber: POST …/phone (E164PhoneNumber) → AssociatePhoneNumberWithUser.
func associateNumber(q *request) {
	n := strings.TrimSpace(q.form.Get("E164PhoneNumber"))
	userAction(q, map[string]any{"E164PhoneNumber": n}, "Phone number "+n+" associated.",
		func(ctx context.Context, aws, aid, uid string) error {
			return q.c.svc.AssociatePhoneNumberWithUser(ctx, aws, aid, uid, &n)
		})
}

// disassociateNumber: POST …/phone/remove → DisassociatePhoneNumberFromUser.
func disassociateNumber(q *request) {
	userAction(q, nil, "Phone number disassociated.", func(ctx context.Context, aws, aid, uid string) error {
		return q.c.svc.DisassociatePhoneNumberFromUser(ctx, aws, aid, uid)
	})
}

// userSettings: POST …/settings (InboundCalling, OutboundCalling, SMS checkboxes) → UpdateUserSettings.
func userSettings(q *request) {
	st := chime.UserSettings{InboundCalling: q.form.Get("InboundCalling") != "",
		OutboundCalling: q.form.Get("OutboundCalling") != "", SMS: q.form.Get("SMS") != ""}
	params := map[string]any{"UserSettings": map[string]any{"Telephony": map[string]any{
		"InboundCalling": st.InboundCalling, "OutboundCalling": st.OutboundCalling, "SMS": st.SMS}}}
	userAction(q, params, "User settings saved.", func(ctx context.Context, aws, aid, uid string) error {
		return q.c.svc.UpdateUserSettings(ctx, aws, aid, uid, &st)
	})
}
