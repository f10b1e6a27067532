package sqlstore

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	chime "github.com/chimed/chimed"
)

var _ chime.AuditTx = (*tx)(nil)

// The audit trail (migration 00015; docs/behavior.md §9.9): audit_events holds one row per record,
// audit_resources the ids each one touched (the ResourceName lookup). Not cached; reset keeps both tables.

const auditCols = `seq, event_id, aws_account_id, time_ms, access_key_id, request_id, event_name, region, source_ip,
	user_agent, params, response, resources, status, error_code, error_message`

// InsertAuditEvent implements chime.Tx.
func (t *tx) InsertAuditEvent(ctx context.Context, e *chime.AuditEvent) error {
	res, err := json.Marshal(e.Resources)
	if err != nil {
		return err
	}
	if e.Resources == nil {
		res = []byte("[]")
	}
	params, response := e.Params, e.Response
	if params == "" {
		params = "{}"
	}
	if response == "" {
		response = "null"
	}
	err = t.queryRow(ctx, `INSERT INTO audit_events (event_id, aws_account_id, time_ms, access_key_id, request_id,
		event_name, region, source_ip, user_agent, params, response, resources, status, error_code, error_message)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING seq`,
		e.ID, e.AwsAccountID, ms(e.Time), e.AccessKeyID, e.RequestID, e.Operation, e.Region, e.SourceIP, e.UserAgent,
		params, response, string(res), e.Status, e.ErrorCode, e.ErrorMessage).Scan(&e.Seq)
	if err != nil {
		return t.mapErr(err)
	}
	return t.insertAuditResources(ctx, e.Seq, e.AwsAccountID, ms(e.Time), e.Resources)
}

func (t *tx) insertAuditResources(ctx context.Context, seq int64, aws string, at int64, rs []chime.AuditResource) error {
	for _, r := range rs {
		if _, err := t.exec(ctx, `INSERT INTO audit_resources (event_seq, aws_account_id, resource_name, time_ms)
			VALUES ($1, $2, $3, $4) ON CONFLICT (event_seq, resource_name) DO NOTHING`, seq, aws, r.Name, at); err != nil {
			return t.mapErr(err)
		}
	}
	return nil
}

// UpdateAuditResponse implements chime.Tx.
func (t *tx) UpdateAuditResponse(ctx context.Context, aws, id, response string, add []chime.AuditResource) error {
	var seq, at int64
	var resources string
	if err := t.queryRow(ctx, `SELECT seq, time_ms, resources FROM audit_events WHERE aws_account_id = $1 AND event_id = $2`,
		aws, id).Scan(&seq, &at, &resources); err != nil {
		return t.mapErr(err)
	}
	var rs []chime.AuditResource
	if err := json.Unmarshal([]byte(resources), &rs); err != nil {
		return err
	}
	var fresh []chime.AuditResource
	for _, a := range add {
		dup := false
		for _, r := range rs {
			dup = dup || r.Name == a.Name
		}
		if !dup {
			rs, fresh = append(rs, a), append(fresh, a)
		}
	}
	b, err := json.Marshal(rs)
	if err != nil {
		return err
	}
	if rs == nil {
		b = []byte("[]")
	}
	if err := t.exec1(ctx, `UPDATE audit_events SET response = $1, resources = $2 WHERE seq = $3`,
		response, string(b), seq); err != nil {
		return err
	}
	return t.insertAuditResources(ctx, seq, aws, at, fresh)
}

// ListAuditEvents implements chime.Tx.
func (t *tx) ListAuditEvents(ctx context.Context, aws string, f chime.AuditFilter) ([]*chime.AuditEvent, error) {
	var q strings.Builder
	args := []any{aws}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	q.WriteString(`SELECT ` + auditCols + ` FROM audit_events WHERE aws_account_id = $1`)
	switch {
	case f.EventName != "":
		q.WriteString(` AND event_name = ` + arg(f.EventName))
	case f.AccessKeyID != "":
		q.WriteString(` AND access_key_id = ` + arg(f.AccessKeyID))
	case f.EventID != "":
		q.WriteString(` AND event_id = ` + arg(f.EventID))
	case f.ResourceName != "":
		q.WriteString(` AND seq IN (SELECT event_seq FROM audit_resources WHERE aws_account_id = $1 AND resource_name = ` +
			arg(f.ResourceName) + `)`)
	}
	if !f.Start.IsZero() {
		q.WriteString(` AND time_ms >= ` + arg(ms(f.Start)))
	}
	if !f.End.IsZero() {
		q.WriteString(` AND time_ms <= ` + arg(ms(f.End)))
	}
	if f.BeforeSeq > 0 {
		b := arg(f.BeforeMS)
		q.WriteString(` AND (time_ms < ` + b + ` OR (time_ms = ` + b + ` AND seq < ` + arg(f.BeforeSeq) + `))`)
	}
	q.WriteString(` ORDER BY time_ms DESC, seq DESC LIMIT ` + arg(f.Limit))
	rows, err := t.query(ctx, q.String(), args...)
	if err != nil {
		return nil, t.mapErr(err)
	}
	defer rows.Close()
	var list []*chime.AuditEvent
	for rows.Next() {
		var e chime.AuditEvent
		var at int64
		var resources string
		if err := rows.Scan(&e.Seq, &e.ID, &e.AwsAccountID, &at, &e.AccessKeyID, &e.RequestID, &e.Operation,
			&e.Region, &e.SourceIP, &e.UserAgent, &e.Params, &e.Response, &resources, &e.Status, &e.ErrorCode,
			&e.ErrorMessage); err != nil {
			return nil, t.mapErr(err)
		}
		e.Time = fromMS(at)
		if err := json.Unmarshal([]byte(resources), &e.Resources); err != nil {
			return nil, err
		}
		list = append(list, &e)
	}
	return list, t.mapErr(rows.Err())
}

// PruneAuditEvents implements chime.Tx: the oldest expired rows first, at most limit of them.
func (t *tx) PruneAuditEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	const oldest = `SELECT seq FROM audit_events WHERE time_ms < $1 ORDER BY time_ms, seq LIMIT $2`
	if _, err := t.exec(ctx, `DELETE FROM audit_resources WHERE event_seq IN (`+oldest+`)`, ms(before), limit); err != nil {
		return 0, t.mapErr(err)
	}
	res, err := t.exec(ctx, `DELETE FROM audit_events WHERE seq IN (`+oldest+`)`, ms(before), limit)
	if err != nil {
		return 0, t.mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), t.mapErr(err)
}
