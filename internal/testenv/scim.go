package testenv

import (
	"context"
	"testing"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/scim"
)

// MustSCIMToken creates a SCIM token of the Chime account accountID of AWS account aws in the server's store (as
// `chimed scim-token create` does) and returns the token and its record.
func (s *Server) MustSCIMToken(tb testing.TB, aws, accountID string) (string, *chimed.SCIMToken) {
	tb.Helper()
	t, token, err := chimed.CreateSCIMToken(context.Background(), s.Store, aws, accountID)
	if err != nil {
		tb.Fatalf("create a SCIM token: %v", err)
	}
	return token, t
}

// SCIMURL returns the base URL of the SCIM service of the Chime account accountID (no trailing slash).
func (s *Server) SCIMURL(accountID string) string {
	return s.URL + scim.PathPrefix + "accounts/" + accountID
}
