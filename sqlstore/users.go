package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"hash/fnv"
	"unsafe"

	chime "github.com/chimed/chimed"
)

var _ chime.UserTx = (*tx)(nil)

// Point queries, prepared once on SQLite (see hotQueries).
const (
	userByIDQuery    = `SELECT ` + userCols + ` FROM users WHERE account_id = $1 AND id = $2`
	accountByIDQuery = `SELECT ` + accountCols + ` FROM accounts WHERE id = $1 AND aws_account_id = $2 AND deleted_ms IS NULL`
	userByEmailQuery = `SELECT ` + userCols + ` FROM users WHERE aws_account_id = $1 AND email_key = $2`
	pinExistsQuery   = `SELECT count(*) FROM users WHERE pin = $1`
	countUsersQuery  = `SELECT count(*) FROM users WHERE account_id = $1 AND reg_status <> $2`
)

// The writes of one user, prepared once on SQLite's writer (see hotQueries).
const (
	insertUserQuery = `INSERT INTO users (id, account_id, aws_account_id, email, email_key, display_name, license,
		user_type, reg_status, inv_status, invite_id, invited_ms, registered_ms, created_ms, pin, alexa_enabled,
		alexa_room_arn, phone)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING seq`
	// setListingQuery writes a listing, which holds the seq: after the INSERT that chose the seq.
	setListingQuery = `UPDATE users SET listing = $1 WHERE seq = $2`
	updateUserQuery = `UPDATE users SET display_name = $1, license = $2, user_type = $3, reg_status = $4,
		inv_status = $5, invite_id = $6, invited_ms = $7, registered_ms = $8, pin = $9, alexa_enabled = $10,
		alexa_room_arn = $11, phone = $12, listing = $13 WHERE account_id = $14 AND id = $15`
	deleteUserQuery = `DELETE FROM users WHERE account_id = $1 AND id = $2`
)

const userCols = `seq, id, account_id, aws_account_id, email, display_name, license, user_type, reg_status,
	inv_status, invite_id, invited_ms, registered_ms, created_ms, pin, alexa_enabled, alexa_room_arn, phone`

