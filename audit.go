package chime

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"sync/atomic"
	"time"
)

// The audit trail (docs/behavior.md §9.9). The HTTP layer puts an *AuditEntry into the context of every mutating
// request it authenticated (WithAudit). The Service's store is wrapped (auditStore) so that the first Write of
// such a request that succeeds also inserts the entry, in the same transaction: no change without its record,
// and no record of a change that rolled back. A request that failed, or succeeded without writing, is recorded
// afterwards by the HTTP layer with its outcome (RecordAudit). Reads carry no entry and pay nothing.

// DefaultAuditRetention is how long audit records are kept (--audit-retention): 90 days, as CloudTrail's event
// history.
const DefaultAuditRetention = 90 * 24 * time.Hour

// auditPruneInterval is the least time between two prunes of expired records by one process; auditPruneBatch
// bounds the rows one prune deletes (the next one continues).
const (
	auditPruneInterval = time.Minute
	auditPruneBatch    = 1000
)

// AuditResource is one id an audited request touched: its type (e.g. "AWS::Chime::Account") and the id.
type AuditResource struct {
	Type string `json:"ResourceType"`
	Name string `json:"ResourceName"`
}

// AuditEvent is one record of the audit trail.
type AuditEvent struct {
	Seq          int64 // set by InsertAuditEvent
	ID           string
	Time         time.Time // the server clock
	AwsAccountID string
	AccessKeyID  string
	RequestID    string // the x-amzn-RequestId answered
	Operation    string // the model's operation name, or chimed's (e.g. "chimed:Reset")
	Region       string // the region the request was signed for
	SourceIP     string
	UserAgent    string
	Params       string // JSON object of the request parameters, secrets replaced (never "")
	Response     string // JSON object of response elements, or "null"
	Resources    []AuditResource
	Status       int    // the HTTP status answered; 0 while the change is being committed (success assumed)
	ErrorCode    string // the exception name on failures
	ErrorMessage string
}

// AuditFilter selects the audit events of one AWS account for LookupAuditEvents: at most one of the attribute
// fields is set; the time range is inclusive; results are newest first, after the keyset position (BeforeMS,
// BeforeSeq) when BeforeSeq > 0.
type AuditFilter struct {
	EventName, ResourceName, AccessKeyID, EventID string
	Start, End                                    time.Time // zero: unbounded
	BeforeMS, BeforeSeq                           int64
	Limit                                         int
}

// AuditTx holds the Tx methods of the audit trail (sqlstore/audit.go).
type AuditTx interface {
	// InsertAuditEvent stores e with its resources and sets e.Seq.
	InsertAuditEvent(ctx context.Context, e *AuditEvent) error
	// UpdateAuditResponse sets the response elements of the event id and adds resources to it.
	UpdateAuditResponse(ctx context.Context, aws, id, response string, add []AuditResource) error
	// ListAuditEvents returns up to f.Limit events of aws matching f, newest first ((time, seq) descending).
	ListAuditEvents(ctx context.Context, aws string, f AuditFilter) ([]*AuditEvent, error)
	// PruneAuditEvents deletes up to limit events (of any AWS account) older than before; it returns how many.
	PruneAuditEvents(ctx context.Context, before time.Time, limit int) (int, error)
}

// AuditEntry is the audit record of one request in flight (WithAudit).
type AuditEntry struct {
	Event    AuditEvent
	recorded bool // the event is stored (set after the commit that stored it)
}

// Recorded reports whether the entry was stored in the transaction of a change.
func (e *AuditEntry) Recorded() bool { return e.recorded }

type auditKey struct{}

// WithAudit returns ctx carrying e: the first successful Write under it records e.
func WithAudit(ctx context.Context, e *AuditEntry) context.Context {
	return context.WithValue(ctx, auditKey{}, e)
}

// detached returns ctx without its cancellation and its AuditEntry: the audit's own writes.
func detached(ctx context.Context) context.Context {
	return WithAudit(context.WithoutCancel(ctx), nil)
}

func auditFrom(ctx context.Context) *AuditEntry {
	e, _ := ctx.Value(auditKey{}).(*AuditEntry)
	return e
}

// auditStore wraps the service's store: a Write under an unrecorded AuditEntry inserts the entry's event in its
// own transaction after fn succeeded (fn may run again: the insert runs again with it, in the new attempt).
type auditStore struct {
	Store
	s *Service
}

