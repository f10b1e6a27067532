package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	chime "github.com/chimed/chimed"
)

var _ chime.CredentialStore = (*DB)(nil)

const credentialCols = `access_key_id, aws_account_id, read_only, sealed_secret, created_ms, revoked_ms`

const credentialByIDQuery = `SELECT ` + credentialCols + ` FROM credentials WHERE access_key_id = $1`

func scanCredential(row scanner) (*chime.Credential, error) {
	var c chime.Credential
	var created int64
	var revoked sql.NullInt64
	if err := row.Scan(&c.AccessKeyID, &c.AwsAccountID, &c.ReadOnly, &c.SealedSecret, &created, &revoked); err != nil {
		return nil, err
	}
	c.CreatedAt, c.RevokedAt = fromMS(created), fromNullMS(revoked)
	return &c, nil
}

// InsertCredential implements chime.CredentialStore.
func (db *DB) InsertCredential(ctx context.Context, c *chime.Credential) error {
	_, err := db.autocommit(ctx, `INSERT INTO credentials (`+credentialCols+`) VALUES ($1, $2, $3, $4, $5, NULL)`,
		c.AccessKeyID, c.AwsAccountID, c.ReadOnly, c.SealedSecret, ms(c.CreatedAt))
	if err != nil && db.dialect.isUnique(err) {
		return chime.Errorf(chime.ECONFLICT, "the access key id exists")
	}
	return err
}

// PutCredential implements chime.CredentialStore.
func (db *DB) PutCredential(ctx context.Context, c *chime.Credential) error {
	_, err := db.autocommit(ctx, `INSERT INTO credentials (`+credentialCols+`) VALUES ($1, $2, $3, $4, $5, NULL)
		ON CONFLICT (access_key_id) DO UPDATE SET aws_account_id = excluded.aws_account_id,
		read_only = excluded.read_only, sealed_secret = excluded.sealed_secret, revoked_ms = NULL`,
		c.AccessKeyID, c.AwsAccountID, c.ReadOnly, c.SealedSecret, ms(c.CreatedAt))
	return err
}

// Credential implements chime.CredentialStore.
func (db *DB) Credential(ctx context.Context, id string) (_ *chime.Credential, err error) {
	defer db.observe(&err)
	var gen uint64
	cache := db.liveCache()
	if c := cache; c != nil {
		if db.changes != nil && db.changes.foreign() {
			c.flush() // e.g. `chimed credentials revoke` from another process
		}
		if cr, ok := db.cachedCredential(ctx, c, id); ok {
			return cr, nil
		}
		gen = c.generation()
	}
	var c *chime.Credential
	if db.pool != nil {
		c, err = scanCredential(db.pool.QueryRow(ctx, credentialByIDQuery, id)) // one round trip, no database/sql
	} else {
		row := db.read.QueryRowContext
		if ps := db.prepared(credentialByIDQuery, false); ps != nil {
			row = func(ctx context.Context, _ string, args ...any) *sql.Row { return ps.QueryRowContext(ctx, args...) }
		}
		c, err = scanCredential(row(ctx, credentialByIDQuery, id))
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chime.NotFound()
	}
	if err == nil && cache != nil {
		cache.putCredential(gen, c)
	}
	return c, err
}

// ListCredentials implements chime.CredentialStore.
func (db *DB) ListCredentials(ctx context.Context) ([]*chime.Credential, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+credentialCols+` FROM credentials ORDER BY created_ms, access_key_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []*chime.Credential
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// RevokeCredential implements chime.CredentialStore.
func (db *DB) RevokeCredential(ctx context.Context, id string, at time.Time) error {
	res, err := db.autocommit(ctx,
		`UPDATE credentials SET revoked_ms = $1 WHERE access_key_id = $2 AND revoked_ms IS NULL`, ms(at), id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return chime.NotFound()
	}
	return nil
}

// CountCredentials implements chime.CredentialStore.
func (db *DB) CountCredentials(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM credentials`).Scan(&n)
	return n, err
}

var _ chime.CredentialTx = (*tx)(nil)

// AddCredential implements chime.Tx (the credentials table is cached: the write path drops its entries).
func (t *tx) AddCredential(ctx context.Context, c *chime.Credential) error {
	_, err := t.exec(ctx, `INSERT INTO credentials (`+credentialCols+`) VALUES ($1, $2, $3, $4, $5, NULL)`,
		c.AccessKeyID, c.AwsAccountID, c.ReadOnly, c.SealedSecret, ms(c.CreatedAt))
	if err != nil && t.d.isUnique(err) {
		t.mapErr(err)
		return chime.Errorf(chime.ECONFLICT, "the access key id exists")
	}
	return t.mapErr(err)
}

// RevokeCredentialAt implements chime.Tx.
func (t *tx) RevokeCredentialAt(ctx context.Context, id string, at time.Time) error {
	return t.exec1(ctx, `UPDATE credentials SET revoked_ms = $1 WHERE access_key_id = $2 AND revoked_ms IS NULL`,
		ms(at), id)
}
