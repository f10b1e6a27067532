package sqlstore_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// TestPruneBotEvents: pruning keeps the latest events of an AWS account and every Pending one, whatever its
// age, and leaves other AWS accounts alone.
func TestPruneBotEvents(t *testing.T) {
	eachEngine(t, func(t *testing.T, dsn string) {
		store := MustOpen(t, dsn)
		now := time.UnixMilli(1795000000000).UTC()
		insert := func(aws, id string, st chime.BotEventStatus) {
			t.Helper()
			must(t, store.Write(ctx, func(tx chime.Tx) error {
				return tx.InsertBotEvent(ctx, &chime.BotEvent{ID: id, AwsAccountID: aws, AccountID: "acct",
					BotID: "bot-" + aws, Type: chime.BotEventInvite, TargetType: chime.BotTargetHTTPS,
					Target: "https://bot.example.com/", Body: []byte(`{}`), Status: st, CreatedAt: now})
			}))
		}
		// e0 Pending, e1..e5 settled, e6 Pending; another AWS account's settled event.
		insert(tenant, "e0", chime.BotEventPending)
		for i := 1; i <= 5; i++ {
			insert(tenant, fmt.Sprintf("e%d", i), chime.BotEventDelivered)
		}
		insert(tenant, "e6", chime.BotEventPending)
		insert("444455556666", "other", chime.BotEventFailed)

		must(t, store.Write(ctx, func(tx chime.Tx) error { return tx.PruneBotEvents(ctx, tenant, 2) }))
		ids := func(aws string) []string {
			var list []*chime.BotEvent
			must(t, store.Read(ctx, func(tx chime.Tx) (err error) {
				list, err = tx.ListBotEvents(ctx, aws, "", 100)
				return err
			}))
			var out []string
			for _, e := range list {
				out = append(out, e.ID)
			}
			return out
		}
		// The latest two (e5, e6) stay, and so does the old Pending e0; e1..e4 are gone.
		if got, want := ids(tenant), []string{"e0", "e5", "e6"}; !slices.Equal(got, want) {
			t.Fatalf("after pruning to 2: %v, want %v", got, want)
		}
		if got := ids("444455556666"); !slices.Equal(got, []string{"other"}) {
			t.Fatalf("another AWS account's events: %v", got)
		}
	})
}
