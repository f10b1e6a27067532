package main

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to create the soak's schema
)

// soak is one run: its servers, clients, workers, ledger and measurements.
type soak struct {
	cfg       config
	log       *slog.Logger
	runID     int64
	nodes     []*node
	endpoints []*endpoint
	recv      *botReceiver
	led       *ledger
	stats     *stats
	workers   []*worker
	think     time.Duration
	schema    string // PostgreSQL: the schema created for the run

	mu      sync.Mutex
	deleted []string // accounts whose deletion was acknowledged
}

// runResult is what the run found.
type runResult struct {
	kills                                           []killRecord
	checks                                          []checkRecord
	lost                                            map[string]lostWrite
	violations                                      map[string]bool
	notes                                           []string
	err                                             error
	start, end                                      time.Time
	redelivered, afterRetry, rejected, auditChecked int
	outboxDelivered, outboxFailed, outboxPending    int
}

type killRecord struct {
	Node     string
	At       time.Duration // since the start
	Recovery time.Duration // SIGKILL to ready again
	Err      string
}

type checkRecord struct {
	After, Via                    string
	At, Took                      time.Duration
	Facts, Unreadable             int
	Lost, Violations, AuditMissed int
	AuditChecked                  int
}

func randomHex(n int) string {
	b := make([]byte, n)
	crand.Read(b)
	return hex.EncodeToString(b)
}

func newSoak(ctx context.Context, cfg config, work string, log *slog.Logger) (*soak, error) {
	s := &soak{cfg: cfg, log: log, runID: time.Now().Unix() % 1000000, led: newLedger(), think: cfg.think}
	keyID, secret := "AKSOAK"+randomHex(8), randomHex(20)
	env := []string{"CHIMED_ACCESS_KEY_ID=" + keyID, "CHIMED_SECRET_ACCESS_KEY=" + secret,
		"CHIMED_AWS_ACCOUNT_ID=111122223333", "CHIMED_MASTER_KEY=" + randomHex(24)}
	args := []string{"--order-delay", "1s", "--calling-name-interval", "0", "--rate-limit", "0", "--log-level", "warn"}
	db := "sqlite:" + filepath.Join(work, "data", "chimed.db")
	if cfg.postgres != "" {
		var err error
		if db, err = s.createSchema(ctx, cfg.postgres); err != nil {
			return nil, err
		}
		args = append(args, "--db-max-conns", "6")
	}
	args = append(args, "--db", db)
	var err error
	if s.recv, err = startBotReceiver(); err != nil {
		return nil, err
	}
	for i := range cfg.nodes {
		n, err := newNode(fmt.Sprintf("node-%d", i+1), cfg.bin, filepath.Join(work, fmt.Sprintf("node-%d.log", i+1)), args, env)
		if err != nil {
			return nil, err
		}
		s.nodes = append(s.nodes, n)
		if err := n.start(ctx, 60*time.Second); err != nil {
			s.close()
			return nil, err
		}
		s.endpoints = append(s.endpoints, newEndpoint(n.url(), keyID, secret))
	}
	for i := range cfg.concurrency {
		s.workers = append(s.workers, &worker{id: i, s: s, node: i, rng: rand.New(rand.NewPCG(uint64(s.runID), uint64(i)))})
	}
	return s, nil
}

// createSchema creates a fresh schema for the run and returns the URL that puts chimed in it.
func (s *soak) createSchema(ctx context.Context, pg string) (string, error) {
	db, err := sql.Open("pgx", pg)
	if err != nil {
		return "", err
	}
	defer db.Close()
	s.schema = fmt.Sprintf("chimesoak_%d_%s", s.runID, randomHex(3))
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+s.schema); err != nil {
		return "", fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(pg)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", s.schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func (s *soak) engine() string {
	if s.cfg.postgres != "" {
		return fmt.Sprintf("postgres-%dnodes", len(s.nodes))
	}
	return "sqlite"
}

func (s *soak) noteDeleted(id string) {
	s.mu.Lock()
	s.deleted = append(s.deleted, id)
	s.mu.Unlock()
}

func (s *soak) close() {
	for _, n := range s.nodes {
		n.stop()
		n.log.Close()
	}
	if s.recv != nil {
		s.recv.close()
	}
	if s.schema != "" {
		if db, err := sql.Open("pgx", s.cfg.postgres); err == nil {
			db.Exec("DROP SCHEMA " + s.schema + " CASCADE")
			db.Close()
		}
	}
}

// pause stops every worker after its current operation; the returned function lets them go on.
func (s *soak) pause() func() {
	for _, w := range s.workers {
		w.mu.Lock()
	}
	return func() {
		for _, w := range s.workers {
			w.mu.Unlock()
		}
	}
}

