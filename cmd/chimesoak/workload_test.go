package main

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/testenv"
)

// The workload's every operation family against a real server (in process, no kills): every fact it records
// reads back as recorded through the checker, every acknowledged write has its audit record, the invariants
// hold, and a change made behind the ledger's back is reported as a lost write.
func TestWorkloadFactsReadBack(t *testing.T) {
	srv := testenv.NewServer(t, testenv.Config{})
	recv, err := startBotReceiver()
	if err != nil {
		t.Fatal(err)
	}
	defer recv.close()
	start := time.Now()
	s := &soak{runID: 1, led: newLedger(), recv: recv, stats: newStats(start),
		endpoints: []*endpoint{newEndpoint(srv.URL, "111122223333", "soak-test-secret-0123456789")}}
	w := &worker{id: 0, s: s, rng: rand.New(rand.NewPCG(1, 2))}
	s.workers = []*worker{w}
	ctx := context.Background()
	ops := allOps(true)
	for i := range 300 {
		ops[i%len(ops)].run(ctx, w)
	}
	rows, total := s.stats.table()
	if total.Errors > 0 || total.Refused > total.Requests/20 {
		for _, r := range rows {
			t.Logf("%s: %d requests, %d errors, %d refused", r.Op, r.Requests, r.Errors, r.Refused)
		}
		t.Fatalf("%d requests: %d errors, %d refused", total.Requests, total.Errors, total.Refused)
	}
	families := map[string]bool{}
	for _, r := range rows {
		families[r.Op] = true
	}
	for _, op := range []string{"CreateAccount", "InviteUsers", "CreateUser", "BatchSuspendUser", "BatchUnsuspendUser",
		"UpdateAccountSettings", "CreatePhoneNumberOrder", "AssociatePhoneNumberWithUser", "CreateMeetingDialOut",
		"PutRetentionSettings", "CreateRoom", "CreateRoomMembership", "CreateBot", "PutEventsConfiguration",
		"chimed:PostRoomMessage"} {
		if !families[op] {
			t.Errorf("the workload sent no %s", op)
		}
	}

	c := newChecker(s.endpoints[0])
	c.cache = map[string]any{}
	observe := func(k string) (string, error) { return c.observe(ctx, k) }
	lost, unreadable, checked := s.led.verify(observe, 4, nil)
	if len(lost) != 0 || unreadable != 0 || checked < 100 {
		t.Fatalf("read back: %d checked, %d unreadable, lost %v", checked, unreadable, lost)
	}
	if v, err := c.invariants(ctx, s.deleted); err != nil || len(v) != 0 {
		t.Fatalf("invariants: %v, %v", v, err)
	}
	seen := map[string]bool{}
	if err := c.auditRecords(ctx, start.Add(-2*time.Second), seen); err != nil {
		t.Fatal(err)
	}
	if m := missingAudit(s.led.ackedSince(time.Time{}), seen); len(m) != 0 {
		t.Fatalf("%d acknowledged writes without an audit record, first %v", len(m), m[0])
	}

	// Rename an account the ledger knows, behind its back: the next check reports it.
	var key string
	for k, f := range s.led.facts {
		if strings.HasPrefix(k, "acct|") && strings.HasSuffix(k, "|name") && f.Known && f.Want != gone {
			key = k
			break
		}
	}
	id := strings.Split(key, "|")[1]
	if _, err := s.endpoints[0].api.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: aws.String(id),
		Name: aws.String("renamed-behind-the-ledger")}); err != nil {
		t.Fatal(err)
	}
	c.cache = map[string]any{}
	lost, _, _ = s.led.verify(observe, 4, nil)
	if len(lost) != 1 || lost[0].Key != key || lost[0].Got != "renamed-behind-the-ledger" {
		t.Fatalf("lost = %v, want only %s", lost, key)
	}
}