func scanUser(row scanner) (*chime.User, error) {
	var u chime.User
	var invited, registered sql.NullInt64
	var created int64
	var pin sql.NullString
	err := row.Scan(&u.Seq, &u.ID, &u.AccountID, &u.AwsAccountID, &u.Email, &u.DisplayName, &u.License, &u.Type,
		&u.RegistrationStatus, &u.InvitationStatus, &u.InviteID, &invited, &registered, &created, &pin,
		&u.AlexaEnabled, &u.AlexaRoomARN, &u.PhoneNumber)
	if err != nil {
		return nil, err
	}
	u.InvitedOn, u.RegisteredOn, u.CreatedAt, u.PIN = fromNullMS(invited), fromNullMS(registered), fromMS(created), pin.String
	return &u, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// User implements chime.Tx.
func (t *tx) User(ctx context.Context, accountID, id string) (*chime.User, error) {
	c := t.readCache()
	if c != nil {
		if u, ok := t.cachedUser(ctx, c, accountID, id); ok {
			return u, nil
		}
	}
	q := userByIDQuery
	if t.write {
		q += t.d.lockSuffix
	}
	u, err := scanUser(t.pointRow(ctx, c, q, accountID, id))
	if err == nil && c != nil {
		c.putUser(t.gen, u)
	}
	return u, t.mapErr(err)
}

// UserByEmail implements chime.Tx. In a write transaction it first takes the AWS account's lock (see
// dialect.tenantLock); it locks no row: the user may belong to another account, which is only read.
func (t *tx) UserByEmail(ctx context.Context, aws, key string) (*chime.User, error) {
	if err := t.lockTenant(ctx, aws); err != nil {
		return nil, err
	}
	u, err := scanUser(t.queryRow(ctx, userByEmailQuery, aws, key))
	return u, t.mapErr(err)
}

// lockTenant takes, once per write transaction, the lock that serializes the transactions adding or looking up
// email addresses of the AWS account aws, where the dialect needs one.
func (t *tx) lockTenant(ctx context.Context, aws string) error {
	if !t.write || t.d.tenantLock == "" || t.tenants[aws] {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(t.ns + "\x00tenant\x00" + aws))
	if _, err := t.exec(ctx, t.d.tenantLock, int64(h.Sum64())); err != nil {
		return t.mapErr(err)
	}
	if t.tenants == nil {
		t.tenants = map[string]bool{}
	}
	t.tenants[aws] = true
	return nil
}

// ListUsers implements chime.Tx. A page reads each user's packed listing (listing.go): on SQLite the page's
// listings concatenated in one value (listConcatenated), else, or when that value cannot be used, row by row; a
// row whose listing is NULL (written by another writer since) or unreadable is read again by its columns.
func (t *tx) ListUsers(ctx context.Context, a *chime.Account, f chime.UserFilter) ([]*chime.User, error) {
	args := []any{a.ID, f.AfterSeq}
	if f.EmailKey != "" {
		args = append(args, a.AwsAccountID, f.EmailKey)
	}
	if f.Type != "" {
		args = append(args, f.Type)
	}
	args = append(args, f.Limit)
	if t.d.concatListings {
		list, ok, err := t.listConcatenated(ctx, a, f, args)
		if err != nil || ok {
			return list, err
		}
		t.occasional = true // a page the concatenation cannot give is rare: the list query stays a one-statement read
		defer func() { t.occasional = false }()
	}
	rows, err := t.query(ctx, listUsersQuery(f.EmailKey != "", f.Type != ""), args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	// The page's listings are copied into one buffer and decoded after the last row, into one array of users:
	// a page allocates a few blocks instead of a string and a User a row.
	type row struct {
		seq      int64
		from, to int
	}
	rowsRead := make([]row, 0, min(f.Limit, 256))
	buf := make([]byte, 0, 128*min(f.Limit, 256)) // a listing is ~100–200 bytes
	var seq int64
	var raw sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&seq, &raw); err != nil {
			return nil, t.mapErr(err)
		}
		rowsRead = append(rowsRead, row{seq, len(buf), len(buf) + len(raw)})
		buf = append(buf, raw...)
	}
	if err := rows.Err(); err != nil {
		return nil, t.mapErr(err)
	}
	rows.Close()
	all := unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is not written again: the users share it
	users := make([]chime.User, len(rowsRead))
	list := make([]*chime.User, len(rowsRead))
	var unpacked []int // indexes in list of the rows to read by their columns
	for i, r := range rowsRead {
		list[i] = &users[i]
		if !decodeListingInto(list[i], all[r.from:r.to], a, r.seq) {
			users[i] = chime.User{Seq: r.seq}
			unpacked = append(unpacked, i)
		}
	}
	for _, i := range unpacked {
		occasional := t.occasional
		t.occasional = true // rows without a usable listing are rare: the list query stays a one-statement read
		u, err := scanUser(t.queryRow(ctx, userBySeqQuery, a.ID, list[i].Seq))
		t.occasional = occasional
		if err != nil {
			return nil, t.mapErr(err)
		}
		list[i] = listedView(u)
	}
	return list, nil
}

// userBySeqQuery reads a listed user whose listing could not be used.
const userBySeqQuery = `SELECT ` + userCols + ` FROM users WHERE account_id = $1 AND seq = $2`

// listConcatenated reads a page of ListUsers as one value, the page's listings concatenated by the database
// (concatListingsQuery): one step of the engine and one column for the whole page instead of a step and two
// columns a row, which on SQLite (modernc) costs more than the rows themselves. ok is false, with no error,
// when that value is not a page of well-formed listings of this version in increasing seq order after
// f.AfterSeq (a row without a usable listing is in it): the caller then reads the page by its rows.
func (t *tx) listConcatenated(ctx context.Context, a *chime.Account, f chime.UserFilter, args []any) (list []*chime.User, ok bool, err error) {
	rows, err := t.query(ctx, concatListingsQuery(f.EmailKey != "", f.Type != ""), args...)
	if err != nil {
		return nil, false, t.mapErr(err)
	}
	var page sql.NullString // NULL: no row
	if rows.Next() {
		err = rows.Scan(&page)
	}
	if err := errors.Join(err, rows.Close(), rows.Err()); err != nil {
		return nil, false, t.mapErr(err)
	}
	users := make([]chime.User, 0, min(f.Limit, 256))
	prev := f.AfterSeq
	for e := page.String; e != ""; {
		if len(users) == f.Limit {
			return nil, false, nil
		}
		users = append(users, chime.User{}) // the pointers are taken once the array no longer moves
		u := &users[len(users)-1]
		if e, ok = nextListing(u, e, a, 0); !ok || u.Seq <= prev {
			return nil, false, nil
		}
		prev = u.Seq
	}
	list = make([]*chime.User, len(users))
	for i := range users {
		list[i] = &users[i]
	}
	return list, true, nil
}

