package chime

import (
	"context"
	"time"
)

// Rooms of Enterprise accounts (docs/behavior.md §4.32; D31, D32, D41). Memberships: service_room_memberships.go.

// Limits of rooms (§4.39).
const (
	MaxRooms          = 1500 // rooms per Chime account (D32)
	MaxRoomMembers    = 1000 // memberships per room (D33)
	MaxMemberRooms    = 1000 // rooms per user (D33)
	MaxRoomNameLen    = 256  // characters of a room name (D32)
	MaxMembershipItem = 50   // items of one BatchCreateRoomMembership (§4.33)
	DefaultRoomPage   = 99   // ListRooms and ListRoomMemberships (§2.4)
)

// Fields of the room operations.
const (
	FieldRoomID             Field = "room id"
	FieldMemberID           Field = "member id"
	FieldRole               Field = "role"
	FieldClientRequestToken Field = "client request token"
	FieldMembershipItems    Field = "membership items" // the items of BatchCreateRoomMembership
)

// roomAccount loads the account of a room call and checks its type (D47: 404 before 403; D31).
func roomAccount(ctx context.Context, tx Tx, aws, id string) (*Account, error) {
	a, err := account(ctx, tx, aws, id)
	if err != nil {
		return nil, err
	}
	if a.Type == AccountTeam {
		return nil, notEnterprise(a)
	}
	return a, nil
}

// room loads room id of account a. Errors: ENOTFOUND.
func room(ctx context.Context, tx Tx, a *Account, id string) (*Room, error) {
	return tx.Room(ctx, a.ID, id)
}

// validateRoomName applies D32: 1..256 characters, one of them not blank, storable.
func validateRoomName(name *string) error { return requireName(FieldName, name, MaxRoomNameLen) }

// validateRoomIDs checks the identifiers of a room path (D47, step 3): the account, the room, and the member
// when one is given. Errors: EINVALID.
func validateRoomIDs(accountID, roomID string, memberID ...string) error {
	if err := ValidateID(FieldAccountID, accountID); err != nil {
		return err
	}
	if err := ValidateID(FieldRoomID, roomID); err != nil {
		return err
	}
	for _, m := range memberID {
		if err := ValidateID(FieldMemberID, m); err != nil {
			return err
		}
	}
	return nil
}

// CreateRoom creates a room without members in an Enterprise account (§4.32, D32); CreatedBy is the caller's
// ARN. With a ClientRequestToken the call is idempotent while the room it created lives: the same token and
// Name answer that room unchanged (created false), another Name is refused.
// Errors: EINVALID (FieldName; FieldClientRequestToken when the token names a room of another Name); ENOTFOUND
// for the account; EFORBIDDEN on Team accounts; ELIMIT when the account has MaxRooms rooms.
func (s *Service) CreateRoom(ctx context.Context, caller Identity, accountID string, name, token *string) (r *Room, created bool, err error) {
	if err := validateRoomName(name); err != nil {
		return nil, false, err
	}
	tok := ""
	if token != nil {
		if err := checkText(FieldClientRequestToken, *token, 64); err != nil {
			return nil, false, err
		}
		tok = *token
	}
	if err := ValidateID(FieldAccountID, accountID); err != nil {
		return nil, false, err
	}
	now := s.clock()
	err = s.store.Write(ctx, func(tx Tx) error {
		r, created = nil, false
		a, err := roomAccount(ctx, tx, caller.AwsAccountID, accountID)
		if err != nil {
			return err
		}
		if tok != "" {
			old, err := tx.RoomByToken(ctx, a.ID, tok)
			if err == nil {
				if old.Name != *name {
					return InvalidField(FieldClientRequestToken, "was used for a room of another name")
				}
				r = old
				return nil
			} else if ErrorCode(err) != ENOTFOUND {
				return err
			}
		}
		n, err := tx.CountRooms(ctx, a.ID)
		if err != nil {
			return err
		}
		if n >= MaxRooms {
			return Errorf(ELIMIT, "The account has %d rooms, the most it may have", n)
		}
		r = &Room{ID: newID(), AccountID: a.ID, AwsAccountID: a.AwsAccountID, Name: *name, CreatedBy: callerARN(caller),
			CreatedAt: now, UpdatedAt: now}
		created = true
		return tx.InsertRoom(ctx, r, tok)
	})
	if err != nil {
		return nil, false, err
	}
	return r, created, nil
}

