package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// Caller identities in `--auth any` mode: a 12-digit access key id is the caller's AWS account.
const (
	tenantA = "111122223333"
	tenantB = "444455556666"
)

// testDSN is the one place that chooses the store the end-to-end tests run against: a fresh PostgreSQL schema
// (dropped when the test ends) when CHIMED_TEST_POSTGRES is set, else a SQLite file (testenv.DSN).
func testDSN(t testing.TB) string {
	t.Helper()
	return testenv.DSN(t)
}

// testServer is the real handler stack (store, service, wire layer) behind an httptest server on 127.0.0.1:0.
type testServer struct {
	URL   string
	store chimed.Store
}

// newServer starts a fresh server with its own store; it is closed when the test ends.
func newServer(tb testing.TB) *testServer {
	tb.Helper()
	s := testenv.NewServer(tb, testenv.Config{DSN: testDSN(tb)})
	return &testServer{URL: s.URL, store: s.Store}
}

// client returns an SDK client whose access key id is keyID (a 12-digit id = that AWS account).
func (s *testServer) client(keyID string) *chime.Client {
	return testenv.NewClient(s.URL, testenv.Key{ID: keyID, Secret: testenv.AnySecret})
}

// setup starts a server and returns it with a client for tenantA.
func setup(tb testing.TB) (*testServer, *chime.Client) {
	tb.Helper()
	s := newServer(tb)
	return s, s.client(tenantA)
}

var ctx = context.Background()

// ---- success metadata ----

// statusOf returns the HTTP status of a successful SDK call.
func statusOf(tb testing.TB, md middleware.Metadata) int {
	tb.Helper()
	resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response)
	if !ok {
		tb.Fatalf("no raw response in result metadata")
	}
	return resp.StatusCode
}

// checkMeta asserts the status code and the presence of a request id.
func checkMeta(tb testing.TB, md middleware.Metadata, wantStatus int) {
	tb.Helper()
	if got := statusOf(tb, md); got != wantStatus {
		tb.Errorf("status = %d, want %d", got, wantStatus)
	}
	if id, ok := awsmiddleware.GetRequestIDMetadata(md); !ok || id == "" {
		tb.Errorf("no request id in response metadata")
	}
}

// checkTime asserts an SDK-parsed timestamp: present, recent, millisecond precision.
func checkTime(tb testing.TB, field string, ts *time.Time) {
	tb.Helper()
	if ts == nil || ts.IsZero() {
		tb.Errorf("%s is missing", field)
		return
	}
	if ts.Nanosecond()%int(time.Millisecond) != 0 {
		tb.Errorf("%s = %v has sub-millisecond digits", field, ts)
	}
	if d := time.Since(*ts); d < -time.Minute || d > 10*time.Minute {
		tb.Errorf("%s = %v is not recent", field, ts)
	}
}

var wireTimestamp = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// ---- typed errors ----

// exceptionOf unwraps err into one of the modeled exceptions with errors.As.
func exceptionOf(err error) (name string, code types.ErrorCode, ok bool) {
	var (
		nf  *types.NotFoundException
		br  *types.BadRequestException
		cf  *types.ConflictException
		ue  *types.UnprocessableEntityException
		fb  *types.ForbiddenException
		sf  *types.ServiceFailureException
		una *types.UnauthorizedClientException
	)
	switch {
	case errors.As(err, &nf):
		return "NotFoundException", nf.Code, true
	case errors.As(err, &br):
		return "BadRequestException", br.Code, true
	case errors.As(err, &cf):
		return "ConflictException", cf.Code, true
	case errors.As(err, &ue):
		return "UnprocessableEntityException", ue.Code, true
	case errors.As(err, &fb):
		return "ForbiddenException", fb.Code, true
	case errors.As(err, &sf):
		return "ServiceFailureException", sf.Code, true
	case errors.As(err, &una):
		return "UnauthorizedClientException", una.Code, true
	}
	return "", "", false
}

// wantErr asserts that err is the typed exception exc with body Code code and HTTP status.
func wantErr(tb testing.TB, err error, exc string, code types.ErrorCode, status int) {
	tb.Helper()
	if err == nil {
		tb.Errorf("got success, want %s", exc)
		return
	}
	name, gotCode, ok := exceptionOf(err)
	if !ok || name != exc || gotCode != code {
		tb.Errorf("got %T (%s, Code %q): %v; want %s with Code %q", err, name, gotCode, err, exc, code)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		tb.Errorf("error %v carries no HTTP response", err)
		return
	}
	if re.HTTPStatusCode() != status {
		tb.Errorf("status = %d, want %d", re.HTTPStatusCode(), status)
	}
	if re.ServiceRequestID() == "" {
		tb.Errorf("error response has no request id")
	}
}

func wantNotFound(tb testing.TB, err error) {
	tb.Helper()
	wantErr(tb, err, "NotFoundException", types.ErrorCodeNotFound, 404)
}

