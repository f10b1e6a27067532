package chime

import (
	"context"
	"time"
)

// Sessions (docs/behavior.md §9.3): a session is a bearer token whose SHA-256 the store keeps. Accepting an invitation
// starts one; a registered user starts another with a one-time sign-in link sent by email. LogoutUser revokes
// every session of the user; BatchSuspendUser revokes them too (and, on EnterpriseLWA, the user cannot sign in
// until unsuspended); removing a user, its account or its tenant removes its sessions with it.

// startSession stores a new session for u.
func (s *Service) startSession(ctx context.Context, tx Tx, a *Account, u *User) (*SignedIn, error) {
	tok, hash, err := newToken()
	if err != nil {
		return nil, err
	}
	now := s.clock()
	if err := tx.DeleteSessions(ctx, u.AccountID, u.ID, now); err != nil { // drop the expired ones
		return nil, err
	}
	ss := &Session{Hash: hash, AwsAccountID: u.AwsAccountID, AccountID: u.AccountID, UserID: u.ID, CreatedAt: now,
		ExpiresAt: now.Add(s.life.sessionTTL)}
	if err := tx.InsertSession(ctx, ss); err != nil {
		return nil, err
	}
	return &SignedIn{Account: a, User: u, Token: tok, ExpiresAt: ss.ExpiresAt}, nil
}

// revokeAccess ends every session of u and voids its unused sign-in links.
func revokeAccess(ctx context.Context, tx Tx, u *User) error {
	if err := tx.DeleteSessions(ctx, u.AccountID, u.ID, time.Time{}); err != nil {
		return err
	}
	return tx.DeleteLinks(ctx, u.AccountID, u.ID, LinkSignIn)
}

// RequestSignIn sends a one-time sign-in link to every registered user whose address is email, in whichever
// AWS account (an address is unique only within one). The links are recorded in the outbox before it returns
// and mailed in the background (see Drain). The answer never tells whether such a user exists:
// nothing is sent for unknown, pending or suspended users, nor for a user that already has
// maxLiveSignInLinks unused links, and the error is nil in all these cases. Each message is recorded in the
// outbox. Errors: EINVALID for a malformed address; internal failures.
func (s *Service) RequestSignIn(ctx context.Context, email string) error {
	if err := checkText(FieldEmail, email, maxEmailLen); err != nil {
		return err
	}
	if !signInEmailPattern.MatchString(email) {
		return InvalidField(FieldEmail, "is not a valid email address")
	}
	var jobs []mailJob
	err := s.store.Write(ctx, func(tx Tx) error {
		jobs = jobs[:0]
		users, err := tx.UsersByEmail(ctx, EmailKey(email))
		if err != nil {
			return err
		}
		now := s.clock()
		for _, u := range users {
			if u.RegistrationStatus != Registered {
				continue
			}
			// Lock the account, then the user, as every writer does, and decide on the user as it is now.
			a, err := tx.Account(ctx, u.AwsAccountID, u.AccountID)
			if ErrorCode(err) == ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			if u, err = tx.User(ctx, a.ID, u.ID); ErrorCode(err) == ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			if u.RegistrationStatus != Registered {
				continue
			}
			if n, err := tx.CountLiveLinks(ctx, u.AccountID, u.ID, LinkSignIn, now); err != nil {
				return err
			} else if n >= maxLiveSignInLinks {
				s.life.logger.WarnContext(ctx, "sign-in link refused: too many unused links",
					"account_id", u.AccountID, "user_id", u.ID)
				continue
			}
			link, expires, err := s.issueLink(ctx, tx, LinkSignIn, u, "", now)
			if err != nil {
				return err
			}
			job, err := s.queueMail(ctx, tx, a, LinkSignIn, signInMessage(a, u.Email, link, expires), now)
			if err != nil {
				return err
			}
			jobs = append(jobs, job)
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Sent after the answer: an answer that waited for the mail server only for known addresses would tell
	// them apart by its delay. The messages are in the outbox already; Drain waits for the rest.
	if len(jobs) > 0 {
		s.life.background.Add(1)
		go func() {
			defer s.life.background.Done()
			s.deliver(context.WithoutCancel(ctx), jobs)
		}()
	}
	return nil
}

// OpenSignIn uses a sign-in link and starts a session. Errors: *LinkError when the link is unknown, used or
// expired, or (LinkBlocked) its user is suspended or no longer registered; internal failures.
func (s *Service) OpenSignIn(ctx context.Context, token string) (*SignedIn, error) {
	var out *SignedIn
	err := s.store.Write(ctx, func(tx Tx) error {
		l, a, u, err := s.checkLink(ctx, tx, LinkSignIn, token)
		if err != nil {
			return err
		}
		if err := tx.UseLink(ctx, l.Hash, s.clock()); ErrorCode(err) == ENOTFOUND {
			return linkErr(LinkSignIn, LinkUsed)
		} else if err != nil {
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

// errNoSession is the answer for every session that cannot be used, whatever the reason.
func errNoSession() error {
	return Errorf(EUNAUTHORIZED, "The session token is missing, unknown, expired or revoked")
}

// SessionUser returns the user a session token belongs to. The session must exist and be unexpired, and its
// user registered (not suspended) in a live account. Errors: EUNAUTHORIZED otherwise; internal failures.
func (s *Service) SessionUser(ctx context.Context, token string) (u *User, err error) {
	hash, ok := tokenHash(token)
	if !ok {
		return nil, errNoSession()
	}
	err = s.store.Read(ctx, func(tx Tx) error {
		ss, err := tx.Session(ctx, hash)
		if ErrorCode(err) == ENOTFOUND {
			return errNoSession()
		} else if err != nil {
			return err
		}
		if !s.clock().Before(ss.ExpiresAt) {
			return errNoSession()
		}
		if _, err := tx.Account(ctx, ss.AwsAccountID, ss.AccountID); ErrorCode(err) == ENOTFOUND {
			return errNoSession()
		} else if err != nil {
			return err
		}
		u, err = tx.User(ctx, ss.AccountID, ss.UserID)
		if ErrorCode(err) == ENOTFOUND {
			return errNoSession()
		} else if err != nil {
			return err
		}
		if u.RegistrationStatus != Registered {
			return errNoSession()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
