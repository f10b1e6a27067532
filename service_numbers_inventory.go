package chime

import (
	"context"
	"strconv"
	"time"
)

// The phone number inventory: reads, updates, the deletion queue (docs/behavior.md §4.28–§4.30; D20, D25–D27, D46).

// MaxNumberBatch bounds the items of BatchUpdatePhoneNumber and BatchDeletePhoneNumber (D46).
const MaxNumberBatch = 50

// NumberError is the failure of one item of a phone number batch (§5.5): the ID as sent, a domain error code.
type NumberError struct {
	NumberID string
	Code     string
	Message  string
}

// number reads the number a PhoneNumberId names in aws's inventory, settled at now. ENOTFOUND when the ID names
// no number of it (D20).
func number(ctx context.Context, tx Tx, aws, id string, now time.Time) (*PhoneNumber, error) {
	e164, ok := ParseNumberID(id)
	if !ok {
		return nil, NotFound()
	}
	n, err := tx.PhoneNumber(ctx, aws, e164, now)
	if err != nil {
		return nil, err
	}
	n.settle(now)
	return n, nil
}

// GetPhoneNumber returns a number of the caller's inventory as it is now, the deletion queue included (§4.28).
// Errors: ENOTFOUND when the ID names no number of the inventory (unknown, foreign or purged).
func (s *Service) GetPhoneNumber(ctx context.Context, aws, id string) (*PhoneNumber, error) {
	now := s.clock()
	var n *PhoneNumber
	err := s.store.Read(ctx, func(tx Tx) (err error) {
		n, err = number(ctx, tx, aws, id, now)
		return err
	})
	return n, err
}

// ListNumbersInput are the filters and paging of ListPhoneNumbers (§4.28); nil members were not given.
type ListNumbersInput struct {
	Status      *string
	ProductType *string
	FilterName  *string // AccountId, UserId, VoiceConnectorId, VoiceConnectorGroupId or SipRuleId
	FilterValue *string
	MaxResults  int // 0: the default page (99)
	NextToken   *string
}

