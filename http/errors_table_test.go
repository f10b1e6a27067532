package http

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/chime/types"
	"github.com/aws/smithy-go"

	chime "github.com/chimed/chimed"
)

// specExceptions is the table of docs/behavior.md §5.1: ErrorCode value → (exception name = x-amzn-ErrorType, HTTP
// status), and the SDK's own error type for that exception, so names are checked against the client that decodes
// them.
var specExceptions = map[string]struct {
	name   string
	status int
	sdk    smithy.APIError
}{
	"BadRequest":            {"BadRequestException", 400, &types.BadRequestException{}},
	"Unauthorized":          {"UnauthorizedClientException", 401, &types.UnauthorizedClientException{}},
	"Forbidden":             {"ForbiddenException", 403, &types.ForbiddenException{}},
	"AccessDenied":          {"AccessDeniedException", 403, &types.AccessDeniedException{}},
	"NotFound":              {"NotFoundException", 404, &types.NotFoundException{}},
	"Conflict":              {"ConflictException", 409, &types.ConflictException{}},
	"Unprocessable":         {"UnprocessableEntityException", 422, &types.UnprocessableEntityException{}},
	"Throttled":             {"ThrottledClientException", 429, &types.ThrottledClientException{}},
	"ResourceLimitExceeded": {"ResourceLimitExceededException", 400, &types.ResourceLimitExceededException{}},
	"ServiceFailure":        {"ServiceFailureException", 500, &types.ServiceFailureException{}},
	"ServiceUnavailable":    {"ServiceUnavailableException", 503, &types.ServiceUnavailableException{}},
	// docs/behavior.md §5.1: a bad request whose body Code names the reason
	"PhoneNumberAssociationsExist": {"BadRequestException", 400, &types.BadRequestException{}},
}

func TestSpecTableMatchesSDK(t *testing.T) {
	for code, want := range specExceptions {
		if want.sdk.ErrorCode() != want.name {
			t.Errorf("%s: SDK exception is %s, spec table says %s", code, want.sdk.ErrorCode(), want.name)
		}
		fault := smithy.FaultClient
		if want.status >= 500 {
			fault = smithy.FaultServer
		}
		if want.sdk.ErrorFault() != fault {
			t.Errorf("%s: SDK fault %v, want %v", code, want.sdk.ErrorFault(), fault)
		}
		if !isErrorCode(types.ErrorCode(code)) {
			t.Errorf("%s is not a value of the model's ErrorCode enum", code)
		}
	}
}

func isErrorCode(c types.ErrorCode) bool {
	for _, v := range c.Values() {
		if v == c {
			return true
		}
	}
	return false
}

// TestExceptionForCoversEveryCode fails when a domain error code has no wire mapping, or a mapping that
// differs from docs/behavior.md §5.1.
func TestExceptionForCoversEveryCode(t *testing.T) {
	codes := chime.ErrorCodes()
	if len(codes) == 0 {
		t.Fatal("chime.ErrorCodes() is empty")
	}
	seen := map[string]bool{}
	for _, code := range codes {
		if seen[code] {
			t.Errorf("code %q listed twice", code)
		}
		seen[code] = true
		exc, ok := exceptionFor(code)
		if !ok {
			t.Errorf("exceptionFor(%q) has no entry", code)
			continue
		}
		want, inSpec := specExceptions[code]
		if !inSpec {
			t.Errorf("domain code %q is not a modeled exception of docs/behavior.md §5.1", code)
			continue
		}
		if exc.Name != want.name || exc.Status != want.status {
			t.Errorf("exceptionFor(%q) = (%s, %d), want (%s, %d)", code, exc.Name, exc.Status, want.name, want.status)
		}
	}
	for _, bogus := range []string{"", "Bogus", "notfound"} {
		if _, ok := exceptionFor(bogus); ok {
			t.Errorf("exceptionFor(%q) has an entry", bogus)
		}
	}
}

// TestWriteErrorWireShape checks what writeError puts on the wire for every domain code: status,
// x-amzn-ErrorType, a JSON body with exactly Code and Message, and never __type or a lowercase code.
func TestWriteErrorWireShape(t *testing.T) {
	s := NewServer(Options{Logger: slog.New(slog.DiscardHandler)})
	cases := map[string]error{}
	for _, code := range chime.ErrorCodes() {
		cases[code] = chime.Errorf(code, "message for %s", code)
	}
	cases["internal"] = errors.New("driver exploded: secret detail")
	for name, err := range cases {
		rec := httptest.NewRecorder()
		c := &call{w: rec, r: httptest.NewRequest("GET", "/accounts", nil), reqID: "req-1", op: "Test"}
		s.writeError(c, err)
		wantCode := name
		if name == "internal" {
			wantCode = chime.EINTERNAL
		}
		want := specExceptions[wantCode]
		if rec.Code != want.status || rec.Header().Get("x-amzn-ErrorType") != want.name {
			t.Errorf("%s: %d %q, want %d %q", name, rec.Code, rec.Header().Get("x-amzn-ErrorType"), want.status, want.name)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Errorf("%s: body %q: %v", name, rec.Body.String(), err)
			continue
		}
		if len(body) != 2 || body["Code"] != wantCode || body["Message"] == nil || body["Message"] == "" {
			t.Errorf("%s: body = %v", name, body)
		}
		if name == "internal" && body["Message"] == err.Error() {
			t.Errorf("internal failure leaks its text: %v", body)
		}
		if rec.Header().Get("Date") == "" {
			t.Errorf("%s: no Date header", name)
		}
	}
}

// Every domain field has a wire name in every operation (wireField has no fallback): a field added to the
// domain without one would answer its errors without naming the member.
func TestWireFieldsComplete(t *testing.T) {
	ops := []string{""}
	for _, rt := range routeTable() {
		ops = append(ops, rt.name)
	}
	for _, f := range chime.Fields() {
		for _, op := range ops {
			if wireField(op, f) == "" {
				t.Errorf("domain field %q has no wire name in %q", f, op)
			}
		}
	}
}
