package chime

import (
	"context"
	"sync"
)

// ReadScope groups the store reads of one request. A store whose cached answers must first be made exact by
// some work (on a PostgreSQL node: one wait for the invalidations of the other nodes, see sqlstore) may do
// that work once per scope instead of once per read: every read of the scope then answers as of a moment
// after the scope began, so a request that begins after a write was acknowledged never sees an older value.
// The HTTP layer opens one scope per request (WithReadScope); reads without a scope do the work themselves.
type ReadScope struct {
	mu    sync.Mutex
	owner any // the store that did the work for this scope
}

type readScopeKey struct{}

// scopeCtx is a context carrying a ReadScope: one allocation per request where context.WithValue and the
// scope took two.
type scopeCtx struct {
	context.Context
	scope ReadScope
}

func (c *scopeCtx) Value(key any) any {
	if key == (readScopeKey{}) {
		return &c.scope
	}
	return c.Context.Value(key)
}

// WithReadScope returns ctx carrying a new, empty ReadScope. Open it when a request begins, never earlier: a
// scope must not outlive the request it stands for.
func WithReadScope(ctx context.Context) context.Context {
	return &scopeCtx{Context: ctx}
}

// ReadScopeFrom returns the scope ctx carries, or nil.
func ReadScopeFrom(ctx context.Context) *ReadScope {
	s, _ := ctx.Value(readScopeKey{}).(*ReadScope)
	return s
}

// Done reports whether owner (a store, compared by identity) did its work for this scope.
func (s *ReadScope) Done(owner any) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.owner == owner
}

// MarkDone records that owner did its work for this scope.
func (s *ReadScope) MarkDone(owner any) {
	s.mu.Lock()
	s.owner = owner
	s.mu.Unlock()
}
