package chime

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Messages of rooms and conversations through the chimed extensions (§9.6), redaction (§4.35, D34) and the
// Mention events user messages trigger (§10.1). Webhooks and inbound URLs: service_webhooks.go.

// validateContent applies §9.6: 1..MaxMessageBytes bytes of UTF-8 without NUL. Errors: EINVALID (FieldContent).
func validateContent(content *string) error {
	if content == nil {
		return InvalidField(FieldContent, "is required")
	}
	c := *content
	switch {
	case c == "":
		return InvalidField(FieldContent, "must not be empty")
	case len(c) > MaxMessageBytes:
		return InvalidField(FieldContent, "must be at most %d bytes", MaxMessageBytes)
	case !utf8.ValidString(c):
		return InvalidField(FieldContent, "is not valid UTF-8")
	case strings.IndexByte(c, 0) >= 0:
		return InvalidField(FieldContent, "must not contain NUL characters")
	}
	return nil
}

// chatAccount loads the account of a message call: a room's must be Enterprise (§4.23), a conversation's may be
// any type.
func chatAccount(ctx context.Context, tx Tx, aws, id string, kind ChatKind) (*Account, error) {
	if kind == ChatRoom {
		return roomAccount(ctx, tx, aws, id)
	}
	return account(ctx, tx, aws, id)
}

// chatSender checks that user userID may post into chat (kind, chatID) of account a: a user of the account that
// is not Suspended and is a member (a User member of the room, or one of the conversation's members).
// Errors: ENOTFOUND for the chat; EINVALID (FieldSenderID) otherwise.
func chatSender(ctx context.Context, tx Tx, a *Account, kind ChatKind, chatID, userID string) (*User, error) {
	if kind == ChatRoom {
		if _, err := room(ctx, tx, a, chatID); err != nil {
			return nil, err
		}
	} else {
		c, err := tx.Conversation(ctx, a.ID, chatID)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(c.MemberIDs, userID) {
			return nil, InvalidField(FieldSenderID, "is not a member of the conversation")
		}
	}
	u, err := tx.User(ctx, a.ID, userID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, InvalidField(FieldSenderID, "names no user of the account")
	} else if err != nil {
		return nil, err
	}
	if u.RegistrationStatus == Suspended {
		return nil, InvalidField(FieldSenderID, "names a suspended user")
	}
	if kind == ChatRoom {
		m, err := tx.RoomMembership(ctx, a.ID, chatID, userID)
		if ErrorCode(err) == ENOTFOUND || err == nil && m.Type != MemberUser {
			return nil, InvalidField(FieldSenderID, "is not a member of the room")
		} else if err != nil {
			return nil, err
		}
	}
	return u, nil
}

// PostMessage posts content into a room or conversation of an account as user senderID (§9.6): the sender
// must be a member that is not Suspended. A room message that mentions bot members queues their Mention
// events (§10.1). Errors: EINVALID (FieldContent, FieldSenderID, ids); ENOTFOUND (account, room or
// conversation); EFORBIDDEN for a room of a Team account.
func (s *Service) PostMessage(ctx context.Context, aws, accountID string, kind ChatKind, chatID string, senderID, content *string) (*ChatMessage, error) {
	if err := validateContent(content); err != nil {
		return nil, err
	}
	if senderID == nil {
		return nil, InvalidField(FieldSenderID, "is required")
	}
	if err := requireText(FieldSenderID, *senderID); err != nil {
		return nil, err
	}
	return s.postAs(ctx, aws, accountID, kind, chatID, *senderID, *content)
}

// PostSessionMessage posts content as the user of session token into a room or conversation of the user's
// account (§9.6). Errors: EUNAUTHORIZED for an unknown, expired or revoked session; else as PostMessage.
func (s *Service) PostSessionMessage(ctx context.Context, token string, kind ChatKind, chatID string, content *string) (*ChatMessage, error) {
	u, err := s.SessionUser(ctx, token)
	if err != nil {
		return nil, err
	}
	if err := validateContent(content); err != nil {
		return nil, err
	}
	return s.postAs(ctx, u.AwsAccountID, u.AccountID, kind, chatID, u.ID, *content)
}

