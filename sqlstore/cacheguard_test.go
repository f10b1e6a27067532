package sqlstore

import (
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
)

// In tests, a reader that changes a shared cached account or credential is caught on the next hit.
func TestSharedGuardCatchesAReaderThatWrites(t *testing.T) {
	c := newReadCache(10)
	if c.guard == nil {
		t.Fatal("no guard of shared entries in a test binary")
	}
	gen := c.generation()
	c.putAccount(gen, &chime.Account{ID: "acct", Name: "Name", SupportedLicenses: []chime.License{chime.LicensePro}})
	c.putCredential(gen, &chime.Credential{AccessKeyID: "AKID", SealedSecret: []byte{1, 2, 3}})
	wantPanic := func(what, contains string, read func()) {
		t.Helper()
		defer func() {
			t.Helper()
			if r, _ := recover().(string); !strings.Contains(r, contains) {
				t.Fatalf("%s: recovered %q, want a panic naming %s", what, r, contains)
			}
		}()
		read()
	}

	a, _ := c.account("acct")
	a2, _ := c.account("acct") // reads that leave it alone pass
	if a != a2 {
		t.Fatal("the cache does not share its account")
	}
	a.SupportedLicenses[0] = chime.LicenseBasic // through a slice the copy shares with the cache
	wantPanic("a changed license list", "account acct", func() { c.account("acct") })

	cr, _ := c.credential("AKID")
	cr.SealedSecret[0] = 9
	wantPanic("a changed sealed secret", "credential AKID", func() { c.credential("AKID") })
}