// ListPhoneNumbers returns a page of the caller's numbers as they are now, ascending by number, and the token of
// the next page ("" on the last) (§4.28). Filters combine with AND; FilterName and FilterValue come together;
// the voice connector and SIP rule filters match nothing (no such resources exist here).
// Errors: EINVALID for a filter without its value (or the reverse) or a token not issued for this listing.
func (s *Service) ListPhoneNumbers(ctx context.Context, aws string, in ListNumbersInput) ([]*PhoneNumber, string, error) {
	if (in.FilterName == nil) != (in.FilterValue == nil) {
		return nil, "", Invalid("FilterName and FilterValue must be given together")
	}
	limit := in.MaxResults
	if limit <= 0 {
		limit = DefaultNumberPage
	}
	opt := func(p *string) string {
		if p == nil {
			return "\x01"
		}
		return *p
	}
	scope := pageScope("ListPhoneNumbers", aws, opt(in.Status), opt(in.ProductType), opt(in.FilterName),
		opt(in.FilterValue))
	after, err := s.pageStart(scope, in.NextToken)
	if err != nil {
		return nil, "", err
	}
	now := s.clock()
	f := PhoneNumberFilter{Limit: limit + 1, Now: now}
	if after > 0 {
		f.After = "+" + strconv.FormatInt(after, 10)
	}
	if in.Status != nil {
		f.Status = NumberStatus(*in.Status)
	}
	if in.ProductType != nil {
		f.ProductType = ProductType(*in.ProductType)
	}
	if in.FilterName != nil {
		switch *in.FilterName {
		case "AccountId":
			f.AccountID = *in.FilterValue
		case "UserId":
			f.UserID = *in.FilterValue
		default:
			return []*PhoneNumber{}, "", nil // no voice connectors, groups or SIP rules exist
		}
		if *in.FilterValue == "" {
			return []*PhoneNumber{}, "", nil
		}
	}
	var list []*PhoneNumber
	err = s.store.Read(ctx, func(tx Tx) (err error) {
		list, err = tx.ListPhoneNumbers(ctx, aws, f)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	list, token := page(s.tokens, scope, list, limit+1, func(n *PhoneNumber) int64 {
		v, _ := strconv.ParseInt(n.E164[1:], 10, 64)
		return v
	})
	for _, n := range list {
		n.settle(now)
	}
	if list == nil {
		list = []*PhoneNumber{}
	}
	return list, token, nil
}

// NumberUpdate is one change of UpdatePhoneNumber: exactly one of its members is set (D27).
type NumberUpdate struct {
	ProductType *string
	CallingName *string // "" clears
}

// UpdatePhoneNumber changes a number's product type or calling name and returns it (§4.29, D27).
// Errors: EINVALID when not exactly one change is given, the number is being acquired or is in the deletion
// queue, or a product rule refuses the product type; ENOTFOUND for an unknown ID; EASSOCIATED when an
// assigned number would leave BusinessCalling; ECONFLICT for a calling name while one is being applied.
func (s *Service) UpdatePhoneNumber(ctx context.Context, aws, id string, u NumberUpdate) (*PhoneNumber, error) {
	if err := u.check(); err != nil {
		return nil, err
	}
	now := s.clock()
	var n *PhoneNumber
	err := s.store.Write(ctx, func(tx Tx) (err error) {
		if n, err = number(ctx, tx, aws, id, now); err != nil {
			return err
		}
		return s.applyUpdate(ctx, tx, n, u, now)
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// BatchUpdateItem is one item of BatchUpdatePhoneNumber.
type BatchUpdateItem struct {
	NumberID string
	NumberUpdate
}

// BatchUpdatePhoneNumber applies up to 50 updates in order, each as UpdatePhoneNumber would, and reports the
// items that failed (§4.29, §5.5, D46); a repeated ID applies only its first item.
// Errors (whole request): EINVALID for no items or more than 50.
func (s *Service) BatchUpdatePhoneNumber(ctx context.Context, aws string, items []BatchUpdateItem) ([]NumberError, error) {
	if len(items) == 0 || len(items) > MaxNumberBatch {
		return nil, InvalidField(FieldNumberItems, "must hold 1 to %d items", MaxNumberBatch)
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.NumberID
	}
	return s.numberBatch(ctx, aws, ids, func(tx Tx, i int, now time.Time) error {
		if err := items[i].check(); err != nil {
			return err
		}
		n, err := number(ctx, tx, aws, items[i].NumberID, now)
		if err != nil {
			return err
		}
		return s.applyUpdate(ctx, tx, n, items[i].NumberUpdate, now)
	})
}

// numberBatch runs apply for each item of a phone number batch in order, in one write transaction at one server
// time, and reports the items whose rule refused them (§5.5); a repeated ID is handled once (D46). A failure of
// the store ends the whole batch.
func (s *Service) numberBatch(ctx context.Context, aws string, ids []string, apply func(tx Tx, i int, now time.Time) error) ([]NumberError, error) {
	now := s.clock()
	var errs []NumberError
	err := s.store.Write(ctx, func(tx Tx) error {
		errs = errs[:0]
		seen := map[string]bool{}
		for i, id := range ids {
			key := batchKey(id)
			if seen[key] {
				continue
			}
			seen[key] = true
			err := apply(tx, i, now)
			if ne, ok := itemError(id, err); ok {
				errs = append(errs, ne)
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	if errs == nil {
		errs = []NumberError{}
	}
	return errs, err
}

// batchKey is what makes two IDs of a batch the same (D46): the number they name, or the ID itself when it names
// none, so that a repeated unknown ID is reported once too.
func batchKey(id string) string {
	if e164, ok := ParseNumberID(id); ok {
		return e164
	}
	return "\x00" + id
}

// itemError turns a rule's refusal into a batch item error; ok is false for a failure of the store.
func itemError(id string, err error) (NumberError, bool) {
	switch code := ErrorCode(err); code {
	case EINVALID, ENOTFOUND, ECONFLICT, EASSOCIATED:
		return NumberError{NumberID: id, Code: code, Message: ErrorMessage(err)}, true
	}
	return NumberError{}, false
}

func (u NumberUpdate) check() error {
	if (u.ProductType == nil) == (u.CallingName == nil) {
		return Invalid("give exactly one of ProductType and CallingName")
	}
	if u.ProductType != nil {
		if _, ok := numberCountries[ProductType(*u.ProductType)]; !ok {
			return InvalidField(FieldProductType, "must be one of BusinessCalling, VoiceConnector, SipMediaApplicationDialIn")
		}
	}
	return nil
}

// applyUpdate applies u to n (settled at now) and stores it.
func (s *Service) applyUpdate(ctx context.Context, tx Tx, n *PhoneNumber, u NumberUpdate, now time.Time) error {
	switch n.Status {
	case NumberAcquireInProgress:
		return Invalid("the number is still being acquired")
	case NumberDeleteInProgress:
		return Invalid("the number is in the deletion queue; restore it first")
	}
	if u.ProductType != nil {
		pt := ProductType(*u.ProductType)
		switch {
		case pt == n.ProductType:
			return nil
		case pt == ProductBusinessCalling && n.Type == NumberTollFree:
			return InvalidField(FieldProductType, "toll-free numbers cannot be BusinessCalling")
		case pt != ProductSipMediaApplicationDialIn && n.Country != "US":
			return InvalidField(FieldProductType, "numbers outside the US can only be SipMediaApplicationDialIn")
		case n.ProductType == ProductBusinessCalling && n.Status == NumberAssigned:
			return Errorf(EASSOCIATED, "The number is associated with a user; disassociate it first")
		}
		n.ProductType, n.UpdatedAt = pt, now
		return tx.UpdatePhoneNumber(ctx, n)
	}
	if n.CallingNameStatus == CallingNameUpdateInProgress {
		return Errorf(ECONFLICT, "A calling name update of this number is still in progress")
	}
	next := CallingNameUpdateSucceeded
	if *u.CallingName == "" {
		n.CallingName, next = nil, CallingNameUnassigned
	} else {
		name := *u.CallingName
		n.CallingName = &name
	}
	n.CallingNameStatus, n.NextCallingNameStatus = CallingNameUpdateInProgress, next
	n.CallingNameAt, n.UpdatedAt = now.Add(s.numbers.callingNameDelay), now
	// The answer shows the state before the transition it schedules (D19), UpdateInProgress even when the
	// calling-name delay is 0 and every later request sees UpdateSucceeded.
	return tx.UpdatePhoneNumber(ctx, n)
}

// DeletePhoneNumber moves an unassigned number to the deletion queue (§4.30, D25, D26); a queued number is left
// as it is. Errors: ENOTFOUND; EASSOCIATED when it is assigned to a user; EINVALID while it is being acquired.
func (s *Service) DeletePhoneNumber(ctx context.Context, aws, id string) error {
	now := s.clock()
	return s.store.Write(ctx, func(tx Tx) error {
		n, err := number(ctx, tx, aws, id, now)
		if err != nil {
			return err
		}
		return s.queueForDeletion(ctx, tx, n, now)
	})
}

func (s *Service) queueForDeletion(ctx context.Context, tx Tx, n *PhoneNumber, now time.Time) error {
	switch n.Status {
	case NumberDeleteInProgress:
		return nil
	case NumberAssigned:
		return Errorf(EASSOCIATED, "The number is associated with a user; disassociate it first")
	case NumberAcquireInProgress:
		return Invalid("the number is still being acquired")
	}
	n.Status, n.DeletedAt, n.UpdatedAt = NumberDeleteInProgress, now, now
	n.PurgeAt = now.Add(s.numbers.deletionQueue)
	return tx.UpdatePhoneNumber(ctx, n)
}

// BatchDeletePhoneNumber queues up to 50 numbers for deletion, each as DeletePhoneNumber would, and reports the
// items that failed (§4.30, §5.5, D46); a repeated ID is handled once.
// Errors (whole request): EINVALID for no IDs or more than 50.
func (s *Service) BatchDeletePhoneNumber(ctx context.Context, aws string, ids []string) ([]NumberError, error) {
	if len(ids) == 0 || len(ids) > MaxNumberBatch {
		return nil, InvalidField(FieldNumberIDs, "must hold 1 to %d IDs", MaxNumberBatch)
	}
	return s.numberBatch(ctx, aws, ids, func(tx Tx, i int, now time.Time) error {
		n, err := number(ctx, tx, aws, ids[i], now)
		if err != nil {
			return err
		}
		return s.queueForDeletion(ctx, tx, n, now)
	})
}

// RestorePhoneNumber takes a number out of the deletion queue, Unassigned with no associations (§4.30, D24,
// D25). Errors: ENOTFOUND (unknown or purged); EINVALID when it is not queued; ELIMIT when the inventory is
// full.
func (s *Service) RestorePhoneNumber(ctx context.Context, aws, id string) (*PhoneNumber, error) {
	now := s.clock()
	var n *PhoneNumber
	err := s.store.Write(ctx, func(tx Tx) (err error) {
		if err := tx.LockNumbers(ctx, aws); err != nil {
			return err
		}
		if n, err = number(ctx, tx, aws, id, now); err != nil {
			return err
		}
		if n.Status != NumberDeleteInProgress {
			return Invalid("the number is not in the deletion queue")
		}
		count, err := tx.CountPhoneNumbers(ctx, aws, inventoryStatuses, now)
		if err != nil {
			return err
		}
		if count+1 > s.numbers.limit {
			return Errorf(ELIMIT, "The phone number inventory is at its limit of %d numbers", s.numbers.limit)
		}
		n.Status, n.DeletedAt, n.PurgeAt, n.UpdatedAt = NumberUnassigned, time.Time{}, time.Time{}, now
		n.AccountID, n.UserID, n.AssociatedAt = "", "", time.Time{}
		return tx.UpdatePhoneNumber(ctx, n)
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}
