package chime_test

import (
	"testing"
	"time"

	chime "github.com/chimed/chimed"
)

// audited returns a context carrying a fresh audit entry of aws, and the entry.
func audited(aws, op string) (*chime.AuditEntry, func() chime.Identity) {
	e := &chime.AuditEntry{Event: chime.AuditEvent{ID: newEmail("ev"), AwsAccountID: aws, AccessKeyID: aws,
		RequestID: "req-" + op, Operation: op, Params: "{}"}}
	return e, func() chime.Identity { return chime.Identity{AwsAccountID: aws, AccessKeyID: aws} }
}

func lookupAll(tb testing.TB, e *env, id chime.Identity, q chime.AuditLookup) []*chime.AuditEvent {
	tb.Helper()
	list, _, err := e.Svc.LookupAuditEvents(ctx, id, q)
	must(tb, err)
	return list
}

// TestAuditInTransaction: the first successful Write of an audited request records it once, in its transaction;
// a refused Write records nothing (RecordAudit then records the refusal); later Writes of the request add
// nothing; the retention deletes old records.
func TestAuditInTransaction(t *testing.T) {
	e := newEnv(t)
	aws := newTenant()
	entry, who := audited(aws, "CreateAccount")
	actx := chime.WithAudit(ctx, entry)
	if _, err := e.Svc.CreateAccount(actx, aws, ptr("")); err == nil {
		t.Fatal("an empty name was accepted")
	}
	if entry.Recorded() || len(lookupAll(t, e, who(), chime.AuditLookup{})) != 0 {
		t.Fatal("a refused change was recorded as a change")
	}
	must(t, e.Svc.RecordAudit(actx, entry, 400, "BadRequestException", "bad name"))
	evs := lookupAll(t, e, who(), chime.AuditLookup{})
	if len(evs) != 1 || evs[0].ErrorCode != "BadRequestException" || evs[0].Status != 400 || !evs[0].Time.Equal(e.Clock.Now().Truncate(time.Millisecond)) {
		t.Fatalf("refusal record %+v", evs)
	}

	ok, _ := audited(aws, "CreateAccount")
	okCtx := chime.WithAudit(ctx, ok)
	a, err := e.Svc.CreateAccount(okCtx, aws, ptr("fine"))
	must(t, err)
	if !ok.Recorded() {
		t.Fatal("the change was not recorded")
	}
	if _, err := e.Svc.UpdateAccount(okCtx, aws, a.ID, ptr("again"), nil); err != nil { // a second write: no second record
		t.Fatal(err)
	}
	must(t, e.Svc.RecordAudit(okCtx, ok, 200, "", "")) // already recorded: nothing
	if evs := lookupAll(t, e, who(), chime.AuditLookup{}); len(evs) != 2 || evs[0].ErrorCode != "" || evs[0].ID != ok.Event.ID {
		t.Fatalf("events %+v", evs)
	}
	// Other AWS accounts see nothing; unknown attributes are refused.
	if evs := lookupAll(t, e, chime.Identity{AwsAccountID: newTenant()}, chime.AuditLookup{}); len(evs) != 0 {
		t.Fatalf("another AWS account sees %d events", len(evs))
	}
	_, _, err = e.Svc.LookupAuditEvents(ctx, who(), chime.AuditLookup{AttributeKey: "ResourceType", AttributeValue: "x"})
	wantErr(t, err, chime.ELOOKUPATTR, "")

	// Retention: 90 days by default; the next recorded change prunes what is older.
	e.Clock.Advance(chime.DefaultAuditRetention + time.Hour)
	late, _ := audited(aws, "CreateAccount")
	_, err = e.Svc.CreateAccount(chime.WithAudit(ctx, late), aws, ptr("late"))
	must(t, err)
	if evs := lookupAll(t, e, who(), chime.AuditLookup{}); len(evs) != 1 || evs[0].ID != late.Event.ID {
		t.Fatalf("after the retention: %d events", len(evs))
	}
}
