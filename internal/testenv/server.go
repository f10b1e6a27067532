package testenv

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	chimed "github.com/chimed/chimed"
	chimehttp "github.com/chimed/chimed/http"
	"github.com/chimed/chimed/sigv4"
	"github.com/chimed/chimed/sqlstore"
)

// Config tunes a Server. The zero Config is the emulator (`--auth any`) on DSN(tb) with default service
// options and no throttling.
type Config struct {
	// DSN is the database; "" means DSN(tb).
	DSN string
	// Service are the options of the chime.Service; ServiceFor, when set, replaces them.
	Service chimed.ServiceOptions
	// ServiceFor returns the service options once the server's URL is known (it is, before the server starts
	// serving): for options that name the server, such as PublicURL. It may fail tb.
	ServiceFor func(url string) chimed.ServiceOptions
	// SigV4, when set, makes the server verify signatures (http.SigV4Auth with sigv4.New(*SigV4) and the
	// server's Credentials); nil is the emulator mode (http.AnyAuth).
	SigV4 *sigv4.Options
	// EmulatorRegions are the signing regions the emulator mode accepts (--regions); nil accepts any.
	EmulatorRegions []string
	// RateLimiter throttles per access key; nil does not throttle.
	RateLimiter *chimehttp.RateLimiter
	// Logger is the HTTP server's logger; nil discards.
	Logger *slog.Logger
	// Keyring seals the secrets of Credentials; nil means MustKeyring(tb).
	Keyring *chimed.Keyring
	// AllowClockControl lets PUT /_chimed/clock move the server clock (--allow-clock-control).
	AllowClockControl bool
	// WebhookRateLimit is the requests per second of each incoming webhook URL (--webhook-rate-limit); 0: none.
	WebhookRateLimit float64
}

// Server is a chimed (store, service and http.NewServer) behind an httptest server on 127.0.0.1:0. When the
// test ends the server stops, the service drains its background work and the store closes.
type Server struct {
	URL         string              // http://127.0.0.1:PORT
	DSN         string              // the database it runs on
	Store       *sqlstore.DB        // its store
	Service     *chimed.Service     // its service
	Credentials *chimed.Credentials // access keys of its store (checked when Config.SigV4 is set)
	HTTP        *httptest.Server    // the listener
}

// NewServer starts a Server configured by c; it stops when tb ends.
func NewServer(tb testing.TB, c Config) *Server {
	tb.Helper()
	s := &Server{DSN: c.DSN}
	if s.DSN == "" {
		s.DSN = DSN(tb)
	}
	s.Store = MustOpen(tb, s.DSN)
	keyring := c.Keyring
	if keyring == nil {
		keyring = MustKeyring(tb)
	}
	s.Credentials = chimed.NewCredentials(s.Store, keyring)

	// The listener first, so that the service options may name the server's URL.
	var h http.Handler
	s.HTTP = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
	}))
	s.URL = "http://" + s.HTTP.Listener.Addr().String()
	tb.Cleanup(func() {
		s.HTTP.Close()
		if s.Service != nil {
			s.Service.Drain(context.Background())
		}
	})
	o := c.Service
	if c.ServiceFor != nil {
		o = c.ServiceFor(s.URL)
	}
	s.Service = MustService(tb, s.Store, o)
	var auth chimehttp.Authenticator = chimehttp.AnyAuth{Regions: c.EmulatorRegions}
	if c.SigV4 != nil {
		auth = chimehttp.SigV4Auth{Verifier: sigv4.New(*c.SigV4), Credentials: s.Credentials}
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h = chimehttp.NewServer(chimehttp.Options{Service: s.Service, Authenticator: auth, Logger: logger,
		RateLimiter: c.RateLimiter, AllowClockControl: c.AllowClockControl, WebhookRateLimit: c.WebhookRateLimit})
	s.HTTP.Start()
	if s.HTTP.URL != s.URL {
		tb.Fatalf("httptest server at %s, announced as %s", s.HTTP.URL, s.URL)
	}
	return s
}

// Client returns an SDK client of the server for access key keyID with the emulator's secret (AnySecret): in
// the emulator mode a 12-digit key id is the caller's AWS account.
func (s *Server) Client(keyID string, optFns ...func(*chime.Options)) *chime.Client {
	return NewClient(s.URL, Key{ID: keyID, Secret: AnySecret}, optFns...)
}

// ClientFor returns an SDK client of the server signing with key k.
func (s *Server) ClientFor(k Key, optFns ...func(*chime.Options)) *chime.Client {
	return NewClient(s.URL, k, optFns...)
}

// MustKey creates an access key of AWS account awsAccountID (read-only if readOnly) in the server's store.
func (s *Server) MustKey(tb testing.TB, awsAccountID string, readOnly bool) Key {
	tb.Helper()
	id, secret, err := s.Credentials.Create(context.Background(), awsAccountID, readOnly)
	if err != nil {
		tb.Fatalf("create credentials: %v", err)
	}
	return Key{ID: id, Secret: secret}
}