func (a *auditStore) Write(ctx context.Context, fn func(Tx) error) error {
	e := auditFrom(ctx)
	if e == nil || e.recorded {
		return a.Store.Write(ctx, fn)
	}
	ev := e.Event
	ev.Time = a.s.clock()
	err := a.Store.Write(ctx, func(tx Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		ev.Seq = 0
		if a.s.auditHook != nil {
			if err := a.s.auditHook(tx); err != nil {
				return err
			}
		}
		return tx.InsertAuditEvent(ctx, &ev)
	})
	if err == nil {
		e.Event.Time, e.Event.Seq, e.recorded = ev.Time, ev.Seq, true
		a.s.pruneAudit(ctx)
	}
	return err
}

// RecordAudit stores e's event on its own, with the outcome answered (status, and the exception and message of
// a failure), unless a change already recorded it (then only a failure status is noted there, which cannot
// happen for a committed change, so nothing is done).
func (s *Service) RecordAudit(ctx context.Context, e *AuditEntry, status int, errCode, errMsg string) error {
	if e == nil || e.recorded {
		return nil
	}
	ev := e.Event
	ev.Time, ev.Status, ev.ErrorCode, ev.ErrorMessage = s.clock(), status, errCode, errMsg
	err := s.store.Write(detached(ctx), func(tx Tx) error {
		ev.Seq = 0
		return tx.InsertAuditEvent(ctx, &ev)
	})
	if err == nil {
		e.Event, e.recorded = ev, true
		s.pruneAudit(ctx)
	}
	return err
}

// SetAuditResponse adds the response elements and the ids a response named to a recorded event (best effort,
// after the response: a failure leaves the record without them).
func (s *Service) SetAuditResponse(ctx context.Context, e *AuditEntry, response string, add []AuditResource) error {
	if e == nil || !e.recorded {
		return nil
	}
	return s.store.Write(detached(ctx), func(tx Tx) error {
		return tx.UpdateAuditResponse(ctx, e.Event.AwsAccountID, e.Event.ID, response, add)
	})
}

// pruneAudit deletes a bounded batch of expired records, at most once per auditPruneInterval per process.
func (s *Service) pruneAudit(ctx context.Context) {
	if s.auditRetention <= 0 {
		return
	}
	now := s.now().UnixNano()
	last := s.auditPruned.Load()
	if now-last < int64(auditPruneInterval) || !s.auditPruned.CompareAndSwap(last, now) {
		return
	}
	_ = s.PruneAudit(detached(ctx))
}

// PruneAudit deletes up to a batch of records older than the retention (by the server clock).
func (s *Service) PruneAudit(ctx context.Context) error {
	if s.auditRetention <= 0 {
		return nil
	}
	before := s.clock().Add(-s.auditRetention)
	return s.store.Write(ctx, func(tx Tx) error {
		_, err := tx.PruneAuditEvents(ctx, before, auditPruneBatch)
		return err
	})
}

// AuditLookup is the input of LookupAuditEvents (CloudTrail LookupEvents).
type AuditLookup struct {
	AttributeKey, AttributeValue string // "" for none
	Start, End                   time.Time
	MaxResults                   int // 0: 50
	NextToken                    *string
}

// Lookup attribute errors.
const (
	// ELOOKUPATTR is the code of an unsupported lookup attribute (InvalidLookupAttributesException).
	ELOOKUPATTR = "InvalidLookupAttributes"
)

