package chime_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// Unit tests of the business rules of the Service, against the real store (chime.Store via sqlstore): SQLite in
// t.TempDir(), or a fresh PostgreSQL schema when CHIMED_TEST_POSTGRES is set (testenv.DSN). Each top-level
// test gets its own store; its subtests share it and isolate themselves with an AWS account of their own
// (newTenant). Errors are asserted by code and field, never by message.

var ctx = context.Background()

// clock is a controllable clock: a fixed instant that only Advance moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// pinSource is the Service's random source (used only to draw personal PINs). Force queues the bytes that make
// the next draw yield a chosen PIN; once the queue is empty it reads crypto/rand.
type pinSource struct {
	mu     sync.Mutex
	queued []byte
}

// Force makes the next PIN drawn be pin (10 digits). crypto/rand.Int draws 5 bytes per candidate below 10^10.
func (p *pinSource) Force(pin string) {
	n, err := strconv.ParseUint(pin, 10, 64)
	if err != nil || len(pin) != 10 {
		panic("pinSource.Force: want 10 digits, got " + pin)
	}
	b := binary.BigEndian.AppendUint64(nil, n)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queued = append(p.queued, b[3:]...)
}

func (p *pinSource) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.queued) > 0 {
		n := copy(b, p.queued)
		p.queued = p.queued[n:]
		return n, nil
	}
	return rand.Read(b)
}

// mailbox is a Mailer that accepts every message and keeps it.
type mailbox struct {
	mu   sync.Mutex
	msgs []chime.Message
}

func (m *mailbox) Send(_ context.Context, msg chime.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.msgs = append(m.msgs, msg)
	return nil
}

// To returns the messages sent to the address to (exactly as given), oldest first.
func (m *mailbox) To(to string) []chime.Message {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []chime.Message
	for _, msg := range m.msgs {
		if msg.To == to {
			out = append(out, msg)
		}
	}
	return out
}

// env is a Service over a fresh store, with a controllable clock, PIN source and mailbox.
type env struct {
	Svc   *chime.Service
	Store chime.Store
	Clock *clock
	PINs  *pinSource
	Mail  *mailbox
}

// newEnv returns an env over a fresh database of the engine chosen by testenv.DSN.
func newEnv(tb testing.TB) *env {
	tb.Helper()
	e := &env{
		Store: testenv.MustOpen(tb, testenv.DSN(tb)),
		Clock: &clock{now: time.Date(2025, 3, 4, 5, 6, 7, 89_000_000, time.UTC)},
		PINs:  &pinSource{},
		Mail:  &mailbox{},
	}
	svc, err := chime.NewService(ctx, e.Store, chime.ServiceOptions{Now: e.Clock.Now, Rand: e.PINs, Mailer: e.Mail})
	if err != nil {
		tb.Fatalf("NewService: %v", err)
	}
	e.Svc = svc
	tb.Cleanup(func() { svc.Drain(ctx) })
	return e
}

var tenantSeq atomic.Int64

// newTenant returns an AWS account id no other caller of newTenant got.
func newTenant() string { return fmt.Sprintf("%012d", 100000000000+tenantSeq.Add(1)) }

var uniqueSeq atomic.Int64

// newEmail returns an address no other caller of newEmail got, starting with prefix.
func newEmail(prefix string) string { return fmt.Sprintf("%s%d@example.com", prefix, uniqueSeq.Add(1)) }

func ptr[T any](v T) *T { return &v }

