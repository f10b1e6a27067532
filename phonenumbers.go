package chime

import (
	"strings"
	"time"
)

// Phone numbers of an AWS account's inventory and their orders (docs/behavior.md §3.5–§3.7; D19–D29).
//
// Scheduled transitions (order completion, calling-name propagation, the deletion queue's purge) are stored as
// data, not run by a worker: a record holds its state, and when a transition is pending, the state it takes and
// the server time at which it takes it. Every read settles the record against the server clock (settle), and a
// store query that filters by state compares the same stored times with the same clock, so a transition due at T
// is seen by every request that starts at server time T or later, on every node, and survives any crash: there
// is nothing to run and nothing to lose. A write stores the settled state. A purged number is a record whose
// PurgeAt has passed: the store never returns it, and deletes such rows when a write of the AWS account's
// numbers asks it to (PurgePhoneNumbers).

// NumberStatus is the state of an inventory number (§3.7).
type NumberStatus string

// Number states. AcquireFailed, ReleaseInProgress, ReleaseFailed and DeleteFailed are valid filters but no
// chimed number ever has them (D25).
const (
	NumberAcquireInProgress NumberStatus = "AcquireInProgress"
	NumberAcquireFailed     NumberStatus = "AcquireFailed"
	NumberUnassigned        NumberStatus = "Unassigned"
	NumberAssigned          NumberStatus = "Assigned"
	NumberReleaseInProgress NumberStatus = "ReleaseInProgress"
	NumberDeleteInProgress  NumberStatus = "DeleteInProgress"
	NumberReleaseFailed     NumberStatus = "ReleaseFailed"
	NumberDeleteFailed      NumberStatus = "DeleteFailed"
)

// NumberStatuses are the values of NumberStatus, in the model's order.
var NumberStatuses = []NumberStatus{NumberAcquireInProgress, NumberAcquireFailed, NumberUnassigned,
	NumberAssigned, NumberReleaseInProgress, NumberDeleteInProgress, NumberReleaseFailed, NumberDeleteFailed}

// CallingNameStatus is the state of a number's calling name (D27).
type CallingNameStatus string

// Calling name states. UpdateFailed never occurs.
const (
	CallingNameUnassigned       CallingNameStatus = "Unassigned"
	CallingNameUpdateInProgress CallingNameStatus = "UpdateInProgress"
	CallingNameUpdateSucceeded  CallingNameStatus = "UpdateSucceeded"
	CallingNameUpdateFailed     CallingNameStatus = "UpdateFailed"
)

// PhoneNumber is a number of an AWS account's inventory (§3.5).
type PhoneNumber struct {
	AwsAccountID string
	E164         string // +digits; the PhoneNumberId is NumberID(E164)
	Country      string // ISO alpha-2
	Type         NumberType
	ProductType  ProductType
	Status       NumberStatus
	// NextStatus is the state the number takes at StatusAt (server time) when StatusAt is not zero.
	NextStatus NumberStatus
	StatusAt   time.Time

	// The user the number is associated with (D29): both empty when none.
	AccountID    string
	UserID       string
	AssociatedAt time.Time

	CallingName       *string // nil when none is set
	CallingNameStatus CallingNameStatus
	// NextCallingNameStatus is the calling name's state from CallingNameAt on, when CallingNameAt is not zero.
	NextCallingNameStatus CallingNameStatus
	CallingNameAt         time.Time

	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt time.Time // DeletionTimestamp: when it entered the deletion queue; zero otherwise (D25)
	PurgeAt   time.Time // when a queued number is deleted for good; zero when not queued
}

