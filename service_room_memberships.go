package chime

import (
	"context"
	"time"
)

// Room memberships (docs/behavior.md §4.33, §4.34; D33, D38 for the bot events they trigger).

// MembershipItem is one item of BatchCreateRoomMembership: MemberID nil when the item names none.
type MembershipItem struct {
	MemberID *string
	Role     *string
}

// MemberError reports a failed item of BatchCreateRoomMembership (§5.5): MemberID as sent.
type MemberError struct {
	MemberID string
	Code     string
	Message  string
}

// parseRole returns the role of an optional Role input: Member when absent (D33). Errors: EINVALID (FieldRole).
func parseRole(role *string) (Role, error) {
	if role == nil {
		return RoleMember, nil
	}
	switch r := Role(*role); r {
	case RoleMember, RoleAdministrator:
		return r, nil
	}
	return "", InvalidField(FieldRole, "must be one of Administrator, Member")
}

// memberAdd is one membership being added by a write transaction.
type memberAdd struct {
	caller Identity
	a      *Account
	room   *Room
	now    time.Time
	bots   int // bots added (events queued): the caller kicks delivery after the commit
}

// add adds memberID to the room with role (D33), queueing a bot's Invite event (§10.1), and returns the
// membership as listed. Errors: ENOTFOUND when memberID names no user or bot of the account; EINVALID for a
// suspended user, a disabled or unconfigured bot, Administrator for a bot, or a webhook (they join through
// §9.7); ECONFLICT when it is a member already; ELIMIT when the room or the member has its most memberships.
func (s *Service) add(ctx context.Context, tx Tx, in *memberAdd, memberID string, role Role) (*RoomMember, error) {
	m := &RoomMember{RoomMembership: RoomMembership{RoomID: in.room.ID, AccountID: in.a.ID, MemberID: memberID,
		Role: role, InvitedBy: callerARN(in.caller), CreatedAt: in.now, UpdatedAt: in.now}}
	var bot *Bot
	u, err := tx.User(ctx, in.a.ID, memberID)
	switch {
	case err == nil:
		if u.RegistrationStatus == Suspended {
			return nil, InvalidField(FieldMemberID, "names a suspended user")
		}
		m.Type, m.Email, m.FullName = MemberUser, u.Email, u.DisplayName
	case ErrorCode(err) != ENOTFOUND:
		return nil, err
	default:
		if bot, err = tx.Bot(ctx, in.a.ID, memberID); ErrorCode(err) == ENOTFOUND {
			old, err := tx.RoomMembership(ctx, in.a.ID, in.room.ID, memberID)
			if err == nil && old.Type == MemberWebhook {
				return nil, InvalidField(FieldMemberID, "names a webhook; webhooks join a room when they are created")
			} else if err != nil && ErrorCode(err) != ENOTFOUND {
				return nil, err
			}
			return nil, Errorf(ENOTFOUND, "No user or bot %s in this account", memberID)
		} else if err != nil {
			return nil, err
		}
		if role == RoleAdministrator {
			return nil, InvalidField(FieldRole, "must be Member for a bot")
		}
		if bot.Disabled {
			return nil, InvalidField(FieldMemberID, "names a disabled bot")
		}
		if _, err := tx.EventsConfiguration(ctx, in.a.ID, bot.ID); ErrorCode(err) == ENOTFOUND {
			return nil, InvalidField(FieldMemberID, "names a bot without an events configuration")
		} else if err != nil {
			return nil, err
		}
		m.Type, m.Email, m.FullName = MemberBot, bot.Email, bot.DisplayName
	}
	if _, err := tx.RoomMembership(ctx, in.a.ID, in.room.ID, memberID); err == nil {
		return nil, Errorf(ECONFLICT, "%s is a member of the room already", memberID)
	} else if ErrorCode(err) != ENOTFOUND {
		return nil, err
	}
	if err := roomHasSpace(ctx, tx, in.a.ID, in.room.ID); err != nil {
		return nil, err
	}
	if n, err := tx.CountMemberRooms(ctx, in.a.ID, memberID); err != nil {
		return nil, err
	} else if n >= MaxMemberRooms {
		return nil, Errorf(ELIMIT, "%s belongs to %d rooms, the most a member may", memberID, n)
	}
	if err := tx.InsertRoomMembership(ctx, &m.RoomMembership, ""); err != nil {
		return nil, err
	}
	if bot != nil {
		url, err := s.botRoomURL(ctx, tx, bot, in.room.ID, time.Time{}, in.now)
		if err != nil {
			return nil, err
		}
		if err := s.queueBotEvent(ctx, tx, BotEventInput{Bot: bot, Type: BotEventInvite, SenderID: callerARN(in.caller),
			SenderIDType: "IamArn", RoomID: in.room.ID, EndpointType: EndpointPersistent, EndpointURL: url}, in.now); err != nil {
			return nil, err
		}
		in.bots++
	}
	return m, nil
}

