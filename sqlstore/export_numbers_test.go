package sqlstore

import (
	"context"
	"time"
)

// InsertAcquiredNumber records e164 as acquired by aws (tests; orders will insert these rows).
func InsertAcquiredNumber(ctx context.Context, db *DB, e164, aws string, at time.Time) error {
	_, err := db.write.ExecContext(ctx, `INSERT INTO acquired_numbers (e164, aws_account_id, acquired_ms)
		VALUES ($1, $2, $3)`, e164, aws, ms(at))
	return err
}