func wantBadRequest(tb testing.TB, err error) {
	tb.Helper()
	wantErr(tb, err, "BadRequestException", types.ErrorCodeBadRequest, 400)
}

func wantConflict(tb testing.TB, err error) {
	tb.Helper()
	wantErr(tb, err, "ConflictException", types.ErrorCodeConflict, 409)
}

func wantUnprocessable(tb testing.TB, err error) {
	tb.Helper()
	wantErr(tb, err, "UnprocessableEntityException", types.ErrorCodeUnprocessable, 422)
}

// ---- raw signed requests ----

// rawResponse is a response read in full.
type rawResponse testenv.Response

// errorType returns the x-amzn-ErrorType header.
func (r rawResponse) errorType() string { return r.Header.Get("x-amzn-ErrorType") }

// code returns the body's "Code" member.
func (r rawResponse) code() string {
	var b struct{ Code string }
	json.Unmarshal(r.Body, &b)
	return b.Code
}

// wantRawErr asserts a raw error response: status, x-amzn-ErrorType and (for modeled errors) the body Code.
func wantRawErr(tb testing.TB, r rawResponse, status int, exc, code string) {
	tb.Helper()
	if r.Status != status || r.errorType() != exc || r.code() != code {
		tb.Errorf("got %d %q Code %q (%s), want %d %q Code %q", r.Status, r.errorType(), r.code(), r.Body,
			status, exc, code)
	}
	if r.Header.Get("x-amzn-RequestId") == "" || len(r.Header.Values("Date")) != 1 {
		tb.Errorf("error response lacks x-amzn-RequestId or one Date: %v", r.Header)
	}
}

// newSignedRequest builds a request to the server signed with SigV4 (service chime) for access key keyID.
// body may be nil; when chunked is set, the length is not announced.
func (s *testServer) newSignedRequest(tb testing.TB, keyID, method, path string, body []byte, chunked bool) *http.Request {
	tb.Helper()
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
		if chunked {
			rd = io.MultiReader(bytes.NewReader(body)) // hides the length from net/http
		}
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		if chunked {
			req.ContentLength = -1
		}
	}
	testenv.Sign(tb, req, body, testenv.Key{ID: keyID, Secret: testenv.AnySecret})
	return req
}

// send performs req and reads the whole response.
func send(tb testing.TB, req *http.Request) rawResponse {
	tb.Helper()
	return rawResponse(testenv.Send(tb, req))
}

// raw sends a signed request; a nil body sends none.
func (s *testServer) raw(tb testing.TB, keyID, method, path string, body []byte) rawResponse {
	tb.Helper()
	return send(tb, s.newSignedRequest(tb, keyID, method, path, body, false))
}

// rawJSON sends a signed request with v encoded as the JSON body.
func (s *testServer) rawJSON(tb testing.TB, keyID, method, path string, v any) rawResponse {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal: %v", err)
	}
	return s.raw(tb, keyID, method, path, b)
}

// ---- control endpoints ----

// wireAccount and wireUser are the control endpoints' JSON shapes, decoded independently of the server code.
type wireAccount struct {
	AwsAccountId, AccountId, Name, AccountType, CreatedTimestamp, DefaultLicense, AccountStatus string
	SupportedLicenses                                                                           []string
}

type wireUser struct {
	UserId, AccountId, PrimaryEmail, DisplayName, LicenseType, UserType string
	UserRegistrationStatus, UserInvitationStatus, RegisteredOn          string
	InvitedOn, PersonalPIN                                              string
}

// setAccountType calls PUT /_chimed/accounts/{id}/type.
func (s *testServer) setAccountType(tb testing.TB, keyID, accountID, typ string) rawResponse {
	tb.Helper()
	return s.rawJSON(tb, keyID, "PUT", "/_chimed/accounts/"+accountID+"/type", map[string]string{"AccountType": typ})
}

// register calls POST /_chimed/accounts/{a}/users/{u}/register.
func (s *testServer) register(tb testing.TB, keyID, accountID, userID, displayName string) rawResponse {
	tb.Helper()
	return s.rawJSON(tb, keyID, "POST", "/_chimed/accounts/"+accountID+"/users/"+userID+"/register",
		map[string]string{"DisplayName": displayName})
}

// MustSetAccountType converts an account of tenantA-style caller keyID and returns the converted account.
func MustSetAccountType(tb testing.TB, s *testServer, keyID, accountID, typ string) wireAccount {
	tb.Helper()
	r := s.setAccountType(tb, keyID, accountID, typ)
	if r.Status != 200 {
		tb.Fatalf("set account type %s: %d %s", typ, r.Status, r.Body)
	}
	var out struct{ Account wireAccount }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		tb.Fatalf("decode account: %v (%s)", err, r.Body)
	}
	return out.Account
}

