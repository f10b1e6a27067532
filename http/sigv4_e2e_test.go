package http_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/aws/smithy-go"

	chimed "github.com/chimed/chimed"
	chimehttp "github.com/chimed/chimed/http"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// authEnv is a server in the default (sigv4) mode with its credential service.
type authEnv struct {
	srv    *testenv.Server
	url    string
	dbPath string
	creds  *chimed.Credentials
}

type authOpts struct {
	now       func() time.Time
	rateLimit float64
	rateBurst int
	sqlite    bool // a SQLite file whose bytes the test inspects, whatever testDSN says
}

func newAuthEnv(t *testing.T, o authOpts) *authEnv {
	t.Helper()
	dsn, dbPath := testDSN(t), ""
	if o.sqlite {
		dbPath = testenv.SQLitePath(t)
		dsn = "sqlite:" + dbPath
	}
	s := testenv.NewServer(t, testenv.Config{DSN: dsn, SigV4: &sigv4.Options{Now: o.now},
		RateLimiter: chimehttp.NewRateLimiter(o.rateLimit, o.rateBurst)})
	return &authEnv{srv: s, url: s.URL, dbPath: dbPath, creds: s.Credentials}
}

func (e *authEnv) key(t *testing.T, aws string, readOnly bool) (string, string) {
	t.Helper()
	k := e.srv.MustKey(t, aws, readOnly)
	return k.ID, k.Secret
}

func (e *authEnv) client(id, secret, token string) *chime.Client {
	return testenv.NewClient(e.url, testenv.Key{ID: id, Secret: secret, Token: token}, testenv.WithRegion("eu-west-1"))
}

// apiCode returns the error code a client sees, and the HTTP status.
func apiCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an API error, got %v", err)
	}
	return ae.ErrorCode()
}

func TestSigV4AcceptsAndRejects(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, authOpts{})
	ctx := context.Background()
	id, secret := e.key(t, "111122223333", false)

	good := e.client(id, secret, "")
	acc, err := good.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("signed")})
	if err != nil {
		t.Fatalf("signed CreateAccount: %v", err)
	}
	if got := *acc.Account.AwsAccountId; got != "111122223333" {
		t.Fatalf("AwsAccountId = %s, want the key's account", got)
	}

	revokedID, revokedSecret := e.key(t, "111122223333", false)
	if err := e.creds.Revoke(ctx, revokedID); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		client *chime.Client
		want   string
	}{
		{"wrong secret", e.client(id, secret+"x", ""), "InvalidSignatureException"},
		{"unknown key", e.client("AKCHUNKNOWNUNKNOWN00", secret, ""), "UnrecognizedClientException"},
		{"revoked key", e.client(revokedID, revokedSecret, ""), "UnrecognizedClientException"},
		{"session token", e.client(id, secret, "some-session-token"), "UnrecognizedClientException"},
	}
	for _, c := range cases {
		_, err := c.client.ListAccounts(ctx, &chime.ListAccountsInput{})
		if got := apiCode(t, err); got != c.want {
			t.Errorf("%s: code %s, want %s", c.name, got, c.want)
		}
		_, err = c.client.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("must not exist")})
		if got := apiCode(t, err); got != c.want {
			t.Errorf("%s (write): code %s, want %s", c.name, got, c.want)
		}
	}
	out, err := good.ListAccounts(ctx, &chime.ListAccountsInput{})
	if err != nil || len(out.Accounts) != 1 {
		t.Fatalf("rejected requests changed data: %d accounts, %v", len(out.Accounts), err)
	}
}

func TestSigV4ClockSkew(t *testing.T) {
	t.Parallel()
	for _, shift := range []time.Duration{20 * time.Minute, -20 * time.Minute} {
		// The server's clock is shifted, so the SDK's fresh signatures are expired (or from the future).
		e := newAuthEnv(t, authOpts{now: func() time.Time { return time.Now().Add(shift) }})
		id, secret := e.key(t, "111122223333", false)
		_, err := e.client(id, secret, "").ListAccounts(context.Background(), &chime.ListAccountsInput{})
		if got := apiCode(t, err); got != "InvalidSignatureException" {
			t.Errorf("server clock %v: code %s, want InvalidSignatureException", shift, got)
		}
	}
	e := newAuthEnv(t, authOpts{now: func() time.Time { return time.Now().Add(10 * time.Minute) }})
	id, secret := e.key(t, "111122223333", false)
	if _, err := e.client(id, secret, "").ListAccounts(context.Background(), &chime.ListAccountsInput{}); err != nil {
		t.Errorf("10 minutes of skew must be accepted: %v", err)
	}
}

