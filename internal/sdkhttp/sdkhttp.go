// Package sdkhttp holds what chimed's own AWS SDK clients (tests, chimesoak) need from their HTTP client.
package sdkhttp

import (
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// WithoutBodyWriteTo returns next with one change: request bodies reach net/http without their WriteTo method.
//
// Why: smithy-go wraps a request body whose reader has WriteTo in a closer whose WriteTo returns io.EOF once
// closed, and it closes the body as soon as the response headers arrive. net/http's writeLoop writes the body
// straight to the socket once the headers are flushed, then drains what is left after Content-Length with
// io.Copy, which prefers WriteTo. If the server answered in between (the writer was descheduled, as under CPU
// load), the drain fails with io.EOF, the transport takes that for a write error and closes the connection
// while the SDK is still reading a response longer than the transport's first read (aws/aws-sdk-go-v2#2737).
// The caller then sees "use of closed network connection" for a response the server sent whole. Without
// WriteTo, io.Copy reads, and the closed body simply reads as EOF.
func WithoutBodyWriteTo(next aws.HTTPClient) aws.HTTPClient { return bodyWithoutWriteTo{next} }

type bodyWithoutWriteTo struct{ next aws.HTTPClient }

// Do sends r through the wrapped client with r.Body reduced to an io.ReadCloser; errors are the wrapped client's.
func (c bodyWithoutWriteTo) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return c.next.Do(r)
}
