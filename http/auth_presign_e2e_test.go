package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// emptyBodySHA256 is the payload hash SDKs presign requests without a body with.
const emptyBodySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// presignURL presigns method base+target with aws-sdk-go-v2's v4 PresignHTTP (X-Amz-Expires set to expires
// seconds unless negative) for key k in region at time at, and returns the URL.
func presignURL(t *testing.T, method, base, target string, expires int, k testenv.Key, region string, at time.Time) string {
	t.Helper()
	req, err := http.NewRequest(method, base+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if expires >= 0 {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(expires))
		req.URL.RawQuery = q.Encode()
	}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(),
		aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret, SessionToken: k.Token}, req, emptyBodySHA256,
		testenv.Service, region, at)
	if err != nil {
		t.Fatalf("PresignHTTP: %v", err)
	}
	return u
}

// fetch performs method url without any header of its own, as a browser or urllib does.
func fetch(t *testing.T, method, url string) testenv.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return testenv.Send(t, req)
}

// frontError returns the x-amzn-ErrorType and the message of a front-end error answer.
func frontError(t *testing.T, r testenv.Response) (string, string) {
	t.Helper()
	var body struct{ Message string }
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body %q: %v", r.Body, err)
	}
	return r.Header.Get("X-Amzn-Errortype"), body.Message
}

// userOf creates an account and a user in it through c and returns their ids.
func userOf(t *testing.T, c *chime.Client) (string, string) {
	t.Helper()
	acc, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("Presign " + t.Name())})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: acc.Account.AccountId,
		UserEmailList: []string{"p@example.com"}}); err != nil {
		t.Fatal(err)
	}
	us, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: acc.Account.AccountId})
	if err != nil || len(us.Users) != 1 {
		t.Fatalf("ListUsers: %v %v", us, err)
	}
	return *acc.Account.AccountId, *us.Users[0].UserId
}

func TestPresignedURLs(t *testing.T) {
	t.Parallel()
	s := testenv.NewServer(t, testenv.Config{DSN: testDSN(t), SigV4: &sigv4.Options{}})
	k := s.MustKey(t, "111122223333", false)
	aid, uid := userOf(t, s.ClientFor(k))
	getUser := "/accounts/" + aid + "/users/" + uid
	now := time.Now()

	for _, region := range []string{"us-east-1", "local", "eu-central-1"} {
		r := fetch(t, "GET", presignURL(t, "GET", s.URL, getUser, 300, k, region, now))
		var out struct{ User struct{ UserId string } }
		if r.Status != 200 || json.Unmarshal(r.Body, &out) != nil || out.User.UserId != uid {
			t.Errorf("presigned GetUser (%s): %d %s", region, r.Status, r.Body)
		}
	}
	// operation= still selects the route with the X-Amz-* parameters present.
	if r := fetch(t, "POST", presignURL(t, "POST", s.URL, getUser+"?operation=logout", 60, k, "us-east-1", now)); r.Status != 204 {
		t.Errorf("presigned LogoutUser: %d %s", r.Status, r.Body)
	}

	good := presignURL(t, "GET", s.URL, getUser, 300, k, "us-east-1", now)
	sig := good[strings.LastIndex(good, "X-Amz-Signature=")+len("X-Amz-Signature="):]
	flipped := "0"
	if sig[0] == '0' {
		flipped = "1"
	}
	cases := []struct {
		name, url, want, msg string
	}{
		{"expired", presignURL(t, "GET", s.URL, getUser, 60, k, "us-east-1", now.Add(-time.Hour)), "InvalidSignatureException", "expired"},
		{"signature tampered", strings.Replace(good, sig, flipped+sig[1:], 1), "InvalidSignatureException", "Canonical String"},
		{"user tampered", strings.Replace(good, uid, aid, 1), "InvalidSignatureException", "does not match"},
		{"expires tampered", strings.Replace(good, "X-Amz-Expires=300", "X-Amz-Expires=301", 1), "InvalidSignatureException", "does not match"},
		{"over seven days", presignURL(t, "GET", s.URL, getUser, 604801, k, "us-east-1", now), "IncompleteSignatureException", "604800"},
		{"wrong secret", presignURL(t, "GET", s.URL, getUser, 60, testenv.Key{ID: k.ID, Secret: k.Secret + "x"}, "us-east-1", now), "InvalidSignatureException", "String-to-Sign"},
		{"unknown key", presignURL(t, "GET", s.URL, getUser, 60, testenv.Key{ID: "AKCHUNKNOWNUNKNOWN00", Secret: k.Secret}, "us-east-1", now), "UnrecognizedClientException", ""},
		{"session token", presignURL(t, "GET", s.URL, getUser, 60, testenv.Key{ID: k.ID, Secret: k.Secret, Token: "tok"}, "us-east-1", now), "UnrecognizedClientException", "long-term"},
	}
	for _, c := range cases {
		r := fetch(t, "GET", c.url)
		got, msg := frontError(t, r)
		if r.Status != 403 || got != c.want || !strings.Contains(msg, c.msg) {
			t.Errorf("%s: %d %s %q, want 403 %s containing %q", c.name, r.Status, got, msg, c.want, c.msg)
		}
	}
}

