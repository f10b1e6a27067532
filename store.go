package chime

import (
	"context"
	"time"
)

// Store is the persistence the Service needs. Implementations are thin: they hold no business rules.
// Every Tx method returns *Error{ENOTFOUND} for a missing row and *Error{ECONFLICT} for a unique violation;
// anything else is an internal failure.
type Store interface {
	// Read runs fn against a consistent snapshot; fn must not write. fn may run more than once (a store may
	// first try it without a transaction, then run it again in one), so it assigns its results rather than
	// accumulating them, and reports nothing itself: only the last run's results and error count. The Tx is
	// valid only while fn runs: a store may reuse it for another read once fn returned.
	Read(ctx context.Context, fn func(Tx) error) error
	// Write runs fn in a write transaction that commits durably before Write returns, or rolls back when fn
	// returns an error (which Write returns unchanged). The transaction is serializable for the service's
	// access pattern: write methods read their account first (Tx.Account locks it), then look up or insert
	// addresses, then touch users; they never read another account after UserByEmail/InsertUser/InsertAccount.
	// fn may run more than once (a store retries lost races), so it must reset what it captures and have no
	// side effects outside the transaction.
	Write(ctx context.Context, fn func(Tx) error) error
	// Secret returns the server-wide secret called name, creating it from gen on first use (shared by every
	// node of one database).
	Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error)
	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// AccountFilter selects accounts of one AWS account, in creation order after AfterSeq.
type AccountFilter struct {
	NamePrefix string // case-sensitive prefix; "" = any
	EmailKey   string // EmailKey of a member's address; "" = any
	AfterSeq   int64
	Limit      int
}

// UserFilter selects users of one account, in creation order after AfterSeq.
type UserFilter struct {
	EmailKey string   // "" = any
	Type     UserType // "" = any
	AfterSeq int64
	Limit    int
}

// Tx is one transaction of a Store: the methods of every resource, one interface per resource, each
// implemented in one file of sqlstore. A new resource (rooms, bots, …) gets its own interface embedded here and
// its own sqlstore file.
type Tx interface {
	AccountTx
	UserTx
	LifecycleTx
	PhoneNumberTx
	SettingsTx
	ClockTx
	RetentionTx
	PhoneSettingsTx
	BotTx        // bots.go
	RoomTx       // rooms.go
	MessageTx    // messages.go
	BotEventTx   // botevents.go
	DialOutTx    // dialouts.go
	AuditTx      // audit.go
	CredentialTx // credentials.go: the command line's changes with their audit record

	ConsoleSessionTx // consolesessions.go: the admin console's sessions
	SCIMTx           // scimtokens.go: SCIM tokens and the SCIM side of users
}

// AccountTx holds the Tx methods of accounts and of whole AWS accounts (tenants).
type AccountTx interface {
	// Account returns a live account of the AWS account aws. ENOTFOUND when missing, deleted or foreign. In a
	// read transaction the account may be shared with a cache and other readers: callers must not modify it
	// (write transactions get their own copy, to change and store).
	Account(ctx context.Context, aws, id string) (*Account, error)
	// ListAccounts returns up to f.Limit live accounts.
	ListAccounts(ctx context.Context, aws string, f AccountFilter) ([]*Account, error)
	// InsertAccount stores a new account and sets its Seq.
	InsertAccount(ctx context.Context, a *Account) error
	// UpdateAccount stores every mutable field of a. ENOTFOUND when it is gone.
	UpdateAccount(ctx context.Context, a *Account) error
	// DeleteAccount tombstones a at time at and deletes its users.
	DeleteAccount(ctx context.Context, a *Account, at time.Time) error

	// DeleteTenant removes every account and user of the AWS account aws.
	DeleteTenant(ctx context.Context, aws string) error
}

// UserTx holds the Tx methods of users.
type UserTx interface {
	// User returns the user id of account accountID. ENOTFOUND when missing.
	User(ctx context.Context, accountID, id string) (*User, error)
	// UserByEmail returns the user of any account of aws whose EmailKey is key. ENOTFOUND when none.
	UserByEmail(ctx context.Context, aws, key string) (*User, error)
	// ListUsers returns up to f.Limit users of account a, with the members a listing shows: PIN, InviteID and
	// CreatedAt are left empty (lists never show them, and reading them costs).
	ListUsers(ctx context.Context, a *Account, f UserFilter) ([]*User, error)
	// CountUsers counts the users of accountID whose registration status is not except ("" counts all).
	CountUsers(ctx context.Context, accountID string, except RegistrationStatus) (int, error)
	// InsertUser stores a new user and sets its Seq. ECONFLICT when its email key is taken in the AWS account.
	InsertUser(ctx context.Context, u *User) error
	// UpdateUser stores every mutable field of u. ENOTFOUND when it is gone.
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser removes u.
	DeleteUser(ctx context.Context, u *User) error
	// PINExists reports whether any user holds pin.
	PINExists(ctx context.Context, pin string) (bool, error)
}

