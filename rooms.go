package chime

import (
	"context"
	"time"
)

// Rooms and memberships (docs/behavior.md §3.8, §4.32–§4.34; D31–D33).
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

	// The rest (the rooms work). Rooms and memberships belong to their account: the service deletes them with it
	// (DeleteRooms).

	// InsertRoom stores a new room; token is its ClientRequestToken ("" when none). ECONFLICT when token is
	// taken in the account.
	InsertRoom(ctx context.Context, r *Room, token string) error
	// RoomByToken returns the live room of account accountID created with ClientRequestToken token. ENOTFOUND
	// when none.
	RoomByToken(ctx context.Context, accountID, token string) (*Room, error)
	// UpdateRoom stores the Name and UpdatedAt of r. ENOTFOUND when it is gone.
	UpdateRoom(ctx context.Context, r *Room) error
	// DeleteRoom removes room roomID of account accountID with its memberships. ENOTFOUND when it is gone.
	DeleteRoom(ctx context.Context, accountID, roomID string) error
	// DeleteRooms removes every room and membership of the AWS account aws's account accountID ("": of all of
	// its accounts).
	DeleteRooms(ctx context.Context, aws, accountID string) error
	// CountRooms counts the rooms of account accountID.
	CountRooms(ctx context.Context, accountID string) (int, error)
	// ListRooms returns up to f.Limit rooms of account accountID that match f.
	ListRooms(ctx context.Context, accountID string, f RoomFilter) ([]*Room, error)

	// InsertRoomMembership stores a new membership; webhookName is the name a Webhook member shows ("" for the
	// others). ECONFLICT when the member is already in the room.
	InsertRoomMembership(ctx context.Context, m *RoomMembership, webhookName string) error
	// UpdateRoomMembership stores the Role and UpdatedAt of m. ENOTFOUND when it is gone.
	UpdateRoomMembership(ctx context.Context, m *RoomMembership) error
	// DeleteRoomMembership removes memberID from room roomID of account accountID. ENOTFOUND when it is not a
	// member.
	DeleteRoomMembership(ctx context.Context, accountID, roomID, memberID string) error
	// CountRoomMemberships counts the members of room roomID of account accountID.
	CountRoomMemberships(ctx context.Context, accountID, roomID string) (int, error)
	// CountMemberRooms counts the rooms of account accountID that memberID belongs to.
	CountMemberRooms(ctx context.Context, accountID, memberID string) (int, error)
	// ListRoomMemberships returns up to f.Limit memberships of room roomID of account accountID; only Webhook
	// members have FullName set (their stored name), the rest of the Member shape is the service's.
	ListRoomMemberships(ctx context.Context, accountID, roomID string, f MembershipFilter) ([]*RoomMember, error)
}

// callerARN is the IAM ARN of the signing credential (D32).
func callerARN(id Identity) string {
	return "arn:aws:iam::" + id.AwsAccountID + ":user/" + id.AccessKeyID
}

// RoomMember is a membership as listed (§3.8): the membership and what its Member shape shows of the member.
type RoomMember struct {
	RoomMembership
	Email    string // User: PrimaryEmail; Bot: BotEmail; "" for webhooks and while unset
	FullName string // User: DisplayName; Bot: its DisplayName; Webhook: its name (§9.7); "" while unset
}

// RoomFilter selects rooms of one account, in (CreatedAt, ID) order after (AfterCreated, AfterID).
type RoomFilter struct {
	MemberID     string // "" = any; else only the rooms that member belongs to
	AfterCreated time.Time
	AfterID      string
	Limit        int
}

// MembershipFilter selects memberships of one room, in (CreatedAt, MemberID) order after (AfterCreated,
// AfterMemberID).
type MembershipFilter struct {
	AfterCreated  time.Time
	AfterMemberID string
	Limit         int
}
