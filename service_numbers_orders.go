package chime

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Phone number orders (docs/behavior.md §4.26, §4.27; D21, D23, D24).

// Defaults of the phone number options (§9.4).
const (
	DefaultDeletionQueue = 168 * time.Hour
	DefaultNumberLimit   = 1000
	MaxOrderNumbers      = 100 // numbers per order (D23)
	DefaultNumberPage    = 99  // ListPhoneNumbers and ListPhoneNumberOrders (§2.4)
)

// Fields of the number operations.
const (
	FieldE164Numbers Field = "phone numbers"      // the numbers of an order
	FieldE164Number  Field = "phone number"       // the number given to a user
	FieldNumberIDs   Field = "phone number ids"   // the numbers of a batch delete
	FieldNumberItems Field = "phone number items" // the items of a batch update
)

// numberOptions are the durations and limits of the number operations.
type numberOptions struct {
	orderDelay, callingNameDelay, deletionQueue time.Duration
	limit                                       int
}

func newNumberOptions(o ServiceOptions) numberOptions {
	n := numberOptions{orderDelay: max(o.OrderDelay, 0), callingNameDelay: max(o.CallingNameDelay, 0),
		deletionQueue: o.DeletionQueue, limit: o.NumberLimit}
	if n.deletionQueue <= 0 {
		n.deletionQueue = DefaultDeletionQueue
	}
	if n.limit <= 0 {
		n.limit = DefaultNumberLimit
	}
	return n
}

// inventoryStatuses are the states that count towards the inventory limit (D24).
var inventoryStatuses = []NumberStatus{NumberAcquireInProgress, NumberUnassigned, NumberAssigned}

// normalizeE164 returns e with a leading '+' (D20: inputs without one get it).
func normalizeE164(e string) string {
	if strings.HasPrefix(e, "+") {
		return e
	}
	return "+" + e
}

// isTollFreeUS reports whether e164 is a US toll-free number (+1 followed by a toll-free prefix).
func isTollFreeUS(e164 string) bool {
	return len(e164) >= 5 && strings.HasPrefix(e164, "+1") && tollFreePrefixRe.MatchString(e164[2:5])
}

// poolOf returns the country and type of the D21 pool e164 belongs to; ok is false when it belongs to none.
func poolOf(e164 string) (country string, typ NumberType, ok bool) {
	in := func(p numberPool) bool {
		rest, found := strings.CutPrefix(e164, p.prefix)
		if !found || len(rest) != p.width || !isE164Digits("1"+rest) {
			return false
		}
		n := p.seqOf(e164)
		return n >= p.lo && n <= p.hi
	}
	if strings.HasPrefix(e164, "+1") && len(e164) == 12 {
		npa := e164[2:5]
		p := numberPool{"+1" + npa + "555", 4, 100, 9999}
		switch {
		case !in(p):
			return "", "", false
		case tollFreePrefixRe.MatchString(npa):
			return "US", NumberTollFree, true
		case areaCodeRe.MatchString(npa) && npa[1:] != "11":
			return "US", NumberLocal, true
		}
		return "", "", false
	}
	for c, pools := range foreignPools {
		for t, p := range pools {
			if in(p) {
				return c, t, true
			}
		}
	}
	return "", "", false
}

// validOrder applies the whole-request rules of an order (§4.26, D23) and returns the normalized numbers.
func validOrder(pt *string, numbers []string) (ProductType, []string, error) {
	if pt == nil {
		return "", nil, InvalidField(FieldProductType, "is required")
	}
	product := ProductType(*pt)
	if _, ok := numberCountries[product]; !ok {
		return "", nil, InvalidField(FieldProductType, "must be one of BusinessCalling, VoiceConnector, SipMediaApplicationDialIn")
	}
	if len(numbers) == 0 {
		return "", nil, InvalidField(FieldE164Numbers, "must list at least one number")
	}
	if len(numbers) > MaxOrderNumbers {
		return "", nil, InvalidField(FieldE164Numbers, "must list at most %d numbers", MaxOrderNumbers)
	}
	out := make([]string, len(numbers))
	seen := make(map[string]bool, len(numbers))
	for i, e := range numbers {
		e = normalizeE164(e)
		if !isE164Digits(e[1:]) {
			return "", nil, InvalidField(FieldE164Numbers, "must hold E.164 numbers such as +12065550100")
		}
		if seen[e] {
			return "", nil, InvalidField(FieldE164Numbers, "lists %s twice", e)
		}
		seen[e] = true
		if product == ProductBusinessCalling && isTollFreeUS(e) {
			return "", nil, InvalidField(FieldE164Numbers, "toll-free numbers cannot be ordered for BusinessCalling")
		}
		if product != ProductSipMediaApplicationDialIn && !strings.HasPrefix(e, "+1") {
			return "", nil, InvalidField(FieldE164Numbers, "numbers outside the US can only be ordered for SipMediaApplicationDialIn")
		}
		out[i] = e
	}
	return product, out, nil
}

