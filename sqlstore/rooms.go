package sqlstore

import (
	"context"

	chime "github.com/chimed/chimed"
)

var _ chime.RoomTx = (*tx)(nil)

// Rooms and room memberships (migration 00012; docs/behavior.md §3.8, §4.32–§4.34). Not cached. A room's
// ClientRequestToken is kept with it (NULL when none) under a unique index per account; a membership is unique per
// (room, member). Writers of one account are serialized by the service's account read (Account locks the row in
// write transactions), the unique indexes back that up.

const roomColumns = `room_id, account_id, aws_account_id, name, created_by, created_ms, updated_ms`

func scanRoom(s scanner) (*chime.Room, error) {
	var r chime.Room
	var created, updated int64
	if err := s.Scan(&r.ID, &r.AccountID, &r.AwsAccountID, &r.Name, &r.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return &r, nil
}

// Room implements chime.Tx.
func (t *tx) Room(ctx context.Context, accountID, id string) (*chime.Room, error) {
	r, err := scanRoom(t.queryRow(ctx, `SELECT `+roomColumns+` FROM rooms WHERE room_id = $1 AND account_id = $2`,
		id, accountID))
	return r, t.mapErr(err)
}

// RoomByToken implements chime.Tx.
func (t *tx) RoomByToken(ctx context.Context, accountID, token string) (*chime.Room, error) {
	r, err := scanRoom(t.queryRow(ctx, `SELECT `+roomColumns+` FROM rooms WHERE account_id = $1
		AND client_token = $2`, accountID, token))
	return r, t.mapErr(err)
}

// InsertRoom implements chime.Tx.
func (t *tx) InsertRoom(ctx context.Context, r *chime.Room, token string) error {
	var tok any
	if token != "" {
		tok = token
	}
	_, err := t.exec(ctx, `INSERT INTO rooms (room_id, account_id, aws_account_id, name, created_by, client_token,
		created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.ID, r.AccountID, r.AwsAccountID, r.Name,
		r.CreatedBy, tok, ms(r.CreatedAt), ms(r.UpdatedAt))
	return t.mapErr(err)
}

// UpdateRoom implements chime.Tx.
func (t *tx) UpdateRoom(ctx context.Context, r *chime.Room) error {
	return t.exec1(ctx, `UPDATE rooms SET name = $1, updated_ms = $2 WHERE room_id = $3 AND account_id = $4`,
		r.Name, ms(r.UpdatedAt), r.ID, r.AccountID)
}

// DeleteRoom implements chime.Tx.
func (t *tx) DeleteRoom(ctx context.Context, accountID, roomID string) error {
	if _, err := t.exec(ctx, `DELETE FROM room_memberships WHERE room_id = $1 AND account_id = $2`,
		roomID, accountID); err != nil {
		return t.mapErr(err)
	}
	return t.exec1(ctx, `DELETE FROM rooms WHERE room_id = $1 AND account_id = $2`, roomID, accountID)
}

// DeleteRooms implements chime.Tx.
func (t *tx) DeleteRooms(ctx context.Context, aws, accountID string) error {
	where, args := `aws_account_id = $1`, []any{aws}
	if accountID != "" {
		where, args = where+` AND account_id = $2`, append(args, accountID)
	}
	if _, err := t.exec(ctx, `DELETE FROM room_memberships WHERE room_id IN (SELECT room_id FROM rooms WHERE `+
		where+`)`, args...); err != nil {
		return t.mapErr(err)
	}
	_, err := t.exec(ctx, `DELETE FROM rooms WHERE `+where, args...)
	return t.mapErr(err)
}

// CountRooms implements chime.Tx.
func (t *tx) CountRooms(ctx context.Context, accountID string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM rooms WHERE account_id = $1`, accountID).Scan(&n)
	return n, t.mapErr(err)
}

// ListRooms implements chime.Tx.
func (t *tx) ListRooms(ctx context.Context, accountID string, f chime.RoomFilter) ([]*chime.Room, error) {
	after := int64(-1 << 62)
	if f.AfterID != "" || !f.AfterCreated.IsZero() { // (a resumed listing always names an id)
		after = ms(f.AfterCreated)
	}
	q := `SELECT ` + roomColumns + ` FROM rooms WHERE account_id = $1
		AND (created_ms, room_id) > ($2, $3)`
	args := []any{accountID, after, f.AfterID}
	if f.MemberID != "" {
		args = append(args, f.MemberID)
		q += ` AND room_id IN (SELECT room_id FROM room_memberships WHERE account_id = $1 AND member_id = $4)`
	}
	args = append(args, f.Limit)
	q += ` ORDER BY created_ms, room_id LIMIT $` + itoa(len(args))
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.Room
	for rows.Next() {
		r, err := scanRoom(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, r)
	}
	return list, t.mapErr(rows.Err())
}

const membershipColumns = `room_id, account_id, member_id, member_type, role, invited_by, member_name, created_ms,
	updated_ms`

func scanMembership(s scanner) (*chime.RoomMember, error) {
	var m chime.RoomMember
	var name string
	var created, updated int64
	if err := s.Scan(&m.RoomID, &m.AccountID, &m.MemberID, &m.Type, &m.Role, &m.InvitedBy, &name, &created,
		&updated); err != nil {
		return nil, err
	}
	m.CreatedAt, m.UpdatedAt = fromMS(created), fromMS(updated)
	if m.Type == chime.MemberWebhook {
		m.FullName = name
	}
	return &m, nil
}

// RoomMembership implements chime.Tx.
func (t *tx) RoomMembership(ctx context.Context, accountID, roomID, memberID string) (*chime.RoomMembership, error) {
	m, err := scanMembership(t.queryRow(ctx, `SELECT `+membershipColumns+` FROM room_memberships
		WHERE room_id = $1 AND member_id = $2 AND account_id = $3`, roomID, memberID, accountID))
	if err != nil {
		return nil, t.mapErr(err)
	}
	return &m.RoomMembership, nil
}

// InsertRoomMembership implements chime.Tx.
func (t *tx) InsertRoomMembership(ctx context.Context, m *chime.RoomMembership, webhookName string) error {
	_, err := t.exec(ctx, `INSERT INTO room_memberships (room_id, account_id, member_id, member_type, role,
		invited_by, member_name, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		m.RoomID, m.AccountID, m.MemberID, m.Type, m.Role, m.InvitedBy, webhookName, ms(m.CreatedAt), ms(m.UpdatedAt))
	return t.mapErr(err)
}

// UpdateRoomMembership implements chime.Tx.
func (t *tx) UpdateRoomMembership(ctx context.Context, m *chime.RoomMembership) error {
	return t.exec1(ctx, `UPDATE room_memberships SET role = $1, updated_ms = $2
		WHERE room_id = $3 AND member_id = $4 AND account_id = $5`, m.Role, ms(m.UpdatedAt), m.RoomID, m.MemberID,
		m.AccountID)
}

// DeleteRoomMembership implements chime.Tx.
func (t *tx) DeleteRoomMembership(ctx context.Context, accountID, roomID, memberID string) error {
	return t.exec1(ctx, `DELETE FROM room_memberships WHERE room_id = $1 AND member_id = $2 AND account_id = $3`,
		roomID, memberID, accountID)
}

// CountRoomMemberships implements chime.Tx.
func (t *tx) CountRoomMemberships(ctx context.Context, accountID, roomID string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM room_memberships WHERE room_id = $1 AND account_id = $2`,
		roomID, accountID).Scan(&n)
	return n, t.mapErr(err)
}

// CountMemberRooms implements chime.Tx.
func (t *tx) CountMemberRooms(ctx context.Context, accountID, memberID string) (int, error) {
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM room_memberships WHERE account_id = $1 AND member_id = $2`,
		accountID, memberID).Scan(&n)
	return n, t.mapErr(err)
}

// ListRoomMemberships implements chime.Tx.
func (t *tx) ListRoomMemberships(ctx context.Context, accountID, roomID string, f chime.MembershipFilter) ([]*chime.RoomMember, error) {
	after := int64(-1 << 62)
	if f.AfterMemberID != "" || !f.AfterCreated.IsZero() { // (a resumed listing always names an id)
		after = ms(f.AfterCreated)
	}
	rows, err := t.query(ctx, `SELECT `+membershipColumns+` FROM room_memberships
		WHERE room_id = $1 AND account_id = $2 AND (created_ms, member_id) > ($3, $4)
		ORDER BY created_ms, member_id LIMIT $5`, roomID, accountID, after, f.AfterMemberID, f.Limit)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.RoomMember
	for rows.Next() {
		m, err := scanMembership(rows)
		if err != nil {
			return nil, t.mapErr(err)
		}
		list = append(list, m)
	}
	return list, t.mapErr(rows.Err())
}
