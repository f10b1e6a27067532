package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/botdelivery"
	"github.com/chimed/chimed/internal/testenv"
)

// Bots and events configurations through aws-sdk-go-v2 (docs/behavior.md §4.36, §4.37, §10, §9.8).

// botServer starts a server whose service sends challenges and events, its delivery worker running.
func botServer(t *testing.T, caFile string) *testServer {
	t.Helper()
	sender, err := botdelivery.New(botdelivery.Config{CAFile: caFile, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s := testenv.NewServer(t, testenv.Config{DSN: testDSN(t), Service: chimed.ServiceOptions{BotSender: sender,
		BotDeliveryTimeout: time.Second, BotPollInterval: 100 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Service.RunBotDelivery(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &testServer{URL: s.URL, store: s.Store}
}

func enterpriseAccount(t *testing.T, s *testServer, c *chime.Client, keyID string) string {
	t.Helper()
	a := MustCreateAccount(t, c, "bots")
	MustSetAccountType(t, s, keyID, *a.AccountId, "EnterpriseLWA")
	return *a.AccountId
}

func TestBotsEndToEnd(t *testing.T) {
	s, c := setup(t)
	acc := enterpriseAccount(t, s, c, tenantA)

	out, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: &acc, DisplayName: aws.String("myBot"),
		Domain: aws.String("example.com")})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, out.ResultMetadata, 201)
	b := out.Bot
	if *b.BotId != *b.UserId || *b.DisplayName != "myBot (Bot)" || b.BotType != types.BotTypeChatBot ||
		*b.Disabled || *b.BotEmail != "myBot-chimebot@example.com" || len(*b.SecurityToken) != 40 ||
		!b.CreatedTimestamp.Equal(*b.UpdatedTimestamp) {
		t.Fatalf("bot = %+v", b)
	}
	checkTime(t, "CreatedTimestamp", b.CreatedTimestamp)

	g, err := c.GetBot(ctx, &chime.GetBotInput{AccountId: &acc, BotId: b.BotId})
	if err != nil || *g.Bot.SecurityToken != *b.SecurityToken {
		t.Fatalf("GetBot: %v", err)
	}
	u, err := c.UpdateBot(ctx, &chime.UpdateBotInput{AccountId: &acc, BotId: b.BotId, Disabled: aws.Bool(true)})
	if err != nil || !*u.Bot.Disabled || !u.Bot.UpdatedTimestamp.Equal(*b.CreatedTimestamp) {
		t.Fatalf("UpdateBot: %+v %v", u, err)
	}
	r, err := c.RegenerateSecurityToken(ctx, &chime.RegenerateSecurityTokenInput{AccountId: &acc, BotId: b.BotId})
	if err != nil || *r.Bot.SecurityToken == *b.SecurityToken || !*r.Bot.Disabled {
		t.Fatalf("RegenerateSecurityToken: %+v %v", r, err)
	}

	// errors
	_, err = c.CreateBot(ctx, &chime.CreateBotInput{AccountId: &acc, DisplayName: aws.String("MYBOT"), Domain: aws.String("example.com")})
	wantBadRequest(t, err) // email taken
	_, err = c.CreateBot(ctx, &chime.CreateBotInput{AccountId: &acc, DisplayName: aws.String("x")})
	wantBadRequest(t, err) // no domain
	_, err = c.CreateBot(ctx, &chime.CreateBotInput{AccountId: &acc, DisplayName: aws.String(strings.Repeat("n", 56)), Domain: aws.String("example.com")})
	wantBadRequest(t, err)
	_, err = c.GetBot(ctx, &chime.GetBotInput{AccountId: &acc, BotId: aws.String("nope")})
	wantNotFound(t, err)
	_, err = s.client(tenantB).GetBot(ctx, &chime.GetBotInput{AccountId: &acc, BotId: b.BotId})
	wantNotFound(t, err) // another AWS account
	team := MustCreateAccount(t, c, "team")
	_, err = c.ListBots(ctx, &chime.ListBotsInput{AccountId: team.AccountId})
	wantErr(t, err, "ForbiddenException", types.ErrorCodeForbidden, 403)
	_, err = c.DeleteEventsConfiguration(ctx, &chime.DeleteEventsConfigurationInput{AccountId: team.AccountId, BotId: b.BotId})
	wantErr(t, err, "ForbiddenException", types.ErrorCodeForbidden, 403)

	// 10 per account; ListBots pages
	for i := 1; i < 10; i++ {
		if _, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: &acc, DisplayName: aws.String(fmt.Sprintf("b%d", i)),
			Domain: aws.String("example.com")}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.CreateBot(ctx, &chime.CreateBotInput{AccountId: &acc, DisplayName: aws.String("b11"), Domain: aws.String("example.com")})
	wantLimit(t, err)
	var ids []string
	p := chime.NewListBotsPaginator(c, &chime.ListBotsInput{AccountId: &acc, MaxResults: aws.Int32(3)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page.Bots {
			ids = append(ids, *b.BotId)
		}
	}
	all, err := c.ListBots(ctx, &chime.ListBotsInput{AccountId: &acc})
	if err != nil || len(ids) != 10 || len(all.Bots) != 10 || all.NextToken != nil || ids[0] != *b.BotId {
		t.Fatalf("ListBots: %d paged, %d in one page (%v)", len(ids), len(all.Bots), err)
	}
	resp := s.raw(t, tenantA, "GET", "/accounts/"+acc+"/bots?max-results=100", nil)
	wantRawErr(t, resp, 400, "BadRequestException", "BadRequest")

	// events configuration without a sender: no challenge
	_, err = c.GetEventsConfiguration(ctx, &chime.GetEventsConfigurationInput{AccountId: &acc, BotId: b.BotId})
	wantNotFound(t, err)
	put, err := c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: &acc, BotId: b.BotId,
		LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:111122223333:function:bot")})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, put.ResultMetadata, 201)
	_, err = c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: &acc, BotId: b.BotId,
		LambdaFunctionArn: aws.String("arn"), OutboundEventsHTTPSEndpoint: aws.String("https://x.example.com")})
	wantBadRequest(t, err)
	_, err = c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: &acc, BotId: b.BotId,
		OutboundEventsHTTPSEndpoint: aws.String("nope")})
	wantBadRequest(t, err)
	get, err := c.GetEventsConfiguration(ctx, &chime.GetEventsConfigurationInput{AccountId: &acc, BotId: b.BotId})
	if err != nil || *get.EventsConfiguration.LambdaFunctionArn != "arn:aws:lambda:us-east-1:111122223333:function:bot" ||
		get.EventsConfiguration.OutboundEventsHTTPSEndpoint != nil || *get.EventsConfiguration.BotId != *b.BotId {
		t.Fatalf("GetEventsConfiguration: %+v %v", get, err)
	}
	del, err := c.DeleteEventsConfiguration(ctx, &chime.DeleteEventsConfigurationInput{AccountId: &acc, BotId: b.BotId})
	if err != nil {
		t.Fatal(err)
	}
	checkMeta(t, del.ResultMetadata, 204)
	_, err = c.DeleteEventsConfiguration(ctx, &chime.DeleteEventsConfigurationInput{AccountId: &acc, BotId: aws.String("nope")})
	wantBadRequest(t, err) // no NotFound modeled (D47)
	_, err = c.DeleteEventsConfiguration(ctx, &chime.DeleteEventsConfigurationInput{AccountId: aws.String("nope"), BotId: b.BotId})
	wantBadRequest(t, err)
}

