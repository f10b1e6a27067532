package http

import (
	"net/url"
	"strings"
)

// modelOperation is the route of one operation of the model (zz_operations.go lists them all).
type modelOperation struct {
	name         string
	method, path string // path template, e.g. /accounts/{accountId}/users
	selKey       string // "operation" or "type" when a literal query parameter selects the operation
	selValue     string
	status       int // success status
	read         bool
	legacy       bool         // also routed under /console (docs/behavior.md D44)
	errs         exceptionSet // the exceptions the model lists for the operation
	serve        func(*Server, *call)
}

// modelException is an exception shape of the model.
type modelException struct {
	name   string
	status int
	bit    exceptionSet
}

// exceptionSet is a set of exceptions of the model, one bit each.
type exceptionSet uint64

// route is one entry of the route table: (method, path template, literal selector) → handler.
type route struct {
	method   string
	path     []string     // segments of the template; "{}" is a label
	selKey   string       // the selecting query parameter ("operation" or "type"), "" when none
	sel      string       // its literal value
	name     string       // operation name, for logs
	status   int          // success status (model operations)
	read     bool         // Get*/List*/Search*: allowed for read-only credentials
	public   bool         // no authentication (health, readiness, the session check and the user's pages)
	timeless bool         // needs no server clock: the request does not refresh its offset (health, readiness)
	html     bool         // a page for people: errors are HTML pages, and the token label is kept out of logs
	errs     exceptionSet // the exceptions the operation may answer (allExceptions outside the model)
	h        func(*Server, *call)
	head     func(*Server, *call) // pages: the answer to HEAD when h would change something (nil: h, body discarded)
	m        *routeMetrics        // the operation's metric children, resolved at start (metrics.go)
}

// allExceptions is the exception set of routes outside the model (chimed's own endpoints).
const allExceptions = ^exceptionSet(0)

func r(method, path, op, name string, read bool, h func(*Server, *call)) route {
	rt := route{method: method, path: splitPath(path), name: name, read: read, errs: allExceptions, h: h}
	if op != "" {
		rt.selKey, rt.sel = "operation", op
	}
	return rt
}

func splitPath(path string) []string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			segs[i] = "{}"
		}
	}
	return segs
}

// routeTable lists every route: each operation of the model (and the 17 base operations again under
// /console, D44), then chimed's own endpoints.
func routeTable() []route {
	var rs []route
	for _, op := range modelOperations() {
		rt := route{method: op.method, path: splitPath(op.path), selKey: op.selKey, sel: op.selValue,
			name: op.name, status: op.status, read: op.read, errs: op.errs, h: op.serve}
		rs = append(rs, rt)
		if op.legacy {
			legacy := rt
			legacy.path = append([]string{"console"}, rt.path...)
			rs = append(rs, legacy)
		}
	}
	const get, post, put = "GET", "POST", "PUT"
	rs = append(rs,
		r(put, "/_chimed/accounts/{}/type", "", "chimed:SetAccountType", false, (*Server).setAccountType),
		r(post, "/_chimed/accounts/{}/users/{}/register", "", "chimed:RegisterUser", false, (*Server).registerUser),
		r(post, "/_chimed/reset", "", "chimed:Reset", false, (*Server).reset),
		r(get, "/_chimed/clock", "", "chimed:GetClock", true, (*Server).getClock), // §9.5
		r(put, "/_chimed/clock", "", "chimed:PutClock", false, (*Server).putClock),
	)
	health := r(get, "/_chimed/health", "", "chimed:Health", true, (*Server).health)
	ready := r(get, "/_chimed/ready", "", "chimed:Ready", true, (*Server).ready)
	health.public, ready.public = true, true
	health.timeless, ready.timeless = true, true
	health.head, ready.head = (*Server).health, (*Server).ready // HEAD answers as GET, without the body
	// Prometheus metrics, public like health (served here unless --metrics-listen moves them).
	metricsRoute := r(get, "/metrics", "", "chimed:Metrics", true, (*Server).serveMetrics)
	metricsRoute.public, metricsRoute.timeless = true, true
	rs = append(rs, health, ready, metricsRoute)

	// The user lifecycle (docs/behavior.md §9.3): the session check and the pages are public (their tokens and
	// forms are the credentials). The outbox is signed like the API and, since it holds invitation links (they
	// register users), needs a key with write rights like every control endpoint, although it is a GET.
	rs = append(rs, r(get, "/_chimed/outbox", "", "chimed:Outbox", false, (*Server).outbox))
	// The bot event outbox (§9.8), likewise: event bodies carry the bots' reply URLs.
	rs = append(rs, r(get, "/_chimed/bot-events", "", "chimed:BotEvents", false, (*Server).botEvents))
	// The dial-out outbox (§9.8), likewise: it shows the meetings' join tokens.
	rs = append(rs, r(get, "/_chimed/dial-outs", "", "chimed:DialOuts", false, (*Server).dialOuts))
	// Messages, conversations and webhooks (§9.6, §9.7), signed; the session's message endpoints and the incoming
	// webhook URLs are public (the Bearer token, the URL's token).
	rs = append(rs,
		r(post, "/_chimed/accounts/{}/rooms/{}/messages", "", "chimed:PostRoomMessage", false, (*Server).postRoomMessage),
		r(get, "/_chimed/accounts/{}/rooms/{}/messages", "", "chimed:ListRoomMessages", true, (*Server).listRoomMessages),
		r(post, "/_chimed/accounts/{}/conversations", "", "chimed:CreateConversation", false, (*Server).createConversation),
		r(get, "/_chimed/accounts/{}/conversations", "", "chimed:ListConversations", true, (*Server).listConversations),
		r(post, "/_chimed/accounts/{}/conversations/{}/messages", "", "chimed:PostConversationMessage", false,
			(*Server).postConversationMessage),
		r(get, "/_chimed/accounts/{}/conversations/{}/messages", "", "chimed:ListConversationMessages", true,
			(*Server).listConversationMessages),
		r(post, "/_chimed/accounts/{}/rooms/{}/webhooks", "", "chimed:CreateWebhook", false, (*Server).createWebhook),
		r(post, "/_chimed/accounts/{}/rooms/{}/webhooks/{}", "regenerate-url", "chimed:RegenerateWebhookURL", false,
			(*Server).regenerateWebhookURL),
	)
	for _, p := range []route{
		r(post, "/_chimed/session/rooms/{}/messages", "", "chimed:SessionRoomMessage", false, (*Server).sessionRoomMessage),
		r(post, "/_chimed/session/conversations/{}/messages", "", "chimed:SessionConversationMessage", false,
			(*Server).sessionConversationMessage),
		r(post, "/incomingwebhooks/{}", "", "web:IncomingWebhook", false, (*Server).incoming),
	} {
		p.public = true
		rs = append(rs, p)
	}
	session := r(get, "/_chimed/session", "", "chimed:Session", true, (*Server).session)
	session.public = true
	rs = append(rs, session)
	// HEAD of a page is answered as its GET, without the body and without using a link (match, headSignIn).
	openSignIn := r(get, "/signin/{}", "", "web:SignIn", true, (*Server).openSignIn)
	openSignIn.head = (*Server).headSignIn
	for _, p := range []route{
		r(get, "/invite/{}", "", "web:Invitation", true, (*Server).invitePage),
		r(post, "/invite/{}", "", "web:AcceptInvitation", false, (*Server).acceptInvite),
		r(get, "/signin", "", "web:SignInForm", true, (*Server).signInPage),
		r(post, "/signin", "", "web:RequestSignIn", false, (*Server).requestSignIn),
		openSignIn,
	} {
		p.public, p.html = true, true
		rs = append(rs, p)
	}
	return rs
}

