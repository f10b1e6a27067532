package chime

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// The user's side of the lifecycle (docs/behavior.md §9.3): one-time links (invitations and sign-in links), accepting an
// invitation, sessions. Every token is 32 random bytes from crypto/rand, base64url-encoded (43 characters);
// the store keeps only its SHA-256, so a copy of the database opens no link and no session.

// Defaults of the lifecycle options.
const (
	DefaultPublicURL   = "http://127.0.0.1:24463"
	DefaultInviteTTL   = 7 * 24 * time.Hour
	DefaultSignInTTL   = 15 * time.Minute
	DefaultSessionTTL  = 30 * 24 * time.Hour
	DefaultMailTimeout = 10 * time.Second
	// OutboxLimit is how many messages the outbox keeps (and lists) per AWS account: the latest ones.
	OutboxLimit = 1000
	// maxLiveSignInLinks bounds the unused, unexpired sign-in links of one user, so that POST /signin cannot
	// be used to flood a mailbox.
	maxLiveSignInLinks = 5
	tokenBytes         = 32
)

// LinkKind tells what a one-time link does.
type LinkKind string

// Link kinds; each is also the first path segment of its URL.
const (
	LinkInvite LinkKind = "invite"
	LinkSignIn LinkKind = "signin"
)

// Link is a one-time link as stored: the hash of its token, never the token.
type Link struct {
	Hash         []byte // SHA-256 of the token
	Kind         LinkKind
	AwsAccountID string
	AccountID    string
	UserID       string
	InviteID     string // invitations: the User.InviteID it was issued for; a newer invitation supersedes it
	CreatedAt    time.Time
	ExpiresAt    time.Time
	UsedAt       time.Time // zero while unused
}

