package chime

import (
	"context"
	"fmt"
	"html"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Mail (docs/behavior.md §9.3). Messages are composed and recorded in the outbox inside the transaction that issues their
// links, sent after it commits (never inside it), and their EmailStatus recorded afterwards. The outbox keeps
// each link sealed with the Keyring, so the database alone reveals no token.

// Message is one email. Link is the one link it carries (in Text, and in HTML when HTML is not empty).
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
	Link    string
}

// Mailer sends email. Send returns nil once the mail server accepted the message for delivery, and an error
// when it refused it, could not be reached, or ctx ended first; it must return by ctx's deadline.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// OutboxMessage is a message as the outbox keeps it.
type OutboxMessage struct {
	Seq          int64 // store-assigned order; zero until stored
	ID           string
	AwsAccountID string
	AccountID    string
	Kind         LinkKind
	To           string
	Subject      string
	SealedLink   []byte // the link sealed by the Keyring, additional data "outbox/" + ID
	Link         string // filled by Service.Outbox
	EmailStatus  EmailStatus
	CreatedAt    time.Time
}

// mailJob is a recorded message waiting to be sent.
type mailJob struct {
	outboxID string
	msg      Message
}

func outboxAAD(id string) string { return "outbox/" + id }

// pruneEvery: the outbox of an AWS account is pruned when a message's sequence number is a multiple of it.
const pruneEvery = 64

// queueMail records m (carrying a link of kind) in the outbox of a's AWS account with status NotSent, keeps the
// outbox to its bound, and returns the job that sends m.
func (s *Service) queueMail(ctx context.Context, tx Tx, a *Account, kind LinkKind, m Message, now time.Time) (mailJob, error) {
	om := &OutboxMessage{ID: newID(), AwsAccountID: a.AwsAccountID, AccountID: a.ID, Kind: kind, To: m.To,
		Subject: m.Subject, EmailStatus: EmailNotSent, CreatedAt: now}
	sealed, err := s.life.keyring.Seal(outboxAAD(om.ID), m.Link)
	if err != nil {
		return mailJob{}, err
	}
	om.SealedLink = sealed
	if err := tx.InsertOutbox(ctx, om); err != nil {
		return mailJob{}, err
	}
	// Pruning walks OutboxLimit index entries: do it about once every pruneEvery messages (the listing shows
	// the latest OutboxLimit in any case; this only bounds what is stored, to OutboxLimit plus a few dozen).
	if om.Seq%pruneEvery == 0 {
		if err := tx.PruneOutbox(ctx, a.AwsAccountID, OutboxLimit); err != nil {
			return mailJob{}, err
		}
	}
	return mailJob{outboxID: om.ID, msg: m}, nil
}

// mailConcurrency is how many messages of one request are sent at once.
const mailConcurrency = 4

