package chime

import (
	"context"
	"time"
)

// Messages, conversations, incoming webhooks and bot reply URLs (spec part 2 §9.6, §9.7; D34, D35, D39).
//
// CONTRACT (used by rooms.go; the messages work fills in the rest): Service.botRoomURL keeps this signature.

// botRoomURL creates the inbound URL through which bot b posts into room roomID (D39): until expires (server
// time), or while b is a member of the room when expires is zero (the Invite event's Persistent URL). It runs
// inside the trigger's write transaction tx and returns the URL.
func (s *Service) botRoomURL(ctx context.Context, tx Tx, b *Bot, roomID string, expires, now time.Time) (string, error) {
	return "", nil
}

// MessageTx holds the Tx methods of messages, conversations and inbound URLs (sqlstore/messages.go).
type MessageTx interface{}

// HOOKS called by the rooms work (service_rooms*.go); the messages work fills them in.

// deleteRoomMessages removes what the messages work keeps for room r — its messages, its webhooks and their
// URLs, the bot URLs of the room (§4.32, §9.7) — inside DeleteRoom's write transaction tx, before the room and
// its memberships are deleted. Errors abort the DeleteRoom.
func (s *Service) deleteRoomMessages(ctx context.Context, tx Tx, r *Room) error { return nil }

// deleteRoomWebhook removes webhook webhookID of room r and its URL (§4.34, §9.7) inside DeleteRoomMembership's
// write transaction tx, before its Webhook membership is deleted. Errors abort the DeleteRoomMembership.
func (s *Service) deleteRoomWebhook(ctx context.Context, tx Tx, r *Room, webhookID string) error {
	return nil
}
