package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/chimed/chimed/internal/sdkhttp"
)

// checker reads the server's state through the API (one node) to verify the ledger and the invariants.
type checker struct {
	ep    *endpoint
	trail *cloudtrail.Client
	mu    sync.Mutex
	cache map[string]any // per check: one read per object (two concurrent first reads may both read)
}

func newChecker(ep *endpoint) *checker {
	trail := cloudtrail.New(cloudtrail.Options{Region: soakRegion, BaseEndpoint: aws.String(ep.url),
		Credentials: credentials.NewStaticCredentialsProvider(ep.key.AccessKeyID, ep.key.SecretAccessKey, ""),
		HTTPClient:  sdkhttp.WithoutBodyWriteTo(ep.http), RetryMaxAttempts: 3})
	return &checker{ep: ep, trail: trail}
}

func isNotFound(err error) bool {
	var re *awshttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// cached returns the value read by fn under key, reading it once per check.
func cached[T any](c *checker, key string, fn func() (T, error)) (T, error) {
	type entry struct {
		v   T
		err error
	}
	c.mu.Lock()
	e, ok := c.cache[key]
	c.mu.Unlock()
	if ok {
		return e.(entry).v, e.(entry).err
	}
	v, err := fn()
	c.mu.Lock()
	c.cache[key] = entry{v, err}
	c.mu.Unlock()
	return v, err
}

// observe reads the current value of a ledger key (see the ledger's key forms in ops_*.go).
func (c *checker) observe(ctx context.Context, key string) (string, error) {
	parts := strings.SplitN(key, "|", 3)
	if len(parts) != 3 {
		return "", fmt.Errorf("bad key %q", key)
	}
	kind, id, field := parts[0], parts[1], parts[2]
	ids := strings.Split(id, "/")
	api := c.ep.api
	switch kind {
	case "acct":
		acct, err := cached(c, "acct/"+id, func() (*types.Account, error) {
			out, err := api.GetAccount(ctx, &chime.GetAccountInput{AccountId: aws.String(id)})
			if err != nil {
				return nil, err
			}
			return out.Account, nil
		})
		if isNotFound(err) {
			return gone, nil
		} else if err != nil {
			return "", err
		}
		switch field {
		case "name":
			return aws.ToString(acct.Name), nil
		case "settings":
			out, err := api.GetAccountSettings(ctx, &chime.GetAccountSettingsInput{AccountId: aws.String(id)})
			if err != nil {
				return "", err
			}
			s := out.AccountSettings
			return fmt.Sprintf("rc=%v do=%v", aws.ToBool(s.DisableRemoteControl), aws.ToBool(s.EnableDialOut)), nil
		case "retention":
			out, err := api.GetRetentionSettings(ctx, &chime.GetRetentionSettingsInput{AccountId: aws.String(id)})
			if err != nil {
				return "", err
			}
			if out.RetentionSettings == nil || out.RetentionSettings.RoomRetentionSettings == nil {
				return "", nil
			}
			return fmt.Sprint(aws.ToInt32(out.RetentionSettings.RoomRetentionSettings.RetentionDays)), nil
		}
	case "user":
		u, err := cached(c, "user/"+id, func() (*types.User, error) {
			out, err := api.GetUser(ctx, &chime.GetUserInput{AccountId: aws.String(ids[0]), UserId: aws.String(ids[1])})
			if err != nil {
				return nil, err
			}
			return out.User, nil
		})
		if isNotFound(err) {
			return gone, nil
		} else if err != nil {
			return "", err
		}
		switch field {
		case "email":
			return aws.ToString(u.PrimaryEmail), nil
		case "license":
			return string(u.LicenseType), nil
		case "pin":
			return aws.ToString(u.PersonalPIN), nil
		case "status":
			return string(u.UserRegistrationStatus), nil
		case "number":
			return aws.ToString(u.PrimaryProvisionedNumber), nil
		case "telephony":
			out, err := api.GetUserSettings(ctx, &chime.GetUserSettingsInput{AccountId: aws.String(ids[0]), UserId: aws.String(ids[1])})
			if err != nil {
				return "", err
			}
			t := out.UserSettings.Telephony
			return fmt.Sprintf("%v/%v/%v", aws.ToBool(t.InboundCalling), aws.ToBool(t.OutboundCalling), aws.ToBool(t.SMS)), nil
		}
	case "phone":
		out, err := api.GetPhoneNumber(ctx, &chime.GetPhoneNumberInput{PhoneNumberId: aws.String(id)})
		if isNotFound(err) {
			return gone, nil
		} else if err != nil {
			return "", err
		}
		p := out.PhoneNumber
		switch field {
		case "status":
			return string(p.Status), nil
		case "user":
			for _, a := range p.Associations {
				if a.Name == types.PhoneNumberAssociationNameUserId {
					return aws.ToString(a.Value), nil
				}
			}
			return "", nil
		case "callingname":
			return aws.ToString(p.CallingName), nil
		}
	case "global":
		if field == "cdr" {
			out, err := api.GetGlobalSettings(ctx, &chime.GetGlobalSettingsInput{})
			if err != nil {
				return "", err
			}
			if out.BusinessCalling == nil {
				return "", nil
			}
			return aws.ToString(out.BusinessCalling.CdrBucket), nil
		}
		out, err := api.GetPhoneNumberSettings(ctx, &chime.GetPhoneNumberSettingsInput{})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.CallingName), nil
	case "room":
		out, err := api.GetRoom(ctx, &chime.GetRoomInput{AccountId: aws.String(ids[0]), RoomId: aws.String(ids[1])})
		if isNotFound(err) {
			return gone, nil
		} else if err != nil {
			return "", err
		}
		return aws.ToString(out.Room.Name), nil
	case "member":
		roles, err := cached(c, "members/"+ids[0]+"/"+ids[1], func() (map[string]string, error) {
			m := map[string]string{}
			p := chime.NewListRoomMembershipsPaginator(api, &chime.ListRoomMembershipsInput{AccountId: aws.String(ids[0]),
				RoomId: aws.String(ids[1])})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				for _, rm := range out.RoomMemberships {
					m[aws.ToString(rm.Member.MemberId)] = string(rm.Role)
				}
			}
			return m, nil
		})
		if isNotFound(err) {
			return gone, nil
		} else if err != nil {
			return "", err
		}
		if r, ok := roles[ids[2]]; ok {
			return r, nil
		}
		return gone, nil
	case "msg":
		msgs, err := cached(c, "msgs/"+ids[0]+"/"+ids[1], func() (map[string]bool, error) {
			var out struct{ Messages []struct{ MessageId string } }
			status, err := c.rawJSON(ctx, "/_chimed/accounts/"+ids[0]+"/rooms/"+ids[1]+"/messages", &out)
			if status == http.StatusNotFound {
				return nil, errGone
			}
			m := map[string]bool{}
			for _, x := range out.Messages {
				m[x.MessageId] = true
			}
			if len(out.Messages) >= 1000 {
				m[""] = true // only the latest 1,000 are listed
			}
			return m, err
		})
		if errors.Is(err, errGone) {
			return gone, nil
		} else if err != nil {
			return "", err
		}
		if msgs[ids[2]] {
			return "1", nil
		}
		if msgs[""] {
			return "", errors.New("older than the room's latest 1,000 messages")
		}
		return gone, nil
	case "bot":
		if field == "endpoint" {
			out, err := api.GetEventsConfiguration(ctx, &chime.GetEventsConfigurationInput{AccountId: aws.String(ids[0]),
				BotId: aws.String(ids[1])})
			if isNotFound(err) {
				return gone, nil
			} else if err != nil {
				return "", err
			}
			return aws.ToString(out.EventsConfiguration.OutboundEventsHTTPSEndpoint), nil
		}
		b, err := cached(c, "bot/"+id, func() (*types.Bot, error) {
			out, err := api.GetBot(ctx, &chime.GetBotInput{AccountId: aws.String(ids[0]), BotId: aws.String(ids[1])})
			if err != nil {
				return nil, err
			}
			return out.Bot, nil
		})
		if isNotFound(err) {
			return gone, nil
		} else if err != nil {
			return "", err
		}
		if field == "token" {
			return aws.ToString(b.SecurityToken), nil
		}
		return fmt.Sprint(aws.ToBool(b.Disabled)), nil
	case "dialout": // id is MEETING/TRANSACTION: the meeting's dial-outs are all listed (at most 250)
		if len(ids) != 2 {
			return "", fmt.Errorf("bad dial-out key %q", key)
		}
		var out struct {
			DialOuts []struct{ TransactionId, FromPhoneNumber string }
		}
		if _, err := c.rawJSON(ctx, "/_chimed/dial-outs?meeting-id="+url.QueryEscape(ids[0]), &out); err != nil {
			return "", err
		}
		for _, d := range out.DialOuts {
			if d.TransactionId == ids[1] {
				return d.FromPhoneNumber, nil
			}
		}
		return gone, nil
	}
	return "", fmt.Errorf("no reader for %q", key)
}

