package chime

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"time"

	"github.com/google/uuid"
)

// Service implements every operation of the API on top of a Store. It is the one place where the rules live:
// validation of inputs against the model, account-type rules, tenancy, pagination. Each public method owns its
// transaction. Every error it returns is an *Error, except internal failures of the store.
type Service struct {
	store  Store
	tokens *PageTokens
	now    func() time.Time
	rand   io.Reader
	life   lifecycle

	srvClock serverClock // the offset of the server clock (clock.go)

	callingNameInterval time.Duration // D28; 0: no rule (service_phone_settings.go)
	numbers             numberOptions // D23–D27 (service_numbers_*.go)
	bots                botOptions    // §10, D38 (botworker.go)
	auditState                        // the audit trail (audit.go)
}

// ServiceOptions tune a Service; the zero value is production behaviour.
type ServiceOptions struct {
	Now  func() time.Time // the wall clock; default time.Now. The server clock adds the stored offset (clock.go)
	Rand io.Reader        // default crypto/rand

	// The user lifecycle (lifecycle.go, sessions.go, mail.go).
	Mailer      Mailer        // sends invitations and sign-in links; nil: none goes out (EmailStatus NotSent)
	PublicURL   string        // base URL of every link; default DefaultPublicURL
	InviteTTL   time.Duration // lifetime of an invitation link; default DefaultInviteTTL
	SignInTTL   time.Duration // lifetime of a sign-in link; default DefaultSignInTTL
	SessionTTL  time.Duration // lifetime of a session; default DefaultSessionTTL
	MailTimeout time.Duration // bound on the mail sent by one request; default DefaultMailTimeout
	Keyring     *Keyring      // seals the links kept in the outbox; nil: a random key of this process
	Logger      *slog.Logger  // default slog.Default()

	// CallingNameInterval is the least time between two successful UpdatePhoneNumberSettings of an AWS account
	// (D28); 0 means DefaultCallingNameInterval, negative disables the rule (--calling-name-interval 0).
	CallingNameInterval time.Duration

	// Phone numbers (service_numbers_*.go): OrderDelay is how long an order stays Processing (D23, default 0);
	// CallingNameDelay how long a number's calling name stays UpdateInProgress (D27, default 0); DeletionQueue
	// how long a deleted number can be restored (D25; 0 means DefaultDeletionQueue); NumberLimit the inventory
	// of an AWS account (D24; 0 means DefaultNumberLimit).
	OrderDelay       time.Duration
	CallingNameDelay time.Duration
	DeletionQueue    time.Duration
	NumberLimit      int

	// Bots (botworker.go, §10): BotSender posts endpoint challenges and events (nil: nothing is sent, challenges
	// are skipped and events stay Pending); BotDeliveryTimeout bounds one attempt (0: DefaultBotDeliveryTimeout);
	// NoBotEndpointVerification skips the challenge of PutEventsConfiguration (--bot-endpoint-verification=false);
	// BotPollInterval is how often RunBotDelivery scans for Pending events (0: DefaultBotPollInterval).
	BotSender                 BotSender
	BotDeliveryTimeout        time.Duration
	NoBotEndpointVerification bool
	BotPollInterval           time.Duration

	// AuditRetention is how long audit records are kept (--audit-retention, audit.go); 0 means
	// DefaultAuditRetention, negative keeps them forever.
	AuditRetention time.Duration
}

