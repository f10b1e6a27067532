package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The botevents workload: bot-event throughput end to end. An enterprise account gets --bots bots (each in a
// room of its own with one user), whose events configuration points at a receiver in chimebench
// (http://127.0.0.1:PORT/bot/N, answering the endpoint challenge). Then -c writers each, in a closed loop, post
// a room message mentioning their bot (`@<BotEmail> #<seq>`, POST /_chimed/accounts/{a}/rooms/{r}/messages,
// SigV4-signed) and wait until the Mention event carrying that message arrives at the receiver, its
// Chime-Signature checked with the bot's token. Reported: events delivered per second, the latency from sending
// the trigger to the event's arrival, and chimed's CPU per event.

// botReceiver is the local bot endpoint: it answers challenges and hands each Mention's sequence number to its
// waiter.
type botReceiver struct {
	srv    *http.Server
	addr   string
	mu     sync.Mutex
	tokens map[string]string        // bot index (path) → security token
	wait   map[int64]chan time.Time // sequence number → its writer
	bad    atomic.Int64             // events with a wrong signature or body
	other  atomic.Int64             // events not waited for (Invite, late arrivals)
}

func startBotReceiver() (*botReceiver, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &botReceiver{addr: l.Addr().String(), tokens: map[string]string{}, wait: map[int64]chan time.Time{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go r.srv.Serve(l)
	return r, nil
}

func (r *botReceiver) close() { r.srv.Close() }

func (r *botReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	at := time.Now()
	body, err := io.ReadAll(io.LimitReader(req.Body, 1<<16))
	bot := strings.TrimPrefix(req.URL.Path, "/bot/")
	r.mu.Lock()
	token, known := r.tokens[bot]
	r.mu.Unlock()
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte(req.Header.Get("Chime-Request-Timestamp") + "|"))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if err != nil || !known || !hmac.Equal([]byte(want), []byte(req.Header.Get("Chime-Signature"))) {
		r.bad.Add(1)
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	var ev struct{ EventType, Challenge, Message string }
	if err := json.Unmarshal(body, &ev); err != nil {
		r.bad.Add(1)
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if ev.EventType == "HTTPSEndpointVerification" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"Challenge": ev.Challenge})
		return
	}
	w.WriteHeader(http.StatusOK)
	if ev.EventType != "Mention" {
		r.other.Add(1)
		return
	}
	i := strings.LastIndexByte(ev.Message, '#')
	seq, err := strconv.ParseInt(ev.Message[i+1:], 10, 64)
	if i < 0 || err != nil {
		r.bad.Add(1)
		return
	}
	r.mu.Lock()
	ch := r.wait[seq]
	delete(r.wait, seq)
	r.mu.Unlock()
	if ch == nil {
		r.other.Add(1)
		return
	}
	ch <- at
}

// expect registers a waiter for sequence number seq.
func (r *botReceiver) expect(seq int64, ch chan time.Time) {
	r.mu.Lock()
	r.wait[seq] = ch
	r.mu.Unlock()
}

// forget drops the waiter of seq (given up on).
func (r *botReceiver) forget(seq int64) {
	r.mu.Lock()
	delete(r.wait, seq)
	r.mu.Unlock()
}

// eventBot is one bot of the benchmark, in its room.
type eventBot struct {
	id, email, room string
}

// seedBots creates n bots with their events configuration pointing at recv, each in a room of its own with the
// enterprise account's user.
func (w *workloads) seedBots(ctx context.Context, n int, recv *botReceiver) ([]eventBot, error) {
	if err := w.enterpriseAccount(ctx); err != nil {
		return nil, err
	}
	a := "/accounts/" + w.ent
	var bots []eventBot
	for i := 0; i < n; i++ {
		var out struct {
			Bot struct{ BotId, BotEmail, SecurityToken string }
		}
		if err := apiCall(ctx, w.c, 201, "POST", a+"/bots",
			map[string]string{"DisplayName": fmt.Sprintf("bench%d", i), "Domain": "bench.example.com"}, &out); err != nil {
			return nil, err
		}
		recv.mu.Lock()
		recv.tokens[strconv.Itoa(i)] = out.Bot.SecurityToken
		recv.mu.Unlock()
		if err := apiCall(ctx, w.c, 201, "PUT", a+"/bots/"+out.Bot.BotId+"/events-configuration",
			map[string]string{"OutboundEventsHTTPSEndpoint": fmt.Sprintf("http://%s/bot/%d", recv.addr, i)}, nil); err != nil {
			return nil, err
		}
		room, err := w.createRoom(ctx, fmt.Sprintf("bench bot room %d", i))
		if err != nil {
			return nil, err
		}
		for _, m := range []string{w.entUser, out.Bot.BotId} {
			if err := apiCall(ctx, w.c, 201, "POST", a+"/rooms/"+room+"/memberships",
				map[string]string{"MemberId": m}, nil); err != nil {
				return nil, err
			}
		}
		bots = append(bots, eventBot{id: out.Bot.BotId, email: out.Bot.BotEmail, room: room})
	}
	return bots, nil
}

// benchBotEvents measures bot-event delivery on deployment d for -d (after a warm-up of --warmup) and returns the
// number of events that failed (not delivered within 10 s, or refused triggers).
func benchBotEvents(ctx context.Context, cfg benchConfig, d *deployment, out io.Writer) (int64, error) {
	recv, err := startBotReceiver()
	if err != nil {
		return 0, err
	}
	defer recv.close()
	if d.w.prepared["botevents"] {
		return 0, fmt.Errorf("botevents: at most once per run (an account holds at most 10 bots)")
	}
	bots, err := d.w.seedBots(ctx, min(10, max(1, cfg.bots)), recv)
	if err != nil {
		return 0, fmt.Errorf("botevents: seed %s: %w", d.name, err)
	}
	if d.w.prepared == nil {
		d.w.prepared = map[string]bool{}
	}
	d.w.prepared["botevents"] = true
	var seq atomic.Int64
	drive := func(dur time.Duration) result {
		var errs errorLog
		var count atomic.Int64
		hists := make([]*histogram, cfg.concurrency)
		deadline := time.Now().Add(dur)
		cpu0, gen0 := cpuOf(d.pids()), cpuOf([]int{os.Getpid()})
		start := time.Now()
		var wg sync.WaitGroup
		for i := 0; i < cfg.concurrency; i++ {
			wg.Add(1)
			hists[i] = new(histogram)
			go func(i int) {
				defer wg.Done()
				b, c := bots[i%len(bots)], d.clients[i%len(d.clients)]
				path := "/_chimed/accounts/" + d.w.ent + "/rooms/" + b.room + "/messages"
				arrived := make(chan time.Time, 1)
				for time.Now().Before(deadline) && ctx.Err() == nil {
					n := seq.Add(1)
					recv.expect(n, arrived)
					body, _ := json.Marshal(map[string]string{"SenderId": d.w.entUser,
						"Content": fmt.Sprintf("@%s #%d", b.email, n)})
					t0 := time.Now()
					status, resp, err := c.do(ctx, "POST", path, body)
					count.Add(1)
					if err != nil || status != 201 {
						recv.forget(n)
						errs.add(func() string { return fmt.Sprintf("POST %s: %d %v %.200s", path, status, err, resp) })
						continue
					}
					select {
					case at := <-arrived:
						hists[i].record(at.Sub(t0))
					case <-time.After(10 * time.Second):
						recv.forget(n)
						select { // it may have arrived meanwhile
						case <-arrived:
						default:
						}
						errs.add(func() string { return fmt.Sprintf("event #%d not delivered within 10 s", n) })
					}
				}
			}(i)
		}
		wg.Wait()
		res := result{name: "botevents " + d.name, concurrency: cfg.concurrency, requests: int(count.Load()),
			errors: errs.n, firstErr: errs.first, elapsed: time.Since(start), hist: new(histogram)}
		res.serverCPU = cpuOf(d.pids()).sub(cpu0)
		res.genCPU = cpuOf([]int{os.Getpid()}).sub(gen0).total()
		for _, h := range hists {
			res.hist.merge(h)
		}
		res.percentiles()
		return res
	}
	if cfg.warmup > 0 {
		drive(cfg.warmup)
	}
	r := drive(cfg.duration)
	r.name += fmt.Sprintf(" [%d bots]", len(bots))
	printResult(out, r, 0, 0)
	fmt.Fprintf(out, "    (req/s = events delivered per second, trigger to arrival at the bot; %d bad signatures or bodies)\n",
		recv.bad.Load())
	for i, p := range d.procs {
		rss, hwm := p.memory()
		fmt.Fprintf(out, "    memory %s node %d after botevents: RSS %d MB (peak %d MB)\n", d.name, i+1, rss>>10, hwm>>10)
	}
	return r.errors + recv.bad.Load(), nil
}
