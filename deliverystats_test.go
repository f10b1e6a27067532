package chime_test

import (
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// TestDeliveryStats: the bot event deliveries are counted by outcome (the endpoint's challenge is not an event).
// (Mail outcomes: cmd/chimed's TestMetrics and TestMetricsListen.)
func TestDeliveryStats(t *testing.T) {
	t.Parallel()
	store := testenv.MustOpen(t, testenv.DSN(t))
	e := newBotEnv(t, store, "", 300*time.Millisecond, true)
	r := testenv.NewBotReceiver(t, false)
	aws, acc, b := e.configuredBot(t, r)
	must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("r1")))
	e.waitSettled(t, aws, 1)
	r.Fail(404)
	must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("r2")))
	e.waitSettled(t, aws, 2)
	want := chime.DeliveryStats{BotDelivered: 1, BotFailed: 1}
	if got := e.svc.DeliveryStats(); got != want {
		t.Errorf("delivery stats %+v, want %+v", got, want)
	}
}