type wireBotEvents struct {
	Events []struct {
		EventId, AccountId, BotId, EventType, Body, Status, CreatedTimestamp string
		Target                                                               struct{ Type, Value string }
		Attempts                                                             []struct {
			Timestamp, ChimeRequestTimestamp, ChimeSignature string
			StatusCode                                       int
		}
	}
}

func TestBotChallengeAndOutboxEndToEnd(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			recv := testenv.NewBotReceiver(t, tls)
			s := botServer(t, recv.CAFile)
			c := s.client(tenantA)
			acc := enterpriseAccount(t, s, c, tenantA)
			out, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: &acc, DisplayName: aws.String("b"), Domain: aws.String("example.com")})
			if err != nil {
				t.Fatal(err)
			}
			recv.SetToken(*out.Bot.SecurityToken)
			put, err := c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: &acc, BotId: out.Bot.BotId,
				OutboundEventsHTTPSEndpoint: &recv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if *put.EventsConfiguration.OutboundEventsHTTPSEndpoint != recv.URL {
				t.Fatalf("Put = %+v", put.EventsConfiguration)
			}
			// a wrong token: the bot refuses the challenge → 400, configuration unchanged
			recv.SetToken("not the token")
			_, err = c.PutEventsConfiguration(ctx, &chime.PutEventsConfigurationInput{AccountId: &acc, BotId: out.Bot.BotId,
				OutboundEventsHTTPSEndpoint: aws.String(recv.URL + "?v=2")})
			wantBadRequest(t, err)
			r := s.raw(t, tenantA, "GET", "/_chimed/bot-events?bot-id="+*out.Bot.BotId, nil)
			var ev wireBotEvents
			if r.Status != 200 || json.Unmarshal(r.Body, &ev) != nil || len(ev.Events) != 2 {
				t.Fatalf("bot-events: %d %s", r.Status, r.Body)
			}
			e0 := ev.Events[0]
			if e0.EventType != "HTTPSEndpointVerification" || e0.Status != "Delivered" || e0.Target.Type != "HTTPS" ||
				e0.Target.Value != recv.URL || !strings.Contains(e0.Body, `"EventType":"HTTPSEndpointVerification"`) ||
				len(e0.Attempts) != 1 || e0.Attempts[0].StatusCode != 200 || e0.AccountId != acc ||
				!wireTimestamp.MatchString(e0.CreatedTimestamp) {
				t.Fatalf("challenge record: %s", r.Body)
			}
			sig := chimed.SignBotRequest(*out.Bot.SecurityToken, e0.Attempts[0].ChimeRequestTimestamp, []byte(e0.Body))
			if sig != e0.Attempts[0].ChimeSignature {
				t.Fatal("the recorded signature does not sign the recorded body")
			}
			if ev.Events[1].Status != "Failed" || ev.Events[1].Attempts[0].StatusCode != 401 {
				t.Fatalf("refused challenge: %s", r.Body)
			}
			// scoped to the caller's AWS account
			r = s.raw(t, tenantB, "GET", "/_chimed/bot-events", nil)
			if r.Status != 200 || strings.Contains(string(r.Body), acc) {
				t.Fatalf("another AWS account sees: %s", r.Body)
			}
		})
	}
}
