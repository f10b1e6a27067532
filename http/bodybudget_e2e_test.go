package http_test

import (
	"bufio"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	//lint:ignore SA1019 Chime is deprecated, but it is the API chimed serves
	"github.com/aws/aws-sdk-go-v2/service/chime"
	"github.com/aws/aws-sdk-go-v2/service/chime/types"

	chimed "github.com/chimed/chimed"
	chimehttp "github.com/chimed/chimed/http"
	"github.com/chimed/chimed/internal/testenv"
)

func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// trickler is a client that declares a 1 MiB body and sends all of it but the last byte, slowly, then holds
// the connection.
type trickler struct {
	conn   net.Conn
	hdr    []byte        // the request line and headers
	body   []byte        // one piece of the body
	pieces int           // pieces in the body
	pause  time.Duration // between pieces
	wrote  chan struct{} // closed when it has written what it will write (or its connection broke)
	status chan int      // the status of the answer, if one comes
	once   sync.Once     // closes conn
}

func startTrickler(t *testing.T, addr string) *trickler {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	const piece = 16 << 10
	k := &trickler{conn: conn, wrote: make(chan struct{}), status: make(chan int, 1), body: make([]byte, piece),
		pieces: chimehttp.MaxBodyBytes / piece, pause: 10 * time.Millisecond}
	for i := range k.body {
		k.body[i] = ' '
	}
	k.hdr = fmt.Appendf(nil, "POST /accounts HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Content-Length: %d\r\nX-Amz-Date: 20261122T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 "+
		"Credential=111122223333/20261122/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, "+
		"Signature=%064d\r\n\r\n", addr, chimehttp.MaxBodyBytes, 0)
	go func() {
		defer close(k.wrote)
		if _, err := conn.Write(k.hdr); err != nil {
			return
		}
		for i := range k.pieces {
			b := k.body
			if i == k.pieces-1 {
				b = b[:len(b)-1] // the last byte never comes
			}
			if _, err := conn.Write(b); err != nil {
				return
			}
			time.Sleep(k.pause)
		}
	}()
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return
		}
		resp.Body.Close()
		k.status <- resp.StatusCode
	}()
	return k
}

func (k *trickler) close() { k.once.Do(func() { k.conn.Close() }) }

// TestBodyMemoryUnderTrickleAttack: many unauthenticated clients trickling 1 MiB bodies hold no more body
// memory than the server's budget (the others are refused with 503 after a short wait), while a separate client
// still gets its GetUser answers at once, and a write with a body is refused with a retryable
// ServiceUnavailableException until the attack ends (docs/behavior.md D17). Before the budget every client's
// body was read whole: the heap grew by about 1 MiB per client.
//
// Not parallel: it measures the process's heap.
func TestBodyMemoryUnderTrickleAttack(t *testing.T) {
	const (
		attackers = 48
		budget    = 4 << 20
		holders   = budget / chimehttp.MaxBodyBytes
	)
	store := testenv.MustOpen(t, testenv.DSN(t))
	svc := testenv.MustService(t, store, chimed.ServiceOptions{})
	h := chimehttp.NewServer(chimehttp.Options{Service: svc, Authenticator: chimehttp.AnyAuth{},
		Logger: slog.New(slog.DiscardHandler), MaxBodyMemory: budget, BodyMemoryWait: 200 * time.Millisecond})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	c := testenv.NewClient(srv.URL, testenv.Key{ID: tenantA, Secret: testenv.AnySecret})
	a := MustCreateAccount(t, c, "victim")
	uid := MustTeamUser(t, c, *a.AccountId, "probe@example.com")
	MustGetUser(t, c, *a.AccountId, uid)
	base := liveHeap()

	ks := make([]*trickler, attackers)
	for i := range ks {
		ks[i] = startTrickler(t, srv.Listener.Addr().String())
	}
	t.Cleanup(func() { // before srv.Close, which waits for the held requests
		for _, k := range ks {
			k.close()
		}
	})

	// A separate client meanwhile: GetUser answers at once; a body waits, then gets a retryable 503.
	var lat []time.Duration
	for range 100 {
		start := time.Now()
		MustGetUser(t, c, *a.AccountId, uid)
		lat = append(lat, time.Since(start))
		time.Sleep(2 * time.Millisecond)
	}
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	t.Logf("GetUser during the attack: p50 %v, p99 %v, max %v", p50, p99, lat[len(lat)-1])
	if p99 > time.Second {
		t.Errorf("GetUser p99 %v during the attack", p99)
	}
	// Reservations grow with the bytes received, so the budget fills only once the holders have sent most of
	// their bodies: a write may still get through early on, but one is refused before the attack is over.
	refusedWrite := false
	for start := time.Now(); !refusedWrite && time.Since(start) < 20*time.Second; {
		_, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("blocked")})
		var su *types.ServiceUnavailableException
		switch {
		case errors.As(err, &su):
			refusedWrite = true
		case err != nil:
			t.Fatalf("CreateAccount during the attack: %v, want success or ServiceUnavailableException", err)
		default:
			time.Sleep(20 * time.Millisecond)
		}
	}
	if !refusedWrite {
		t.Error("no CreateAccount was refused with ServiceUnavailableException during the attack")
	}

	// Every trickler has written what it will; the ones over the budget were answered 503 and cut off.
	for _, k := range ks {
		select {
		case <-k.wrote:
		case <-time.After(30 * time.Second):
			t.Fatal("a trickler is still writing after 30s")
		}
	}
	time.Sleep(100 * time.Millisecond) // the holders' last pieces are read
	grown := int64(liveHeap()) - int64(base)
	t.Logf("heap grew by %.1f MiB with %d clients holding 1 MiB bodies (budget %d MiB)", float64(grown)/(1<<20),
		attackers, budget>>20)
	if grown > budget+6<<20 {
		t.Errorf("heap grew by %.1f MiB, over the %d MiB budget (+6 MiB slack)", float64(grown)/(1<<20), budget>>20)
	}
	refused := 0
	deadline := time.After(10 * time.Second)
	for _, k := range ks {
		select {
		case st := <-k.status:
			if st != 503 {
				t.Errorf("a trickler got %d", st)
			}
			refused++
		case <-time.After(50 * time.Millisecond): // a holder: no answer yet
		case <-deadline:
		}
	}
	if refused < attackers-holders {
		t.Errorf("%d tricklers refused, want at least %d", refused, attackers-holders)
	}

	// The attack ends: bodies are accepted again.
	for _, k := range ks {
		k.close()
	}
	for start := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		_, err := c.CreateAccount(ctx, &chime.CreateAccountInput{Name: aws.String("after")})
		if err == nil {
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("CreateAccount after the attack: %v", err)
		}
	}
}
