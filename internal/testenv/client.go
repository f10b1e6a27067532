package testenv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"

	"github.com/chimed/chimed/internal/sdkhttp"
)

// Region is the region test clients and signed requests use unless told otherwise.
const Region = "us-east-1"

// Service is the SigV4 service name of the Chime API.
const Service = "chime"

// AnySecret is the secret test clients use in the emulator mode (`--auth any`), which does not check it.
const AnySecret = "secret"

// Key is an access key: id, secret and, rarely, a session token.
type Key struct {
	ID, Secret, Token string
}

// NewClient returns an aws-sdk-go-v2 Chime client of the server at endpoint (e.g. http://127.0.0.1:PORT)
// signing with k, in Region, that never retries (a failure must show); optFns adjust the options further.
func NewClient(endpoint string, k Key, optFns ...func(*chime.Options)) *chime.Client {
	return chime.New(chime.Options{
		Region:           Region,
		BaseEndpoint:     aws.String(endpoint),
		Credentials:      credentials.NewStaticCredentialsProvider(k.ID, k.Secret, k.Token),
		RetryMaxAttempts: 1,
		HTTPClient:       HTTPClient(),
	}, optFns...)
}

// HTTPClient returns the SDK's default HTTP client (transport adjusted by optFns) as every SDK client of the
// tests must use it: through sdkhttp.WithoutBodyWriteTo, without which a response can be cut short under load.
func HTTPClient(optFns ...func(*http.Transport)) aws.HTTPClient {
	return sdkhttp.WithoutBodyWriteTo(awshttp.NewBuildableClient().WithTransportOptions(optFns...))
}

// WithRegion is a NewClient option: sign for region instead of Region.
func WithRegion(region string) func(*chime.Options) {
	return func(o *chime.Options) { o.Region = region }
}

// SignV4 signs req in place with the SDK's SigV4 signer: body is the payload whose SHA-256 is signed (nil for
// none; req's own body is not read), for service and region at time at.
func SignV4(tb testing.TB, req *http.Request, body []byte, k Key, service, region string, at time.Time) {
	tb.Helper()
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: k.ID, SecretAccessKey: k.Secret, SessionToken: k.Token}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region,
		at); err != nil {
		tb.Fatalf("sign: %v", err)
	}
}

// Sign signs req in place as SignV4 does, for the Chime service in Region, now.
func Sign(tb testing.TB, req *http.Request, body []byte, k Key) {
	tb.Helper()
	SignV4(tb, req, body, k, Service, Region, time.Now())
}

// Response is an HTTP response read in full.
type Response struct {
	Status int         // HTTP status code
	Header http.Header // response headers
	Body   []byte      // the whole body
}

// Send performs req with http.DefaultClient and reads the whole response; a failure to send or read fails tb.
func Send(tb testing.TB, req *http.Request) Response {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}
