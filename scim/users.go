package scim

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	chime "github.com/chimed/chimed"
)

// Paging of ListUsers (RFC 7644 §3.4.2.4): count defaults to and is capped at maxCount.
const maxCount = 100

func (h *Handler) users(q *req) {
	switch q.op {
	case "scim:ListUsers":
		h.listUsers(q)
	case "scim:CreateUser":
		h.createUser(q)
	case "scim:GetUser":
		h.getUser(q)
	case "scim:ReplaceUser":
		h.replaceUser(q)
	case "scim:PatchUser":
		h.patchUser(q)
	case "scim:DeleteUser":
		h.deleteUser(q)
	}
}

func (q *req) aws() string { return q.tok.AwsAccountID }

// load returns the SCIM user id: a SCIM row of that id, or a Chime user that no row stands for. Errors: 404.
func (h *Handler) load(q *req, id string) (view, error) {
	if id == "" || len(id) > 256 {
		return view{}, notFound(truncate(id))
	}
	row, err := h.svc.SCIMUser(q.ctx, q.aws(), q.account, id)
	switch {
	case err == nil:
		if row.ID != id || row.Deleted { // the row of another SCIM id, or a tombstone
			return view{}, notFound(id)
		}
		v := view{row: row}
		if row.UserID != "" {
			u, err := h.svc.GetUser(q.ctx, q.aws(), q.account, row.UserID)
			if err != nil && chime.ErrorCode(err) != chime.ENOTFOUND {
				return view{}, err
			}
			v.user = u // nil: removed from Chime (a Team deactivation, or BatchSuspendUser through the API)
		}
		return v, nil
	case chime.ErrorCode(err) != chime.ENOTFOUND:
		return view{}, err
	}
	u, err := h.svc.GetUser(q.ctx, q.aws(), q.account, id)
	if c := chime.ErrorCode(err); c == chime.ENOTFOUND || c == chime.EINVALID {
		return view{}, notFound(id)
	} else if err != nil {
		return view{}, err
	}
	return view{user: u}, nil
}

// all returns every SCIM user of the account: its Chime users in creation order, then the removed Team users
// SCIM keeps. With an address it returns only the users whose userName or address may be it.
func (h *Handler) all(q *req, address string) ([]view, error) {
	rows, err := h.svc.SCIMUsers(q.ctx, q.aws(), q.account)
	if err != nil {
		return nil, err
	}
	byUser := map[string]*chime.SCIMUser{}
	for _, r := range rows {
		if r.UserID != "" {
			byUser[r.UserID] = r
		}
	}
	var views []view
	seen := map[string]bool{}
	add := func(u *chime.User) {
		if seen[u.ID] {
			return
		}
		seen[u.ID] = true
		if r := byUser[u.ID]; r == nil || !r.Deleted {
			views = append(views, view{row: byUser[u.ID], user: u})
		}
	}
	in := chime.ListUsersInput{MaxResults: chime.MaxPageSize}
	if address != "" {
		in.UserEmail = &address
	}
	for {
		list, next, err := h.svc.ListUsers(q.ctx, q.aws(), q.account, in)
		if err != nil {
			return nil, err
		}
		for _, u := range list {
			add(u)
		}
		if next == "" {
			break
		}
		in.NextToken = &next
	}
	for _, r := range rows {
		if r.Deleted || seen[r.UserID] {
			continue
		}
		if address != "" && !strings.EqualFold(r.UserName, address) && !strings.EqualFold(r.Email, address) {
			continue
		}
		if r.UserID != "" && address != "" { // a row whose userName is the address: its user, if still there
			u, err := h.svc.GetUser(q.ctx, q.aws(), q.account, r.UserID)
			if err == nil {
				add(u)
				continue
			} else if chime.ErrorCode(err) != chime.ENOTFOUND {
				return nil, err
			}
		}
		seen[r.UserID] = r.UserID != ""
		views = append(views, view{row: r})
	}
	return views, nil
}

