package chime

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"strings"
	"time"
)

// SCIM 2.0 provisioning (package scim; docs/behavior.md §9.11): each Chime account has its own SCIM service,
// reached with bearer tokens made by `chimed scim-token create`. A token is shown once and stored only as its
// SHA-256. The SCIM service changes users only through the Service's own methods; what it keeps itself is the
// SCIM side of each user (SCIMUser): its externalId, and the id and address of a user that a Team deactivation
// removed from Chime.

// SCIMTokenPrefix starts every SCIM token (so that secret scanners and people recognize one).
const SCIMTokenPrefix = "chs_"

// scimTokenIDLen is the length of a token's id (base32 of 10 random bytes); scimSecretBytes the random bytes of
// its secret part.
const (
	scimTokenIDLen  = 16
	scimSecretBytes = 32
	maxSCIMToken    = 256
)

// SCIMToken is a bearer token of one Chime account's SCIM service. The token itself is never stored.
type SCIMToken struct {
	ID           string // 16 base32 characters, the token's second part
	AwsAccountID string
	AccountID    string // the Chime account the token works for, and only that one
	Hash         []byte // SHA-256 of the whole token
	Prefix       string // the first characters of the token (shown by list)
	CreatedAt    time.Time
	RevokedAt    time.Time // zero while valid
}

// SCIMUser is the SCIM side of one user of a Chime account.
type SCIMUser struct {
	AccountID  string
	ID         string // the SCIM id: the Chime UserId the user was created or first seen with; it never changes
	UserID     string // the Chime user it stands for now; "" when a Team deactivation removed it from Chime
	ExternalID string // the identity provider's id ("" = none)
	UserName   string // the SCIM userName (an identity provider's login; not always the Chime address)
	Email      string // the Chime address, kept for the reactivation of a removed Team user
	Deleted    bool   // deleted over SCIM while its Chime user stays (EnterpriseLWA: suspended): SCIM hides it
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// SCIMTx holds the Tx methods of SCIM tokens and users (sqlstore/scim.go). Both go with their Chime account
// when its AWS account is deleted.
type SCIMTx interface {
	// InsertSCIMToken stores a new token. ECONFLICT when its id exists.
	InsertSCIMToken(ctx context.Context, t *SCIMToken) error
	// SCIMToken returns the token id, revoked or not. ENOTFOUND when unknown.
	SCIMToken(ctx context.Context, id string) (*SCIMToken, error)
	// ListSCIMTokens returns the tokens of aws (of its account accountID unless ""; every AWS account's when aws
	// is ""), oldest first.
	ListSCIMTokens(ctx context.Context, aws, accountID string) ([]*SCIMToken, error)
	// RevokeSCIMToken marks a valid token revoked at at. ENOTFOUND when unknown or already revoked.
	RevokeSCIMToken(ctx context.Context, id string, at time.Time) error

	// PutSCIMUser stores u, replacing the row of (u.AccountID, u.ID). ECONFLICT when another row holds u.UserID,
	// or u.UserName (ASCII case folded) while neither is Deleted.
	PutSCIMUser(ctx context.Context, u *SCIMUser) error
	// SCIMUser returns the row of SCIM id id. ENOTFOUND when none.
	SCIMUser(ctx context.Context, accountID, id string) (*SCIMUser, error)
	// SCIMUserOf returns the row that stands for the Chime user userID. ENOTFOUND when none.
	SCIMUserOf(ctx context.Context, accountID, userID string) (*SCIMUser, error)
	// ListSCIMUsers returns every row of accountID (tombstones included), oldest first.
	ListSCIMUsers(ctx context.Context, accountID string) ([]*SCIMUser, error)
	// DeleteSCIMUser removes the row of SCIM id id (nothing when there is none).
	DeleteSCIMUser(ctx context.Context, accountID, id string) error
}

// HashSCIMToken returns the stored form of a token.
func HashSCIMToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// parseSCIMToken returns the id part of a token of the form chs_<id>_<secret>; ok is false for anything else.
func parseSCIMToken(token string) (id string, ok bool) {
	if len(token) > maxSCIMToken || !strings.HasPrefix(token, SCIMTokenPrefix) {
		return "", false
	}
	rest := token[len(SCIMTokenPrefix):]
	i := strings.IndexByte(rest, '_')
	if i != scimTokenIDLen || len(rest) == i+1 {
		return "", false
	}
	return rest[:i], true
}

// CreateSCIMToken makes a token for the Chime account accountID of aws and records it in aws's audit trail in
// the same transaction of store ("chimed:CreateSCIMToken"). The token is returned only now.
// Errors: EINVALID for a bad AWS account id or account id; ENOTFOUND when the account does not exist.
func CreateSCIMToken(ctx context.Context, store Store, aws, accountID string) (*SCIMToken, string, error) {
	if err := ValidateAwsAccountID(aws); err != nil {
		return nil, "", err
	}
	b := make([]byte, 10+scimSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return nil, "", err
	}
	id := base32.StdEncoding.EncodeToString(b[:10])
	token := SCIMTokenPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(b[10:])
	t := &SCIMToken{ID: id, AwsAccountID: aws, AccountID: accountID, Hash: HashSCIMToken(token),
		Prefix: token[:len(SCIMTokenPrefix)+scimTokenIDLen], CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err := store.Write(ctx, func(tx Tx) error {
		if _, err := account(ctx, tx, aws, accountID); err != nil {
			return err
		}
		if err := tx.InsertSCIMToken(ctx, t); err != nil {
			return err
		}
		return insertAdminAudit(ctx, tx, "chimed:CreateSCIMToken", aws,
			map[string]any{"awsAccountId": aws, "accountId": accountID, "scimTokenId": id},
			[]AuditResource{{Type: "AWS::Chime::Account", Name: accountID}, {Type: "chimed::SCIMToken", Name: id}})
	})
	if err != nil {
		return nil, "", err
	}
	return t, token, nil
}

// ListSCIMTokens returns the tokens of aws's account accountID ("" for every account; aws "" for every AWS
// account), oldest first. Errors: the store's.
func ListSCIMTokens(ctx context.Context, store Store, aws, accountID string) (list []*SCIMToken, err error) {
	err = store.Read(ctx, func(tx Tx) error {
		list, err = tx.ListSCIMTokens(ctx, aws, accountID)
		return err
	})
	return list, err
}

// RevokeSCIMToken revokes the token id at once (every node: tokens are not cached) and records it in its AWS
// account's audit trail in the same transaction. Errors: ENOTFOUND when unknown or already revoked.
func RevokeSCIMToken(ctx context.Context, store Store, id string) error {
	return store.Write(ctx, func(tx Tx) error {
		t, err := tx.SCIMToken(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.RevokeSCIMToken(ctx, id, time.Now().UTC().Truncate(time.Millisecond)); err != nil {
			return err
		}
		return insertAdminAudit(ctx, tx, "chimed:RevokeSCIMToken", t.AwsAccountID,
			map[string]any{"accountId": t.AccountID, "scimTokenId": id},
			[]AuditResource{{Type: "AWS::Chime::Account", Name: t.AccountID}, {Type: "chimed::SCIMToken", Name: id}})
	})
}

// AuthenticateSCIM returns the valid token that token is. The stored hash is compared with the token's in
// constant time. Errors: EUNAUTHORIZED for a malformed, unknown or revoked token (one answer for all three);
// the store's.
func (s *Service) AuthenticateSCIM(ctx context.Context, token string) (*SCIMToken, error) {
	refused := Errorf(EUNAUTHORIZED, "the bearer token is not valid")
	id, ok := parseSCIMToken(token)
	if !ok {
		return nil, refused
	}
	var t *SCIMToken
	err := s.store.Read(ctx, func(tx Tx) (err error) {
		t, err = tx.SCIMToken(ctx, id)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return nil, refused
	} else if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(t.Hash, HashSCIMToken(token)) != 1 || !t.RevokedAt.IsZero() {
		return nil, refused
	}
	return t, nil
}

// SCIMUsers returns the SCIM rows of an account (tombstones included). Errors: ENOTFOUND for the account.
func (s *Service) SCIMUsers(ctx context.Context, aws, accountID string) (list []*SCIMUser, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		if _, err := account(ctx, tx, aws, accountID); err != nil {
			return err
		}
		list, err = tx.ListSCIMUsers(ctx, accountID)
		return err
	})
	return list, err
}

// SCIMUser returns the SCIM row of SCIM id id, or else the one standing for the Chime user id.
// Errors: ENOTFOUND for the account or when neither exists.
func (s *Service) SCIMUser(ctx context.Context, aws, accountID, id string) (u *SCIMUser, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		if _, err := account(ctx, tx, aws, accountID); err != nil {
			return err
		}
		if u, err = tx.SCIMUser(ctx, accountID, id); ErrorCode(err) == ENOTFOUND {
			u, err = tx.SCIMUserOf(ctx, accountID, id)
		}
		return err
	})
	return u, err
}

