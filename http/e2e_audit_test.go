package http_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/smithy-go"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// ctClient returns an aws-sdk-go-v2 CloudTrail client of the server signing with k.
func ctClient(url string, k testenv.Key) *cloudtrail.Client {
	return cloudtrail.New(cloudtrail.Options{Region: testenv.Region, BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(k.ID, k.Secret, ""), RetryMaxAttempts: 1,
		HTTPClient: testenv.HTTPClient()})
}

// lookup returns every event of one LookupEvents query, through the SDK's paginator with pages of size.
func lookup(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput, size int32) []cttypes.Event {
	t.Helper()
	in.MaxResults = aws.Int32(size)
	var all []cttypes.Event
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("LookupEvents: %v", err)
		}
		if len(out.Events) > int(size) {
			t.Fatalf("page of %d events > MaxResults %d", len(out.Events), size)
		}
		all = append(all, out.Events...)
	}
	return all
}

func byAttr(key cttypes.LookupAttributeKey, v string) *cloudtrail.LookupEventsInput {
	return &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{{AttributeKey: key,
		AttributeValue: aws.String(v)}}}
}

// ctRecord is the decoded CloudTrailEvent of an event.
type ctRecord struct {
	EventVersion string `json:"eventVersion"`
	UserIdentity struct {
		Type, AccountID, AccessKeyID string
	} `json:"userIdentity"`
	EventTime          string          `json:"eventTime"`
	EventSource        string          `json:"eventSource"`
	EventName          string          `json:"eventName"`
	AwsRegion          string          `json:"awsRegion"`
	SourceIPAddress    string          `json:"sourceIPAddress"`
	UserAgent          string          `json:"userAgent"`
	ErrorCode          string          `json:"errorCode"`
	ErrorMessage       string          `json:"errorMessage"`
	RequestParameters  map[string]any  `json:"requestParameters"`
	ResponseElements   json.RawMessage `json:"responseElements"`
	RequestID          string          `json:"requestID"`
	EventID            string          `json:"eventID"`
	ReadOnly           *bool           `json:"readOnly"`
	EventType          string          `json:"eventType"`
	ManagementEvent    bool            `json:"managementEvent"`
	RecipientAccountID string          `json:"recipientAccountId"`
}

func record(t *testing.T, e cttypes.Event) ctRecord {
	t.Helper()
	var r ctRecord
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &r); err != nil {
		t.Fatalf("CloudTrailEvent %q: %v", aws.ToString(e.CloudTrailEvent), err)
	}
	return r
}

