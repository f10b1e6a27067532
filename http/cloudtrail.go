package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sigv4"
)

// CloudTrail's LookupEvents on chimed's listener (docs/behavior.md §9.9): the JSON 1.1 protocol (POST / with
// X-Amz-Target), SigV4 with the signing name "cloudtrail", scoped to the caller's AWS account, answering the
// audit trail's records as CloudTrail events.

// lookupEventsTarget is the X-Amz-Target of LookupEvents.
const lookupEventsTarget = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"

// lookupEventsTargetShort is the X-Amz-Target the SDKs send (the model's targetPrefix).
const lookupEventsTargetShort = "CloudTrail_20131101.LookupEvents"

// cloudTrailService is the signing name of CloudTrail requests.
const cloudTrailService = "cloudtrail"

// eventSource is the eventSource of chimed's records.
const eventSource = "chime.amazonaws.com"

type lookupEventsInput struct {
	LookupAttributes []struct {
		AttributeKey   string
		AttributeValue string
	}
	StartTime     *epoch
	EndTime       *epoch
	EventCategory *string
	MaxResults    *int
	NextToken     *string
}

// epoch is a JSON 1.1 timestamp: epoch seconds as a number (the SDKs' form), or an RFC 3339 string.
type epoch struct{ time.Time }

func (e *epoch) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			e.Time = fromEpoch(f)
			return nil
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		e.Time = t
		return err
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return errors.New("not a timestamp")
	}
	e.Time = fromEpoch(f)
	return nil
}

func fromEpoch(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC()
}

type ctResource struct {
	ResourceType string
	ResourceName string
}

type ctEvent struct {
	EventId         string
	EventName       string
	ReadOnly        string
	AccessKeyId     string
	EventTime       json.Number
	EventSource     string
	Username        string
	Resources       []ctResource
	CloudTrailEvent string
}

type lookupEventsOutput struct {
	Events    []ctEvent
	NextToken string `json:",omitempty"`
}

// cloudTrailRecord is the CloudTrailEvent of an event: a CloudTrail record's members, in their order.
type cloudTrailRecord struct {
	EventVersion       string          `json:"eventVersion"`
	UserIdentity       ctUserIdentity  `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AwsRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode,omitempty"`
	ErrorMessage       string          `json:"errorMessage,omitempty"`
	RequestParameters  json.RawMessage `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           bool            `json:"readOnly"`
	Resources          []ctARN         `json:"resources,omitempty"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
	EventCategory      string          `json:"eventCategory"`
}

type ctUserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	AccountID   string `json:"accountId"`
	AccessKeyID string `json:"accessKeyId"`
}

type ctARN struct {
	Type      string `json:"type"`
	ARN       string `json:"ARN,omitempty"`
	AccountID string `json:"accountId"`
	Name      string `json:"resourceName,omitempty"`
}

// cloudTrail serves a JSON 1.1 request (POST / with X-Amz-Target).
func (s *Server) cloudTrail(c *call) {
	c.op = "cloudtrail:LookupEvents"
	r := c.r
	if t := r.Header.Get("X-Amz-Target"); t != lookupEventsTarget && t != lookupEventsTargetShort {
		c.op = "-"
		s.writeCTError(c, http.StatusBadRequest, "UnknownOperationException", "The operation "+t+" is not supported")
		return
	}
	if err := s.readBody(c); err != nil {
		s.writeCTError(c, http.StatusBadRequest, "SerializationException", chime.ErrorMessage(err))
		return
	}
	id, err := s.auth.Authenticate(c.ctx, cloudTrailService, r, c.body)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			s.logAuthFailure(c, se)
			s.writeCTError(c, http.StatusForbidden, se.Kind.ExceptionName(), se.Message)
			return
		}
		s.logger.Error("internal failure", "request_id", c.reqID, "operation", c.op, "error", err)
		s.writeCTError(c, http.StatusInternalServerError, "InternalFailure", "Internal failure")
		return
	}
	c.id = id
	if !s.limits.Allow(id.AccessKeyID) {
		s.writeCTError(c, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		return
	}
	var in lookupEventsInput
	body := c.body
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, &in); err != nil {
		s.writeCTError(c, http.StatusBadRequest, "SerializationException", "The request body is not a valid LookupEvents input")
		return
	}
	if in.EventCategory != nil && *in.EventCategory != "insight" {
		s.writeCTError(c, http.StatusBadRequest, "InvalidEventCategoryException", "EventCategory must be insight")
		return
	}
	if len(in.LookupAttributes) > 1 {
		s.writeCTError(c, http.StatusBadRequest, "InvalidLookupAttributesException",
			"You cannot specify more than one lookup attribute")
		return
	}
	if in.MaxResults != nil && (*in.MaxResults < 1 || *in.MaxResults > 50) {
		s.writeCTError(c, http.StatusBadRequest, "InvalidMaxResultsException", "MaxResults must be between 1 and 50")
		return
	}
	q := chime.AuditLookup{NextToken: in.NextToken}
	if in.MaxResults != nil {
		q.MaxResults = *in.MaxResults
	}
	if in.StartTime != nil {
		q.Start = in.StartTime.Time
	}
	if in.EndTime != nil {
		q.End = in.EndTime.Time
	}
	if !q.Start.IsZero() && !q.End.IsZero() && q.End.Before(q.Start) {
		s.writeCTError(c, http.StatusBadRequest, "InvalidTimeRangeException", "Start time must not be after end time")
		return
	}
	if len(in.LookupAttributes) == 1 {
		q.AttributeKey, q.AttributeValue = in.LookupAttributes[0].AttributeKey, in.LookupAttributes[0].AttributeValue
	}
	out := lookupEventsOutput{Events: []ctEvent{}}
	if in.EventCategory != nil { // insight events: chimed has none
		s.writeCT(c, out)
		return
	}
	list, next, err := s.svc.LookupAuditEvents(r.Context(), id, q)
	if err != nil {
		switch {
		case chime.ErrorCode(err) == chime.ELOOKUPATTR:
			s.writeCTError(c, http.StatusBadRequest, "InvalidLookupAttributesException", chime.ErrorMessage(err))
		case chime.ErrorField(err) == chime.FieldNextToken:
			s.writeCTError(c, http.StatusBadRequest, "InvalidNextTokenException", "Invalid NextToken")
		case chime.ErrorCode(err) == chime.EINVALID:
			s.writeCTError(c, http.StatusBadRequest, "InvalidParameterException", chime.ErrorMessage(err))
		default:
			s.logger.Error("internal failure", "request_id", c.reqID, "operation", c.op, "error", err)
			s.writeCTError(c, http.StatusInternalServerError, "InternalFailure", "Internal failure")
		}
		return
	}
	for _, e := range list {
		out.Events = append(out.Events, cloudTrailEvent(e))
	}
	out.NextToken = next
	s.writeCT(c, out)
}