// Session is a signed-in user's bearer token as stored: the hash of the token, never the token.
type Session struct {
	Hash         []byte // SHA-256 of the token
	AwsAccountID string
	AccountID    string
	UserID       string
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// LinkReason tells why a link cannot be used.
type LinkReason int

// Reasons a link is refused.
const (
	LinkUnknown    LinkReason = iota + 1 // never issued, malformed, or its user or account is gone
	LinkUsed                             // already used (or the invitation was accepted another way)
	LinkExpired                          // past its lifetime
	LinkSuperseded                       // a newer invitation replaced it
	LinkBlocked                          // the user may not sign in (suspended, or not registered)
)

// LinkError is the error of a link that cannot be used. errors.As finds an *Error inside it (ENOTFOUND, or
// EFORBIDDEN for LinkBlocked), so ErrorCode works on it.
type LinkError struct {
	Kind   LinkKind
	Reason LinkReason
}

// Error implements error.
func (e *LinkError) Error() string { return "chime link: " + e.Message() }

// Message is a sentence for the person who opened the link.
func (e *LinkError) Message() string {
	what := "This invitation link"
	if e.Kind == LinkSignIn {
		what = "This sign-in link"
	}
	switch e.Reason {
	case LinkUsed:
		if e.Kind == LinkInvite {
			return "This invitation has already been accepted."
		}
		return what + " has already been used. Request a new one."
	case LinkExpired:
		if e.Kind == LinkInvite {
			return what + " has expired. Ask your administrator to invite you again."
		}
		return what + " has expired. Request a new one."
	case LinkSuperseded:
		return what + " was replaced by a newer invitation. Use the link in the latest invitation email."
	case LinkBlocked:
		return "This account cannot sign in."
	}
	return what + " is not valid: it may be incomplete, or it was withdrawn."
}

// Unwrap gives the domain error of the refusal.
func (e *LinkError) Unwrap() error {
	if e.Reason == LinkBlocked {
		return Errorf(EFORBIDDEN, "%s", e.Message())
	}
	return Errorf(ENOTFOUND, "%s", e.Message())
}

func linkErr(kind LinkKind, r LinkReason) error { return &LinkError{Kind: kind, Reason: r} }

// lifecycle holds the settings of the user lifecycle.
type lifecycle struct {
	mailer      Mailer
	publicURL   string
	inviteTTL   time.Duration
	signInTTL   time.Duration
	sessionTTL  time.Duration
	mailTimeout time.Duration
	keyring     *Keyring
	logger      *slog.Logger
	signIns     *signInQueue      // sign-in requests: work done after the answer (sessions.go)
	deliveries  *deliveryCounters // mail and bot event outcomes, for metrics (deliverystats.go)
}

func newLifecycle(o ServiceOptions) (lifecycle, error) {
	l := lifecycle{mailer: o.Mailer, inviteTTL: o.InviteTTL, signInTTL: o.SignInTTL, sessionTTL: o.SessionTTL,
		mailTimeout: o.MailTimeout, keyring: o.Keyring, logger: o.Logger, signIns: new(signInQueue),
		deliveries: new(deliveryCounters)}
	raw := o.PublicURL
	if raw == "" {
		raw = DefaultPublicURL
	}
	var err error
	if l.publicURL, err = NormalizePublicURL(raw); err != nil {
		return l, err
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&l.inviteTTL, DefaultInviteTTL}, {&l.signInTTL, DefaultSignInTTL}, {&l.sessionTTL, DefaultSessionTTL},
		{&l.mailTimeout, DefaultMailTimeout}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if l.keyring == nil {
		master := make([]byte, 32)
		if _, err := rand.Read(master); err != nil {
			return l, err
		}
		if l.keyring, err = NewKeyring([]byte(base64.RawURLEncoding.EncodeToString(master))); err != nil {
			return l, err
		}
	}
	if l.logger == nil {
		l.logger = slog.Default()
	}
	return l, nil
}

// NormalizePublicURL checks a public base URL (http or https, a host, no query, fragment or user info) and
// returns it without a trailing slash. Errors: a plain error saying what is wrong.
func NormalizePublicURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("public URL %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" ||
		u.Fragment != "" || u.Opaque != "" {
		return "", fmt.Errorf("public URL %q: want http(s)://host[:port][/path], without user, query or fragment", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Drain waits until the work that requests left to the background (sign-in requests: their links, outbox
// messages and mail) is done and recorded, or ctx ends. Call it before closing the store. Errors: ctx's error
// when it ended first.
func (s *Service) Drain(ctx context.Context) error {
	select {
	case <-s.life.signIns.idleChan():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// PublicURL is the base URL of every link (no trailing slash).
func (s *Service) PublicURL() string { return s.life.publicURL }

// SessionTTL is the lifetime of a session.
func (s *Service) SessionTTL() time.Duration { return s.life.sessionTTL }

// linkURL is the absolute URL of a link token.
func (s *Service) linkURL(kind LinkKind, token string) string {
	return s.life.publicURL + "/" + string(kind) + "/" + token
}

// newToken returns a fresh token and its hash.
func newToken() (string, []byte, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	h := sha256.Sum256([]byte(tok))
	return tok, h[:], nil
}

// tokenHash returns the hash of a token presented by a client, or false when it cannot be one of ours.
func tokenHash(tok string) ([]byte, bool) {
	if len(tok) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return nil, false
	}
	if _, err := base64.RawURLEncoding.DecodeString(tok); err != nil {
		return nil, false
	}
	h := sha256.Sum256([]byte(tok))
	return h[:], true
}

// issueLink stores a new link of kind for u and returns its URL.
func (s *Service) issueLink(ctx context.Context, tx Tx, kind LinkKind, u *User, inviteID string, now time.Time) (string, time.Time, error) {
	tok, hash, err := newToken()
	if err != nil {
		return "", time.Time{}, err
	}
	ttl := s.life.inviteTTL
	if kind == LinkSignIn {
		ttl = s.life.signInTTL
	}
	// Links that expired long ago only say "expired" instead of "not valid"; keep a day of them.
	if err := tx.PurgeLinks(ctx, u.AccountID, u.ID, now.Add(-24*time.Hour)); err != nil {
		return "", time.Time{}, err
	}
	l := &Link{Hash: hash, Kind: kind, AwsAccountID: u.AwsAccountID, AccountID: u.AccountID, UserID: u.ID,
		InviteID: inviteID, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := tx.InsertLink(ctx, l); err != nil {
		return "", time.Time{}, err
	}
	return s.linkURL(kind, tok), l.ExpiresAt, nil
}

// checkLink loads the link of token and its account and user, and tells whether it can be used now. In a
// write transaction the account and the user are locked (the store's point reads do that), in that order, as
// every other writer does. Errors: *LinkError; internal failures.
func (s *Service) checkLink(ctx context.Context, tx Tx, kind LinkKind, token string) (*Link, *Account, *User, error) {
	hash, ok := tokenHash(token)
	if !ok {
		return nil, nil, nil, linkErr(kind, LinkUnknown)
	}
	l, err := tx.Link(ctx, hash)
	if ErrorCode(err) == ENOTFOUND || (err == nil && l.Kind != kind) {
		return nil, nil, nil, linkErr(kind, LinkUnknown)
	} else if err != nil {
		return nil, nil, nil, err
	}
	a, err := tx.Account(ctx, l.AwsAccountID, l.AccountID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, nil, linkErr(kind, LinkUnknown)
	} else if err != nil {
		return nil, nil, nil, err
	}
	u, err := tx.User(ctx, l.AccountID, l.UserID)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, nil, linkErr(kind, LinkUnknown)
	} else if err != nil {
		return nil, nil, nil, err
	}
	switch {
	case !l.UsedAt.IsZero():
		return nil, nil, nil, linkErr(kind, LinkUsed)
	case kind == LinkInvite && u.RegistrationStatus != Unregistered:
		return nil, nil, nil, linkErr(kind, LinkUsed) // accepted another way (control endpoint)
	case kind == LinkInvite && u.InviteID != l.InviteID:
		return nil, nil, nil, linkErr(kind, LinkSuperseded)
	case !s.clock().Before(l.ExpiresAt):
		return nil, nil, nil, linkErr(kind, LinkExpired)
	case kind == LinkSignIn && u.RegistrationStatus != Registered:
		return nil, nil, nil, linkErr(kind, LinkBlocked)
	}
	return l, a, u, nil
}

// Invitation is what an invitation link shows before it is accepted.
type Invitation struct {
	AccountName string
	Email       string
	ExpiresAt   time.Time
}

// Invitation returns the invitation of a link token without using it. Errors: *LinkError when the link is
// unknown, used, superseded or expired (its user or account removed counts as unknown); internal failures.
func (s *Service) Invitation(ctx context.Context, token string) (inv *Invitation, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		l, a, u, err := s.checkLink(ctx, tx, LinkInvite, token)
		if err != nil {
			return err
		}
		inv = &Invitation{AccountName: a.Name, Email: u.Email, ExpiresAt: l.ExpiresAt}
		return nil
	})
	return inv, err
}

// SignedIn is the outcome of accepting an invitation or opening a sign-in link: the user and a new session.
// Token is the session's bearer token; it exists only here, the store keeps its hash.
type SignedIn struct {
	Account   *Account
	User      *User
	Token     string
	ExpiresAt time.Time
}

// AcceptInvitation uses an invitation link: the user registers (RegisterUser's rule: Registered, Accepted,
// RegisteredOn, a PIN) under displayName (required, 1..100 characters, not blank) and a session starts. The
// link can be used once. Errors: EINVALID for a bad display name; *LinkError when the link is unknown, used,
// superseded or expired; internal failures.
func (s *Service) AcceptInvitation(ctx context.Context, token, displayName string) (*SignedIn, error) {
	if err := validateDisplayName(displayName); err != nil {
		return nil, err
	}
	var out *SignedIn
	err := s.store.Write(ctx, func(tx Tx) error {
		l, a, u, err := s.checkLink(ctx, tx, LinkInvite, token)
		if err != nil {
			return err
		}
		if err := tx.UseLink(ctx, l.Hash, s.clock()); ErrorCode(err) == ENOTFOUND {
			return linkErr(LinkInvite, LinkUsed)
		} else if err != nil {
			return err
		}
		if err := s.register(ctx, tx, u, &displayName); err != nil {
			return err
		}
		out, err = s.startSession(ctx, tx, a, u)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// validateDisplayName checks a display name chosen on the acceptance page.
func validateDisplayName(v string) error {
	if err := checkText(FieldDisplayName, v, MaxDisplayNameLen); err != nil {
		return err
	}
	if !hasNonSpace(v) {
		return InvalidField(FieldDisplayName, "must not be blank")
	}
	return nil
}

// IsLinkError reports whether err is a refused link, and returns it.
func IsLinkError(err error) (*LinkError, bool) {
	var le *LinkError
	ok := errors.As(err, &le)
	return le, ok
}
