package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A fact the server no longer shows is reported as lost: the checker cannot silently pass.
func TestLedgerReportsLostWrite(t *testing.T) {
	l := newLedger()
	now := time.Now()
	l.ack("CreateAccount", "r1", now, "acct|a1|exists", "1", "acct|a1|name", "first")
	l.ack("UpdateAccount", "r2", now, "acct|a1|name", "second") // supersedes "first"
	l.ack("CreateAccount", "r3", now, "acct|a2|exists", "1")
	server := map[string]string{"acct|a1|exists": "1", "acct|a1|name": "second", "acct|a2|exists": "1"}
	observe := func(k string) (string, error) { return server[k], nil }
	if lost, _, checked := l.verify(observe, 4, nil); len(lost) != 0 || checked != 3 {
		t.Fatalf("all held: lost %v, checked %d", lost, checked)
	}
	recent := func(f fact) bool { return f.ReqID == "r3" }
	if _, _, checked := l.verify(observe, 1, recent); checked != 1 {
		t.Fatalf("picked facts checked: %d, want 1", checked)
	}
	delete(server, "acct|a2|exists") // the server lost account a2
	server["acct|a1|name"] = "first" // and the rename of a1
	lost, _, _ := l.verify(observe, 4, nil)
	if len(lost) != 2 || lost[0].Key != "acct|a1|name" || lost[0].ReqID != "r2" || lost[1].Key != "acct|a2|exists" {
		t.Fatalf("lost = %v, want a1's name (r2) and a2", lost)
	}
}

// A write whose answer was lost makes its keys unchecked until the next acknowledged write to them; a key that
// cannot be read is not a loss.
func TestLedgerUnknownAndUnreadable(t *testing.T) {
	l := newLedger()
	now := time.Now()
	l.ack("CreateAccount", "r1", now, "acct|a1|name", "x")
	l.lostAnswer("acct|a1|name")
	observe := func(k string) (string, error) { return "y", nil }
	if lost, _, checked := l.verify(observe, 4, nil); len(lost) != 0 || checked != 0 {
		t.Fatalf("unknown key checked: lost %v, checked %d", lost, checked)
	}
	l.ack("UpdateAccount", "r2", now, "acct|a1|name", "z")
	if lost, _, _ := l.verify(observe, 4, nil); len(lost) != 1 {
		t.Fatalf("re-acknowledged key not checked: %v", lost)
	}
	failing := func(k string) (string, error) { return "", errors.New("down") }
	if lost, unreadable, _ := l.verify(failing, 4, nil); len(lost) != 0 || unreadable != 1 {
		t.Fatalf("unreadable: lost %v, unreadable %d", lost, unreadable)
	}
	if a, u := l.counts(); a != 2 || u != 1 {
		t.Fatalf("counts = %d, %d", a, u)
	}
}

func TestMissingAudit(t *testing.T) {
	l := newLedger()
	t0 := time.Now()
	l.ack("CreateAccount", "r1", t0, "k", "v")
	l.ack("UpdateAccount", "r2", t0.Add(time.Second), "k", "w")
	m := missingAudit(l.ackedSince(t0), map[string]bool{"r1": true})
	if len(m) != 1 || m[0].ReqID != "r2" {
		t.Fatalf("missing = %v, want r2", m)
	}
	if got := l.ackedSince(t0.Add(500 * time.Millisecond)); len(got) != 1 {
		t.Fatalf("ackedSince = %v", got)
	}
}

func TestInvariants(t *testing.T) {
	users := []observedUser{{"a1", "u1", "X@example.com", "+12065550100"}, {"a2", "u2", "x@example.com", ""},
		{"a1", "u3", "y@example.com", "+12065550100"}}
	if d := duplicateEmails(users); len(d) != 1 || !strings.Contains(d[0], "x@example.com") {
		t.Fatalf("duplicateEmails = %v", d)
	}
	if d := duplicateEmails(users[2:]); len(d) != 0 {
		t.Fatalf("duplicateEmails of one = %v", d)
	}
	nums := []observedNumber{{"+12065550100", "u1"}, {"+12065550101", "u1"}}
	if d := numbersAssignedTwice(nums, users); len(d) < 2 {
		t.Fatalf("numbersAssignedTwice = %v", d)
	}
	if d := numbersAssignedTwice(nums[:1], users[:2]); len(d) != 0 {
		t.Fatalf("numbersAssignedTwice of a sound state = %v", d)
	}
	t0 := time.Now()
	receipts := map[string][]time.Time{"e1": {t0, t0.Add(5 * time.Second)}, "e2": {t0, t0.Add(time.Second)},
		"e3": {t0}}
	redelivered, afterRetry, dups := deliveryVerdict(receipts, []time.Time{t0.Add(3 * time.Second)}, nil)
	if redelivered != 1 || afterRetry != 0 || len(dups) != 1 || !strings.Contains(dups[0], "e2") {
		t.Fatalf("deliveryVerdict = %d, %d, %v", redelivered, afterRetry, dups)
	}
	redelivered, afterRetry, dups = deliveryVerdict(receipts, nil, map[string]bool{"e2": true})
	if redelivered != 0 || afterRetry != 1 || len(dups) != 1 || !strings.Contains(dups[0], "e1") {
		t.Fatalf("deliveryVerdict without kills = %d, %d, %v", redelivered, afterRetry, dups)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{10 * time.Minute: "10m", time.Minute: "1m", 90 * time.Second: "1m30s",
		15 * time.Second: "15s", 2 * time.Hour: "2h", 1500 * time.Millisecond: "1.5s"} {
		if got := shortDuration(d); got != want {
			t.Errorf("shortDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