// run drives the load, the kills and the checks, then the final check.
func (s *soak) run(ctx context.Context) *runResult {
	res := &runResult{lost: map[string]lostWrite{}, violations: map[string]bool{}, start: time.Now()}
	s.stats = newStats(res.start)
	loadCtx, stopLoad := context.WithTimeout(ctx, s.cfg.duration)
	defer stopLoad()
	var wg sync.WaitGroup
	for i, w := range s.workers {
		wg.Add(1)
		go func() { defer wg.Done(); w.run(loadCtx, allOps(i == 0)) }()
	}
	sampleCtx, stopSampling := context.WithCancel(ctx)
	var sampling sync.WaitGroup
	sampling.Add(1)
	go func() { defer sampling.Done(); s.sample(sampleCtx) }()

	audit := &auditState{seen: map[string]bool{}, from: res.start.Add(-time.Minute)}
	var kills []time.Time
	// The next kill comes a whole --kill-every after the previous check ended, so that the load runs that long
	// between two kills however long the checks take.
	timer := time.NewTimer(s.cfg.killEvery)
loop:
	for i := 0; ; i++ {
		select {
		case <-loadCtx.Done():
			break loop
		case <-timer.C:
		}
		if loadCtx.Err() != nil {
			break
		}
		n := s.nodes[i%len(s.nodes)]
		t0 := time.Now()
		kr := killRecord{Node: n.name, At: t0.Sub(res.start)}
		if err := n.kill(); err != nil {
			kr.Err = err.Error()
		} else if err := n.start(ctx, 60*time.Second); err != nil {
			kr.Err = err.Error()
			res.err = fmt.Errorf("restart of %s: %w", n.name, err)
		}
		kr.Recovery = time.Since(t0)
		kills = append(kills, t0)
		res.kills = append(res.kills, kr)
		s.log.Info("killed and restarted", "node", n.name, "recovery", kr.Recovery.Round(time.Millisecond), "err", kr.Err)
		if res.err != nil {
			break
		}
		s.check(ctx, res, audit, "restart of "+n.name, kills)
		timer.Reset(s.cfg.killEvery)
	}
	timer.Stop()
	stopLoad()
	wg.Wait()
	s.settleBotEvents(ctx, res)
	s.check(ctx, res, audit, endOfRun, kills)
	if ctx.Err() != nil {
		res.err = errors.New("interrupted: the checks are incomplete")
	} else if last := res.checks[len(res.checks)-1]; last.Unreadable > 0 && res.err == nil {
		res.err = fmt.Errorf("%d facts could not be read back at the end: the final check is incomplete", last.Unreadable)
	}
	stopSampling()
	sampling.Wait()
	res.end = time.Now()
	return res
}

// sample ticks the stats every second with each node's RSS and open descriptors.
func (s *soak) sample(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			rss, fds := make([]int, len(s.nodes)), make([]int, len(s.nodes))
			for i, n := range s.nodes {
				rss[i], fds[i] = n.resources()
			}
			s.stats.tick(now, rss, fds)
		}
	}
}

// endOfRun names the final check, which reads every fact back.
const endOfRun = "end of the run"

// sampleOlder is how many facts older than the previous check a check after a restart reads back.
const sampleOlder = 1500

type auditState struct {
	prevCheck time.Time // start of the previous check
	seen      map[string]bool
	from      time.Time // start of the next LookupEvents window
	next      int       // index of the first acknowledged write not yet checked
}

