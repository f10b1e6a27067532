package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore/pgtest"
)

// listed is what a listed user shows: the user without the fields lists never read.
func listed(u *chime.User) chime.User {
	c := *u
	c.InviteID, c.PIN, c.CreatedAt = "", "", time.Time{}
	return c
}

func randomListedUser(r *rand.Rand, a *chime.Account, i int) *chime.User {
	pick := func(ss ...string) string { return ss[r.IntN(len(ss))] }
	u := &chime.User{Seq: int64(i), ID: fmt.Sprintf("u-%d", i), AccountID: a.ID, AwsAccountID: a.AwsAccountID,
		Email: pick("a@example.com", "ÿ@ex.org", ""), DisplayName: pick("", "Zoë \x00 名前", string(make([]byte, 300))),
		License: chime.License(pick("Basic", "Pro", "")), Type: chime.UserType(pick("PrivateUser", "SharedDevice")),
		RegistrationStatus: chime.RegistrationStatus(pick("Unregistered", "Registered", "Suspended", "future-value")),
		InvitationStatus:   chime.InviteStatus(pick("", "Pending", "Accepted")), AlexaEnabled: r.IntN(2) == 0,
		AlexaRoomARN: pick("", "arn:aws:a4b:us-east-1:111122223333:room/x"), PhoneNumber: pick("", "+12065550100")}
	if r.IntN(2) == 0 {
		u.InvitedOn = time.UnixMilli(r.Int64N(4e12) - 1e12).UTC()
	}
	if r.IntN(2) == 0 {
		u.RegisteredOn = time.UnixMilli(r.Int64N(4e12)).UTC()
	}
	return u
}

// A listing decodes to the user it was encoded from, and no prefix or corruption of one makes the decoder
// panic or accept a malformed value as well-formed without reading it whole.
func TestListingRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a := &chime.Account{ID: "acct", AwsAccountID: "111122223333"}
	for i := range 2000 {
		u := randomListedUser(r, a, i+1)
		b := encodeListing(u)
		got, ok := decodeListing(b, a, u.Seq)
		if !ok || !reflect.DeepEqual(*got, listed(u)) {
			t.Fatalf("round trip of %+v: %+v, %v", u, got, ok)
		}
		for n := range len(b) {
			if _, ok := decodeListing(b[:n], a, u.Seq); ok {
				t.Fatalf("a %d-byte prefix of a %d-byte listing decoded", n, len(b))
			}
		}
		c := bytes.Clone(b)
		c[r.IntN(len(c))] ^= byte(1 + r.IntN(255))
		decodeListing(c, a, u.Seq) // must not panic
	}
	if _, ok := decodeListing([]byte{2, 0}, a, 1); ok {
		t.Fatal("an unknown version decoded")
	}
}

// FuzzDecodeListing: no input makes the decoder panic.
func FuzzDecodeListing(f *testing.F) {
	a := &chime.Account{ID: "acct", AwsAccountID: "111122223333"}
	f.Add(encodeListing(randomListedUser(rand.New(rand.NewPCG(3, 4)), a, 1)))
	f.Add([]byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) { decodeListing(b, a, 1) })
}

// eachEngine runs f as a subtest on a fresh SQLite file and, when configured, a fresh PostgreSQL schema, each
// opened with o; dsn names the store.
func eachEngine(t *testing.T, o Options, f func(t *testing.T, dsn string, db *DB)) {
	for _, e := range []string{"sqlite", "postgres"} {
		t.Run(e, func(t *testing.T) {
			dsn := "sqlite:" + filepath.Join(t.TempDir(), "s.db")
			if e == "postgres" {
				dsn = pgtest.DSN(t)
			}
			db, err := OpenWith(bg, dsn, o)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			f(t, dsn, db)
		})
	}
}