// roomHasSpace refuses a new member of a room that has MaxRoomMembers (ELIMIT).
func roomHasSpace(ctx context.Context, tx Tx, accountID, roomID string) error {
	n, err := tx.CountRoomMemberships(ctx, accountID, roomID)
	if err != nil {
		return err
	}
	if n >= MaxRoomMembers {
		return Errorf(ELIMIT, "The room has %d members, the most it may have", n)
	}
	return nil
}

// addWebhookMember adds webhook webhookID, called name, as a Webhook member of room r inside the write
// transaction tx of the webhook's creation (§9.7); invitedBy is the caller's ARN. For the messages work.
// Errors: ELIMIT when the room has MaxRoomMembers; ECONFLICT when the id is a member already.
func (s *Service) addWebhookMember(ctx context.Context, tx Tx, r *Room, webhookID, name, invitedBy string, now time.Time) error {
	if err := roomHasSpace(ctx, tx, r.AccountID, r.ID); err != nil {
		return err
	}
	return tx.InsertRoomMembership(ctx, &RoomMembership{RoomID: r.ID, AccountID: r.AccountID, MemberID: webhookID,
		Type: MemberWebhook, Role: RoleMember, InvitedBy: invitedBy, CreatedAt: now, UpdatedAt: now}, name)
}

// roomWrite runs fn in a write transaction on the room roomID of an Enterprise account of the caller, then
// tells the bot event worker when fn queued events.
func (s *Service) roomWrite(ctx context.Context, caller Identity, accountID, roomID string, fn func(tx Tx, in *memberAdd) error) error {
	now := s.clock()
	bots := 0
	err := s.store.Write(ctx, func(tx Tx) error {
		a, err := roomAccount(ctx, tx, caller.AwsAccountID, accountID)
		if err != nil {
			return err
		}
		r, err := room(ctx, tx, a, roomID)
		if err != nil {
			return err
		}
		in := &memberAdd{caller: caller, a: a, room: r, now: now}
		err = fn(tx, in)
		bots = in.bots
		return err
	})
	if err == nil && bots > 0 {
		s.kickBotEvents()
	}
	return err
}

