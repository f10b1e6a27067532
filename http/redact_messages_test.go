package http

import (
	"net/url"
	"testing"
)

// The incoming webhook URLs' id is kept out of the logs like the invitation tokens (the token is in the query,
// which is never logged).
func TestIncomingWebhookLogPath(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]string{"/incomingwebhooks/0b7e-id": "/incomingwebhooks/{token}",
		"/IncomingWebhooks/x": "/IncomingWebhooks/{token}", "/incomingwebhooks": "/incomingwebhooks", "/i": "/i"} {
		u, err := url.ParseRequestURI(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := redactPath(u); got != want {
			t.Errorf("log path of %s = %s, want %s", raw, got, want)
		}
	}
}
