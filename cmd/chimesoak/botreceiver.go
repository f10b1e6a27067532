package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// botReceiver is the endpoint of every bot the soak creates (path /bot/{botId}): it checks Chime-Signature
// against every SecurityToken the bot was given (a token regenerated while an event is on its way is still the
// bot's), echoes endpoint challenges, and records when each event body arrived. The event body (room, type,
// server timestamp, mention text) identifies the event: the same body twice is the same event delivered twice.
type botReceiver struct {
	url string
	srv *http.Server

	mu       sync.Mutex
	tokens   map[string][]string    // bot id → tokens
	receipts map[string][]time.Time // sha256(body) → arrival times
	rejected int                    // requests with a bad signature
}

func startBotReceiver() (*botReceiver, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &botReceiver{url: "http://" + l.Addr().String() + "/bot/", tokens: map[string][]string{},
		receipts: map[string][]time.Time{}}
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go r.srv.Serve(l)
	return r, nil
}

func (r *botReceiver) close() { r.srv.Close() }

// addToken adds a SecurityToken of bot.
func (r *botReceiver) addToken(bot, token string) {
	r.mu.Lock()
	r.tokens[bot] = append(r.tokens[bot], token)
	r.mu.Unlock()
}

// snapshot returns the receipts by event and the number of rejected requests.
func (r *botReceiver) snapshot() (map[string][]time.Time, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string][]time.Time, len(r.receipts))
	for k, v := range r.receipts {
		out[k] = append([]time.Time(nil), v...)
	}
	return out, r.rejected
}

func bodyKey(body []byte) string {
	s := sha256.Sum256(body)
	return hex.EncodeToString(s[:8])
}

func (r *botReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
	bot := strings.TrimPrefix(req.URL.Path, "/bot/")
	ts := req.Header.Get("Chime-Request-Timestamp")
	r.mu.Lock()
	tokens := r.tokens[bot]
	r.mu.Unlock()
	ok := false
	for _, t := range tokens {
		mac := hmac.New(sha256.New, []byte(t))
		mac.Write([]byte(ts + "|"))
		mac.Write(body)
		if hmac.Equal([]byte(base64.StdEncoding.EncodeToString(mac.Sum(nil))), []byte(req.Header.Get("Chime-Signature"))) {
			ok = true
			break
		}
	}
	var msg struct{ Challenge, EventType string }
	json.Unmarshal(body, &msg)
	if msg.EventType == "HTTPSEndpointVerification" {
		// The endpoint challenge of PutEventsConfiguration: echo it (signatures are checked on events).
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]string{"Challenge": msg.Challenge})
		return
	}
	if !ok {
		r.mu.Lock()
		r.rejected++
		r.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	k := bodyKey(body)
	r.mu.Lock()
	r.receipts[k] = append(r.receipts[k], time.Now())
	r.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}
