package chime

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Delivery of bot events (docs/behavior.md §10; D38): the payload, the signature, and the worker that sends the
// Pending events of the outbox. The HTTP client itself is a BotSender (package botdelivery), so the domain has
// no net/http.

// BotRequest is one signed POST to a bot endpoint (§10.3).
type BotRequest struct {
	URL       string
	Body      []byte
	Timestamp string // Chime-Request-Timestamp
	Signature string // Chime-Signature
}

// BotResponse is what an endpoint answered: its status and the first bytes of its body.
type BotResponse struct {
	StatusCode int
	Body       []byte
}

// BotSender posts signed requests to bot endpoints. Send returns the response (any status: redirects are not
// followed) or an error when none arrived: a timeout, a connection or TLS failure, or ctx ending. It must
// return by ctx's deadline and never log the request's headers.
type BotSender interface {
	Send(ctx context.Context, r BotRequest) (BotResponse, error)
}

// Delivery settings (§10.4, §9.4).
const (
	DefaultBotDeliveryTimeout = 2 * time.Second // one attempt (--bot-delivery-timeout)
	DefaultBotPollInterval    = 2 * time.Second // the worker's scan for Pending events it was not told about
	BotEventLimit             = 1000            // events GET /_chimed/bot-events shows
	botWorkers                = 4               // events (of different bots) in delivery at once per node
)

// botRetryDelays are the waits before the second and third attempt (§10.4).
var botRetryDelays = [...]time.Duration{200 * time.Millisecond, 400 * time.Millisecond}

// botOptions are the bot settings of a Service.
type botOptions struct {
	sender  BotSender // nil: nothing is sent
	timeout time.Duration
	verify  bool // challenge endpoints on PutEventsConfiguration (§10.5)
	poll    time.Duration
	kick    chan struct{} // kickBotEvents → the worker
}

func newBotOptions(o ServiceOptions) botOptions {
	b := botOptions{sender: o.BotSender, timeout: o.BotDeliveryTimeout, verify: !o.NoBotEndpointVerification,
		poll: o.BotPollInterval, kick: make(chan struct{}, 1)}
	if b.timeout <= 0 {
		b.timeout = DefaultBotDeliveryTimeout
	}
	if b.poll <= 0 {
		b.poll = DefaultBotPollInterval
	}
	return b
}

// lease is how long a claim holds an event: every attempt and wait of one delivery, with a margin.
func (b *botOptions) lease() time.Duration {
	return 3*b.timeout + botRetryDelays[0] + botRetryDelays[1] + 2*time.Second
}

// isoMillis formats t as the wire's timestamps: ISO-8601, milliseconds, Z.
func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// SignBotRequest returns the Chime-Signature of body sent at timestamp with token (§10.3):
// base64(HMAC-SHA256(token, timestamp + "|" + body)).
func SignBotRequest(token, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte(timestamp))
	m.Write([]byte("|"))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// botEventBody is the payload of an event (§10.2), members in the documented order.
func botEventBody(in BotEventInput, now time.Time) ([]byte, error) {
	type sender struct {
		SenderID     string `json:"SenderId"`
		SenderIDType string `json:"SenderIdType"`
	}
	type discussion struct {
		DiscussionID   string `json:"DiscussionId"`
		DiscussionType string `json:"DiscussionType"`
	}
	type endpoint struct {
		EndpointType string `json:"EndpointType"`
		URL          string `json:"Url"`
	}
	payload := struct {
		Sender               sender     `json:"Sender"`
		Discussion           discussion `json:"Discussion"`
		EventType            string     `json:"EventType"`
		InboundHTTPSEndpoint *endpoint  `json:"InboundHttpsEndpoint,omitempty"`
		EventTimestamp       string     `json:"EventTimestamp"`
		Message              *string    `json:"Message,omitempty"`
	}{Sender: sender{in.SenderID, in.SenderIDType}, Discussion: discussion{in.RoomID, "Room"},
		EventType: string(in.Type), EventTimestamp: isoMillis(now)}
	if in.EndpointType != "" {
		payload.InboundHTTPSEndpoint = &endpoint{in.EndpointType, in.EndpointURL}
	}
	if in.Type == BotEventMention {
		payload.Message = &in.Message
	}
	return marshalExact(payload)
}