// check pauses the load and verifies the ledger, the invariants, the audit trail and the bot deliveries.
func (s *soak) check(ctx context.Context, res *runResult, audit *auditState, after string, kills []time.Time) {
	resume := s.pause()
	defer resume()
	t0 := time.Now()
	rec := checkRecord{After: after, At: t0.Sub(res.start)}
	// The checks go round the nodes: on PostgreSQL a node reads what the others wrote (and its read cache is
	// put to the test).
	node := len(res.checks) % len(s.endpoints)
	c := newChecker(s.endpoints[node])
	c.cache = map[string]any{}
	rec.Via = s.nodes[node].name
	phase := time.Now()
	// Every fact is read back at the end; after a restart, every fact set since the previous check and a random
	// sample of sampleOlder older ones (so that a check stays short however long the run).
	var pick func(fact) bool
	if final := after == endOfRun; !final {
		older := s.led.olderThan(audit.prevCheck)
		p := 1.0
		if older > sampleOlder {
			p = float64(sampleOlder) / float64(older)
		}
		prev := audit.prevCheck
		pick = func(f fact) bool { return !f.At.Before(prev) || rand.Float64() < p }
	}
	var logged sync.Map // fact kind → an unreadable fact of that kind was logged
	lost, unreadable, facts := s.led.verify(func(k string) (string, error) {
		v, err := c.observe(ctx, k)
		if err != nil {
			if _, seen := logged.LoadOrStore(strings.SplitN(k, "|", 2)[0], true); !seen {
				s.log.Warn("fact unreadable", "fact", k, "error", err)
			}
		}
		return v, err
	}, 8, pick)
	audit.prevCheck = t0
	rec.Facts, rec.Unreadable = facts, unreadable
	for _, l := range lost {
		if _, seen := res.lost[l.Key]; !seen {
			res.lost[l.Key] = l
			rec.Lost++
			s.log.Error("lost write", "fact", l.String())
		}
	}
	violate := func(v string) {
		if !res.violations[v] {
			res.violations[v] = true
			rec.Violations++
			s.log.Error("invariant violated", "violation", v)
		}
	}
	s.mu.Lock()
	deleted := append([]string(nil), s.deleted...)
	s.mu.Unlock()
	if after != endOfRun && len(deleted) > 300 { // the newest 200 and a sample of 100 older ones
		old := deleted[:len(deleted)-200]
		rand.Shuffle(len(old), func(i, j int) { old[i], old[j] = old[j], old[i] })
		deleted = append(old[:100], deleted[len(deleted)-200:]...)
	}
	tVerify := time.Since(phase)
	phase = time.Now()
	if vs, err := c.invariants(ctx, deleted); err != nil {
		res.notes = append(res.notes, fmt.Sprintf("%s: invariant listing failed: %v", after, err))
	} else {
		for _, v := range vs {
			violate(v)
		}
	}
	tInvariants := time.Since(phase)
	phase = time.Now()
	// Audit trail: every write acknowledged since the last check has a success record with its request id. No
	// request was in flight when the previous check began (the load was paused), so the records of the writes
	// acknowledged since are not older than its start (a margin covers the records' whole-second times).
	windowStart := audit.from
	if err := c.auditRecords(ctx, windowStart, audit.seen); err != nil {
		res.notes = append(res.notes, fmt.Sprintf("%s: LookupEvents failed: %v", after, err))
	} else {
		s.led.mu.Lock()
		writes := append([]ackedWrite(nil), s.led.writes[audit.next:]...)
		audit.next = len(s.led.writes)
		s.led.mu.Unlock()
		var withID []ackedWrite
		for _, w := range writes {
			if w.ReqID != "" {
				withID = append(withID, w)
			}
		}
		rec.AuditChecked = len(withID)
		res.auditChecked += len(withID)
		for _, m := range missingAudit(withID, audit.seen) {
			rec.AuditMissed++
			violate(fmt.Sprintf("no audit record of acknowledged %s (request %s at %s)", m.Op, m.ReqID, m.At.Format(time.RFC3339Nano)))
		}
		audit.from = t0.Add(-2 * time.Second)
	}
	tAudit := time.Since(phase)
	receipts, rejected := s.recv.snapshot()
	retried := map[string]bool{}
	if _, _, dups := deliveryVerdict(receipts, kills, nil); len(dups) > 0 {
		events, err := c.botEvents(ctx)
		if err != nil {
			res.notes = append(res.notes, fmt.Sprintf("%s: bot events listing failed: %v", after, err))
		}
		for _, e := range events {
			if e.retriedAfterFailure() {
				retried[bodyKey([]byte(e.Body))] = true
			}
		}
	}
	redelivered, afterRetry, dups := deliveryVerdict(receipts, kills, retried)
	res.redelivered, res.afterRetry, res.rejected = redelivered, afterRetry, rejected
	for _, d := range dups {
		violate(d)
	}
	rec.Took = time.Since(t0)
	s.stats.mu.Lock()
	s.stats.paused += rec.Took
	s.stats.mu.Unlock()
	res.checks = append(res.checks, rec)
	s.log.Info("check", "after", after, "facts", facts, "lost", rec.Lost, "violations", rec.Violations,
		"audit", rec.AuditChecked, "took", rec.Took.Round(time.Millisecond), "verify", tVerify.Round(time.Millisecond),
		"invariants", tInvariants.Round(time.Millisecond), "lookupEvents", tAudit.Round(time.Millisecond))
}

// settleBotEvents waits (up to 30 s) until no bot event is pending, then checks that every event the outbox
// shows delivered reached the receiver.
func (s *soak) settleBotEvents(ctx context.Context, res *runResult) {
	c := newChecker(s.endpoints[0])
	var events []outboxEvent
	for deadline := time.Now().Add(30 * time.Second); ; {
		var err error
		events, err = c.botEvents(ctx)
		pending := 0
		for _, e := range events {
			if e.Status == "Pending" {
				pending++
			}
		}
		if err == nil && pending == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	receipts, _ := s.recv.snapshot()
	var missing []string
	for _, e := range events {
		if e.EventType == "HTTPSEndpointVerification" {
			continue
		}
		switch e.Status {
		case "Delivered":
			res.outboxDelivered++
			if len(receipts[bodyKey([]byte(e.Body))]) == 0 {
				missing = append(missing, e.EventId)
			}
		case "Failed":
			res.outboxFailed++
		case "Pending":
			res.outboxPending++
		}
	}
	sort.Strings(missing)
	for _, id := range missing {
		res.violations[fmt.Sprintf("bot event %s is Delivered in the outbox but never reached the bot", id)] = true
	}
}
