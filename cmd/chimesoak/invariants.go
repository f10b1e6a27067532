package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// observedUser is a user as a listing showed it.
type observedUser struct {
	AccountID, UserID, Email, Number string
}

// duplicateEmails returns a violation per email address held by more than one user of the AWS account (all the
// users given belong to one AWS account; addresses compare case-insensitively, as the soak only uses ASCII).
func duplicateEmails(users []observedUser) []string {
	by := map[string][]string{}
	for _, u := range users {
		k := strings.ToLower(u.Email)
		by[k] = append(by[k], u.AccountID+"/"+u.UserID)
	}
	var out []string
	for e, holders := range by {
		if len(holders) > 1 {
			out = append(out, fmt.Sprintf("email %s held by %d users: %s", e, len(holders), strings.Join(holders, ", ")))
		}
	}
	sort.Strings(out)
	return out
}

// observedNumber is a phone number and the user its association names ("" when none).
type observedNumber struct {
	Number, UserID string
}

// numbersAssignedTwice returns a violation per user holding several numbers, per number two users show as their
// PrimaryProvisionedNumber, and per assigned number whose user shows another number.
func numbersAssignedTwice(numbers []observedNumber, users []observedUser) []string {
	var out []string
	byUser := map[string][]string{}
	for _, n := range numbers {
		if n.UserID != "" {
			byUser[n.UserID] = append(byUser[n.UserID], n.Number)
		}
	}
	for u, ns := range byUser {
		if len(ns) > 1 {
			out = append(out, fmt.Sprintf("user %s associated with %d numbers: %s", u, len(ns), strings.Join(ns, ", ")))
		}
	}
	byNumber := map[string][]string{}
	userNumber := map[string]string{}
	for _, u := range users {
		if u.Number != "" {
			byNumber[u.Number] = append(byNumber[u.Number], u.UserID)
		}
		userNumber[u.UserID] = u.Number
	}
	for n, us := range byNumber {
		if len(us) > 1 {
			out = append(out, fmt.Sprintf("number %s is the PrimaryProvisionedNumber of %d users: %s", n, len(us),
				strings.Join(us, ", ")))
		}
	}
	for _, n := range numbers {
		if got, ok := userNumber[n.UserID]; n.UserID != "" && ok && got != n.Number {
			out = append(out, fmt.Sprintf("number %s is associated with user %s, whose number is %q", n.Number,
				n.UserID, got))
		}
	}
	sort.Strings(out)
	return out
}

// inFlight is how long before its receipt a delivery may have been sent: chimed's attempt timeout
// (--bot-delivery-timeout, 2 s). A kill up to this long before the first receipt may have cut off the attempt
// that produced it.
const inFlight = 2 * time.Second

// deliveryVerdict classifies repeated receipts of one bot event (same body) at the receiver: a repeat with a
// kill of a server between the two receipts (or while the first was in flight) is a redelivery after a crash
// (bot delivery is at-least-once across a crash: the lease of the killed node expires and the event is sent
// again); a repeat of an event in retried (whose outbox entry shows a failed attempt — a timeout — before the
// one that succeeded: the sender retries what may have arrived, as documented) is counted apart; any other
// repeat is a violation.
func deliveryVerdict(receipts map[string][]time.Time, kills []time.Time, retried map[string]bool) (redelivered, afterRetry int, duplicates []string) {
	for key, ts := range receipts {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		for i := 1; i < len(ts); i++ {
			crash := false
			for _, k := range kills {
				if !k.Before(ts[i-1].Add(-inFlight)) && !k.After(ts[i]) {
					crash = true
					break
				}
			}
			switch {
			case crash:
				redelivered++
			case retried[key]:
				afterRetry++
			default:
				duplicates = append(duplicates, fmt.Sprintf("bot event %s delivered again %v after the previous delivery with no crash in between",
					key, ts[i].Sub(ts[i-1]).Round(time.Millisecond)))
			}
		}
	}
	sort.Strings(duplicates)
	return redelivered, afterRetry, duplicates
}
