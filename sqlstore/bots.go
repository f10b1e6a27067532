package sqlstore

import (
	"context"

	chime "github.com/chimed/chimed"
)

var _ chime.BotTx = (*tx)(nil)

// Bot implements chime.Tx.
func (t *tx) Bot(ctx context.Context, accountID, id string) (*chime.Bot, error) {
	return nil, chime.NotFound()
}

// EventsConfiguration implements chime.Tx.
func (t *tx) EventsConfiguration(ctx context.Context, accountID, botID string) (*chime.EventsConfiguration, error) {
	return nil, chime.NotFound()
}
