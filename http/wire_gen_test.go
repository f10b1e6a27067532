package http

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/model"
	"github.com/chimed/chimed/model/gen"
)

// TestGeneratedFilesUpToDate fails when zz_*.go differ from what model/gen makes of model/service-2.json
// (run `go generate ./http`).
func TestGeneratedFilesUpToDate(t *testing.T) {
	m, err := model.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, err := gen.Files(m)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./http", name)
		}
	}
	have, _ := filepath.Glob("zz_*.go")
	for _, name := range have {
		if _, ok := files[name]; !ok {
			t.Errorf("%s is not generated any more: delete it", name)
		}
	}
}

// TestModelMatchesBotocore fails when model/service-2.json is not the installed botocore's chime model
// (run python3 model/refresh.py). It is skipped where botocore is not installed.
func TestModelMatchesBotocore(t *testing.T) {
	if err := exec.Command("python3", "-c", "import botocore").Run(); err != nil {
		t.Skip("botocore is not installed")
	}
	out, err := exec.Command("python3", "../model/refresh.py", "--check").CombinedOutput()
	if err != nil {
		t.Fatalf("model/service-2.json is stale: %v\n%s", err, out)
	}
}

// TestRouteTable: every operation of the model is routed once; the 17 base operations again under /console
// and nothing else; no two routes can shadow each other.
func TestRouteTable(t *testing.T) {
	m, err := model.Load()
	if err != nil {
		t.Fatal(err)
	}
	rs := routeTable()
	seen := map[string]string{}
	byName := map[string]int{}
	legacy := 0
	for _, rt := range rs {
		if prev, dup := seen[rt.key()]; dup {
			t.Errorf("duplicate route %s: %s and %s", rt.key(), prev, rt.name)
		}
		seen[rt.key()] = rt.name
		byName[rt.name]++
		if rt.path[0] == "console" {
			legacy++
			if !slices.Contains(gen.LegacyOperations, rt.name) {
				t.Errorf("%s is routed under /console", rt.name)
			}
		}
	}
	if legacy != 17 || len(gen.LegacyOperations) != 17 {
		t.Errorf("%d /console routes, want 17", legacy)
	}
	for name, op := range m.Operations {
		want := 1
		if slices.Contains(gen.LegacyOperations, name) {
			want = 2
		}
		if byName[name] != want {
			t.Errorf("%s is routed %d times, want %d", name, byName[name], want)
		}
		status := op.HTTP.ResponseCode
		if status == 0 {
			status = 200
		}
		for _, rt := range rs {
			if rt.name == name && (rt.status != status || rt.method != op.HTTP.Method) {
				t.Errorf("%s: %s %d, model says %s %d", name, rt.method, rt.status, op.HTTP.Method, status)
			}
		}
	}
	if len(m.Operations) != 62 {
		t.Errorf("the model has %d operations, want 62", len(m.Operations))
	}
}

// TestRouteKeyDetectsDuplicates: the duplicate check above can fail.
func TestRouteKeyDetectsDuplicates(t *testing.T) {
	a := r("POST", "/accounts/{}/users", "create", "A", false, nil)
	b := r("POST", "/accounts/{accountId}/users", "create", "B", false, nil)
	c := r("POST", "/accounts/{}/users", "add", "C", false, nil)
	if a.key() != b.key() || a.key() == c.key() {
		t.Errorf("keys: %q %q %q", a.key(), b.key(), c.key())
	}
}

// TestOnlyModeledExceptions: whatever error a handler returns, the answer is an exception the operation's
// model lists (so the SDKs can type it), or one every operation may answer (429 and 5xx).
func TestOnlyModeledExceptions(t *testing.T) {
	m, err := model.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(Options{Logger: slog.New(slog.DiscardHandler)})
	for _, rt := range routeTable() {
		op, ok := m.Operations[rt.name]
		if !ok {
			continue
		}
		modeled := map[string]bool{}
		for _, e := range op.Errors {
			modeled[e.Shape] = true
		}
		for _, code := range chime.ErrorCodes() {
			rec := httptest.NewRecorder()
			c := &call{w: rec, r: httptest.NewRequest("GET", "/", nil), op: rt.name, errs: rt.errs, rt: &rt}
			s.writeError(c, chime.Errorf(code, "x"))
			got := rec.Header().Get("x-amzn-ErrorType")
			allowed := modeled[got] || got == "ThrottledClientException" || got == "ServiceFailureException" ||
				got == "ServiceUnavailableException"
			if !allowed {
				t.Errorf("%s answers %s for %s; the model lists %v", rt.name, got, code, op.Errors)
			}
			want, _ := exceptionName(code)
			if modeled[want] && got != want {
				t.Errorf("%s answers %s for %s, want the modeled %s", rt.name, got, code, want)
			}
		}
	}
}

