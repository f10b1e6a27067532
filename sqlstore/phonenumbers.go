package sqlstore

import (
	"context"

	chime "github.com/chimed/chimed"
)

var _ chime.PhoneNumberTx = (*tx)(nil)

// The phone number tables (migration 00007): acquired_numbers, every number ever acquired by anyone (D21). Rows
// are never deleted: not by DeleteTenant, not by a reset.

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
