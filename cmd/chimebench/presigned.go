package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// The presigned load mode: before the timed phase, a pool of fully signed requests is built as raw HTTP/1.1
// bytes (signed once, like wrk replaying a pre-signed script), re-signed in the background before the signatures
// age out of the server's clock-skew window, and replayed over persistent connections by rawload.go. What the
// server receives is byte for byte what an SDK would send; what the generator spends per request is a write and
// a minimal response parse, so the numbers reflect the server rather than the signer.

// resignEvery is how often a pool is signed anew. SigV4 servers accept a signing time within a clock-skew window
// (5 minutes at AWS, 15 at chimed); two minutes leaves a margin everywhere.
const resignEvery = 2 * time.Minute

// presign signs one request as aws-sdk-go-v2 would send it to host and returns its raw HTTP/1.1 bytes.
func (c *client) presign(ctx context.Context, host, method, path string, body []byte, at time.Time) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+host+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hash := emptySHA
	if body != nil {
		s := sha256.Sum256(body)
		hash = hex.EncodeToString(s[:])
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	if err := c.signer.SignHTTP(ctx, c.creds, req, hash, "chime", c.region, at); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: chimebench\r\n", method, req.URL.RequestURI(), host)
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range req.Header[k] {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	if len(body) > 0 || method == "POST" || method == "PUT" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes(), nil
}

// signedPool holds a pool of signed requests, replaced wholesale when re-signed: readers load the current slice
// with one atomic load and never see a partial pool.
type signedPool struct {
	reqs atomic.Pointer[[][]byte]
	stop func()
}

// load returns the current requests.
func (p *signedPool) load() [][]byte { return *p.reqs.Load() }

// newSignedPool builds n signed requests, drawn from ops by weight with a fixed seed (so re-signing reproduces the
// same requests), and re-signs them every resignEvery until close.
func newSignedPool(ctx context.Context, c *client, host string, ops []op, weights []int, n int) (*signedPool, error) {
	return newSignedPoolEvery(ctx, c, host, ops, weights, n, resignEvery)
}

// newSignedPoolEvery is newSignedPool re-signing every `every`.
func newSignedPoolEvery(ctx context.Context, c *client, host string, ops []op, weights []int, n int,
	every time.Duration) (*signedPool, error) {
	build := func() ([][]byte, error) {
		total := 0
		for _, w := range weights {
			total += w
		}
		r := rand.New(rand.NewPCG(7, 11))
		now := time.Now()
		reqs := make([][]byte, n)
		for j := range reqs {
			k := r.IntN(total)
			i := 0
			for k >= weights[i] {
				k -= weights[i]
				i++
			}
			method, path, body := ops[i].next(r)
			raw, err := c.presign(ctx, host, method, path, body, now)
			if err != nil {
				return nil, err
			}
			reqs[j] = raw
		}
		return reqs, nil
	}
	reqs, err := build()
	if err != nil {
		return nil, err
	}
	p := &signedPool{}
	p.reqs.Store(&reqs)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				if fresh, err := build(); err == nil {
					p.reqs.Store(&fresh)
				}
			}
		}
	}()
	p.stop = sync.OnceFunc(func() { close(done); wg.Wait() })
	return p, nil
}

// close stops re-signing.
func (p *signedPool) close() { p.stop() }
