package http

import (
	"net/url"
	"strings"
)

// route is one entry of the route table: (method, path template, literal ?operation=) → handler.
type route struct {
	method string
	path   []string // segments of the template; "{}" is a label
	op     string   // the literal operation query value; "" means the parameter must be absent
	name   string   // operation name, for logs
	read   bool     // Get*/List*: allowed for read-only credentials
	public bool     // no authentication (health, readiness, the session check and the user's pages)
	html   bool     // a page for people: errors are HTML pages, and the token label is kept out of logs
	h      func(*Server, *call)
}

func r(method, path, op, name string, read bool, h func(*Server, *call)) route {
	return route{method: method, path: strings.Split(strings.TrimPrefix(path, "/"), "/"), op: op, name: name,
		read: read, h: h}
}

// routeTable lists every operation chimed serves.
func routeTable() []route {
	const get, post, put, del = "GET", "POST", "PUT", "DELETE"
	rs := []route{
		r(post, "/accounts", "", "CreateAccount", false, (*Server).createAccount),
		r(get, "/accounts", "", "ListAccounts", true, (*Server).listAccounts),
		r(get, "/accounts/{}", "", "GetAccount", true, (*Server).getAccount),
		r(post, "/accounts/{}", "", "UpdateAccount", false, (*Server).updateAccount),
		r(del, "/accounts/{}", "", "DeleteAccount", false, (*Server).deleteAccount),
		r(get, "/accounts/{}/settings", "", "GetAccountSettings", true, (*Server).getAccountSettings),
		r(put, "/accounts/{}/settings", "", "UpdateAccountSettings", false, (*Server).updateAccountSettings),
		r(get, "/accounts/{}/users", "", "ListUsers", true, (*Server).listUsers),
		r(post, "/accounts/{}/users", "", "BatchUpdateUser", false, (*Server).batchUpdateUser),
		r(post, "/accounts/{}/users", "create", "CreateUser", false, (*Server).createUser),
		r(post, "/accounts/{}/users", "add", "InviteUsers", false, (*Server).inviteUsers),
		r(post, "/accounts/{}/users", "suspend", "BatchSuspendUser", false, (*Server).batchSuspendUser),
		r(post, "/accounts/{}/users", "unsuspend", "BatchUnsuspendUser", false, (*Server).batchUnsuspendUser),
		r(get, "/accounts/{}/users/{}", "", "GetUser", true, (*Server).getUser),
		r(post, "/accounts/{}/users/{}", "", "UpdateUser", false, (*Server).updateUser),
		r(post, "/accounts/{}/users/{}", "logout", "LogoutUser", false, (*Server).logoutUser),
		r(post, "/accounts/{}/users/{}", "reset-personal-pin", "ResetPersonalPIN", false, (*Server).resetPersonalPIN),

		r(put, "/_chimed/accounts/{}/type", "", "chimed:SetAccountType", false, (*Server).setAccountType),
		r(post, "/_chimed/accounts/{}/users/{}/register", "", "chimed:RegisterUser", false, (*Server).registerUser),
		r(post, "/_chimed/reset", "", "chimed:Reset", false, (*Server).reset),
	}
	health := r(get, "/_chimed/health", "", "chimed:Health", true, (*Server).health)
	ready := r(get, "/_chimed/ready", "", "chimed:Ready", true, (*Server).ready)
	health.public, ready.public = true, true
	rs = append(rs, health, ready)

	// The user lifecycle (spec §9.3): the session check and the pages are public (their tokens and forms are
	// the credentials). The outbox is signed like the API and, since it holds invitation links (they register
	// users), needs a key with write rights like every control endpoint, although it is a GET.
	rs = append(rs, r(get, "/_chimed/outbox", "", "chimed:Outbox", false, (*Server).outbox))
	session := r(get, "/_chimed/session", "", "chimed:Session", true, (*Server).session)
	session.public = true
	rs = append(rs, session)
	for _, p := range []route{
		r(get, "/invite/{}", "", "web:Invitation", true, (*Server).invitePage),
		r(post, "/invite/{}", "", "web:AcceptInvitation", false, (*Server).acceptInvite),
		r(get, "/signin", "", "web:SignInForm", true, (*Server).signInPage),
		r(post, "/signin", "", "web:RequestSignIn", false, (*Server).requestSignIn),
		r(get, "/signin/{}", "", "web:SignIn", true, (*Server).openSignIn),
	} {
		p.public, p.html = true, true
		rs = append(rs, p)
	}
	return rs
}

// match finds the route for a request. escapedPath is split on "/" without cleaning, so an empty label
// (`/accounts//users`) reaches its handler and is refused by validation. Labels are returned still escaped.
func (s *Server) match(method, escapedPath string, q url.Values) (route, []string, bool) {
	if !strings.HasPrefix(escapedPath, "/") {
		return route{}, nil, false
	}
	segs := strings.Split(escapedPath[1:], "/")
	op, hasOp := "", false
	if vs, ok := q["operation"]; ok {
		op, hasOp = vs[0], true
	}
	for _, rt := range s.routes {
		if rt.method != method || len(rt.path) != len(segs) || (rt.op != op) || (hasOp && rt.op == "") {
			continue
		}
		var labels []string
		ok := true
		for i, p := range rt.path {
			if p == "{}" {
				labels = append(labels, segs[i])
			} else if p != segs[i] {
				ok = false
				break
			}
		}
		if ok {
			return rt, labels, true
		}
	}
	return route{}, nil, false
}
