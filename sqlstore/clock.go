package sqlstore

import (
	"context"
	"time"

	chime "github.com/chimed/chimed"
)

var _ chime.ClockTx = (*tx)(nil)

// The server clock's offset (migration 00006): the one row of server_clock, in milliseconds.

// ClockOffset implements chime.Tx. In a write transaction it locks the row (PostgreSQL), so that a change
// decided on the value read cannot race another.
func (t *tx) ClockOffset(ctx context.Context) (time.Duration, error) {
	q := `SELECT offset_ms FROM server_clock WHERE id = 1`
	if t.write {
		q += t.d.lockSuffix
	}
	var v int64
	if err := t.queryRow(ctx, q).Scan(&v); err != nil {
		if chime.ErrorCode(t.mapErr(err)) == chime.ENOTFOUND {
			return 0, nil
		}
		return 0, t.mapErr(err)
	}
	return time.Duration(v) * time.Millisecond, nil
}

// SetClockOffset implements chime.Tx. The condition keeps the clock from going back whatever the isolation.
func (t *tx) SetClockOffset(ctx context.Context, d time.Duration) error {
	return t.exec1(ctx, `UPDATE server_clock SET offset_ms = $1 WHERE id = 1 AND offset_ms <= $1`, d.Milliseconds())
}