// listAll lists the users of a through the store and reads each one by its columns (User), as lists show them.
func listAll(t *testing.T, db *DB, a *chime.Account) (list []*chime.User, byColumns []chime.User) {
	t.Helper()
	err := db.Read(bg, func(tx chime.Tx) error {
		var err error
		if list, err = tx.ListUsers(bg, a, chime.UserFilter{Limit: 100}); err != nil {
			return err
		}
		byColumns, err = columnsOf(tx, a, list)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return list, byColumns
}

// columnsOf reads the listed users of a by their columns, as a list shows them.
func columnsOf(tx chime.Tx, a *chime.Account, list []*chime.User) ([]chime.User, error) {
	var byColumns []chime.User
	for _, u := range list {
		c, err := tx.User(bg, a.ID, u.ID)
		if err != nil {
			return nil, err
		}
		byColumns = append(byColumns, listed(c))
	}
	return byColumns, nil
}

func sameListing(t *testing.T, what string, list []*chime.User, byColumns []chime.User) {
	t.Helper()
	if len(list) != len(byColumns) {
		t.Fatalf("%s: %d listed, %d read", what, len(list), len(byColumns))
	}
	for i := range list {
		if !reflect.DeepEqual(*list[i], byColumns[i]) {
			t.Fatalf("%s: listed %+v, columns say %+v", what, *list[i], byColumns[i])
		}
	}
}

// The listing follows the store's writes, an update by another writer that leaves it as it was (the trigger
// clears it, and the row is read by its columns), a listing that cannot be decoded, and the migration step
// that fills it for users stored before it existed.
func TestListingFollowsTheColumns(t *testing.T) {
	eachEngine(t, Options{CacheUsers: -1}, func(t *testing.T, _ string, db *DB) {
		f := newFixture(t, db)
		a := f.accounts[0]
		err := db.Write(bg, func(tx chime.Tx) error {
			u, err := tx.User(bg, a.ID, "a1")
			if err != nil {
				return err
			}
			u.DisplayName, u.AlexaEnabled, u.RegisteredOn = "Renamed", true, time.Time{}
			return tx.UpdateUser(bg, u)
		})
		if err != nil {
			t.Fatal(err)
		}
		list, cols := listAll(t, db, a)
		sameListing(t, "after the store's writes", list, cols)
		if list[0].DisplayName != "Renamed" || list[1].ID != "a2" {
			t.Fatalf("list: %+v %+v", list[0], list[1])
		}

		// Another writer: the trigger clears the listing of the row it changes.
		if _, err := db.write.ExecContext(bg, `UPDATE users SET display_name = 'Elsewhere', phone = '+12065550100'
			WHERE id = 'a2'`); err != nil {
			t.Fatal(err)
		}
		var null int
		if err := db.write.QueryRowContext(bg, `SELECT count(*) FROM users WHERE listing IS NULL`).Scan(&null); err != nil || null != 1 {
			t.Fatalf("listings cleared by the trigger: %d, %v; want 1", null, err)
		}
		list, cols = listAll(t, db, a)
		sameListing(t, "after another writer", list, cols)
		if list[1].DisplayName != "Elsewhere" || list[1].PhoneNumber != "+12065550100" {
			t.Fatalf("the other writer's change is not listed: %+v", list[1])
		}

		// A listing that cannot be read.
		if _, err := db.write.ExecContext(bg, `UPDATE users SET listing = $1 WHERE id = 'a1'`, []byte{1, 0xff}); err != nil {
			t.Fatal(err)
		}
		list, cols = listAll(t, db, a)
		sameListing(t, "with a damaged listing", list, cols)

		// The migration step fills every NULL listing, and only those.
		if _, err := db.write.ExecContext(bg, `UPDATE users SET listing = NULL WHERE id <> 'a1'`); err != nil {
			t.Fatal(err)
		}
		runStep(t, db, fillListings)
		rows, err := db.write.QueryContext(bg, `SELECT `+userCols+`, listing FROM users ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var u chime.User
			var invited, registered, created, listing any
			var pin any
			if err := rows.Scan(&u.Seq, &u.ID, &u.AccountID, &u.AwsAccountID, &u.Email, &u.DisplayName, &u.License,
				&u.Type, &u.RegistrationStatus, &u.InvitationStatus, &u.InviteID, &invited, &registered, &created, &pin,
				&u.AlexaEnabled, &u.AlexaRoomARN, &u.PhoneNumber, &listing); err != nil {
				t.Fatal(err)
			}
			b, _ := listing.([]byte)
			if u.ID == "a1" {
				if !bytes.Equal(b, []byte{1, 0xff}) {
					t.Fatalf("the step rewrote a listing that was not NULL: %x", b)
				}
				continue
			}
			n++
			got, ok := decodeListing(b, &chime.Account{ID: u.AccountID, AwsAccountID: u.AwsAccountID}, u.Seq)
			if !ok || got.ID != u.ID || got.DisplayName != u.DisplayName || got.PhoneNumber != u.PhoneNumber {
				t.Fatalf("filled listing of %s: %+v, %v", u.ID, got, ok)
			}
		}
		if n != len(f.users)-1 {
			t.Fatalf("%d listings filled, want %d", n, len(f.users)-1)
		}
	})
}

// A row whose listing cannot be used costs its read a re-run in a transaction, and nothing more: the list
// query is not sent to a transaction for later reads.
func TestUnusableListingKeepsListReadsOneStatement(t *testing.T) {
	eachEngine(t, Options{CacheUsers: -1}, func(t *testing.T, _ string, db *DB) {
		f := newFixture(t, db)
		a := f.accounts[0]
		if _, err := db.write.ExecContext(bg, `UPDATE users SET listing = NULL WHERE id = 'a2'`); err != nil {
			t.Fatal(err)
		}
		page := func() []*chime.User {
			var list []*chime.User
			err := db.Read(bg, func(tx chime.Tx) error {
				var err error
				list, err = tx.ListUsers(bg, a, chime.UserFilter{Limit: 10})
				return err
			})
			if err != nil || len(list) != 2 || list[1].ID != "a2" || list[1].Email != "a2@example.com" {
				t.Fatalf("page: %v, %v", list, err)
			}
			return list
		}
		for range 2 {
			s0 := db.Stats()
			page()
			if s := db.Stats(); s.ReadReruns-s0.ReadReruns != 1 || s.ReadSnapshots-s0.ReadSnapshots != 1 {
				t.Fatalf("a page with an unusable listing: %d re-runs, %d transactions; want 1, 1",
					s.ReadReruns-s0.ReadReruns, s.ReadSnapshots-s0.ReadSnapshots)
			}
		}
		// The store's next write of the user restores its listing; the page is one statement again.
		err := db.Write(bg, func(tx chime.Tx) error {
			u, err := tx.User(bg, a.ID, "a2")
			if err != nil {
				return err
			}
			return tx.UpdateUser(bg, u)
		})
		if err != nil {
			t.Fatal(err)
		}
		s0 := db.Stats()
		page()
		if s := db.Stats(); s.ReadReruns != s0.ReadReruns || s.ReadSnapshots != s0.ReadSnapshots {
			t.Fatalf("after the listing came back: %+v then %+v", s0, s)
		}
	})
}

// Check reports a listing that does not show what its user's columns hold, and passes a sound store.
func TestCheckFindsWrongListings(t *testing.T) {
	eachEngine(t, Options{CacheUsers: -1}, func(t *testing.T, dsn string, db *DB) {
		f := newFixture(t, db)
		r, err := Check(bg, dsn, true)
		if err != nil || r.Damaged || !slices.ContainsFunc(r.Passed, func(s string) bool {
			return strings.HasPrefix(s, fmt.Sprintf("users: %d listings match", len(f.users)))
		}) {
			t.Fatalf("sound store: %v, %+v", err, r)
		}
		// A listing rewritten behind the store's back (the trigger only watches the columns).
		wrong := *f.users[1]
		wrong.DisplayName = "Not the stored name"
		if _, err := db.write.ExecContext(bg, `UPDATE users SET listing = $1 WHERE id = $2`,
			encodeListing(&wrong), wrong.ID); err != nil {
			t.Fatal(err)
		}
		r, err = Check(bg, dsn, true)
		if err != nil || !r.Damaged || len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "user "+wrong.ID+" ") {
			t.Fatalf("wrong listing: %v, %+v", err, r)
		}
	})
}

// pageAll lists every user of a in pages of limit and returns them with the same users read by their columns.
func pageAll(t *testing.T, db *DB, a *chime.Account, limit int) (list []*chime.User, byColumns []chime.User) {
	t.Helper()
	for after := int64(0); ; {
		var page []*chime.User
		err := db.Read(bg, func(tx chime.Tx) error {
			var err error
			page, err = tx.ListUsers(bg, a, chime.UserFilter{AfterSeq: after, Limit: limit})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page {
			if u.Seq <= after {
				t.Fatalf("page after seq %d: user %s has seq %d (a page is in seq order)", after, u.ID, u.Seq)
			}
			after = u.Seq
		}
		list = append(list, page...)
		if len(page) < limit {
			break
		}
	}
	err := db.Read(bg, func(tx chime.Tx) error {
		var err error
		byColumns, err = columnsOf(tx, a, list)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return list, byColumns
}

// Pages (of 7, and one of all 302 users) read as one concatenated value (SQLite) or row by row (PostgreSQL)
// show what the columns hold, whatever the listings are: of version 1 (an older chimed), empty, NULL, or another
// row's (out of seq order). Migration step 21 rewrites those of version 1, and a page then comes in one statement.
func TestListingVersionsAndOrder(t *testing.T) {
	eachEngine(t, Options{CacheUsers: -1}, func(t *testing.T, _ string, db *DB) {
		f := newFixture(t, db)
		a := f.accounts[0]
		err := db.Write(bg, func(tx chime.Tx) error {
			r := rand.New(rand.NewPCG(5, 6))
			for i := range 300 {
				u := randomListedUser(r, a, 0)
				u.ID, u.Email, u.Seq = fmt.Sprintf("v-%03d", i), fmt.Sprintf("v%d@example.com", i), 0
				u.DisplayName = strings.ReplaceAll(u.DisplayName, "\x00", "") // PostgreSQL's text holds no NUL
				if err := tx.InsertUser(bg, u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		list, cols := pageAll(t, db, a, 7)
		sameListing(t, "as written", list, cols)
		total := len(list)
		if total != 302 {
			t.Fatalf("%d users listed, want 302", total)
		}
		if big, _ := pageAll(t, db, a, chime.MaxPageSize+1); len(big) != total {
			t.Fatalf("in one page: %d users listed, want %d", len(big), total)
		}
		s0 := db.Stats()
		pageAll(t, db, a, 7)
		if s := db.Stats(); s.ReadReruns != s0.ReadReruns {
			t.Fatalf("pages of sound listings were read again in a transaction: %+v then %+v", s0, s)
		}

		set := func(id string, listing any) {
			t.Helper()
			if _, err := db.write.ExecContext(bg, `UPDATE users SET listing = $1 WHERE account_id = $2 AND id = $3`,
				listing, a.ID, id); err != nil {
				t.Fatal(err)
			}
		}
		v1 := func(u *chime.User) []byte { // version 1: version 2 without the seq
			b := encodeListing(u)
			_, w := uvarint(string(b[1:]))
			return append([]byte{listingVersionV1}, b[1+w:]...)
		}
		for i, u := range list {
			if i%3 == 0 {
				set(u.ID, v1(u))
			}
		}
		list, cols = pageAll(t, db, a, 7)
		sameListing(t, "with listings of version 1", list, cols)
		if len(list) != total {
			t.Fatalf("with listings of version 1: %d users listed, want %d", len(list), total)
		}
		runStep(t, db, upgradeListings)
		var stale int
		if err := db.write.QueryRowContext(bg, `SELECT count(*) FROM users WHERE listing IS NULL OR length(listing) = 0`).Scan(&stale); err != nil || stale != 0 {
			t.Fatalf("after step 21: %d users without a listing, %v", stale, err)
		}
		s0 = db.Stats()
		list, cols = pageAll(t, db, a, 7)
		sameListing(t, "after step 21", list, cols)
		if len(list) != total {
			t.Fatalf("after step 21: %d users listed, want %d", len(list), total)
		}
		if s := db.Stats(); s.ReadReruns != s0.ReadReruns {
			t.Fatalf("after step 21, pages were read again in a transaction: %+v then %+v", s0, s)
		}
		for i, u := range list {
			b := encodeListing(u)
			if i%3 == 0 {
				var got []byte
				if err := db.write.QueryRowContext(bg, `SELECT listing FROM users WHERE seq = $1`, u.Seq).Scan(&got); err != nil || !bytes.Equal(got, b) {
					t.Fatalf("step 21 wrote %x for %s, want %x (%v)", got, u.ID, b, err)
				}
			}
		}

		// An empty listing (on the second page of seven), a NULL one (on the third), and two rows holding each
		// other's listing (on the fourth: the listings are not in seq order).
		set(list[8].ID, []byte{})
		set(list[15].ID, nil)
		set(list[22].ID, encodeListing(list[23]))
		set(list[23].ID, encodeListing(list[22]))
		list, cols = pageAll(t, db, a, 7)
		sameListing(t, "with an empty, a NULL and two swapped listings", list, cols)
		if len(list) != total {
			t.Fatalf("with an empty, a NULL and two swapped listings: %d users listed, want %d", len(list), total)
		}
	})
}

// runStep runs a Go migration step in one transaction of the store's writer and commits it.
func runStep(t *testing.T, db *DB, step func(context.Context, *sql.Tx) error) {
	t.Helper()
	tx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := step(context.Background(), tx); err != nil {
		tx.Rollback()
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}
