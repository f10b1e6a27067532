package scim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// env is a server with one account of a given type, a SCIM token of it and an SDK client of its AWS account.
type env struct {
	t       *testing.T
	srv     *testenv.Server
	sdk     *chime.Client
	aws     string
	account string
	token   *chimed.SCIMToken
	scim    *client
}

// newEnv starts a server on dsn with an account of type typ in AWS account aws and a SCIM token for it.
func newEnv(t *testing.T, dsn, aws, typ string) *env {
	t.Helper()
	srv := testenv.NewServer(t, testenv.Config{DSN: dsn})
	return addAccount(t, srv, aws, typ)
}

// addAccount adds an account of type typ to srv's AWS account aws, with a token.
func addAccount(t *testing.T, srv *testenv.Server, aws, typ string) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, srv: srv, sdk: srv.Client(aws), aws: aws}
	out, err := e.sdk.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws_("scim-" + typ)})
	if err != nil {
		t.Fatal(err)
	}
	e.account = *out.Account.AccountId
	if typ != "Team" {
		if _, err := srv.Service.SetAccountType(ctx, aws, e.account, &typ); err != nil {
			t.Fatal(err)
		}
	}
	secret, tok := srv.MustSCIMToken(t, aws, e.account)
	e.token = tok
	e.scim = &client{t: t, base: srv.SCIMURL(e.account), token: secret}
	return e
}

func aws_(s string) *string { return aws.String(s) }

// client is a SCIM client: JSON requests with a Bearer token.
type client struct {
	t     *testing.T
	base  string
	token string
}

// resp is a SCIM response.
type resp struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

// do sends method path (relative to the account's service) with body (nil: none; []byte or string: as is;
// anything else: its JSON) and header pairs.
func (c *client) do(method, path string, body any, hdr ...string) resp {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res := testenv.Send(c.t, req)
	out := resp{status: res.Status, header: res.Header, raw: res.Body}
	if len(res.Body) > 0 {
		if err := json.Unmarshal(res.Body, &out.body); err != nil {
			c.t.Fatalf("%s %s: %d, body is not a JSON object: %q", method, path, res.Status, res.Body)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/scim+json" {
			c.t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
	}
	return out
}

// want fails unless r has status (and, for errors, the SCIM error body with scimType, "" for none).
func (r resp) want(t *testing.T, status int, scimType ...string) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	if status >= 400 {
		if s, _ := r.body["status"].(string); s != itoa(status) {
			t.Fatalf("error body status %q, want %q (a string): %s", r.body["status"], itoa(status), r.raw)
		}
		if !hasString(r.body["schemas"], "urn:ietf:params:scim:api:messages:2.0:Error") {
			t.Fatalf("error body without the Error schema: %s", r.raw)
		}
		if len(scimType) > 0 {
			if got, _ := r.body["scimType"].(string); got != scimType[0] {
				t.Fatalf("scimType %q, want %q: %s", got, scimType[0], r.raw)
			}
		}
	}
	return r
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func hasString(v any, s string) bool {
	list, _ := v.([]any)
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// str returns the string at a dotted path of a decoded body ("meta.version").
func (r resp) str(path string) string {
	var v any = r.body
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

func (r resp) ext(name string) string {
	m, _ := r.body["urn:chimed:params:scim:schemas:extension:chime:2.0:User"].(map[string]any)
	s, _ := m[name].(string)
	return s
}

// total returns totalResults of a list response.
func (r resp) total() int {
	n, _ := r.body["totalResults"].(float64)
	return int(n)
}

// resources returns the Resources of a list response.
func (r resp) resources() []map[string]any {
	list, _ := r.body["Resources"].([]any)
	var out []map[string]any
	for _, x := range list {
		out = append(out, x.(map[string]any))
	}
	return out
}

// user is the body of a new user.
func user(userName string, extra map[string]any) map[string]any {
	m := map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": userName}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// patch is a PatchOp body of ops.
func patch(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops}
}

func op(o, path string, value any) map[string]any {
	m := map[string]any{"op": o}
	if path != "" {
		m["path"] = path
	}
	if value != nil {
		m["value"] = value
	}
	return m
}

// sdkUser returns the user id as GetUser shows it (nil when it answers NotFound).
func (e *env) sdkUser(id string) *chime.GetUserOutput {
	e.t.Helper()
	out, err := e.sdk.GetUser(context.Background(), &chime.GetUserInput{AccountId: &e.account, UserId: &id})
	if err != nil {
		if strings.Contains(err.Error(), "NotFound") {
			return nil
		}
		e.t.Fatalf("GetUser %s: %v", id, err)
	}
	return out
}

// listed returns the users ListUsers shows, by email.
func (e *env) listed() map[string]string {
	e.t.Helper()
	out, err := e.sdk.ListUsers(context.Background(), &chime.ListUsersInput{AccountId: &e.account})
	if err != nil {
		e.t.Fatal(err)
	}
	m := map[string]string{}
	for _, u := range out.Users {
		m[*u.PrimaryEmail] = string(u.UserRegistrationStatus)
	}
	return m
}

// registerUser registers a user as its first sign-in would (the control endpoint's service method).
func (e *env) registerUser(id string) {
	e.t.Helper()
	if _, err := e.srv.Service.RegisterUser(context.Background(), e.aws, e.account, id, nil); err != nil {
		e.t.Fatal(err)
	}
}

func inviteInput(account string, emails ...string) *chime.InviteUsersInput {
	return &chime.InviteUsersInput{AccountId: &account, UserEmailList: emails}
}

// userID returns the id of the account's user of address email, as ListUsers shows it.
func (e *env) userID(email string) string {
	e.t.Helper()
	out, err := e.sdk.ListUsers(context.Background(), &chime.ListUsersInput{AccountId: &e.account, UserEmail: &email})
	if err != nil || len(out.Users) != 1 {
		e.t.Fatalf("ListUsers %s: %v %v", email, out, err)
	}
	return *out.Users[0].UserId
}