// marshalExact encodes v as compact JSON without HTML escaping and without a trailing newline.
func marshalExact(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// lambdaAttempt is the record of an event for a Lambda target (§10.6): the ClientContext that would have been
// sent, base64 of {"Chime-Signature","Chime-Request-Timestamp"}.
func lambdaAttempt(token string, body []byte, wall, now time.Time) BotEventAttempt {
	ts := isoMillis(wall)
	sig := SignBotRequest(token, ts, body)
	cc, _ := marshalExact(struct {
		Signature string `json:"Chime-Signature"`
		Timestamp string `json:"Chime-Request-Timestamp"`
	}{sig, ts})
	return BotEventAttempt{At: now, RequestTime: ts, Signature: sig, ClientContext: base64.StdEncoding.EncodeToString(cc)}
}

// attempt sends body to url once, signed with token at the wall clock's now, bounded by the delivery
// timeout. retry says whether a failure is worth another attempt (§10.4: timeouts, connection errors, 5xx).
func (s *Service) attempt(ctx context.Context, url, token string, body []byte) (a BotEventAttempt, resp BotResponse, ok, retry bool) {
	a.At = s.clock()
	a.RequestTime = isoMillis(s.now())
	a.Signature = SignBotRequest(token, a.RequestTime, body)
	actx, cancel := context.WithTimeout(ctx, s.bots.timeout)
	defer cancel()
	resp, err := s.bots.sender.Send(actx, BotRequest{URL: url, Body: body, Timestamp: a.RequestTime, Signature: a.Signature})
	switch {
	case err != nil:
		a.Error = err.Error()
		if errors.Is(err, context.DeadlineExceeded) || actx.Err() != nil && ctx.Err() == nil {
			a.Error = fmt.Sprintf("no answer within %s", s.bots.timeout)
		}
		return a, resp, false, true
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		a.StatusCode = resp.StatusCode
		return a, resp, true, false
	default:
		a.StatusCode = resp.StatusCode
		a.Error = fmt.Sprintf("answered %d", resp.StatusCode)
		return a, resp, false, resp.StatusCode >= 500
	}
}

// RunBotDelivery delivers the Pending events of the outbox until ctx ends, then returns once the deliveries in
// flight have stopped. It scans at once (events left by a previous run or another node), whenever a trigger
// kicks it, and every poll interval. Events of one bot go out one at a time, in order; several bots' events go
// out at once. An event whose delivery is cut short by ctx is released, Pending, for the next run. Without a
// BotSender it returns at once. Safe to run on several nodes of one database: a claim (a lease) gives each
// event to one node.
func (s *Service) RunBotDelivery(ctx context.Context) {
	if s.bots.sender == nil {
		return
	}
	sem := make(chan struct{}, botWorkers)
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(s.bots.poll)
	defer tick.Stop()
	for {
	scan:
		for ctx.Err() == nil {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				break scan
			}
			claim := newID() // one per claim: only this delivery may record the outcome
			e, err := s.claimBotEvent(ctx, claim)
			if e == nil {
				<-sem
				if err != nil && ctx.Err() == nil {
					s.life.logger.WarnContext(ctx, "bot events: claim failed", "error", err)
				}
				break scan
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.deliverBotEvent(ctx, e, claim)
				<-sem
				s.kickBotEvents() // the bot's next event may go now
			}()
		}
		select {
		case <-ctx.Done():
			return
		case <-s.bots.kick:
		case <-tick.C:
		}
	}
}

