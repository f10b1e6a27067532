package http_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/model"
)

// TestAuditRecordsEveryMutatingOperation: for every operation of the model that is not a read, a request that is
// authenticated but refused (a body that is not JSON) is recorded with its operation's name, the exception it
// answered, and nothing else; the model's reads are never recorded. The operation list comes from the model, so
// an operation added to it is covered without editing this test.
func TestAuditRecordsEveryMutatingOperation(t *testing.T) {
	s, _ := setup(t)
	m, err := model.Load()
	if err != nil {
		t.Fatal(err)
	}
	label := regexp.MustCompile(`\{[^}]+\}`)
	writes := map[string]bool{}
	for name, op := range m.Operations {
		uri := label.ReplaceAllString(op.HTTP.RequestURI, "x")
		if op.HTTP.Method == http.MethodGet {
			// A read with a well-formed request: answered (200 or 4xx), never recorded.
			s.raw(t, tenantB, op.HTTP.Method, uri, nil)
			continue
		}
		writes[name] = true
		r := s.raw(t, tenantB, op.HTTP.Method, uri, []byte(`{not json`))
		if r.Status < 400 || r.Status >= 500 {
			t.Errorf("%s %s with a broken body: %d %s", op.HTTP.Method, uri, r.Status, r.Body)
		}
	}
	if len(writes) < 40 {
		t.Fatalf("only %d mutating operations in the model", len(writes))
	}

	ct := ctClient(s.URL, testenv.Key{ID: tenantB, Secret: testenv.AnySecret})
	seen := map[string]int{}
	for _, e := range lookup(t, ct, &cloudtrail.LookupEventsInput{}, 50) {
		name := aws.ToString(e.EventName)
		seen[name]++
		rec := record(t, e)
		if !writes[name] {
			t.Errorf("%s (not a mutating operation) was recorded", name)
			continue
		}
		if rec.ErrorCode == "" || !strings.HasSuffix(rec.ErrorCode, "Exception") {
			t.Errorf("%s recorded with errorCode %q, want the exception it answered", name, rec.ErrorCode)
		}
		if rec.UserIdentity.AccountID != tenantB || rec.EventSource != "chime.amazonaws.com" {
			t.Errorf("%s recorded as %+v from %s", name, rec.UserIdentity, rec.EventSource)
		}
	}
	for name := range writes {
		if seen[name] != 1 {
			t.Errorf("%s: %d records, want 1", name, seen[name])
		}
	}
	// Each one is also found by its name.
	for _, name := range []string{"CreateAccount", "DeletePhoneNumber", "CreateMeetingDialOut", "PutEventsConfiguration"} {
		got := lookup(t, ct, byAttr(cttypes.LookupAttributeKeyEventName, name), 50)
		if len(got) != 1 {
			t.Errorf("EventName=%s: %d events", name, len(got))
		}
	}
}