// settle applies the transitions of n that are due at now (server time): a pending state change and a pending
// calling-name change; UpdatedAt becomes the time of the latest one applied.
func (n *PhoneNumber) settle(now time.Time) {
	if !n.StatusAt.IsZero() && !now.Before(n.StatusAt) {
		n.Status, n.NextStatus = n.NextStatus, ""
		n.UpdatedAt = later(n.UpdatedAt, n.StatusAt)
		n.StatusAt = time.Time{}
	}
	if !n.CallingNameAt.IsZero() && !now.Before(n.CallingNameAt) {
		n.CallingNameStatus, n.NextCallingNameStatus = n.NextCallingNameStatus, ""
		n.UpdatedAt = later(n.UpdatedAt, n.CallingNameAt)
		n.CallingNameAt = time.Time{}
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Capabilities are what a number can do (§3.5): US numbers everything, others calls only.
type Capabilities struct {
	InboundCall, OutboundCall, InboundSMS, OutboundSMS, InboundMMS, OutboundMMS bool
}

// Capabilities returns the capabilities of n.
func (n *PhoneNumber) Capabilities() Capabilities {
	us := n.Country == "US"
	return Capabilities{InboundCall: true, OutboundCall: true, InboundSMS: us, OutboundSMS: us, InboundMMS: us,
		OutboundMMS: us}
}

// NumberID returns the PhoneNumberId of the E.164 number e164: the number with its '+' written as %2B (D20).
func NumberID(e164 string) string { return "%2B" + strings.TrimPrefix(e164, "+") }

// ParseNumberID returns the E.164 number a PhoneNumberId names, after the path's single decoding (D20): +digits,
// %2Bdigits, %2bdigits or bare digits. ok is false for anything else (the caller answers ENOTFOUND).
func ParseNumberID(id string) (e164 string, ok bool) {
	digits := id
	switch {
	case strings.HasPrefix(id, "+"):
		digits = id[1:]
	case strings.HasPrefix(id, "%2B"), strings.HasPrefix(id, "%2b"):
		digits = id[3:]
	}
	if !isE164Digits(digits) {
		return "", false
	}
	return "+" + digits, true
}

// isE164Digits reports whether d is 2..15 digits not starting with 0 (the model's E164PhoneNumber pattern).
func isE164Digits(d string) bool {
	if len(d) < 2 || len(d) > 15 || d[0] == '0' {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// OrderStatus is the state of a phone number order (§3.6).
type OrderStatus string

// Order states.
const (
	OrderProcessing OrderStatus = "Processing"
	OrderSuccessful OrderStatus = "Successful"
	OrderFailed     OrderStatus = "Failed"
	OrderPartial    OrderStatus = "Partial"
)

// OrderLineStatus is the state of one number of an order.
type OrderLineStatus string

// Order line states.
const (
	LineProcessing OrderLineStatus = "Processing"
	LineAcquired   OrderLineStatus = "Acquired"
	LineFailed     OrderLineStatus = "Failed"
)

// PhoneNumberOrder is an order of numbers (§3.6, D23). Outcome and each line's Acquired are decided when the
// order is placed; Status and the lines' Status show them from ReadyAt on (server time) and Processing before.
type PhoneNumberOrder struct {
	ID           string
	AwsAccountID string
	ProductType  ProductType
	Outcome      OrderStatus // Successful, Partial or Failed
	Lines        []OrderLine // in request order
	CreatedAt    time.Time
	ReadyAt      time.Time // CreatedAt + the order delay

	// Set by settle.
	Status    OrderStatus
	UpdatedAt time.Time
}

// OrderLine is one number of an order.
type OrderLine struct {
	E164     string
	Acquired bool
	Status   OrderLineStatus // set by settle
}

// settle sets the order's visible state at now (server time).
func (o *PhoneNumberOrder) settle(now time.Time) {
	ready := !now.Before(o.ReadyAt)
	o.Status, o.UpdatedAt = OrderProcessing, o.CreatedAt
	if ready {
		o.Status, o.UpdatedAt = o.Outcome, o.ReadyAt
	}
	for i := range o.Lines {
		switch {
		case !ready:
			o.Lines[i].Status = LineProcessing
		case o.Lines[i].Acquired:
			o.Lines[i].Status = LineAcquired
		default:
			o.Lines[i].Status = LineFailed
		}
	}
}

// PhoneNumberFilter selects numbers of one AWS account, ascending by E164 after After, as they are at server
// time Now (pending transitions due by then applied; purged numbers never match).
type PhoneNumberFilter struct {
	Status      NumberStatus // "" = any
	ProductType ProductType  // "" = any
	AccountID   string       // associated with a user of this Chime account; "" = any
	UserID      string       // associated with this user; "" = any
	After       string       // E164 of the last number of the previous page; "" = from the start
	Limit       int
	Now         time.Time
}

// OrderFilter selects orders of one AWS account in (CreatedAt, ID) order after the given key.
type OrderFilter struct {
	AfterCreated time.Time // zero: from the start
	AfterID      string
	Limit        int
}