// PutSCIMUser stores the SCIM side of a user of a live account, its UpdatedAt (and CreatedAt when zero) set to
// the server clock. Under an audit entry (WithAudit) it records the request when no change did before.
// Errors: EINVALID for an over-long externalId or userName; ENOTFOUND for the account; ECONFLICT when another
// SCIM user stands for the same Chime user or has the same userName.
func (s *Service) PutSCIMUser(ctx context.Context, aws string, u *SCIMUser) error {
	if err := checkText("externalId", u.ExternalID, MaxTextLen); err != nil {
		return err
	}
	if err := checkText("userName", u.UserName, MaxTextLen); err != nil {
		return err
	}
	now := s.clock()
	return s.store.Write(ctx, func(tx Tx) error {
		if _, err := account(ctx, tx, aws, u.AccountID); err != nil {
			return err
		}
		u.UpdatedAt = now
		if u.CreatedAt.IsZero() {
			u.CreatedAt = now
		}
		return tx.PutSCIMUser(ctx, u)
	})
}

// DeleteSCIMUser removes the SCIM side of a user. Errors: ENOTFOUND for the account.
func (s *Service) DeleteSCIMUser(ctx context.Context, aws, accountID, id string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		if _, err := account(ctx, tx, aws, accountID); err != nil {
			return err
		}
		return tx.DeleteSCIMUser(ctx, accountID, id)
	})
}

// SCIMClock returns the server clock's now (D19), the time SCIM's meta shows.
func (s *Service) SCIMClock() time.Time { return s.clock() }