// TestSDKReadsServerDate: the Go SDK takes the server's time from the Date header of an answer and of an
// error (what its clock-skew correction works from), and finds it within a second or two of its own clock.
func TestSDKReadsServerDate(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, authOpts{})
	id, secret := e.key(t, "111122223333", false)
	out, err := e.client(id, secret, "").ListAccounts(context.Background(), &chime.ListAccountsInput{})
	if err != nil {
		t.Fatal(err)
	}
	at, ok := awsmiddleware.GetServerTime(out.ResultMetadata)
	if !ok || time.Since(at) > 5*time.Second || time.Until(at) > time.Second {
		t.Errorf("server time %v (%v) from the Date of a 200", at, ok)
	}
	if skew, ok := awsmiddleware.GetAttemptSkew(out.ResultMetadata); !ok || skew > 2*time.Second || skew < -2*time.Second {
		t.Errorf("the SDK computed a clock skew of %v (%v) against this server", skew, ok)
	}
	_, err = e.client(id, "wrong", "").ListAccounts(context.Background(), &chime.ListAccountsInput{})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 403 {
		t.Fatalf("wrong secret: %v", err)
	}
	dates := re.HTTPResponse().Header.Values("Date")
	if d, perr := http.ParseTime(strings.Join(dates, "")); len(dates) != 1 || perr != nil ||
		time.Since(d) > 5*time.Second || time.Until(d) > time.Second {
		t.Errorf("the 403's Date headers %q (%v)", dates, perr)
	}
}

// rawSigned sends a request signed by the SDK's signer with the given service and time, optionally
// tampering with the signed headers afterwards.
func rawSigned(t *testing.T, e *authEnv, id, secret, service string, at time.Time, dropHost bool) testenv.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", e.url+"/accounts", nil)
	testenv.SignV4(t, req, nil, testenv.Key{ID: id, Secret: secret}, service, "us-east-1", at)
	if dropHost {
		a := req.Header.Get("Authorization")
		a = strings.Replace(a, "SignedHeaders=host;", "SignedHeaders=", 1)
		req.Header.Set("Authorization", a)
	}
	return testenv.Send(t, req)
}

// signedRaw sends a request signed by the SDK's signer with the given key.
func signedRaw(t *testing.T, e *authEnv, id, secret, method, path, body string) testenv.Response {
	t.Helper()
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(body))
	testenv.Sign(t, req, []byte(body), testenv.Key{ID: id, Secret: secret})
	return testenv.Send(t, req)
}

func TestSigV4FrontEndErrors(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, authOpts{})
	id, secret := e.key(t, "111122223333", false)
	now := time.Now()
	cases := []struct {
		name string
		resp testenv.Response
		want string
	}{
		{"good", rawSigned(t, e, id, secret, "chime", now, false), ""},
		{"wrong service", rawSigned(t, e, id, secret, "s3", now, false), "InvalidSignatureException"},
		{"expired", rawSigned(t, e, id, secret, "chime", now.Add(-16*time.Minute), false), "InvalidSignatureException"},
		{"future", rawSigned(t, e, id, secret, "chime", now.Add(16*time.Minute), false), "InvalidSignatureException"},
		{"host not signed", rawSigned(t, e, id, secret, "chime", now, true), "IncompleteSignatureException"},
	}
	for _, c := range cases {
		got := c.resp.Header.Get("X-Amzn-Errortype")
		if got != c.want {
			t.Errorf("%s: x-amzn-ErrorType %q, want %q", c.name, got, c.want)
		}
		if c.want != "" && c.resp.Status != 403 {
			t.Errorf("%s: status %d, want 403", c.name, c.resp.Status)
		}
		if c.resp.Header.Get("Date") == "" {
			t.Errorf("%s: no Date header (the Go SDK needs it for clock-skew correction)", c.name)
		}
	}
	resp, err := http.Get(e.url + "/accounts")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Amzn-Errortype"); resp.StatusCode != 403 || got != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %d %s", resp.StatusCode, got)
	}
}