// MustRegister registers a user through the control endpoint and returns it.
func MustRegister(tb testing.TB, s *testServer, keyID, accountID, userID string) wireUser {
	tb.Helper()
	r := s.register(tb, keyID, accountID, userID, "Registered Person")
	if r.Status != 200 {
		tb.Fatalf("register %s: %d %s", userID, r.Status, r.Body)
	}
	var out struct{ User wireUser }
	if err := json.Unmarshal(r.Body, &out); err != nil {
		tb.Fatalf("decode user: %v (%s)", err, r.Body)
	}
	return out.User
}

// ---- SDK helpers ----

// MustCreateAccount creates a Team account.
func MustCreateAccount(tb testing.TB, c *chime.Client, name string) types.Account {
	tb.Helper()
	out, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(name)})
	if err != nil {
		tb.Fatalf("CreateAccount %q: %v", name, err)
	}
	return *out.Account
}

// MustAccount creates an account of type typ (converted through the control endpoint) for caller keyID.
func MustAccount(tb testing.TB, s *testServer, keyID string, typ types.AccountType) types.Account {
	tb.Helper()
	a := MustCreateAccount(tb, s.client(keyID), "acct-"+string(typ))
	if typ != types.AccountTypeTeam {
		MustSetAccountType(tb, s, keyID, *a.AccountId, string(typ))
		a.AccountType = typ
	}
	return a
}

// MustInvite invites emails to a Team account and returns the invites.
func MustInvite(tb testing.TB, c *chime.Client, accountID string, emails ...string) []types.Invite {
	tb.Helper()
	out, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: aws.String(accountID), UserEmailList: emails})
	if err != nil {
		tb.Fatalf("InviteUsers: %v", err)
	}
	if len(out.Invites) != len(emails) {
		tb.Fatalf("InviteUsers returned %d invites for %d addresses", len(out.Invites), len(emails))
	}
	return out.Invites
}

// MustCreateUser creates a user in an EnterpriseDirectory/OIDC account.
func MustCreateUser(tb testing.TB, c *chime.Client, accountID, email string) types.User {
	tb.Helper()
	out, err := c.CreateUser(ctx, &chime.CreateUserInput{AccountId: aws.String(accountID), Email: aws.String(email)})
	if err != nil {
		tb.Fatalf("CreateUser %s: %v", email, err)
	}
	return *out.User
}

// MustGetUser returns a user.
func MustGetUser(tb testing.TB, c *chime.Client, accountID, userID string) types.User {
	tb.Helper()
	out, err := c.GetUser(ctx, &chime.GetUserInput{AccountId: aws.String(accountID), UserId: aws.String(userID)})
	if err != nil {
		tb.Fatalf("GetUser %s: %v", userID, err)
	}
	return *out.User
}

// MustGetAccount returns an account.
func MustGetAccount(tb testing.TB, c *chime.Client, accountID string) types.Account {
	tb.Helper()
	out, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(accountID)})
	if err != nil {
		tb.Fatalf("GetAccount %s: %v", accountID, err)
	}
	return *out.Account
}

// MustListUsers returns every user of an account (all pages).
func MustListUsers(tb testing.TB, c *chime.Client, in chime.ListUsersInput) []types.User {
	tb.Helper()
	var all []types.User
	p := chime.NewListUsersPaginator(c, &in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			tb.Fatalf("ListUsers: %v", err)
		}
		all = append(all, page.Users...)
	}
	return all
}

// MustListAccounts returns every account matching in (all pages).
func MustListAccounts(tb testing.TB, c *chime.Client, in chime.ListAccountsInput) []types.Account {
	tb.Helper()
	var all []types.Account
	p := chime.NewListAccountsPaginator(c, &in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			tb.Fatalf("ListAccounts: %v", err)
		}
		all = append(all, page.Accounts...)
	}
	return all
}

// MustTeamUser invites email to a Team account and returns the new (pending) user's id.
func MustTeamUser(tb testing.TB, c *chime.Client, accountID, email string) string {
	tb.Helper()
	MustInvite(tb, c, accountID, email)
	users := MustListUsers(tb, c, chime.ListUsersInput{AccountId: aws.String(accountID), UserEmail: aws.String(email)})
	if len(users) != 1 {
		tb.Fatalf("ListUsers(user-email=%s) = %d users, want 1", email, len(users))
	}
	return *users[0].UserId
}

// accountIDs and userIDs project lists for comparisons.
func accountIDs(as []types.Account) []string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = aws.ToString(a.AccountId)
	}
	return ids
}

func userIDs(us []types.User) []string {
	ids := make([]string, len(us))
	for i, u := range us {
		ids[i] = aws.ToString(u.UserId)
	}
	return ids
}

func emails(n int, domain string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user%03d@%s", i, domain)
	}
	return out
}

var pinPattern = regexp.MustCompile(`^[0-9]{10}$`)
