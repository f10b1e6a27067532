package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// A fact is one thing an acknowledged write made true, under a key naming the object and its field
// ("acct|<id>|name"). The last acknowledged write to a key supersedes earlier ones; a write whose answer was lost
// (a transport error or a 5xx, typically while a node was killed) makes the key unknown until the next
// acknowledged write to it, and an unknown key is not checked.
type fact struct {
	Want  string    // the value the last acknowledged write set
	Known bool      // false after a write of unknown outcome
	Op    string    // the operation that set it
	ReqID string    // its request id
	At    time.Time // when its answer arrived
}

// ackedWrite is a mutating request answered 2xx: its audit record must exist.
type ackedWrite struct {
	Op    string
	ReqID string
	At    time.Time
}

// ledger records acknowledged writes. It is safe for concurrent use.
type ledger struct {
	mu      sync.Mutex
	facts   map[string]*fact
	writes  []ackedWrite
	unknown int // writes of unknown outcome
}

func newLedger() *ledger { return &ledger{facts: map[string]*fact{}} }

// ack records an acknowledged write of op (request id reqID) setting each key of kv (key, value, key, value…).
func (l *ledger) ack(op, reqID string, at time.Time, kv ...string) {
	if len(kv)%2 != 0 {
		panic("ledger.ack: odd key/value list")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes = append(l.writes, ackedWrite{Op: op, ReqID: reqID, At: at})
	for i := 0; i < len(kv); i += 2 {
		l.facts[kv[i]] = &fact{Want: kv[i+1], Known: true, Op: op, ReqID: reqID, At: at}
	}
}

// lostAnswer records a write of unknown outcome: keys are no longer checked until an acknowledged write sets them again.
func (l *ledger) lostAnswer(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unknown++
	for _, k := range keys {
		if f, ok := l.facts[k]; ok {
			f.Known = false
		} else {
			l.facts[k] = &fact{}
		}
	}
}

// gone is the value of every field of an object that no longer exists.
const gone = "<gone>"

// ackGone records an acknowledged write that removed objects: every key starting with one of prefixes now reads
// gone.
func (l *ledger) ackGone(op, reqID string, at time.Time, prefixes ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes = append(l.writes, ackedWrite{Op: op, ReqID: reqID, At: at})
	for k := range l.facts {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				l.facts[k] = &fact{Want: gone, Known: true, Op: op, ReqID: reqID, At: at}
			}
		}
	}
}

// lostAnswerPrefix is lostAnswer for every key starting with one of prefixes.
func (l *ledger) lostAnswerPrefix(prefixes ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.unknown++
	for k, f := range l.facts {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				f.Known = false
			}
		}
	}
}

// ackNoFact records an acknowledged write that leaves nothing checkable but its audit record.
func (l *ledger) ackNoFact(op, reqID string, at time.Time) { l.ack(op, reqID, at) }

// olderThan returns the number of known facts set before t.
func (l *ledger) olderThan(t time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, f := range l.facts {
		if f.Known && f.At.Before(t) {
			n++
		}
	}
	return n
}

// counts returns the number of acknowledged writes and of writes of unknown outcome.
func (l *ledger) counts() (acked, unknown int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.writes), l.unknown
}

// ackedSince returns the acknowledged writes answered at or after t.
func (l *ledger) ackedSince(t time.Time) []ackedWrite {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := sort.Search(len(l.writes), func(i int) bool { return !l.writes[i].At.Before(t) })
	return append([]ackedWrite(nil), l.writes[i:]...)
}

// lostWrite is an acknowledged fact the server no longer shows.
type lostWrite struct {
	Key, Want, Got, Op, ReqID string
}

func (w lostWrite) String() string {
	return fmt.Sprintf("%s: want %q, got %q (set by %s, request %s)", w.Key, w.Want, w.Got, w.Op, w.ReqID)
}

// observer reads the current value of a fact's key from the server. An error means the value could not be read
// (the check is then inconclusive for that key, not a loss).
type observer func(key string) (string, error)

// verify compares every known fact that pick selects (nil: all) with what observe reads (parallel reads at once)
// and returns the facts that differ, sorted by key, the number of keys that could not be read and the number
// checked.
func (l *ledger) verify(observe observer, parallel int, pick func(fact) bool) (lost []lostWrite, unreadable int, checked int) {
	l.mu.Lock()
	keys := make([]string, 0, len(l.facts))
	snap := make(map[string]fact, len(l.facts))
	for k, f := range l.facts {
		if f.Known && (pick == nil || pick(*f)) {
			keys = append(keys, k)
			snap[k] = *f
		}
	}
	l.mu.Unlock()
	sort.Strings(keys)
	type read struct {
		got string
		err error
	}
	reads := make([]read, len(keys))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, parallel) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				reads[i].got, reads[i].err = observe(keys[i])
			}
		}()
	}
	for i := range keys {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, k := range keys {
		if reads[i].err != nil {
			unreadable++
			continue
		}
		checked++
		if f := snap[k]; reads[i].got != f.Want {
			lost = append(lost, lostWrite{Key: k, Want: f.Want, Got: reads[i].got, Op: f.Op, ReqID: f.ReqID})
		}
	}
	return lost, unreadable, checked
}

// missingAudit returns the acknowledged writes whose request id is not in recorded.
func missingAudit(writes []ackedWrite, recorded map[string]bool) []ackedWrite {
	var missing []ackedWrite
	for _, w := range writes {
		if !recorded[w.ReqID] {
			missing = append(missing, w)
		}
	}
	return missing
}
