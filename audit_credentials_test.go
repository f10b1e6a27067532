package chime_test

import (
	"context"
	"errors"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
)

// failingAudit is a Store whose transactions refuse to insert audit records.
type failingAudit struct{ chime.Store }

type failingAuditTx struct{ chime.Tx }

var errNoAudit = errors.New("the audit record cannot be written")

func (failingAuditTx) InsertAuditEvent(context.Context, *chime.AuditEvent) error { return errNoAudit }

func (s failingAudit) Write(ctx context.Context, fn func(chime.Tx) error) error {
	return s.Store.Write(ctx, func(tx chime.Tx) error { return fn(failingAuditTx{tx}) })
}

// TestCredentialsAuditedInOneTransaction: `chimed credentials create|revoke` write the change and its audit record
// together: both are there after success, and when the record cannot be written the change is not made either.
func TestCredentialsAuditedInOneTransaction(t *testing.T) {
	store := testenv.MustOpen(t, testenv.DSN(t))
	creds := chime.NewCredentials(store, testenv.MustKeyring(t))
	aws := newTenant()
	events := func() []string {
		t.Helper()
		var names []string
		if err := store.Read(ctx, func(tx chime.Tx) error {
			list, err := tx.ListAuditEvents(ctx, aws, chime.AuditFilter{Limit: 10})
			for _, e := range list {
				names = append(names, e.Operation)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return names
	}

	id, secret, err := creds.CreateAudited(ctx, store, aws, false)
	if err != nil || id == "" || secret == "" {
		t.Fatalf("CreateAudited: %q %v", id, err)
	}
	if got := events(); len(got) != 1 || got[0] != "chimed:CreateCredentials" {
		t.Fatalf("records after create: %v", got)
	}
	if c, err := store.Credential(ctx, id); err != nil || c.AwsAccountID != aws {
		t.Fatalf("the key: %+v %v", c, err)
	}

	// The record cannot be written: no key, no revocation.
	broken := failingAudit{store}
	if _, _, err := creds.CreateAudited(ctx, broken, aws, false); !errors.Is(err, errNoAudit) {
		t.Fatalf("CreateAudited without its record: %v", err)
	}
	list, err := store.ListCredentials(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("keys after a create without its record: %d (%v)", len(list), err)
	}
	if err := creds.RevokeAudited(ctx, broken, id); !errors.Is(err, errNoAudit) {
		t.Fatalf("RevokeAudited without its record: %v", err)
	}
	if c, _ := store.Credential(ctx, id); !c.RevokedAt.IsZero() {
		t.Fatal("the key was revoked without its record")
	}

	if err := creds.RevokeAudited(ctx, store, id); err != nil {
		t.Fatal(err)
	}
	if c, _ := store.Credential(ctx, id); c.RevokedAt.IsZero() {
		t.Fatal("the key is not revoked")
	}
	if got := events(); len(got) != 2 {
		t.Fatalf("records after revoke: %v", got)
	}
	if err := creds.RevokeAudited(ctx, store, id); chime.ErrorCode(err) != chime.ENOTFOUND {
		t.Fatalf("second revoke: %v", err)
	}
}
