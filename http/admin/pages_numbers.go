package admin

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	chime "github.com/chimed/chimed"
)

// The Phone numbers pages: the inventory of the key's AWS account (status filter, paging), the deletion queue
// with Restore, the phone number settings (default outbound calling name), and a number's page (calling name,
// product type, assignment to a user, delete). Searching and ordering are in pages_numbers_orders.go.

// numbersPageSize is the number of inventory numbers a page shows.
const numbersPageSize = 50

// callingNameRE is the model's pattern of CallingName (UpdatePhoneNumber, UpdatePhoneNumberSettings): the API's
// wire layer checks it before the service is called, so the console checks the same pattern.
var callingNameRE = regexp.MustCompile(`^$|^[a-zA-Z0-9 ]{2,15}$`)

func (c *Console) numbersPages(rt *router) {
	rt.page("GET /admin/phone-numbers", numbersPage)
	rt.page("GET /admin/phone-numbers/n/{number}", numberPage)
	rt.post("POST /admin/phone-numbers/settings", "UpdatePhoneNumberSettings", numberSettings)
	rt.post("POST /admin/phone-numbers/n/{number}/calling-name", "UpdatePhoneNumber", numberCallingName)
	rt.post("POST /admin/phone-numbers/n/{number}/product", "UpdatePhoneNumber", numberProduct)
	rt.post("POST /admin/phone-numbers/n/{number}/delete", "DeletePhoneNumber", deleteNumber)
	rt.post("POST /admin/phone-numbers/n/{number}/restore", "RestorePhoneNumber", restoreNumber)
	rt.post("POST /admin/phone-numbers/n/{number}/assign", "AssociatePhoneNumberWithUser", assignNumber)
	rt.post("POST /admin/phone-numbers/n/{number}/unassign", "DisassociatePhoneNumberFromUser", unassignNumber)
	c.numberOrderPages(rt)
}

// numbersData is the data of numbers.html.
type numbersData struct {
	Status   string // the inventory's status filter
	Statuses []chime.NumberStatus
	Numbers  []*chime.PhoneNumber
	Paging   Paging
	Problem  string // a bad filter or token
	Queue    []*chime.PhoneNumber
	Settings chime.PhoneNumberSettings
}

// numberPath is the page of the number e164.
func numberPath(e164 string) string { return "/admin/phone-numbers/n/" + url.PathEscape(e164) }

// numbersPage: GET /admin/phone-numbers?status=&token=.
func numbersPage(q *request) {
	ctx, aws, qv := q.r.Context(), q.key().AwsAccountID, q.r.URL.Query()
	d := numbersData{Status: qv.Get("status"), Statuses: chime.NumberStatuses}
	in := chime.ListNumbersInput{MaxResults: numbersPageSize}
	if d.Status != "" {
		in.Status = &d.Status
	}
	if t := qv.Get("token"); t != "" {
		in.NextToken = &t
	}
	status := http.StatusOK
	list, next, err := q.c.svc.ListPhoneNumbers(ctx, aws, in)
	if err != nil {
		if s, _ := statusOf(err); s >= 500 {
			q.fail(err)
			return
		}
		status, d.Problem = http.StatusBadRequest, plain(err)
	}
	d.Numbers = list
	d.Paging = pageLinks("/admin/phone-numbers", url.Values{"status": {d.Status}, "token": {qv.Get("token")}}, next)
	queued := string(chime.NumberDeleteInProgress)
	if d.Queue, _, err = q.c.svc.ListPhoneNumbers(ctx, aws, chime.ListNumbersInput{Status: &queued}); err != nil {
		q.fail(err)
		return
	}
	if d.Settings, err = q.c.svc.GetPhoneNumberSettings(ctx, aws); err != nil {
		q.fail(err)
		return
	}
	q.render(status, "numbers", "Phone numbers", "Phone numbers", d)
}

// numberData is the data of numbers_number.html.
type numberData struct {
	Number       *chime.PhoneNumber
	Products     []chime.ProductType
	Assigned     *chime.User    // the user the number is associated with, when it is
	AssignedAcct *chime.Account // and that user's account
	// The assignment form: the accounts to choose from, the account chosen (?account=) and its users.
	Accounts []*chime.Account
	Account  *chime.Account
	Users    []*chime.User
}

// numberPage: GET /admin/phone-numbers/n/{number}?account= — the number, its actions, and (account chosen)
// that account's users to assign it to.
func numberPage(q *request) {
	ctx, aws := q.r.Context(), q.key().AwsAccountID
	n, err := q.c.svc.GetPhoneNumber(ctx, aws, q.r.PathValue("number"))
	if err != nil {
		q.fail(err)
		return
	}
	d := numberData{Number: n, Products: []chime.ProductType{chime.ProductBusinessCalling, chime.ProductVoiceConnector,
		chime.ProductSipMediaApplicationDialIn}}
	if n.UserID != "" {
		if a, err := q.c.svc.GetAccount(ctx, aws, n.AccountID); err == nil {
			d.AssignedAcct = a
			if u, err := q.c.svc.GetUser(ctx, aws, n.AccountID, n.UserID); err == nil {
				d.Assigned = u
			}
		}
	} else if n.Status == chime.NumberUnassigned {
		if d.Accounts, _, err = q.c.svc.ListAccounts(ctx, aws, chime.ListAccountsInput{MaxResults: 100}); err != nil {
			q.fail(err)
			return
		}
		if id := q.r.URL.Query().Get("account"); id != "" {
			a, err := q.c.svc.GetAccount(ctx, aws, id)
			if err != nil {
				q.fail(err)
				return
			}
			d.Account = a
			if d.Users, _, err = q.c.svc.ListUsers(ctx, aws, id, chime.ListUsersInput{MaxResults: 100}); err != nil {
				q.fail(err)
				return
			}
		}
	}
	q.render(http.StatusOK, "numbers_number", n.E164, "Phone numbers", d)
}