// GetRoom returns a room (§4.32). Errors: ENOTFOUND (account, room); EFORBIDDEN on Team accounts.
func (s *Service) GetRoom(ctx context.Context, aws, accountID, roomID string) (r *Room, err error) {
	if err := validateRoomIDs(accountID, roomID); err != nil {
		return nil, err
	}
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := roomAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		r, err = room(ctx, tx, a, roomID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// UpdateRoom renames a room (§4.32): without a name it answers the room unchanged; with one it sets it and
// UpdatedAt = now. Errors: EINVALID (FieldName); ENOTFOUND (account, room); EFORBIDDEN on Team accounts.
func (s *Service) UpdateRoom(ctx context.Context, aws, accountID, roomID string, name *string) (r *Room, err error) {
	if name != nil {
		if err := validateRoomName(name); err != nil {
			return nil, err
		}
	}
	if err := validateRoomIDs(accountID, roomID); err != nil {
		return nil, err
	}
	now := s.clock()
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := roomAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if r, err = room(ctx, tx, a, roomID); err != nil || name == nil {
			return err
		}
		r.Name, r.UpdatedAt = *name, now
		return tx.UpdateRoom(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// DeleteRoom deletes a room with its memberships, and what the messages work keeps for it (deleteRoomMessages:
// messages, webhooks, bot URLs); it sends no bot events (§4.32, §10.1). Errors: ENOTFOUND (account, room, also
// for a second delete); EFORBIDDEN on Team accounts.
func (s *Service) DeleteRoom(ctx context.Context, aws, accountID, roomID string) error {
	if err := validateRoomIDs(accountID, roomID); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := roomAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		r, err := room(ctx, tx, a, roomID)
		if err != nil {
			return err
		}
		if err := s.deleteRoomMessages(ctx, tx, r); err != nil {
			return err
		}
		return tx.DeleteRoom(ctx, a.ID, r.ID)
	})
}

// ListRoomsInput are the inputs of ListRooms.
type ListRoomsInput struct {
	MemberID   *string // only the rooms this user, bot or webhook belongs to; nil or "" = every room
	MaxResults int     // 0 = DefaultRoomPage
	NextToken  *string
}

// ListRooms returns a page of an account's rooms in (CreatedAt, ID) order and the token of the next page (""
// on the last) (§4.32, §2.4, D41). A MemberID that names no member gives an empty list.
// Errors: EINVALID (FieldNextToken for a token not issued for this listing; FieldMemberID); ENOTFOUND for the
// account; EFORBIDDEN on Team accounts.
func (s *Service) ListRooms(ctx context.Context, aws, accountID string, in ListRoomsInput) ([]*Room, string, error) {
	if err := ValidateID(FieldAccountID, accountID); err != nil {
		return nil, "", err
	}
	f := RoomFilter{}
	member := "\x00any"
	if in.MemberID != nil && *in.MemberID != "" {
		if err := checkText(FieldMemberID, *in.MemberID, MaxTextLen); err != nil {
			return nil, "", err
		}
		f.MemberID, member = *in.MemberID, *in.MemberID
	}
	limit := in.MaxResults
	if limit <= 0 {
		limit = DefaultRoomPage
	}
	scope := pageScope("ListRooms", aws, accountID, member)
	var err error
	if f.AfterCreated, f.AfterID, err = s.parseTimeKey(scope, in.NextToken); err != nil {
		return nil, "", err
	}
	f.Limit = limit + 1
	var list []*Room
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := roomAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		list, err = tx.ListRooms(ctx, a.ID, f)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	list, next := timePage(s, scope, list, limit, func(r *Room) (time.Time, string) { return r.CreatedAt, r.ID })
	return list, next, nil
}
