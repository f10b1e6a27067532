package chime

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"time"
)

// Messages, conversations, incoming webhooks and bot reply URLs (docs/behavior.md §9.6, §9.7; D34, D35, D39).
//
// CONTRACT (used by rooms.go; the messages work fills in the rest): Service.botRoomURL keeps this signature.
//
// Retention (D35) is data compared with the server clock, like the phone numbers' scheduled transitions
// (phonenumbers.go): a message of a room (conversation) of an account whose room (conversation) policy is N
// days is hidden from every read once now ≥ CreatedTimestamp + N days — the store's listing and lookup take the
// cut-off time and return only newer messages. While now < InitiateDeletionTimestamp the hidden rows stay, so
// relaxing the policy shows them again. At or after it, a hidden message is purged: it is already invisible,
// and the next write of the account's messages (a post, a redaction) or of its retention settings deletes such
// rows for good (purgeMessages, under the policy in force until that write), so that no later relaxation can
// bring them back.

// Limits of messages, conversations and webhooks (§4.39, §9.6, §9.7).
const (
	MaxMessageBytes         = 4096 // bytes of a message's Content
	MinConversationMembers  = 2
	MaxConversationMembers  = 50
	MaxWebhooksPerRoom      = 10
	MaxWebhookNameLen       = 64   // characters
	MaxListedMessages       = 1000 // a listing shows the latest this many, oldest first
	MaxListedConversations  = 1000 // likewise for conversations
	MentionURLLifetime      = 2 * time.Minute
	inboundTokenBytes       = 48 // 64 characters of base64url
	incomingWebhooksPathSeg = "incomingwebhooks"
)

// Fields of the message endpoints, in the domain's words (the wire layer names their members).
const (
	FieldContent        Field = "content"
	FieldSenderID       Field = "sender id"
	FieldMemberIDs      Field = "member ids"
	FieldMessageID      Field = "message id"
	FieldConversationID Field = "conversation id"
	FieldWebhookID      Field = "webhook id"
)

// ChatKind says what holds a message.
type ChatKind string

// Chat kinds.
const (
	ChatRoom         ChatKind = "room"
	ChatConversation ChatKind = "conversation"
)

// SenderType is the kind of a message's sender (§9.6).
type SenderType string

// Sender types.
const (
	SenderUser    SenderType = "User"
	SenderBot     SenderType = "Bot"
	SenderWebhook SenderType = "Webhook"
)

// ChatMessage is a message of a room or a conversation (§9.6). A redacted message has no Content.
type ChatMessage struct {
	ID           string
	AwsAccountID string
	AccountID    string
	Kind         ChatKind
	ChatID       string // the room or conversation
	Seq          int64  // order in its chat, set by the store
	SenderType   SenderType
	SenderID     string
	SenderName   string // "" when the sender shows none
	Content      string
	Redacted     bool
	RedactedAt   time.Time
	CreatedAt    time.Time
}

// Conversation is a set of 2..50 users of one account who exchange messages (§9.6).
type Conversation struct {
	ID           string
	AccountID    string
	AwsAccountID string
	MemberIDs    []string // in the order of the creating request
	MemberKey    string   // identifies the member set (memberKey)
	CreatedAt    time.Time
}

// Webhook is an incoming webhook of a room (§9.7). URL is set only when it is created or regenerated (the store
// keeps the token's hash).
type Webhook struct {
	ID           string
	AccountID    string
	AwsAccountID string
	RoomID       string
	Name         string
	CreatedAt    time.Time
	URL          string
}

// InboundKind says who posts through an inbound URL.
type InboundKind string

// Inbound URL kinds.
const (
	InboundWebhook InboundKind = "webhook"
	InboundBot     InboundKind = "bot"
)

// InboundURL is an incoming webhook URL or a bot's reply URL (D39): {public-url}/incomingwebhooks/{ID}?token=….
type InboundURL struct {
	ID           string
	Hash         []byte // SHA-256 of the token; the token itself is never stored
	AwsAccountID string
	AccountID    string
	RoomID       string
	Kind         InboundKind
	OwnerID      string    // the webhook or the bot
	MemberSince  time.Time // bot URLs: the CreatedAt of the membership the URL belongs to
	ExpiresAt    time.Time // zero: no expiry (webhooks; a bot's Persistent URL lives with its membership)
	CreatedAt    time.Time
}

