package http_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/chimed/chimed/internal/testenv"
)

// slowConn is a client connection that makes the request-body race of aws/aws-sdk-go-v2#2737 happen every time:
// every write returns 50 ms after the bytes were sent (the request's writer is descheduled right after sending the
// body, as it is under CPU load), and every read after the first waits 300 ms (the caller reads a long response
// slowly), so the response's headers arrive and the SDK closes the request body before the writer finishes.
type slowConn struct {
	net.Conn
	reads atomic.Int32
}

func (c *slowConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	time.Sleep(50 * time.Millisecond)
	return n, err
}

func (c *slowConn) Read(p []byte) (int, error) {
	if c.reads.Add(1) > 1 {
		time.Sleep(300 * time.Millisecond)
	}
	return c.Conn.Read(p)
}

// TestSDKBodyRaceSlowWriter: through connections that reproduce the SDK's request-body race deterministically,
// LookupEvents with a response larger than the transport's first read (4 KiB) succeeds with the tests' HTTP client
// (testenv.HTTPClient). With the SDK's own client this fails with "use of closed network connection" — the
// flake once seen in TestAuditRecordsEverySuccessfulMutation.
func TestSDKBodyRaceSlowWriter(t *testing.T) {
	t.Parallel()
	s, c := setup(t)
	for i := range 20 {
		if _, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String(fmt.Sprintf("race-%02d", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var d net.Dialer
	slow := func(tr *http.Transport) {
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &slowConn{Conn: conn}, nil
		}
	}
	ct := cloudtrail.New(cloudtrail.Options{Region: testenv.Region, BaseEndpoint: aws.String(s.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: tenantA, SecretAccessKey: testenv.AnySecret}, nil
		}),
		RetryMaxAttempts: 1, HTTPClient: testenv.HTTPClient(slow)})
	for range 2 {
		out, err := ct.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(20)})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Events) != 20 {
			t.Fatalf("%d events, want 20", len(out.Events))
		}
	}
}
