package http

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimiter is a token bucket per credential. Buckets idle for longer than idleAfter are evicted, so the
// map stays bounded by the number of recently active keys.
type RateLimiter struct {
	limit rate.Limit
	burst int

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	l    *rate.Limiter
	used time.Time
}

const idleAfter = 10 * time.Minute

// NewRateLimiter allows perSecond requests per credential with bursts of burst. perSecond <= 0 disables
// throttling (it returns nil, which allows everything).
func NewRateLimiter(perSecond float64, burst int) *RateLimiter {
	if perSecond <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	return &RateLimiter{limit: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

// Allow reports whether key may make a request now, taking a token if so.
func (rl *RateLimiter) Allow(key string) bool {
	if rl == nil {
		return true
	}
	now := time.Now()
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if now.Sub(rl.lastSweep) > idleAfter {
		for k, b := range rl.buckets {
			if now.Sub(b.used) > idleAfter {
				delete(rl.buckets, k)
			}
		}
		rl.lastSweep = now
	}
	b, ok := rl.buckets[key]
	if !ok {
		b = &bucket{l: rate.NewLimiter(rl.limit, rl.burst)}
		rl.buckets[key] = b
	}
	b.used = now
	return b.l.AllowN(now, 1)
}