// TestEnumsMatchDomain: the domain's enum lists are the model's.
func TestEnumsMatchDomain(t *testing.T) {
	m, err := model.Load()
	if err != nil {
		t.Fatal(err)
	}
	strs := func(v any) []string {
		rv := reflect.ValueOf(v)
		out := make([]string, rv.Len())
		for i := range out {
			out[i] = rv.Index(i).String()
		}
		return out
	}
	// Every enum of the model the domain mirrors, read from the model (input and output shapes alike), and the
	// generated validators' lists of the input ones.
	for name, domain := range map[string][]string{
		"License":            strs(chime.Licenses),
		"UserType":           strs(chime.UserTypes),
		"AccountType":        strs(chime.AccountTypes),
		"RegistrationStatus": strs(chime.RegistrationStatuses),
		"InviteStatus":       strs(chime.InviteStatuses),
		"EmailStatus":        {string(chime.EmailNotSent), string(chime.EmailSent), string(chime.EmailFailed)},
	} {
		sh := m.Shapes[name]
		if sh == nil || len(sh.Enum) == 0 {
			t.Errorf("%s: no enum of that name in the model", name)
			continue
		}
		if !slices.Equal(sh.Enum, domain) {
			t.Errorf("%s: model %v, domain %v", name, sh.Enum, domain)
		}
	}
	for name, gen := range map[string][]string{"License": enumLicense(), "UserType": enumUserType()} {
		if !slices.Equal(gen, m.Shapes[name].Enum) {
			t.Errorf("%s: generated validator %v, model %v (run go generate)", name, gen, m.Shapes[name].Enum)
		}
	}
}

// fill sets every field of the value v points to from r: strings with characters JSON must escape,
// empty values, nil and empty slices, zero and non-zero times.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(4) == 0 || depth > 4 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(r, v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(isoTime{}) {
			if r.IntN(3) > 0 {
				v.Set(reflect.ValueOf(isoTime(time.UnixMilli(r.Int64N(4e12)))))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			fill(r, v.Field(i), depth+1)
		}
	case reflect.Slice:
		switch r.IntN(3) {
		case 0:
			return
		case 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			n := 1 + r.IntN(3)
			v.Set(reflect.MakeSlice(v.Type(), n, n))
			for i := 0; i < n; i++ {
				fill(r, v.Index(i), depth+1)
			}
		}
	case reflect.String:
		odd := []string{"", "plain", `q"b\s`, "<a>&", "\x00\x1f\n", "é😀", "\u2028", "bad\xff"}
		v.SetString(odd[r.IntN(len(odd))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 1)
	case reflect.Int64:
		v.SetInt(r.Int64N(1e6) - 5e5)
	}
}

// TestGeneratedEncodersMatchEncodingJSON: every generated output encoder writes exactly what encoding/json
// writes for the same value (the struct tags say what is omitted).
func TestGeneratedEncodersMatchEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := generatedEncoders()
	if len(cases) < 50 {
		t.Fatalf("only %d encoders", len(cases))
	}
	for _, ec := range cases {
		for i := 0; i < 50; i++ {
			v, got := ec.make(func(p any) { fill(r, reflect.ValueOf(p).Elem(), 0) })
			want, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: %v", ec.name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s:\n got %s\nwant %s", ec.name, got, want)
				break
			}
		}
	}
}

// TestBindIsCaseSensitive: members bind by their exact names; other spellings are unknown members, ignored.
func TestBindIsCaseSensitive(t *testing.T) {
	for body, want := range map[string]string{
		`{"Name":"ok","NAME":7,"name":"no"}`: "ok",
		`{"name":"x"}`:                       "",
		`{"NAME":"x","Name":null}`:           "",
	} {
		var in CreateAccountRequest
		if err := in.bind(&call{body: []byte(body)}); err != nil {
			t.Errorf("%s: %v", body, err)
			continue
		}
		if got := str(in.Name); got != want {
			t.Errorf("%s: Name = %q, want %q", body, got, want)
		}
		err := in.validate("")
		if (want == "") != (err != nil) || (err != nil && !strings.Contains(err.Error(), "Name is required")) {
			t.Errorf("%s: validate = %v", body, err)
		}
	}
}
