package sqlstore

import (
	"encoding/binary"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	chime "github.com/chimed/chimed"
)

// readCache keeps copies of the rows point reads return — accounts, users, credentials — for a SQLite store:
// one writer in this process makes every change, so it knows which entries each commit invalidates (every
// write statement marks what it writes: see writes.go), and commits by other processes on the same file (the
// credentials command) are detected through SQLite's WAL-index change counter (see changeDetector), which
// flushes everything. The cache is exact: a read never
// returns a row older than the last commit that finished before the read began. On PostgreSQL nodes, where
// other nodes write, their commits arrive as notifications and a hit waits for a sync first: see pgcache.go.
//
// Fills race with commits: a reader captures the generation before its database snapshot starts and stores
// its rows only if no invalidation happened since, so a row read from a snapshot older than a commit is never
// cached after that commit's invalidation.
type readCache struct {
	mu          sync.RWMutex
	gen         uint64
	users       userCache                    // usercache.go
	accounts    map[string]*chime.Account    // the cache's own copies, never changed: shared with readers
	credentials map[string]*chime.Credential // likewise
	guard       *sharedGuard                 // in tests: checks that no reader changed a shared entry (cacheguard.go)

	hits, misses [cacheKinds]atomic.Int64 // point reads answered here or not, by kind (metrics.go)
}

// userKey identifies a user in the lists of what a commit changed (dirty).
type userKey struct{ accountID, id string }

// owner is the account of cached users, shared by all of them.
type owner struct{ accountID, aws string }

// A cached user is one immutable string: the strings of the user as length-prefixed substrings (id first),
// enums as one byte each, times and seq as varints. About 220 bytes per user with its index slot, and decoding
// allocates only the User it returns.

// The enum tables: a cached user holds the index of each enum value in its table. They are copies of the
// model's lists (chime.Licenses, …), so a new value of the model is cached without a change here; the empty
// InviteStatus of a user never invited is code 0.
var (
	licenses = slices.Clone(chime.Licenses)
	types    = slices.Clone(chime.UserTypes)
	regs     = slices.Clone(chime.RegistrationStatuses)
	invs     = append([]chime.InviteStatus{""}, chime.InviteStatuses...)
)

// enumCode returns the index of v in consts, or false (the user is then not cached).
func enumCode[T ~string](v T, consts []T) (byte, bool) {
	for i, c := range consts {
		if v == c {
			return byte(i), true
		}
	}
	return 0, false
}

// encodeUser packs u, or reports false for a value it cannot pack (an enum outside the model).
func encodeUser(u *chime.User) (string, bool) {
	l, ok1 := enumCode(u.License, licenses)
	t, ok2 := enumCode(u.Type, types)
	r, ok3 := enumCode(u.RegistrationStatus, regs)
	i, ok4 := enumCode(u.InvitationStatus, invs)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return "", false
	}
	b := make([]byte, 0, 64+len(u.ID)+len(u.Email)+len(u.DisplayName)+len(u.InviteID)+len(u.PIN)+
		len(u.AlexaRoomARN)+len(u.PhoneNumber))
	for _, f := range []string{u.ID, u.Email, u.DisplayName, u.InviteID, u.PIN, u.AlexaRoomARN, u.PhoneNumber} {
		b = binary.AppendUvarint(b, uint64(len(f)))
		b = append(b, f...)
	}
	b = append(b, l, t, r, i)
	if u.AlexaEnabled {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	for _, n := range []int64{u.Seq, msOrZero(u.InvitedOn), msOrZero(u.RegisteredOn), msOrZero(u.CreatedAt)} {
		b = binary.AppendVarint(b, n)
	}
	return string(b), true
}

// decodeUser unpacks an entry made by encodeUser; its strings are substrings of e (no copies).
func decodeUser(e string, o *owner) *chime.User {
	var f [7]string
	p := 0
	for k := range f {
		n, w := uvarint(e[p:])
		p += w
		f[k] = e[p : p+int(n)]
		p += int(n)
	}
	u := &chime.User{ID: f[0], AccountID: o.accountID, AwsAccountID: o.aws, Email: f[1], DisplayName: f[2],
		InviteID: f[3], PIN: f[4], AlexaRoomARN: f[5], PhoneNumber: f[6], License: licenses[e[p]],
		Type: types[e[p+1]], RegistrationStatus: regs[e[p+2]], InvitationStatus: invs[e[p+3]], AlexaEnabled: e[p+4] == 1}
	p += 5
	var n [4]int64
	for k := range n {
		v, w := varint(e[p:])
		n[k] = v
		p += w
	}
	u.Seq, u.InvitedOn, u.RegisteredOn, u.CreatedAt = n[0], timeOrZero(n[1]), timeOrZero(n[2]), timeOrZero(n[3])
	return u
}

