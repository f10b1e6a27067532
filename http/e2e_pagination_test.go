package http_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
)

const pagedItems = 250

func TestListUsersPaginator(t *testing.T) {
	t.Parallel()
	_, c := setup(t)
	a := MustCreateAccount(t, c, "big team")
	all := emails(pagedItems, "paged.example.com")
	for i := 0; i < pagedItems; i += 50 {
		MustInvite(t, c, *a.AccountId, all[i:i+50]...)
	}

	p := chime.NewListUsersPaginator(c, &chime.ListUsersInput{AccountId: a.AccountId, MaxResults: aws.Int32(100)})
	var sizes []int
	var got []string
	seen := map[string]bool{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", len(sizes)+1, err)
		}
		checkMeta(t, page.ResultMetadata, 200)
		sizes = append(sizes, len(page.Users))
		last := len(sizes) == 3
		if (page.NextToken == nil) != last {
			t.Errorf("page %d: NextToken = %v", len(sizes), page.NextToken)
		}
		for _, u := range page.Users {
			if seen[*u.UserId] {
				t.Errorf("user %s listed twice", *u.UserId)
			}
			seen[*u.UserId] = true
			got = append(got, *u.PrimaryEmail)
		}
		if len(sizes) > 3 {
			t.Fatal("more than 3 pages")
		}
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) {
		t.Errorf("page sizes = %v, want [100 100 50]", sizes)
	}
	if !slices.Equal(got, all) {
		t.Errorf("users are not listed once each in creation order")
	}
}

func TestListAccountsPaginator(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	var want []string
	for i := 0; i < pagedItems; i++ {
		want = append(want, *MustCreateAccount(t, c, fmt.Sprintf("account %03d", i)).AccountId)
	}
	// Another tenant's accounts never show up.
	MustCreateAccount(t, s.client(tenantB), "account 999")

	p := chime.NewListAccountsPaginator(c, &chime.ListAccountsInput{MaxResults: aws.Int32(100)})
	var sizes []int
	var got []string
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("page %d: %v", len(sizes)+1, err)
		}
		checkMeta(t, page.ResultMetadata, 200)
		sizes = append(sizes, len(page.Accounts))
		if (page.NextToken == nil) != (len(sizes) == 3) {
			t.Errorf("page %d: NextToken = %v", len(sizes), page.NextToken)
		}
		got = append(got, accountIDs(page.Accounts)...)
		if len(sizes) > 3 {
			t.Fatal("more than 3 pages")
		}
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) {
		t.Errorf("page sizes = %v, want [100 100 50]", sizes)
	}
	if !slices.Equal(got, want) {
		t.Errorf("accounts are not listed once each in creation order")
	}

	// Filters page too: the name prefix "account 1" matches 100..199.
	named := MustListAccounts(t, c, chime.ListAccountsInput{Name: aws.String("account 1"), MaxResults: aws.Int32(30)})
	if !slices.Equal(accountIDs(named), want[100:200]) {
		t.Errorf("name-filtered walk returned %d accounts", len(named))
	}
}

// firstToken returns the NextToken of a first ListUsers page of size 1.
func firstUsersToken(t *testing.T, c *chime.Client, in chime.ListUsersInput) string {
	t.Helper()
	in.MaxResults = aws.Int32(1)
	out, err := c.ListUsers(ctx, &in)
	if err != nil || out.NextToken == nil {
		t.Fatalf("ListUsers(%+v): %v, token %v", in, err, out)
	}
	return *out.NextToken
}

func firstAccountsToken(t *testing.T, c *chime.Client, in chime.ListAccountsInput) string {
	t.Helper()
	in.MaxResults = aws.Int32(1)
	out, err := c.ListAccounts(ctx, &in)
	if err != nil || out.NextToken == nil {
		t.Fatalf("ListAccounts(%+v): %v, token %v", in, err, out)
	}
	return *out.NextToken
}

// tamper changes one character in the middle of a token.
func tamper(tok string) []string {
	mid := len(tok) / 2
	flip := byte('A')
	if tok[mid] == 'A' {
		flip = 'B'
	}
	return []string{
		tok[:mid] + string(flip) + tok[mid+1:],
		tok[:len(tok)-1],
		tok + "A",
		"x" + tok[1:],
		"not a token",
		strings.Repeat("A", len(tok)),
		strings.Repeat("A", 1000),
	}
}

