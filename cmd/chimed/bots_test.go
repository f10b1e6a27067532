package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/testenv"
)

// Bot events across kill -9 and across nodes (docs/behavior.md §10.1, §10.4, D38): the outbox is written in the
// trigger's transaction and delivered by whichever node claims it, exactly once while nodes stay up.

const botTenant = "111122223333"

// botSetup creates through p an Enterprise account, a bot whose events go to recv (challenged) and returns the
// account and bot ids.
func botSetup(t *testing.T, p *testenv.Proc, recv *testenv.BotReceiver) (accountID, botID string) {
	t.Helper()
	ctx := context.Background()
	c := p.Client(botTenant)
	a, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("bots")})
	if err != nil {
		t.Fatal(err)
	}
	accountID = *a.Account.AccountId
	body := []byte(`{"AccountType":"EnterpriseLWA"}`)
	req, _ := http.NewRequest("PUT", p.URL()+"/_chimed/accounts/"+accountID+"/type", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	testenv.Sign(t, req, body, testenv.Key{ID: botTenant, Secret: testenv.AnySecret})
	if r := testenv.Send(t, req); r.Status != 200 {
		t.Fatalf("set type: %d %s", r.Status, r.Body)
	}
	b, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: &accountID, DisplayName: aws.String("crash"),
		Domain: aws.String("example.com")})
	if err != nil {
		t.Fatal(err)
	}
	recv.SetToken(*b.Bot.SecurityToken)
	if _, err := c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: &accountID,
		BotId: b.Bot.BotId, OutboundEventsHTTPSEndpoint: &recv.URL}); err != nil {
		t.Fatalf("PutEventsConfiguration: %v\n%s", err, p.Tail())
	}
	return accountID, *b.Bot.BotId
}

// inviteBot creates a room named name and adds the bot to it: an Invite event.
func inviteBot(t *testing.T, c *chime.Client, accountID, botID, name string) {
	t.Helper()
	ctx := context.Background()
	room, err := c.CreateRoom(ctx, &chime.CreateRoomInput{AccountId: &accountID, Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: &accountID,
		RoomId: room.Room.RoomId, MemberId: &botID}); err != nil {
		t.Fatal(err)
	}
}

// botEventStatuses returns the statuses of the Invite events of the outbox, read through p.
func botEventStatuses(t *testing.T, p *testenv.Proc) []string {
	t.Helper()
	req, _ := http.NewRequest("GET", p.URL()+"/_chimed/bot-events", nil)
	testenv.Sign(t, req, nil, testenv.Key{ID: botTenant, Secret: testenv.AnySecret})
	r := testenv.Send(t, req)
	var out struct {
		Events []struct{ EventType, Status string }
	}
	if r.Status != 200 || json.Unmarshal(r.Body, &out) != nil {
		t.Fatalf("bot-events: %d %s", r.Status, r.Body)
	}
	var st []string
	for _, e := range out.Events {
		if e.EventType == "Invite" {
			st = append(st, e.Status)
		}
	}
	return st
}

func TestBotEventSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := testenv.BuildChimed(t)
	db := testenv.SQLiteDSN(t)
	recv := testenv.NewBotReceiver(t, false)
	// The default 2 s attempt timeout: a shorter one made a loaded machine's slow answer a failed attempt (the
	// event then stayed Pending through its retries). The dead process's lease (3 timeouts + retry waits + 2 s)
	// still expires well within the 30 s wait below.
	args := []string{"--auth", "any", "--db", db, "--bot-delivery-timeout", "2s"}
	p := testenv.StartChimed(t, bin, args...)
	accountID, botID := botSetup(t, p, recv)

	// The event is acknowledged (written), its delivery starts, and the server dies in the middle of it.
	recv.Hold()
	inviteBot(t, p.Client(botTenant), accountID, botID, "before the crash")
	select {
	case <-recv.Arrived():
	case <-time.After(10 * time.Second):
		t.Fatalf("no delivery started\n%s", p.Tail())
	}
	p.Kill(t)
	recv.Release()
	if n := len(recv.Events()); n != 0 {
		t.Fatalf("%d events accepted before the restart", n)
	}

	// After the restart the claim of the dead process expires and the event goes out.
	p = testenv.StartChimed(t, bin, args...)
	got := recv.WaitEvents(t, 1, 30*time.Second)
	if !regexp.MustCompile(`"EventType":"Invite"`).Match(got[0]) {
		t.Fatalf("delivered %s", got[0])
	}
	deadline := time.Now().Add(20 * time.Second)
	for st := botEventStatuses(t, p); len(st) != 1 || st[0] != "Delivered"; st = botEventStatuses(t, p) {
		if time.Now().After(deadline) {
			t.Fatalf("statuses %v", st)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestBotEventsMultiNodeOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dsn := testenv.PostgresDSN(t) // skips when CHIMED_TEST_POSTGRES is unset
	bin := testenv.BuildChimed(t)
	nodes := mnStart(t, bin, dsn, "A", "B")
	recv := testenv.NewBotReceiver(t, false)
	accountID, botID := botSetup(t, nodes[0], recv)

	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inviteBot(t, nodes[i%2].Client(botTenant), accountID, botID, fmt.Sprintf("room-%02d", i))
		}()
	}
	wg.Wait()
	got := recv.WaitEvents(t, n, 30*time.Second)
	time.Sleep(2500 * time.Millisecond) // a second delivery, if any, would arrive within a poll interval
	got = recv.Events()
	seen := map[string]int{}
	for _, body := range got {
		var ev struct{ Discussion struct{ DiscussionId string } }
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Fatal(err)
		}
		seen[ev.Discussion.DiscussionId]++
	}
	if len(got) != n || len(seen) != n {
		t.Fatalf("%d deliveries of %d distinct events, want %d of %d", len(got), len(seen), n, n)
	}
	st := botEventStatuses(t, nodes[1])
	if len(st) != n {
		t.Fatalf("statuses %v", st)
	}
	for _, s := range st {
		if s != "Delivered" {
			t.Fatalf("statuses %v", st)
		}
	}
}