// CreatePhoneNumberOrder orders numbers for the AWS account aws (§4.26, D23, D24). Each number is acquired when
// it belongs to a pool (D21) and was never acquired by anyone; the others fail. Acquired numbers enter the
// inventory at once as AcquireInProgress and become Unassigned when the order completes, at its creation plus
// the order delay. The order returned shows Processing, as every order does when it is placed.
// Errors: EINVALID for the whole-request rules (FieldProductType, FieldE164Numbers); ELIMIT when the inventory
// plus the numbers asked for would exceed the limit.
func (s *Service) CreatePhoneNumberOrder(ctx context.Context, aws string, pt *string, numbers []string) (*PhoneNumberOrder, error) {
	product, list, err := validOrder(pt, numbers)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	var o *PhoneNumberOrder
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.LockNumbers(ctx, aws); err != nil {
			return err
		}
		if err := tx.PurgePhoneNumbers(ctx, aws, now); err != nil {
			return err
		}
		n, err := tx.CountPhoneNumbers(ctx, aws, inventoryStatuses, now)
		if err != nil {
			return err
		}
		if n+len(list) > s.numbers.limit {
			return Errorf(ELIMIT, "The phone number inventory holds %d numbers; %d more would exceed its limit of %d",
				n, len(list), s.numbers.limit)
		}
		o = &PhoneNumberOrder{ID: newID(), AwsAccountID: aws, ProductType: product, CreatedAt: now,
			ReadyAt: now.Add(s.numbers.orderDelay), Lines: make([]OrderLine, len(list))}
		acquired := 0
		// Numbers are acquired in ascending order, whatever the request's order, so that two transactions
		// acquiring overlapping numbers take their row locks in the same order and never deadlock.
		order := make([]int, len(list))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int { return strings.Compare(list[a], list[b]) })
		for _, i := range order {
			e := list[i]
			o.Lines[i].E164 = e
			country, typ, ok := poolOf(e)
			if !ok {
				continue
			}
			if ok, err = tx.AcquireNumber(ctx, aws, e, now); err != nil {
				return err
			} else if !ok {
				continue
			}
			o.Lines[i].Acquired = true
			acquired++
			if err := tx.InsertPhoneNumber(ctx, &PhoneNumber{AwsAccountID: aws, E164: e, Country: country, Type: typ,
				ProductType: product, Status: NumberAcquireInProgress, NextStatus: NumberUnassigned,
				StatusAt: o.ReadyAt, CallingNameStatus: CallingNameUnassigned, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		switch acquired {
		case len(list):
			o.Outcome = OrderSuccessful
		case 0:
			o.Outcome = OrderFailed
		default:
			o.Outcome = OrderPartial
		}
		return tx.InsertOrder(ctx, o)
	})
	if err != nil {
		return nil, err
	}
	o.settle(o.CreatedAt.Add(-time.Millisecond)) // as placed: Processing
	return o, nil
}

// GetPhoneNumberOrder returns the order id of the AWS account aws as it is now (§4.27). Errors: ENOTFOUND when it
// is unknown or another AWS account's.
func (s *Service) GetPhoneNumberOrder(ctx context.Context, aws, id string) (*PhoneNumberOrder, error) {
	now := s.clock()
	var o *PhoneNumberOrder
	err := s.store.Read(ctx, func(tx Tx) (err error) {
		o, err = tx.Order(ctx, aws, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	o.settle(now)
	return o, nil
}

// ListPhoneNumberOrders returns a page of the AWS account's orders in creation order, as they are now, and the
// token of the next page ("" on the last) (§4.27, §2.4). maxResults 0 is the default page (99). Errors: EINVALID
// (FieldNextToken) for a token not issued for this listing.
func (s *Service) ListPhoneNumberOrders(ctx context.Context, aws string, maxResults int, token *string) ([]*PhoneNumberOrder, string, error) {
	limit := maxResults
	if limit <= 0 {
		limit = DefaultNumberPage
	}
	scope := pageScope("ListPhoneNumberOrders", aws)
	f := OrderFilter{Limit: limit + 1}
	var err error
	if f.AfterCreated, f.AfterID, err = s.parseTimeKey(scope, token); err != nil {
		return nil, "", err
	}
	now := s.clock()
	var list []*PhoneNumberOrder
	err = s.store.Read(ctx, func(tx Tx) (err error) {
		list, err = tx.ListOrders(ctx, aws, f)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	list, next := timePage(s, scope, list, limit, func(o *PhoneNumberOrder) (time.Time, string) {
		return o.CreatedAt, o.ID
	})
	for _, o := range list {
		o.settle(now)
	}
	return list, next, nil
}