func TestPageTokensAreBound(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	a := MustCreateAccount(t, c, "alpha one")
	a2 := MustCreateAccount(t, c, "alpha two")
	MustCreateAccount(t, c, "beta")
	MustInvite(t, c, *a.AccountId, "p1@example.com", "p2@example.com")
	if _, err := c.InviteUsers(ctx, &chime.InviteUsersInput{AccountId: a.AccountId,
		UserEmailList: []string{"s1@example.com", "s2@example.com"}, UserType: types.UserTypeSharedDevice}); err != nil {
		t.Fatal(err)
	}
	MustInvite(t, c, *a2.AccountId, "q1@example.com", "q2@example.com")

	// ListUsers: a token is valid for its own listing only.
	tok := firstUsersToken(t, c, chime.ListUsersInput{AccountId: a.AccountId})
	out, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: a.AccountId, NextToken: &tok})
	if err != nil || len(out.Users) != 3 || out.NextToken != nil {
		t.Fatalf("second page: %+v, %v", out, err)
	}
	for _, bad := range tamper(tok) {
		_, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: a.AccountId, NextToken: aws.String(bad)})
		wantBadRequest(t, err)
	}
	typed := firstUsersToken(t, c, chime.ListUsersInput{AccountId: a.AccountId, UserType: types.UserTypeSharedDevice})
	for _, in := range []chime.ListUsersInput{
		{AccountId: a.AccountId, NextToken: &typed},                                        // filter dropped
		{AccountId: a.AccountId, NextToken: &typed, UserType: types.UserTypePrivateUser},   // other filter value
		{AccountId: a.AccountId, NextToken: &tok, UserType: types.UserTypeSharedDevice},    // filter added
		{AccountId: a.AccountId, NextToken: &tok, UserEmail: aws.String("p1@example.com")}, // filter added
		{AccountId: a2.AccountId, NextToken: &tok},                                         // other account
	} {
		_, err := c.ListUsers(ctx, &in)
		wantBadRequest(t, err)
	}
	// The right filter with the token works.
	if out, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: a.AccountId, NextToken: &typed,
		UserType: types.UserTypeSharedDevice}); err != nil || len(out.Users) != 1 || *out.Users[0].PrimaryEmail != "s2@example.com" {
		t.Errorf("typed second page: %+v, %v", out, err)
	}

	// ListAccounts.
	atok := firstAccountsToken(t, c, chime.ListAccountsInput{})
	for _, bad := range tamper(atok) {
		_, err := c.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: aws.String(bad)})
		wantBadRequest(t, err)
	}
	ntok := firstAccountsToken(t, c, chime.ListAccountsInput{Name: aws.String("alpha")})
	for _, in := range []chime.ListAccountsInput{
		{NextToken: &ntok},
		{NextToken: &ntok, Name: aws.String("alph")},
		{NextToken: &atok, Name: aws.String("alpha")},
		{NextToken: &atok, UserEmail: aws.String("p1@example.com")},
		{NextToken: &tok}, // a ListUsers token
	} {
		_, err := c.ListAccounts(ctx, &in)
		wantBadRequest(t, err)
	}
	_, err = c.ListUsers(ctx, &chime.ListUsersInput{AccountId: a.AccountId, NextToken: &atok}) // a ListAccounts token
	wantBadRequest(t, err)
	if out, err := c.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: &ntok, Name: aws.String("alpha")}); err != nil ||
		!slices.Equal(accountIDs(out.Accounts), []string{*a2.AccountId}) {
		t.Errorf("name-filtered second page: %+v, %v", out, err)
	}

	// Another tenant cannot use the tokens, even for its own listings.
	b := s.client(tenantB)
	bacct := MustCreateAccount(t, b, "alpha b")
	MustCreateAccount(t, b, "alpha b2")
	_, err = b.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: &atok})
	wantBadRequest(t, err)
	_, err = b.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: &ntok, Name: aws.String("alpha")})
	wantBadRequest(t, err)
	_, err = b.ListUsers(ctx, &chime.ListUsersInput{AccountId: bacct.AccountId, NextToken: &tok})
	wantBadRequest(t, err)
	_, err = b.ListUsers(ctx, &chime.ListUsersInput{AccountId: a.AccountId, NextToken: &tok})
	if name, _, _ := exceptionOf(err); name != "BadRequestException" && name != "NotFoundException" {
		t.Errorf("tenant B with tenant A's account and token: %v", err)
	}
	// An empty token starts from the beginning.
	if out, err := c.ListAccounts(ctx, &chime.ListAccountsInput{NextToken: aws.String("")}); err != nil || len(out.Accounts) != 3 {
		t.Errorf("empty token: %+v, %v", out, err)
	}
}