func TestReadOnlyKeyMayOnlyRead(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, authOpts{})
	ctx := context.Background()
	rwID, rwSecret := e.key(t, "111122223333", false)
	rw := e.client(rwID, rwSecret, "")
	roID, roSecret := e.key(t, "111122223333", true)
	ro := e.client(roID, roSecret, "")

	acc, err := rw.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("ro")})
	if err != nil {
		t.Fatal(err)
	}
	a := acc.Account.AccountId
	inv, err := rw.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: a, UserEmailList: []string{"ro@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	_ = inv
	users, err := ro.ListUsers(ctx, &chime.ListUsersInput{AccountId: a})
	if err != nil || len(users.Users) != 1 {
		t.Fatalf("read-only ListUsers: %v", err)
	}
	u := users.Users[0].UserId
	if _, err := ro.GetAccount(ctx, &chime.GetAccountInput{AccountId: a}); err != nil {
		t.Errorf("read-only GetAccount: %v", err)
	}
	if _, err := ro.GetUser(ctx, &chime.GetUserInput{AccountId: a, UserId: u}); err != nil {
		t.Errorf("read-only GetUser: %v", err)
	}
	if _, err := ro.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: a}); err != nil {
		t.Errorf("read-only GetAccountSettings: %v", err)
	}
	if _, err := ro.ListAccounts(ctx, &chime.ListAccountsInput{}); err != nil {
		t.Errorf("read-only ListAccounts: %v", err)
	}

	mutations := map[string]func() error{
		"CreateAccount": func() error {
			_, err := ro.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("x")})
			return err
		},
		"UpdateAccount": func() error {
			_, err := ro.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: a, Name: aws.String("renamed")})
			return err
		},
		"DeleteAccount": func() error { _, err := ro.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: a}); return err },
		"UpdateAccountSettings": func() error {
			_, err := ro.UpdateAccountSettings(ctx, &chime.UpdateAccountSettingsInput{AccountId: a,
				AccountSettings: &types.AccountSettings{EnableDialOut: aws.Bool(true)}})
			return err
		},
		"CreateUser": func() error {
			_, err := ro.CreateUser(ctx, &chime.CreateUserInput{AccountId: a, Email: aws.String("c@example.com")})
			return err
		},
		"UpdateUser": func() error {
			_, err := ro.UpdateUser(ctx, &chime.UpdateUserInput{AccountId: a, UserId: u, LicenseType: types.LicenseBasic})
			return err
		},
		"BatchUpdateUser": func() error {
			_, err := ro.BatchUpdateUser(ctx, &chime.BatchUpdateUserInput{AccountId: a,
				UpdateUserRequestItems: []types.UpdateUserRequestItem{{UserId: u, LicenseType: types.LicenseBasic}}})
			return err
		},
		"BatchSuspendUser": func() error {
			_, err := ro.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: a, UserIdList: []string{*u}})
			return err
		},
		"BatchUnsuspendUser": func() error {
			_, err := ro.BatchUnsuspendUser(ctx, &chime.BatchUnsuspendUserInput{AccountId: a, UserIdList: []string{*u}})
			return err
		},
		"InviteUsers": func() error {
			_, err := ro.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: a, UserEmailList: []string{"n@example.com"}})
			return err
		},
		"LogoutUser": func() error {
			_, err := ro.LogoutUser(ctx, &chime.LogoutUserInput{AccountId: a, UserId: u})
			return err
		},
		"ResetPersonalPIN": func() error {
			_, err := ro.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: a, UserId: u})
			return err
		},
	}
	// Control endpoints need write rights, the outbox (a GET holding invitation links) included.
	for _, ep := range []struct{ method, path, body string }{
		{"GET", "/_chimed/outbox", ""},
		{"POST", "/_chimed/reset", ""},
		{"PUT", "/_chimed/accounts/" + *a + "/type", `{"AccountType":"EnterpriseLWA"}`},
	} {
		resp := signedRaw(t, e, roID, roSecret, ep.method, ep.path, ep.body)
		if resp.Status != 403 || resp.Header.Get("X-Amzn-Errortype") != "ForbiddenException" {
			t.Errorf("%s %s with a read-only key: %d %s", ep.method, ep.path, resp.Status, resp.Header.Get("X-Amzn-Errortype"))
		}
	}
	if resp := signedRaw(t, e, rwID, rwSecret, "GET", "/_chimed/outbox", ""); resp.Status != 200 {
		t.Errorf("outbox with a read-write key: %d", resp.Status)
	}
	for name, call := range mutations {
		err := call()
		var fe *types.ForbiddenException
		if !errors.As(err, &fe) || fe.Code != types.ErrorCodeForbidden {
			t.Errorf("%s with a read-only key: want ForbiddenException/Forbidden, got %v", name, err)
		}
	}
	// Nothing changed.
	got, err := rw.GetAccount(ctx, &chime.GetAccountInput{AccountId: a})
	if err != nil || *got.Account.Name != "ro" {
		t.Errorf("account changed: %v %v", got, err)
	}
	us, err := rw.GetUser(ctx, &chime.GetUserInput{AccountId: a, UserId: u})
	if err != nil || us.User.LicenseType != types.LicensePro || us.User.UserRegistrationStatus != types.RegistrationStatusUnregistered {
		t.Errorf("user changed: %+v %v", us, err)
	}
	list, _ := rw.ListAccounts(ctx, &chime.ListAccountsInput{})
	lu, _ := rw.ListUsers(ctx, &chime.ListUsersInput{AccountId: a})
	if len(list.Accounts) != 1 || len(lu.Users) != 1 {
		t.Errorf("read-only mutations stored data: %d accounts, %d users", len(list.Accounts), len(lu.Users))
	}
}