// routeKey identifies a route for the duplicate check: two routes with one key would shadow each other.
func (rt route) key() string {
	return rt.method + " /" + strings.Join(rt.path, "/") + " " + rt.selKey + "=" + rt.sel
}

// routeIndex finds routes by method and number of path segments.
type routeIndex map[string][]*route

func indexRoutes(rs []route) routeIndex {
	idx := routeIndex{}
	for i := range rs {
		k := rs[i].method + "/" + itoa(len(rs[i].path))
		idx[k] = append(idx[k], &rs[i])
	}
	return idx
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}

// matchPath reports whether path (the escaped path without its leading '/', of as many segments as rt.path)
// matches rt's template, and returns its labels' segments in order, appended to dst[:0] (which a call's own
// array backs: no allocation for up to maxInlineLabels labels).
func (rt *route) matchPath(path string, dst []string) ([]string, bool) {
	n := 0
	rest := path
	for _, p := range rt.path {
		seg, after, _ := strings.Cut(rest, "/")
		rest = after
		if p == "{}" {
			n++
		} else if p != seg {
			return nil, false
		}
	}
	if n == 0 {
		return nil, true
	}
	labels := dst[:0]
	rest = path
	for _, p := range rt.path {
		seg, after, _ := strings.Cut(rest, "/")
		rest = after
		if p == "{}" {
			labels = append(labels, seg)
		}
	}
	return labels, true
}

// match finds the route for a request; its labels are appended to dst[:0]. HEAD finds the GET route of a page,
// or of health and readiness (and nothing else). escapedPath is split on "/" without cleaning, so an empty
// label (`/accounts//users`) reaches its handler and is refused by validation. Labels are returned still
// escaped. A route with a selector needs that literal value; a route without one needs the request to carry no
// `operation` parameter (an unknown selector value is an unknown operation).
func (s *Server) match(method, escapedPath string, q url.Values, dst []string) (*route, []string, bool) {
	if !strings.HasPrefix(escapedPath, "/") {
		return nil, nil, false
	}
	rest := escapedPath[1:]
	nsegs := strings.Count(rest, "/") + 1
	_, hasOp := q["operation"]
	head := method == "HEAD"
	if head {
		method = "GET"
	}
	for _, rt := range s.routes[method+"/"+itoa(nsegs)] {
		if head && !rt.html && rt.head == nil {
			continue
		}
		if rt.selKey != "" {
			if vs := q[rt.selKey]; len(vs) == 0 || vs[0] != rt.sel {
				continue
			}
		} else if hasOp {
			continue
		}
		if labels, ok := rt.matchPath(rest, dst); ok {
			return rt, labels, true
		}
	}
	return nil, nil, false
}
