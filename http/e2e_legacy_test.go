package http_test

// Legacy /console paths (docs/behavior.md §7.2, D44), driven by requests shaped exactly as
// botocore 1.12 sent them.
//
// What botocore 1.12 sent. Source: github.com/boto/botocore, tags 1.12.34 (8ab302bdfd5b, the first with a chime
// model) through 1.12.115 (6906e8e7e870, the last with /console; 1.12.116 dropped it):
//
//   - botocore/data/chime/2018-05-01/service-2.json: protocol rest-json, signatureVersion v4, signing name and
//     endpoint prefix "chime", endpoint https://service.chime.aws.amazon.com (credential scope us-east-1,
//     botocore/data/endpoints.json). 16 operations, every requestUri starting with /console:
//     CreateAccount POST /console/accounts (201; body Name) · ListAccounts GET /console/accounts (query name,
//     user-email, next-token, max-results) · GetAccount GET /console/accounts/{accountId} · UpdateAccount POST
//     /console/accounts/{accountId} (200; body Name) · DeleteAccount DELETE /console/accounts/{accountId} (204) ·
//     GetAccountSettings GET /console/accounts/{accountId}/settings · UpdateAccountSettings PUT
//     /console/accounts/{accountId}/settings (204; body AccountSettings) · ListUsers GET
//     /console/accounts/{accountId}/users (query max-results, next-token; user-email from 1.12.44 on) ·
//     BatchUpdateUser POST /console/accounts/{accountId}/users (200; body UpdateUserRequestItems) · InviteUsers
//     POST /console/accounts/{accountId}/users?operation=add (201; body UserEmailList) · BatchSuspendUser POST
//     …/users?operation=suspend (200; body UserIdList) · BatchUnsuspendUser POST …/users?operation=unsuspend
//     (200; body UserIdList) · GetUser GET /console/accounts/{accountId}/users/{userId} · UpdateUser POST
//     …/users/{userId} (200; body LicenseType) · LogoutUser POST …/users/{userId}?operation=logout (204) ·
//     ResetPersonalPIN POST …/users/{userId}?operation=reset-personal-pin (200). accountId/userId are uri
//     labels; the GETs have no responseCode (1.12.44 added 200 to GetUser and ListUsers). CreateUser was never in
//     a /console model: its request here is today's model (body Username, Email, UserType) under /console.
//   - botocore/serialize.py (BaseRestSerializer, RestJSONSerializer): labels percent-encoded (safe "-._~");
//     querystring members appended to the requestUri — after a literal "?operation=…" with "&" — in the order the
//     caller passed them, percent-encoded the same way; the body is json.dumps of the body members (default
//     separators ", " and ": ", caller's order), and there is NO body at all when no body member is given (no
//     "{}"). rest-json sets NO Content-Type header (only the json protocol sets application/x-amz-json-1.x).
//   - botocore/awsrequest.py (prepare_request_dict, AWSRequestPreparer): User-Agent
//     "Botocore/1.12.x Python/<ver> <system>/<release>" (botocore/session.py user_agent; boto3 and the CLI put
//     their own name first); Content-Length is added after signing, for every method but GET/HEAD/OPTIONS
//     ("0" for DELETE and body-less POSTs). http.client adds Host and "Accept-Encoding: identity".
//   - botocore/auth.py (SigV4Auth): X-Amz-Date set at signing; every header present at signing is signed except
//     user-agent, expect and x-amzn-trace-id, plus host — for these requests exactly
//     SignedHeaders=host;x-amz-date. The canonical query string is the URL's query split on "&", sorted by
//     (key, value), not re-encoded; the canonical path is quote(path, safe "/~"); the payload hash is SHA-256 of
//     the body (of "" when none) and no X-Amz-Content-Sha256 header is sent.
//
// This was checked by running the botocore sources of tags 1.12.34 and 1.12.115 (a chime client, a before-send
// hook and a socket that printed the bytes received): TestLegacyBotocoreSignerGolden pins this file's signer to
// the Authorization values botocore 1.12.115 computed.

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// botoUserAgent is a User-Agent of the botocore 1.12 era (not signed, not interpreted by chimed).
const botoUserAgent = "Botocore/1.12.115 Python/3.7.2 Linux/4.14.97-90.72.amzn2.x86_64"

// botoCall is one call as botocore 1.12's rest-json serializer turns it into a request.
type botoCall struct {
	method string
	uri    string      // requestUri of the 1.12 model (with /console), labels filled in; may hold "?operation=…"
	query  [][2]string // querystring members (wire names), in the order the caller passed them
	body   string      // json.dumps of the body members; "" when none was given (then no body is sent)
}