// TestPresignedURLsEmulator: in `--auth any` mode a presigned URL is as good as a signed header, and its
// X-Amz-* parameters are not operation members.
func TestPresignedURLsEmulator(t *testing.T) {
	t.Parallel()
	s := testenv.NewServer(t, testenv.Config{DSN: testDSN(t)})
	k := testenv.Key{ID: tenantA, Secret: testenv.AnySecret}
	aid, uid := userOf(t, s.Client(tenantA))
	getUser := "/accounts/" + aid + "/users/" + uid
	if r := fetch(t, "GET", presignURL(t, "GET", s.URL, getUser, 300, k, "local", time.Now())); r.Status != 200 {
		t.Errorf("presigned GetUser: %d %s", r.Status, r.Body)
	}
	if r := fetch(t, "POST", presignURL(t, "POST", s.URL, getUser+"?operation=logout", 300, k, "us-east-1", time.Now())); r.Status != 204 {
		t.Errorf("presigned LogoutUser: %d %s", r.Status, r.Body)
	}
	r := fetch(t, "GET", s.URL+getUser+"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x")
	if got, _ := frontError(t, r); r.Status != 403 || got != "IncompleteSignatureException" {
		t.Errorf("incomplete presigned URL: %d %s", r.Status, r.Body)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// lines returns the JSON log records written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestAuthFailuresAreLogged: every authentication failure is logged at warn level with its reason and the
// access key id, never with a signature or a secret; a signature mismatch answers the canonical request and
// string to sign.
func TestAuthFailuresAreLogged(t *testing.T) {
	t.Parallel()
	logs := &syncBuffer{}
	s := testenv.NewServer(t, testenv.Config{DSN: testDSN(t), SigV4: &sigv4.Options{},
		Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	k := s.MustKey(t, "111122223333", false)
	wrong := testenv.Key{ID: k.ID, Secret: "not-the-secret-" + k.Secret[:4]}

	req, _ := http.NewRequest("GET", s.URL+"/accounts", nil)
	testenv.Sign(t, req, nil, wrong)
	sentSig := req.Header.Get("Authorization")[strings.LastIndex(req.Header.Get("Authorization"), "=")+1:]
	r := testenv.Send(t, req)
	typ, msg := frontError(t, r)
	if r.Status != 403 || typ != "InvalidSignatureException" ||
		!strings.Contains(msg, "\n\nThe Canonical String for this request should have been\n'GET\n/accounts\n") ||
		!strings.Contains(msg, "\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n") {
		t.Errorf("wrong secret: %d %s %q", r.Status, typ, msg)
	}
	if strings.Contains(msg, k.Secret) || strings.Contains(msg, wrong.Secret) {
		t.Errorf("the message holds a secret: %q", msg)
	}

	unknown := testenv.Key{ID: "AKCHUNKNOWNUNKNOWN00", Secret: "x"}
	req, _ = http.NewRequest("GET", s.URL+"/accounts", nil)
	testenv.Sign(t, req, nil, unknown)
	testenv.Send(t, req)
	req, _ = http.NewRequest("GET", s.URL+"/accounts", nil)
	testenv.SignV4(t, req, nil, k, testenv.Service, testenv.Region, time.Now().Add(-time.Hour))
	testenv.Send(t, req)
	fetch(t, "GET", s.URL+"/accounts")

	want := []struct{ key, exception, reason string }{
		{k.ID, "InvalidSignatureException", "does not match"},
		{unknown.ID, "UnrecognizedClientException", "security token included in the request is invalid"},
		{k.ID, "InvalidSignatureException", "Signature expired"},
		{"", "MissingAuthenticationTokenException", "Missing Authentication Token"},
	}
	var failures []map[string]any
	for _, l := range logs.lines(t) {
		if l["level"] == "WARN" && l["msg"] == "authentication failed" {
			failures = append(failures, l)
		}
	}
	if len(failures) != len(want) {
		t.Fatalf("%d auth failures logged, want %d:\n%s", len(failures), len(want), logs)
	}
	for i, w := range want {
		l := failures[i]
		if l["access_key_id"] != w.key && !(w.key == "" && l["access_key_id"] == nil) {
			t.Errorf("failure %d: access_key_id %v, want %q", i, l["access_key_id"], w.key)
		}
		if l["exception"] != w.exception {
			t.Errorf("failure %d: exception %v, want %s", i, l["exception"], w.exception)
		}
		if reason, _ := l["reason"].(string); !strings.Contains(reason, w.reason) {
			t.Errorf("failure %d: reason %q, want it to contain %q", i, reason, w.reason)
		}
		if l["request_id"] == nil {
			t.Errorf("failure %d: no request_id", i)
		}
	}
	all := logs.String()
	for _, secret := range []string{k.Secret, wrong.Secret, sentSig} {
		if strings.Contains(all, secret) {
			t.Errorf("the log holds %q:\n%s", secret, all)
		}
	}
}

// TestSessionTokenAdvice: an SDK configured with a session token is told to unset it.
func TestSessionTokenAdvice(t *testing.T) {
	t.Parallel()
	s := testenv.NewServer(t, testenv.Config{DSN: testDSN(t), SigV4: &sigv4.Options{}})
	k := s.MustKey(t, "111122223333", false)
	k.Token = "a-session-token"
	_, err := s.ClientFor(k).ListAccounts(ctx, &chime.ListAccountsInput{})
	if got := apiCode(t, err); got != "UnrecognizedClientException" || !strings.Contains(err.Error(), "long-term") ||
		!strings.Contains(err.Error(), "session token") {
		t.Errorf("session token: %s: %v", got, err)
	}
}

// TestAnyRegionClientsCanUse: the README promises any region; `local` and made-up names included.
func TestAnyRegionClientsCanUse(t *testing.T) {
	t.Parallel()
	s := testenv.NewServer(t, testenv.Config{DSN: testDSN(t), SigV4: &sigv4.Options{}})
	k := s.MustKey(t, "111122223333", false)
	for _, region := range []string{"local", "us-east-1", "eu-central-1", "my-region"} {
		if _, err := s.ClientFor(k, testenv.WithRegion(region)).ListAccounts(ctx, &chime.ListAccountsInput{}); err != nil {
			t.Errorf("region %s: %v", region, err)
		}
	}
}

// TestEmulatorHonorsRegions: AnyAuth with an allow-list refuses other regions as the verifier does.
func TestEmulatorHonorsRegions(t *testing.T) {
	t.Parallel()
	srv := testenv.NewServer(t, testenv.Config{DSN: testDSN(t), EmulatorRegions: []string{"us-east-1", "local"}})
	for region, want := range map[string]string{"us-east-1": "", "local": "", "eu-west-1": "InvalidSignatureException"} {
		c := testenv.NewClient(srv.URL, testenv.Key{ID: tenantA, Secret: testenv.AnySecret}, testenv.WithRegion(region))
		_, err := c.ListAccounts(ctx, &chime.ListAccountsInput{})
		switch {
		case want == "" && err != nil:
			t.Errorf("region %s: %v", region, err)
		case want != "" && (err == nil || apiCode(t, err) != want || !strings.Contains(err.Error(), "valid region")):
			t.Errorf("region %s: %v, want %s", region, err, want)
		}
	}
}
