package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	chime "github.com/chimed/chimed"
)

var _ chime.PhoneNumberTx = (*tx)(nil)

// The phone number tables: acquired_numbers (migration 00007), every number ever acquired by anyone (D21), whose
// rows are never deleted, not by DeleteTenant, not by a reset; phone_numbers, phone_number_orders and
// phone_number_order_lines (migration 00009). Pending transitions are stored times (see the root package's
// phonenumbers.go): queries that filter by state compare them with the now they are given, and never return a
// number whose purge time has passed.

// AcquiredNumbers implements chime.Tx.
func (t *tx) AcquiredNumbers(ctx context.Context, from, to string, limit int) ([]string, error) {
	rows, err := t.query(ctx, `SELECT e164 FROM acquired_numbers WHERE e164 >= $1 AND e164 <= $2
		ORDER BY e164 LIMIT $3`, from, to, limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, e)
	}
	return list, t.mapErr(rows.Err())
}

// AcquireNumber implements chime.Tx. ON CONFLICT DO NOTHING waits for a concurrent insert of the same number
// (PostgreSQL) and then inserts nothing: exactly one transaction acquires it.
func (t *tx) AcquireNumber(ctx context.Context, aws, e164 string, at time.Time) (bool, error) {
	res, err := t.exec(ctx, `INSERT INTO acquired_numbers (e164, aws_account_id, acquired_ms) VALUES ($1, $2, $3)
		ON CONFLICT (e164) DO NOTHING`, e164, aws, ms(at))
	if err != nil {
		return false, t.mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, t.mapErr(err)
}

// LockNumbers implements chime.Tx with a transaction-scoped advisory lock of its own key (PostgreSQL).
func (t *tx) LockNumbers(ctx context.Context, aws string) error {
	if !t.write || t.d.tenantLock == "" {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(t.ns + "\x00numbers\x00" + aws))
	_, err := t.exec(ctx, t.d.tenantLock, int64(h.Sum64()))
	return t.mapErr(err)
}

// InsertOrder implements chime.Tx.
func (t *tx) InsertOrder(ctx context.Context, o *chime.PhoneNumberOrder) error {
	if _, err := t.exec(ctx, `INSERT INTO phone_number_orders (order_id, aws_account_id, product_type, outcome,
		created_ms, ready_ms) VALUES ($1, $2, $3, $4, $5, $6)`, o.ID, o.AwsAccountID, o.ProductType, o.Outcome,
		ms(o.CreatedAt), ms(o.ReadyAt)); err != nil {
		return t.mapErr(err)
	}
	for i, l := range o.Lines {
		if _, err := t.exec(ctx, `INSERT INTO phone_number_order_lines (order_id, pos, e164, acquired)
			VALUES ($1, $2, $3, $4)`, o.ID, i, l.E164, l.Acquired); err != nil {
			return t.mapErr(err)
		}
	}
	return nil
}

const orderColumns = `order_id, aws_account_id, product_type, outcome, created_ms, ready_ms`

func scanOrder(s scanner) (*chime.PhoneNumberOrder, error) {
	var o chime.PhoneNumberOrder
	var created, ready int64
	if err := s.Scan(&o.ID, &o.AwsAccountID, &o.ProductType, &o.Outcome, &created, &ready); err != nil {
		return nil, err
	}
	o.CreatedAt, o.ReadyAt = fromMS(created), fromMS(ready)
	return &o, nil
}

// Order implements chime.Tx.
func (t *tx) Order(ctx context.Context, aws, id string) (*chime.PhoneNumberOrder, error) {
	o, err := scanOrder(t.queryRow(ctx, `SELECT `+orderColumns+` FROM phone_number_orders
		WHERE order_id = $1 AND aws_account_id = $2`, id, aws))
	if err != nil {
		return nil, t.mapErr(err)
	}
	if err := t.orderLines(ctx, []*chime.PhoneNumberOrder{o}); err != nil {
		return nil, err
	}
	return o, nil
}

// ListOrders implements chime.Tx.
func (t *tx) ListOrders(ctx context.Context, aws string, f chime.OrderFilter) ([]*chime.PhoneNumberOrder, error) {
	after := int64(-1 << 62)
	if !f.AfterCreated.IsZero() {
		after = ms(f.AfterCreated)
	}
	rows, err := t.query(ctx, `SELECT `+orderColumns+` FROM phone_number_orders WHERE aws_account_id = $1
		AND (created_ms, order_id) > ($2, $3) ORDER BY created_ms, order_id LIMIT $4`,
		aws, after, f.AfterID, f.Limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.PhoneNumberOrder
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, o)
	}
	if err := rows.Err(); err != nil {
		return nil, t.mapErr(err)
	}
	rows.Close()
	return list, t.orderLines(ctx, list)
}

