package admin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	chime "github.com/chimed/chimed"
)

// The Account page: its users (filters, paging), invitations, bulk suspend / unsuspend / license, account
// settings, retention, sign-in delegate groups, account type, rename and default license, delete.

// usersPageSize is the number of users a page shows; statusScanPages bounds the service pages one page of the
// status filter reads.
const (
	usersPageSize   = 50
	statusScanPages = 10
)

func (c *Console) accountPages(rt *router) {
	rt.page("GET /admin/accounts/{account}", accountPage)
	rt.post("POST /admin/accounts/{account}/invite", "InviteUsers", inviteUsers)
	rt.post("POST /admin/accounts/{account}/suspend", "BatchSuspendUser", suspendUsers)
	rt.post("POST /admin/accounts/{account}/unsuspend", "BatchUnsuspendUser", unsuspendUsers)
	rt.post("POST /admin/accounts/{account}/licenses", "BatchUpdateUser", licenseUsers)
	rt.post("POST /admin/accounts/{account}/settings", "UpdateAccountSettings", accountSettings)
	rt.post("POST /admin/accounts/{account}/retention", "PutRetentionSettings", retentionSettings)
	rt.post("POST /admin/accounts/{account}/delegates", "AssociateSigninDelegateGroupsWithAccount", addDelegate)
	rt.post("POST /admin/accounts/{account}/delegates/remove", "DisassociateSigninDelegateGroupsFromAccount",
		removeDelegate)
}

// accountData is the data of account.html.
type accountData struct {
	Account                     *chime.Account
	Users                       []*chime.User
	Paging                      Paging
	Email, Type, Status         string // the user filters
	Problem                     string // a bad filter or token
	Retention                   *chime.RetentionSettings
	Licenses                    []chime.License
	AccountTypes                []chime.AccountType
	UserTypes                   []chime.UserType
	Statuses                    []chime.RegistrationStatus
	Team, LWA, Directory, IsEnt bool
	Invites                     []chime.Invite // the results of the last "Invite users"
}

// accountPage: GET /admin/accounts/{account}?email=&type=&status=&token=.
func accountPage(q *request) {
	d, status, ok := loadAccount(q)
	if ok {
		q.render(status, "account", d.Account.Name, "Accounts", d)
	}
}

// loadAccount reads the account page's data; it answers the error page and reports false when the account
// cannot be read.
func loadAccount(q *request) (*accountData, int, bool) {
	ctx, aws, id := q.r.Context(), q.key().AwsAccountID, q.r.PathValue("account")
	a, err := q.c.svc.GetAccount(ctx, aws, id)
	if err != nil {
		q.fail(err)
		return nil, 0, false
	}
	qv := q.r.URL.Query()
	if q.r.Method == http.MethodPost { // an action's result shows the first page, unfiltered
		qv = url.Values{}
	}
	d := &accountData{Account: a, Email: strings.TrimSpace(qv.Get("email")), Type: qv.Get("type"),
		Status: qv.Get("status"), Licenses: a.SupportedLicenses, AccountTypes: chime.AccountTypes,
		UserTypes: chime.UserTypes, Statuses: chime.RegistrationStatuses, Team: a.Type == chime.AccountTeam,
		LWA: a.Type == chime.AccountEnterpriseLWA, Directory: a.Type == chime.AccountEnterpriseDirectory}
	d.IsEnt = !d.Team
	in := chime.ListUsersInput{MaxResults: usersPageSize}
	if d.Email != "" {
		in.UserEmail = &d.Email
	}
	if d.Type != "" {
		t := chime.UserType(d.Type)
		in.UserType = &t
	}
	if t := qv.Get("token"); t != "" {
		in.NextToken = &t
	}
	status := http.StatusOK
	// The service filters by email and type; the status filter reads on through the service's pages (at most
	// statusScanPages of them) until a page's worth of users matched, and the next link continues from there.
	var next string
	for range statusScanPages {
		users, tok, err := q.c.svc.ListUsers(ctx, aws, id, in)
		if err != nil {
			if s, _ := statusOf(err); s >= 500 {
				q.fail(err)
				return nil, 0, false
			}
			status, d.Problem = http.StatusBadRequest, plain(err)
			break
		}
		for _, u := range users {
			if d.Status == "" || string(u.RegistrationStatus) == d.Status {
				d.Users = append(d.Users, u)
			}
		}
		next = tok
		if tok == "" || len(d.Users) >= usersPageSize {
			break
		}
		in.NextToken = &tok
	}
	d.Paging = pageLinks(accountPath(id), url.Values{"email": {d.Email}, "type": {d.Type}, "status": {d.Status},
		"token": {qv.Get("token")}}, next)
	if d.IsEnt {
		r, err := q.c.svc.GetRetentionSettings(ctx, aws, id)
		if err == nil {
			d.Retention = r
		} else if s, _ := statusOf(err); s >= 500 {
			q.fail(err)
			return nil, 0, false
		}
	}
	return d, status, true
}

