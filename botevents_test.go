package chime_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/botdelivery"
	"github.com/chimed/chimed/internal/testenv"
)

// Delivery of bot events (docs/behavior.md §10, D38) to real HTTP receivers that check signatures as a bot does.

// botEnv is a Service with a BotSender over a store, its delivery worker running until the test ends.
type botEnv struct {
	svc   *chime.Service
	store chime.Store
}

func newBotEnv(t *testing.T, store chime.Store, caFile string, timeout time.Duration, run bool) *botEnv {
	t.Helper()
	sender, err := botdelivery.New(botdelivery.Config{CAFile: caFile, Timeout: timeout})
	must(t, err)
	svc := testenv.MustService(t, store, chime.ServiceOptions{BotSender: sender, BotDeliveryTimeout: timeout,
		Keyring: testenv.MustKeyring(t), BotPollInterval: 100 * time.Millisecond})
	if run {
		startDelivery(t, svc)
	}
	return &botEnv{svc: svc, store: store}
}

// startDelivery runs svc's delivery worker until the test ends (or the returned stop is called).
func startDelivery(t *testing.T, svc *chime.Service) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.RunBotDelivery(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

// configuredBot creates an Enterprise account and a bot whose events go to r (challenged); it sets r's token.
func (e *botEnv) configuredBot(t *testing.T, r *testenv.BotReceiver) (aws, accountID string, b *chime.Bot) {
	t.Helper()
	aws = newTenant()
	a, err := e.svc.CreateAccount(ctx, aws, ptr("bots"))
	must(t, err)
	_, err = e.svc.SetAccountType(ctx, aws, a.ID, ptr(string(chime.AccountEnterpriseLWA)))
	must(t, err)
	b, token, err := e.svc.CreateBot(ctx, aws, a.ID, ptr("myBot"), ptr("example.com"))
	must(t, err)
	r.SetToken(token)
	_, err = e.svc.PutEventsConfiguration(ctx, aws, a.ID, b.ID, &r.URL, nil)
	must(t, err)
	return aws, a.ID, b
}

func invite(room string) chime.BotEventInput {
	return chime.BotEventInput{Type: chime.BotEventInvite, SenderID: "arn:aws:iam::111122223333:user/AKIA",
		SenderIDType: "IamArn", RoomID: room, EndpointType: chime.EndpointPersistent,
		EndpointURL: "http://127.0.0.1:1/incomingwebhooks/x?token=y"}
}

// waitEvent waits until the event of the outbox whose body matches is no longer Pending, and returns it.
func (e *botEnv) waitSettled(t *testing.T, aws string, n int) []*chime.BotEvent {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := e.svc.BotEvents(ctx, aws, "")
		must(t, err)
		var events []*chime.BotEvent
		settled := true
		for _, ev := range list {
			if ev.Type == chime.BotEventVerification {
				continue
			}
			events = append(events, ev)
			settled = settled && ev.Status != chime.BotEventPending
		}
		if len(events) >= n && settled {
			return events
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox not settled: %d events", len(events))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var isoMS = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func TestBotEventDelivery(t *testing.T) {
	t.Parallel()
	store := testenv.MustOpen(t, testenv.DSN(t))
	e := newBotEnv(t, store, "", 300*time.Millisecond, true)

	t.Run("signed, in order, exact payload", func(t *testing.T) {
		r := testenv.NewBotReceiver(t, false)
		aws, acc, b := e.configuredBot(t, r)
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("room-1")))
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, chime.BotEventInput{Type: chime.BotEventMention,
			SenderID: "jane@example.com", SenderIDType: "EmailId", RoomID: "room-1", EndpointType: chime.EndpointShortLived,
			EndpointURL: "http://127.0.0.1:1/u", Message: "@myBot-chimebot@example.com <status> & more"}))
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, chime.BotEventInput{Type: chime.BotEventRemove,
			SenderID: "arn", SenderIDType: "IamArn", RoomID: "room-1"}))
		got := r.WaitEvents(t, 3, 10*time.Second)
		want := []*regexp.Regexp{
			regexp.MustCompile(`^\{"Sender":\{"SenderId":"arn:aws:iam::111122223333:user/AKIA","SenderIdType":"IamArn"\},"Discussion":\{"DiscussionId":"room-1","DiscussionType":"Room"\},"EventType":"Invite","InboundHttpsEndpoint":\{"EndpointType":"Persistent","Url":"http://127.0.0.1:1/incomingwebhooks/x\?token=y"\},"EventTimestamp":"[0-9T:.Z-]{24}"\}$`),
			regexp.MustCompile(`^\{"Sender":\{"SenderId":"jane@example.com","SenderIdType":"EmailId"\},"Discussion":\{"DiscussionId":"room-1","DiscussionType":"Room"\},"EventType":"Mention","InboundHttpsEndpoint":\{"EndpointType":"ShortLived","Url":"http://127.0.0.1:1/u"\},"EventTimestamp":"[0-9T:.Z-]{24}","Message":"@myBot-chimebot@example.com <status> & more"\}$`),
			regexp.MustCompile(`^\{"Sender":\{"SenderId":"arn","SenderIdType":"IamArn"\},"Discussion":\{"DiscussionId":"room-1","DiscussionType":"Room"\},"EventType":"Remove","EventTimestamp":"[0-9T:.Z-]{24}"\}$`),
		}
		for i, re := range want {
			if !re.Match(got[i]) {
				t.Errorf("event %d = %s", i, got[i])
			}
		}
		events := e.waitSettled(t, aws, 3)
		for _, ev := range events {
			if ev.Status != chime.BotEventDelivered || len(ev.Attempts) != 1 || ev.Attempts[0].StatusCode != 200 ||
				ev.TargetType != chime.BotTargetHTTPS || ev.Target != r.URL || !isoMS.MatchString(ev.Attempts[0].RequestTime) {
				t.Errorf("event %+v attempts %+v", ev, ev.Attempts)
			}
		}
		if _, rejected := r.Counts(); rejected != 0 {
			t.Fatalf("%d requests failed the signature check", rejected)
		}
		// the challenge was recorded too
		all, err := e.svc.BotEvents(ctx, aws, b.ID)
		must(t, err)
		if all[0].Type != chime.BotEventVerification || all[0].Status != chime.BotEventDelivered {
			t.Fatalf("first outbox event = %+v", all[0])
		}
	})

	t.Run("retries: 500 then 200; three 503 fail; 404 fails at once", func(t *testing.T) {
		r := testenv.NewBotReceiver(t, false)
		aws, acc, b := e.configuredBot(t, r)
		r.Fail(500)
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("r1")))
		ev := e.waitSettled(t, aws, 1)[0]
		if ev.Status != chime.BotEventDelivered || len(ev.Attempts) != 2 || ev.Attempts[0].StatusCode != 500 {
			t.Fatalf("500 then 200: %+v %+v", ev, ev.Attempts)
		}
		if gap := ev.Attempts[1].At.Sub(ev.Attempts[0].At); gap < 150*time.Millisecond {
			t.Errorf("second attempt %s after the first, want about 200 ms", gap)
		}
		if ev.Attempts[0].Signature == ev.Attempts[1].Signature && ev.Attempts[0].RequestTime != ev.Attempts[1].RequestTime {
			t.Error("a retry reuses the signature")
		}
		r.Fail(503, 503, 503)
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("r2")))
		ev = e.waitSettled(t, aws, 2)[1]
		if ev.Status != chime.BotEventFailed || len(ev.Attempts) != 3 {
			t.Fatalf("503×3: %+v %+v", ev, ev.Attempts)
		}
		r.Fail(404)
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("r3")))
		ev = e.waitSettled(t, aws, 3)[2]
		if ev.Status != chime.BotEventFailed || len(ev.Attempts) != 1 || ev.Attempts[0].StatusCode != 404 {
			t.Fatalf("404: %+v %+v", ev, ev.Attempts)
		}
	})

	t.Run("timeouts are retried, then fail", func(t *testing.T) {
		r := testenv.NewBotReceiver(t, false)
		aws, acc, b := e.configuredBot(t, r)
		r.Hold()
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("r")))
		ev := e.waitSettled(t, aws, 1)[0]
		if ev.Status != chime.BotEventFailed || len(ev.Attempts) != 3 || ev.Attempts[2].Error == "" {
			t.Fatalf("held: %+v %+v", ev, ev.Attempts)
		}
		r.Release()
	})

	t.Run("redirects are not followed", func(t *testing.T) {
		r := testenv.NewBotReceiver(t, false)
		aws, acc, b := e.configuredBot(t, r)
		redirect := httptest.NewServer(http.RedirectHandler(r.URL, http.StatusTemporaryRedirect))
		t.Cleanup(redirect.Close)
		// configured without a challenge (the redirect could not answer one)
		noVerify := testenv.MustService(t, store, chime.ServiceOptions{NoBotEndpointVerification: true,
			Keyring: testenv.MustKeyring(t)})
		_, err := noVerify.PutEventsConfiguration(ctx, aws, acc, b.ID, &redirect.URL, nil)
		must(t, err)
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("r")))
		ev := e.waitSettled(t, aws, 1)[0]
		if ev.Status != chime.BotEventFailed || len(ev.Attempts) != 1 || ev.Attempts[0].StatusCode != 307 {
			t.Fatalf("redirect: %+v %+v", ev, ev.Attempts)
		}
		if len(r.Events()) != 0 {
			t.Fatal("the redirect was followed")
		}
	})

	t.Run("challenge failure leaves the configuration unchanged", func(t *testing.T) {
		r := testenv.NewBotReceiver(t, false)
		aws, acc, b := e.configuredBot(t, r)
		silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(`{}`)) }))
		t.Cleanup(silent.Close)
		_, err := e.svc.PutEventsConfiguration(ctx, aws, acc, b.ID, &silent.URL, nil)
		wantErr(t, err, chime.EINVALID, chime.FieldOutboundEventsHTTPSEndpoint)
		r.Fail(500)
		_, err = e.svc.PutEventsConfiguration(ctx, aws, acc, b.ID, &r.URL, nil) // no retries
		wantErr(t, err, chime.EINVALID, "")
		cfg, err := e.svc.GetEventsConfiguration(ctx, aws, acc, b.ID)
		must(t, err)
		if cfg.Endpoint != r.URL {
			t.Fatalf("configuration changed to %+v", cfg)
		}
		all, err := e.svc.BotEvents(ctx, aws, b.ID)
		must(t, err)
		if len(all) != 3 || all[1].Status != chime.BotEventFailed || all[2].Status != chime.BotEventFailed ||
			all[1].Target != silent.URL {
			t.Fatalf("challenges recorded: %d", len(all))
		}
	})

	t.Run("no events for disabled or unconfigured bots; the new token signs", func(t *testing.T) {
		r := testenv.NewBotReceiver(t, false)
		aws, acc, b := e.configuredBot(t, r)
		_, _, err := e.svc.UpdateBot(ctx, aws, acc, b.ID, ptr(true))
		must(t, err)
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("r")))
		_, _, err = e.svc.UpdateBot(ctx, aws, acc, b.ID, ptr(false))
		must(t, err)
		_, tok, err := e.svc.RegenerateSecurityToken(ctx, aws, acc, b.ID)
		must(t, err)
		r.SetToken(tok)
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("after")))
		if ev := e.waitSettled(t, aws, 1); len(ev) != 1 || ev[0].Status != chime.BotEventDelivered {
			t.Fatalf("events: %d", len(ev))
		}
		must(t, e.svc.DeleteEventsConfiguration(ctx, aws, acc, b.ID))
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("r")))
		if ev := e.waitSettled(t, aws, 1); len(ev) != 1 {
			t.Fatalf("an unconfigured bot got an event")
		}
	})

	t.Run("Lambda targets are recorded with the ClientContext", func(t *testing.T) {
		r := testenv.NewBotReceiver(t, false)
		aws, acc, b := e.configuredBot(t, r)
		_, err := e.svc.PutEventsConfiguration(ctx, aws, acc, b.ID, nil, ptr("arn:aws:lambda:us-east-1:123456789012:function:bot"))
		must(t, err)
		must(t, e.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("r")))
		ev := e.waitSettled(t, aws, 1)[0]
		if ev.Status != chime.BotEventRecorded || ev.TargetType != chime.BotTargetLambda || len(ev.Attempts) != 1 {
			t.Fatalf("lambda: %+v", ev)
		}
		raw, err := base64.StdEncoding.DecodeString(ev.Attempts[0].ClientContext)
		must(t, err)
		var cc map[string]string
		must(t, json.Unmarshal(raw, &cc))
		_, tok, err := e.svc.GetBot(ctx, aws, acc, b.ID)
		must(t, err)
		if cc["Chime-Signature"] != chime.SignBotRequest(tok, cc["Chime-Request-Timestamp"], ev.Body) {
			t.Fatalf("ClientContext %s does not sign the body", raw)
		}
	})
}