// LifecycleTx holds the Tx methods of the user lifecycle (lifecycle.go). Links and sessions belong to their
// user: deleting the user (or its account or tenant) deletes them too.
type LifecycleTx interface {
	// UsersByEmail returns the users of every AWS account whose EmailKey is key, in creation order.
	UsersByEmail(ctx context.Context, key string) ([]*User, error)
	// InsertLink stores a one-time link (its hash only).
	InsertLink(ctx context.Context, l *Link) error
	// Link returns the link whose token hashes to hash, used or not. ENOTFOUND when unknown.
	Link(ctx context.Context, hash []byte) (*Link, error)
	// UseLink marks an unused link used at at. ENOTFOUND when it is unknown or already used (including by a
	// concurrent transaction: exactly one caller wins).
	UseLink(ctx context.Context, hash []byte, at time.Time) error
	// CountLiveLinks counts the unused links of kind of a user that expire after now.
	CountLiveLinks(ctx context.Context, accountID, userID string, kind LinkKind, now time.Time) (int, error)
	// DeleteLinks removes every link of kind of a user.
	DeleteLinks(ctx context.Context, accountID, userID string, kind LinkKind) error
	// PurgeLinks removes every link of a user that expired before before.
	PurgeLinks(ctx context.Context, accountID, userID string, before time.Time) error
	// InsertSession stores a session (its hash only).
	InsertSession(ctx context.Context, ss *Session) error
	// Session returns the session whose token hashes to hash. ENOTFOUND when unknown.
	Session(ctx context.Context, hash []byte) (*Session, error)
	// DeleteSessions removes every session of a user, or only those expired before before when it is not zero.
	DeleteSessions(ctx context.Context, accountID, userID string, before time.Time) error
	// InsertOutbox stores an outgoing message and sets its Seq.
	InsertOutbox(ctx context.Context, m *OutboxMessage) error
	// SetOutboxStatus records the email status of message id. ENOTFOUND when it is gone.
	SetOutboxStatus(ctx context.Context, id string, st EmailStatus) error
	// ListOutbox returns the latest limit messages of the AWS account aws, oldest first.
	ListOutbox(ctx context.Context, aws string, limit int) ([]*OutboxMessage, error)
	// PruneOutbox deletes the messages of aws older than its latest keep.
	PruneOutbox(ctx context.Context, aws string, keep int) error
	// DeleteOutbox deletes the messages of aws about account accountID ("": all of them).
	DeleteOutbox(ctx context.Context, aws, accountID string) error
}

// SettingsTx holds the Tx methods of user settings and of an AWS account's global settings (settings.go). A
// user's settings belong to the user: deleting the user (or its account or AWS account) deletes them too.
type SettingsTx interface {
	// UserSettings returns the stored settings of a user. ENOTFOUND when none were ever stored.
	UserSettings(ctx context.Context, accountID, userID string) (*UserSettings, error)
	// PutUserSettings stores every setting of a user (an existing user of accountID).
	PutUserSettings(ctx context.Context, accountID, userID string, st *UserSettings) error
	// GlobalSettings returns the global settings of the AWS account aws; the zero value when never set.
	GlobalSettings(ctx context.Context, aws string) (*GlobalSettings, error)
	// PatchGlobalSettings stores the non-nil buckets of the AWS account aws, keeping the others, in one
	// statement (two concurrent patches of different members both hold).
	PatchGlobalSettings(ctx context.Context, aws string, businessCalling, voiceConnector *string) error
	// DeleteGlobalSettings removes the global settings of the AWS account aws.
	DeleteGlobalSettings(ctx context.Context, aws string) error
}

// PhoneSettingsTx holds the Tx methods of AWS accounts' phone number settings (sqlstore/phonesettings.go; §4.31).
type PhoneSettingsTx interface {
	// PhoneNumberSettings returns the phone number settings of the AWS account aws. ENOTFOUND when never set.
	PhoneNumberSettings(ctx context.Context, aws string) (*PhoneNumberSettings, error)
	// PutPhoneNumberSettings stores st as the settings of aws. When notAfter is not zero it stores them only if
	// none are stored or the stored ones were updated at or before notAfter, in one statement; ENOTFOUND when
	// they were not stored.
	PutPhoneNumberSettings(ctx context.Context, aws string, st *PhoneNumberSettings, notAfter time.Time) error
	// DeletePhoneNumberSettings removes the phone number settings of aws.
	DeletePhoneNumberSettings(ctx context.Context, aws string) error
}

