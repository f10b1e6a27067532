package main

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/google/uuid"
)

var areaCodes = []string{"206", "425", "312", "415", "617", "303", "512", "212", "305", "404"}

func phoneKey(n *number, field string) string { return "phone|" + n.e164 + "|" + field }

// opPhone orders numbers (and waits for the order), assigns and unassigns them, deletes, restores and renames them.
func opPhone(ctx context.Context, w *worker) {
	a := w.enterprise(ctx)
	if a == nil {
		return
	}
	if len(w.numbers) < 2 || (len(w.numbers) < 4 && w.rng.IntN(8) == 0) {
		order(ctx, w)
		return
	}
	n, _ := pick(w, w.numbers)
	switch {
	case n.deleted:
		_, r := call(ctx, w, (*chime.Client).RestorePhoneNumber, &chime.RestorePhoneNumberInput{PhoneNumberId: aws.String(n.e164)})
		w.record(r, "RestorePhoneNumber", phoneKey(n, "status"), "Unassigned")
		if r.ok() {
			n.deleted = false
		} else if r.outcome == outcomeUnknown {
			w.numbers = remove(w.numbers, n)
		}
	case n.user != "":
		var u *user
		for _, x := range a.users {
			if x.id == n.user {
				u = x
			}
		}
		_, r := call(ctx, w, (*chime.Client).DisassociatePhoneNumberFromUser, &chime.DisassociatePhoneNumberFromUserInput{
			AccountId: aws.String(a.id), UserId: aws.String(n.user)})
		w.record(r, "DisassociatePhoneNumberFromUser", phoneKey(n, "user"), "", phoneKey(n, "status"), "Unassigned",
			"user|"+a.id+"/"+n.user+"|number", "")
		if r.ok() {
			n.user = ""
			if u != nil {
				u.number = ""
			}
		} else if r.outcome == outcomeUnknown {
			w.numbers = remove(w.numbers, n)
			if u != nil {
				a.users = remove(a.users, u)
			}
		}
	default:
		switch w.rng.IntN(4) {
		case 0:
			_, r := call(ctx, w, (*chime.Client).DeletePhoneNumber, &chime.DeletePhoneNumberInput{PhoneNumberId: aws.String(n.e164)})
			w.record(r, "DeletePhoneNumber", phoneKey(n, "status"), "DeleteInProgress")
			if r.ok() {
				n.deleted = true
			} else if r.outcome == outcomeUnknown {
				w.numbers = remove(w.numbers, n)
			}
		case 1:
			w.seq++
			name := fmt.Sprintf("Soak %d", w.seq%100000)
			_, r := call(ctx, w, (*chime.Client).UpdatePhoneNumber, &chime.UpdatePhoneNumberInput{PhoneNumberId: aws.String(n.e164),
				CallingName: aws.String(name)})
			w.record(r, "UpdatePhoneNumber", phoneKey(n, "callingname"), name)
		default:
			var u *user
			for _, x := range a.users {
				if x.number == "" {
					u = x
					break
				}
			}
			if u == nil {
				return
			}
			_, r := call(ctx, w, (*chime.Client).AssociatePhoneNumberWithUser, &chime.AssociatePhoneNumberWithUserInput{
				AccountId: aws.String(a.id), UserId: aws.String(u.id), E164PhoneNumber: aws.String(n.e164)})
			w.record(r, "AssociatePhoneNumberWithUser", phoneKey(n, "user"), u.id, phoneKey(n, "status"), "Assigned",
				userKey(a, u, "number"), n.e164)
			if r.ok() {
				n.user, u.number = u.id, n.e164
			} else if r.outcome == outcomeUnknown {
				w.numbers = remove(w.numbers, n)
				a.users = remove(a.users, u)
			}
		}
	}
}

// order searches available numbers, orders two, and waits until the order settled.
func order(ctx context.Context, w *worker) {
	area := areaCodes[w.rng.IntN(len(areaCodes))]
	s, r := call(ctx, w, (*chime.Client).SearchAvailablePhoneNumbers, &chime.SearchAvailablePhoneNumbersInput{
		AreaCode: aws.String(area), MaxResults: aws.Int32(20)})
	if !r.ok() || len(s.E164PhoneNumbers) < 2 {
		return
	}
	i := w.rng.IntN(len(s.E164PhoneNumbers) - 1)
	nums := s.E164PhoneNumbers[i : i+2]
	o, r := call(ctx, w, (*chime.Client).CreatePhoneNumberOrder, &chime.CreatePhoneNumberOrderInput{
		ProductType: types.PhoneNumberProductTypeBusinessCalling, E164PhoneNumbers: nums})
	if r.outcome == outcomeUnknown {
		w.unknownOutcome()
	}
	if !r.ok() {
		return
	}
	id := aws.ToString(o.PhoneNumberOrder.PhoneNumberOrderId)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		g, gr := call(ctx, w, (*chime.Client).GetPhoneNumberOrder, &chime.GetPhoneNumberOrderInput{PhoneNumberOrderId: aws.String(id)})
		if gr.ok() && g.PhoneNumberOrder.Status != types.PhoneNumberOrderStatusProcessing {
			var kv []string
			for _, line := range g.PhoneNumberOrder.OrderedPhoneNumbers {
				if line.Status == types.OrderedPhoneNumberStatusAcquired {
					n := &number{e164: aws.ToString(line.E164PhoneNumber)}
					w.numbers = append(w.numbers, n)
					kv = append(kv, phoneKey(n, "status"), "Unassigned", phoneKey(n, "user"), "")
				}
			}
			w.led().ack("CreatePhoneNumberOrder", r.reqID, r.at, kv...)
			return
		}
		time.Sleep(300 * time.Millisecond)
	}
	w.led().ackNoFact("CreatePhoneNumberOrder", r.reqID, r.at) // settled out of sight: its numbers are not used
}

// opDialOut records a dial-out from one of the worker's numbers.
func opDialOut(ctx context.Context, w *worker) {
	var from *number
	for _, n := range w.numbers {
		if !n.deleted {
			from = n
			break
		}
	}
	if from == nil {
		opPhone(ctx, w)
		return
	}
	to := fmt.Sprintf("+1415555%04d", 100+w.rng.IntN(9000))
	token := fmt.Sprintf("SoakJoinToken%dx%d", w.id, w.rng.IntN(1e9))
	meeting := uuid.NewString()
	out, r := call(ctx, w, (*chime.Client).CreateMeetingDialOut, &chime.CreateMeetingDialOutInput{
		MeetingId: aws.String(meeting), FromPhoneNumber: aws.String(from.e164), ToPhoneNumber: aws.String(to),
		JoinToken: aws.String(token)})
	switch r.outcome {
	case outcomeOK:
		w.led().ack("CreateMeetingDialOut", r.reqID, r.at, "dialout|"+meeting+"/"+aws.ToString(out.TransactionId)+"|from", from.e164)
	case outcomeUnknown:
		w.unknownOutcome()
	}
}
