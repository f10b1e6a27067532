package chime

import "context"

// InviteUsers invites up to 50 addresses to a Team account (§4.15, D1, D6, D10). For each address, in request
// order: a new address becomes an Unregistered/Pending user; a pending invitee of this account is invited again
// (new invite id, InvitedOn refreshed); an address held by a registered member of this account or by a user of
// another account of the same AWS account yields a Failed/NotSent invite.
// Errors (whole request): EINVALID for a malformed list or another account type; ENOTFOUND for the account.
func (s *Service) InviteUsers(ctx context.Context, aws, accountID string, emails []string, userType *UserType) ([]Invite, error) {
	if emails == nil {
		return nil, InvalidField(FieldEmail, "is required")
	}
	if len(emails) > MaxBatch {
		return nil, InvalidField(FieldEmail, "must have at most %d members", MaxBatch)
	}
	for _, e := range emails {
		if err := requireText(FieldEmail, e); err != nil {
			return nil, err
		}
	}
	typ := UserPrivate
	if userType != nil {
		if err := validateUserType(FieldUserType, *userType); err != nil {
			return nil, err
		}
		typ = *userType
	}
	var invites []Invite
	var jobs []mailJob
	jobOf := map[int]string{} // invite index → outbox id of its message
	err := s.store.Write(ctx, func(tx Tx) error {
		invites, jobs = make([]Invite, 0, len(emails)), jobs[:0]
		clear(jobOf)
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if a.Type != AccountTeam {
			return typeRefusal("InviteUsers", a, AccountTeam)
		}
		for i, email := range emails {
			inv, u, err := s.inviteOne(ctx, tx, a, email, typ)
			if err != nil {
				return err
			}
			invites = append(invites, inv)
			if inv.Status != InvitePending {
				continue
			}
			// A new invitation id supersedes every earlier link of this user (checkLink compares them).
			now := s.clock()
			link, expires, err := s.issueLink(ctx, tx, LinkInvite, u, inv.ID, now)
			if err != nil {
				return err
			}
			job, err := s.queueMail(ctx, tx, a, LinkInvite, inviteMessage(a, u.Email, link, expires), now)
			if err != nil {
				return err
			}
			jobs = append(jobs, job)
			jobOf[i] = job.outboxID
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	statuses := s.deliver(ctx, jobs)
	for i, id := range jobOf {
		invites[i].EmailStatus = statuses[id]
	}
	return invites, nil
}

// inviteOne applies the invitation of one address; the user is nil when the invite failed.
func (s *Service) inviteOne(ctx context.Context, tx Tx, a *Account, email string, typ UserType) (Invite, *User, error) {
	inv := Invite{ID: newID(), Email: email, Status: InvitePending, EmailStatus: EmailNotSent}
	now := s.clock()
	u, err := tx.UserByEmail(ctx, a.AwsAccountID, EmailKey(email))
	switch {
	case ErrorCode(err) == ENOTFOUND:
		u = &User{ID: newID(), AccountID: a.ID, AwsAccountID: a.AwsAccountID, Email: email, License: a.DefaultLicense,
			Type: typ, RegistrationStatus: Unregistered, InvitationStatus: InvitePending, InviteID: inv.ID,
			InvitedOn: now, CreatedAt: now}
		return inv, u, tx.InsertUser(ctx, u)
	case err != nil:
		return inv, nil, err
	case u.AccountID == a.ID && u.RegistrationStatus == Unregistered:
		u.InviteID, u.InvitedOn, u.InvitationStatus = inv.ID, now, InvitePending
		return inv, u, tx.UpdateUser(ctx, u)
	default:
		inv.Status = InviteFailed
		return inv, nil, nil
	}
}

// LogoutUser signs a user out of every device (§4.16): every session of the user is revoked and its unused
// sign-in links are voided; the user itself does not change. Errors: ENOTFOUND.
func (s *Service) LogoutUser(ctx context.Context, aws, accountID, userID string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		u, err := user(ctx, tx, a, userID)
		if err != nil {
			return err
		}
		return revokeAccess(ctx, tx, u)
	})
}

// ResetPersonalPIN gives a user a new personal PIN, different from the old one and unique server-wide (§4.17,
// D11). Errors: ENOTFOUND.
func (s *Service) ResetPersonalPIN(ctx context.Context, aws, accountID, userID string) (u *User, err error) {
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if u, err = user(ctx, tx, a, userID); err != nil {
			return err
		}
		if u.PIN, err = s.newPIN(ctx, tx, u.PIN); err != nil {
			return err
		}
		return tx.UpdateUser(ctx, u)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// RegisterUser does what a user does on first sign-in or on accepting an invitation (control endpoint §9.2):
// Registered, Accepted if invited, RegisteredOn now, a PIN if none; the pending invitation link is invalidated.
// Errors: EINVALID for a bad display name or a suspended user; ENOTFOUND.
func (s *Service) RegisterUser(ctx context.Context, aws, accountID, userID string, displayName *string) (u *User, err error) {
	if displayName != nil {
		if err := checkText(FieldDisplayName, *displayName, MaxTextLen); err != nil {
			return nil, err
		}
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if u, err = user(ctx, tx, a, userID); err != nil {
			return err
		}
		return s.register(ctx, tx, u, displayName)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// register is the one rule of registration, shared by RegisterUser and AcceptInvitation: Registered (with
// RegisteredOn now unless it already was), Accepted if invited, a PIN if none, the display name if given. The
// pending invitation is consumed (InviteID cleared), which invalidates its link. Errors: EINVALID for a
// suspended user.
func (s *Service) register(ctx context.Context, tx Tx, u *User, displayName *string) error {
	if u.RegistrationStatus == Suspended {
		return Invalid("The user is suspended and cannot register")
	}
	if u.RegistrationStatus != Registered {
		u.RegistrationStatus = Registered
		u.RegisteredOn = s.clock()
	}
	if u.InvitationStatus != "" {
		u.InvitationStatus = InviteAccepted
	}
	u.InviteID = ""
	if displayName != nil {
		u.DisplayName = *displayName
	}
	if u.PIN == "" {
		var err error
		if u.PIN, err = s.newPIN(ctx, tx, ""); err != nil {
			return err
		}
	}
	return tx.UpdateUser(ctx, u)
}
