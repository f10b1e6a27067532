// Package botdelivery is the HTTP client that posts bot events and endpoint challenges (docs/behavior.md §10):
// a chime.BotSender. It is hardened for endpoints chimed does not control: every attempt is bounded by its
// context, connection set-up and headers by their own timeouts, the response body is read up to MaxBody bytes
// only, redirects are never followed (the 3xx itself is the answer), and TLS certificates are verified against
// the system roots plus an optional PEM file (--bot-ca-file).
package botdelivery

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	chime "github.com/chimed/chimed"
)

// MaxBody is how much of a response body is read: enough for a challenge echo.
const MaxBody = 4 << 10

// Config tunes a Sender.
type Config struct {
	// CAFile names a PEM file of extra root certificates trusted for https:// endpoints ("" = none).
	CAFile string
	// Timeout bounds one request when its context has no earlier deadline (default chime.DefaultBotDeliveryTimeout).
	Timeout time.Duration
	// UserAgent is sent as User-Agent (default "chimed").
	UserAgent string
}

// Sender posts signed requests to bot endpoints; it implements chime.BotSender.
type Sender struct {
	client    *http.Client
	userAgent string
}

var _ chime.BotSender = (*Sender)(nil)

// New returns a Sender. Errors: the CA file cannot be read or holds no certificate.
func New(c Config) (*Sender, error) {
	if c.Timeout <= 0 {
		c.Timeout = chime.DefaultBotDeliveryTimeout
	}
	if c.UserAgent == "" {
		c.UserAgent = "chimed"
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("bot CA file: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("bot CA file %s: no PEM certificate in it", c.CAFile)
		}
	}
	dialer := &net.Dialer{Timeout: c.Timeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                  nil, // endpoints are reached directly
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    c.Timeout,
		ResponseHeaderTimeout:  c.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 16 << 10,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        60 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	return &Sender{userAgent: c.UserAgent, client: &http.Client{
		Transport: transport,
		Timeout:   c.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is an answer, never followed
		},
	}}, nil
}

// Send implements chime.BotSender: one POST of r.Body with the Chime headers. Errors: no response arrived (a
// timeout, a refused connection, a TLS failure, ctx ended); the error never names the headers.
func (s *Sender) Send(ctx context.Context, r chime.BotRequest) (chime.BotResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return chime.BotResponse{}, fmt.Errorf("bad endpoint URL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.userAgent)
	req.Header.Set("Chime-Request-Timestamp", r.Timestamp)
	req.Header.Set("Chime-Signature", r.Signature)
	resp, err := s.client.Do(req)
	if err != nil {
		var ue interface{ Timeout() bool }
		if errors.As(err, &ue) && ue.Timeout() {
			return chime.BotResponse{}, fmt.Errorf("timeout: %w", context.DeadlineExceeded)
		}
		return chime.BotResponse{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	return chime.BotResponse{StatusCode: resp.StatusCode, Body: body}, nil
}
