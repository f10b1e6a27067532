package admin_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// benchBrowser is a signed-in browser of a server whose AWS account has 25 accounts, the first with 50 users.
func benchBrowser(b *testing.B) (*browser, string) {
	srv := testenv.NewServer(b, testenv.Config{SigV4: &sigv4.Options{}})
	k := srv.MustKey(b, awsAccount, false)
	ctx := context.Background()
	var first string
	for i := range 25 {
		name := fmt.Sprintf("acct-%02d", i)
		a, err := srv.Service.CreateAccount(ctx, awsAccount, &name)
		if err != nil {
			b.Fatal(err)
		}
		if first == "" {
			first = a.ID
		}
	}
	var emails []string
	for i := range 50 {
		emails = append(emails, fmt.Sprintf("u%02d@example.com", i))
	}
	if _, err := srv.Service.InviteUsers(ctx, awsAccount, first, emails, nil); err != nil {
		b.Fatal(err)
	}
	br := newBrowser(b, srv)
	if p := br.signIn(k); p.status != http.StatusOK {
		b.Fatal("sign in")
	}
	return br, first
}

// BenchmarkAccountsPage: GET /admin/ with a full page of 25 accounts (session and key checked, list, render).
func BenchmarkAccountsPage(b *testing.B) {
	br, _ := benchBrowser(b)
	for b.Loop() {
		if p := br.get("/admin/"); p.status != http.StatusOK {
			b.Fatal(p.status)
		}
	}
}

// BenchmarkAccountPage: GET /admin/accounts/{id} with 50 users.
func BenchmarkAccountPage(b *testing.B) {
	br, id := benchBrowser(b)
	for b.Loop() {
		if p := br.get("/admin/accounts/" + id); p.status != http.StatusOK {
			b.Fatal(p.status)
		}
	}
}
