package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Cross-node invalidation of a PostgreSQL node's read cache, through LISTEN/NOTIFY.
//
// Every write transaction that changes a cached row sends, inside the transaction, a notification naming what
// it changed (derived from the same marks that invalidate the node's own cache: see writes.go), on a channel
// of the schema. PostgreSQL delivers it when the transaction commits, to every listening session, and delivers
// the notifications of different transactions in the order they committed. Each node keeps one listening
// connection of its own (outside the pool) and applies the other nodes' notifications to its cache.
//
// Exactness: a notification is applied some time after its commit. So before the cache answers, the reader
// waits for a sync: the node sends a notification of its own (from the pool, `SELECT pg_notify`) and waits
// until the listener receives it back. Every commit acknowledged before the sync was sent committed before it,
// so its notification came first and has been applied. Concurrent readers share one sync: a reader joins the
// next sync to be sent (never one already in flight, which may have been sent before the reader began), and at
// most one sync is in flight, so a burst of reads costs one round trip per batch.
//
// While the listener is not connected the cache is bypassed (no hits, no fills), and it is flushed when the
// listener connects again (notifications sent meanwhile are lost). A sync that does not come back within
// syncTimeout counts as a lost listener: the connection is dropped and made again.

// syncTimeout bounds the wait for a sync; past it the listener is taken for lost.
const syncTimeout = 2 * time.Second

// maxNotifyPayload keeps a payload under PostgreSQL's limit (8000 bytes); a longer change list is sent as a
// flush of the tables it touches.
const maxNotifyPayload = 7900

// notifyChannel is the channel of the nodes of schema ns (an identifier of 23 characters, whatever ns is).
func notifyChannel(ns string) string {
	h := fnv.New64a()
	h.Write([]byte(ns))
	return fmt.Sprintf("chimed_%016x", h.Sum64())
}

// newNodeID returns a random id naming this node in its notifications.
func newNodeID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Payloads: "i<node>:<change>" for a write's invalidation (see encodeDirty), "s<node>:<n>" for a sync. A
// payload of another form flushes the cache ("flush": a node that applied migrations sends it).

// encodeDirty writes d as "<tables>" followed by "a<len>:<account id>" for each account and
// "u<len>:<account id><len>:<user id>" for each user; a list longer than limit becomes the tables it touches.
func encodeDirty(d *dirty, limit int) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(d.tables)))
	for _, id := range d.accounts {
		b.WriteByte('a')
		writeLenPrefixed(&b, id)
	}
	for _, k := range d.users {
		b.WriteByte('u')
		writeLenPrefixed(&b, k.accountID)
		writeLenPrefixed(&b, k.id)
	}
	if b.Len() > limit {
		t := d.tables
		if len(d.accounts) > 0 {
			t |= tableAccounts
		}
		if len(d.users) > 0 {
			t |= tableUsers
		}
		return strconv.Itoa(int(t))
	}
	return b.String()
}

func writeLenPrefixed(b *strings.Builder, s string) {
	b.WriteString(strconv.Itoa(len(s)))
	b.WriteByte(':')
	b.WriteString(s)
}

// decodeDirty reads what encodeDirty wrote. Errors: a malformed payload (the caller then flushes).
func decodeDirty(s string) (*dirty, error) {
	i := strings.IndexAny(s, "au")
	if i < 0 {
		i = len(s)
	}
	t, err := strconv.ParseUint(s[:i], 10, 8)
	if err != nil || tableSet(t)&^cachedTables != 0 {
		return nil, fmt.Errorf("bad tables in %q", s)
	}
	d := &dirty{tables: tableSet(t)}
	s = s[i:]
	for s != "" {
		kind := s[0]
		s = s[1:]
		var a, u string
		if a, s, err = readLenPrefixed(s); err != nil {
			return nil, err
		}
		switch kind {
		case 'a':
			d.accounts = append(d.accounts, a)
		case 'u':
			if u, s, err = readLenPrefixed(s); err != nil {
				return nil, err
			}
			d.users = append(d.users, userKey{a, u})
		default:
			return nil, fmt.Errorf("bad entry kind %q", kind)
		}
	}
	return d, nil
}

