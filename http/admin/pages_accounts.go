package admin

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	chime "github.com/chimed/chimed"
)

// The Accounts page (/admin/, the page after sign-in) and the actions on one account as a whole: create,
// rename and default license, account type, delete.

// accountsPageSize is the number of accounts a page shows.
const accountsPageSize = 25

func (c *Console) accountsPages(rt *router) {
	rt.page("GET /admin/{$}", accountsPage)
	rt.post("POST /admin/accounts", "CreateAccount", createAccount)
	rt.post("POST /admin/accounts/{account}/update", "UpdateAccount", updateAccount)
	rt.post("POST /admin/accounts/{account}/type", "chimed:SetAccountType", setAccountType)
	rt.post("POST /admin/accounts/{account}/delete", "DeleteAccount", deleteAccount)
}

// accountsData is the data of accounts.html.
type accountsData struct {
	Name, Email string // the search
	Accounts    []*chime.Account
	Paging      Paging
	Problem     string // a bad search or page token
}

// accountsPage: GET /admin/?name=PREFIX&email=ADDRESS&token=T — the accounts of the key's AWS account in
// creation order, a page at a time (the service's ListAccounts and its tokens).
func accountsPage(q *request) {
	qv := q.r.URL.Query()
	d := accountsData{Name: strings.TrimSpace(qv.Get("name")), Email: strings.TrimSpace(qv.Get("email"))}
	in := chime.ListAccountsInput{MaxResults: accountsPageSize}
	if d.Name != "" {
		in.Name = &d.Name
	}
	if d.Email != "" {
		in.UserEmail = &d.Email
	}
	if t := qv.Get("token"); t != "" {
		in.NextToken = &t
	}
	accounts, next, err := q.c.svc.ListAccounts(q.r.Context(), q.key().AwsAccountID, in)
	status := http.StatusOK
	if err != nil {
		if s, _ := statusOf(err); s >= 500 {
			q.fail(err)
			return
		}
		status, d.Problem = http.StatusBadRequest, plain(err)
	}
	d.Accounts = accounts
	d.Paging = pageLinks("/admin/", url.Values{"name": {d.Name}, "email": {d.Email}, "token": {qv.Get("token")}}, next)
	q.render(status, "accounts", "Accounts", "Accounts", d)
}

// accountPath is the page of account id.
func accountPath(id string) string { return "/admin/accounts/" + url.PathEscape(id) }

// createAccount: POST /admin/accounts (Name) → CreateAccount; on success the new account's page.
func createAccount(q *request) {
	name := strings.TrimSpace(q.form.Get("Name"))
	var a *chime.Account
	err := q.act(map[string]any{"Name": name}, nil, func(ctx context.Context) error {
		var err error
		a, err = q.c.svc.CreateAccount(ctx, q.key().AwsAccountID, &name)
		if err == nil {
			q.created = append(q.created, resource("Account", a.ID))
		}
		return err
	})
	if err != nil {
		q.failed("/admin/", err)
		return
	}
	q.done(accountPath(a.ID), "Account “"+a.Name+"” created.")
}

// updateAccount: POST /admin/accounts/{account}/update (Name, DefaultLicense) → UpdateAccount.
func updateAccount(q *request) {
	id := q.r.PathValue("account")
	params := map[string]any{"accountId": id}
	var name *string
	var lic *chime.License
	if v := strings.TrimSpace(q.form.Get("Name")); v != "" {
		name = &v
		params["Name"] = v
	}
	if v := q.form.Get("DefaultLicense"); v != "" {
		l := chime.License(v)
		lic = &l
		params["DefaultLicense"] = v
	}
	err := q.act(params, []chime.AuditResource{resource("Account", id)}, func(ctx context.Context) error {
		_, err := q.c.svc.UpdateAccount(ctx, q.key().AwsAccountID, id, name, lic)
		return err
	})
	if err != nil {
		q.failed(accountPath(id), err)
		return
	}
	q.done(accountPath(id), "Account saved.")
}

// setAccountType: POST /admin/accounts/{account}/type (AccountType) → the control endpoint's SetAccountType.
func setAccountType(q *request) {
	id := q.r.PathValue("account")
	typ := q.form.Get("AccountType")
	err := q.act(map[string]any{"accountId": id, "AccountType": typ}, []chime.AuditResource{resource("Account", id)},
		func(ctx context.Context) error {
			_, err := q.c.svc.SetAccountType(ctx, q.key().AwsAccountID, id, &typ)
			return err
		})
	if err != nil {
		q.failed(accountPath(id), err)
		return
	}
	q.done(accountPath(id), "Account type changed to "+typ+".")
}

// deleteAccount: POST /admin/accounts/{account}/delete → DeleteAccount. Refused (422) while users remain: the
// flash explains the rule in plain words.
func deleteAccount(q *request) {
	id := q.r.PathValue("account")
	var a *chime.Account
	err := q.act(map[string]any{"accountId": id}, []chime.AuditResource{resource("Account", id)},
		func(ctx context.Context) error {
			var err error
			if a, err = q.c.svc.GetAccount(ctx, q.key().AwsAccountID, id); err != nil {
				return err
			}
			return q.c.svc.DeleteAccount(ctx, q.key().AwsAccountID, id)
		})
	if chime.ErrorCode(err) == chime.EUNPROCESSABLE {
		q.setFlash("e", deleteRefusal(a, err))
		http.Redirect(q.w, q.r, accountPath(id), http.StatusSeeOther)
		return
	} else if err != nil {
		q.failed(accountPath(id), err)
		return
	}
	q.done("/admin/", "Account “"+a.Name+"” deleted.")
}

// deleteRefusal explains why an account with users cannot be deleted (§4.5, D3).
func deleteRefusal(a *chime.Account, err error) string {
	rule := "An Enterprise account can be deleted only when all of its users are suspended: suspend them first."
	if a != nil && a.Type == chime.AccountTeam {
		rule = "A Team account can be deleted only when it has no users left: remove them first with " +
			"“Suspend selected” (in a Team account, suspending a user removes it)."
	}
	return "This account cannot be deleted yet. " + rule + " (" + chime.ErrorMessage(err) + ".)"
}
