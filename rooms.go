package chime

import (
	"context"
	"time"
)

// Rooms and memberships (spec part 2 §3.4, §4.32–§4.34; D31–D33).
//
// CONTRACT (used by messages.go; the rooms work fills in the rest): Room, RoomMembership, MemberType, Role,
// RoomTx.Room and RoomTx.RoomMembership keep these signatures.

// Room is a chat room of an Enterprise account.
type Room struct {
	ID           string
	AccountID    string
	AwsAccountID string
	Name         string
	CreatedBy    string // the caller's IAM ARN (D32)
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// MemberType is the kind of a room member.
type MemberType string

// Member types.
const (
	MemberUser    MemberType = "User"
	MemberBot     MemberType = "Bot"
	MemberWebhook MemberType = "Webhook"
)

// Role is a room member's role.
type Role string

// Roles.
const (
	RoleAdministrator Role = "Administrator"
	RoleMember        Role = "Member"
)

// RoomMembership is one member of a room.
type RoomMembership struct {
	RoomID    string
	AccountID string
	MemberID  string
	Type      MemberType
	Role      Role
	InvitedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RoomTx holds the Tx methods of rooms and memberships (sqlstore/rooms.go).
type RoomTx interface {
	// Room returns room id of account accountID. ENOTFOUND when missing.
	Room(ctx context.Context, accountID, id string) (*Room, error)
	// RoomMembership returns the membership of memberID in room roomID of account accountID. ENOTFOUND when it is
	// not a member.
	RoomMembership(ctx context.Context, accountID, roomID, memberID string) (*RoomMembership, error)
}

// callerARN is the IAM ARN of the signing credential (D32).
func callerARN(id Identity) string {
	return "arn:aws:iam::" + id.AwsAccountID + ":user/" + id.AccessKeyID
}
