package http

import (
	"testing"

	"github.com/google/uuid"
)

// TestRequestIDs: every ID parses as a version-4 UUID of the RFC 4122 variant, IDs of one server never repeat,
// and two servers start from different places.
func TestRequestIDs(t *testing.T) {
	g, h := newRequestIDs(), newRequestIDs()
	seen := map[string]bool{}
	for range 10000 {
		id := g.next()
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 || u.String() != id {
			t.Fatalf("%q: not a canonical version-4 UUID (%v)", id, err)
		}
		if seen[id] {
			t.Fatalf("%q issued twice", id)
		}
		seen[id] = true
	}
	if id := h.next(); seen[id] {
		t.Fatalf("a second server issued %q, an ID of the first", id)
	}
}
