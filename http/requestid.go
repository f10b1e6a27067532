package http

import (
	"crypto/rand"
	"encoding/binary"
	"sync/atomic"

	"github.com/google/uuid"
)

// requestIDs issues the x-amzn-RequestId of every request: UUID-shaped (version 4, RFC 4122 variant, as AWS's
// own), unique without a random read per request. The first 8 bytes are random per server, the last 8 a
// random starting value plus a counter; two servers (or one restarted) share an ID only if 64 random bits
// agree.
type requestIDs struct {
	hi uint64
	lo atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go ≥ 1.24)
	g := &requestIDs{hi: binary.BigEndian.Uint64(b[:8])}
	g.lo.Store(binary.BigEndian.Uint64(b[8:]))
	return g
}

// next returns a new request ID.
func (g *requestIDs) next() string {
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], g.hi)
	binary.BigEndian.PutUint64(u[8:], g.lo.Add(1))
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return uuid.UUID(u).String()
}