func (h *Handler) listUsers(q *req) {
	qs := q.r.URL.Query()
	var f filter
	address := ""
	if s := qs.Get("filter"); s != "" {
		var err error
		if f, err = parseFilter(s); err != nil {
			h.fail(q, fromChime(err, ""))
			return
		}
		address, _ = addressHint(f)
	}
	start, count := 1, maxCount
	for _, p := range []struct {
		name string
		dst  *int
	}{{"startIndex", &start}, {"count", &count}} {
		if s := qs.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				h.fail(q, badRequest(invalidValue, "%s must be an integer", p.name))
				return
			}
			*p.dst = n
		}
	}
	start, count = max(start, 1), min(max(count, 0), maxCount) // RFC 7644 §3.4.2.4: < 1 is 1, < 0 is 0
	views, err := h.all(q, address)
	if err != nil {
		h.fail(q, fromChime(err, ""))
		return
	}
	var matched []*User
	for _, v := range views {
		res := resource(v, q.base)
		if f == nil || f.match(generic(res)) {
			matched = append(matched, res)
		}
	}
	page := []any{}
	for i := start - 1; i < len(matched) && len(page) < count; i++ {
		page = append(page, matched[i])
	}
	h.writeJSON(q, http.StatusOK, listResponse{Schemas: []string{ListSchema}, TotalResults: len(matched),
		StartIndex: start, ItemsPerPage: len(page), Resources: page})
}

func (h *Handler) getUser(q *req) {
	v, err := h.load(q, q.rest[1])
	if err != nil {
		h.fail(q, fromChime(err, ""))
		return
	}
	res := resource(v, q.base)
	if matchTag(q.r.Header.Get("If-None-Match"), res.Meta.Version) {
		q.w.Header().Set("ETag", res.Meta.Version)
		q.status = http.StatusNotModified
		q.w.WriteHeader(http.StatusNotModified)
		return
	}
	h.writeUser(q, http.StatusOK, res)
}

func (h *Handler) writeUser(q *req, status int, res *User) {
	q.w.Header().Set("ETag", res.Meta.Version)
	if status == http.StatusCreated {
		q.w.Header().Set("Location", res.Meta.Location)
	}
	h.writeJSON(q, status, res)
}

// matchTag reports whether an If-Match or If-None-Match header names version ("*" names any); weak and strong
// forms compare equal.
func matchTag(header, version string) bool {
	if header == "" {
		return false
	}
	strip := func(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "W/") }
	for _, t := range strings.Split(header, ",") {
		if strings.TrimSpace(t) == "*" || strip(t) == strip(version) {
			return true
		}
	}
	return false
}

// precondition refuses a change when If-Match does not name the current version. Errors: 412.
func precondition(q *req, res *User) error {
	if h := q.r.Header.Get("If-Match"); h != "" && !matchTag(h, res.Meta.Version) {
		return errorf(http.StatusPreconditionFailed, "", "The resource changed: its version is %s", res.Meta.Version)
	}
	return nil
}

func (h *Handler) createUser(q *req) {
	res, err := h.create(q)
	if err != nil {
		h.fail(q, fromChime(err, ""))
		return
	}
	q.created = res.ID
	h.writeUser(q, http.StatusCreated, res)
}

