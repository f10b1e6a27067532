package sqlstore

// userIndex maps the 64-bit keys of a userCache to the places of their entries: an open-addressing table with
// linear probing, whose slots hold the key and the userRef side by side. A GetUser over a cache of 100,000
// users looks up a random key, and in a Go map that lookup reads the map's directory, a table and a group
// before the slot, each a likely cache miss (about half of the cache lookup's time in a profile under load;
// BENCHMARKS.md, eleventh pass); here it reads one slot, and its neighbours in the same cache line.
//
// A slot is empty when its ref.n is 0 (every entry has at least its owner's index, one byte). The table is
// at most half full: it doubles before it would be more, from minIndexSlots, and is never shrunk except by
// reset (a userCache holds at most maxUsers keys, so it stays within twice that many slots rounded up to a
// power of two). Deletion shifts the following slots of the run back (no tombstones), so a lookup stops at
// the first empty slot.
//
// A userIndex is not safe for concurrent use; the userCache's owner guards it.
type userIndex struct {
	slots []indexSlot // len is 0 or a power of two
	n     int         // keys held
}

type indexSlot struct {
	key uint64
	ref userRef
}

// minIndexSlots is the size of a table's first allocation.
const minIndexSlots = 64

// slotHome returns the first slot of key in a table of mask+1 slots. The keys are hashes already; the
// multiplication spreads their high bits, which a table's size decides, from all of them.
func slotHome(key uint64, mask int) int { return int((key*0x9e3779b97f4a7c15)>>32) & mask }

func (x *userIndex) len() int { return x.n }

// get returns the ref of key.
func (x *userIndex) get(key uint64) (userRef, bool) {
	if x.n == 0 {
		return userRef{}, false
	}
	mask := len(x.slots) - 1
	for i := slotHome(key, mask); ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.ref.n == 0 {
			return userRef{}, false
		}
		if s.key == key {
			return s.ref, true
		}
	}
}

// set maps key to ref (ref.n > 0), replacing its ref if key is held.
func (x *userIndex) set(key uint64, ref userRef) {
	if ref.n == 0 {
		panic("sqlstore: userIndex.set of an empty ref")
	}
	if 2*(x.n+1) > len(x.slots) {
		x.grow()
	}
	mask := len(x.slots) - 1
	for i := slotHome(key, mask); ; i = (i + 1) & mask {
		s := &x.slots[i]
		if s.ref.n == 0 {
			*s = indexSlot{key, ref}
			x.n++
			return
		}
		if s.key == key {
			s.ref = ref
			return
		}
	}
}

// del removes key and returns its ref; false when key is not held. The slots after it whose home it passed
// over move back.
func (x *userIndex) del(key uint64) (userRef, bool) {
	if x.n == 0 {
		return userRef{}, false
	}
	mask := len(x.slots) - 1
	i := slotHome(key, mask)
	for ; x.slots[i].key != key || x.slots[i].ref.n == 0; i = (i + 1) & mask {
		if x.slots[i].ref.n == 0 {
			return userRef{}, false
		}
	}
	ref := x.slots[i].ref
	// i is the slot to empty. A following slot j of the run may fill it when its home is not in (i, j]
	// (cyclically): a lookup of that key from its home then still meets it before an empty slot.
	for j := (i + 1) & mask; x.slots[j].ref.n != 0; j = (j + 1) & mask {
		h := slotHome(x.slots[j].key, mask)
		if (j-h)&mask >= (j-i)&mask {
			x.slots[i] = x.slots[j]
			i = j
		}
	}
	x.slots[i] = indexSlot{}
	x.n--
	return ref, true
}

// grow doubles the table (or makes the first one) and inserts the keys again.
func (x *userIndex) grow() {
	old := x.slots
	x.slots, x.n = make([]indexSlot, max(minIndexSlots, 2*len(old))), 0
	for _, s := range old {
		if s.ref.n != 0 {
			x.set(s.key, s.ref)
		}
	}
}

// reset drops every key and the table.
func (x *userIndex) reset() { x.slots, x.n = nil, 0 }