// numberAction runs the change of an action on the number of the path and redirects to back with notice, or
// the error.
func numberAction(q *request, back string, params map[string]any, notice string, run func(ctx context.Context, aws, id string) error) {
	id := q.r.PathValue("number")
	p := map[string]any{"phoneNumberId": id}
	for k, v := range params {
		p[k] = v
	}
	err := q.act(p, []chime.AuditResource{resource("PhoneNumber", id)},
		func(ctx context.Context) error { return run(ctx, q.key().AwsAccountID, id) })
	if err != nil {
		q.failed(back, err)
		return
	}
	q.done(back, notice)
}

// checkCallingName returns an EINVALID error of field CallingName when name does not match the model's pattern.
func checkCallingName(name string) error {
	if !callingNameRE.MatchString(name) {
		return chime.InvalidField(chime.FieldCallingName, "must be 2 to 15 letters, digits or spaces (or empty to clear it)")
	}
	return nil
}

// numberSettings: POST /admin/phone-numbers/settings (CallingName) → UpdatePhoneNumberSettings.
func numberSettings(q *request) {
	name := strings.TrimSpace(q.form.Get("CallingName"))
	err := q.act(map[string]any{"CallingName": name}, nil, func(ctx context.Context) error {
		if err := checkCallingName(name); err != nil {
			return err
		}
		return q.c.svc.UpdatePhoneNumberSettings(ctx, q.key().AwsAccountID, &name)
	})
	if err != nil {
		q.failed("/admin/phone-numbers", err)
		return
	}
	q.done("/admin/phone-numbers", "Default outbound calling name saved.")
}

// numberCallingName: POST …/calling-name (CallingName) → UpdatePhoneNumber.
func numberCallingName(q *request) {
	name := strings.TrimSpace(q.form.Get("CallingName"))
	numberAction(q, numberPath(q.r.PathValue("number")), map[string]any{"CallingName": name}, "Calling name saved: it is being applied.",
		func(ctx context.Context, aws, id string) error {
			if err := checkCallingName(name); err != nil {
				return err
			}
			_, err := q.c.svc.UpdatePhoneNumber(ctx, aws, id, chime.NumberUpdate{CallingName: &name})
			return err
		})
}

// numberProduct: POST …/product (ProductType) → UpdatePhoneNumber.
func numberProduct(q *request) {
	pt := q.form.Get("ProductType")
	numberAction(q, numberPath(q.r.PathValue("number")), map[string]any{"ProductType": pt}, "Product type saved.",
		func(ctx context.Context, aws, id string) error {
			_, err := q.c.svc.UpdatePhoneNumber(ctx, aws, id, chime.NumberUpdate{ProductType: &pt})
			return err
		})
}

// deleteNumber: POST …/delete → DeletePhoneNumber (the number enters the deletion queue).
func deleteNumber(q *request) {
	numberAction(q, "/admin/phone-numbers", nil, q.r.PathValue("number")+" is in the deletion queue: restore it before it is purged.",
		func(ctx context.Context, aws, id string) error { return q.c.svc.DeletePhoneNumber(ctx, aws, id) })
}

// restoreNumber: POST …/restore → RestorePhoneNumber.
func restoreNumber(q *request) {
	numberAction(q, "/admin/phone-numbers", nil, q.r.PathValue("number")+" is restored to the inventory.",
		func(ctx context.Context, aws, id string) error {
			_, err := q.c.svc.RestorePhoneNumber(ctx, aws, id)
			return err
		})
}

// assignNumber: POST …/assign (AccountId, UserId) → AssociatePhoneNumberWithUser.
func assignNumber(q *request) {
	e164, aid, uid := q.r.PathValue("number"), q.form.Get("AccountId"), q.form.Get("UserId")
	err := q.act(map[string]any{"accountId": aid, "userId": uid, "E164PhoneNumber": e164},
		[]chime.AuditResource{resource("Account", aid), resource("User", uid)}, func(ctx context.Context) error {
			return q.c.svc.AssociatePhoneNumberWithUser(ctx, q.key().AwsAccountID, aid, uid, &e164)
		})
	if err != nil {
		q.failed(numberPath(e164)+"?account="+url.QueryEscape(aid), err)
		return
	}
	q.done(numberPath(e164), e164+" is assigned to the user.")
}

// unassignNumber: POST …/unassign → DisassociatePhoneNumberFromUser of the number's user.
func unassignNumber(q *request) {
	e164 := q.r.PathValue("number")
	n, err := q.c.svc.GetPhoneNumber(q.r.Context(), q.key().AwsAccountID, e164)
	if err != nil {
		q.failed(numberPath(e164), err)
		return
	}
	aid, uid := n.AccountID, n.UserID
	err = q.act(map[string]any{"accountId": aid, "userId": uid},
		[]chime.AuditResource{resource("Account", aid), resource("User", uid)}, func(ctx context.Context) error {
			if uid == "" {
				return chime.Invalid("the number is not assigned to a user")
			}
			return q.c.svc.DisassociatePhoneNumberFromUser(ctx, q.key().AwsAccountID, aid, uid)
		})
	if err != nil {
		q.failed(numberPath(e164), err)
		return
	}
	q.done(numberPath(e164), e164+" is no longer assigned.")
}