// create provisions a user: an invitation on a Team account (InviteUsers), CreateUser on the others (which
// refuses EnterpriseLWA accounts: their users come from Login with Amazon). A Team user created inactive is only
// recorded by SCIM: it is invited when it becomes active.
func (h *Handler) create(q *req) (*User, error) {
	in, err := parseUser(q.body)
	if err != nil {
		return nil, err
	}
	email := in.email
	if email == "" {
		email = in.userName
	}
	if !strings.Contains(email, "@") {
		return nil, badRequest(invalidValue, "A Chime user needs an email address: give emails (work, primary) "+
			"or a userName that is one")
	}
	a, err := h.svc.GetAccount(q.ctx, q.aws(), q.account)
	if err != nil {
		return nil, err
	}
	want := state{userName: in.userName, externalID: in.externalID, email: email, active: in.active == nil || *in.active}
	if in.license != nil {
		want.license = *in.license
	}
	if in.userType != nil {
		want.userType = *in.userType
	}
	if in.displayName != nil {
		want.displayName = *in.displayName
	}
	if err := checkChime(a, want, state{active: true}); err != nil {
		return nil, err
	}
	if err := h.unique(q, "", in.userName); err != nil {
		return nil, err
	}
	var u *chime.User
	switch {
	case a.Type == chime.AccountTeam && want.active:
		if u, err = h.invite(q, email, want.userType); err != nil {
			return nil, err
		}
	case a.Type == chime.AccountTeam:
	default:
		ci := chime.CreateUserInput{Email: &email, Username: in.displayName}
		if want.userType != "" {
			t := chime.UserType(want.userType)
			ci.UserType = &t
		}
		if u, err = h.svc.CreateUser(q.ctx, q.aws(), q.account, ci); err != nil {
			return nil, err
		}
	}
	if u != nil && want.license != "" && want.license != string(u.License) {
		l := chime.License(want.license)
		if u, err = h.svc.UpdateUser(q.ctx, q.aws(), q.account, u.ID, chime.UserPatch{LicenseType: &l}); err != nil {
			return nil, err
		}
	}
	row := &chime.SCIMUser{AccountID: q.account, UserName: in.userName, Email: email, ExternalID: in.externalID}
	if u != nil {
		row.ID, row.UserID, row.Email = u.ID, u.ID, u.Email
	} else {
		row.ID = newEventID() // a Team user created inactive has no Chime user yet
	}
	if err := h.svc.PutSCIMUser(q.ctx, q.aws(), row); err != nil {
		return nil, err
	}
	return resource(view{row: row, user: u}, q.base), nil
}

// invite invites address to the Team account (InviteUsers) and returns the invited user. Errors: 409 uniqueness
// when the address belongs to a registered member or to a user of another account of the AWS account.
func (h *Handler) invite(q *req, address, userType string) (*chime.User, error) {
	var typ *chime.UserType
	if userType != "" {
		t := chime.UserType(userType)
		typ = &t
	}
	invites, err := h.svc.InviteUsers(q.ctx, q.aws(), q.account, []string{address}, typ)
	if err != nil {
		return nil, err
	}
	if len(invites) != 1 || invites[0].Status == chime.InviteFailed {
		return nil, errorf(http.StatusConflict, uniqueness, "The address %s belongs to a registered member of this "+
			"account or to a user of another account", address)
	}
	list, _, err := h.svc.ListUsers(q.ctx, q.aws(), q.account, chime.ListUsersInput{UserEmail: &address})
	if err != nil {
		return nil, err
	}
	if len(list) != 1 {
		return nil, errorf(http.StatusConflict, uniqueness, "The invited user of %s is gone", address)
	}
	return h.svc.GetUser(q.ctx, q.aws(), q.account, list[0].ID)
}

// unique refuses a userName that another SCIM user of the account has (id is the user being changed, "" for
// a new one). Errors: 409 uniqueness.
func (h *Handler) unique(q *req, id, userName string) error {
	views, err := h.all(q, userName)
	if err != nil {
		return err
	}
	for _, v := range views {
		res := resource(v, q.base)
		if v.id() != id && (strings.EqualFold(res.UserName, userName) || id == "" && strings.EqualFold(v.email(), userName)) {
			return errorf(http.StatusConflict, uniqueness, "The userName %s is taken", userName)
		}
	}
	return nil
}

// checkChime validates a target state against the account before anything changes: the license must be one the
// account supports, the user type one of Chime's, and a deactivation one the account type allows. Errors: 400.
func checkChime(a *chime.Account, want, cur state) error {
	if want.license != "" && want.license != cur.license && !a.Supports(chime.License(want.license)) {
		return badRequest(invalidValue, "licenseType %s is not supported by this account", want.license)
	}
	if want.userType != "" && !slices.Contains(chime.UserTypes, chime.UserType(want.userType)) {
		return badRequest(invalidValue, "userType must be one of PrivateUser, SharedDevice")
	}
	if want.active != cur.active && a.Type != chime.AccountTeam && a.Type != chime.AccountEnterpriseLWA {
		return badRequest(mutability, "%s accounts do not suspend or reactivate users (BatchSuspendUser and "+
			"BatchUnsuspendUser are for Team and EnterpriseLWA accounts)", a.Type)
	}
	return nil
}

