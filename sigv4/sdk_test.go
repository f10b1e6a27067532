package sigv4_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated but is the API we serve
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/smithy-go"

	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// seen is one request observed by authServer.
type seen struct {
	method, path, query string
	signedHeaders       []string
	err                 error
}

// authServer is an httptest server whose handler reads the body (capped at
// 1 MiB), calls Verify and answers 403 with x-amzn-ErrorType on failure, or a
// small JSON document on success. It records every request.
type authServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []seen
}

func newAuthServer(t *testing.T, v *sigv4.Verifier, secrets sigv4.SecretFunc) *authServer {
	t.Helper()
	s := &authServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a, err := v.Verify(r.Context(), r, body, secrets)
		s.mu.Lock()
		s.seen = append(s.seen, seen{method: r.Method, path: r.URL.EscapedPath(), query: r.URL.RawQuery, signedHeaders: a.SignedHeaders, err: err})
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
		var e *sigv4.Error
		if errors.As(err, &e) {
			w.Header().Set("x-amzn-ErrorType", e.Kind.ExceptionName())
			w.WriteHeader(http.StatusForbidden)
			_ = json.NewEncoder(w).Encode(map[string]string{"message": e.Message})
			return
		}
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/accounts":
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"Account":{"AccountId":"a1","AwsAccountId":"111122223333","Name":"Example Corp"}}`)
		case r.URL.Query().Get("operation") == "add":
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"Invites":[]}`)
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			_, _ = io.WriteString(w, `{}`)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// last returns the most recent request seen.
func (s *authServer) last(t *testing.T) seen {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.seen) == 0 {
		t.Fatal("server saw no request")
	}
	return s.seen[len(s.seen)-1]
}

func newChimeClient(url, akid, secret, token string) *chime.Client {
	return testenv.NewClient(url, testenv.Key{ID: akid, Secret: secret, Token: token}, testenv.WithRegion("eu-west-1"))
}

func TestChimeClientEndToEnd(t *testing.T) {
	srv := newAuthServer(t, sigv4.New(sigv4.Options{}), testSecrets)
	c := newChimeClient(srv.URL, testAKID, testSecret, "")
	ctx := context.Background()

	steps := []struct {
		name     string
		call     func() error
		path     string // escaped path the server must have seen
		query    string
		signsLen bool // content-length among the signed headers
	}{
		{"GetAccount with space, slash and unicode in the id", func() error {
			_, err := c.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String("acct id/ü 1~")})
			return err
		}, "/accounts/acct%20id%2F%C3%BC%201~", "", false},
		{"CreateAccount with body", func() error {
			out, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("Example Corp")})
			if err == nil && aws.ToString(out.Account.AccountId) != "a1" {
				err = errors.New("unexpected output")
			}
			return err
		}, "/accounts", "", true},
		{"ListAccounts with + @ space in the query", func() error {
			_, err := c.ListAccounts(ctx, &chime.ListAccountsInput{Name: aws.String("a+b@c d"), MaxResults: aws.Int32(5)})
			return err
		}, "/accounts", "max-results=5&name=a%2Bb%40c%20d", false},
		{"InviteUsers with literal operation", func() error {
			_, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: aws.String("5f7c9a4e-2b1d-4c3e-9f8a-7b6c5d4e3f21"), UserEmailList: []string{"a+b@example.com"}})
			return err
		}, "/accounts/5f7c9a4e-2b1d-4c3e-9f8a-7b6c5d4e3f21/users", "operation=add", true},
		{"DeleteAccount", func() error {
			_, err := c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: aws.String("a1")})
			return err
		}, "/accounts/a1", "", false},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := st.call(); err != nil {
				t.Fatalf("call failed: %v", err)
			}
			got := srv.last(t)
			if got.err != nil {
				t.Fatalf("server: %v", got.err)
			}
			if got.path != st.path || got.query != st.query {
				t.Errorf("server saw %s?%s, want %s?%s", got.path, got.query, st.path, st.query)
			}
			signsLen := strings.Contains(strings.Join(got.signedHeaders, ";"), "content-length")
			if signsLen != st.signsLen {
				t.Errorf("signed headers %v: content-length signed = %v, want %v", got.signedHeaders, signsLen, st.signsLen)
			}
		})
	}
}

func TestChimeClientRejected(t *testing.T) {
	srv := newAuthServer(t, sigv4.New(sigv4.Options{}), testSecrets)
	ctx := context.Background()
	cases := []struct {
		name     string
		client   *chime.Client
		wantCode string
	}{
		{"wrong secret", newChimeClient(srv.URL, testAKID, otherSec, ""), "InvalidSignatureException"},
		{"unknown key", newChimeClient(srv.URL, "AKIDUNKNOWN", testSecret, ""), "UnrecognizedClientException"},
		{"session token", newChimeClient(srv.URL, testAKID, testSecret, "session-token"), "UnrecognizedClientException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.client.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String("a1")})
			var ae smithy.APIError
			if !errors.As(err, &ae) {
				t.Fatalf("err = %v, want an API error", err)
			}
			if ae.ErrorCode() != c.wantCode {
				t.Errorf("code = %q (%s), want %q", ae.ErrorCode(), ae.ErrorMessage(), c.wantCode)
			}
			var re interface{ HTTPStatusCode() int }
			if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
				t.Errorf("status: %v", err)
			}
		})
	}
	// Region allow-list applies to the client's configured region.
	strict := newAuthServer(t, sigv4.New(sigv4.Options{Regions: []string{"us-east-1"}}), testSecrets)
	_, err := newChimeClient(strict.URL, testAKID, testSecret, "").GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String("a1")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidSignatureException" {
		t.Fatalf("eu-west-1 against a us-east-1-only server: %v", err)
	}
}
