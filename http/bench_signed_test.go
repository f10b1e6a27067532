package http_test

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"

	chimed "github.com/chimed/chimed"
	"github.com/chimed/chimed/internal/testenv"
	"github.com/chimed/chimed/sigv4"
)

// discardWriter is the http.ResponseWriter of BenchmarkGetUserSigned: a fresh header map per request, as
// net/http gives each response, and the body counted, not kept.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }

// BenchmarkGetUserSigned measures chimed's own work for one GetUser with its signature verified (SigV4 with a
// stored access key, the cached read, the encoding), without net/http's parsing and writing: the part of a
// request's CPU that the reference server of chimebench does not have. The request is parsed once, from the
// bytes an SDK sends, and served again on every iteration.
func BenchmarkGetUserSigned(b *testing.B) { benchGetUserSigned(b, false) }

// BenchmarkGetUserSignedParallel is BenchmarkGetUserSigned from GOMAXPROCS goroutines at once: what the
// request path's shared state (locks, counters, caches) costs when cores contend for it.
func BenchmarkGetUserSignedParallel(b *testing.B) { benchGetUserSigned(b, true) }

func benchGetUserSigned(b *testing.B, parallel bool) {
	srv := testenv.NewServer(b, testenv.Config{SigV4: &sigv4.Options{}})
	key := srv.MustKey(b, "111122223333", false)
	ctx := context.Background()
	name := "bench"
	a, err := srv.Service.CreateAccount(ctx, "111122223333", &name)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := srv.Service.InviteUsers(ctx, "111122223333", a.ID, []string{"mateo.jackson@example.com"}, nil); err != nil {
		b.Fatal(err)
	}
	users, _, err := srv.Service.ListUsers(ctx, "111122223333", a.ID, chimed.ListUsersInput{MaxResults: 1})
	if err != nil || len(users) != 1 {
		b.Fatalf("%d users: %v", len(users), err)
	}
	h := srv.HTTP.Config.Handler // the server's own handler (SigV4, a discarding logger: no access log lines)
	req, err := http.NewRequest("GET", srv.URL+"/accounts/"+a.ID+"/users/"+users[0].ID, http.NoBody)
	if err != nil {
		b.Fatal(err)
	}
	testenv.Sign(b, req, nil, key)
	var wire strings.Builder
	if err := req.Write(&wire); err != nil {
		b.Fatal(err)
	}
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(wire.String())))
	if err != nil {
		b.Fatal(err)
	}
	r.RemoteAddr = "127.0.0.1:1"
	// serve answers r once into w, with a fresh header map as net/http gives each response, and its status.
	serve := func(w *discardWriter) int {
		w.h, w.status = http.Header{}, 0
		h.ServeHTTP(w, r)
		return w.status
	}
	if st := serve(&discardWriter{}); st != http.StatusOK {
		b.Fatalf("status %d", st)
	}
	b.ReportAllocs()
	if !parallel {
		w := &discardWriter{}
		for b.Loop() {
			serve(w)
		}
		if w.status != http.StatusOK {
			b.Fatalf("status %d", w.status)
		}
		return
	}
	b.ResetTimer() // b.Loop does this itself
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{}
		for pb.Next() {
			if st := serve(w); st != http.StatusOK {
				b.Errorf("status %d", st)
				return
			}
		}
	})
}
