package sdkhttp

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

type recorder struct{ body io.ReadCloser }

func (r *recorder) Do(req *http.Request) (*http.Response, error) { r.body = req.Body; return nil, nil }

// The body reaches the wrapped client readable and whole, without WriteTo; no body and NoBody stay as they are.
// (The race this prevents is reproduced end to end by http's TestSDKBodyRaceSlowWriter.)
func TestWithoutBodyWriteTo(t *testing.T) {
	rec := &recorder{}
	c := WithoutBodyWriteTo(rec)
	req, _ := http.NewRequest("POST", "http://x/", io.NopCloser(bytes.NewReader([]byte("payload"))))
	if _, ok := req.Body.(io.WriterTo); !ok {
		t.Fatal("setup: the body should have WriteTo")
	}
	c.Do(req)
	if _, ok := rec.body.(io.WriterTo); ok {
		t.Fatal("the body still has WriteTo")
	}
	if b, err := io.ReadAll(rec.body); err != nil || string(b) != "payload" {
		t.Fatalf("body %q, %v", b, err)
	}
	for _, body := range []io.ReadCloser{nil, http.NoBody} {
		req, _ := http.NewRequest("GET", "http://x/", nil)
		req.Body = body
		c.Do(req)
		if rec.body != body {
			t.Fatalf("body %v became %v", body, rec.body)
		}
	}
}
