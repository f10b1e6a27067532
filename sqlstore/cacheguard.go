package sqlstore

import (
	"flag"
	"fmt"
	"reflect"
	"sync"
	"testing"

	chime "github.com/chimed/chimed"
)

// sharedGuard enforces, in test binaries, the read-only contract of the entries the read cache shares with
// every reader (chime.AccountTx.Account, chime.CredentialStore.Credential): it keeps a private copy of each
// shared account and credential and, on every hit, checks that the shared one still equals it. A read path that
// changes what it was given then panics in the first test that reads the entry again, instead of corrupting it
// for every later reader in production. It is off in chimed itself and while benchmarks run.
type sharedGuard struct {
	mu          sync.Mutex
	accounts    map[*chime.Account]chime.Account
	credentials map[*chime.Credential]chime.Credential
}

// newSharedGuard returns a guard in a test binary that runs no benchmark, else nil.
func newSharedGuard() *sharedGuard {
	if !testing.Testing() {
		return nil
	}
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		return nil
	}
	return &sharedGuard{accounts: map[*chime.Account]chime.Account{}, credentials: map[*chime.Credential]chime.Credential{}}
}

// keepAccount records the value of shared account a as the cache stored it.
func (g *sharedGuard) keepAccount(a *chime.Account) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.accounts[a] = *copyAccount(*a)
}

// checkAccount panics when shared account a is no longer what the cache stored.
func (g *sharedGuard) checkAccount(a *chime.Account) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if want, ok := g.accounts[a]; ok && !reflect.DeepEqual(*a, want) {
		panic(fmt.Sprintf("sqlstore: a reader changed the cached account %s, which is shared and read only: %+v, stored as %+v", a.ID, *a, want))
	}
}

// keepCredential records the value of shared credential cr as the cache stored it.
func (g *sharedGuard) keepCredential(cr *chime.Credential) {
	g.mu.Lock()
	defer g.mu.Unlock()
	v := *cr
	v.SealedSecret = append([]byte(nil), cr.SealedSecret...)
	g.credentials[cr] = v
}

// checkCredential panics when shared credential cr is no longer what the cache stored.
func (g *sharedGuard) checkCredential(cr *chime.Credential) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if want, ok := g.credentials[cr]; ok && !reflect.DeepEqual(*cr, want) {
		panic(fmt.Sprintf("sqlstore: a reader changed the cached credential %s, which is shared and read only", cr.AccessKeyID))
	}
}