// ClockTx holds the Tx methods of the server clock's offset (sqlstore/clock.go; docs/behavior.md D19, §9.5).
type ClockTx interface {
	// ClockOffset returns the server clock's offset from the wall clock (0 when never set).
	ClockOffset(ctx context.Context) (time.Duration, error)
	// SetClockOffset stores the offset d when it is not below the stored one. ENOTFOUND when the stored offset is
	// greater (a concurrent change won: the clock never goes back).
	SetClockOffset(ctx context.Context, d time.Duration) error
}

// RetentionTx holds the Tx methods of accounts' retention settings (sqlstore/retention.go; §4.20).
type RetentionTx interface {
	// RetentionSettings returns the retention settings of account accountID. ENOTFOUND when it has none.
	RetentionSettings(ctx context.Context, accountID string) (*RetentionSettings, error)
	// PutRetentionSettings stores r, replacing the account's settings.
	PutRetentionSettings(ctx context.Context, r *RetentionSettings) error
	// DeleteRetentionSettings deletes the settings of the AWS account aws's account accountID ("": of all of
	// its accounts).
	DeleteRetentionSettings(ctx context.Context, aws, accountID string) error
}

// PhoneNumberTx holds the Tx methods of phone numbers (sqlstore/phonenumbers.go).
type PhoneNumberTx interface {
	// AcquiredNumbers returns up to limit E.164 numbers acquired by any AWS account, ever, that lie between from
	// and to (inclusive, byte order), ascending. A number once acquired stays acquired (D21).
	AcquiredNumbers(ctx context.Context, from, to string, limit int) ([]string, error)
	// AcquireNumber records that the AWS account aws acquired e164 at at. It reports false, changing nothing, when
	// e164 was acquired before (by anyone, ever; of two concurrent transactions exactly one gets true).
	AcquireNumber(ctx context.Context, aws, e164 string, at time.Time) (bool, error)
	// LockNumbers serializes the write transactions that call it for the AWS account aws until they end (a no-op
	// where the engine serializes writers): a transaction that counts the inventory and then adds to it calls it
	// first.
	LockNumbers(ctx context.Context, aws string) error

	// InsertOrder stores a new order with its lines.
	InsertOrder(ctx context.Context, o *PhoneNumberOrder) error
	// Order returns the order id of aws with its lines. ENOTFOUND when missing or foreign.
	Order(ctx context.Context, aws, id string) (*PhoneNumberOrder, error)
	// ListOrders returns up to f.Limit orders of aws with their lines, in (CreatedAt, ID) order after f's key.
	ListOrders(ctx context.Context, aws string, f OrderFilter) ([]*PhoneNumberOrder, error)

	// InsertPhoneNumber stores a new inventory number. ECONFLICT when e164 has a record.
	InsertPhoneNumber(ctx context.Context, n *PhoneNumber) error
	// PhoneNumber returns the number e164 of aws's inventory as stored (pending transitions not applied); in a
	// write transaction it locks the row. ENOTFOUND when missing, foreign, or purged at now (PurgeAt ≤ now).
	PhoneNumber(ctx context.Context, aws, e164 string, now time.Time) (*PhoneNumber, error)
	// PhoneNumberOfUser returns the number associated with user userID of account accountID, as PhoneNumber does.
	// ENOTFOUND when none.
	PhoneNumberOfUser(ctx context.Context, accountID, userID string, now time.Time) (*PhoneNumber, error)
	// UpdatePhoneNumber stores every mutable field of n. ENOTFOUND when its record is gone.
	UpdatePhoneNumber(ctx context.Context, n *PhoneNumber) error
	// ListPhoneNumbers returns up to f.Limit numbers of aws that match f (see PhoneNumberFilter), as stored.
	ListPhoneNumbers(ctx context.Context, aws string, f PhoneNumberFilter) ([]*PhoneNumber, error)
	// CountPhoneNumbers counts the numbers of aws whose state at now (a due pending state applied) is one of
	// statuses; purged numbers never count.
	CountPhoneNumbers(ctx context.Context, aws string, statuses []NumberStatus, now time.Time) (int, error)
	// PurgePhoneNumbers deletes the records of aws whose PurgeAt is at or before now.
	PurgePhoneNumbers(ctx context.Context, aws string, now time.Time) error
	// DeletePhoneNumbers deletes every number and order of aws (acquired_numbers keeps its rows: D21).
	DeletePhoneNumbers(ctx context.Context, aws string) error
}
