package chime_test

import (
	"fmt"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
)

// Pagination of ListAccounts and ListUsers (§2.4, D7–D9): creation order, keyset pages, the last page without a
// token, tokens bound to the caller, the operation and the filters.

func TestListAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("pages in creation order", func(t *testing.T) {
		aws := newTenant()
		var want []string
		for i := 0; i < 5; i++ {
			// Names sort against creation order: the order must not come from the name.
			want = append(want, MustAccount(t, e, aws, fmt.Sprintf("acct-%d", 9-i), chime.AccountTeam).ID)
		}
		var got []string
		var tokens []string
		in := chime.ListAccountsInput{MaxResults: 2}
		for {
			page, next, err := e.Svc.ListAccounts(ctx, aws, in)
			must(t, err)
			if len(page) > 2 {
				t.Fatalf("page of %d, want at most 2", len(page))
			}
			got = append(got, accountIDs(page)...)
			tokens = append(tokens, next)
			if next == "" {
				break
			}
			in.NextToken = &next
		}
		wantIDs(t, "accounts", got, want)
		if len(tokens) != 3 || tokens[2] != "" {
			t.Fatalf("tokens = %q, want two then an empty one", tokens)
		}
	})

	t.Run("a full last page has no token", func(t *testing.T) {
		aws := newTenant()
		for i := 0; i < 4; i++ {
			MustAccount(t, e, aws, "a", chime.AccountTeam)
		}
		page, next, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{MaxResults: 2})
		must(t, err)
		page, next, err = e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{MaxResults: 2, NextToken: &next})
		must(t, err)
		if len(page) != 2 || next != "" {
			t.Fatalf("second page: %d accounts, token %q; want 2 and none", len(page), next)
		}
		page, next, err = e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{MaxResults: 4})
		must(t, err)
		if len(page) != 4 || next != "" {
			t.Fatalf("one exact page: %d accounts, token %q", len(page), next)
		}
	})

	t.Run("MaxResults 0 is the default page", func(t *testing.T) {
		aws := newTenant()
		n := chime.DefaultMaxResults + 1
		for i := 0; i < n; i++ {
			MustAccount(t, e, aws, "a", chime.AccountTeam)
		}
		page, next, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{})
		must(t, err)
		if len(page) != chime.DefaultMaxResults || next == "" {
			t.Fatalf("default page: %d accounts, token %q; want %d and a token", len(page), next, chime.DefaultMaxResults)
		}
		rest, next, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{NextToken: &next})
		must(t, err)
		if len(rest) != 1 || next != "" {
			t.Fatalf("second page: %d accounts, token %q", len(rest), next)
		}
		all, _, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{MaxResults: chime.MaxPageSize})
		must(t, err)
		if len(all) != n || all[n-1].ID != rest[0].ID {
			t.Fatalf("MaxPageSize page: %d accounts", len(all))
		}
	})

	t.Run("page size out of range", func(t *testing.T) {
		aws := newTenant()
		for _, n := range []int{-1, -100, chime.MaxPageSize + 1} {
			_, _, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{MaxResults: n})
			wantErr(t, err, chime.EINVALID, chime.FieldMaxResults)
		}
	})

	t.Run("tokens work only for the listing that issued them", func(t *testing.T) {
		aws, other := newTenant(), newTenant()
		for i := 0; i < 3; i++ {
			MustAccount(t, e, aws, "alpha", chime.AccountTeam)
			MustAccount(t, e, other, "alpha", chime.AccountTeam)
		}
		_, tok, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{MaxResults: 1})
		must(t, err)
		_, filtered, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{Name: ptr("al"), MaxResults: 1})
		must(t, err)
		if tok == "" || filtered == "" {
			t.Fatal("no token issued")
		}
		bad := map[string]struct {
			aws string
			in  chime.ListAccountsInput
		}{
			"another AWS account": {other, chime.ListAccountsInput{NextToken: &tok}},
			"added filter":        {aws, chime.ListAccountsInput{Name: ptr("al"), NextToken: &tok}},
			"added email filter":  {aws, chime.ListAccountsInput{UserEmail: ptr("a@example.com"), NextToken: &tok}},
			"dropped filter":      {aws, chime.ListAccountsInput{NextToken: &filtered}},
			"other filter value":  {aws, chime.ListAccountsInput{Name: ptr("alp"), NextToken: &filtered}},
			"tampered":            {aws, chime.ListAccountsInput{NextToken: ptr(tamper(tok))}},
			"truncated":           {aws, chime.ListAccountsInput{NextToken: ptr(tok[:len(tok)-1])}},
			"not base64":          {aws, chime.ListAccountsInput{NextToken: ptr("!!!")}},
			"too long":            {aws, chime.ListAccountsInput{NextToken: ptr(tok + strings.Repeat("A", 300))}},
		}
		for name, c := range bad {
			t.Run(name, func(t *testing.T) {
				_, _, err := e.Svc.ListAccounts(ctx, c.aws, c.in)
				wantErr(t, err, chime.EINVALID, chime.FieldNextToken)
			})
		}
		// A ListUsers token is not a ListAccounts token.
		team := MustAccount(t, e, aws, "team", chime.AccountTeam)
		MustInvite(t, e, aws, team.ID, newEmail("a"), newEmail("b"))
		_, utok, err := e.Svc.ListUsers(ctx, aws, team.ID, chime.ListUsersInput{MaxResults: 1})
		must(t, err)
		_, _, err = e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{NextToken: &utok})
		wantErr(t, err, chime.EINVALID, chime.FieldNextToken)
		// The right token still works.
		if _, _, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{NextToken: &tok}); err != nil {
			t.Fatalf("the issuing listing refused its token: %v", err)
		}
	})

	t.Run("filters", func(t *testing.T) {
		aws := newTenant()
		ab := MustAccount(t, e, aws, "Alpha Beta", chime.AccountEnterpriseDirectory)
		ag := MustAccount(t, e, aws, "Alpha Gamma", chime.AccountTeam)
		MustAccount(t, e, aws, "alpha lower", chime.AccountTeam)
		MustAccount(t, e, aws, "Beta", chime.AccountTeam)
		MustCreateUser(t, e, aws, ab.ID, "owner@example.com")

		wantIDs(t, "prefix Alpha", accountIDs(MustListAccounts(t, e, aws, chime.ListAccountsInput{Name: ptr("Alpha"),
			MaxResults: 1})), []string{ab.ID, ag.ID})
		wantIDs(t, "name AND email", accountIDs(MustListAccounts(t, e, aws, chime.ListAccountsInput{
			Name: ptr("Alpha"), UserEmail: ptr("OWNER@example.com")})), []string{ab.ID})
		wantIDs(t, "no match", accountIDs(MustListAccounts(t, e, aws, chime.ListAccountsInput{
			Name: ptr("Alpha G"), UserEmail: ptr("owner@example.com")})), nil)
		wantIDs(t, "unknown email", accountIDs(MustListAccounts(t, e, aws, chime.ListAccountsInput{
			UserEmail: ptr("nobody@example.com")})), nil)
		for _, name := range []string{"", " ", "a\x00"} {
			_, _, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{Name: &name})
			wantErr(t, err, chime.EINVALID, chime.FieldName)
		}
		_, _, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{UserEmail: ptr(" ")})
		wantErr(t, err, chime.EINVALID, chime.FieldEmail)
	})

	t.Run("deleted accounts are skipped", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "a", chime.AccountTeam)
		b := MustAccount(t, e, aws, "b", chime.AccountTeam)
		c := MustAccount(t, e, aws, "c", chime.AccountTeam)
		page, next, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{MaxResults: 1})
		must(t, err)
		must(t, e.Svc.DeleteAccount(ctx, aws, b.ID))
		rest := MustListAccounts(t, e, aws, chime.ListAccountsInput{MaxResults: 1, NextToken: &next})
		wantIDs(t, "pages around a deletion", append(accountIDs(page), accountIDs(rest)...), []string{a.ID, c.ID})
	})
}

func TestListUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("pages in creation order", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
		var want []string
		for i := 0; i < 5; i++ {
			want = append(want, MustCreateUser(t, e, aws, a.ID, fmt.Sprintf("z%d-%s", 9-i, newEmail("u"))).ID)
		}
		wantIDs(t, "users by pages of 2", userIDs(MustListUsers(t, e, aws, a.ID, 2)), want)
		wantIDs(t, "users by pages of 1", userIDs(MustListUsers(t, e, aws, a.ID, 1)), want)
		page, next, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{MaxResults: 5})
		must(t, err)
		if len(page) != 5 || next != "" {
			t.Fatalf("exact page: %d users, token %q", len(page), next)
		}
		page, next, err = e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{MaxResults: 3})
		must(t, err)
		last, lastNext, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{MaxResults: 3, NextToken: &next})
		must(t, err)
		if len(page) != 3 || next == "" || len(last) != 2 || lastNext != "" {
			t.Fatalf("pages of 3: %d (%q) then %d (%q)", len(page), next, len(last), lastNext)
		}
	})

	t.Run("MaxResults 0 is the default page", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		emails := make([]string, chime.DefaultMaxResults+1)
		for i := range emails {
			emails[i] = newEmail("bulk")
		}
		MustInvite(t, e, aws, a.ID, emails...)
		page, next, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{})
		must(t, err)
		if len(page) != chime.DefaultMaxResults || next == "" {
			t.Fatalf("default page: %d users, token %q", len(page), next)
		}
		rest, next, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{NextToken: &next})
		must(t, err)
		if len(rest) != 1 || next != "" || rest[0].Email != emails[len(emails)-1] {
			t.Fatalf("second page: %+v, token %q", rest, next)
		}
		for i, u := range page {
			if u.Email != emails[i] {
				t.Fatalf("user %d is %s, want %s (request order)", i, u.Email, emails[i])
			}
		}
	})

	t.Run("page size out of range", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		for _, n := range []int{-1, chime.MaxPageSize + 1} {
			_, _, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{MaxResults: n})
			wantErr(t, err, chime.EINVALID, chime.FieldMaxResults)
		}
		_, _, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{MaxResults: chime.MaxPageSize})
		must(t, err)
	})

	t.Run("tokens work only for the listing that issued them", func(t *testing.T) {
		aws, other := newTenant(), newTenant()
		a := MustAccount(t, e, aws, "Team", chime.AccountTeam)
		b := MustAccount(t, e, aws, "Team 2", chime.AccountTeam)
		o := MustAccount(t, e, other, "Other", chime.AccountTeam)
		for _, acct := range []struct{ aws, id string }{{aws, a.ID}, {aws, b.ID}, {other, o.ID}} {
			MustInvite(t, e, acct.aws, acct.id, newEmail("x"), newEmail("y"), newEmail("z"))
		}
		_, tok, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{MaxResults: 1})
		must(t, err)
		_, typed, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{UserType: ptr(chime.UserPrivate), MaxResults: 1})
		must(t, err)
		_, atok, err := e.Svc.ListAccounts(ctx, aws, chime.ListAccountsInput{MaxResults: 1})
		must(t, err)
		if tok == "" || typed == "" || atok == "" {
			t.Fatal("no token issued")
		}
		bad := map[string]struct {
			aws, account string
			in           chime.ListUsersInput
		}{
			"another account":      {aws, b.ID, chime.ListUsersInput{NextToken: &tok}},
			"another AWS account":  {other, o.ID, chime.ListUsersInput{NextToken: &tok}},
			"added type filter":    {aws, a.ID, chime.ListUsersInput{UserType: ptr(chime.UserPrivate), NextToken: &tok}},
			"other type filter":    {aws, a.ID, chime.ListUsersInput{UserType: ptr(chime.UserSharedDevice), NextToken: &typed}},
			"dropped filter":       {aws, a.ID, chime.ListUsersInput{NextToken: &typed}},
			"added email filter":   {aws, a.ID, chime.ListUsersInput{UserEmail: ptr("x@example.com"), NextToken: &tok}},
			"a ListAccounts token": {aws, a.ID, chime.ListUsersInput{NextToken: &atok}},
			"tampered":             {aws, a.ID, chime.ListUsersInput{NextToken: ptr(tamper(tok))}},
			"garbage":              {aws, a.ID, chime.ListUsersInput{NextToken: ptr("not a token")}},
		}
		for name, c := range bad {
			t.Run(name, func(t *testing.T) {
				_, _, err := e.Svc.ListUsers(ctx, c.aws, c.account, c.in)
				wantErr(t, err, chime.EINVALID, chime.FieldNextToken)
			})
		}
		rest, _, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{NextToken: &tok})
		must(t, err)
		if len(rest) != 2 {
			t.Fatalf("the issuing listing gave %d users after its token, want 2", len(rest))
		}
	})

	t.Run("filters and errors", func(t *testing.T) {
		aws := newTenant()
		a := MustAccount(t, e, aws, "Dir", chime.AccountEnterpriseDirectory)
		p := MustCreateUser(t, e, aws, a.ID, newEmail("p"))
		d, err := e.Svc.CreateUser(ctx, aws, a.ID, chime.CreateUserInput{Email: ptr(newEmail("d")),
			UserType: ptr(chime.UserSharedDevice)})
		must(t, err)
		list, _, err := e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{UserType: ptr(chime.UserSharedDevice)})
		must(t, err)
		wantIDs(t, "shared devices", userIDs(list), []string{d.ID})
		list, _, err = e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{UserType: ptr(chime.UserSharedDevice),
			UserEmail: &p.Email})
		must(t, err)
		wantIDs(t, "type AND email", userIDs(list), nil)

		_, _, err = e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{UserType: ptr(chime.UserType("Robot"))})
		wantErr(t, err, chime.EINVALID, chime.FieldUserType)
		_, _, err = e.Svc.ListUsers(ctx, aws, a.ID, chime.ListUsersInput{UserEmail: ptr("")})
		wantErr(t, err, chime.EINVALID, chime.FieldEmail)
		_, _, err = e.Svc.ListUsers(ctx, aws, "no-such-account", chime.ListUsersInput{})
		wantErr(t, err, chime.ENOTFOUND, "")
		_, _, err = e.Svc.ListUsers(ctx, aws, "\t", chime.ListUsersInput{})
		wantErr(t, err, chime.EINVALID, chime.FieldAccountID)
	})
}

// tamper changes one character in the middle of a token (its position bytes).
func tamper(tok string) string {
	b := []byte(tok)
	i := len(b) / 4
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}