func TestTenantsAreIsolated(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, authOpts{})
	ctx := context.Background()
	aID, aSecret := e.key(t, "111111111111", false)
	bID, bSecret := e.key(t, "222222222222", false)
	a, b := e.client(aID, aSecret, ""), e.client(bID, bSecret, "")
	acc, err := b.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("tenant-b-secret-name")})
	if err != nil {
		t.Fatal(err)
	}
	bAcc := acc.Account.AccountId
	if _, err := b.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: bAcc, UserEmailList: []string{"b@example.com"}}); err != nil {
		t.Fatal(err)
	}
	bUsers, _ := b.ListUsers(ctx, &chime.ListUsersInput{AccountId: bAcc})
	bUser := bUsers.Users[0].UserId

	var nf *types.NotFoundException
	if _, err := a.GetAccount(ctx, &chime.GetAccountInput{AccountId: bAcc}); !errors.As(err, &nf) {
		t.Errorf("GetAccount of another tenant: %v", err)
	}
	if _, err := a.GetUser(ctx, &chime.GetUserInput{AccountId: bAcc, UserId: bUser}); !errors.As(err, &nf) {
		t.Errorf("GetUser of another tenant: %v", err)
	}
	if _, err := a.ListUsers(ctx, &chime.ListUsersInput{AccountId: bAcc}); !errors.As(err, &nf) {
		t.Errorf("ListUsers of another tenant: %v", err)
	}
	if _, err := a.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: bAcc, Name: aws.String("pwned")}); !errors.As(err, &nf) {
		t.Errorf("UpdateAccount of another tenant: %v", err)
	}
	if _, err := a.BatchSuspendUser(ctx, &chime.BatchSuspendUserInput{AccountId: bAcc, UserIdList: []string{*bUser}}); !errors.As(err, &nf) {
		t.Errorf("BatchSuspendUser in another tenant: %v", err)
	}
	if _, err := a.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: bAcc}); !errors.As(err, &nf) {
		t.Errorf("DeleteAccount of another tenant: %v", err)
	}
	la, err := a.ListAccounts(ctx, &chime.ListAccountsInput{})
	if err != nil || len(la.Accounts) != 0 {
		t.Errorf("tenant A sees %d accounts (%v)", len(la.Accounts), err)
	}
	la, _ = a.ListAccounts(ctx, &chime.ListAccountsInput{UserEmail: aws.String("b@example.com")})
	if len(la.Accounts) != 0 {
		t.Errorf("tenant A finds tenant B's account by a member's email")
	}
	// Tenant B's data is intact.
	got, err := b.GetAccount(ctx, &chime.GetAccountInput{AccountId: bAcc})
	if err != nil || *got.Account.Name != "tenant-b-secret-name" {
		t.Errorf("tenant B's account changed: %v", err)
	}
}

func TestThrottling(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, authOpts{rateLimit: 1, rateBurst: 3})
	ctx := context.Background()
	id, secret := e.key(t, "111122223333", false)
	c := e.client(id, secret, "")
	var throttled int
	for i := 0; i < 6; i++ {
		_, err := c.ListAccounts(ctx, &chime.ListAccountsInput{})
		var te *types.ThrottledClientException
		if errors.As(err, &te) {
			if te.Code != types.ErrorCodeThrottled {
				t.Errorf("Code = %s, want Throttled", te.Code)
			}
			throttled++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if throttled < 2 {
		t.Errorf("%d of 6 rapid requests throttled with burst 3, want at least 2", throttled)
	}
	// Another key has its own bucket.
	id2, secret2 := e.key(t, "111122223333", false)
	if _, err := e.client(id2, secret2, "").ListAccounts(ctx, &chime.ListAccountsInput{}); err != nil {
		t.Errorf("another key was throttled: %v", err)
	}
}

func TestDatabaseFileHoldsNoPlaintextSecret(t *testing.T) {
	t.Parallel()
	e := newAuthEnv(t, authOpts{sqlite: true})
	var secrets []string
	for i := 0; i < 5; i++ {
		_, s := e.key(t, fmt.Sprintf("11112222333%d", i), i%2 == 0)
		secrets = append(secrets, s)
	}
	if err := e.creds.Put(context.Background(), "AKCHBOOTSTRAPKEY0001", "bootstrap-secret-value-0123456789", "111122223333", false); err != nil {
		t.Fatal(err)
	}
	secrets = append(secrets, "bootstrap-secret-value-0123456789")
	// The main file and the WAL (where fresh writes live until a checkpoint).
	for _, f := range []string{e.dbPath, e.dbPath + "-wal"} {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains a plaintext secret", filepath.Base(f))
			}
		}
	}
}
