package sqlstore

import (
	"sync"
	"time"

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
	maxUsers    int
	users       map[userKey]cachedUser
	owners      map[string]*owner // interned account ids of cached users
	accounts    map[string]chime.Account
	credentials map[string]chime.Credential
}

// userKey identifies a cached user; its strings share the entry's memory.
type userKey struct{ accountID, id string }

// owner is the account of cached users, shared by all of them.
type owner struct{ accountID, aws string }

// cachedUser is a user kept compactly: the account interned, enums pointing at the package constants,
// timestamps as milliseconds. About 350 bytes with its strings.
type cachedUser struct {
	owner                         *owner
	seq                           int64
	id, email, name, invite, pin  string
	arn, phone                    string
	license                       chime.License
	typ                           chime.UserType
	reg                           chime.RegistrationStatus
	inv                           chime.InviteStatus
	invitedMS, registeredMS, made int64
	alexa                         bool
}

func newReadCache(maxUsers int) *readCache {
	c := &readCache{maxUsers: max(1, maxUsers)}
	c.reset()
	return c
}

func (c *readCache) reset() {
	c.users, c.owners = map[userKey]cachedUser{}, map[string]*owner{}
	c.accounts, c.credentials = map[string]chime.Account{}, map[string]chime.Credential{}
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

// intern returns the package constant equal to v, so cached users share one copy of each enum value.
func intern[T ~string](v T, consts ...T) T {
	for _, c := range consts {
		if v == c {
			return c
		}
	}
	return v
}

func (e *cachedUser) user() *chime.User {
	return &chime.User{Seq: e.seq, ID: e.id, AccountID: e.owner.accountID, AwsAccountID: e.owner.aws,
		Email: e.email, DisplayName: e.name, License: e.license, Type: e.typ, RegistrationStatus: e.reg,
		InvitationStatus: e.inv, InviteID: e.invite, InvitedOn: timeOrZero(e.invitedMS),
		RegisteredOn: timeOrZero(e.registeredMS), PIN: e.pin, AlexaEnabled: e.alexa, AlexaRoomARN: e.arn,
		PhoneNumber: e.phone, CreatedAt: timeOrZero(e.made)}
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
	c.mu.RLock()
	e, ok := c.users[userKey{accountID, id}]
	c.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return e.user(), true
}

// putUser stores u. When the cache is full, a random hundredth of it makes room (map iteration starts at a
// random place), so it stays full and a working set that fits is kept whole.
func (c *readCache) putUser(gen uint64, u *chime.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.users) >= c.maxUsers {
		n := max(1, c.maxUsers/100)
		for k := range c.users {
			delete(c.users, k)
			if n--; n == 0 {
				break
			}
		}
	}
	o := c.owners[u.AccountID]
	if o == nil {
		if len(c.owners) >= maxCachedAccounts {
			c.reset()
		}
		o = &owner{accountID: u.AccountID, aws: u.AwsAccountID}
		c.owners[u.AccountID] = o
	}
	e := cachedUser{owner: o, seq: u.Seq, id: u.ID, email: u.Email, name: u.DisplayName, invite: u.InviteID,
		pin: u.PIN, arn: u.AlexaRoomARN, phone: u.PhoneNumber,
		license:   intern(u.License, chime.LicenseBasic, chime.LicensePlus, chime.LicensePro, chime.LicenseProTrial),
		typ:       intern(u.Type, chime.UserPrivate, chime.UserSharedDevice),
		reg:       intern(u.RegistrationStatus, chime.Unregistered, chime.Registered, chime.Suspended),
		inv:       intern(u.InvitationStatus, chime.InvitePending, chime.InviteAccepted, chime.InviteFailed),
		invitedMS: msOrZero(u.InvitedOn), registeredMS: msOrZero(u.RegisteredOn), made: msOrZero(u.CreatedAt),
		alexa: u.AlexaEnabled}
	c.users[userKey{o.accountID, e.id}] = e
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
	users       []userKey
}

func (d *dirty) account(id string)         { d.accounts = append(d.accounts, id) }
func (d *dirty) user(accountID, id string) { d.users = append(d.users, userKey{accountID, id}) }
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
