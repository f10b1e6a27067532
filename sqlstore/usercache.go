package sqlstore

import (
	"encoding/binary"
	"hash/maphash"
	"unsafe"

	chime "github.com/chimed/chimed"
)

// userCache holds the users of a readCache in memory the garbage collector does not walk: a map of a large
// number of strings costs every collection cycle a visit of each (about 10 ms a cycle for 100,000 users),
// which a GetUser load pays per request. Here the index is a table of integers (no pointers; userindex.go) and
// the entries live in a few large byte chunks.
//
// An entry is the index of its owner (the account, interned in owners) followed by encodeUser's bytes. Entries
// are appended to the newest chunk and never changed once written, so the strings of a decoded User may be
// substrings of a chunk. The index maps a hash of (account id, user id) to the entry; get checks the entry's
// account and id, so two keys with the same hash only cost a miss and the cache stays exact.
//
// Room: with maxUsers indexed, a put first drops the users of the oldest chunk (first in, first out; a working
// set that fits is kept whole). Entries no longer indexed (removed, replaced) are dead: while their bytes
// exceed a quarter of the live ones, each put also moves the oldest chunk's live entries to the newest chunk
// and drops the oldest, so the chunks hold at most about 1.25 times the live entries plus a chunk, and no put
// copies more than one chunk.
//
// A userCache is not safe for concurrent use (readCache.mu guards it); what get returns stays valid and
// unchanged after the lock is released.
type userCache struct {
	seed       maphash.Seed
	hash       func(seed maphash.Seed, accountID, id string) uint64 // userHash; tests make keys collide
	maxUsers   int
	chunkBytes int

	index    userIndex
	chunks   [][]byte // chunks[i] has the sequence number first+i; the last one is filled
	first    uint64
	owners   []owner // never changed in place: get's callers keep pointers into it
	ownerIdx map[string]uint32
	live     int // bytes of the records of indexed entries
	dead     int // bytes of the records no longer indexed
}

// userRef locates an entry: the bytes chunk[off:off+n] of the chunk with sequence number chunk. In a chunk,
// each entry is a record: its index key (8 bytes), its length (uvarint), its bytes.
type userRef struct {
	chunk  uint64
	off, n uint32
}

func userHash(seed maphash.Seed, accountID, id string) uint64 {
	return maphash.String(seed, accountID)*0x9e3779b97f4a7c15 ^ maphash.String(seed, id)
}

func (c *userCache) init(maxUsers int) {
	c.seed, c.hash, c.maxUsers = maphash.MakeSeed(), userHash, max(1, maxUsers)
	// About sixteen chunks when full (an entry is ~200 bytes), so that dropping the oldest frees a sixteenth.
	c.chunkBytes = min(1<<20, max(4<<10, c.maxUsers*256/16))
	c.reset()
}

// reset drops every user.
func (c *userCache) reset() {
	c.index.reset()
	c.ownerIdx = map[string]uint32{}
	c.first += uint64(len(c.chunks))
	c.chunks, c.owners, c.live, c.dead = nil, nil, 0, 0
}

func (c *userCache) len() int { return c.index.len() }

// get returns the entry of user (accountID, id) and its owner.
func (c *userCache) get(accountID, id string) (string, *owner, bool) {
	ref, ok := c.index.get(c.hash(c.seed, accountID, id))
	if !ok {
		return "", nil, false
	}
	buf := c.chunks[ref.chunk-c.first]
	e := unsafe.String(&buf[ref.off], int(ref.n)) // written once, never changed (see userCache)
	oi, w := uvarint(e)
	o := &c.owners[oi]
	e = e[w:]
	n, w := uvarint(e)
	if o.accountID != accountID || uint64(len(e)-w) < n || e[w:w+int(n)] != id {
		return "", nil, false // another user with the same hash
	}
	return e, o, true
}

// put caches u (not when encodeUser cannot pack it).
func (c *userCache) put(u *chime.User) {
	enc, ok := encodeUser(u)
	if !ok {
		return
	}
	oi, ok := c.ownerIdx[u.AccountID]
	if !ok {
		if len(c.owners) >= maxCachedAccounts {
			c.reset()
		}
		oi = uint32(len(c.owners))
		c.owners = append(c.owners, owner{accountID: u.AccountID, aws: u.AwsAccountID})
		c.ownerIdx[u.AccountID] = oi
	}
	key := c.hash(c.seed, u.AccountID, u.ID)
	c.remove(key) // an older copy, or another user with the same hash
	for c.index.len() >= c.maxUsers && len(c.chunks) > 0 {
		c.dropOldest(false)
	}
	var head [binary.MaxVarintLen32]byte
	h := binary.AppendUvarint(head[:0], uint64(oi))
	if !c.appendRecord(key, h, enc) {
		return
	}
	if c.dead > c.live/4 && len(c.chunks) > 1 {
		c.dropOldest(true)
	}
}

// remove drops the entry of key, if any.
func (c *userCache) remove(key uint64) {
	if ref, ok := c.index.del(key); ok {
		r := recordBytes(ref.n)
		c.live -= r
		c.dead += r
	}
}

// removeUser drops user (accountID, id), if cached.
func (c *userCache) removeUser(accountID, id string) { c.remove(c.hash(c.seed, accountID, id)) }

func recordBytes(n uint32) int { return 8 + uvarintLen64(uint64(n)) + int(n) }

func uvarintLen64(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

// appendRecord appends the entry head+body under key to the newest chunk (a new one when it is full) and
// indexes it; false when the entry is larger than a chunk (it is then not cached).
func (c *userCache) appendRecord(key uint64, head []byte, body string) bool {
	n := len(head) + len(body)
	r := recordBytes(uint32(n))
	if r > c.chunkBytes {
		return false
	}
	if len(c.chunks) == 0 || len(c.chunks[len(c.chunks)-1])+r > c.chunkBytes {
		c.chunks = append(c.chunks, make([]byte, 0, c.chunkBytes))
	}
	last := len(c.chunks) - 1
	buf := binary.LittleEndian.AppendUint64(c.chunks[last], key)
	buf = binary.AppendUvarint(buf, uint64(n))
	off := len(buf)
	buf = append(append(buf, head...), body...) // within the chunk's capacity: written bytes never move
	c.chunks[last] = buf
	c.index.set(key, userRef{chunk: c.first + uint64(last), off: uint32(off), n: uint32(n)})
	c.live += r
	return true
}

// dropOldest drops the oldest chunk; keep moves its live entries to the newest chunk first, else they are
// dropped too.
func (c *userCache) dropOldest(keep bool) {
	buf, seq := c.chunks[0], c.first
	c.chunks[0] = nil
	c.chunks, c.first = c.chunks[1:], c.first+1
	for p := 0; p < len(buf); {
		key := binary.LittleEndian.Uint64(buf[p:])
		n, w := binary.Uvarint(buf[p+8:])
		off := p + 8 + w
		p = off + int(n)
		r := recordBytes(uint32(n))
		ref, ok := c.index.get(key)
		if !ok || ref.chunk != seq || int(ref.off) != off {
			c.dead -= r
			continue
		}
		c.index.del(key)
		c.live -= r
		if keep {
			e := unsafe.String(&buf[off], int(n))
			w := uvarintLen(e)
			c.appendRecord(key, buf[off:off+w], e[w:])
		}
	}
}
