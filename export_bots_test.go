package chime

import "context"

// QueueBotEventForTest queues an event of bot botID of account accountID in a write transaction of its own,
// as a trigger (§10.1) would, then kicks the delivery worker: tests drive the outbox before rooms exist.
func (s *Service) QueueBotEventForTest(ctx context.Context, aws, accountID, botID string, in BotEventInput) error {
	err := s.store.Write(ctx, func(tx Tx) error {
		a, err := account(ctx, tx, aws, accountID)
		if err != nil {
			return err
		}
		if in.Bot, err = tx.Bot(ctx, a.ID, botID); err != nil {
			return err
		}
		return s.queueBotEvent(ctx, tx, in, s.clock())
	})
	if err == nil {
		s.kickBotEvents()
	}
	return err
}