// orderLines reads the lines of the orders list in one query.
func (t *tx) orderLines(ctx context.Context, list []*chime.PhoneNumberOrder) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[string]*chime.PhoneNumberOrder, len(list))
	args := make([]any, len(list))
	marks := make([]string, len(list))
	for i, o := range list {
		byID[o.ID] = o
		o.Lines = []chime.OrderLine{}
		args[i] = o.ID
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	rows, err := t.query(ctx, `SELECT order_id, e164, acquired FROM phone_number_order_lines
		WHERE order_id IN (`+strings.Join(marks, ", ")+`) ORDER BY order_id, pos`, args...)
	if err != nil {
		return t.mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var l chime.OrderLine
		if err := rows.Scan(&id, &l.E164, &l.Acquired); err != nil {
			return t.mapErr(err)
		}
		byID[id].Lines = append(byID[id].Lines, l)
	}
	return t.mapErr(rows.Err())
}

const numberColumns = `e164, aws_account_id, country, number_type, product_type, status, next_status, status_at_ms,
	account_id, user_id, associated_ms, calling_name, cn_status, cn_next_status, cn_at_ms, created_ms, updated_ms,
	deleted_ms, purge_at_ms`

func scanNumber(s scanner) (*chime.PhoneNumber, error) {
	var n chime.PhoneNumber
	var statusAt, associated, cnAt, deleted, purge sql.NullInt64
	var account, user, name sql.NullString
	var created, updated int64
	if err := s.Scan(&n.E164, &n.AwsAccountID, &n.Country, &n.Type, &n.ProductType, &n.Status, &n.NextStatus,
		&statusAt, &account, &user, &associated, &name, &n.CallingNameStatus, &n.NextCallingNameStatus, &cnAt,
		&created, &updated, &deleted, &purge); err != nil {
		return nil, err
	}
	n.StatusAt, n.AssociatedAt, n.CallingNameAt = fromNullMS(statusAt), fromNullMS(associated), fromNullMS(cnAt)
	n.DeletedAt, n.PurgeAt = fromNullMS(deleted), fromNullMS(purge)
	n.AccountID, n.UserID = account.String, user.String
	if name.Valid {
		n.CallingName = &name.String
	}
	n.CreatedAt, n.UpdatedAt = fromMS(created), fromMS(updated)
	return &n, nil
}

func numberArgs(n *chime.PhoneNumber) []any {
	var name sql.NullString
	if n.CallingName != nil {
		name = sql.NullString{String: *n.CallingName, Valid: true}
	}
	return []any{n.E164, n.AwsAccountID, n.Country, n.Type, n.ProductType, n.Status, n.NextStatus,
		nullMS(n.StatusAt), nullString(n.AccountID), nullString(n.UserID), nullMS(n.AssociatedAt), name,
		n.CallingNameStatus, n.NextCallingNameStatus, nullMS(n.CallingNameAt), ms(n.CreatedAt), ms(n.UpdatedAt),
		nullMS(n.DeletedAt), nullMS(n.PurgeAt)}
}