// wantErr fails unless err carries the domain error code and, when field is not "", names that field.
func wantErr(tb testing.TB, err error, code string, field chime.Field) {
	tb.Helper()
	if got := chime.ErrorCode(err); got != code {
		tb.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if field != "" {
		if got := chime.ErrorField(err); got != field {
			tb.Fatalf("error field = %q (%v), want %q", got, err, field)
		}
	}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

var pinPattern = regexp.MustCompile(`^[0-9]{10}$`)

// wantPIN fails unless pin is 10 decimal digits.
func wantPIN(tb testing.TB, pin string) {
	tb.Helper()
	if !pinPattern.MatchString(pin) {
		tb.Fatalf("PIN = %q, want 10 decimal digits", pin)
	}
}

// MustAccount creates an account named name for aws and converts it to typ.
func MustAccount(tb testing.TB, e *env, aws, name string, typ chime.AccountType) *chime.Account {
	tb.Helper()
	a, err := e.Svc.CreateAccount(ctx, aws, &name)
	if err != nil {
		tb.Fatalf("CreateAccount: %v", err)
	}
	if typ != chime.AccountTeam {
		a = MustSetType(tb, e, aws, a.ID, typ)
	}
	return a
}

// MustSetType converts an account to typ.
func MustSetType(tb testing.TB, e *env, aws, accountID string, typ chime.AccountType) *chime.Account {
	tb.Helper()
	a, err := e.Svc.SetAccountType(ctx, aws, accountID, ptr(string(typ)))
	if err != nil {
		tb.Fatalf("SetAccountType %s: %v", typ, err)
	}
	if a.Type != typ {
		tb.Fatalf("SetAccountType: type = %s, want %s", a.Type, typ)
	}
	return a
}

// MustGetAccount reads an account back.
func MustGetAccount(tb testing.TB, e *env, aws, id string) *chime.Account {
	tb.Helper()
	a, err := e.Svc.GetAccount(ctx, aws, id)
	if err != nil {
		tb.Fatalf("GetAccount: %v", err)
	}
	return a
}

// MustCreateUser creates a user (the account must be EnterpriseDirectory or EnterpriseOIDC).
func MustCreateUser(tb testing.TB, e *env, aws, accountID, email string) *chime.User {
	tb.Helper()
	u, err := e.Svc.CreateUser(ctx, aws, accountID, chime.CreateUserInput{Email: &email})
	if err != nil {
		tb.Fatalf("CreateUser %s: %v", email, err)
	}
	return u
}

// MustGetUser reads a user back.
func MustGetUser(tb testing.TB, e *env, aws, accountID, userID string) *chime.User {
	tb.Helper()
	u, err := e.Svc.GetUser(ctx, aws, accountID, userID)
	if err != nil {
		tb.Fatalf("GetUser: %v", err)
	}
	return u
}

// wantNoUser fails unless the user is gone from the account.
func wantNoUser(tb testing.TB, e *env, aws, accountID, userID string) {
	tb.Helper()
	_, err := e.Svc.GetUser(ctx, aws, accountID, userID)
	wantErr(tb, err, chime.ENOTFOUND, "")
}

// MustInvite invites emails to a Team account and fails unless every invite is Pending.
func MustInvite(tb testing.TB, e *env, aws, accountID string, emails ...string) []chime.Invite {
	tb.Helper()
	invs, err := e.Svc.InviteUsers(ctx, aws, accountID, emails, nil)
	if err != nil {
		tb.Fatalf("InviteUsers: %v", err)
	}
	for _, inv := range invs {
		if inv.Status != chime.InvitePending {
			tb.Fatalf("invite of %s: status %s, want Pending", inv.Email, inv.Status)
		}
	}
	return invs
}

// MustUserByEmail returns the user of an account whose address is email (ListUsers' filter).
func MustUserByEmail(tb testing.TB, e *env, aws, accountID, email string) *chime.User {
	tb.Helper()
	list, _, err := e.Svc.ListUsers(ctx, aws, accountID, chime.ListUsersInput{UserEmail: &email})
	if err != nil {
		tb.Fatalf("ListUsers %s: %v", email, err)
	}
	if len(list) != 1 {
		tb.Fatalf("ListUsers %s: %d users, want 1", email, len(list))
	}
	return MustGetUser(tb, e, aws, accountID, list[0].ID)
}

// MustListUsers returns every user of an account, page by page of size.
func MustListUsers(tb testing.TB, e *env, aws, accountID string, size int) []*chime.User {
	tb.Helper()
	var all []*chime.User
	in := chime.ListUsersInput{MaxResults: size}
	for i := 0; ; i++ {
		page, next, err := e.Svc.ListUsers(ctx, aws, accountID, in)
		if err != nil {
			tb.Fatalf("ListUsers: %v", err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		if i > 10000 {
			tb.Fatal("ListUsers: endless pages")
		}
		in.NextToken = &next
	}
}

// MustListAccounts returns every account of aws matching in's filters, page by page.
func MustListAccounts(tb testing.TB, e *env, aws string, in chime.ListAccountsInput) []*chime.Account {
	tb.Helper()
	var all []*chime.Account
	for i := 0; ; i++ {
		page, next, err := e.Svc.ListAccounts(ctx, aws, in)
		if err != nil {
			tb.Fatalf("ListAccounts: %v", err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		if i > 10000 {
			tb.Fatal("ListAccounts: endless pages")
		}
		in.NextToken = &next
	}
}

// userIDs returns the ids of users, in order.
func userIDs(users []*chime.User) []string {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

// accountIDs returns the ids of accounts, in order.
func accountIDs(accounts []*chime.Account) []string {
	ids := make([]string, len(accounts))
	for i, a := range accounts {
		ids[i] = a.ID
	}
	return ids
}

// wantIDs fails unless got and want list the same ids in the same order.
func wantIDs(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if strings.Join(got, ",") != strings.Join(want, ",") {
		tb.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// inviteToken returns the token of the latest invitation link mailed to email.
func inviteToken(tb testing.TB, e *env, email string) string {
	tb.Helper()
	msgs := e.Mail.To(email)
	if len(msgs) == 0 {
		tb.Fatalf("no invitation mailed to %s", email)
	}
	prefix := e.Svc.PublicURL() + "/" + string(chime.LinkInvite) + "/"
	link := msgs[len(msgs)-1].Link
	if !strings.HasPrefix(link, prefix) {
		tb.Fatalf("invitation link %q does not start with %q", link, prefix)
	}
	return strings.TrimPrefix(link, prefix)
}

// MustMember invites email to a Team account and accepts the invitation: a Registered user with a live session.
// It returns the user (read back) and the session's token.
func MustMember(tb testing.TB, e *env, aws, accountID, email string) (*chime.User, string) {
	tb.Helper()
	MustInvite(tb, e, aws, accountID, email)
	in, err := e.Svc.AcceptInvitation(ctx, inviteToken(tb, e, email), "Member "+email)
	if err != nil {
		tb.Fatalf("AcceptInvitation %s: %v", email, err)
	}
	u := MustGetUser(tb, e, aws, accountID, in.User.ID)
	if u.RegistrationStatus != chime.Registered {
		tb.Fatalf("accepted user %s: status %s, want Registered", email, u.RegistrationStatus)
	}
	if _, err := e.Svc.SessionUser(ctx, in.Token); err != nil {
		tb.Fatalf("new session of %s: %v", email, err)
	}
	return u, in.Token
}

// sessionStored reports whether the store still holds the session of token.
func sessionStored(tb testing.TB, e *env, token string) bool {
	tb.Helper()
	h := sha256.Sum256([]byte(token))
	err := e.Store.Read(ctx, func(tx chime.Tx) error {
		_, err := tx.Session(ctx, h[:])
		return err
	})
	if chime.ErrorCode(err) == chime.ENOTFOUND {
		return false
	}
	must(tb, err)
	return true
}