func (s *Service) postAs(ctx context.Context, aws, accountID string, kind ChatKind, chatID, senderID, content string) (m *ChatMessage, err error) {
	if err := validateChatIDs(accountID, kind, chatID); err != nil {
		return nil, err
	}
	now := s.clock()
	events := 0
	err = s.store.Write(ctx, func(tx Tx) error {
		m, events = nil, 0
		a, err := chatAccount(ctx, tx, aws, accountID, kind)
		if err != nil {
			return err
		}
		u, err := chatSender(ctx, tx, a, kind, chatID, senderID)
		if err != nil {
			return err
		}
		if err := purgeMessages(ctx, tx, a.ID, now); err != nil {
			return err
		}
		m = &ChatMessage{ID: newID(), AwsAccountID: a.AwsAccountID, AccountID: a.ID, Kind: kind, ChatID: chatID,
			SenderType: SenderUser, SenderID: u.ID, SenderName: u.DisplayName, Content: content, CreatedAt: now}
		if err := tx.InsertMessage(ctx, m); err != nil {
			return err
		}
		if kind == ChatRoom {
			events, err = s.mentions(ctx, tx, a, chatID, u, content, now)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if events > 0 {
		s.kickBotEvents()
	}
	return m, nil
}

// mentions queues a Mention event (§10.1) for every bot member of room roomID that content mentions, with a
// ShortLived reply URL, and returns how many it considered.
func (s *Service) mentions(ctx context.Context, tx Tx, a *Account, roomID string, u *User, content string, now time.Time) (int, error) {
	if !strings.Contains(content, "@") {
		return 0, nil
	}
	ids, err := tx.RoomBotMembers(ctx, a.ID, roomID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		b, err := tx.Bot(ctx, a.ID, id)
		if ErrorCode(err) == ENOTFOUND {
			continue
		} else if err != nil {
			return 0, err
		}
		if !Mentions(content, b.Email) {
			continue
		}
		url, err := s.botRoomURL(ctx, tx, b, roomID, now.Add(MentionURLLifetime), now)
		if err != nil {
			return 0, err
		}
		if err := s.queueBotEvent(ctx, tx, BotEventInput{Bot: b, Type: BotEventMention, SenderID: u.Email,
			SenderIDType: "EmailId", RoomID: roomID, EndpointType: EndpointShortLived, EndpointURL: url,
			Message: content}, now); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// Mentions reports whether content mentions email (§10.1): "@" + email in any case, not followed by a letter, a
// digit, "-", "_" or "@".
func Mentions(content, email string) bool {
	if email == "" {
		return false
	}
	for i := 0; i < len(content); i++ {
		if content[i] != '@' {
			continue
		}
		end := i + 1 + len(email)
		if end > len(content) || !strings.EqualFold(content[i+1:end], email) {
			continue
		}
		r, _ := utf8.DecodeRuneInString(content[end:])
		if end == len(content) || !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '@') {
			return true
		}
	}
	return false
}

// validateChatIDs checks the ids of a chat path. Errors: EINVALID.
func validateChatIDs(accountID string, kind ChatKind, chatID string, more ...string) error {
	if err := ValidateID(FieldAccountID, accountID); err != nil {
		return err
	}
	f := FieldRoomID
	if kind == ChatConversation {
		f = FieldConversationID
	}
	if err := ValidateID(f, chatID); err != nil {
		return err
	}
	for _, m := range more {
		if err := ValidateID(FieldMessageID, m); err != nil {
			return err
		}
	}
	return nil
}

// ListMessages returns the latest MaxListedMessages visible messages (D35) of a room or conversation, oldest
// first, redacted ones included (§9.6). Errors: EINVALID (ids); ENOTFOUND (account, room or conversation);
// EFORBIDDEN for a room of a Team account.
func (s *Service) ListMessages(ctx context.Context, aws, accountID string, kind ChatKind, chatID string) (list []*ChatMessage, err error) {
	if err := validateChatIDs(accountID, kind, chatID); err != nil {
		return nil, err
	}
	now := s.clock()
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := chatAccount(ctx, tx, aws, accountID, kind)
		if err != nil {
			return err
		}
		if err := chatExists(ctx, tx, a, kind, chatID); err != nil {
			return err
		}
		ret, err := loadRetention(ctx, tx, a.ID, now)
		if err != nil {
			return err
		}
		list, err = tx.ListMessages(ctx, a.ID, kind, chatID, ret.visibleAfter(kind), MaxListedMessages)
		return err
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// chatExists checks the room or conversation chatID of account a. Errors: ENOTFOUND.
func chatExists(ctx context.Context, tx Tx, a *Account, kind ChatKind, chatID string) error {
	if kind == ChatRoom {
		_, err := room(ctx, tx, a, chatID)
		return err
	}
	_, err := tx.Conversation(ctx, a.ID, chatID)
	return err
}

// RedactMessage erases the content of a message of a room (RedactRoomMessage) or conversation
// (RedactConversationMessage) for good and marks it Redacted at now (§4.35, D34); a redacted message answers
// again without change. Errors: EINVALID (ids); ENOTFOUND (account, chat, a message not in that chat, hidden
// or purged by retention, D35); EFORBIDDEN for a room of a Team account.
func (s *Service) RedactMessage(ctx context.Context, aws, accountID string, kind ChatKind, chatID, messageID string) error {
	if err := validateChatIDs(accountID, kind, chatID, messageID); err != nil {
		return err
	}
	now := s.clock()
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := chatAccount(ctx, tx, aws, accountID, kind)
		if err != nil {
			return err
		}
		if err := chatExists(ctx, tx, a, kind, chatID); err != nil {
			return err
		}
		ret, err := loadRetention(ctx, tx, a.ID, now)
		if err != nil {
			return err
		}
		if err := ret.purge(ctx, tx); err != nil {
			return err
		}
		m, err := tx.Message(ctx, a.ID, kind, chatID, messageID, ret.visibleAfter(kind))
		if err != nil || m.Redacted {
			return err
		}
		return tx.RedactMessage(ctx, a.ID, m.ID, now)
	})
}

// memberKey identifies a set of member ids: the hex SHA-256 of the sorted ids, each followed by NUL.
func memberKey(ids []string) string {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	h := sha256.New()
	for _, id := range sorted {
		h.Write([]byte(id))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// CreateConversation returns the conversation of account accountID among memberIDs (§9.6): 2..50 distinct
// users of the account. The same set again answers the existing conversation (created false).
// Errors: EINVALID (FieldMemberIDs: count, repeats, an id that names no user of the account); ENOTFOUND (the
// account).
func (s *Service) CreateConversation(ctx context.Context, aws, accountID string, memberIDs []string) (c *Conversation, created bool, err error) {
	if len(memberIDs) < MinConversationMembers || len(memberIDs) > MaxConversationMembers {
		return nil, false, InvalidField(FieldMemberIDs, "must list %d to %d users", MinConversationMembers, MaxConversationMembers)
	}
	seen := make(map[string]bool, len(memberIDs))
	for _, id := range memberIDs {
		if err := requireText(FieldMemberIDs, id); err != nil {
			return nil, false, err
		}
		if seen[id] {
			return nil, false, InvalidField(FieldMemberIDs, "lists a user twice")
		}
		seen[id] = true
	}
	if err := ValidateID(FieldAccountID, accountID); err != nil {
		return nil, false, err
	}
	key := memberKey(memberIDs)
	now := s.clock()
	err = s.store.Write(ctx, func(tx Tx) error {
		c, created = nil, false
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		for _, id := range memberIDs {
			if _, err := tx.User(ctx, a.ID, id); ErrorCode(err) == ENOTFOUND {
				return InvalidField(FieldMemberIDs, "names no user of the account: %s", id)
			} else if err != nil {
				return err
			}
		}
		if c, err = tx.ConversationByMembers(ctx, a.ID, key); err == nil || ErrorCode(err) != ENOTFOUND {
			return err
		}
		c = &Conversation{ID: newID(), AccountID: a.ID, AwsAccountID: a.AwsAccountID,
			MemberIDs: slices.Clone(memberIDs), MemberKey: key, CreatedAt: now}
		created = true
		return tx.InsertConversation(ctx, c)
	})
	if err != nil {
		return nil, false, err
	}
	return c, created, nil
}

// ListConversations returns the latest MaxListedConversations conversations of an account in creation order
// (§9.6). Errors: EINVALID (the id); ENOTFOUND (the account).
func (s *Service) ListConversations(ctx context.Context, aws, accountID string) (list []*Conversation, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		list, err = tx.ListConversations(ctx, a.ID, MaxListedConversations)
		return err
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}