var errGone = errors.New("gone")

// rawJSON GETs a chimed extension and decodes its JSON answer.
func (c *checker) rawJSON(ctx context.Context, path string, v any) (int, error) {
	status, b, _, err := c.ep.raw(ctx, "GET", path, nil)
	if err != nil {
		return 0, err
	}
	if status != http.StatusOK {
		return status, fmt.Errorf("GET %s: %d %s", path, status, b)
	}
	return status, json.Unmarshal(b, v)
}

// invariants checks the state-wide rules: no duplicate email in the AWS account, no account or user of a deleted
// account, no number assigned twice.
func (c *checker) invariants(ctx context.Context, deleted []string) ([]string, error) {
	api := c.ep.api
	var users []observedUser
	live := map[string]bool{}
	pa := chime.NewListAccountsPaginator(api, &chime.ListAccountsInput{MaxResults: aws.Int32(200)})
	for pa.HasMorePages() {
		out, err := pa.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range out.Accounts {
			live[aws.ToString(a.AccountId)] = true
		}
	}
	for id := range live {
		pu := chime.NewListUsersPaginator(api, &chime.ListUsersInput{AccountId: aws.String(id), MaxResults: aws.Int32(200)})
		for pu.HasMorePages() {
			out, err := pu.NextPage(ctx)
			if isNotFound(err) {
				break // deleted since the listing: no worker runs during a check, so this is not expected
			} else if err != nil {
				return nil, err
			}
			for _, u := range out.Users {
				users = append(users, observedUser{AccountID: id, UserID: aws.ToString(u.UserId),
					Email: aws.ToString(u.PrimaryEmail), Number: aws.ToString(u.PrimaryProvisionedNumber)})
			}
		}
	}
	v := duplicateEmails(users)
	for _, id := range deleted {
		if live[id] {
			v = append(v, "deleted account "+id+" is listed by ListAccounts")
		}
		out, err := api.ListUsers(ctx, &chime.ListUsersInput{AccountId: aws.String(id)})
		if err == nil {
			v = append(v, fmt.Sprintf("deleted account %s answers ListUsers with %d users", id, len(out.Users)))
		} else if !isNotFound(err) {
			return nil, err
		}
	}
	var numbers []observedNumber
	pn := chime.NewListPhoneNumbersPaginator(api, &chime.ListPhoneNumbersInput{MaxResults: aws.Int32(99)})
	for pn.HasMorePages() {
		out, err := pn.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, p := range out.PhoneNumbers {
			n := observedNumber{Number: aws.ToString(p.E164PhoneNumber)}
			for _, a := range p.Associations {
				if a.Name == types.PhoneNumberAssociationNameUserId {
					n.UserID = aws.ToString(a.Value)
				}
			}
			numbers = append(numbers, n)
		}
	}
	return append(v, numbersAssignedTwice(numbers, users)...), nil
}