// InsertPhoneNumber implements chime.Tx.
func (t *tx) InsertPhoneNumber(ctx context.Context, n *chime.PhoneNumber) error {
	_, err := t.exec(ctx, `INSERT INTO phone_numbers (`+numberColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
		$9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`, numberArgs(n)...)
	return t.mapErr(err)
}

// notPurged is the condition of a visible number at now ($2 in the queries below).
const notPurged = `(purge_at_ms IS NULL OR purge_at_ms > $2)`

// PhoneNumber implements chime.Tx.
func (t *tx) PhoneNumber(ctx context.Context, aws, e164 string, now time.Time) (*chime.PhoneNumber, error) {
	q := `SELECT ` + numberColumns + ` FROM phone_numbers WHERE e164 = $1 AND ` + notPurged + ` AND aws_account_id = $3`
	if t.write {
		q += t.d.lockSuffix
	}
	n, err := scanNumber(t.queryRow(ctx, q, e164, ms(now), aws))
	return n, t.mapErr(err)
}

// PhoneNumberOfUser implements chime.Tx.
func (t *tx) PhoneNumberOfUser(ctx context.Context, accountID, userID string, now time.Time) (*chime.PhoneNumber, error) {
	q := `SELECT ` + numberColumns + ` FROM phone_numbers WHERE account_id = $1 AND ` + notPurged + ` AND user_id = $3`
	if t.write {
		q += t.d.lockSuffix
	}
	n, err := scanNumber(t.queryRow(ctx, q, accountID, ms(now), userID))
	return n, t.mapErr(err)
}

// UpdatePhoneNumber implements chime.Tx.
func (t *tx) UpdatePhoneNumber(ctx context.Context, n *chime.PhoneNumber) error {
	a := numberArgs(n)
	return t.exec1(ctx, `UPDATE phone_numbers SET product_type = $5, status = $6, next_status = $7,
		status_at_ms = $8, account_id = $9, user_id = $10, associated_ms = $11, calling_name = $12, cn_status = $13,
		cn_next_status = $14, cn_at_ms = $15, updated_ms = $17, deleted_ms = $18, purge_at_ms = $19
		WHERE e164 = $1 AND aws_account_id = $2 AND country = $3 AND number_type = $4 AND created_ms = $16`, a...)
}

// effectiveStatus is a number's state at now ($2): its pending state once due.
const effectiveStatus = `(CASE WHEN status_at_ms IS NOT NULL AND status_at_ms <= $2 THEN next_status ELSE status END)`

// ListPhoneNumbers implements chime.Tx.
func (t *tx) ListPhoneNumbers(ctx context.Context, aws string, f chime.PhoneNumberFilter) ([]*chime.PhoneNumber, error) {
	q := `SELECT ` + numberColumns + ` FROM phone_numbers WHERE aws_account_id = $1 AND ` + notPurged +
		` AND e164 > $3`
	args := []any{aws, ms(f.Now), f.After}
	add := func(cond string, v any) {
		args = append(args, v)
		q += fmt.Sprintf(" AND "+cond, len(args))
	}
	if f.Status != "" {
		add(effectiveStatus+" = $%d", string(f.Status))
	}
	if f.ProductType != "" {
		add("product_type = $%d", string(f.ProductType))
	}
	if f.AccountID != "" {
		add("account_id = $%d", f.AccountID)
	}
	if f.UserID != "" {
		add("user_id = $%d", f.UserID)
	}
	args = append(args, f.Limit)
	q += fmt.Sprintf(" ORDER BY e164 LIMIT $%d", len(args))
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.PhoneNumber
	for rows.Next() {
		n, err := scanNumber(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, n)
	}
	return list, t.mapErr(rows.Err())
}

// CountPhoneNumbers implements chime.Tx.
func (t *tx) CountPhoneNumbers(ctx context.Context, aws string, statuses []chime.NumberStatus, now time.Time) (int, error) {
	if len(statuses) == 0 {
		return 0, nil
	}
	args := []any{aws, ms(now)}
	marks := make([]string, len(statuses))
	for i, s := range statuses {
		args = append(args, string(s))
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM phone_numbers WHERE aws_account_id = $1 AND `+notPurged+
		` AND `+effectiveStatus+` IN (`+strings.Join(marks, ", ")+`)`, args...).Scan(&n)
	return n, t.mapErr(err)
}

// PurgePhoneNumbers implements chime.Tx.
func (t *tx) PurgePhoneNumbers(ctx context.Context, aws string, now time.Time) error {
	_, err := t.exec(ctx, `DELETE FROM phone_numbers WHERE aws_account_id = $1 AND purge_at_ms <= $2`, aws, ms(now))
	return t.mapErr(err)
}

// DeletePhoneNumbers implements chime.Tx.
func (t *tx) DeletePhoneNumbers(ctx context.Context, aws string) error {
	if _, err := t.exec(ctx, `DELETE FROM phone_numbers WHERE aws_account_id = $1`, aws); err != nil {
		return t.mapErr(err)
	}
	_, err := t.exec(ctx, `DELETE FROM phone_number_orders WHERE aws_account_id = $1`, aws)
	return t.mapErr(err)
}