// uvarintLen is the length of the varint at the start of s.
func uvarintLen(s string) int {
	_, n := uvarint(s)
	return n
}

// uvarint and varint read encoding/binary varints from a string without copying it; the width is 0 when s
// holds none (truncated, or over 64 bits), which only the listings of the database (listing.go) can meet.
func uvarint(s string) (uint64, int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s) && i < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			if i == binary.MaxVarintLen64-1 && b > 1 {
				return 0, 0
			}
			return x | uint64(b)<<shift, i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}

func varint(s string) (int64, int) {
	ux, n := uvarint(s)
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x, n
}

func newReadCache(maxUsers int) *readCache {
	c := &readCache{}
	c.users.init(maxUsers)
	c.accounts, c.credentials = map[string]*chime.Account{}, map[string]*chime.Credential{}
	c.guard = newSharedGuard()
	return c
}

const maxCachedAccounts, maxCachedCredentials = 100_000, 10_000

func msOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func timeOrZero(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// generation returns the current generation, to be captured before a fill's database read.
func (c *readCache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

func copyAccount(a chime.Account) *chime.Account {
	a.SupportedLicenses = append([]chime.License(nil), a.SupportedLicenses...)
	a.SigninDelegateGroups = append([]string(nil), a.SigninDelegateGroups...)
	return &a
}

func (c *readCache) account(id string) (*chime.Account, bool) {
	c.mu.RLock()
	a, ok := c.accounts[id]
	c.mu.RUnlock()
	c.count(cacheAccount, ok)
	if !ok {
		return nil, false
	}
	if c.guard != nil {
		c.guard.checkAccount(a)
	}
	return a, true // shared with every reader: read only (chime.AccountTx.Account)
}

func (c *readCache) putAccount(gen uint64, a *chime.Account) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.accounts) >= maxCachedAccounts {
		c.accounts = map[string]*chime.Account{}
	}
	c.accounts[a.ID] = copyAccount(*a)
	if c.guard != nil {
		c.guard.keepAccount(c.accounts[a.ID])
	}
}

func (c *readCache) user(accountID, id string) (*chime.User, bool) {
	c.mu.RLock()
	e, o, ok := c.users.get(accountID, id)
	c.mu.RUnlock()
	c.count(cacheUser, ok)
	if !ok {
		return nil, false
	}
	return decodeUser(e, o), true
}

// putUser stores u (see userCache for what makes room).
func (c *readCache) putUser(gen uint64, u *chime.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen {
		c.users.put(u)
	}
}

// holdsAccount, holdsUser and holdsCredential tell whether an entry is cached, without counting a hit or a
// miss (a PostgreSQL node syncs before a hit only: see pgcache.go).
func (c *readCache) holdsAccount(id string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.accounts[id]
	return ok
}

func (c *readCache) holdsUser(accountID, id string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, _, ok := c.users.get(accountID, id)
	return ok
}

func (c *readCache) holdsCredential(id string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	_, ok := c.credentials[id]
	return ok
}

func (c *readCache) credential(id string) (*chime.Credential, bool) {
	c.mu.RLock()
	cr, ok := c.credentials[id]
	c.mu.RUnlock()
	c.count(cacheCredential, ok)
	if !ok {
		return nil, false
	}
	if c.guard != nil {
		c.guard.checkCredential(cr)
	}
	return cr, true // the cache's own copy (putCredential), shared with every reader: read only
}

func (c *readCache) putCredential(gen uint64, cr *chime.Credential) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.credentials) >= maxCachedCredentials {
		c.credentials = map[string]*chime.Credential{}
	}
	v := *cr
	v.SealedSecret = append([]byte(nil), cr.SealedSecret...)
	c.credentials[cr.AccessKeyID] = &v
	if c.guard != nil {
		c.guard.keepCredential(&v)
	}
}

// invalidate drops what a commit changed (call it after the commit) and starts a new generation.
func (c *readCache) invalidate(d *dirty) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if d.tables&tableUsers != 0 {
		c.users.reset()
	}
	if d.tables&tableAccounts != 0 {
		c.accounts = map[string]*chime.Account{}
	}
	if d.tables&tableCredentials != 0 {
		c.credentials = map[string]*chime.Credential{}
	}
	for _, id := range d.accounts {
		delete(c.accounts, id)
	}
	for _, k := range d.users {
		c.users.removeUser(k.accountID, k.id)
	}
}

// flush drops everything (a commit by another process).
func (c *readCache) flush() { c.invalidate(&dirty{tables: cachedTables}) }

// readCache returns the cache a point read of t may use: only read transactions use it (a write transaction
// must see its own changes and, on PostgreSQL, lock the rows it reads), and not on a PostgreSQL node whose
// listener is down (see liveCache).
func (t *tx) readCache() *readCache {
	if t.write {
		return nil
	}
	return t.db.liveCache()
}