// auditRecords adds to seen the request ids of the successful audit records from since to now. The window is cut
// into slices read at once (LookupEvents pages newest first, 50 events a page).
func (c *checker) auditRecords(ctx context.Context, since time.Time, seen map[string]bool) error {
	const slices = 6
	now := time.Now().Add(2 * time.Second)
	step := max(now.Sub(since)/slices, time.Second)
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, slices+1)
	for from := since; from.Before(now); from = from.Add(step) {
		to := from.Add(step)
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := cloudtrail.NewLookupEventsPaginator(c.trail, &cloudtrail.LookupEventsInput{StartTime: aws.Time(from),
				EndTime: aws.Time(to), MaxResults: aws.Int32(50)})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for _, e := range out.Events {
					var rec struct {
						RequestID string `json:"requestID"`
						ErrorCode string `json:"errorCode"`
					}
					if json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &rec) == nil && rec.ErrorCode == "" {
						seen[rec.RequestID] = true
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// outboxEvent is an entry of GET /_chimed/bot-events.
type outboxEvent struct {
	EventId, BotId, EventType, Body, Status string
	Attempts                                []struct {
		StatusCode int
		Error      string
	}
}

// retriedAfterFailure reports whether an attempt failed (no 2xx) before a later one.
func (e outboxEvent) retriedAfterFailure() bool {
	for _, a := range e.Attempts[:max(0, len(e.Attempts)-1)] {
		if a.Error != "" || a.StatusCode < 200 || a.StatusCode > 299 {
			return true
		}
	}
	return false
}

func (c *checker) botEvents(ctx context.Context) ([]outboxEvent, error) {
	var out struct{ Events []outboxEvent }
	_, err := c.rawJSON(ctx, "/_chimed/bot-events", &out)
	return out.Events, err
}