func TestBotEventsTLS(t *testing.T) {
	t.Parallel()
	store := testenv.MustOpen(t, testenv.DSN(t))
	r := testenv.NewBotReceiver(t, true)
	// Without the CA file the certificate is not trusted: the challenge fails.
	plain := newBotEnv(t, store, "", time.Second, false)
	aws := newTenant()
	a, err := plain.svc.CreateAccount(ctx, aws, ptr("tls"))
	must(t, err)
	_, err = plain.svc.SetAccountType(ctx, aws, a.ID, ptr(string(chime.AccountEnterpriseOIDC)))
	must(t, err)
	b, token, err := plain.svc.CreateBot(ctx, aws, a.ID, ptr("tls"), ptr("example.com"))
	must(t, err)
	r.SetToken(token)
	_, err = plain.svc.PutEventsConfiguration(ctx, aws, a.ID, b.ID, &r.URL, nil)
	wantErr(t, err, chime.EINVALID, "")
	// With it, the challenge and the events go through.
	e := newBotEnv(t, store, r.CAFile, time.Second, true)
	_, err = e.svc.PutEventsConfiguration(ctx, aws, a.ID, b.ID, &r.URL, nil)
	must(t, err)
	must(t, e.svc.QueueBotEventForTest(ctx, aws, a.ID, b.ID, invite("tls-room")))
	r.WaitEvents(t, 1, 10*time.Second)
}