func (h *Handler) replaceUser(q *req) {
	h.change(q, func(v view, st *state) error {
		in, err := parseUser(q.body)
		if err != nil {
			return err
		}
		if in.email != "" && chime.EmailKey(in.email) != chime.EmailKey(st.email) {
			return badRequest(mutability, "A Chime user's address cannot change (it is %s)", st.email)
		}
		st.userName, st.externalID = in.userName, in.externalID
		if in.displayName != nil {
			st.displayName = *in.displayName
		}
		if in.active != nil {
			st.active = *in.active
		}
		if in.license != nil {
			st.license = *in.license
		}
		if in.userType != nil {
			st.userType = *in.userType
		}
		return nil
	})
}

func (h *Handler) patchUser(q *req) {
	h.change(q, func(v view, st *state) error {
		m, err := object(q.body, "The body")
		if err != nil {
			return err
		}
		if !hasSchema(m, PatchSchema) {
			return badRequest(invalidSyntax, "schemas must list %s", PatchSchema)
		}
		var ops []json.RawMessage
		if err := json.Unmarshal(m["operations"], &ops); err != nil || len(ops) == 0 {
			return badRequest(invalidSyntax, "Operations must be a non-empty list")
		}
		if len(ops) > maxOperations {
			return badRequest(invalidSyntax, "Operations must have at most %d members", maxOperations)
		}
		for _, op := range ops {
			if err := applyOp(st, op); err != nil {
				return err
			}
		}
		return nil
	})
}

// change runs a PUT or PATCH: load, If-Match, edit the state, apply it, answer the new resource.
func (h *Handler) change(q *req, edit func(view, *state) error) {
	v, err := h.load(q, q.rest[1])
	if err != nil {
		h.fail(q, fromChime(err, ""))
		return
	}
	res := resource(v, q.base)
	if err := precondition(q, res); err != nil {
		h.fail(q, fromChime(err, ""))
		return
	}
	cur := stateOf(v, res)
	want := cur
	if err := edit(v, &want); err != nil {
		h.fail(q, fromChime(err, ""))
		return
	}
	if v, err = h.apply(q, v, cur, want); err != nil {
		h.fail(q, fromChime(err, ""))
		return
	}
	h.writeUser(q, http.StatusOK, resource(v, q.base))
}

// apply brings a user from cur to want through the Service's methods: a reactivation first (Team: InviteUsers,
// which gives a removed user a new Chime user; EnterpriseLWA: BatchUnsuspendUser), then the license and user
// type (UpdateUser), the display name of a registered user (RegisterUser, which only renames one), and a
// deactivation last (BatchSuspendUser: Team removes, EnterpriseLWA suspends); then the SCIM row.
func (h *Handler) apply(q *req, v view, cur, want state) (view, error) {
	ctx, aws, acct := q.ctx, q.aws(), q.account
	a, err := h.svc.GetAccount(ctx, aws, acct)
	if err != nil {
		return v, err
	}
	if err := checkChime(a, want, cur); err != nil {
		return v, err
	}
	if !strings.EqualFold(want.userName, cur.userName) {
		if err := h.unique(q, v.id(), want.userName); err != nil {
			return v, err
		}
	}
	u := v.user
	if want.active && !cur.active {
		if a.Type == chime.AccountTeam && u == nil {
			u, err = h.invite(q, v.email(), want.userType)
		} else if u != nil {
			u, err = h.batch(ctx, aws, acct, u.ID, h.svc.BatchUnsuspendUser)
		}
		if err != nil {
			return v, err
		}
	}
	if u != nil {
		var p chime.UserPatch
		if want.license != "" && want.license != string(u.License) {
			l := chime.License(want.license)
			p.LicenseType = &l
		}
		if want.userType != "" && want.userType != string(u.Type) {
			t := chime.UserType(want.userType)
			p.UserType = &t
		}
		if p.LicenseType != nil || p.UserType != nil {
			if u, err = h.svc.UpdateUser(ctx, aws, acct, u.ID, p); err != nil {
				return v, err
			}
		}
		if want.displayName != u.DisplayName && u.RegistrationStatus == chime.Registered {
			if u, err = h.svc.RegisterUser(ctx, aws, acct, u.ID, &want.displayName); err != nil {
				return v, err
			}
		}
	}
	if !want.active && cur.active && u != nil {
		if u, err = h.batch(ctx, aws, acct, u.ID, h.svc.BatchSuspendUser); err != nil {
			return v, err
		}
	}
	row := v.row
	if row == nil {
		row = &chime.SCIMUser{AccountID: acct, ID: v.id()}
	}
	row.UserName, row.ExternalID, row.Email, row.UserID = want.userName, want.externalID, v.email(), ""
	if u != nil {
		row.UserID, row.Email = u.ID, u.Email
	}
	if err := h.svc.PutSCIMUser(ctx, aws, row); err != nil {
		return v, err
	}
	return view{row: row, user: u}, nil
}

