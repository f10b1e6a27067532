package http

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore"
)

// FuzzRequest drives every request decoder through the whole handler (routing, labels, query, JSON body,
// validation, the service and the store) with arbitrary input: it must never panic and never answer 5xx.
// Seeds live in testdata/fuzz/FuzzRequest and run as ordinary tests.
func FuzzRequest(f *testing.F) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, "sqlite::memory:")
	if err != nil {
		f.Fatal(err)
	}
	defer store.Close()
	svc, err := chime.NewService(ctx, store, chime.ServiceOptions{})
	if err != nil {
		f.Fatal(err)
	}
	srv := NewServer(Options{Service: svc, Authenticator: AnyAuth{}})
	// One Team and one LWA account with a user each, so operations reach deep into the service.
	team, _ := svc.CreateAccount(ctx, "000000000000", ptr("team"))
	lwa, _ := svc.CreateAccount(ctx, "000000000000", ptr("lwa"))
	svc.SetAccountType(ctx, "000000000000", lwa.ID, ptr("EnterpriseLWA"))
	svc.InviteUsers(ctx, "000000000000", team.ID, []string{"t@example.com"}, nil)

	for _, rt := range routeTable() {
		path := "/" + strings.Join(rt.path, "/")
		path = strings.Replace(path, "{}", team.ID, 1)
		path = strings.Replace(path, "{}", "u", 1)
		q := ""
		if rt.selKey != "" {
			q = rt.selKey + "=" + rt.sel
		}
		f.Add(rt.method, path, q, `{}`)
	}
	f.Add("POST", "/accounts", "", `{"Name":"x"}`)
	f.Add("POST", "/accounts/"+team.ID+"/users", "operation=add", `{"UserEmailList":["a@b.co","A@B.CO"],"UserType":"SharedDevice"}`)
	f.Add("POST", "/accounts/"+lwa.ID+"/users", "operation=suspend", `{"UserIdList":["u","",null]}`)
	f.Add("POST", "/accounts/"+team.ID+"/users", "", `{"UpdateUserRequestItems":[{"UserId":"u","LicenseType":"Basic","AlexaForBusinessMetadata":{"IsAlexaForBusinessEnabled":true}}]}`)
	f.Add("GET", "/accounts", "name=a%00b&max-results=99999999999999999999", ``)
	f.Add("GET", "/accounts/"+team.ID+"/users", "next-token=AAAA&user-type=Robot", ``)
	f.Add("PUT", "/accounts/"+team.ID+"/settings", "", `{"AccountSettings":{"EnableDialOut":"yes"}}`)
	f.Add("PUT", "/_chimed/accounts/"+team.ID+"/type", "", `{"AccountType":"EnterpriseOIDC"}`)
	f.Add("POST", "/accounts//users/%ff", "operation=logout", `[`)

	methods := map[string]bool{"GET": true, "POST": true, "PUT": true, "DELETE": true}
	f.Fuzz(func(t *testing.T, method, path, query, body string) {
		if !methods[method] {
			method = "POST"
		}
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " ?#\r\n\t") || strings.ContainsAny(query, " #\r\n\t") {
			return // not a request line a client can send
		}
		req, err := http.NewRequest(method, "http://chimed"+path+"?"+query, bytes.NewReader([]byte(body)))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261122/us-east-1/chime/aws4_request, "+
			"SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%s %q: status %d: %s", method, path, query, body, rec.Code, rec.Body)
		}
		isJSON := strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json")
		if rec.Code >= 400 && isJSON && rec.Header().Get("x-amzn-ErrorType") == "" {
			t.Fatalf("%s %s: error %d without x-amzn-ErrorType", method, path, rec.Code)
		}
	})
}

func ptr(s string) *string { return &s }
