package sqlstore_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	chime "github.com/chimed/chimed"
	"github.com/chimed/chimed/sqlstore/pgtest"
)

// PostgreSQL-only behaviour: what a node sees when the database goes away and comes back.

// tcpProxy forwards 127.0.0.1:port to a target; stop cuts every connection, start listens again on the port.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target, addr: "127.0.0.1:0"}
	p.start()
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) start() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

func (p *tcpProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Ping (and so /_chimed/ready) follows the database: it fails, within its bound, while the database cannot be
// reached, and the pool reconnects by itself when it can be again.
func TestPingFollowsDatabaseReachability(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(pgtest.DSN(t))
	must(t, err)
	p := newProxy(t, u.Host)
	u.Host = p.addr
	db := MustOpen(t, u.String())
	svc := MustService(t, db, chime.ServiceOptions{})
	MustAccount(t, svc, aws1, "before", chime.AccountTeam)
	must(t, db.Ping(ctx))

	p.stop()
	start := time.Now()
	if err := db.Ping(ctx); err == nil {
		t.Fatal("Ping succeeds while the database is unreachable")
	}
	if d := time.Since(start); d > 6*time.Second {
		t.Fatalf("Ping took %v to fail", d)
	}
	if _, err := svc.CreateAccount(ctx, aws1, ptr("while down")); err == nil {
		t.Fatal("a write succeeded while the database is unreachable")
	}

	p.start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := db.Ping(pctx)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Ping still fails after the database came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	MustAccount(t, svc, aws1, "after", chime.AccountTeam)
	if list, _, err := svc.ListAccounts(ctx, aws1, chime.ListAccountsInput{}); err != nil || len(list) != 2 {
		t.Fatalf("accounts after the outage: %d, %v", len(list), err)
	}
}
