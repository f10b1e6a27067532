package sqlstore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/pressly/goose/v3"

	chime "github.com/chimed/chimed"
)

// users.listing packs what ListUsers shows of a user (migration 00019): reading one value a row instead of
// thirteen columns halves the cost of a page (modernc converts every column of every row, and database/sql
// converts them again). The store writes it with every insert and update of a user (users.go); a trigger sets it
// to NULL when another writer changes a listed column without it, and ListUsers then reads that row's columns.
//
// The format, version 2: the byte 2; the user's seq as a uvarint; the strings id, email, display name, license,
// user type, registration status, invitation status, Alexa room ARN and phone number, each as a uvarint length
// and its bytes; a flags byte (1: Alexa enabled, 2: invited, 4: registered); then the invitation and
// registration times, those present, as varint Unix milliseconds. Enums are stored as their strings: the value
// does not depend on the model's lists. A listing is self-delimiting and names its row, so the listings of a
// page concatenated by the database (one value for the whole page, ListUsers on SQLite) split back into users.
// Version 1 (written before migration step 21) is version 2 without the seq; it is still read, by its row.

const (
	listingVersion   = 2
	listingVersionV1 = 1 // without the seq
)

const (
	listingAlexa = 1 << iota
	listingInvited
	listingRegistered
)

// encodeListing packs the listed fields of u, with u.Seq.
func encodeListing(u *chime.User) []byte {
	strs := [...]string{u.ID, u.Email, u.DisplayName, string(u.License), string(u.Type), string(u.RegistrationStatus),
		string(u.InvitationStatus), u.AlexaRoomARN, u.PhoneNumber}
	n := 1 + 1 + 3*binary.MaxVarintLen64
	for _, s := range strs {
		n += binary.MaxVarintLen64 + len(s)
	}
	b := make([]byte, 1, n)
	b[0] = listingVersion
	b = binary.AppendUvarint(b, uint64(u.Seq))
	for _, s := range strs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	var flags byte
	if u.AlexaEnabled {
		flags |= listingAlexa
	}
	if !u.InvitedOn.IsZero() {
		flags |= listingInvited
	}
	if !u.RegisteredOn.IsZero() {
		flags |= listingRegistered
	}
	b = append(b, flags)
	if flags&listingInvited != 0 {
		b = binary.AppendVarint(b, u.InvitedOn.UnixMilli())
	}
	if flags&listingRegistered != 0 {
		b = binary.AppendVarint(b, u.RegisteredOn.UnixMilli())
	}
	return b
}

// decodeListing unpacks a listing of a user of account a with sequence number seq; ok is false for a value
// that is not a well-formed listing of this version. The user's strings share one copy of raw.
func decodeListing(raw []byte, a *chime.Account, seq int64) (u *chime.User, ok bool) {
	u = new(chime.User)
	if !decodeListingInto(u, string(raw), a, seq) {
		return nil, false
	}
	return u, true
}

// decodeListingInto is decodeListing into *u, from listing e; the user's strings are substrings of e. A listing
// of version 2 must name seq.
func decodeListingInto(u *chime.User, e string, a *chime.Account, seq int64) bool {
	rest, ok := nextListing(u, e, a, seq)
	return ok && rest == "" && u.Seq == seq
}

// nextListing decodes the listing at the start of e, of a user of account a, into *u and returns what follows
// it; ok is false when e does not begin with a well-formed listing. The user's seq is the one a listing of
// version 2 holds; a listing of version 1 holds none and gets v1Seq (a value below 1 refuses version 1). The
// user's strings are substrings of e.
func nextListing(u *chime.User, e string, a *chime.Account, v1Seq int64) (rest string, ok bool) {
	if len(e) == 0 {
		return "", false
	}
	seq, p := v1Seq, 1
	switch e[0] {
	case listingVersion:
		s, w := uvarint(e[p:])
		if w <= 0 || s < 1 || s > math.MaxInt64 {
			return "", false
		}
		seq, p = int64(s), p+w
	case listingVersionV1:
		if v1Seq < 1 {
			return "", false
		}
	default:
		return "", false
	}
	var f [9]string
	for k := range f {
		n, w := uvarint(e[p:])
		if w <= 0 || uint64(len(e)-p-w) < n {
			return "", false
		}
		p += w
		f[k] = e[p : p+int(n)]
		p += int(n)
	}
	if p >= len(e) {
		return "", false
	}
	flags := e[p]
	p++
	if flags&^(listingAlexa|listingInvited|listingRegistered) != 0 {
		return "", false
	}
	var times [2]int64
	for k, bit := range [2]byte{listingInvited, listingRegistered} {
		if flags&bit == 0 {
			continue
		}
		v, w := varint(e[p:])
		if w <= 0 {
			return "", false
		}
		times[k] = v
		p += w
	}
	*u = chime.User{Seq: seq, ID: f[0], AccountID: a.ID, AwsAccountID: a.AwsAccountID, Email: f[1],
		DisplayName: f[2], License: chime.License(f[3]), Type: chime.UserType(f[4]),
		RegistrationStatus: chime.RegistrationStatus(f[5]), InvitationStatus: chime.InviteStatus(f[6]),
		AlexaRoomARN: f[7], PhoneNumber: f[8], AlexaEnabled: flags&listingAlexa != 0}
	if flags&listingInvited != 0 {
		u.InvitedOn = fromMS(times[0])
	}
	if flags&listingRegistered != 0 {
		u.RegisteredOn = fromMS(times[1])
	}
	return e[p:], true
}

