package admin

import (
	"math"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle tunes the sign-in throttle: only failed attempts count. Each access key id and each client address
// has a bucket of Burst failures refilled at one per Every; while either bucket is empty, sign-ins of that key
// or from that address are answered 429 (a right secret too). A person mistyping a few times is not slowed; a
// guesser gets one try per Every.
type Throttle struct {
	KeyBurst int           // failures per key id before throttling; default 5
	KeyEvery time.Duration // refill of the key's bucket; default 12 s (5 a minute)
	IPBurst  int           // failures per client address; default 20
	IPEvery  time.Duration // default 3 s
}

// DefaultThrottle is the zero Throttle's meaning.
var DefaultThrottle = Throttle{KeyBurst: 5, KeyEvery: 12 * time.Second, IPBurst: 20, IPEvery: 3 * time.Second}

// maxBuckets bounds each map of the throttle; beyond it, full (idle) buckets are evicted first.
const maxBuckets = 10000

type signInThrottle struct {
	mu        sync.Mutex
	keys, ips map[string]*rate.Limiter
	key, ip   rate.Limit
	kb, ib    int
	now       func() time.Time
}

func newSignInThrottle(t Throttle, now func() time.Time) *signInThrottle {
	d := DefaultThrottle
	if t.KeyBurst > 0 {
		d.KeyBurst = t.KeyBurst
	}
	if t.KeyEvery > 0 {
		d.KeyEvery = t.KeyEvery
	}
	if t.IPBurst > 0 {
		d.IPBurst = t.IPBurst
	}
	if t.IPEvery > 0 {
		d.IPEvery = t.IPEvery
	}
	return &signInThrottle{keys: map[string]*rate.Limiter{}, ips: map[string]*rate.Limiter{},
		key: rate.Every(d.KeyEvery), ip: rate.Every(d.IPEvery), kb: d.KeyBurst, ib: d.IPBurst, now: now}
}

// allowed reports whether a sign-in of key from ip may be tried; when not, it returns the seconds to wait.
func (t *signInThrottle) allowed(key, ip string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	wait := 0.0
	for _, l := range []*rate.Limiter{t.keys[key], t.ips[ip]} {
		if l == nil {
			continue
		}
		if tok := l.TokensAt(now); tok < 1 {
			wait = math.Max(wait, (1-tok)/float64(l.Limit()))
		}
	}
	if wait > 0 {
		return strconv.Itoa(int(math.Ceil(wait))), false
	}
	return "", true
}

// failed counts a failed sign-in of key from ip.
func (t *signInThrottle) failed(key, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.take(t.keys, key, t.key, t.kb, now)
	t.take(t.ips, ip, t.ip, t.ib, now)
}

func (t *signInThrottle) take(m map[string]*rate.Limiter, k string, r rate.Limit, b int, now time.Time) {
	l := m[k]
	if l == nil {
		if len(m) >= maxBuckets {
			evict(m, now)
		}
		l = rate.NewLimiter(r, b)
		m[k] = l
	}
	l.AllowN(now, 1)
}

// evict drops the buckets that refilled (they hold no state worth keeping), or, if none did, any tenth of them.
func evict(m map[string]*rate.Limiter, now time.Time) {
	for k, l := range m {
		if l.TokensAt(now) >= float64(l.Burst()) {
			delete(m, k)
		}
	}
	n := len(m) / 10
	for k := range m {
		if len(m) < maxBuckets || n <= 0 {
			return
		}
		delete(m, k)
		n--
	}
}
