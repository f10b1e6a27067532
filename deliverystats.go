package chime

import "sync/atomic"

// deliveryCounters count the outcomes of mail and bot event deliveries since the service started, for metrics.
type deliveryCounters struct {
	mailSent, mailFailed, mailNotSent       atomic.Int64
	botDelivered, botFailed, botInterrupted atomic.Int64
}

// DeliveryStats is a snapshot of the delivery outcomes since the service started.
type DeliveryStats struct {
	// Mail messages (invitations, sign-in links) by EmailStatus: Sent (accepted by the SMTP server), Failed
	// (refused, unreachable or too slow), NotSent (no SMTP server configured).
	MailSent, MailFailed, MailNotSent int64
	// Bot events whose delivery ended Delivered or Failed (after its retries), or was interrupted by shutdown
	// (the event stays Pending for the next start).
	BotDelivered, BotFailed, BotInterrupted int64
}

// DeliveryStats returns the delivery outcomes counted since the service started.
func (s *Service) DeliveryStats() DeliveryStats {
	d := s.life.deliveries
	if d == nil {
		return DeliveryStats{}
	}
	return DeliveryStats{MailSent: d.mailSent.Load(), MailFailed: d.mailFailed.Load(), MailNotSent: d.mailNotSent.Load(),
		BotDelivered: d.botDelivered.Load(), BotFailed: d.botFailed.Load(), BotInterrupted: d.botInterrupted.Load()}
}

// countMail records the outcome of one mail message.
func (d *deliveryCounters) countMail(st EmailStatus) {
	if d == nil {
		return
	}
	switch st {
	case EmailSent:
		d.mailSent.Add(1)
	case EmailFailed:
		d.mailFailed.Add(1)
	default:
		d.mailNotSent.Add(1)
	}
}

// countBot records the outcome of one bot event delivery.
func (d *deliveryCounters) countBot(st BotEventStatus) {
	if d == nil {
		return
	}
	switch st {
	case BotEventDelivered:
		d.botDelivered.Add(1)
	case BotEventFailed:
		d.botFailed.Add(1)
	default:
		d.botInterrupted.Add(1)
	}
}