// NewService returns a Service over store. Page tokens are signed with the store's shared key.
func NewService(ctx context.Context, store Store, o ServiceOptions) (*Service, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	key, err := store.Secret(ctx, "page-token-key", func() ([]byte, error) {
		b := make([]byte, 32)
		_, err := io.ReadFull(rand.Reader, b)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("page token key: %w", err)
	}
	life, err := newLifecycle(o)
	if err != nil {
		return nil, err
	}
	s := &Service{store: store, tokens: NewPageTokens(key), now: o.Now, rand: o.Rand, life: life,
		callingNameInterval: callingNameInterval(o.CallingNameInterval), numbers: newNumberOptions(o),
		bots: newBotOptions(o)}
	s.store = &auditStore{Store: store, s: s}
	s.auditRetention = o.AuditRetention
	if s.auditRetention == 0 {
		s.auditRetention = DefaultAuditRetention
	}
	if _, err := s.loadClock(ctx); err != nil {
		return nil, fmt.Errorf("server clock: %w", err)
	}
	return s, nil
}

// Store returns the service's store (without the audit wrapper: writes through it are not audited).
func (s *Service) Store() Store { return s.store.(*auditStore).Store }

// clock returns the server clock's now (D19: the wall clock plus the stored offset, clock.go) truncated to the
// millisecond precision the wire carries.
func (s *Service) clock() time.Time {
	return s.now().Add(s.srvClock.offset()).UTC().Truncate(time.Millisecond)
}

func newID() string { return uuid.NewString() }

// newPIN returns 10 random decimal digits that no user holds and that differ from old.
func (s *Service) newPIN(ctx context.Context, tx Tx, old string) (string, error) {
	max := big.NewInt(10_000_000_000)
	for i := 0; i < 20; i++ {
		n, err := rand.Int(s.rand, max)
		if err != nil {
			return "", err
		}
		pin := fmt.Sprintf("%010d", n)
		if pin == old {
			continue
		}
		taken, err := tx.PINExists(ctx, pin)
		if err != nil {
			return "", err
		}
		if !taken {
			return pin, nil
		}
	}
	return "", fmt.Errorf("no free personal PIN found")
}

// account loads a live account of the caller, validating the id first.
func account(ctx context.Context, tx Tx, aws, id string) (*Account, error) {
	if err := ValidateID(FieldAccountID, id); err != nil {
		return nil, err
	}
	return tx.Account(ctx, aws, id)
}

// user loads a user of account a, validating the id first.
func user(ctx context.Context, tx Tx, a *Account, id string) (*User, error) {
	if err := ValidateID(FieldUserID, id); err != nil {
		return nil, err
	}
	return tx.User(ctx, a.ID, id)
}

func pageScope(op, aws string, filters ...string) string {
	s := op + "\x00" + aws
	for _, f := range filters {
		s += "\x00" + f
	}
	return s
}

// pageStart parses an optional NextToken for scope; nil or "" starts at the beginning.
func (s *Service) pageStart(scope string, token *string) (int64, error) {
	if token == nil || *token == "" {
		return 0, nil
	}
	if len(*token) > maxTokenLen {
		return 0, InvalidField(FieldNextToken, "is not valid for this request")
	}
	return s.tokens.Parse(scope, *token)
}

// issueTimeKey returns the token of a keyset (time, id) listing that resumes after (at, id).
func (s *Service) issueTimeKey(scope string, at time.Time, id string) string {
	key := binary.BigEndian.AppendUint64(nil, uint64(at.UnixMilli()))
	return s.tokens.IssueKey(scope, append(key, id...))
}

// timePage cuts the rows of a (time, id) keyset query that asked for limit+1 rows to the page of limit, and
// returns the token of the next page ("" when the rows held no more than the page).
func timePage[T any](s *Service, scope string, list []T, limit int, key func(T) (time.Time, string)) ([]T, string) {
	if len(list) <= limit {
		return list, ""
	}
	list = list[:limit]
	at, id := key(list[limit-1])
	return list, s.issueTimeKey(scope, at, id)
}

// parseTimeKey returns the position of a token of issueTimeKey; nil or "" is the start (zero values).
// Errors: EINVALID (FieldNextToken).
func (s *Service) parseTimeKey(scope string, token *string) (time.Time, string, error) {
	if token == nil || *token == "" {
		return time.Time{}, "", nil
	}
	if len(*token) > maxTokenLen {
		return time.Time{}, "", InvalidField(FieldNextToken, "is not valid for this request")
	}
	key, err := s.tokens.ParseKey(scope, *token)
	if err != nil {
		return time.Time{}, "", err
	}
	if len(key) < 8 {
		return time.Time{}, "", InvalidField(FieldNextToken, "is not valid for this request")
	}
	return time.UnixMilli(int64(binary.BigEndian.Uint64(key))).UTC(), string(key[8:]), nil
}

// page turns the rows of a keyset query that asked for limit rows (one more than the page) into the page and
// the token of the next one: a full answer means another page follows; none ("") on the last page.
func page[T any](tokens *PageTokens, scope string, list []T, limit int, seq func(T) int64) ([]T, string) {
	if len(list) < limit {
		return list, ""
	}
	list = list[:limit-1]
	return list, tokens.Issue(scope, seq(list[len(list)-1]))
}