// TestAuditTrail records successes and failures of mutating operations of every resource family, answers
// them through LookupEvents (filters, time range, pagination, tenancy), and never records a secret or a read.
func TestAuditTrail(t *testing.T) {
	s, c := setup(t)
	start := time.Now().Add(-time.Second)
	acc := enterpriseAccount(t, s, c, tenantA) // CreateAccount + chimed:SetAccountType
	var reqIDs []string
	bot, err := c.CreateBot(ctx, &chime.CreateBotInput{AccountId: &acc, DisplayName: aws.String("auditBot"),
		Domain: aws.String("example.com")})
	if err != nil {
		t.Fatal(err)
	}
	botToken := aws.ToString(bot.Bot.BotEmail) // placeholder, replaced below by the token
	if bot.Bot.SecurityToken != nil {
		botToken = *bot.Bot.SecurityToken
	}
	people := *MustAccount(t, s, tenantA, types.AccountTypeEnterpriseOIDC).AccountId
	u := MustCreateUser(t, c, people, "audit@example.com")
	pin, err := c.ResetPersonalPIN(ctx, &chime.ResetPersonalPINInput{AccountId: &people, UserId: u.UserId})
	if err != nil {
		t.Fatal(err)
	}
	room := mustCreateRoom(t, c, acc, "auditRoom")
	if _, err := c.UpdateGlobalSettings(ctx, &chime.UpdateGlobalSettingsInput{}); err != nil {
		t.Fatal(err)
	}
	// Failures: validation, not found, a rule.
	_, err = c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("")})
	wantBadRequest(t, err)
	_, err = c.UpdateAccount(ctx, &chime.UpdateAccountInput{AccountId: aws.String("00000000-0000-0000-0000-000000000000"),
		Name: aws.String("x")})
	wantNotFound(t, err)
	_, err = c.DeleteAccount(ctx, &chime.DeleteAccountInput{AccountId: &people}) // an enterprise account with users
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("DeleteAccount of an enterprise account: %v", err)
	}
	failedDelete := ae.ErrorCode()
	// Reads are not recorded.
	MustGetAccount(t, c, acc)
	if _, err := c.ListUsers(ctx, &chime.ListUsersInput{AccountId: &acc}); err != nil {
		t.Fatal(err)
	}
	_ = reqIDs

	ct := ctClient(s.URL, testenv.Key{ID: tenantA, Secret: testenv.AnySecret})
	all := lookup(t, ct, &cloudtrail.LookupEventsInput{}, 50)
	names := map[string]int{}
	for i, e := range all {
		names[aws.ToString(e.EventName)]++
		if i > 0 && e.EventTime.After(*all[i-1].EventTime) {
			t.Errorf("events not newest first: %v after %v", e.EventTime, all[i-1].EventTime)
		}
		if aws.ToString(e.EventSource) != "chime.amazonaws.com" || aws.ToString(e.ReadOnly) != "false" ||
			aws.ToString(e.Username) != tenantA || aws.ToString(e.AccessKeyId) != tenantA {
			t.Errorf("event %+v", e)
		}
		raw := aws.ToString(e.CloudTrailEvent)
		for _, secret := range []string{botToken, aws.ToString(pin.User.PersonalPIN), aws.ToString(u.PersonalPIN)} {
			if secret != "" && strings.Contains(raw, secret) {
				t.Errorf("%s records a secret %q: %s", aws.ToString(e.EventName), secret, raw)
			}
		}
		r := record(t, e)
		if r.EventVersion != "1.08" || r.UserIdentity.Type != "IAMUser" || r.UserIdentity.AccountID != tenantA ||
			r.UserIdentity.AccessKeyID != tenantA || r.EventSource != "chime.amazonaws.com" ||
			r.EventName != aws.ToString(e.EventName) || r.AwsRegion != testenv.Region || r.SourceIPAddress != "127.0.0.1" ||
			r.UserAgent == "" || strings.HasPrefix(r.EventName, "chimed:") == strings.Contains(r.UserAgent, "aws-sdk-go-v2") || r.EventID != aws.ToString(e.EventId) ||
			r.ReadOnly == nil || *r.ReadOnly || r.EventType != "AwsApiCall" || !r.ManagementEvent ||
			r.RecipientAccountID != tenantA || r.RequestID == "" {
			t.Errorf("CloudTrailEvent %s", raw)
		}
		if _, err := time.Parse(time.RFC3339, r.EventTime); err != nil {
			t.Errorf("eventTime %q", r.EventTime)
		}
	}
	for name, n := range map[string]int{"CreateAccount": 3, "chimed:SetAccountType": 2, "CreateBot": 1, "CreateUser": 1,
		"ResetPersonalPIN": 1, "CreateRoom": 1, "UpdateGlobalSettings": 1, "UpdateAccount": 1, "DeleteAccount": 1} {
		if names[name] != n {
			t.Errorf("%d %s events, want %d (all: %v)", names[name], name, names[name], names)
		}
	}
	if names["GetAccount"]+names["ListUsers"] != 0 || len(all) != 12 {
		t.Errorf("events %v", names)
	}

	// EventName, with a success and a failure.
	creates := lookup(t, ct, byAttr(cttypes.LookupAttributeKeyEventName, "CreateAccount"), 50)
	if len(creates) != 3 {
		t.Fatalf("%d CreateAccount events", len(creates))
	}
	failed, ok := record(t, creates[0]), record(t, creates[2])
	if failed.ErrorCode != "BadRequestException" || failed.ErrorMessage == "" {
		t.Errorf("failed CreateAccount: %+v", failed)
	}
	if ok.ErrorCode != "" || !strings.Contains(string(ok.ResponseElements), acc) || ok.RequestParameters["Name"] != "bots" {
		t.Errorf("CreateAccount record: %+v", ok)
	}
	del := record(t, lookup(t, ct, byAttr(cttypes.LookupAttributeKeyEventName, "DeleteAccount"), 50)[0])
	if del.ErrorCode != failedDelete || del.RequestParameters["accountId"] != people {
		t.Errorf("failed DeleteAccount: %+v (want %s)", del, failedDelete)
	}
	// The secrets are hidden, not left out.
	botRec := record(t, lookup(t, ct, byAttr(cttypes.LookupAttributeKeyEventName, "CreateBot"), 50)[0])
	if !strings.Contains(string(botRec.ResponseElements), "HIDDEN_DUE_TO_SECURITY_REASONS") {
		t.Errorf("CreateBot response elements: %s", botRec.ResponseElements)
	}

	// ResourceName: the account's id, from the path and from CreateAccount's response.
	onAcc := lookup(t, ct, byAttr(cttypes.LookupAttributeKeyResourceName, acc), 3)
	if len(onAcc) != 4 { // CreateAccount (its response), SetAccountType, CreateBot, CreateRoom
		t.Errorf("%d events on the account", len(onAcc))
	}
	for _, e := range onAcc {
		found := false
		for _, r := range e.Resources {
			found = found || aws.ToString(r.ResourceName) == acc
		}
		if !found {
			t.Errorf("%s: resources %+v", aws.ToString(e.EventName), e.Resources)
		}
	}
	if got := lookup(t, ct, byAttr(cttypes.LookupAttributeKeyResourceName, aws.ToString(room.RoomId)), 50); len(got) != 1 {
		t.Errorf("%d events on the room", len(got))
	}
	// EventId, Username, pagination by one.
	one := lookup(t, ct, byAttr(cttypes.LookupAttributeKeyEventId, aws.ToString(all[3].EventId)), 50)
	if len(one) != 1 || aws.ToString(one[0].EventId) != aws.ToString(all[3].EventId) {
		t.Errorf("EventId lookup: %+v", one)
	}
	if got := lookup(t, ct, byAttr(cttypes.LookupAttributeKeyUsername, tenantA), 1); len(got) != len(all) {
		t.Errorf("Username lookup: %d events, want %d", len(got), len(all))
	} else {
		for i := range got {
			if aws.ToString(got[i].EventId) != aws.ToString(all[i].EventId) {
				t.Errorf("page by one: event %d differs", i)
			}
		}
	}
	// Time range.
	if got := lookup(t, ct, &cloudtrail.LookupEventsInput{StartTime: aws.Time(start),
		EndTime: aws.Time(time.Now().Add(time.Second))}, 50); len(got) != len(all) {
		t.Errorf("time range: %d events", len(got))
	}
	if got := lookup(t, ct, &cloudtrail.LookupEventsInput{EndTime: aws.Time(start)}, 50); len(got) != 0 {
		t.Errorf("before the first event: %d events", len(got))
	}
	// Tenancy.
	if got := lookup(t, ctClient(s.URL, testenv.Key{ID: tenantB, Secret: testenv.AnySecret}), &cloudtrail.LookupEventsInput{}, 50); len(got) != 0 {
		t.Errorf("another AWS account sees %d events", len(got))
	}
	// Errors.
	_, err = ct.LookupEvents(ctx, byAttr(cttypes.LookupAttributeKeyResourceType, "x"))
	var ila *cttypes.InvalidLookupAttributesException
	if !errors.As(err, &ila) {
		t.Errorf("ResourceType lookup: %v", err)
	}
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)})
	var imr *cttypes.InvalidMaxResultsException
	if !errors.As(err, &imr) {
		t.Errorf("MaxResults 51: %v", err)
	}
	_, err = ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now()), EndTime: aws.Time(start)})
	var itr *cttypes.InvalidTimeRangeException
	if !errors.As(err, &itr) {
		t.Errorf("reversed time range: %v", err)
	}
	first, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1)})
	if err != nil || first.NextToken == nil {
		t.Fatalf("first page: %v", err)
	}
	_, err = ctClient(s.URL, testenv.Key{ID: tenantB, Secret: testenv.AnySecret}).LookupEvents(ctx,
		&cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1), NextToken: first.NextToken})
	var int_ *cttypes.InvalidNextTokenException
	if !errors.As(err, &int_) {
		t.Errorf("another account's NextToken: %v", err)
	}
}

