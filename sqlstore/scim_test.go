package sqlstore_test

import (
	"bytes"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// TestSCIMTables: SCIM tokens and users on every engine: the token lifecycle and its filters, the SCIM rows'
// upsert, lookups and unique keys (one row per Chime user, one live row per userName), and rows leaving with
// their AWS account.
func TestSCIMTables(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		db := MustOpen(t, dsn)
		svc := MustService(t, db, chime.ServiceOptions{})
		a := MustAccount(t, svc, "111122223333", "a", chime.AccountEnterpriseOIDC)
		b := MustAccount(t, svc, "111122223333", "b", chime.AccountTeam)
		o := MustAccount(t, svc, "444455556666", "o", chime.AccountTeam)

		// Tokens.
		ta, secret, err := chime.CreateSCIMToken(ctx, db, "111122223333", a.ID)
		must(t, err)
		_, _, err = chime.CreateSCIMToken(ctx, db, "111122223333", b.ID)
		must(t, err)
		_, _, err = chime.CreateSCIMToken(ctx, db, "444455556666", o.ID)
		must(t, err)
		_, _, err = chime.CreateSCIMToken(ctx, db, "444455556666", a.ID) // a is not 4444's
		wantCode(t, err, chime.ENOTFOUND)
		got, err := svc.AuthenticateSCIM(ctx, secret)
		must(t, err)
		if got.ID != ta.ID || got.AccountID != a.ID || !bytes.Equal(got.Hash, chime.HashSCIMToken(secret)) {
			t.Fatalf("AuthenticateSCIM: %+v", got)
		}
		for _, bad := range []string{"", "chs_", secret + "x", "chs_" + ta.ID + "_", "Bearer " + secret} {
			_, err := svc.AuthenticateSCIM(ctx, bad)
			wantCode(t, err, chime.EUNAUTHORIZED)
		}
		for _, c := range []struct {
			aws, account string
			n            int
		}{{"", "", 3}, {"111122223333", "", 2}, {"111122223333", a.ID, 1}, {"444455556666", "", 1}, {"999999999999", "", 0}} {
			list, err := chime.ListSCIMTokens(ctx, db, c.aws, c.account)
			must(t, err)
			if len(list) != c.n {
				t.Errorf("ListSCIMTokens(%q, %q): %d tokens, want %d", c.aws, c.account, len(list), c.n)
			}
		}
		must(t, chime.RevokeSCIMToken(ctx, db, ta.ID))
		wantCode(t, chime.RevokeSCIMToken(ctx, db, ta.ID), chime.ENOTFOUND)
		wantCode(t, chime.RevokeSCIMToken(ctx, db, "NOSUCHTOKEN00000"), chime.ENOTFOUND)
		_, err = svc.AuthenticateSCIM(ctx, secret)
		wantCode(t, err, chime.EUNAUTHORIZED)

		// Users.
		u1 := &chime.SCIMUser{AccountID: a.ID, ID: "s1", UserID: "u1", UserName: "Ada", Email: "ada@example.com"}
		must(t, svc.PutSCIMUser(ctx, "111122223333", u1))
		if u1.CreatedAt.IsZero() || u1.UpdatedAt.IsZero() {
			t.Fatalf("times not set: %+v", u1)
		}
		created := u1.CreatedAt
		time.Sleep(2 * time.Millisecond)
		u1.ExternalID = "x1"
		must(t, svc.PutSCIMUser(ctx, "111122223333", u1))
		r, err := svc.SCIMUser(ctx, "111122223333", a.ID, "s1")
		must(t, err)
		if r.ExternalID != "x1" || !r.CreatedAt.Equal(created) || !r.UpdatedAt.After(created) || r.Email != "ada@example.com" {
			t.Fatalf("after the upsert: %+v", r)
		}
		if r, err := svc.SCIMUser(ctx, "111122223333", a.ID, "u1"); err != nil || r.ID != "s1" { // by Chime user
			t.Fatalf("SCIMUser by Chime user id: %+v %v", r, err)
		}
		_, err = svc.SCIMUser(ctx, "444455556666", a.ID, "s1") // another AWS account
		wantCode(t, err, chime.ENOTFOUND)
		wantCode(t, svc.PutSCIMUser(ctx, "111122223333", &chime.SCIMUser{AccountID: a.ID, ID: "s2", UserID: "u1",
			UserName: "other"}), chime.ECONFLICT)
		wantCode(t, svc.PutSCIMUser(ctx, "111122223333", &chime.SCIMUser{AccountID: a.ID, ID: "s2", UserName: "ADA"}),
			chime.ECONFLICT)
		must(t, svc.PutSCIMUser(ctx, "111122223333", &chime.SCIMUser{AccountID: b.ID, ID: "s2", UserName: "ada"}))
		must(t, svc.PutSCIMUser(ctx, "111122223333", &chime.SCIMUser{AccountID: a.ID, ID: "s3", UserName: "gone",
			Deleted: true}))
		must(t, svc.PutSCIMUser(ctx, "111122223333", &chime.SCIMUser{AccountID: a.ID, ID: "s4", UserName: "gone"}))
		wantCode(t, svc.PutSCIMUser(ctx, "111122223333", &chime.SCIMUser{AccountID: a.ID, ID: "s5",
			ExternalID: string([]byte{0xff})}), chime.EINVALID)
		list, err := svc.SCIMUsers(ctx, "111122223333", a.ID)
		must(t, err)
		if len(list) != 3 || list[0].ID != "s1" {
			t.Fatalf("SCIMUsers: %d rows", len(list))
		}
		must(t, svc.DeleteSCIMUser(ctx, "111122223333", a.ID, "s4"))
		must(t, svc.DeleteSCIMUser(ctx, "111122223333", a.ID, "s4")) // nothing to delete
		_, err = svc.SCIMUser(ctx, "111122223333", a.ID, "s4")
		wantCode(t, err, chime.ENOTFOUND)

		// A deleted AWS account takes its tokens and SCIM users with it.
		must(t, db.Write(ctx, func(tx chime.Tx) error { return tx.DeleteTenant(ctx, "111122223333") }))
		for _, acct := range []string{"", a.ID, b.ID} {
			if list, err := chime.ListSCIMTokens(ctx, db, "111122223333", acct); err != nil || len(list) != 0 {
				t.Fatalf("tokens after DeleteTenant: %v %v", list, err)
			}
		}
		must(t, db.Read(ctx, func(tx chime.Tx) error {
			rows, err := tx.ListSCIMUsers(ctx, a.ID)
			if len(rows) != 0 {
				t.Errorf("SCIM users after DeleteTenant: %d", len(rows))
			}
			return err
		}))
		if list, _ := chime.ListSCIMTokens(ctx, db, "444455556666", ""); len(list) != 1 {
			t.Fatalf("another AWS account's token went too: %v", list)
		}
	})
}
