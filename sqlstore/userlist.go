package sqlstore

import (
	"context"
	"time"

	chime "github.com/chimed/chimed"
)

// The cached path of ListUsers (SQLite with a read cache). Reading a user's columns is most of what a page of
// users costs on SQLite (modernc converts every value of every row, and database/sql converts it again), while
// the page's keys come from the users_account_seq index for a fraction of that. So a page first reads the
// (seq, id) of its users in the transaction's snapshot and takes the users from the read cache; only when one
// is missing does it read the page's rows, in the same snapshot, and fill the cache with them.
//
// Exactness is the point reads' (cache.go): a cached user is never older than the last commit that finished
// before the read began, and the keys come from the read's own snapshot, so the page lists exactly the users
// of that snapshot, each as of the snapshot or later. A cached user that no longer matches the page's type
// filter (changed since the snapshot) counts as missing, so the page is read from the snapshot whole.

// listUserKeysQuery is the keyset query of a page's keys (the type filter optional; both variants prepared).
func listUserKeysQuery(byType bool) string {
	q := `SELECT seq, id FROM users WHERE account_id = $1 AND seq > $2`
	if byType {
		return q + ` AND user_type = $3 ORDER BY seq LIMIT $4`
	}
	return q + ` ORDER BY seq LIMIT $3`
}

// listFullUsersQuery reads a page's users whole, to fill the cache (both variants prepared).
func listFullUsersQuery(byType bool) string {
	q := `SELECT ` + userCols + ` FROM users WHERE account_id = $1 AND seq > $2`
	if byType {
		return q + ` AND user_type = $3 ORDER BY seq LIMIT $4`
	}
	return q + ` ORDER BY seq LIMIT $3`
}

// listCachedUsers is ListUsers for a filter without an email key, answered from cache c where it can be.
func (t *tx) listCachedUsers(ctx context.Context, c *readCache, a *chime.Account, f chime.UserFilter) ([]*chime.User, error) {
	args := []any{a.ID, f.AfterSeq}
	if f.Type != "" {
		args = append(args, f.Type)
	}
	args = append(args, f.Limit)
	rows, err := t.query(ctx, listUserKeysQuery(f.Type != ""), args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	keys := make([]listedKey, 0, min(f.Limit, 256))
	for rows.Next() {
		var k listedKey
		if err := rows.Scan(&k.seq, &k.id); err != nil {
			rows.Close()
			return nil, t.mapErr(err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, t.mapErr(err)
	}
	if list, ok := c.listedUsers(a.ID, keys, f.Type); ok {
		return list, nil
	}
	rows, err = t.query(ctx, listFullUsersQuery(f.Type != ""), args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	list := make([]*chime.User, 0, len(keys))
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, u)
	}
	if err := rows.Err(); err != nil {
		return nil, t.mapErr(err)
	}
	c.putUsers(t.gen, list)
	for _, u := range list {
		listed(u)
	}
	return list, nil
}

// listedKey is the key of one user of a page.
type listedKey struct {
	seq int64
	id  string
}

// listed clears the members of u that lists never read (see listedUserCols), so that a page is the same
// whichever path read it.
func listed(u *chime.User) {
	u.PIN, u.InviteID, u.CreatedAt = "", "", time.Time{}
}
