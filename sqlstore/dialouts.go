package sqlstore

import (
	"context"
	"hash/fnv"

	chime "github.com/chimed/chimed"
)

var _ chime.DialOutTx = (*tx)(nil)

// Meeting dial-outs (migration 00014; docs/behavior.md §4.38, §9.8; D40): one row per recorded dial-out, its join
// token sealed by the service. Not cached. Reset removes an AWS account's rows (D48).

const dialOutCols = `transaction_id, aws_account_id, meeting_id, from_number, to_number, sealed_join_token, created_ms`

// LockDialOuts implements chime.Tx with a transaction-scoped advisory lock of its own key (PostgreSQL).
func (t *tx) LockDialOuts(ctx context.Context, aws, meetingID string) error {
	if !t.write || t.d.tenantLock == "" {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(t.ns + "\x00dial-outs\x00" + aws + "\x00" + meetingID))
	_, err := t.exec(ctx, t.d.tenantLock, int64(h.Sum64()))
	return t.mapErr(err)
}

// CountDialOuts implements chime.Tx.
func (t *tx) CountDialOuts(ctx context.Context, aws, meetingID string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT COUNT(*) FROM dial_outs WHERE aws_account_id = $1 AND meeting_id = $2`,
		aws, meetingID).Scan(&n)
	return n, t.mapErr(err)
}

// InsertDialOut implements chime.Tx.
func (t *tx) InsertDialOut(ctx context.Context, d *chime.DialOut) error {
	_, err := t.exec(ctx, `INSERT INTO dial_outs (`+dialOutCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		d.TransactionID, d.AwsAccountID, d.MeetingID, d.From, d.To, d.SealedJoinToken, ms(d.CreatedAt))
	return t.mapErr(err)
}

// ListDialOuts implements chime.Tx.
func (t *tx) ListDialOuts(ctx context.Context, aws, meetingID string, limit int) ([]*chime.DialOut, error) {
	rows, err := t.query(ctx, `SELECT `+dialOutCols+` FROM (SELECT seq, `+dialOutCols+` FROM dial_outs
		WHERE aws_account_id = $1 AND ($2 = '' OR meeting_id = $2) ORDER BY seq DESC LIMIT $3) latest ORDER BY seq`,
		aws, meetingID, limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.DialOut
	for rows.Next() {
		var d chime.DialOut
		var created int64
		if err := rows.Scan(&d.TransactionID, &d.AwsAccountID, &d.MeetingID, &d.From, &d.To, &d.SealedJoinToken,
			&created); err != nil {
			return nil, t.mapErr(err)
		}
		d.CreatedAt = fromMS(created)
		list = append(list, &d)
	}
	return list, t.mapErr(rows.Err())
}

// DeleteDialOuts implements chime.Tx.
func (t *tx) DeleteDialOuts(ctx context.Context, aws string) error {
	_, err := t.exec(ctx, `DELETE FROM dial_outs WHERE aws_account_id = $1`, aws)
	return t.mapErr(err)
}