// TestAuditAtomic: a change and its record commit together; a failure after the change in its transaction
// leaves neither the change nor a success record, only the record of the failure.
func TestAuditAtomic(t *testing.T) {
	srv := testenv.NewServer(t, testenv.Config{})
	c := srv.Client(tenantA)
	srv.Service.SetAuditHook(func(chimed.Tx) error { return errors.New("crash between change and record") })
	_, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("ghost")})
	if err == nil {
		t.Fatal("CreateAccount succeeded despite the failing transaction")
	}
	srv.Service.SetAuditHook(nil)
	out, err := c.ListAccounts(ctx, &chime.ListAccountsInput{})
	if err != nil || len(out.Accounts) != 0 {
		t.Fatalf("the change survived its failed record: %v %+v", err, out)
	}
	ct := ctClient(srv.URL, testenv.Key{ID: tenantA, Secret: testenv.AnySecret})
	evs := lookup(t, ct, &cloudtrail.LookupEventsInput{}, 50)
	if len(evs) != 1 || record(t, evs[0]).ErrorCode != "ServiceFailureException" {
		t.Fatalf("events after the failed change: %+v", evs)
	}
	MustCreateAccount(t, c, "real")
	if evs := lookup(t, ct, &cloudtrail.LookupEventsInput{}, 50); len(evs) != 2 || record(t, evs[0]).ErrorCode != "" {
		t.Fatalf("events after a change: %d", len(evs))
	}
}

