package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/smithy-go/middleware"

	"github.com/chimed/chimed/internal/sdkhttp"
)

// outcome is what a request's answer tells about its effect.
type outcome int

const (
	outcomeOK      outcome = iota // 2xx: the write is acknowledged
	outcomeRefused                // 4xx: answered, nothing changed
	outcomeUnknown                // no answer or a 5xx: it may or may not have happened
)

// classify maps an SDK or transport error to an outcome. Only a 4xx is a refusal: an error with a 2xx status
// (the answer cut off while its body was read, as when the server is killed while answering) may come from a
// committed write, so its outcome is unknown.
func classify(err error) outcome {
	if err == nil {
		return outcomeOK
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500 {
		return outcomeRefused
	}
	return outcomeUnknown
}

// result of one request.
type result struct {
	outcome outcome
	reqID   string
	err     error
	at      time.Time // when the answer (or failure) arrived
}

func (r result) ok() bool { return r.outcome == outcomeOK }

// endpoint is one node as the clients see it.
type endpoint struct {
	url    string
	api    *chime.Client
	http   *http.Client
	key    aws.Credentials
	signer *v4.Signer
}

const (
	soakRegion   = "us-east-1"
	requestLimit = 15 * time.Second // a request to a killed node fails fast; this bounds a hung one
)

func newEndpoint(url, keyID, secret string) *endpoint {
	hc := &http.Client{Timeout: requestLimit, Transport: &http.Transport{MaxIdleConnsPerHost: 64,
		IdleConnTimeout: 30 * time.Second}}
	api := chime.New(chime.Options{Region: soakRegion, BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		// A retried non-idempotent write could apply twice: every attempt is the soak's own. Without the
		// wrapper, a 2xx can be cut short under load (see sdkhttp).
		RetryMaxAttempts: 1,
		HTTPClient:       sdkhttp.WithoutBodyWriteTo(hc)})
	return &endpoint{url: url, api: api, http: hc, key: aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret},
		signer: v4.NewSigner()}
}

// apiFn is a method expression of the SDK client, e.g. (*chime.Client).CreateAccount.
type apiFn[I, O any] func(*chime.Client, context.Context, *I, ...func(*chime.Options)) (*O, error)

// call sends one SDK request through the worker's current node, times it into the stats and classifies its
// answer; a request that got no answer moves the worker to the next node.
func call[I, O any](ctx context.Context, w *worker, fn apiFn[I, O], in *I) (*O, result) {
	op := strings.TrimSuffix(reflect.TypeOf(in).Elem().Name(), "Input")
	ep := w.endpoint()
	t0 := time.Now()
	out, err := fn(ep.api, ctx, in)
	r := result{outcome: classify(err), err: err, at: time.Now()}
	w.s.stats.record(op, r.at.Sub(t0), r.outcome)
	if out != nil {
		if md, ok := reflect.ValueOf(out).Elem().FieldByName("ResultMetadata").Interface().(middleware.Metadata); ok {
			r.reqID, _ = awsmiddleware.GetRequestIDMetadata(md)
		}
	}
	if r.outcome == outcomeUnknown {
		w.nextNode()
	}
	return out, r
}

// raw sends a signed request to a chimed extension (/_chimed/…) and returns the status and body.
func (ep *endpoint) raw(ctx context.Context, method, path string, body []byte) (int, []byte, string, error) {
	sum := sha256.Sum256(body)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, ep.url+path, rd)
	if err != nil {
		return 0, nil, "", err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if err := ep.signer.SignHTTP(ctx, ep.key, req, hex.EncodeToString(sum[:]), "chime", soakRegion, time.Now()); err != nil {
		return 0, nil, "", err
	}
	resp, err := ep.http.Do(req)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header.Get("X-Amzn-Requestid"), err
}

// rawCall is raw through the worker's node, timed and classified like call.
func rawCall(ctx context.Context, w *worker, op, method, path string, body []byte) ([]byte, result) {
	ep := w.endpoint()
	t0 := time.Now()
	status, b, reqID, err := ep.raw(ctx, method, path, body)
	r := result{err: err, reqID: reqID, at: time.Now()}
	switch {
	case err != nil || status >= 500:
		r.outcome = outcomeUnknown
		if err == nil {
			r.err = errors.New(http.StatusText(status) + ": " + string(b))
		}
	case status >= 300:
		r.outcome = outcomeRefused
		r.err = errors.New(http.StatusText(status) + ": " + string(b))
	}
	w.s.stats.record(op, r.at.Sub(t0), r.outcome)
	if r.outcome == outcomeUnknown {
		w.nextNode()
	}
	return b, r
}