func readLenPrefixed(s string) (v, rest string, err error) {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return "", "", errors.New("missing length")
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil || n < 0 || n > len(s)-i-1 {
		return "", "", errors.New("bad length")
	}
	return s[i+1 : i+1+n], s[i+1+n:], nil
}

// listener is a node's listening connection and its syncs.
type listener struct {
	cfg     *pgx.ConnConfig
	pool    *pgxpool.Pool
	channel string
	node    string
	cache   *readCache
	log     *slog.Logger

	up atomic.Bool // connected and listening: the cache may be used

	mu         sync.Mutex
	collect    *syncRound         // readers waiting for the next sync, not sent yet
	inflight   *syncRound         // the sync sent and not back yet
	seq        uint64             // the number of the last sync sent
	dropConn   context.CancelFunc // drops the current listening connection
	kick       chan struct{}      // wakes the sender
	stop       context.CancelFunc
	wg         sync.WaitGroup
	connected  chan struct{} // closed when the listener first listens
	firstUp    sync.Once
	syncs      atomic.Int64 // syncs sent
	remote     atomic.Int64 // other nodes' invalidations applied
	reconnects atomic.Int64 // times the listener connected
}

// syncRound is one sync and the readers waiting for it. done is closed when it is over; ok tells whether it
// came back (the cache may answer) or failed (bypass it).
type syncRound struct {
	n    uint64
	done chan struct{}
	ok   bool
}

func newListener(cfg *pgx.ConnConfig, pool *pgxpool.Pool, ns string, cache *readCache) *listener {
	return &listener{cfg: cfg, pool: pool, channel: notifyChannel(ns), node: newNodeID(), cache: cache,
		log: slog.Default().With("component", "cache-listener"), kick: make(chan struct{}, 1),
		connected: make(chan struct{})}
}

// start runs the listener and the sync sender until close.
func (l *listener) start() {
	ctx, cancel := context.WithCancel(context.Background())
	l.stop = cancel
	l.wg.Add(2)
	go func() { defer l.wg.Done(); l.run(ctx) }()
	go func() { defer l.wg.Done(); l.send(ctx) }()
}

func (l *listener) close() {
	l.stop()
	l.wg.Wait()
}