// cloudTrailEvent turns an audit record into a LookupEvents event.
func cloudTrailEvent(e *chime.AuditEvent) ctEvent {
	ev := ctEvent{EventId: e.ID, EventName: e.Operation, ReadOnly: "false", AccessKeyId: e.AccessKeyID,
		EventTime:   json.Number(strconv.FormatFloat(float64(e.Time.UnixMilli())/1e3, 'f', -1, 64)),
		EventSource: eventSource, Username: e.AccessKeyID, Resources: []ctResource{}}
	rec := cloudTrailRecord{EventVersion: "1.08",
		UserIdentity: ctUserIdentity{Type: "IAMUser", PrincipalID: e.AccessKeyID, AccountID: e.AwsAccountID,
			AccessKeyID: e.AccessKeyID},
		EventTime: e.Time.UTC().Format("2006-01-02T15:04:05Z"), EventSource: eventSource, EventName: e.Operation,
		AwsRegion: e.Region, SourceIPAddress: e.SourceIP, UserAgent: e.UserAgent, ErrorCode: e.ErrorCode,
		ErrorMessage: e.ErrorMessage, RequestParameters: rawOrNull(e.Params), ResponseElements: rawOrNull(e.Response),
		RequestID: e.RequestID, EventID: e.ID, EventType: "AwsApiCall", ManagementEvent: true,
		RecipientAccountID: e.AwsAccountID, EventCategory: "Management"}
	for _, r := range e.Resources {
		ev.Resources = append(ev.Resources, ctResource{ResourceType: r.Type, ResourceName: r.Name})
		rec.Resources = append(rec.Resources, ctARN{Type: r.Type, AccountID: e.AwsAccountID, Name: r.Name})
	}
	if rec.ErrorCode != "" && rec.ErrorMessage == "" {
		rec.ErrorMessage = http.StatusText(e.Status)
	}
	b, _ := json.Marshal(rec)
	ev.CloudTrailEvent = string(b)
	return ev
}

func rawOrNull(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

// writeCT answers a JSON 1.1 success.
func (s *Server) writeCT(c *call, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.writeCTError(c, http.StatusInternalServerError, "InternalFailure", "Internal failure")
		return
	}
	s.writeCTBody(c, http.StatusOK, b)
}

// writeCTError answers a JSON 1.1 error: {"__type": name, "message": message}.
func (s *Server) writeCTError(c *call, status int, name, message string) {
	c.w.Header().Set("x-amzn-ErrorType", name)
	s.setDate(c)
	b, _ := json.Marshal(map[string]string{"__type": name, "message": message})
	s.writeCTBody(c, status, b)
}

func (s *Server) writeCTBody(c *call, status int, b []byte) {
	c.status = status
	h := c.w.Header()
	h["Content-Type"] = []string{"application/x-amz-json-1.1"}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	c.w.WriteHeader(status)
	c.w.Write(b)
}