// botoQuote is Python's urllib quote(s, safe): letters, digits, "_.-~" and the safe characters stay.
func botoQuote(s, safe string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~"+safe, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// target is the request target botocore sent: uri with its prefix replaced by prefix ("/console" as 1.12 sent
// it, "" for today's path), then the querystring members (botocore.awsrequest.prepare_request_dict).
func (c botoCall) target(prefix string) string {
	t := prefix + strings.TrimPrefix(c.uri, "/console")
	if len(c.query) == 0 {
		return t
	}
	pairs := make([]string, len(c.query))
	for i, kv := range c.query {
		pairs[i] = botoQuote(kv[0], "") + "=" + botoQuote(kv[1], "")
	}
	sep := "?"
	if strings.Contains(t, "?") {
		sep = "&"
	}
	return t + sep + strings.Join(pairs, "&")
}

// botocoreSign is botocore 1.12's SigV4Auth.add_auth for a request carrying only User-Agent (not signed) when it
// is signed: it returns the X-Amz-Date and Authorization headers for the request target (path?query) on host.
func botocoreSign(method, host, target string, body []byte, k testenv.Key, at time.Time) (amzDate, authorization string) {
	amzDate = at.UTC().Format("20060102T150405Z")
	day := amzDate[:8]
	path, query, _ := strings.Cut(target, "?")
	var cqs string
	if query != "" {
		var pairs [][2]string
		for _, p := range strings.Split(query, "&") {
			key, val, _ := strings.Cut(p, "=")
			pairs = append(pairs, [2]string{key, val})
		}
		sort.Slice(pairs, func(i, j int) bool {
			if pairs[i][0] != pairs[j][0] {
				return pairs[i][0] < pairs[j][0]
			}
			return pairs[i][1] < pairs[j][1]
		})
		s := make([]string, len(pairs))
		for i, p := range pairs {
			s[i] = p[0] + "=" + p[1]
		}
		cqs = strings.Join(s, "&")
	}
	const signed = "host;x-amz-date"
	payload := sha256.Sum256(body)
	canonical := strings.Join([]string{method, botoQuote(path, "/~"), cqs,
		"host:" + host + "\nx-amz-date:" + amzDate + "\n", signed, hex.EncodeToString(payload[:])}, "\n")
	scope := day + "/" + testenv.Region + "/" + testenv.Service + "/aws4_request"
	crHash := sha256.Sum256([]byte(canonical))
	sts := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(crHash[:])
	mac := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	kSigning := mac(mac(mac(mac([]byte("AWS4"+k.Secret), day), testenv.Region), testenv.Service), "aws4_request")
	sig := hex.EncodeToString(mac(kSigning, sts))
	return amzDate, "AWS4-HMAC-SHA256 Credential=" + k.ID + "/" + scope + ", SignedHeaders=" + signed +
		", Signature=" + sig
}

// botoWire is the request botocore 1.12 put on the wire (header order as http.client wrote it).
func botoWire(method, host, target, signedTarget string, body []byte, k testenv.Key, at time.Time) []byte {
	amzDate, auth := botocoreSign(method, host, signedTarget, body, k, at)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nAccept-Encoding: identity\r\nUser-Agent: %s\r\n", method, target,
		host, botoUserAgent)
	fmt.Fprintf(&b, "X-Amz-Date: %s\r\nAuthorization: %s\r\n", amzDate, auth)
	if method != "GET" && method != "HEAD" && method != "OPTIONS" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// sendWire writes a raw request to the server at baseURL on a fresh connection and reads the answer.
func sendWire(tb testing.TB, baseURL, method string, wire []byte) rawResponse {
	tb.Helper()
	u, err := url.Parse(baseURL)
	if err != nil {
		tb.Fatalf("parse %s: %v", baseURL, err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		tb.Fatalf("dial %s: %v", u.Host, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write(wire); err != nil {
		tb.Fatalf("write: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		tb.Fatalf("read response to %q: %v", firstLine(wire), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func firstLine(wire []byte) string {
	line, _, _ := bytes.Cut(wire, []byte("\r\n"))
	return string(line)
}

// legacyEnv is a server that verifies signatures, with one access key per AWS account.
type legacyEnv struct {
	srv *testenv.Server
}

func newLegacyEnv(t *testing.T) *legacyEnv {
	t.Helper()
	return &legacyEnv{srv: testenv.NewServer(t, testenv.Config{DSN: testDSN(t), SigV4: &sigv4.Options{}})}
}

// do sends c as botocore 1.12 would, under prefix ("/console" or ""), signed with k.
func (e *legacyEnv) do(tb testing.TB, k testenv.Key, prefix string, c botoCall) rawResponse {
	tb.Helper()
	t := c.target(prefix)
	return e.doSigned(tb, k, c.method, t, t, []byte(c.body))
}

// doSigned sends a botocore-shaped request to target, signed as if it went to signedTarget.
func (e *legacyEnv) doSigned(tb testing.TB, k testenv.Key, method, target, signedTarget string, body []byte) rawResponse {
	tb.Helper()
	host := strings.TrimPrefix(e.srv.URL, "http://")
	return sendWire(tb, e.srv.URL, method, botoWire(method, host, target, signedTarget, body, k, time.Now()))
}

// control calls one of chimed's own endpoints (signed by the SDK's signer, as the other tests do).
func (e *legacyEnv) control(tb testing.TB, k testenv.Key, method, path string, v any) {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	testenv.Sign(tb, req, b, k)
	if r := testenv.Send(tb, req); r.Status != 200 {
		tb.Fatalf("%s %s: %d %s", method, path, r.Status, r.Body)
	}
}

// legacyFixture is the data one run starts from, made through today's paths with the SDK.
type legacyFixture struct {
	key                   testenv.Key
	c                     *chime.Client
	team, dir, lwa, empty string // Team (with a pending member), EnterpriseDirectory, EnterpriseLWA, empty Team
	member, lwaUser       string // the Team account's pending invitee; the LWA account's suspended user
	memberEmail, lwaEmail string
}

const legacyUnknownAccount = "00000000-0000-4000-8000-00000000dead"

func (e *legacyEnv) fixture(t *testing.T, awsAccount string) *legacyFixture {
	t.Helper()
	f := &legacyFixture{key: e.srv.MustKey(t, awsAccount, false), memberEmail: "member@example.com",
		lwaEmail: "lwa@example.com"}
	f.c = e.srv.ClientFor(f.key)
	f.team = *MustCreateAccount(t, f.c, "team").AccountId
	f.member = MustTeamUser(t, f.c, f.team, f.memberEmail)
	f.dir = *MustCreateAccount(t, f.c, "dir").AccountId
	e.control(t, f.key, "PUT", "/_chimed/accounts/"+f.dir+"/type", map[string]string{"AccountType": "EnterpriseDirectory"})
	f.lwa = *MustCreateAccount(t, f.c, "lwa").AccountId
	f.lwaUser = MustTeamUser(t, f.c, f.lwa, f.lwaEmail)
	e.control(t, f.key, "POST", "/_chimed/accounts/"+f.lwa+"/users/"+f.lwaUser+"/register",
		map[string]string{"DisplayName": "LWA Person"})
	e.control(t, f.key, "PUT", "/_chimed/accounts/"+f.lwa+"/type", map[string]string{"AccountType": "EnterpriseLWA"})
	out, err := f.c.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: &f.lwa, UserIdList: []string{f.lwaUser}})
	if err != nil || len(out.UserErrors) != 0 {
		t.Fatalf("suspend the LWA user: %v %+v", err, out)
	}
	f.empty = *MustCreateAccount(t, f.c, "empty").AccountId
	return f
}

// legacyStep is one botocore 1.12 call and the answer the model and docs/behavior.md give it.
type legacyStep struct {
	name   string
	call   botoCall
	status int
	exc    string // x-amzn-ErrorType, "" for success
	code   string // the error body's Code
}

func acctURI(a string, rest ...string) string {
	return "/console/accounts/" + a + strings.Join(rest, "")
}

// legacySteps are the calls of one run: every base operation as botocore 1.12 would send it, in an order where
// each finds the state it needs, then the error cases.
func legacySteps(f *legacyFixture) []legacyStep {
	ok := func(name string, status int, c botoCall) legacyStep {
		return legacyStep{name: name, call: c, status: status}
	}
	fail := func(name string, status int, exc, code string, c botoCall) legacyStep {
		return legacyStep{name: name, call: c, status: status, exc: exc, code: code}
	}
	steps := []legacyStep{
		ok("CreateAccount", 201, botoCall{method: "POST", uri: "/console/accounts", body: `{"Name": "legacy-created"}`}),
		ok("ListAccounts", 200, botoCall{method: "GET", uri: "/console/accounts", query: [][2]string{{"max-results", "10"}}}),
		ok("ListAccounts filtered", 200, botoCall{method: "GET", uri: "/console/accounts",
			query: [][2]string{{"name", "team"}, {"user-email", f.memberEmail}, {"max-results", "5"}}}),
		ok("GetAccount", 200, botoCall{method: "GET", uri: acctURI(f.team)}),
		ok("UpdateAccount", 200, botoCall{method: "POST", uri: acctURI(f.team), body: `{"Name": "renamed"}`}),
		ok("GetAccountSettings", 200, botoCall{method: "GET", uri: acctURI(f.team, "/settings")}),
		ok("UpdateAccountSettings", 204, botoCall{method: "PUT", uri: acctURI(f.team, "/settings"),
			body: `{"AccountSettings": {"DisableRemoteControl": true, "EnableDialOut": false}}`}),
		ok("InviteUsers", 201, botoCall{method: "POST", uri: acctURI(f.team, "/users?operation=add"),
			body: `{"UserEmailList": ["invitee@example.com"]}`}),
		ok("ListUsers", 200, botoCall{method: "GET", uri: acctURI(f.team, "/users"), query: [][2]string{{"max-results", "5"}}}),
		ok("ListUsers user-email", 200, botoCall{method: "GET", uri: acctURI(f.team, "/users"),
			query: [][2]string{{"user-email", f.memberEmail}, {"max-results", "5"}}}),
		ok("GetUser", 200, botoCall{method: "GET", uri: acctURI(f.team, "/users/", f.member)}),
		ok("UpdateUser", 200, botoCall{method: "POST", uri: acctURI(f.team, "/users/", f.member), body: `{"LicenseType": "Basic"}`}),
		ok("BatchUpdateUser", 200, botoCall{method: "POST", uri: acctURI(f.team, "/users"),
			body: fmt.Sprintf(`{"UpdateUserRequestItems": [{"UserId": %q, "LicenseType": "Pro"}, {"UserId": %q, "LicenseType": "Basic"}]}`,
				f.member, legacyUnknownAccount)}),
		ok("ResetPersonalPIN", 200, botoCall{method: "POST", uri: acctURI(f.team, "/users/", f.member, "?operation=reset-personal-pin")}),
		ok("LogoutUser", 204, botoCall{method: "POST", uri: acctURI(f.team, "/users/", f.member, "?operation=logout")}),
		fail("DeleteAccount with users", 422, "UnprocessableEntityException", "Unprocessable",
			botoCall{method: "DELETE", uri: acctURI(f.team)}),
		ok("BatchSuspendUser", 200, botoCall{method: "POST", uri: acctURI(f.team, "/users?operation=suspend"),
			body: fmt.Sprintf(`{"UserIdList": [%q]}`, f.member)}),
		fail("GetUser after suspension", 404, "NotFoundException", "NotFound",
			botoCall{method: "GET", uri: acctURI(f.team, "/users/", f.member)}),
		ok("CreateUser", 201, botoCall{method: "POST", uri: acctURI(f.dir, "/users?operation=create"),
			body: `{"Username": "dir-user", "Email": "dir@example.com", "UserType": "PrivateUser"}`}),
		fail("CreateUser on Team", 400, "BadRequestException", "BadRequest",
			botoCall{method: "POST", uri: acctURI(f.team, "/users?operation=create"), body: `{"Email": "team@example.com"}`}),
		ok("BatchUnsuspendUser", 200, botoCall{method: "POST", uri: acctURI(f.lwa, "/users?operation=unsuspend"),
			body: fmt.Sprintf(`{"UserIdList": [%q]}`, f.lwaUser)}),
		fail("BatchUnsuspendUser on Team", 400, "BadRequestException", "BadRequest",
			botoCall{method: "POST", uri: acctURI(f.team, "/users?operation=unsuspend"), body: `{"UserIdList": []}`}),
		ok("DeleteAccount", 204, botoCall{method: "DELETE", uri: acctURI(f.empty)}),
		fail("GetAccount after deletion", 404, "NotFoundException", "NotFound", botoCall{method: "GET", uri: acctURI(f.empty)}),
		fail("CreateAccount blank name", 400, "BadRequestException", "BadRequest",
			botoCall{method: "POST", uri: "/console/accounts", body: `{"Name": "   "}`}),
	}
	// Every account-scoped base operation on an unknown account: 404 NotFoundException.
	x, u := legacyUnknownAccount, f.lwaUser
	for _, c := range []struct {
		op string
		botoCall
	}{
		{"GetAccount", botoCall{method: "GET", uri: acctURI(x)}},
		{"UpdateAccount", botoCall{method: "POST", uri: acctURI(x), body: `{"Name": "n"}`}},
		{"DeleteAccount", botoCall{method: "DELETE", uri: acctURI(x)}},
		{"GetAccountSettings", botoCall{method: "GET", uri: acctURI(x, "/settings")}},
		{"UpdateAccountSettings", botoCall{method: "PUT", uri: acctURI(x, "/settings"),
			body: `{"AccountSettings": {"EnableDialOut": true}}`}},
		{"ListUsers", botoCall{method: "GET", uri: acctURI(x, "/users")}},
		{"BatchUpdateUser", botoCall{method: "POST", uri: acctURI(x, "/users"),
			body: fmt.Sprintf(`{"UpdateUserRequestItems": [{"UserId": %q, "LicenseType": "Pro"}]}`, u)}},
		{"CreateUser", botoCall{method: "POST", uri: acctURI(x, "/users?operation=create"), body: `{"Email": "n@example.com"}`}},
		{"InviteUsers", botoCall{method: "POST", uri: acctURI(x, "/users?operation=add"), body: `{"UserEmailList": ["n@example.com"]}`}},
		{"BatchSuspendUser", botoCall{method: "POST", uri: acctURI(x, "/users?operation=suspend"), body: fmt.Sprintf(`{"UserIdList": [%q]}`, u)}},
		{"BatchUnsuspendUser", botoCall{method: "POST", uri: acctURI(x, "/users?operation=unsuspend"), body: fmt.Sprintf(`{"UserIdList": [%q]}`, u)}},
		{"GetUser", botoCall{method: "GET", uri: acctURI(x, "/users/", u)}},
		{"UpdateUser", botoCall{method: "POST", uri: acctURI(x, "/users/", u), body: `{"LicenseType": "Pro"}`}},
		{"LogoutUser", botoCall{method: "POST", uri: acctURI(x, "/users/", u, "?operation=logout")}},
		{"ResetPersonalPIN", botoCall{method: "POST", uri: acctURI(x, "/users/", u, "?operation=reset-personal-pin")}},
	} {
		steps = append(steps, fail(c.op+" unknown account", 404, "NotFoundException", "NotFound", c.botoCall))
	}
	return steps
}

// legacyResult is what is compared between the two paths.
type legacyResult struct {
	Status      int
	ErrorType   string
	Code        string
	ContentType string
	Shape       []string // the body's JSON member paths with their kinds, sorted
}

// jsonShape lists the member paths of a JSON document with their kinds ("Account.Name:string", "Invites[]:array").
func jsonShape(tb testing.TB, body []byte) []string {
	tb.Helper()
	if len(body) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		tb.Errorf("body is not JSON: %v (%s)", err, body)
		return nil
	}
	set := map[string]bool{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			set[path+":object"] = true
			for k, e := range v {
				walk(strings.TrimPrefix(path+"."+k, "."), e)
			}
		case []any:
			set[path+":array"] = true
			for _, e := range v {
				walk(path+"[]", e)
			}
		case string:
			set[path+":string"] = true
		case float64:
			set[path+":number"] = true
		case bool:
			set[path+":bool"] = true
		case nil:
			set[path+":null"] = true
		}
	}
	walk("", v)
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// runLegacy runs the steps of f with prefix and checks each answer against the step's expectation.
func (e *legacyEnv) runLegacy(t *testing.T, f *legacyFixture, prefix string) map[string]legacyResult {
	t.Helper()
	res := map[string]legacyResult{}
	for _, st := range legacySteps(f) {
		r := e.do(t, f.key, prefix, st.call)
		where := fmt.Sprintf("%s %s (%s)", st.call.method, st.call.target(prefix), st.name)
		if r.Status != st.status || r.errorType() != st.exc || r.code() != st.code {
			t.Errorf("%s: %d %q Code %q %s, want %d %q Code %q", where, r.Status, r.errorType(), r.code(), r.Body,
				st.status, st.exc, st.code)
		}
		if r.Header.Get("x-amzn-RequestId") == "" {
			t.Errorf("%s: no x-amzn-RequestId", where)
		}
		if st.status == 204 && len(r.Body) != 0 {
			t.Errorf("%s: 204 with a body: %s", where, r.Body)
		}
		if _, dup := res[st.name]; dup {
			t.Fatalf("step %q twice", st.name)
		}
		res[st.name] = legacyResult{Status: r.Status, ErrorType: r.errorType(), Code: r.code(),
			ContentType: r.Header.Get("Content-Type"), Shape: jsonShape(t, r.Body)}
	}
	return res
}

// checkLegacyEffects checks through the SDK (today's paths) that a run changed what its calls say they change.
func checkLegacyEffects(t *testing.T, f *legacyFixture, prefix string) {
	t.Helper()
	accounts := MustListAccounts(t, f.c, chime.ListAccountsInput{})
	names := map[string]string{}
	for _, a := range accounts {
		names[*a.AccountId] = *a.Name
	}
	if names[f.team] != "renamed" {
		t.Errorf("%q run: team account named %q, want renamed (UpdateAccount)", prefix, names[f.team])
	}
	if _, ok := names[f.empty]; ok {
		t.Errorf("%q run: the empty account survived DeleteAccount", prefix)
	}
	created := 0
	for _, n := range names {
		if n == "legacy-created" {
			created++
		}
	}
	if created != 1 || len(accounts) != 4 {
		t.Errorf("%q run: %d accounts (%v), want team, dir, lwa and one legacy-created", prefix, len(accounts), names)
	}
	st, err := f.c.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: &f.team})
	if err != nil || !aws.ToBool(st.AccountSettings.DisableRemoteControl) || aws.ToBool(st.AccountSettings.EnableDialOut) {
		t.Errorf("%q run: settings after UpdateAccountSettings: %+v %v", prefix, st, err)
	}
	team := MustListUsers(t, f.c, chime.ListUsersInput{AccountId: &f.team})
	if len(team) != 1 || aws.ToString(team[0].PrimaryEmail) != "invitee@example.com" {
		t.Errorf("%q run: team users %v, want only the invitee (member suspended = removed, D5)", prefix, userIDs(team))
	}
	dir := MustListUsers(t, f.c, chime.ListUsersInput{AccountId: &f.dir})
	if len(dir) != 1 || aws.ToString(dir[0].PrimaryEmail) != "dir@example.com" || aws.ToString(dir[0].DisplayName) != "dir-user" {
		t.Errorf("%q run: directory users %+v, want the one CreateUser made", prefix, dir)
	}
	if u := MustGetUser(t, f.c, f.lwa, f.lwaUser); u.UserRegistrationStatus != types.RegistrationStatusRegistered {
		t.Errorf("%q run: LWA user %s after BatchUnsuspendUser, want Registered", prefix, u.UserRegistrationStatus)
	}
}

// TestLegacyConsolePaths: each of the 17 base operations, sent as botocore 1.12 sent it (under /console, its
// headers, member placement and signature), answers as the same request at today's path: same status,
// x-amzn-ErrorType, error Code and JSON shape, and the same effects. Each path runs against its own AWS account
// of one signature-checking server, from identical data.
func TestLegacyConsolePaths(t *testing.T) {
	t.Parallel()
	e := newLegacyEnv(t)
	fCur := e.fixture(t, "111122223333")
	fOld := e.fixture(t, "444455556666")
	cur := e.runLegacy(t, fCur, "")
	old := e.runLegacy(t, fOld, "/console")
	for _, st := range legacySteps(fOld) {
		if !reflect.DeepEqual(cur[st.name], old[st.name]) {
			t.Errorf("%s: /console answered %+v, today's path %+v", st.name, old[st.name], cur[st.name])
		}
	}
	checkLegacyEffects(t, fCur, "")
	checkLegacyEffects(t, fOld, "/console")

	// Each of the 17 operations was exercised with success.
	ops := map[string]bool{}
	for _, st := range legacySteps(fOld) {
		if st.exc == "" {
			ops[strings.Fields(st.name)[0]] = true
		}
	}
	if len(ops) != 17 {
		t.Errorf("%d operations succeed under /console in this test, want 17: %v", len(ops), ops)
	}
}

// TestLegacyConsoleUnknownOperations: /console in front of an operation outside the 17, or of chimed's own
// endpoints, is 404 UnknownOperationException (D18) — and does nothing — while the same path without /console is
// routed.
func TestLegacyConsoleUnknownOperations(t *testing.T) {
	t.Parallel()
	e := newLegacyEnv(t)
	f := e.fixture(t, "111122223333")
	for _, c := range []botoCall{
		{method: "POST", uri: "/console/_chimed/reset"},
		{method: "POST", uri: "/console/_chimed/reset", body: `{}`},
		{method: "GET", uri: "/console/_chimed/health"},
		{method: "PUT", uri: "/console/_chimed/accounts/" + f.team + "/type", body: `{"AccountType": "EnterpriseLWA"}`},
		{method: "GET", uri: "/console/phone-numbers"},
		{method: "GET", uri: "/console/phone-numbers", query: [][2]string{{"max-results", "5"}}},
		{method: "GET", uri: acctURI(f.team, "/rooms")},
		{method: "POST", uri: acctURI(f.team, "/rooms"), body: `{"Name": "room"}`},
		{method: "GET", uri: acctURI(f.team, "/bots")},
		{method: "POST", uri: acctURI(f.team, "?operation=associate-signin-delegate-groups"),
			body: `{"SigninDelegateGroups": [{"GroupName": "g"}]}`},
		{method: "GET", uri: "/console"},
		{method: "GET", uri: "/console/"},
		{method: "GET", uri: "/console/console/accounts"},
		{method: "GET", uri: "/console/accounts/" + f.team + "/users/" + f.member + "/extra"},
		{method: "POST", uri: acctURI(f.team, "/users?operation=bogus"), body: `{"UserIdList": []}`},
	} {
		r := e.do(t, f.key, "/console", c)
		var body struct {
			Message *string `json:"message"`
		}
		json.Unmarshal(r.Body, &body)
		if r.Status != 404 || r.errorType() != "UnknownOperationException" || body.Message == nil ||
			r.Header.Get("x-amzn-RequestId") == "" {
			t.Errorf("%s %s: %d %q %s, want 404 UnknownOperationException", c.method, c.target("/console"), r.Status,
				r.errorType(), r.Body)
		}
	}
	// Without /console these paths are operations (whatever they answer, it is not UnknownOperation).
	for _, c := range []botoCall{
		{method: "GET", uri: "/console/_chimed/health"},
		{method: "GET", uri: "/console/phone-numbers"},
		{method: "GET", uri: acctURI(f.team, "/rooms")},
		{method: "GET", uri: acctURI(f.team, "/bots")},
	} {
		if r := e.do(t, f.key, "", c); r.Status == 404 && r.errorType() == "UnknownOperationException" {
			t.Errorf("%s %s is not routed: %s", c.method, c.target(""), r.Body)
		}
	}
	// Nothing happened: no reset, no type change.
	if a := MustGetAccount(t, f.c, f.team); a.AccountType != types.AccountTypeTeam || aws.ToString(a.Name) != "team" {
		t.Errorf("team account after the /console requests: %+v", a)
	}
	if got := MustListAccounts(t, f.c, chime.ListAccountsInput{}); len(got) != 4 {
		t.Errorf("%d accounts after POST /console/_chimed/reset, want 4", len(got))
	}
}

// TestLegacyConsoleSignature: the signature covers the path as received, /console included.
func TestLegacyConsoleSignature(t *testing.T) {
	t.Parallel()
	e := newLegacyEnv(t)
	f := e.fixture(t, "111122223333")
	get := "/accounts/" + f.team
	for _, tc := range []struct{ sent, signed string }{
		{"/console" + get, get},
		{get, "/console" + get},
		{"/console/accounts?max-results=5", "/accounts?max-results=5"},
	} {
		r := e.doSigned(t, f.key, "GET", tc.sent, tc.signed, nil)
		wantRawErr(t, r, 403, "InvalidSignatureException", "")
	}
	body := []byte(`{"Name": "sneaky"}`)
	r := e.doSigned(t, f.key, "POST", "/console"+get, get, body)
	wantRawErr(t, r, 403, "InvalidSignatureException", "")
	if a := MustGetAccount(t, f.c, f.team); aws.ToString(a.Name) != "team" {
		t.Errorf("a rejected request renamed the account to %q", aws.ToString(a.Name))
	}
	// The body is signed too: the same signed request with another body is refused.
	host := strings.TrimPrefix(e.srv.URL, "http://")
	wire := botoWire("POST", host, "/console"+get, "/console"+get, body, f.key, time.Now())
	wire = bytes.Replace(wire, []byte(`"sneaky"`), []byte(`"sneakY"`), 1)
	wantRawErr(t, sendWire(t, e.srv.URL, "POST", wire), 403, "InvalidSignatureException", "")
	// The honest request passes.
	if r := e.doSigned(t, f.key, "POST", "/console"+get, "/console"+get, body); r.Status != 200 {
		t.Errorf("signed /console UpdateAccount: %d %s", r.Status, r.Body)
	}
}

// TestLegacyBotocoreSignerGolden pins this file's request builder and signer to botocore 1.12.115 itself: the
// URLs, bodies and Authorization headers below are what a botocore 1.12.115 chime client (git archive of tag
// 1.12.115 of boto/botocore) produced for these calls with endpoint_url http://127.0.0.1:8080, access key
// 111122223333 / secret "secret", region us-east-1, at 2019-03-01T12:00:00Z (captured in a before-send hook).
// botocore 1.12.34 produced the same bytes (its ListUsers has no user-email parameter).
func TestLegacyBotocoreSignerGolden(t *testing.T) {
	t.Parallel()
	const A, U = "a0000000-0000-4000-8000-000000000001", "u0000000-0000-4000-8000-000000000002"
	at := time.Date(2019, 3, 1, 12, 0, 0, 0, time.UTC)
	k := testenv.Key{ID: "111122223333", Secret: "secret"}
	for _, g := range []struct {
		op   string
		call botoCall
		url  string
		sig  string
	}{
		{"CreateAccount", botoCall{method: "POST", uri: "/console/accounts", body: `{"Name": "legacy"}`},
			"/console/accounts", "eca699b254e5939a000fd7b7ea46e9eb70e25802be85fe245f0d33a05ba2c68d"},
		{"ListAccounts", botoCall{method: "GET", uri: "/console/accounts",
			query: [][2]string{{"name", "legacy"}, {"user-email", "x@example.com"}, {"max-results", "5"}}},
			"/console/accounts?name=legacy&user-email=x%40example.com&max-results=5",
			"af5325c97890589ce2b82efc83f81c5665f46d7351cbb50dada54fc98bafe265"},
		{"GetAccount", botoCall{method: "GET", uri: acctURI(A)},
			"/console/accounts/" + A, "225e2417c5844404f986e10f2202bfb975f6dea815835a3fe85affeea849de1b"},
		{"UpdateAccount", botoCall{method: "POST", uri: acctURI(A), body: `{"Name": "renamed"}`},
			"/console/accounts/" + A, "9c205d9cea6ce548a799178ebbd71d0442d4838a563a5d292ec77bf50cbecd1f"},
		{"DeleteAccount", botoCall{method: "DELETE", uri: acctURI(A)},
			"/console/accounts/" + A, "d1afcb8d809765c3ce9fb987c7fa7344a8022c6e933cd582b202dc6560cbb5a3"},
		{"GetAccountSettings", botoCall{method: "GET", uri: acctURI(A, "/settings")},
			"/console/accounts/" + A + "/settings", "2dcac6bf3049897da122b47974b17d9388f6dc5c9f265eff91dba2f8f51a3ff8"},
		{"UpdateAccountSettings", botoCall{method: "PUT", uri: acctURI(A, "/settings"),
			body: `{"AccountSettings": {"DisableRemoteControl": true, "EnableDialOut": false}}`},
			"/console/accounts/" + A + "/settings", "14461af0b8e8262cdc2d0dfb162bd88eadd2d2bdc8b762291ddcce52cb1fdfac"},
		{"ListUsers", botoCall{method: "GET", uri: acctURI(A, "/users"),
			query: [][2]string{{"user-email", "x@example.com"}, {"max-results", "5"}, {"next-token", "tok"}}},
			"/console/accounts/" + A + "/users?user-email=x%40example.com&max-results=5&next-token=tok",
			"064c78df4d9eff081cd661ea3b02a174fbb26993376f6fe6ddfd6da67a1509ae"},
		{"ListUsers (1.12.34)", botoCall{method: "GET", uri: acctURI(A, "/users"),
			query: [][2]string{{"max-results", "5"}, {"next-token", "tok"}}},
			"/console/accounts/" + A + "/users?max-results=5&next-token=tok",
			"b9f13429d5583becb8eed7ac2768b0c5f4bc6d30b84603d5b442681af9009b9d"},
		{"BatchUpdateUser", botoCall{method: "POST", uri: acctURI(A, "/users"),
			body: `{"UpdateUserRequestItems": [{"UserId": "` + U + `", "LicenseType": "Basic"}]}`},
			"/console/accounts/" + A + "/users", "7a8a6ad951344ae77834104357ab7189007b1a8e056ead09ac5d4a6f929532f1"},
		{"InviteUsers", botoCall{method: "POST", uri: acctURI(A, "/users?operation=add"), body: `{"UserEmailList": ["x@example.com"]}`},
			"/console/accounts/" + A + "/users?operation=add", "acc345c629e2f13fc50c244fbce7813d26e362ad2a79fcac66f34ff3b3965ba6"},
		{"BatchSuspendUser", botoCall{method: "POST", uri: acctURI(A, "/users?operation=suspend"), body: `{"UserIdList": ["` + U + `"]}`},
			"/console/accounts/" + A + "/users?operation=suspend", "536ef80c065eaf805a1382682fa514ff93b369251ec58d058fe39dc334488a8b"},
		{"BatchUnsuspendUser", botoCall{method: "POST", uri: acctURI(A, "/users?operation=unsuspend"), body: `{"UserIdList": ["` + U + `"]}`},
			"/console/accounts/" + A + "/users?operation=unsuspend", "3f584566f7ddfb92c24f19652b592ca560b7b057a1ad31b78deca4a77d5dd5cf"},
		{"GetUser", botoCall{method: "GET", uri: acctURI(A, "/users/", U)},
			"/console/accounts/" + A + "/users/" + U, "921dd92e0f0b66e1ae789618d2539036ff7f34c581789bf292e89d604d39ec8d"},
		{"UpdateUser", botoCall{method: "POST", uri: acctURI(A, "/users/", U), body: `{"LicenseType": "Basic"}`},
			"/console/accounts/" + A + "/users/" + U, "0b0e2d0163151dc5a516a90039453fe590b5040cd2e308a341fb72277473f71b"},
		{"LogoutUser", botoCall{method: "POST", uri: acctURI(A, "/users/", U, "?operation=logout")},
			"/console/accounts/" + A + "/users/" + U + "?operation=logout", "9ed239500027bb0b4c1a50e9e01f98be7f01c0ba4d4602785ee353e6429abfdf"},
		{"ResetPersonalPIN", botoCall{method: "POST", uri: acctURI(A, "/users/", U, "?operation=reset-personal-pin")},
			"/console/accounts/" + A + "/users/" + U + "?operation=reset-personal-pin",
			"82bec8a9bd62517752e98d36ec2b6da2490a1416b3413721dada92faad6bbf3e"},
	} {
		target := g.call.target("/console")
		if target != g.url {
			t.Errorf("%s: target %s, botocore sent %s", g.op, target, g.url)
		}
		date, auth := botocoreSign(g.call.method, "127.0.0.1:8080", target, []byte(g.call.body), k, at)
		want := "AWS4-HMAC-SHA256 Credential=111122223333/20190301/us-east-1/chime/aws4_request, " +
			"SignedHeaders=host;x-amz-date, Signature=" + g.sig
		if date != "20190301T120000Z" || auth != want {
			t.Errorf("%s: X-Amz-Date %s, Authorization\n  %s\nbotocore 1.12.115:\n  %s", g.op, date, auth, want)
		}
		// What went on the wire: no Content-Type; Content-Length (unsigned) for all but GET, "0" without a body.
		wire := string(botoWire(g.call.method, "127.0.0.1:8080", target, target, []byte(g.call.body), k, at))
		if strings.Contains(strings.ToLower(wire), "content-type") {
			t.Errorf("%s: the request carries a Content-Type", g.op)
		}
		hasLen := strings.Contains(wire, "\r\nContent-Length: "+strconv.Itoa(len(g.call.body))+"\r\n")
		if hasLen != (g.call.method != "GET") {
			t.Errorf("%s: Content-Length present = %v:\n%s", g.op, hasLen, wire)
		}
	}
}