// run keeps a listening connection, reconnecting with backoff.
func (l *listener) run(ctx context.Context) {
	backoff := 50 * time.Millisecond
	failing := false // a failure to connect was logged and nothing listened since
	for ctx.Err() == nil {
		listened, err := l.listenOnce(ctx)
		l.down()
		if ctx.Err() != nil {
			return
		}
		switch {
		case listened:
			backoff, failing = 50*time.Millisecond, false
			l.log.Warn("cache listener lost its connection; the read cache is bypassed until it reconnects",
				"error", err)
		case !failing:
			failing = true
			l.log.Warn("cache listener cannot listen; the read cache is bypassed until it can (retrying)",
				"error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// listenOnce connects, listens, and applies notifications until the connection fails; listened tells whether
// it got as far as listening.
func (l *listener) listenOnce(ctx context.Context) (listened bool, err error) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	l.mu.Lock()
	l.dropConn = cancel
	l.mu.Unlock()
	cfg := l.cfg.Copy()
	cfg.RuntimeParams["application_name"] = l.appName()
	if cfg.ValidateConnect == nil {
		// Notifications are sent on the primary and not replicated: with several hosts in the URL, listen on
		// the primary whatever target_session_attrs says (a standby refuses LISTEN anyway).
		cfg.ValidateConnect = pgconn.ValidateConnectTargetSessionAttrsPrimary
	}
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return false, err
	}
	defer func() {
		c, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		conn.Close(c)
	}()
	if _, err := conn.Exec(cctx, `LISTEN `+pgx.Identifier{l.channel}.Sanitize()); err != nil {
		return false, err
	}
	// Notifications sent while nobody listened are lost: start from an empty cache, then let readers in.
	l.cache.flush()
	l.up.Store(true)
	l.reconnects.Add(1)
	l.firstUp.Do(func() { close(l.connected) })
	for {
		n, err := conn.WaitForNotification(cctx)
		if err != nil {
			return true, err
		}
		l.apply(n.Payload)
	}
}

// appName is the application_name of the listening session (pg_stat_activity shows which node it serves).
func (l *listener) appName() string { return "chimed cache listener " + l.node }

// down bypasses the cache, flushes it (fills in flight are refused) and fails the syncs waited for.
func (l *listener) down() {
	l.up.Store(false)
	l.cache.flush()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range []*syncRound{l.inflight, l.collect} {
		if r != nil {
			close(r.done)
		}
	}
	l.inflight, l.collect = nil, nil
}

// apply acts on one notification.
func (l *listener) apply(p string) {
	kind, rest := byte(0), ""
	if p != "" {
		kind, rest = p[0], p[1:]
	}
	node, body, ok := strings.Cut(rest, ":")
	switch {
	case ok && kind == 's':
		if node != l.node {
			return // another node's sync
		}
		n, err := strconv.ParseUint(body, 10, 64)
		l.mu.Lock()
		if r := l.inflight; err == nil && r != nil && r.n == n {
			r.ok = true
			close(r.done)
			l.inflight = nil
		}
		l.mu.Unlock()
	case ok && kind == 'i':
		if node == l.node {
			return // this node's commit, invalidated locally when it committed
		}
		d, err := decodeDirty(body)
		if err != nil {
			l.log.Warn("unreadable cache notification; flushing the cache", "error", err)
			d = &dirty{tables: cachedTables}
		}
		l.remote.Add(1)
		l.cache.invalidate(d)
	default:
		l.cache.flush()
	}
}

// sync waits until every commit acknowledged before the call has been applied to the cache. false: the
// cache must be bypassed (no listener, a failed sync, ctx done).
func (l *listener) sync(ctx context.Context) bool {
	if !l.up.Load() {
		return false
	}
	l.mu.Lock()
	r := l.collect
	if r == nil {
		r = &syncRound{done: make(chan struct{})}
		l.collect = r
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
	l.mu.Unlock()
	select {
	case <-r.done:
		return r.ok
	case <-ctx.Done():
		return false
	}
}

// send sends the syncs, one at a time: each takes every reader that joined while the previous was in flight.
func (l *listener) send(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.kick:
		}
		for {
			l.mu.Lock()
			r := l.collect
			if r != nil {
				l.collect = nil
				l.seq++
				r.n = l.seq
				l.inflight = r
			}
			l.mu.Unlock()
			if r == nil {
				break
			}
			l.roundTrip(ctx, r)
		}
	}
}

// syncQuery sends a sync. NOTIFY gives its transaction an id, so its commit would wait for a WAL flush:
// nothing depends on a sync's durability, so that commit does not wait.
const syncQuery = `SELECT pg_notify($1, $2), set_config('synchronous_commit', 'off', true)`

// roundTrip sends sync r and waits for it to come back; a sync that fails or times out drops the listening
// connection (notifications may have been lost with it).
func (l *listener) roundTrip(ctx context.Context, r *syncRound) {
	l.syncs.Add(1)
	timer := time.NewTimer(syncTimeout)
	defer timer.Stop()
	sctx, cancel := context.WithTimeout(ctx, syncTimeout)
	_, err := l.pool.Exec(sctx, syncQuery, l.channel, "s"+l.node+":"+strconv.FormatUint(r.n, 10))
	cancel()
	if err == nil {
		select {
		case <-r.done:
			return
		case <-ctx.Done():
		case <-timer.C:
			err = errors.New("the sync did not come back in time")
		}
	}
	l.mu.Lock()
	if l.inflight == r {
		close(r.done)
		l.inflight = nil
	}
	drop := l.dropConn
	l.mu.Unlock()
	if ctx.Err() == nil {
		l.log.Warn("cache sync failed; reconnecting the listener", "error", err)
		if drop != nil {
			drop()
		}
	}
}