// An event queued while no worker runs (a crash between the answer and the delivery) is delivered by the next
// run; a delivery cut short by a stop is released and delivered by the next run too.
func TestBotEventsSurviveRestart(t *testing.T) {
	t.Parallel()
	store := testenv.MustOpen(t, testenv.DSN(t))
	r := testenv.NewBotReceiver(t, false)
	first := newBotEnv(t, store, "", time.Second, false)
	aws, acc, b := first.configuredBot(t, r)
	must(t, first.svc.QueueBotEventForTest(ctx, aws, acc, b.ID, invite("queued")))

	r.Hold()
	stop := startDelivery(t, first.svc)
	select {
	case <-r.Arrived():
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery started")
	}
	stop() // cut short: released, still Pending
	if ev := first.svc; ev != nil {
		list, err := first.svc.BotEvents(ctx, aws, b.ID)
		must(t, err)
		if last := list[len(list)-1]; last.Status != chime.BotEventPending {
			t.Fatalf("after a stop mid-delivery: %s", last.Status)
		}
	}
	r.Release()
	second := newBotEnv(t, store, "", time.Second, true) // the next start
	got := r.WaitEvents(t, 1, 10*time.Second)
	if !regexp.MustCompile(`"DiscussionId":"queued"`).Match(got[0]) {
		t.Fatalf("delivered %s", got[0])
	}
	if ev := second.waitSettled(t, aws, 1)[0]; ev.Status != chime.BotEventDelivered {
		t.Fatalf("status %s", ev.Status)
	}
}
