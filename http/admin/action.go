package admin

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/google/uuid"

	chime "github.com/chimed/chimed"
)

// Audited actions: every change the console makes runs in a context carrying an audit entry (chime.WithAudit)
// whose event is the model's operation name, the signed-in key, the browser's user agent and address, and the
// request id. The service records a successful change in the change's own transaction; act records a refused
// action (or one that changed nothing) afterwards with its outcome, as the http layer does for API calls.

// act runs fn, the change of action q.op, with an audit entry in its ctx. params are the request parameters
// recorded (a JSON object of the API's member names; never a secret), resources the ids the action names.
// fn may add the ids it created to q.created (recorded with the event after success). It returns fn's error.
func (q *request) act(params map[string]any, resources []chime.AuditResource, fn func(ctx context.Context) error) error {
	e := q.auditEntry(params, resources)
	ctx := chime.WithAudit(q.r.Context(), e)
	err := fn(ctx)
	status, code := http.StatusOK, ""
	msg := ""
	if err != nil {
		status, code = statusOf(err)
		msg = chime.ErrorMessage(err)
	}
	if rerr := q.c.svc.RecordAudit(ctx, e, status, code, msg); rerr != nil {
		q.c.logger.ErrorContext(ctx, "console: audit record", "request_id", q.id, "operation", q.op, "error", rerr)
	}
	if err == nil && len(q.created) > 0 {
		if rerr := q.c.svc.SetAuditResponse(ctx, e, "null", q.created); rerr != nil {
			q.c.logger.WarnContext(ctx, "console: audit resources", "request_id", q.id, "operation", q.op, "error", rerr)
		}
	}
	return err
}

// auditEntry returns the audit entry of the action q.op.
func (q *request) auditEntry(params map[string]any, resources []chime.AuditResource) *chime.AuditEntry {
	p := "{}"
	if len(params) > 0 {
		if b, err := json.Marshal(params); err == nil {
			p = string(b)
		}
	}
	ua := q.r.UserAgent()
	if len(ua) > 1024 {
		ua = ua[:1024]
	}
	k := q.key()
	return &chime.AuditEntry{Event: chime.AuditEvent{ID: uuid.NewString(), AwsAccountID: k.AwsAccountID,
		AccessKeyID: k.ID, RequestID: q.id, Operation: q.op, Region: q.c.region, SourceIP: clientIP(q.r),
		UserAgent: ua, Params: p, Response: "null", Resources: resources}}
}

// refuseReadOnly answers a read-only key's action 403, recorded in the audit trail as a refused change (the
// API records a read-only key's refused mutation the same way).
func (q *request) refuseReadOnly() {
	const msg = "This access key is read-only: it cannot change anything. Nothing was changed."
	e := q.auditEntry(nil, nil)
	if err := q.c.svc.RecordAudit(q.r.Context(), e, http.StatusForbidden, "ForbiddenException",
		"AWS authorization failed"); err != nil {
		q.c.logger.ErrorContext(q.r.Context(), "console: audit record", "request_id", q.id, "operation", q.op, "error", err)
	}
	q.forbidden(msg)
}

// statusOf returns the HTTP status and the exception name the API answers for err.
func statusOf(err error) (int, string) {
	switch chime.ErrorCode(err) {
	case chime.EINVALID, chime.EASSOCIATED:
		return http.StatusBadRequest, "BadRequestException"
	case chime.EUNAUTHORIZED:
		return http.StatusUnauthorized, "UnauthorizedClientException"
	case chime.EFORBIDDEN:
		return http.StatusForbidden, "ForbiddenException"
	case chime.EACCESSDENIED:
		return http.StatusForbidden, "AccessDeniedException"
	case chime.ENOTFOUND:
		return http.StatusNotFound, "NotFoundException"
	case chime.ECONFLICT:
		return http.StatusConflict, "ConflictException"
	case chime.EUNPROCESSABLE:
		return http.StatusUnprocessableEntity, "UnprocessableEntityException"
	case chime.ETHROTTLED:
		return http.StatusTooManyRequests, "ThrottledClientException"
	case chime.ELIMIT:
		return http.StatusBadRequest, "ResourceLimitExceededException"
	case chime.EUNAVAILABLE:
		return http.StatusServiceUnavailable, "ServiceUnavailableException"
	}
	return http.StatusInternalServerError, "ServiceFailureException"
}

// resource is an audit resource of type typ ("Account", "User", …).
func resource(typ, id string) chime.AuditResource {
	return chime.AuditResource{Type: "AWS::Chime::" + typ, Name: id}
}
