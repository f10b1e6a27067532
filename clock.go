package chime

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// The server clock (docs/behavior.md D19, §9.5): the wall clock (ServiceOptions.Now) plus an offset kept in the
// store, so that every node and every restart agree on it. Every timestamp the domain writes comes from it
// (Service.clock); SigV4 checks keep the wall clock.
//
// Reading the offset: each node caches it for ClockTTL. The HTTP layer calls SyncClock at the start of every
// request that may need the time, outside any transaction, which re-reads the row when the cached value is
// older than ClockTTL (one point read per node per second at most); a change made through this node
// (SetClockOffset) updates its cache at once. Another node sees a change within ClockTTL. The clock is never
// read from the store inside a transaction, so a request never needs a second connection for it.

// ClockTTL is how long a node trusts its cached clock offset.
const ClockTTL = time.Second

// MaxClockOffset bounds the server clock's offset (100 years): time arithmetic stays far from overflow.
const MaxClockOffset = 100 * 365 * 24 * time.Hour

// ClockState is the server clock as GET /_chimed/clock shows it.
type ClockState struct {
	Now    time.Time     // server time, millisecond precision
	Offset time.Duration // server time − wall time
}

// serverClock caches the offset of the server clock.
type serverClock struct {
	mu    sync.Mutex // serializes refreshes
	state atomic.Pointer[cachedOffset]
}

type cachedOffset struct {
	offset time.Duration
	read   time.Time // wall time (monotonic) of the read
}

func (c *serverClock) offset() time.Duration {
	if st := c.state.Load(); st != nil {
		return st.offset
	}
	return 0
}

func (c *serverClock) set(d time.Duration) {
	c.state.Store(&cachedOffset{offset: d, read: time.Now()})
}

// load reads the offset from the store into the cache.
func (s *Service) loadClock(ctx context.Context) (time.Duration, error) {
	var d time.Duration
	err := s.store.Read(ctx, func(tx Tx) (err error) {
		d, err = tx.ClockOffset(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	s.srvClock.set(d)
	return d, nil
}

// SyncClock re-reads the server clock's offset when the cached one is older than ClockTTL; one request at a
// time reads it, the others go on with the cached offset meanwhile. Call it outside any transaction, at the
// start of a request.
func (s *Service) SyncClock(ctx context.Context) error {
	st := s.srvClock.state.Load()
	if st != nil && time.Since(st.read) < ClockTTL {
		return nil
	}
	if st == nil {
		s.srvClock.mu.Lock()
	} else if !s.srvClock.mu.TryLock() {
		return nil // another request is refreshing it: this one does not queue behind that read
	}
	defer s.srvClock.mu.Unlock()
	if st := s.srvClock.state.Load(); st != nil && time.Since(st.read) < ClockTTL {
		return nil // another request refreshed it meanwhile
	}
	_, err := s.loadClock(ctx)
	return err
}

// Clock returns the server clock, reading its offset from the store (§9.5).
func (s *Service) Clock(ctx context.Context) (ClockState, error) {
	if _, err := s.loadClock(ctx); err != nil {
		return ClockState{}, err
	}
	return ClockState{Now: s.clock(), Offset: s.srvClock.offset()}, nil
}

// SetClockOffset moves the server clock to wall time + seconds (§9.5). The clock never goes back.
// Errors: EINVALID (FieldOffsetSeconds) when seconds is missing, below the current offset or beyond
// MaxClockOffset.
func (s *Service) SetClockOffset(ctx context.Context, seconds *int64) (ClockState, error) {
	if seconds == nil {
		return ClockState{}, InvalidField(FieldOffsetSeconds, "is required")
	}
	if *seconds < 0 || *seconds > int64(MaxClockOffset/time.Second) {
		return ClockState{}, InvalidField(FieldOffsetSeconds, "must be between the current offset and %d",
			int64(MaxClockOffset/time.Second))
	}
	d := time.Duration(*seconds) * time.Second
	err := s.store.Write(ctx, func(tx Tx) error {
		cur, err := tx.ClockOffset(ctx)
		if err != nil {
			return err
		}
		if d < cur {
			return InvalidField(FieldOffsetSeconds, "must not be below the current offset (%d): the clock never goes back",
				int64(cur/time.Second))
		}
		if err := tx.SetClockOffset(ctx, d); ErrorCode(err) == ENOTFOUND {
			return InvalidField(FieldOffsetSeconds, "must not be below the current offset: the clock never goes back")
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return ClockState{}, err
	}
	s.srvClock.set(d)
	return ClockState{Now: s.clock(), Offset: d}, nil
}