// listUsersQuery is the keyset query of ListUsers with the given filters (four variants, all prepared).
func listUsersQuery(byEmail, byType bool) string { return listQueries[0][b2i(byEmail)][b2i(byType)] }

// concatListingsQuery is listUsersQuery as one value, the page's listings concatenated in seq order (SQLite's
// group_concat keeps the order of the subquery's rows; listConcatenated checks it). A row without a listing, or
// with an empty one, adds the byte 0, which no listing begins with. Only comparisons, no function, run per row.
func concatListingsQuery(byEmail, byType bool) string {
	return listQueries[1][b2i(byEmail)][b2i(byType)]
}

// listQueries holds the texts of listUsersQuery ([0]) and concatListingsQuery ([1]) by filters, built once so
// that a page does not build (allocate) its query text. Never written after initialization.
var listQueries = func() (q [2][2][2]string) {
	for _, byEmail := range []bool{false, true} {
		for _, byType := range []bool{false, true} {
			rows := buildListUsersQuery(byEmail, byType)
			q[0][b2i(byEmail)][b2i(byType)] = rows
			q[1][b2i(byEmail)][b2i(byType)] =
				`SELECT group_concat(CASE WHEN listing > x'' THEN listing ELSE x'00' END, '') FROM (` + rows + `)`
		}
	}
	return q
}()

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// buildListUsersQuery writes the text of listUsersQuery for the given filters (listQueries keeps the results).
func buildListUsersQuery(byEmail, byType bool) string {
	q := `SELECT seq, listing FROM users WHERE account_id = $1 AND seq > $2`
	n := 2
	if byEmail {
		q += ` AND aws_account_id = $3 AND email_key = $4`
		n = 4
	}
	if byType {
		n++
		q += ` AND user_type = $` + itoa(n)
	}
	return q + ` ORDER BY seq LIMIT $` + itoa(n+1)
}

// CountUsers implements chime.Tx.
func (t *tx) CountUsers(ctx context.Context, accountID string, except chime.RegistrationStatus) (int, error) {
	var n int
	err := t.queryRow(ctx, countUsersQuery, accountID, except).Scan(&n)
	return n, t.mapErr(err)
}

// InsertUser implements chime.Tx.
func (t *tx) InsertUser(ctx context.Context, u *chime.User) error {
	if err := t.lockTenant(ctx, u.AwsAccountID); err != nil {
		return err
	}
	w := t.row(userRow(u.AccountID, u.ID))
	err := w.queryRow(ctx, insertUserQuery,
		u.ID, u.AccountID, u.AwsAccountID, u.Email, chime.EmailKey(u.Email), u.DisplayName, u.License, u.Type,
		u.RegistrationStatus, u.InvitationStatus, u.InviteID, nullMS(u.InvitedOn), nullMS(u.RegisteredOn),
		ms(u.CreatedAt), nullString(u.PIN), u.AlexaEnabled, u.AlexaRoomARN, u.PhoneNumber,
	).Scan(&u.Seq)
	if err != nil {
		return t.mapErr(err)
	}
	return w.exec1(ctx, setListingQuery, encodeListing(u), u.Seq)
}

// UpdateUser implements chime.Tx.
func (t *tx) UpdateUser(ctx context.Context, u *chime.User) error {
	return t.row(userRow(u.AccountID, u.ID)).exec1(ctx, updateUserQuery,
		u.DisplayName, u.License, u.Type, u.RegistrationStatus, u.InvitationStatus, u.InviteID, nullMS(u.InvitedOn),
		nullMS(u.RegisteredOn), nullString(u.PIN), u.AlexaEnabled, u.AlexaRoomARN, u.PhoneNumber, encodeListing(u),
		u.AccountID, u.ID)
}

// DeleteUser implements chime.Tx.
func (t *tx) DeleteUser(ctx context.Context, u *chime.User) error {
	return t.row(userRow(u.AccountID, u.ID)).exec1(ctx, deleteUserQuery, u.AccountID, u.ID)
}

// PINExists implements chime.Tx.
func (t *tx) PINExists(ctx context.Context, pin string) (bool, error) {
	var n int
	err := t.queryRow(ctx, pinExistsQuery, pin).Scan(&n)
	return n > 0, t.mapErr(err)
}
