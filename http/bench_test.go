package http

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

func benchUser() *chime.User {
	now := time.Now().UTC().Truncate(time.Millisecond)
	return &chime.User{ID: "5c0f6c1e-2d8e-4b53-9a0e-3f1f4b7c2d11", AccountID: "0b7e2a0c-0b1f-4a3e-9a77-6c2b8b1d9a10",
		Email: "mateo.jackson@example.com", DisplayName: "Mateo Jackson", License: chime.LicensePro,
		Type: chime.UserPrivate, RegistrationStatus: chime.Registered, InvitationStatus: chime.InviteAccepted,
		InvitedOn: now, RegisteredOn: now, PIN: "4820719356"}
}

// BenchmarkEncodeUser measures the JSON encoding of one GetUser answer (the generated encoder).
func BenchmarkEncodeUser(b *testing.B) {
	u := benchUser()
	rec := httptest.NewRecorder()
	s := &Server{}
	c := &call{w: rec}
	b.ReportAllocs()
	for b.Loop() {
		rec.Body.Reset()
		s.writeUser(c, http.StatusOK, u)
	}
}

// BenchmarkEncodeUserReflect is the same answer through encoding/json, for comparison.
func BenchmarkEncodeUserReflect(b *testing.B) {
	u := benchUser()
	b.ReportAllocs()
	for b.Loop() {
		json.Marshal(&GetUserResponse{User: userOut(u)})
	}
}

// benchHandler serves requests for the caller 111122223333 (emulator auth) over a fresh SQLite store holding one
// Team account with n invited users, and returns the server and the account's path.
func benchHandler(b *testing.B, n int) (*Server, string, []*chime.User) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	svc, err := chime.NewService(ctx, store, chime.ServiceOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a, err := svc.CreateAccount(ctx, "111122223333", ptr("bench"))
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i += 50 {
		emails := make([]string, min(50, n-i))
		for j := range emails {
			emails[j] = fmt.Sprintf("u%d@example.com", i+j)
		}
		if _, err := svc.InviteUsers(ctx, "111122223333", a.ID, emails, nil); err != nil {
			b.Fatal(err)
		}
	}
	users, _, err := svc.ListUsers(ctx, "111122223333", a.ID, chime.ListUsersInput{MaxResults: chime.MaxPageSize})
	if err != nil || len(users) != n {
		b.Fatalf("%d users: %v", len(users), err)
	}
	srv := NewServer(Options{Service: svc, Authenticator: AnyAuth{}, Logger: newDiscardLogger()})
	return srv, "/accounts/" + a.ID + "/users", users
}

// serveLoop runs GET path through srv (emulator auth, any signature) until the benchmark ends.
func serveLoop(b *testing.B, srv *Server, path string) {
	auth := "AWS4-HMAC-SHA256 Credential=111122223333/20261122/us-east-1/chime/aws4_request, " +
		"SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", auth)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkGetUserHandler measures GetUser through the whole handler (routing, emulator auth, service, store
// read, encoding) without the network.
func BenchmarkGetUserHandler(b *testing.B) {
	srv, path, users := benchHandler(b, 1)
	serveLoop(b, srv, path+"/"+users[0].ID)
}

// BenchmarkListUsersHandler measures a ListUsers page of 100 through the whole handler without the network.
func BenchmarkListUsersHandler(b *testing.B) {
	srv, path, _ := benchHandler(b, 150)
	serveLoop(b, srv, path+"?max-results=100")
}

func newDiscardLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