// splitEmails splits the "Email addresses" field: one address a line, or separated by commas or semicolons.
func splitEmails(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' || r == ';' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// inviteUsers: POST …/invite (Emails, UserType) → InviteUsers; the account page shows each address's result.
func inviteUsers(q *request) {
	id := q.r.PathValue("account")
	emails := splitEmails(q.form.Get("Emails"))
	params := map[string]any{"accountId": id, "UserEmailList": emails}
	var typ *chime.UserType
	if v := q.form.Get("UserType"); v != "" {
		t := chime.UserType(v)
		typ = &t
		params["UserType"] = v
	}
	if len(emails) == 0 {
		q.failed(accountPath(id), chime.InvalidField(chime.FieldEmail, "needs at least one address"))
		return
	}
	var invites []chime.Invite
	err := q.act(params, []chime.AuditResource{resource("Account", id)}, func(ctx context.Context) error {
		var err error
		invites, err = q.c.svc.InviteUsers(ctx, q.key().AwsAccountID, id, emails, typ)
		return err
	})
	if err != nil {
		q.failed(accountPath(id), err)
		return
	}
	d, _, ok := loadAccount(q)
	if !ok {
		return
	}
	d.Invites = invites
	q.render(http.StatusOK, "account", d.Account.Name, "Accounts", d)
}

// batchUsers runs a batch operation on the selected users (form field "user") and reports per-user failures.
func batchUsers(q *request, verb string, run func(ctx context.Context, aws, id string, ids []string) ([]chime.UserError, error)) {
	id := q.r.PathValue("account")
	ids := q.form["user"]
	if len(ids) == 0 {
		q.failed(accountPath(id), chime.Invalid("select at least one user"))
		return
	}
	var errs []chime.UserError
	err := q.act(map[string]any{"accountId": id, "UserIdList": ids}, []chime.AuditResource{resource("Account", id)},
		func(ctx context.Context) error {
			var err error
			errs, err = run(ctx, q.key().AwsAccountID, id, ids)
			return err
		})
	if err != nil {
		q.failed(accountPath(id), err)
		return
	}
	q.doneBatch(accountPath(id), verb, len(ids), errs)
}

// doneBatch redirects with the outcome of a batch: how many users it changed, and each failure.
func (q *request) doneBatch(path, verb string, n int, errs []chime.UserError) {
	if len(errs) == 0 {
		q.done(path, fmt.Sprintf("%s %d user%s.", verb, n, plural(n)))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d of %d users; %d failed:", verb, n-len(errs), n, len(errs))
	for _, e := range errs {
		fmt.Fprintf(&b, " %s: %s.", e.UserID, e.Message)
	}
	q.setFlash("e", b.String())
	http.Redirect(q.w, q.r, path, http.StatusSeeOther)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func suspendUsers(q *request) { batchUsers(q, "Suspended", q.c.svc.BatchSuspendUser) }

func unsuspendUsers(q *request) { batchUsers(q, "Unsuspended", q.c.svc.BatchUnsuspendUser) }

// licenseUsers: POST …/licenses (user…, LicenseType) → BatchUpdateUser.
func licenseUsers(q *request) {
	lic := chime.License(q.form.Get("LicenseType"))
	batchUsers(q, "Changed the license of", func(ctx context.Context, aws, id string, ids []string) ([]chime.UserError, error) {
		items := make([]chime.UserPatch, len(ids))
		for i, u := range ids {
			items[i] = chime.UserPatch{UserID: u, LicenseType: &lic}
		}
		return q.c.svc.BatchUpdateUser(ctx, aws, id, items)
	})
}

// accountSettings: POST …/settings (DisableRemoteControl, EnableDialOut checkboxes) → UpdateAccountSettings.
func accountSettings(q *request) {
	id := q.r.PathValue("account")
	rc, dial := q.form.Get("DisableRemoteControl") != "", q.form.Get("EnableDialOut") != ""
	err := q.act(map[string]any{"accountId": id, "AccountSettings": map[string]any{"DisableRemoteControl": rc,
		"EnableDialOut": dial}}, []chime.AuditResource{resource("Account", id)}, func(ctx context.Context) error {
		return q.c.svc.UpdateAccountSettings(ctx, q.key().AwsAccountID, id,
			&chime.AccountSettingsPatch{DisableRemoteControl: &rc, EnableDialOut: &dial})
	})
	if err != nil {
		q.failed(accountPath(id), err)
		return
	}
	q.done(accountPath(id), "Account settings saved.")
}

// retentionDays parses a retention field: "" turns the policy off (nil).
func retentionDays(v string, f chime.Field) (*chime.RetentionPolicyPatch, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return &chime.RetentionPolicyPatch{}, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return nil, chime.InvalidField(f, "must be a whole number of days")
	}
	return &chime.RetentionPolicyPatch{Days: &n}, nil
}

// retentionSettings: POST …/retention (RoomRetentionDays, ConversationRetentionDays; empty = off) →
// PutRetentionSettings.
func retentionSettings(q *request) {
	id := q.r.PathValue("account")
	room, err := retentionDays(q.form.Get("RoomRetentionDays"), chime.FieldRoomRetentionDays)
	if err != nil {
		q.failed(accountPath(id), err)
		return
	}
	conv, err := retentionDays(q.form.Get("ConversationRetentionDays"), chime.FieldConversationRetentionDays)
	if err != nil {
		q.failed(accountPath(id), err)
		return
	}
	params := map[string]any{"accountId": id, "RoomRetentionDays": room.Days, "ConversationRetentionDays": conv.Days}
	err = q.act(params, []chime.AuditResource{resource("Account", id)}, func(ctx context.Context) error {
		_, err := q.c.svc.PutRetentionSettings(ctx, q.key().AwsAccountID, id,
			&chime.RetentionSettingsPatch{Room: room, Conversation: conv})
		return err
	})
	if err != nil {
		q.failed(accountPath(id), err)
		return
	}
	q.done(accountPath(id), "Retention settings saved.")
}

// addDelegate: POST …/delegates (GroupName) → AssociateSigninDelegateGroupsWithAccount.
func addDelegate(q *request) {
	delegates(q, "added", func(ctx context.Context, aws, id string, g []string) error {
		return q.c.svc.AssociateSigninDelegateGroups(ctx, aws, id, g)
	})
}

// removeDelegate: POST …/delegates/remove (GroupName) → DisassociateSigninDelegateGroupsFromAccount.
func removeDelegate(q *request) {
	delegates(q, "removed", func(ctx context.Context, aws, id string, g []string) error {
		return q.c.svc.DisassociateSigninDelegateGroups(ctx, aws, id, g)
	})
}

func delegates(q *request, verb string, run func(ctx context.Context, aws, id string, groups []string) error) {
	id := q.r.PathValue("account")
	g := strings.TrimSpace(q.form.Get("GroupName"))
	groups := []string{g}
	err := q.act(map[string]any{"accountId": id, "GroupNames": groups}, []chime.AuditResource{resource("Account", id)},
		func(ctx context.Context) error { return run(ctx, q.key().AwsAccountID, id, groups) })
	if err != nil {
		q.failed(accountPath(id), err)
		return
	}
	q.done(accountPath(id), "Sign-in delegate group “"+g+"” "+verb+".")
}
