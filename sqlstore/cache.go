package sqlstore

import (
	"sync"

	chime "github.com/chimed/chimed"
)

// readCache keeps copies of the rows point reads return — accounts, users, credentials — for a SQLite store:
// one writer in this process makes every change, so it knows which entries each commit invalidates, and
// commits by other processes on the same file (the credentials command) are detected through SQLite's
// WAL-index change counter (see changeDetector), which flushes everything. The cache is exact: a read never
// returns a row older than the last commit that finished before the read began. PostgreSQL stores, where
// other nodes write, run without it.
//
// Fills race with commits: a reader captures the generation before its database snapshot starts and stores
// its rows only if no invalidation happened since, so a row read from a snapshot older than a commit is never
// cached after that commit's invalidation.
type readCache struct {
	mu          sync.RWMutex
	gen         uint64
	half        int // entries per generation of the user map
	users, old  map[string]chime.User
	accounts    map[string]chime.Account
	credentials map[string]chime.Credential
}

func newReadCache(maxUsers int) *readCache {
	c := &readCache{half: max(1, maxUsers/2)}
	c.reset()
	return c
}

func (c *readCache) reset() {
	c.users, c.old = map[string]chime.User{}, map[string]chime.User{}
	c.accounts, c.credentials = map[string]chime.Account{}, map[string]chime.Credential{}
}

const maxCachedAccounts, maxCachedCredentials = 100_000, 10_000

func userKey(accountID, id string) string { return accountID + "\x00" + id }

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
	if !ok {
		return nil, false
	}
	return copyAccount(a), true
}

func (c *readCache) putAccount(gen uint64, a *chime.Account) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.accounts) >= maxCachedAccounts {
		c.accounts = map[string]chime.Account{}
	}
	c.accounts[a.ID] = *copyAccount(*a)
}

func (c *readCache) user(accountID, id string) (*chime.User, bool) {
	k := userKey(accountID, id)
	c.mu.RLock()
	u, ok := c.users[k]
	if !ok {
		u, ok = c.old[k]
	}
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return &u, true
}

// putUser stores u; when the young generation is full it becomes the old one, so at most twice half users
// are kept and the recently used ones survive.
func (c *readCache) putUser(gen uint64, u *chime.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.users) >= c.half {
		c.old, c.users = c.users, make(map[string]chime.User, c.half)
	}
	c.users[userKey(u.AccountID, u.ID)] = *u
}

func (c *readCache) credential(id string) (*chime.Credential, bool) {
	c.mu.RLock()
	cr, ok := c.credentials[id]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	cr.SealedSecret = append([]byte(nil), cr.SealedSecret...)
	return &cr, true
}

func (c *readCache) putCredential(gen uint64, cr *chime.Credential) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.credentials) >= maxCachedCredentials {
		c.credentials = map[string]chime.Credential{}
	}
	v := *cr
	v.SealedSecret = append([]byte(nil), cr.SealedSecret...)
	c.credentials[cr.AccessKeyID] = v
}

// dirty is what one write transaction changed.
type dirty struct {
	all         bool // many rows (an account's or a tenant's users): flush everything
	credentials bool
	accounts    []string
	users       []string // userKey values
}

func (d *dirty) account(id string)         { d.accounts = append(d.accounts, id) }
func (d *dirty) user(accountID, id string) { d.users = append(d.users, userKey(accountID, id)) }
func (d *dirty) merge(o *dirty) {
	d.all, d.credentials = d.all || o.all, d.credentials || o.credentials
	d.accounts = append(d.accounts, o.accounts...)
	d.users = append(d.users, o.users...)
}
func (d *dirty) empty() bool {
	return !d.all && !d.credentials && len(d.accounts) == 0 && len(d.users) == 0
}

// invalidate drops what a commit changed (call it after the commit) and starts a new generation.
func (c *readCache) invalidate(d *dirty) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if d.all {
		c.reset()
		return
	}
	if d.credentials {
		c.credentials = map[string]chime.Credential{}
	}
	for _, id := range d.accounts {
		delete(c.accounts, id)
	}
	for _, k := range d.users {
		delete(c.users, k)
		delete(c.old, k)
	}
}

// flush drops everything (a commit by another process).
func (c *readCache) flush() { c.invalidate(&dirty{all: true}) }

// readCache returns the cache a point read of t may use: only read transactions use it (a write transaction
// must see its own changes and, on PostgreSQL, lock the rows it reads).
func (t *tx) readCache() *readCache {
	if t.write {
		return nil
	}
	return t.db.cache
}
