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

// BenchmarkGetUserHandler measures GetUser through the whole handler (routing, emulator auth, service, store
// read, encoding) without the network.
func BenchmarkGetUserHandler(b *testing.B) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	svc, err := chime.NewService(ctx, store, chime.ServiceOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a, _ := svc.CreateAccount(ctx, "111122223333", ptr("bench"))
	svc.InviteUsers(ctx, "111122223333", a.ID, []string{"u@example.com"}, nil)
	users, _, _ := svc.ListUsers(ctx, "111122223333", a.ID, chime.ListUsersInput{})
	srv := NewServer(Options{Service: svc, Authenticator: AnyAuth{},
		Logger: newDiscardLogger()})
	path := "/accounts/" + a.ID + "/users/" + users[0].ID
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

func newDiscardLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// BenchmarkListUsersHandler measures a ListUsers page of 100 through the whole handler without the network.
func BenchmarkListUsersHandler(b *testing.B) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite:"+filepath.Join(b.TempDir(), "b.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	svc, err := chime.NewService(ctx, store, chime.ServiceOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a, _ := svc.CreateAccount(ctx, "111122223333", ptr("bench"))
	for i := 0; i < 3; i++ {
		emails := make([]string, 50)
		for j := range emails {
			emails[j] = fmt.Sprintf("u%d-%d@example.com", i, j)
		}
		if _, err := svc.InviteUsers(ctx, "111122223333", a.ID, emails, nil); err != nil {
			b.Fatal(err)
		}
	}
	srv := NewServer(Options{Service: svc, Authenticator: AnyAuth{}, Logger: newDiscardLogger()})
	path := "/accounts/" + a.ID + "/users?max-results=100"
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