// LookupAuditEvents answers CloudTrail's LookupEvents for the caller's AWS account: newest first, MaxResults
// per page (1–50, default 50), NextToken bound to the caller and the filters.
func (s *Service) LookupAuditEvents(ctx context.Context, id Identity, in AuditLookup) ([]*AuditEvent, string, error) {
	f := AuditFilter{Start: in.Start, End: in.End}
	switch in.AttributeKey {
	case "":
	case "EventName":
		f.EventName = in.AttributeValue
	case "ResourceName":
		f.ResourceName = in.AttributeValue
	case "Username", "AccessKeyId":
		f.AccessKeyID = in.AttributeValue
	case "EventId":
		f.EventID = in.AttributeValue
	default:
		return nil, "", Errorf(ELOOKUPATTR, "LookupAttributes AttributeKey %q is not supported", in.AttributeKey)
	}
	if in.AttributeKey != "" && in.AttributeValue == "" {
		return nil, "", Errorf(ELOOKUPATTR, "LookupAttributes AttributeValue must not be empty")
	}
	limit := in.MaxResults
	if limit == 0 {
		limit = 50
	}
	if limit < 1 || limit > 50 {
		return nil, "", Invalid("MaxResults must be between 1 and 50")
	}
	if !in.Start.IsZero() && !in.End.IsZero() && in.End.Before(in.Start) {
		return nil, "", Invalid("Start time must not be after end time")
	}
	scope := pageScope("LookupEvents", id.AwsAccountID, in.AttributeKey, in.AttributeValue,
		itoa64(in.Start.UnixMilli()), itoa64(in.End.UnixMilli()))
	if in.NextToken != nil && *in.NextToken != "" {
		if len(*in.NextToken) > maxTokenLen {
			return nil, "", InvalidField(FieldNextToken, "is not valid for this request")
		}
		key, err := s.tokens.ParseKey(scope, *in.NextToken)
		if err != nil {
			return nil, "", err
		}
		if len(key) != 16 {
			return nil, "", InvalidField(FieldNextToken, "is not valid for this request")
		}
		f.BeforeMS, f.BeforeSeq = int64(binary.BigEndian.Uint64(key)), int64(binary.BigEndian.Uint64(key[8:]))
	}
	f.Limit = limit + 1
	var list []*AuditEvent
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		list, err = tx.ListAuditEvents(ctx, id.AwsAccountID, f)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if len(list) <= limit {
		return list, "", nil
	}
	list = list[:limit]
	last := list[limit-1]
	key := binary.BigEndian.AppendUint64(nil, uint64(last.Time.UnixMilli()))
	key = binary.BigEndian.AppendUint64(key, uint64(last.Seq))
	return list, s.tokens.IssueKey(scope, key), nil
}

func itoa64(n int64) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// auditState is the Service's audit configuration and prune clock.
type auditState struct {
	auditRetention time.Duration
	auditPruned    atomic.Int64   // UnixNano of the last prune started by this process
	auditHook      func(Tx) error // tests: runs in the change's transaction before the record is inserted
}

// SetAuditHook makes every recorded change run h in its transaction just before its audit record is inserted
// (tests: an error of h must roll back the change and the record together).
func (s *Service) SetAuditHook(h func(Tx) error) { s.auditHook = h }

// CreateAudited creates a key as Create does, and records it in aws's audit trail in the same transaction of
// store (docs/behavior.md §9.9): no key without its record. Errors: as Create; the store's.
func (c *Credentials) CreateAudited(ctx context.Context, store Store, aws string, readOnly bool) (id, secret string, err error) {
	if err := ValidateAwsAccountID(aws); err != nil {
		return "", "", err
	}
	cred, secret, err := c.mint(aws, readOnly)
	if err != nil {
		return "", "", err
	}
	id = cred.AccessKeyID
	err = store.Write(ctx, func(tx Tx) error {
		if err := tx.AddCredential(ctx, cred); err != nil {
			return err
		}
		return insertAdminAudit(ctx, tx, "chimed:CreateCredentials", aws,
			map[string]any{"awsAccountId": aws, "readOnly": readOnly, "accessKeyId": id},
			[]AuditResource{{Type: "AWS::IAM::AccessKey", Name: id}})
	})
	if err != nil {
		return "", "", err
	}
	return id, secret, nil
}

// RevokeAudited revokes a key as Revoke does, and records it in its AWS account's audit trail in the same
// transaction of store. Errors: ENOTFOUND when the key is unknown or already revoked; the store's.
func (c *Credentials) RevokeAudited(ctx context.Context, store Store, id string) error {
	cred, err := c.store.Credential(ctx, id)
	if err != nil {
		return err
	}
	at := c.now().UTC().Truncate(time.Millisecond)
	return store.Write(ctx, func(tx Tx) error {
		if err := tx.RevokeCredentialAt(ctx, id, at); err != nil {
			return err
		}
		return insertAdminAudit(ctx, tx, "chimed:RevokeCredentials", cred.AwsAccountID,
			map[string]any{"accessKeyId": id}, []AuditResource{{Type: "AWS::IAM::AccessKey", Name: id}})
	})
}

// insertAdminAudit inserts the record of a command-line action in tx, at the server clock.
func insertAdminAudit(ctx context.Context, tx Tx, op, aws string, params map[string]any, resources []AuditResource) error {
	b, err := json.Marshal(params)
	if err != nil {
		return err
	}
	off, err := tx.ClockOffset(ctx)
	if err != nil {
		return err
	}
	ev := AuditEvent{ID: newID(), AwsAccountID: aws, Operation: op, SourceIP: "localhost", UserAgent: "chimed-cli",
		Params: string(b), Response: "null", Resources: resources, Status: 200,
		Time: time.Now().Add(off).UTC().Truncate(time.Millisecond)}
	return tx.InsertAuditEvent(ctx, &ev)
}
