package sqlstore

import (
	"context"
	"database/sql"
	"time"

	chime "github.com/chimed/chimed"
)

var _ chime.SCIMTx = (*tx)(nil)

// SCIM tokens and users (migration 00016; docs/behavior.md §9.11). Not cached: a revoked token is refused by
// every node at once, as a revoked access key is.

const scimTokenCols = `id, aws_account_id, account_id, token_hash, prefix, created_ms, revoked_ms`

func scanSCIMToken(row scanner) (*chime.SCIMToken, error) {
	var t chime.SCIMToken
	var created int64
	var revoked sql.NullInt64
	if err := row.Scan(&t.ID, &t.AwsAccountID, &t.AccountID, &t.Hash, &t.Prefix, &created, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.RevokedAt = fromMS(created), fromNullMS(revoked)
	return &t, nil
}

// InsertSCIMToken implements chime.Tx.
func (t *tx) InsertSCIMToken(ctx context.Context, tok *chime.SCIMToken) error {
	_, err := t.exec(ctx, `INSERT INTO scim_tokens (`+scimTokenCols+`) VALUES ($1, $2, $3, $4, $5, $6, NULL)`,
		tok.ID, tok.AwsAccountID, tok.AccountID, tok.Hash, tok.Prefix, ms(tok.CreatedAt))
	if err != nil && t.d.isUnique(err) {
		t.mapErr(err)
		return chime.Errorf(chime.ECONFLICT, "the SCIM token id exists")
	}
	return t.mapErr(err)
}

// SCIMToken implements chime.Tx.
func (t *tx) SCIMToken(ctx context.Context, id string) (*chime.SCIMToken, error) {
	tok, err := scanSCIMToken(t.queryRow(ctx, `SELECT `+scimTokenCols+` FROM scim_tokens WHERE id = $1`, id))
	if err != nil {
		return nil, t.mapErr(err)
	}
	return tok, nil
}

// ListSCIMTokens implements chime.Tx.
func (t *tx) ListSCIMTokens(ctx context.Context, aws, accountID string) ([]*chime.SCIMToken, error) {
	rows, err := t.query(ctx, `SELECT `+scimTokenCols+` FROM scim_tokens
		WHERE ($1 = '' OR aws_account_id = $1) AND ($2 = '' OR account_id = $2) ORDER BY created_ms, id`, aws, accountID)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.SCIMToken
	for rows.Next() {
		tok, err := scanSCIMToken(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, tok)
	}
	return list, t.mapErr(rows.Err())
}

// RevokeSCIMToken implements chime.Tx.
func (t *tx) RevokeSCIMToken(ctx context.Context, id string, at time.Time) error {
	return t.exec1(ctx, `UPDATE scim_tokens SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL`, ms(at), id)
}

const scimUserCols = `account_id, scim_id, user_id, external_id, user_name, email, deleted, created_ms, updated_ms`

func scanSCIMUser(row scanner) (*chime.SCIMUser, error) {
	var u chime.SCIMUser
	var created, updated int64
	if err := row.Scan(&u.AccountID, &u.ID, &u.UserID, &u.ExternalID, &u.UserName, &u.Email, &u.Deleted, &created,
		&updated); err != nil {
		return nil, err
	}
	u.CreatedAt, u.UpdatedAt = fromMS(created), fromMS(updated)
	return &u, nil
}

// PutSCIMUser implements chime.Tx.
func (t *tx) PutSCIMUser(ctx context.Context, u *chime.SCIMUser) error {
	_, err := t.exec(ctx, `INSERT INTO scim_users (`+scimUserCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (account_id, scim_id) DO UPDATE SET user_id = excluded.user_id,
		external_id = excluded.external_id, user_name = excluded.user_name, email = excluded.email, deleted = excluded.deleted,
		updated_ms = excluded.updated_ms`,
		u.AccountID, u.ID, u.UserID, u.ExternalID, u.UserName, u.Email, u.Deleted, ms(u.CreatedAt), ms(u.UpdatedAt))
	if err != nil && t.d.isUnique(err) {
		t.mapErr(err)
		return chime.Errorf(chime.ECONFLICT, "another SCIM user has this userName or stands for this Chime user")
	}
	return t.mapErr(err)
}

// SCIMUser implements chime.Tx.
func (t *tx) SCIMUser(ctx context.Context, accountID, id string) (*chime.SCIMUser, error) {
	u, err := scanSCIMUser(t.queryRow(ctx, `SELECT `+scimUserCols+` FROM scim_users
		WHERE account_id = $1 AND scim_id = $2`, accountID, id))
	if err != nil {
		return nil, t.mapErr(err)
	}
	return u, nil
}

// SCIMUserOf implements chime.Tx.
func (t *tx) SCIMUserOf(ctx context.Context, accountID, userID string) (*chime.SCIMUser, error) {
	if userID == "" {
		return nil, chime.NotFound()
	}
	u, err := scanSCIMUser(t.queryRow(ctx, `SELECT `+scimUserCols+` FROM scim_users
		WHERE account_id = $1 AND user_id = $2`, accountID, userID))
	if err != nil {
		return nil, t.mapErr(err)
	}
	return u, nil
}

// ListSCIMUsers implements chime.Tx.
func (t *tx) ListSCIMUsers(ctx context.Context, accountID string) ([]*chime.SCIMUser, error) {
	rows, err := t.query(ctx, `SELECT `+scimUserCols+` FROM scim_users WHERE account_id = $1
		ORDER BY created_ms, scim_id`, accountID)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.SCIMUser
	for rows.Next() {
		u, err := scanSCIMUser(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, u)
	}
	return list, t.mapErr(rows.Err())
}

// DeleteSCIMUser implements chime.Tx.
func (t *tx) DeleteSCIMUser(ctx context.Context, accountID, id string) error {
	_, err := t.exec(ctx, `DELETE FROM scim_users WHERE account_id = $1 AND scim_id = $2`, accountID, id)
	return t.mapErr(err)
}