// TestAuditSigV4 checks that LookupEvents verifies signatures for the service "cloudtrail" (and only for it),
// and that a refused read-only key's mutation is recorded as such.
func TestAuditSigV4(t *testing.T) {
	srv := testenv.NewServer(t, testenv.Config{SigV4: &sigv4.Options{}})
	k := srv.MustKey(t, tenantA, false)
	ro := srv.MustKey(t, tenantA, true)
	if _, err := srv.ClientFor(ro).CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("no")}); err == nil {
		t.Fatal("read-only key created an account")
	}
	MustCreateAccount(t, srv.ClientFor(k), "yes")
	evs := lookup(t, ctClient(srv.URL, k), byAttr(cttypes.LookupAttributeKeyEventName, "CreateAccount"), 50)
	if len(evs) != 2 || aws.ToString(evs[1].AccessKeyId) != ro.ID || record(t, evs[1]).ErrorCode != "ForbiddenException" ||
		aws.ToString(evs[0].AccessKeyId) != k.ID {
		t.Fatalf("events %+v", evs)
	}
	// A CloudTrail request signed for the service chime is refused, and a wrong secret too.
	bad := cloudtrail.New(cloudtrail.Options{Region: testenv.Region, BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(k.ID, "wrong", ""), RetryMaxAttempts: 1,
		HTTPClient: testenv.HTTPClient()})
	if _, err := bad.LookupEvents(ctx, &cloudtrail.LookupEventsInput{}); err == nil {
		t.Fatal("a wrong secret was accepted")
	}
	body := []byte(`{}`)
	req := newCTRequest(t, srv.URL, body)
	testenv.SignV4(t, req, body, k, "chime", testenv.Region, time.Now())
	if resp := testenv.Send(t, req); resp.Status != 403 || !strings.Contains(string(resp.Body), "cloudtrail") {
		t.Fatalf("signed for chime: %d %s", resp.Status, resp.Body)
	}
	// A Chime request signed for cloudtrail is refused, naming chime; signed for chime, it is answered.
	for _, svc := range []string{"cloudtrail", "chime"} {
		creq, err := http.NewRequest(http.MethodGet, srv.URL+"/accounts", nil)
		if err != nil {
			t.Fatal(err)
		}
		testenv.SignV4(t, creq, nil, k, svc, testenv.Region, time.Now())
		resp := testenv.Send(t, creq)
		if svc == "chime" {
			if resp.Status != 200 {
				t.Fatalf("ListAccounts signed for chime: %d %s", resp.Status, resp.Body)
			}
			continue
		}
		if resp.Status != 403 || resp.Header.Get("X-Amzn-Errortype") != "InvalidSignatureException" ||
			!strings.Contains(string(resp.Body), "scoped to correct service: 'chime'") {
			t.Fatalf("ListAccounts signed for cloudtrail: %d %s %s", resp.Status, resp.Header.Get("X-Amzn-Errortype"), resp.Body)
		}
	}
}