// listingFillVersion is the goose version of the step that fills users.listing for the users stored before
// migration 00019; listingSeqVersion the one that rewrites the listings of version 1 (or none) as version 2.
const (
	listingFillVersion = 20
	listingSeqVersion  = 21
)

// listingMigrations are the Go steps that write users.listing: each runs in one transaction, in batches of
// userStepBatch users (bounded memory), and run again finds nothing to do.
func listingMigrations() []*goose.Migration {
	none := &goose.GoFunc{RunTx: func(context.Context, *sql.Tx) error { return nil }} // nothing to undo
	return []*goose.Migration{
		goose.NewGoMigration(listingFillVersion, &goose.GoFunc{RunTx: fillListings}, none),
		goose.NewGoMigration(listingSeqVersion, &goose.GoFunc{RunTx: upgradeListings}, none),
	}
}

// fillListings writes the listing of every user who has none.
func fillListings(ctx context.Context, tx *sql.Tx) error {
	return writeListings(ctx, tx, func(listing []byte) bool { return listing == nil })
}

// upgradeListings writes the listing of every user whose listing is not of the current version.
func upgradeListings(ctx context.Context, tx *sql.Tx) error {
	return writeListings(ctx, tx, func(listing []byte) bool { return len(listing) == 0 || listing[0] != listingVersion })
}

// writeListings writes the listing of every user whose stored listing stale reports, in seq order.
func writeListings(ctx context.Context, tx *sql.Tx, stale func(listing []byte) bool) error {
	set, err := tx.PrepareContext(ctx, setListingQuery) // prepared once: a million users are a million updates
	if err != nil {
		return fmt.Errorf("user listings: %w", err)
	}
	defer set.Close()
	for after := int64(-1); ; {
		var batch []*chime.User
		n := 0
		rows, err := tx.QueryContext(ctx, `SELECT `+userCols+`, listing FROM users WHERE seq > $1 ORDER BY seq LIMIT $2`,
			after, userStepBatch)
		if err != nil {
			return fmt.Errorf("user listings: %w", err)
		}
		for rows.Next() {
			var listing []byte
			u, err := scanUser(multiScanner{rows, &listing})
			if err != nil {
				rows.Close()
				return fmt.Errorf("user listings: %w", err)
			}
			if n, after = n+1, u.Seq; stale(listing) {
				batch = append(batch, u)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("user listings: %w", err)
		}
		for _, u := range batch {
			if _, err := set.ExecContext(ctx, encodeListing(u), u.Seq); err != nil {
				return fmt.Errorf("user listings: %w", err)
			}
		}
		if n < userStepBatch {
			return nil
		}
	}
}

// listedView returns u as a page of ListUsers shows it (and decodeListing gives it): without the invitation id,
// the PIN and the creation time, which lists never read.
func listedView(u *chime.User) *chime.User {
	u.InviteID, u.PIN, u.CreatedAt = "", "", time.Time{}
	return u
}

// checkListings reports, for Check, every user whose listing is set but does not show what the user's columns
// hold (damage: ListUsers would show it). A schema without the column (older than migration 00019) is skipped.
func checkListings(ctx context.Context, db *sql.DB, r *CheckReport) {
	if _, err := db.ExecContext(ctx, `SELECT listing FROM users WHERE 1 = 0`); err != nil {
		return // no listing column: the schema version check reports the schema
	}
	checked, bad := 0, 0
	for after := int64(-1); ; {
		rows, err := db.QueryContext(ctx, `SELECT `+userCols+`, listing FROM users WHERE seq > $1 ORDER BY seq LIMIT $2`,
			after, userStepBatch)
		if err != nil {
			r.fail("users' listings: %v", err)
			return
		}
		n := 0
		for rows.Next() {
			var listing []byte
			u, err := scanUser(multiScanner{rows, &listing})
			if err != nil {
				rows.Close()
				r.fail("users' listings: %v", err)
				return
			}
			n, after = n+1, u.Seq
			if listing == nil {
				continue // read by its columns
			}
			checked++
			a := &chime.Account{ID: u.AccountID, AwsAccountID: u.AwsAccountID}
			got, ok := decodeListing(listing, a, u.Seq)
			if !ok || !reflect.DeepEqual(*got, *listedView(u)) {
				if bad++; bad <= 10 {
					r.fail("users: the listing of user %s (account %s) does not match its columns: ListUsers would "+
						"show it wrong (set users.listing to NULL for that row to have it read by its columns)", u.ID, u.AccountID)
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			r.fail("users' listings: %v", err)
			return
		}
		if n < userStepBatch {
			break
		}
	}
	switch {
	case bad > 10:
		r.fail("users: %d listings in all do not match their columns", bad)
	case bad == 0:
		r.pass("users: %d listings match their columns", checked)
	}
}

// multiScanner scans a user's columns followed by one more value.
type multiScanner struct {
	rows  *sql.Rows
	extra any
}

func (m multiScanner) Scan(dest ...any) error { return m.rows.Scan(append(dest, m.extra)...) }