// MessageTx holds the Tx methods of messages, conversations and inbound URLs (sqlstore/messages.go). They all
// belong to their account: DeleteChats removes them with it; a room's go with the room (DeleteRoomChats).
type MessageTx interface {
	// InsertMessage stores a new message and sets its Seq (after every message of its chat).
	InsertMessage(ctx context.Context, m *ChatMessage) error
	// Message returns message id of chat (kind, chatID) of account accountID when it was created after
	// visibleAfter (zero: any). ENOTFOUND otherwise.
	Message(ctx context.Context, accountID string, kind ChatKind, chatID, id string, visibleAfter time.Time) (*ChatMessage, error)
	// ListMessages returns the latest limit messages of a chat created after visibleAfter (zero: any), oldest
	// first.
	ListMessages(ctx context.Context, accountID string, kind ChatKind, chatID string, visibleAfter time.Time, limit int) ([]*ChatMessage, error)
	// RedactMessage erases the content of message id and marks it redacted at at, unless it is already.
	RedactMessage(ctx context.Context, accountID, id string, at time.Time) error
	// PurgeMessages deletes the messages of account accountID's chats of kind created at or before before.
	PurgeMessages(ctx context.Context, accountID string, kind ChatKind, before time.Time) error

	// InsertConversation stores a new conversation. ECONFLICT when its MemberKey is taken in the account.
	InsertConversation(ctx context.Context, c *Conversation) error
	// Conversation returns conversation id of account accountID. ENOTFOUND when missing.
	Conversation(ctx context.Context, accountID, id string) (*Conversation, error)
	// ConversationByMembers returns the conversation of account accountID with member key key. ENOTFOUND when
	// none.
	ConversationByMembers(ctx context.Context, accountID, key string) (*Conversation, error)
	// ListConversations returns the latest limit conversations of account accountID, oldest first.
	ListConversations(ctx context.Context, accountID string, limit int) ([]*Conversation, error)

	// InsertWebhook stores a new webhook.
	InsertWebhook(ctx context.Context, w *Webhook) error
	// Webhook returns webhook id of room roomID of account accountID. ENOTFOUND when missing.
	Webhook(ctx context.Context, accountID, roomID, id string) (*Webhook, error)
	// CountWebhooks counts the webhooks of room roomID of account accountID.
	CountWebhooks(ctx context.Context, accountID, roomID string) (int, error)
	// DeleteWebhook removes webhook id of room roomID of account accountID and its URLs (none: nothing happens).
	DeleteWebhook(ctx context.Context, accountID, roomID, id string) error

	// InsertInboundURL stores a new inbound URL (its token's hash only).
	InsertInboundURL(ctx context.Context, u *InboundURL) error
	// InboundURL returns the inbound URL id. ENOTFOUND when unknown.
	InboundURL(ctx context.Context, id string) (*InboundURL, error)
	// DeleteInboundURLs removes the URLs of owner ownerID in room roomID of account accountID; only those that
	// expired at or before expiredBy unless it is zero (then all of them).
	DeleteInboundURLs(ctx context.Context, accountID, roomID, ownerID string, expiredBy time.Time) error
	// RoomBotMembers returns the ids of the Bot members of room roomID of account accountID.
	RoomBotMembers(ctx context.Context, accountID, roomID string) ([]string, error)

	// DeleteRoomChats removes the messages, webhooks and inbound URLs of room roomID of account accountID.
	DeleteRoomChats(ctx context.Context, accountID, roomID string) error
	// DeleteChats removes every message, conversation, webhook and inbound URL of the AWS account aws's account
	// accountID ("": of all of its accounts).
	DeleteChats(ctx context.Context, aws, accountID string) error
}

// newInboundToken returns a new URL token (64 characters of base64url) and its hash.
func newInboundToken() (string, []byte, error) {
	b := make([]byte, inboundTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(tok))
	return tok, h[:], nil
}

// inboundTokenMatches reports whether tok is the token whose hash is hash (constant time).
func inboundTokenMatches(tok string, hash []byte) bool {
	h := sha256.Sum256([]byte(tok))
	return subtle.ConstantTimeCompare(h[:], hash) == 1
}

// inboundURL returns the public URL of inbound URL id with token tok (D39).
func (s *Service) inboundURL(id, tok string) string {
	return s.life.publicURL + "/" + incomingWebhooksPathSeg + "/" + id + "?token=" + tok
}

// newInbound stores a new inbound URL u (ID, Hash and CreatedAt are set here) and returns its public URL.
func (s *Service) newInbound(ctx context.Context, tx Tx, u *InboundURL, now time.Time) (string, error) {
	tok, hash, err := newInboundToken()
	if err != nil {
		return "", err
	}
	u.ID, u.Hash, u.CreatedAt = newID(), hash, now
	if err := tx.InsertInboundURL(ctx, u); err != nil {
		return "", err
	}
	return s.inboundURL(u.ID, tok), nil
}

