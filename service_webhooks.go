package chime

import (
	"context"
	"time"
	"unicode/utf8"
)

// Incoming webhooks of rooms and the inbound URLs of webhooks and bots (§9.7, D39).

// CreateWebhook creates an incoming webhook called name in a room (§9.7) and adds it as a Webhook member whose
// MemberId is its WebhookId; the answer carries its URL (the only time, with RegenerateWebhookURL, that the
// token is known). Errors: EINVALID (FieldName: 1..64 characters with a non-blank); ENOTFOUND (account, room);
// EFORBIDDEN on Team accounts; ELIMIT when the room has MaxWebhooksPerRoom webhooks or MaxRoomMembers members.
func (s *Service) CreateWebhook(ctx context.Context, caller Identity, accountID, roomID string, name *string) (w *Webhook, err error) {
	if err := requireName(FieldName, name, MaxWebhookNameLen); err != nil {
		return nil, err
	}
	if err := validateRoomIDs(accountID, roomID); err != nil {
		return nil, err
	}
	now := s.clock()
	err = s.store.Write(ctx, func(tx Tx) error {
		w = nil
		a, err := roomAccount(ctx, tx, caller.AwsAccountID, accountID)
		if err != nil {
			return err
		}
		r, err := room(ctx, tx, a, roomID)
		if err != nil {
			return err
		}
		n, err := tx.CountWebhooks(ctx, a.ID, r.ID)
		if err != nil {
			return err
		}
		if n >= MaxWebhooksPerRoom {
			return Errorf(ELIMIT, "The room has %d webhooks, the most it may have", n)
		}
		nw := &Webhook{ID: newID(), AccountID: a.ID, AwsAccountID: a.AwsAccountID, RoomID: r.ID, Name: *name,
			CreatedAt: now}
		if err := s.addWebhookMember(ctx, tx, r, nw.ID, nw.Name, callerARN(caller), now); err != nil {
			return err
		}
		if err := tx.InsertWebhook(ctx, nw); err != nil {
			return err
		}
		if nw.URL, err = s.newInbound(ctx, tx, &InboundURL{AwsAccountID: a.AwsAccountID, AccountID: a.ID,
			RoomID: r.ID, Kind: InboundWebhook, OwnerID: nw.ID}, now); err != nil {
			return err
		}
		w = nw
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// RegenerateWebhookURL gives a webhook a new URL, with a new id segment and token (§9.7); the old URL answers
// 404 from now on. Errors: EINVALID (ids); ENOTFOUND (account, room, webhook); EFORBIDDEN on Team accounts.
func (s *Service) RegenerateWebhookURL(ctx context.Context, aws, accountID, roomID, webhookID string) (w *Webhook, err error) {
	if err := validateRoomIDs(accountID, roomID); err != nil {
		return nil, err
	}
	if err := ValidateID(FieldWebhookID, webhookID); err != nil {
		return nil, err
	}
	now := s.clock()
	err = s.store.Write(ctx, func(tx Tx) error {
		w = nil
		a, err := roomAccount(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		r, err := room(ctx, tx, a, roomID)
		if err != nil {
			return err
		}
		cur, err := tx.Webhook(ctx, a.ID, r.ID, webhookID)
		if err != nil {
			return err
		}
		if err := tx.DeleteInboundURLs(ctx, a.ID, r.ID, cur.ID, time.Time{}); err != nil {
			return err
		}
		if cur.URL, err = s.newInbound(ctx, tx, &InboundURL{AwsAccountID: a.AwsAccountID, AccountID: a.ID,
			RoomID: r.ID, Kind: InboundWebhook, OwnerID: cur.ID}, now); err != nil {
			return err
		}
		w = cur
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// inbound resolves inbound URL id with token tok at server time now to the room it posts into and the sender
// it posts as. Errors: ENOTFOUND for an unknown, regenerated, deleted or expired URL, or one whose room, webhook
// or bot membership is gone; EFORBIDDEN for a wrong token.
func inbound(ctx context.Context, tx Tx, id, tok string, now time.Time) (*InboundURL, *Account, SenderType, string, error) {
	u, err := tx.InboundURL(ctx, id)
	if err != nil {
		return nil, nil, "", "", err
	}
	if !inboundTokenMatches(tok, u.Hash) {
		return nil, nil, "", "", Errorf(EFORBIDDEN, "The token does not match the URL")
	}
	if !u.ExpiresAt.IsZero() && !now.Before(u.ExpiresAt) {
		return nil, nil, "", "", Errorf(ENOTFOUND, "The URL has expired")
	}
	a, err := tx.Account(ctx, u.AwsAccountID, u.AccountID)
	if err != nil {
		return nil, nil, "", "", err
	}
	if _, err := tx.Room(ctx, a.ID, u.RoomID); err != nil {
		return nil, nil, "", "", err
	}
	if u.Kind == InboundWebhook {
		w, err := tx.Webhook(ctx, a.ID, u.RoomID, u.OwnerID)
		if err != nil {
			return nil, nil, "", "", err
		}
		return u, a, SenderWebhook, w.Name, nil
	}
	m, err := tx.RoomMembership(ctx, a.ID, u.RoomID, u.OwnerID)
	if err != nil {
		return nil, nil, "", "", err
	}
	if m.Type != MemberBot || !m.CreatedAt.Equal(u.MemberSince) {
		return nil, nil, "", "", Errorf(ENOTFOUND, "The bot's membership the URL belonged to has ended")
	}
	b, err := tx.Bot(ctx, a.ID, u.OwnerID)
	if err != nil {
		return nil, nil, "", "", err
	}
	return u, a, SenderBot, b.DisplayName, nil
}

// CheckInboundURL reports whether inbound URL id accepts token tok now, without posting (the HTTP layer
// checks it before it rate-limits and reads the body). Errors: as PostInbound's, except content.
func (s *Service) CheckInboundURL(ctx context.Context, id, tok string) error {
	if !utf8.ValidString(id) || len(id) > MaxTextLen {
		return Errorf(ENOTFOUND, "No such URL")
	}
	now := s.clock()
	return s.store.Read(ctx, func(tx Tx) error {
		_, _, _, _, err := inbound(ctx, tx, id, tok, now)
		return err
	})
}

// PostInbound posts content into the room of inbound URL id (§9.7) as its webhook or bot. Messages of webhooks
// and bots never trigger bot events (§10.1). Errors: ENOTFOUND for an unknown, regenerated, deleted or expired
// URL (or one whose room, webhook or bot membership is gone); EFORBIDDEN for a wrong token; EINVALID
// (FieldContent).
func (s *Service) PostInbound(ctx context.Context, id, tok string, content *string) (m *ChatMessage, err error) {
	if err := s.CheckInboundURL(ctx, id, tok); err != nil {
		return nil, err
	}
	if err := validateContent(content); err != nil {
		return nil, err
	}
	now := s.clock()
	err = s.store.Write(ctx, func(tx Tx) error {
		m = nil
		u, a, typ, name, err := inbound(ctx, tx, id, tok, now) // its Account read locks the account
		if err != nil {
			return err
		}
		if err := purgeMessages(ctx, tx, a.ID, now); err != nil {
			return err
		}
		m = &ChatMessage{ID: newID(), AwsAccountID: a.AwsAccountID, AccountID: a.ID, Kind: ChatRoom, ChatID: u.RoomID,
			SenderType: typ, SenderID: u.OwnerID, SenderName: name, Content: *content, CreatedAt: now}
		return tx.InsertMessage(ctx, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