// batch runs a batch method (BatchSuspendUser, BatchUnsuspendUser) for one user and returns the user after it
// (nil when it was removed from the account).
func (h *Handler) batch(ctx context.Context, aws, acct, id string,
	fn func(context.Context, string, string, []string) ([]chime.UserError, error)) (*chime.User, error) {
	errs, err := fn(ctx, aws, acct, []string{id})
	if err == nil {
		err = userErrors(errs)
	}
	if err != nil {
		return nil, fromChime(err, mutability)
	}
	u, err := h.svc.GetUser(ctx, aws, acct, id)
	if chime.ErrorCode(err) == chime.ENOTFOUND {
		return nil, nil
	}
	return u, err
}

// deleteUser removes a user by its account type's rules: Team removes it from the account (BatchSuspendUser);
// EnterpriseLWA suspends it (BatchSuspendUser), and SCIM forgets it; EnterpriseDirectory and EnterpriseOIDC
// accounts have no removal (400 mutability).
func (h *Handler) deleteUser(q *req) {
	err := h.remove(q)
	if err != nil {
		h.fail(q, fromChime(err, ""))
		return
	}
	h.endAudit(q, http.StatusNoContent, nil)
	q.status = http.StatusNoContent
	q.w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) remove(q *req) error {
	ctx, aws, acct := q.ctx, q.aws(), q.account
	v, err := h.load(q, q.rest[1])
	if err != nil {
		return err
	}
	if err := precondition(q, resource(v, q.base)); err != nil {
		return err
	}
	a, err := h.svc.GetAccount(ctx, aws, acct)
	if err != nil {
		return err
	}
	switch a.Type {
	case chime.AccountTeam:
		if v.user != nil {
			if _, err := h.batch(ctx, aws, acct, v.user.ID, h.svc.BatchSuspendUser); err != nil {
				return err
			}
		}
		return h.svc.DeleteSCIMUser(ctx, aws, acct, v.id())
	case chime.AccountEnterpriseLWA:
		if v.user != nil && v.user.RegistrationStatus != chime.Suspended {
			if _, err := h.batch(ctx, aws, acct, v.user.ID, h.svc.BatchSuspendUser); err != nil {
				return err
			}
		}
		row := v.row
		if row == nil {
			row = &chime.SCIMUser{AccountID: acct, ID: v.id(), UserName: v.email()}
		}
		row.Deleted, row.Email = true, v.email()
		if v.user != nil {
			row.UserID = v.user.ID
		}
		return h.svc.PutSCIMUser(ctx, aws, row)
	}
	return badRequest(mutability, "%s accounts have no removal of users: their users stay (BatchSuspendUser is for "+
		"Team and EnterpriseLWA accounts)", a.Type)
}
