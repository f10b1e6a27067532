package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	chime "github.com/chimed/chimed"
)

var _ chime.AccountTx = (*tx)(nil)

const accountCols = `seq, id, aws_account_id, name, type, created_ms, default_license, supported_licenses, status,
	delegate_groups, disable_remote_control, enable_dial_out`

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

func joinLicenses(ls []chime.License) string {
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = string(l)
	}
	return strings.Join(s, ",")
}

// Group names are stored newline-separated; the wire pattern forbids nothing, but names never hold NUL.
func joinGroups(gs []string) string { return strings.Join(gs, "\x1f") }

func splitGroups(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x1f")
}

type scanner interface{ Scan(dest ...any) error }

func scanAccount(row scanner) (*chime.Account, error) {
	var a chime.Account
	var created int64
	var licenses, groups string
	err := row.Scan(&a.Seq, &a.ID, &a.AwsAccountID, &a.Name, &a.Type, &created, &a.DefaultLicense, &licenses,
		&a.Status, &groups, &a.Settings.DisableRemoteControl, &a.Settings.EnableDialOut)
	if err != nil {
		return nil, err
	}
	a.CreatedAt = fromMS(created)
	for _, l := range strings.Split(licenses, ",") {
		if l != "" {
			a.SupportedLicenses = append(a.SupportedLicenses, chime.License(l))
		}
	}
	a.SigninDelegateGroups = splitGroups(groups)
	return &a, nil
}

// Account implements chime.Tx.
func (t *tx) Account(ctx context.Context, aws, id string) (*chime.Account, error) {
	c := t.readCache()
	if c != nil {
		if a, ok := t.cachedAccount(ctx, c, id); ok {
			if a.AwsAccountID != aws {
				return nil, chime.NotFound()
			}
			return a, nil
		}
	}
	q := accountByIDQuery
	if t.write {
		q += t.d.lockSuffix
	}
	a, err := scanAccount(t.pointRow(ctx, c, q, id, aws))
	if err == nil && c != nil {
		c.putAccount(t.gen, a)
	}
	return a, t.mapErr(err)
}

// ListAccounts implements chime.Tx.
func (t *tx) ListAccounts(ctx context.Context, aws string, f chime.AccountFilter) ([]*chime.Account, error) {
	q := `SELECT ` + accountCols + ` FROM accounts a WHERE aws_account_id = $1 AND deleted_ms IS NULL AND seq > $2`
	args := []any{aws, f.AfterSeq}
	if f.NamePrefix != "" {
		// substr/length count characters on every engine, so this is an exact, case-sensitive prefix test.
		args = append(args, f.NamePrefix, utf8.RuneCountInString(f.NamePrefix))
		q += ` AND name >= $3 AND substr(name, 1, $4) = $3`
	}
	if f.EmailKey != "" {
		args = append(args, f.EmailKey)
		q += ` AND EXISTS (SELECT 1 FROM users u WHERE u.aws_account_id = a.aws_account_id AND u.account_id = a.id
			AND u.email_key = $` + itoa(len(args)) + `)`
	}
	args = append(args, f.Limit)
	q += ` ORDER BY seq LIMIT $` + itoa(len(args))
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, a)
	}
	return list, t.mapErr(rows.Err())
}

// InsertAccount implements chime.Tx. It takes the AWS account's lock first (see dialect.tenantLock), so the
// accounts of one AWS account commit in seq order and a listing that resumes after a seq misses none.
func (t *tx) InsertAccount(ctx context.Context, a *chime.Account) error {
	if err := t.lockTenant(ctx, a.AwsAccountID); err != nil {
		return err
	}
	err := t.row(accountRow(a.ID)).queryRow(ctx, `INSERT INTO accounts (id, aws_account_id, name, type, created_ms,
		default_license, supported_licenses, status, delegate_groups, disable_remote_control, enable_dial_out)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING seq`,
		a.ID, a.AwsAccountID, a.Name, a.Type, ms(a.CreatedAt), a.DefaultLicense, joinLicenses(a.SupportedLicenses),
		a.Status, joinGroups(a.SigninDelegateGroups), a.Settings.DisableRemoteControl, a.Settings.EnableDialOut,
	).Scan(&a.Seq)
	return t.mapErr(err)
}

// UpdateAccount implements chime.Tx.
func (t *tx) UpdateAccount(ctx context.Context, a *chime.Account) error {
	return t.row(accountRow(a.ID)).exec1(ctx, `UPDATE accounts SET name = $1, type = $2, default_license = $3,
		supported_licenses = $4, status = $5, delegate_groups = $6, disable_remote_control = $7, enable_dial_out = $8
		WHERE id = $9 AND deleted_ms IS NULL`,
		a.Name, a.Type, a.DefaultLicense, joinLicenses(a.SupportedLicenses), a.Status,
		joinGroups(a.SigninDelegateGroups), a.Settings.DisableRemoteControl, a.Settings.EnableDialOut, a.ID)
}

// DeleteAccount implements chime.Tx: the account becomes a tombstone without its sign-in delegate groups, and
// its users are deleted (with their settings, by cascade).
func (t *tx) DeleteAccount(ctx context.Context, a *chime.Account, at time.Time) error {
	if _, err := t.exec(ctx, `DELETE FROM users WHERE account_id = $1`, a.ID); err != nil {
		return t.mapErr(err)
	}
	return t.row(accountRow(a.ID)).exec1(ctx,
		`UPDATE accounts SET deleted_ms = $1, delegate_groups = '' WHERE id = $2 AND deleted_ms IS NULL`, ms(at), a.ID)
}

// DeleteTenant implements chime.Tx.
func (t *tx) DeleteTenant(ctx context.Context, aws string) error {
	// Lock the tenant's accounts first, in one order (where the engine has row locks): a transaction that is
	// adding a user to one of them finishes before this one looks for users, so none is left to block the
	// account's deletion.
	var n int
	if err := t.queryRow(ctx, `SELECT count(*) FROM (SELECT id FROM accounts WHERE aws_account_id = $1
		ORDER BY seq`+t.d.lockSuffix+`) locked`, aws).Scan(&n); err != nil {
		return t.mapErr(err)
	}
	if _, err := t.exec(ctx, `DELETE FROM users WHERE aws_account_id = $1`, aws); err != nil {
		return t.mapErr(err)
	}
	_, err := t.exec(ctx, `DELETE FROM accounts WHERE aws_account_id = $1`, aws)
	return t.mapErr(err)
}

func itoa(n int) string {
	const digits = "0123456789"
	if n < 10 {
		return digits[n : n+1]
	}
	return itoa(n/10) + digits[n%10:n%10+1]
}