// deliver sends jobs (outside any transaction), bounded by the mail timeout as a whole, and records each
// EmailStatus in the outbox. It returns the status of each job by outbox id: Sent when the mail server accepted
// the message, Failed when it refused or did not answer in time, NotSent when no Mailer is configured. It
// outlives a cancelled ctx (the client hanging up does not leave the outbox unrecorded).
func (s *Service) deliver(ctx context.Context, jobs []mailJob) map[string]EmailStatus {
	statuses := make(map[string]EmailStatus, len(jobs))
	if len(jobs) == 0 || s.life.mailer == nil {
		for _, j := range jobs {
			statuses[j.outboxID] = EmailNotSent
			s.life.deliveries.countMail(EmailNotSent)
		}
		return statuses
	}
	base := context.WithoutCancel(ctx)
	sendCtx, cancel := context.WithTimeout(base, s.life.mailTimeout)
	defer cancel()
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, mailConcurrency)
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := EmailFailed
			select {
			case sem <- struct{}{}:
				err := s.life.mailer.Send(sendCtx, j.msg)
				<-sem
				if err == nil {
					st = EmailSent
				} else {
					s.life.logger.WarnContext(ctx, "mail not sent", "outbox_id", j.outboxID, "error", err)
				}
			case <-sendCtx.Done():
				s.life.logger.WarnContext(ctx, "mail not sent", "outbox_id", j.outboxID, "error", sendCtx.Err())
			}
			s.life.deliveries.countMail(st)
			mu.Lock()
			statuses[j.outboxID] = st
			mu.Unlock()
		}()
	}
	wg.Wait()
	recCtx, cancelRec := context.WithTimeout(base, 10*time.Second)
	defer cancelRec()
	err := s.store.Write(recCtx, func(tx Tx) error {
		for id, st := range statuses {
			if err := tx.SetOutboxStatus(recCtx, id, st); err != nil && ErrorCode(err) != ENOTFOUND {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.life.logger.ErrorContext(ctx, "recording email statuses failed", "error", err)
	}
	return statuses
}

// Outbox returns the latest OutboxLimit messages of the AWS account aws, oldest first, with their links
// unsealed (a link sealed under another master key comes back empty). Errors: internal failures only.
func (s *Service) Outbox(ctx context.Context, aws string) (list []*OutboxMessage, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		list, err = tx.ListOutbox(ctx, aws, OutboxLimit)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, m := range list {
		if link, err := s.life.keyring.Open(outboxAAD(m.ID), m.SealedLink); err == nil {
			m.Link = link
		} else {
			s.life.logger.WarnContext(ctx, "outbox link cannot be unsealed", "outbox_id", m.ID, "error", err)
		}
	}
	return list, nil
}

// oneLine makes s safe for a header or a single line: control characters become spaces.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

func mailDate(t time.Time) string { return t.UTC().Format("2 January 2006 15:04 UTC") }

// inviteMessage composes the invitation to account a. Its one link is link.
func inviteMessage(a *Account, to, link string, expires time.Time) Message {
	name := oneLine(a.Name)
	text := fmt.Sprintf("Hello,\n\nYou have been invited to join the Chime account \"%s\" as %s.\n\n"+
		"To accept the invitation, open this link:\n\n%s\n\n"+
		"The link can be used once and expires on %s.\n"+
		"If you did not expect this invitation, you can ignore this message.\n", name, to, link, mailDate(expires))
	h := fmt.Sprintf(`<!DOCTYPE html><html><body><p>Hello,</p>`+
		`<p>You have been invited to join the Chime account <strong>%s</strong> as %s.</p>`+
		`<p><a href="%s">Accept the invitation</a></p>`+
		`<p>The link can be used once and expires on %s.<br>`+
		`If you did not expect this invitation, you can ignore this message.</p></body></html>`,
		html.EscapeString(name), html.EscapeString(to), html.EscapeString(link), mailDate(expires))
	return Message{To: to, Subject: "Invitation to join " + name, Text: text, HTML: h, Link: link}
}

// signInMessage composes a sign-in link for a user of account a.
func signInMessage(a *Account, to, link string, expires time.Time) Message {
	name := oneLine(a.Name)
	text := fmt.Sprintf("Hello,\n\nSomeone asked to sign in to the Chime account \"%s\" as %s.\n\n"+
		"To sign in, open this link:\n\n%s\n\n"+
		"The link can be used once and expires on %s.\n"+
		"If it was not you, ignore this message: nothing happens without the link.\n", name, to, link, mailDate(expires))
	h := fmt.Sprintf(`<!DOCTYPE html><html><body><p>Hello,</p>`+
		`<p>Someone asked to sign in to the Chime account <strong>%s</strong> as %s.</p>`+
		`<p><a href="%s">Sign in</a></p>`+
		`<p>The link can be used once and expires on %s.<br>`+
		`If it was not you, ignore this message: nothing happens without the link.</p></body></html>`,
		html.EscapeString(name), html.EscapeString(to), html.EscapeString(link), mailDate(expires))
	return Message{To: to, Subject: "Your sign-in link for " + name, Text: text, HTML: h, Link: link}
}