// CreateRoomMembership adds a user or a bot to a room (§4.33, D33): Role defaults to Member; adding a bot queues
// its Invite event (§10.1). Errors: EINVALID (FieldRole, FieldMemberID: see add); ENOTFOUND (account, room,
// member); EFORBIDDEN on Team accounts; ECONFLICT; ELIMIT.
func (s *Service) CreateRoomMembership(ctx context.Context, caller Identity, accountID, roomID, memberID string, role *string) (m *RoomMember, err error) {
	r, err := parseRole(role)
	if err != nil {
		return nil, err
	}
	if err := validateRoomIDs(accountID, roomID, memberID); err != nil {
		return nil, err
	}
	err = s.roomWrite(ctx, caller, accountID, roomID, func(tx Tx, in *memberAdd) (err error) {
		m, err = s.add(ctx, tx, in, memberID, r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// BatchCreateRoomMembership adds up to MaxMembershipItem members to a room in list order (§4.33, §5.5): each
// item is checked as CreateRoomMembership checks it and a failed item is reported (NotFound, BadRequest,
// Conflict, ResourceLimitExceeded) while the others apply; an id repeated in the list fails as Conflict after
// its first item. An empty list changes nothing.
// Errors (the whole request): EINVALID (FieldMembershipItems: too many items, an item without MemberId;
// FieldRole); ENOTFOUND (account, room); EFORBIDDEN on Team accounts.
func (s *Service) BatchCreateRoomMembership(ctx context.Context, caller Identity, accountID, roomID string, items []MembershipItem) (errs []MemberError, err error) {
	if len(items) > MaxMembershipItem {
		return nil, InvalidField(FieldMembershipItems, "must list at most %d members", MaxMembershipItem)
	}
	roles := make([]Role, len(items))
	for i, it := range items {
		if it.MemberID == nil {
			return nil, InvalidField(FieldMembershipItems, "item %d names no MemberId", i+1)
		}
		if err := ValidateID(FieldMembershipItems, *it.MemberID); err != nil {
			return nil, err
		}
		if roles[i], err = parseRole(it.Role); err != nil {
			return nil, err
		}
	}
	if err := validateRoomIDs(accountID, roomID); err != nil {
		return nil, err
	}
	err = s.roomWrite(ctx, caller, accountID, roomID, func(tx Tx, in *memberAdd) error {
		errs = []MemberError{}
		seen := make(map[string]bool, len(items))
		for i, it := range items {
			id := *it.MemberID
			if seen[id] {
				errs = append(errs, MemberError{MemberID: id, Code: ECONFLICT, Message: "The member is listed twice"})
				continue
			}
			seen[id] = true
			if _, err := s.add(ctx, tx, in, id, roles[i]); err != nil {
				switch code := ErrorCode(err); code {
				case EINVALID, ENOTFOUND, ECONFLICT, ELIMIT:
					errs = append(errs, MemberError{MemberID: id, Code: code, Message: ErrorMessage(err)})
				default:
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return errs, nil
}

// memberView completes a membership as listed: the user's PrimaryEmail and DisplayName, the bot's BotEmail and
// DisplayName (webhooks carry their name already). A member whose user or bot is gone shows only its id.
func memberView(ctx context.Context, tx Tx, m *RoomMember) error {
	switch m.Type {
	case MemberUser:
		u, err := tx.User(ctx, m.AccountID, m.MemberID)
		if err == nil {
			m.Email, m.FullName = u.Email, u.DisplayName
		} else if ErrorCode(err) != ENOTFOUND {
			return err
		}
	case MemberBot:
		b, err := tx.Bot(ctx, m.AccountID, m.MemberID)
		if err == nil {
			m.Email, m.FullName = b.Email, b.DisplayName
		} else if ErrorCode(err) != ENOTFOUND {
			return err
		}
	}
	return nil
}

// ListRoomMembershipsInput are the inputs of ListRoomMemberships.
type ListRoomMembershipsInput struct {
	MaxResults int // 0 = DefaultRoomPage
	NextToken  *string
}

// ListRoomMemberships returns a page of a room's members — users, bots and webhooks — in the order they joined
// (then MemberId), and the token of the next page ("" on the last) (§4.34, §2.4, D41).
// Errors: EINVALID (FieldNextToken); ENOTFOUND (account, room); EFORBIDDEN on Team accounts.
func (s *Service) ListRoomMemberships(ctx context.Context, aws, accountID, roomID string, in ListRoomMembershipsInput) ([]*RoomMember, string, error) {
	if err := validateRoomIDs(accountID, roomID); err != nil {
		return nil, "", err
	}
	limit := in.MaxResults
	if limit <= 0 {
		limit = DefaultRoomPage
	}
	scope := pageScope("ListRoomMemberships", aws, accountID, roomID)
	f := MembershipFilter{Limit: limit + 1}
	var err error
	if f.AfterCreated, f.AfterMemberID, err = s.parseTimeKey(scope, in.NextToken); err != nil {
		return nil, "", err
	}
	var list []*RoomMember
	more := false
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := roomAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		r, err := room(ctx, tx, a, roomID)
		if err != nil {
			return err
		}
		if list, err = tx.ListRoomMemberships(ctx, a.ID, r.ID, f); err != nil {
			return err
		}
		if more = len(list) > limit; more {
			list = list[:limit]
		}
		for _, m := range list {
			if err := memberView(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if more {
		last := list[limit-1]
		next = s.issueTimeKey(scope, last.CreatedAt, last.MemberID)
	}
	return list, next, nil
}

// UpdateRoomMembership changes the role of a user member (§4.34, D33): without a role it answers the membership
// unchanged; with one it sets it and UpdatedAt = now. Errors: EINVALID (FieldRole; FieldMemberID for a bot or
// webhook member); ENOTFOUND (account, room, membership); EFORBIDDEN on Team accounts.
func (s *Service) UpdateRoomMembership(ctx context.Context, aws, accountID, roomID, memberID string, role *string) (m *RoomMember, err error) {
	var r Role
	if role != nil {
		if r, err = parseRole(role); err != nil {
			return nil, err
		}
	}
	if err := validateRoomIDs(accountID, roomID, memberID); err != nil {
		return nil, err
	}
	err = s.roomWrite(ctx, Identity{AwsAccountID: aws}, accountID, roomID, func(tx Tx, in *memberAdd) error {
		cur, err := tx.RoomMembership(ctx, in.a.ID, in.room.ID, memberID)
		if err != nil {
			return err
		}
		if cur.Type != MemberUser {
			return InvalidField(FieldMemberID, "names a %s member; only users' roles change", cur.Type)
		}
		if role != nil {
			cur.Role, cur.UpdatedAt = r, in.now
			if err := tx.UpdateRoomMembership(ctx, cur); err != nil {
				return err
			}
		}
		m = &RoomMember{RoomMembership: *cur}
		return memberView(ctx, tx, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// DeleteRoomMembership removes a member from a room (§4.34): a bot gets a Remove event (§10.1) and its room URL
// dies with the membership; a webhook member is deleted with its webhook (deleteRoomWebhook, §9.7).
// Errors: ENOTFOUND (account, room, a member that is not in the room); EFORBIDDEN on Team accounts.
func (s *Service) DeleteRoomMembership(ctx context.Context, caller Identity, accountID, roomID, memberID string) error {
	if err := validateRoomIDs(accountID, roomID, memberID); err != nil {
		return err
	}
	return s.roomWrite(ctx, caller, accountID, roomID, func(tx Tx, in *memberAdd) error {
		cur, err := tx.RoomMembership(ctx, in.a.ID, in.room.ID, memberID)
		if err != nil {
			return err
		}
		switch cur.Type {
		case MemberBot:
			bot, err := tx.Bot(ctx, in.a.ID, memberID)
			if err == nil {
				if err := s.queueBotEvent(ctx, tx, BotEventInput{Bot: bot, Type: BotEventRemove,
					SenderID: callerARN(in.caller), SenderIDType: "IamArn", RoomID: in.room.ID}, in.now); err != nil {
					return err
				}
				in.bots++
			} else if ErrorCode(err) != ENOTFOUND {
				return err
			}
		case MemberWebhook:
			if err := s.deleteRoomWebhook(ctx, tx, in.room, memberID); err != nil {
				return err
			}
		}
		return tx.DeleteRoomMembership(ctx, in.a.ID, in.room.ID, memberID)
	})
}
