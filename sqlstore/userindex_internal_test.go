package sqlstore

import (
	"math/rand/v2"
	"testing"
)

// TestUserIndexMatchesAMap runs random sets, replacements and deletions against a userIndex and a Go map side by
// side. The keys are drawn from a small set whose homes crowd a few slots (runs that wrap around the table's
// end, deletions in the middle of a run), and after every step the index must hold exactly the map's keys.
func TestUserIndexMatchesAMap(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3, 4} {
		rng := rand.New(rand.NewPCG(seed, 99))
		var x userIndex
		want := map[uint64]userRef{}
		// Keys whose homes in a table of 64 slots are the last two slots or the first one: runs wrap around.
		var keys []uint64
		for k := uint64(1); len(keys) < 48; k++ {
			if h := slotHome(k, minIndexSlots-1); h >= minIndexSlots-2 || h == 0 {
				keys = append(keys, k)
			}
		}
		for _, k := range []uint64{0, 1 << 63, ^uint64(0)} { // extremes, 0 included: emptiness is ref.n, not key
			keys = append(keys, k)
		}
		for step := range 20000 {
			k := keys[rng.IntN(len(keys))]
			switch rng.IntN(3) {
			case 0, 1:
				ref := userRef{chunk: uint64(step), off: uint32(rng.IntN(1 << 20)), n: uint32(1 + rng.IntN(500))}
				x.set(k, ref)
				want[k] = ref
			default:
				got, ok := x.del(k)
				w, wok := want[k]
				if ok != wok || got != w {
					t.Fatalf("seed %d step %d: del(%d) = %v, %v; want %v, %v", seed, step, k, got, ok, w, wok)
				}
				delete(want, k)
			}
			if x.len() != len(want) {
				t.Fatalf("seed %d step %d: len %d, want %d", seed, step, x.len(), len(want))
			}
			for _, k := range keys {
				got, ok := x.get(k)
				w, wok := want[k]
				if ok != wok || got != w {
					t.Fatalf("seed %d step %d: get(%d) = %v, %v; want %v, %v", seed, step, k, got, ok, w, wok)
				}
			}
		}
		if 2*x.len() > len(x.slots) {
			t.Fatalf("seed %d: %d keys in %d slots: more than half full", seed, x.len(), len(x.slots))
		}
	}
}

// TestUserIndexGrowsAndResets fills an index far past its first table, then empties it and resets it.
func TestUserIndexGrowsAndResets(t *testing.T) {
	var x userIndex
	const n = 100000
	for k := range uint64(n) {
		x.set(k*0x9e3779b97f4a7c15, userRef{chunk: k, n: 1})
	}
	if x.len() != n || len(x.slots) != 1<<18 {
		t.Fatalf("len %d in %d slots, want %d in %d", x.len(), len(x.slots), n, 1<<18)
	}
	for k := range uint64(n) {
		if ref, ok := x.get(k * 0x9e3779b97f4a7c15); !ok || ref.chunk != k {
			t.Fatalf("get of key %d: %v, %v", k, ref, ok)
		}
	}
	for k := range uint64(n) {
		if k%2 == 0 {
			if _, ok := x.del(k * 0x9e3779b97f4a7c15); !ok {
				t.Fatalf("del of key %d: not held", k)
			}
		}
	}
	for k := range uint64(n) {
		if _, ok := x.get(k * 0x9e3779b97f4a7c15); ok != (k%2 == 1) {
			t.Fatalf("after deleting the even keys, get of key %d: %v", k, ok)
		}
	}
	x.reset()
	if _, ok := x.get(1 * 0x9e3779b97f4a7c15); ok || x.len() != 0 || x.slots != nil {
		t.Fatalf("after reset: len %d, %d slots", x.len(), len(x.slots))
	}
	if _, ok := x.del(3); ok {
		t.Fatal("del in an empty index found a key")
	}
}

func BenchmarkUserIndexGet(b *testing.B) {
	var x userIndex
	const n = 100000
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = rand.Uint64()
		x.set(keys[i], userRef{n: 1})
	}
	b.ResetTimer()
	for i := range b.N {
		if _, ok := x.get(keys[(i*7919)%n]); !ok {
			b.Fatal("miss")
		}
	}
}