// botRoomURL creates the inbound URL through which bot b posts into room roomID (D39): until expires (server
// time), or while b is a member of the room when expires is zero (the Invite event's Persistent URL). It runs
// inside the trigger's write transaction tx and returns the URL. Either kind also dies with the membership it
// was created under (a bot removed and invited again gets new URLs). Errors: ENOTFOUND when b is not a member
// of the room; the store's.
func (s *Service) botRoomURL(ctx context.Context, tx Tx, b *Bot, roomID string, expires, now time.Time) (string, error) {
	m, err := tx.RoomMembership(ctx, b.AccountID, roomID, b.ID)
	if err != nil {
		return "", err
	}
	// Drop what is dead already: expired URLs of the bot in the room, and with a new Persistent URL the old ones
	// (they belonged to an earlier membership).
	if err := tx.DeleteInboundURLs(ctx, b.AccountID, roomID, b.ID, now); err != nil {
		return "", err
	}
	if expires.IsZero() {
		if err := tx.DeleteInboundURLs(ctx, b.AccountID, roomID, b.ID, time.Time{}); err != nil {
			return "", err
		}
	}
	return s.newInbound(ctx, tx, &InboundURL{AwsAccountID: b.AwsAccountID, AccountID: b.AccountID, RoomID: roomID,
		Kind: InboundBot, OwnerID: b.ID, MemberSince: m.CreatedAt, ExpiresAt: expires}, now)
}

// HOOKS called by the rooms work (service_rooms*.go).

// deleteRoomMessages removes what the messages work keeps for room r — its messages, its webhooks and their
// URLs, the bot URLs of the room (§4.32, §9.7) — inside DeleteRoom's write transaction tx, before the room and
// its memberships are deleted. Errors abort the DeleteRoom.
func (s *Service) deleteRoomMessages(ctx context.Context, tx Tx, r *Room) error {
	return tx.DeleteRoomChats(ctx, r.AccountID, r.ID)
}

// deleteRoomWebhook removes webhook webhookID of room r and its URL (§4.34, §9.7) inside DeleteRoomMembership's
// write transaction tx, before its Webhook membership is deleted. Errors abort the DeleteRoomMembership.
func (s *Service) deleteRoomWebhook(ctx context.Context, tx Tx, r *Room, webhookID string) error {
	return tx.DeleteWebhook(ctx, r.AccountID, r.ID, webhookID)
}

// retention is an account's policies as they apply to reads and writes at now (D35).
type retention struct {
	settings *RetentionSettings // never nil
	now      time.Time
}

// loadRetention reads the retention settings of account accountID (none: no policy).
func loadRetention(ctx context.Context, tx Tx, accountID string, now time.Time) (*retention, error) {
	r, err := tx.RetentionSettings(ctx, accountID)
	if ErrorCode(err) == ENOTFOUND {
		r, err = &RetentionSettings{AccountID: accountID}, nil
	}
	if err != nil {
		return nil, err
	}
	return &retention{settings: r, now: now}, nil
}

// days returns the policy of kind in days (0: none).
func (r *retention) days(kind ChatKind) int {
	if kind == ChatRoom {
		return r.settings.RoomDays
	}
	return r.settings.ConversationDays
}

// visibleAfter returns the cut-off of kind: messages created at or before it are hidden (zero: none is).
func (r *retention) visibleAfter(kind ChatKind) time.Time {
	d := r.days(kind)
	if d == 0 {
		return time.Time{}
	}
	return r.now.Add(-time.Duration(d) * 24 * time.Hour)
}

// purge deletes for good the hidden messages of the account's chats once InitiateDeletion has come (D35).
func (r *retention) purge(ctx context.Context, tx Tx) error {
	st := r.settings
	if st.InitiateDeletion.IsZero() || r.now.Before(st.InitiateDeletion) {
		return nil
	}
	for _, kind := range []ChatKind{ChatRoom, ChatConversation} {
		if cut := r.visibleAfter(kind); !cut.IsZero() {
			if err := tx.PurgeMessages(ctx, st.AccountID, kind, cut); err != nil {
				return err
			}
		}
	}
	return nil
}

// purgeMessages applies D35's purge to account accountID at now under the settings stored now; PutRetentionSettings
// calls it before it changes them, so that a message purged under a policy never returns under the next.
func purgeMessages(ctx context.Context, tx Tx, accountID string, now time.Time) error {
	r, err := loadRetention(ctx, tx, accountID, now)
	if err != nil {
		return err
	}
	return r.purge(ctx, tx)
}
