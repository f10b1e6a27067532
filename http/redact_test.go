package http

import (
	"net/url"
	"testing"
)

// TestRedactPath: what follows "/invite" or "/signin" anywhere in the decoded path is logged as "/{token}";
// other paths are logged as sent.
func TestRedactPath(t *testing.T) {
	t.Parallel()
	const tok = "IpEKVnY_nRDh_FL_4D8dILgrA886AAQlhQE57KMW8C0"
	for _, tc := range []struct{ raw, want string }{
		{"/invite/" + tok, "/invite/{token}"},
		{"/signin/" + tok, "/signin/{token}"},
		{"/signin/" + tok + "/", "/signin/{token}"},
		{"//invite/" + tok, "//invite/{token}"},
		{"/invite//" + tok, "/invite/{token}"},
		{"/%69nvite/" + tok, "/invite/{token}"},
		{"/invite%2F" + tok, "/invite/{token}"},
		{"/SignIn/" + tok, "/SignIn/{token}"},
		{"/console/invite/" + tok, "/console/invite/{token}"},
		{"/invite" + tok, "/invite/{token}"},
		{"/signin", "/signin"},
		{"/signin/", "/signin/"},
		{"/signin//", "/signin//"},
		{"/accounts/a%2Fb/users/u", "/accounts/a%2Fb/users/u"},
		{"/accounts/x/users/y", "/accounts/x/users/y"},
		{"/_chimed/session", "/_chimed/session"},
		{"/", "/"},
		{"/s", "/s"},
	} {
		u, err := url.ParseRequestURI(tc.raw) // as net/http parses a request target
		if err != nil {
			t.Fatal(err)
		}
		if got := redactPath(u); got != tc.want {
			t.Errorf("redactPath(%s) = %s, want %s", tc.raw, got, tc.want)
		}
	}
}
