package chime

import (
	"context"
	"math/rand/v2"
	"sync"
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

// RequestSignIn asks for a one-time sign-in link for every registered user whose address is email (EmailKey),
// in whichever AWS account (an address is unique only within one). It checks the address and answers at once:
// the lookup, the links, their outbox messages and the mail all happen after the answer, in the background
// (see Drain), so that neither the answer nor its delay tells whether such a user exists. Nothing is sent for
// unknown, pending or suspended users, nor for a user that already has maxLiveSignInLinks unused links. A
// request is only kept in memory until the background takes it: a crash right after the answer may lose it
// (the person asks again), and requests beyond maxPendingSignIns waiting at once are dropped (logged).
// Errors: EINVALID for a malformed address; nothing else.
func (s *Service) RequestSignIn(ctx context.Context, email string) error {
	if err := checkText(FieldEmail, email, maxEmailLen); err != nil {
		return err
	}
	if !signInEmailPattern.MatchString(email) {
		return InvalidField(FieldEmail, "is not a valid email address")
	}
	s.life.signIns.push(s, signInRequest{ctx: context.WithoutCancel(ctx), email: email,
		due: time.Now().Add(signInDelay + rand.N(signInDelay))})
	return nil
}

// Limits of the sign-in requests waiting for the background.
const (
	maxPendingSignIns = 1024             // requests waiting at once; more are dropped
	signInWorkers     = 2                // requests handled at once
	signInWorkTimeout = 30 * time.Second // bound on the store work of one request
	// signInDelay: the work of a request starts between one and two signInDelay after it was queued, when its
	// answer has long been written, so that the work (a transaction, a fsync, SMTP) does not slow down the
	// answer it belongs to; the random part hides which earlier request a later slowdown belongs to.
	signInDelay = 50 * time.Millisecond
)

// signInRequest is a sign-in request waiting for the background.
type signInRequest struct {
	ctx   context.Context // the request's values (logging), without its cancellation
	email string
	due   time.Time // not handled before
}

// signInQueue holds the sign-in requests that answered and wait for their work. Workers (at most
// signInWorkers) start when requests arrive and stop when none is left.
type signInQueue struct {
	mu      sync.Mutex
	pending []signInRequest
	workers int
	dropped int           // requests dropped since the queue was last empty
	idle    chan struct{} // closed when the last worker stops (nil: nobody waits)
}

// closedChan is a closed channel.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// idleChan returns a channel closed once no worker runs (now, or when the last one stops).
func (q *signInQueue) idleChan() <-chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.workers == 0 {
		return closedChan
	}
	if q.idle == nil {
		q.idle = make(chan struct{})
	}
	return q.idle
}

// push queues r, starting a worker when fewer than signInWorkers run. It never waits.
func (q *signInQueue) push(s *Service, r signInRequest) {
	q.mu.Lock()
	if len(q.pending) >= maxPendingSignIns {
		q.dropped++
		first := q.dropped == 1
		q.mu.Unlock()
		if first { // once per flood; work logs the count when the queue is empty again
			s.life.logger.WarnContext(r.ctx, "dropping sign-in requests: too many waiting", "waiting", maxPendingSignIns)
		}
		return
	}
	q.pending = append(q.pending, r)
	start := q.workers < signInWorkers
	if start {
		q.workers++
	}
	q.mu.Unlock()
	if start {
		go q.work(s)
	}
}

// work handles queued requests until none is left.
func (q *signInQueue) work(s *Service) {
	for {
		q.mu.Lock()
		if len(q.pending) == 0 {
			q.workers--
			dropped := 0
			if q.workers == 0 {
				dropped, q.dropped = q.dropped, 0
				if q.idle != nil {
					close(q.idle)
					q.idle = nil
				}
			}
			q.mu.Unlock()
			if dropped > 0 {
				s.life.logger.Warn("sign-in requests dropped: too many waiting", "dropped", dropped)
			}
			return
		}
		r := q.pending[0]
		if wait := time.Until(r.due); wait > 0 {
			q.mu.Unlock()
			time.Sleep(wait)
			continue
		}
		q.pending[0] = signInRequest{}
		q.pending = q.pending[1:]
		if len(q.pending) == 0 {
			q.pending = nil // let the backing array go
		}
		q.mu.Unlock()
		s.signIn(r.ctx, r.email)
	}
}

// signIn does the work of a sign-in request: it issues the links and records their messages in the outbox in
// one transaction, then sends them (bounded by the mail timeout) and records their EmailStatus. Failures are
// logged; there is no one left to tell.
func (s *Service) signIn(ctx context.Context, email string) {
	wctx, cancel := context.WithTimeout(ctx, signInWorkTimeout)
	defer cancel()
	var jobs []mailJob
	err := s.store.Write(wctx, func(tx Tx) error {
		jobs = jobs[:0]
		users, err := tx.UsersByEmail(wctx, EmailKey(email))
		if err != nil {
			return err
		}
		now := s.clock()
		for _, u := range users {
			if u.RegistrationStatus != Registered {
				continue
			}
			// Lock the account, then the user, as every writer does, and decide on the user as it is now.
			a, err := tx.Account(wctx, u.AwsAccountID, u.AccountID)
			if ErrorCode(err) == ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			if u, err = tx.User(wctx, a.ID, u.ID); ErrorCode(err) == ENOTFOUND {
				continue
			} else if err != nil {
				return err
			}
			if u.RegistrationStatus != Registered {
				continue
			}
			if n, err := tx.CountLiveLinks(wctx, u.AccountID, u.ID, LinkSignIn, now); err != nil {
				return err
			} else if n >= maxLiveSignInLinks {
				s.life.logger.WarnContext(ctx, "sign-in link refused: too many unused links",
					"account_id", u.AccountID, "user_id", u.ID)
				continue
			}
			link, expires, err := s.issueLink(wctx, tx, LinkSignIn, u, "", now)
			if err != nil {
				return err
			}
			job, err := s.queueMail(wctx, tx, a, LinkSignIn, signInMessage(a, u.Email, link, expires), now)
			if err != nil {
				return err
			}
			jobs = append(jobs, job)
		}
		return nil
	})
	if err != nil {
		s.life.logger.ErrorContext(ctx, "sign-in request failed", "error", err)
		return
	}
	if len(jobs) > 0 {
		s.deliver(ctx, jobs)
	}
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
