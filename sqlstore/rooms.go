package sqlstore

import (
	"context"

	chime "github.com/chimed/chimed"
)

var _ chime.RoomTx = (*tx)(nil)

// Room implements chime.Tx.
func (t *tx) Room(ctx context.Context, accountID, id string) (*chime.Room, error) {
	return nil, chime.NotFound()
}

// RoomMembership implements chime.Tx.
func (t *tx) RoomMembership(ctx context.Context, accountID, roomID, memberID string) (*chime.RoomMembership, error) {
	return nil, chime.NotFound()
}