// claimBotEvent claims the next deliverable event; nil when there is none.
func (s *Service) claimBotEvent(ctx context.Context, claim string) (e *BotEvent, err error) {
	err = s.store.Write(ctx, func(tx Tx) error {
		now := s.now()
		e, err = tx.ClaimBotEvent(ctx, claim, now, now.Add(s.bots.lease()))
		if ErrorCode(err) == ENOTFOUND {
			e, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// deliverBotEvent makes up to three attempts (§10.4) and records the outcome, if the claim still holds.
func (s *Service) deliverBotEvent(ctx context.Context, e *BotEvent, claim string) {
	log := s.life.logger.With("event_id", e.ID, "bot_id", e.BotID, "event_type", e.Type)
	e.Status = BotEventFailed
	token, err := s.botToken(ctx, e)
	if err != nil {
		log.WarnContext(ctx, "bot event not sent: no token", "error", err)
		e.Attempts = append(e.Attempts, BotEventAttempt{At: s.clock(), Error: "the bot's security token is unavailable"})
	}
	for i := 0; err == nil && i <= len(botRetryDelays); i++ {
		if i > 0 {
			select {
			case <-time.After(botRetryDelays[i-1]):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			e.Status = BotEventPending // cut short: released for the next run
			break
		}
		a, _, ok, retry := s.attempt(ctx, e.Target, token, e.Body)
		if ctx.Err() != nil {
			e.Status = BotEventPending
			break
		}
		e.Attempts = append(e.Attempts, a)
		if ok {
			e.Status = BotEventDelivered
			break
		}
		if !retry {
			break
		}
	}
	s.life.deliveries.countBot(e.Status)
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	err = s.store.Write(rec, func(tx Tx) error { return tx.FinishBotEvent(rec, e, claim) })
	switch {
	case ErrorCode(err) == ENOTFOUND:
		log.WarnContext(ctx, "bot event: claim lost before the outcome was recorded")
	case err != nil:
		log.ErrorContext(ctx, "bot event: recording the outcome failed", "error", err)
	default:
		log.InfoContext(ctx, "bot event", "status", e.Status, "attempts", len(e.Attempts))
	}
}

// botToken returns the current token of the event's bot: an event is signed with the token of the moment it
// is sent (a regenerated token signs from then on).
func (s *Service) botToken(ctx context.Context, e *BotEvent) (string, error) {
	var b *Bot
	err := s.store.Read(ctx, func(tx Tx) (err error) {
		b, err = tx.Bot(ctx, e.AccountID, e.BotID)
		return err
	})
	if err != nil {
		return "", err
	}
	return s.openBotToken(b)
}

// challengeAlphabet is what a challenge is made of (§10.5).
const challengeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func newChallenge() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = challengeAlphabet[int(b[i])%len(challengeAlphabet)]
	}
	return string(b), nil
}

// verifyEndpoint sends the endpoint challenge (§10.5) once and returns the outbox record of it, with status
// Delivered when a 2xx echoing the challenge came back in time, else Failed.
func (s *Service) verifyEndpoint(ctx context.Context, b *Bot, url, token string) (*BotEvent, error) {
	challenge, err := newChallenge()
	if err != nil {
		return nil, err
	}
	body, err := marshalExact(struct {
		Challenge string `json:"Challenge"`
		EventType string `json:"EventType"`
	}{challenge, string(BotEventVerification)})
	if err != nil {
		return nil, err
	}
	e := &BotEvent{ID: newID(), AwsAccountID: b.AwsAccountID, AccountID: b.AccountID, BotID: b.ID,
		Type: BotEventVerification, TargetType: BotTargetHTTPS, Target: url, Body: body, Status: BotEventFailed,
		CreatedAt: s.clock()}
	a, resp, ok, _ := s.attempt(ctx, url, token, body)
	if ok {
		var echo struct{ Challenge string }
		if json.Unmarshal(resp.Body, &echo) == nil && echo.Challenge == challenge {
			e.Status = BotEventDelivered
		} else {
			a.Error = "the answer does not echo the challenge"
		}
	}
	e.Attempts = []BotEventAttempt{a}
	return e, nil
}
