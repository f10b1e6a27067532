package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/pressly/goose/v3"

	chime "github.com/chimed/chimed"
)

// Re-keying email addresses (docs/behavior.md D10). users.email_key holds chime.EmailKey(users.email); when
// EmailKey changes, the stored keys must follow, and SQL cannot compute them (case folding of the NFC form), so
// the step is a goose Go migration, registered for both dialects: it runs once per database, inside goose's
// migration lock (PostgreSQL: an advisory lock, so nodes starting at once wait for the first one), before the
// store serves, in one transaction that also records its version (goose holds one connection for the whole run,
// and a SQLite store has only one writer connection). Version 4 moved from strings.ToLower to full case folding of the NFC form. A later change of
// EmailKey (a new Unicode version of golang.org/x/text) adds another version running the same step.
//
// The step walks the users in creation order, in batches of userStepBatch rows (bounded memory), and rewrites the
// keys that differ from EmailKey(email); it is atomic and idempotent (run again, it finds nothing to do). Collisions: when the new key of a user is already held by
// another user of the same AWS account (two users that were two identities are one now), both users are kept;
// the one holding the key keeps it (it already held it, or it came first in creation order) and the other keeps
// its old key, unreachable by address lookups, and is logged (Warn, naming both users) so that an operator can
// remove or rename one of them. Nothing is deleted and the store starts.

// emailKeyVersion is the goose version of the re-keying step.
const emailKeyVersion = 4

// userStepBatch is how many users a Go migration step over users (this re-keying, the listing steps of
// listing.go) reads at a time.
const userStepBatch = 1000

// rekeyLogger is where the step logs (slog.Default() when unset).
var rekeyLogger atomic.Pointer[slog.Logger]

func rekeyLog() *slog.Logger {
	if l := rekeyLogger.Load(); l != nil {
		return l
	}
	return slog.Default()
}

// goMigrations are the Go migrations of both dialects, merged with the SQL files by version.
func goMigrations() []*goose.Migration {
	return append([]*goose.Migration{goose.NewGoMigration(emailKeyVersion,
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return rekeyEmails(ctx, tx, chime.EmailKey) }},
		&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error { return rekeyEmails(ctx, tx, strings.ToLower) }},
	)}, listingMigrations()...)
}

// rekeyRow is a user whose stored key differs from the computed one.
type rekeyRow struct {
	seq                     int64
	id, account, aws, email string
	oldKey, newKey          string
}

// rekeyEmails sets users.email_key to key(email) wherever it differs and the new key is free in the user's AWS
// account; the users whose new key is held are tried again at the end, as long as retrying re-keys someone
// (their key may have been freed by a later row, or by a chain of them), and then logged.
func rekeyEmails(ctx context.Context, tx *sql.Tx, key func(string) string) error {
	var collided []rekeyRow
	changed := 0
	for after := int64(0); ; {
		var batch []rekeyRow
		n, last, err := scanUsers(ctx, tx, after, key, &batch)
		if err != nil {
			return err
		}
		if len(batch) > 0 {
			done, held, err := rekeyBatchRows(ctx, tx, batch)
			if err != nil {
				return err
			}
			changed += done
			collided = append(collided, held...)
		}
		if n < userStepBatch {
			break
		}
		after = last
	}
	// A held key may be freed by a row re-keyed later, and that row's by another (a chain): retry while it helps.
	for len(collided) > 0 {
		done, held, err := rekeyBatchRows(ctx, tx, collided)
		if err != nil {
			return err
		}
		changed += done
		collided = held
		if done == 0 {
			break
		}
	}
	for _, r := range collided {
		holder, holderAccount := "", ""
		err := tx.QueryRowContext(ctx, `SELECT id, account_id FROM users WHERE aws_account_id = $1 AND email_key = $2`,
			r.aws, r.newKey).Scan(&holder, &holderAccount)
		if err == sql.ErrNoRows {
			continue // not a collision: the row changed meanwhile (a node of an older version)
		} else if err != nil {
			return fmt.Errorf("email keys: %w", err)
		}
		rekeyLog().Warn("two users share one email address: the second keeps its old email key and is not "+
			"found by address (remove or rename one of them)", "aws_account_id", r.aws, "account_id", r.account,
			"user_id", r.id, "holder_account_id", holderAccount, "holder_user_id", holder)
	}
	if changed > 0 || len(collided) > 0 {
		rekeyLog().Info("email keys recomputed", "changed", changed, "collisions", len(collided))
	}
	return nil
}

// scanUsers reads up to userStepBatch users after seq after, appends those whose key differs to out, and returns
// how many it read and the last seq.
func scanUsers(ctx context.Context, tx *sql.Tx, after int64, key func(string) string, out *[]rekeyRow) (int, int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, id, account_id, aws_account_id, email, email_key FROM users
		WHERE seq > $1 ORDER BY seq LIMIT $2`, after, userStepBatch)
	if err != nil {
		return 0, 0, fmt.Errorf("email keys: %w", err)
	}
	defer rows.Close()
	n, last := 0, after
	for rows.Next() {
		var r rekeyRow
		if err := rows.Scan(&r.seq, &r.id, &r.account, &r.aws, &r.email, &r.oldKey); err != nil {
			return 0, 0, fmt.Errorf("email keys: %w", err)
		}
		n, last = n+1, r.seq
		if r.newKey = key(r.email); r.newKey != r.oldKey {
			*out = append(*out, r)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("email keys: %w", err)
	}
	return n, last, nil
}

// rekeyBatchRows rewrites the keys of rows, in order, each only if its new key is free in its AWS account, and
// returns how many it rewrote and the rows whose key is held. A batch that lost a race on the unique index (a
// PostgreSQL node of an older version inserting a user meanwhile) is rolled back to its savepoint and run again:
// it then sees the new user and counts a collision.
func rekeyBatchRows(ctx context.Context, tx *sql.Tx, rows []rekeyRow) (int, []rekeyRow, error) {
	for attempt := 0; ; attempt++ {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT rekey_batch`); err != nil {
			return 0, nil, fmt.Errorf("email keys: %w", err)
		}
		done, held, err := rekeyRows(ctx, tx, rows)
		if err == nil {
			_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT rekey_batch`)
			return done, held, err
		}
		if pgCode(err) != pgUniqueViolation || attempt >= 5 {
			return 0, nil, err
		}
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT rekey_batch`); err != nil {
			return 0, nil, fmt.Errorf("email keys: %w", err)
		}
	}
}

func rekeyRows(ctx context.Context, tx *sql.Tx, rows []rekeyRow) (int, []rekeyRow, error) {
	done := 0
	var held []rekeyRow
	for _, r := range rows {
		res, err := tx.ExecContext(ctx, `UPDATE users SET email_key = $1 WHERE seq = $2 AND email_key = $3
			AND NOT EXISTS (SELECT 1 FROM users WHERE aws_account_id = $4 AND email_key = $1)`,
			r.newKey, r.seq, r.oldKey, r.aws)
		if err != nil {
			return 0, nil, fmt.Errorf("email keys: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, nil, fmt.Errorf("email keys: %w", err)
		} else if n == 1 {
			done++
		} else {
			held = append(held, r)
		}
	}
	return done, held, nil
}
