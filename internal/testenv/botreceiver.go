package testenv

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// BotReceiver is a chat bot's HTTP endpoint written the way a bot author writes one (docs/behavior.md §10.3):
// it checks Chime-Signature against the bot's SecurityToken and the freshness of Chime-Request-Timestamp,
// answers an endpoint challenge by echoing it, and keeps every event it accepted. Behaviour can be scripted:
// Fail answers the next requests with a status, Hold keeps the next request waiting until released.
type BotReceiver struct {
	URL    string           // the endpoint
	Server *httptest.Server // its server
	CAFile string           // TLS receivers: a PEM file of the server's certificate (--bot-ca-file)

	mu       sync.Mutex
	token    string
	fail     []int         // statuses answered to the next requests, in order
	hold     chan struct{} // while set, a request waits for it to close (or the client to give up)
	arrived  chan struct{} // signalled when a request arrives
	events   [][]byte      // bodies of accepted events (challenges excluded)
	rejected int           // requests whose signature did not verify
	requests int           // requests received
}

// NewBotReceiver starts a receiver (TLS when tls is set, with CAFile written); it stops when tb ends.
func NewBotReceiver(tb testing.TB, tls bool) *BotReceiver {
	tb.Helper()
	r := &BotReceiver{arrived: make(chan struct{}, 1024)}
	if tls {
		r.Server = httptest.NewTLSServer(r)
		r.CAFile = filepath.Join(tb.TempDir(), "bot-ca.pem")
		p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: r.Server.Certificate().Raw})
		if err := os.WriteFile(r.CAFile, p, 0o600); err != nil {
			tb.Fatal(err)
		}
	} else {
		r.Server = httptest.NewServer(r)
	}
	r.URL = r.Server.URL + "/bot"
	tb.Cleanup(func() { r.Release(); r.Server.Close() })
	return r
}

// SetToken sets the SecurityToken signatures are checked with.
func (r *BotReceiver) SetToken(token string) { r.mu.Lock(); r.token = token; r.mu.Unlock() }

// Fail makes the next len(statuses) requests answer these statuses, after the signature check.
func (r *BotReceiver) Fail(statuses ...int) {
	r.mu.Lock()
	r.fail = append(r.fail, statuses...)
	r.mu.Unlock()
}

// Hold makes requests wait, unanswered, until Release.
func (r *BotReceiver) Hold() { r.mu.Lock(); r.hold = make(chan struct{}); r.mu.Unlock() }

// Release answers the held requests (and no longer holds).
func (r *BotReceiver) Release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hold != nil {
		close(r.hold)
		r.hold = nil
	}
}

// Arrived returns a channel that receives a value per request that arrives.
func (r *BotReceiver) Arrived() <-chan struct{} { return r.arrived }

// Events returns the bodies of the events accepted so far.
func (r *BotReceiver) Events() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.events...)
}

// Counts returns how many requests arrived and how many had a bad signature.
func (r *BotReceiver) Counts() (requests, rejected int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests, r.rejected
}

// WaitEvents waits until n events were accepted (or fails tb after timeout) and returns them.
func (r *BotReceiver) WaitEvents(tb testing.TB, n int, timeout time.Duration) [][]byte {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if ev := r.Events(); len(ev) >= n {
			return ev
		}
		if time.Now().After(deadline) {
			req, rej := r.Counts()
			tb.Fatalf("bot receiver: %d events after %s, want %d (%d requests, %d bad signatures)",
				len(r.Events()), timeout, n, req, rej)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ServeHTTP is the bot: verify, then echo a challenge or keep the event.
func (r *BotReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	r.mu.Lock()
	r.requests++
	token, hold := r.token, r.hold
	r.mu.Unlock()
	select {
	case r.arrived <- struct{}{}:
	default:
	}
	if hold != nil {
		select {
		case <-hold:
		case <-req.Context().Done():
			return
		}
	}
	ts := req.Header.Get("Chime-Request-Timestamp")
	mac := hmac.New(sha256.New, []byte(token))
	mac.Write([]byte(ts + "|"))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	at, err := time.Parse("2006-01-02T15:04:05.000Z", ts)
	if req.Method != http.MethodPost || !hmac.Equal([]byte(want), []byte(req.Header.Get("Chime-Signature"))) ||
		err != nil || time.Since(at).Abs() > 5*time.Minute || req.Header.Get("Content-Type") != "application/json" {
		r.mu.Lock()
		r.rejected++
		r.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	if len(r.fail) > 0 {
		status := r.fail[0]
		r.fail = r.fail[1:]
		r.mu.Unlock()
		w.WriteHeader(status)
		return
	}
	r.mu.Unlock()
	var msg struct{ Challenge, EventType string }
	if json.Unmarshal(body, &msg) == nil && msg.EventType == "HTTPSEndpointVerification" {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"Challenge": msg.Challenge})
		return
	}
	r.mu.Lock()
	r.events = append(r.events, body)
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}