// newCTRequest returns an unsigned LookupEvents request with body.
func newCTRequest(t *testing.T, url string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents")
	return req
}

// TestAuditMoreFamilies: phone number orders, meeting dial-outs (the join token is hidden), room messages (their
// content is hidden) and room memberships are recorded, successes and refusals.
func TestAuditMoreFamilies(t *testing.T) {
	s, c := setup(t)
	order := mustOrder(t, c, types.PhoneNumberProductTypeBusinessCalling, "+12065550100")
	mustDialOut(t, c, doMeeting, "+12065550100", doTo, doToken)
	if _, err := dialOut(c, doMeeting, "+12065550199", doTo, doToken); err == nil {
		t.Fatal("a dial-out from a number never ordered succeeded")
	}
	a := MustAccount(t, s, tenantA, types.AccountTypeEnterpriseOIDC)
	u := MustCreateUser(t, c, *a.AccountId, "member@example.com")
	room := mustCreateRoom(t, c, *a.AccountId, "chat")
	if _, err := c.CreateRoomMembership(ctx, &chime.CreateRoomMembershipInput{AccountId: a.AccountId, RoomId: room.RoomId,
		MemberId: u.UserId}); err != nil {
		t.Fatal(err)
	}
	base := "/_chimed/accounts/" + *a.AccountId + "/rooms/" + *room.RoomId + "/messages"
	if r := s.rawJSON(t, tenantA, "POST", base, map[string]string{"SenderId": *u.UserId, "Content": "a secret plan"}); r.Status != 201 {
		t.Fatalf("post a message: %d", r.Status)
	}

	ct := ctClient(s.URL, testenv.Key{ID: tenantA, Secret: testenv.AnySecret})
	all := lookup(t, ct, &cloudtrail.LookupEventsInput{}, 50)
	names := map[string]int{}
	for _, e := range all {
		names[aws.ToString(e.EventName)]++
		raw := aws.ToString(e.CloudTrailEvent)
		if strings.Contains(raw, doToken) || strings.Contains(raw, "a secret plan") {
			t.Errorf("%s records a secret: %s", aws.ToString(e.EventName), raw)
		}
	}
	for name, n := range map[string]int{"CreatePhoneNumberOrder": 1, "CreateMeetingDialOut": 2, "CreateRoomMembership": 1,
		"chimed:PostRoomMessage": 1} {
		if names[name] != n {
			t.Errorf("%d %s events, want %d (all: %v)", names[name], name, n, names)
		}
	}
	dials := lookup(t, ct, byAttr(cttypes.LookupAttributeKeyEventName, "CreateMeetingDialOut"), 50)
	refused, ok := record(t, dials[0]), record(t, dials[1])
	if refused.ErrorCode != "AccessDeniedException" || ok.ErrorCode != "" ||
		ok.RequestParameters["JoinToken"] != "HIDDEN_DUE_TO_SECURITY_REASONS" || ok.RequestParameters["meetingId"] != doMeeting {
		t.Errorf("dial-out records: %+v / %+v", refused, ok)
	}
	if got := lookup(t, ct, byAttr(cttypes.LookupAttributeKeyResourceName, aws.ToString(order.PhoneNumberOrderId)), 50); len(got) != 1 {
		t.Errorf("%d events on the order", len(got))
	}
}
