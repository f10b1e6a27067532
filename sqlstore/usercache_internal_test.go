package sqlstore

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	chime "github.com/chimed/chimed"
)

func testUser(acct, id string, v int) *chime.User {
	return &chime.User{Seq: int64(v + 1), ID: id, AccountID: acct, AwsAccountID: "aws-" + acct,
		Email: fmt.Sprintf("%s-%d@example.com", id, v), DisplayName: strings.Repeat("n", v%300),
		License: chime.LicensePro, Type: chime.UserPrivate, RegistrationStatus: chime.Registered}
}

// checkUserCache verifies the accounting of c against its chunks: every index entry points at a record whose
// key is the entry's, and live/dead are the bytes of the indexed records and of the others.
func checkUserCache(t *testing.T, c *userCache) {
	t.Helper()
	live, dead, found := 0, 0, 0
	for i, buf := range c.chunks {
		seq := c.first + uint64(i)
		for p := 0; p < len(buf); {
			key := binary.LittleEndian.Uint64(buf[p:])
			n, w := binary.Uvarint(buf[p+8:])
			off := p + 8 + w
			p = off + int(n)
			if ref, ok := c.index.get(key); ok && ref.chunk == seq && int(ref.off) == off && int(ref.n) == int(n) {
				live += recordBytes(uint32(n))
				found++
			} else {
				dead += recordBytes(uint32(n))
			}
		}
	}
	if found != c.index.len() || live != c.live || dead != c.dead {
		t.Fatalf("index %d entries, %d found in the chunks; live %d (counted %d), dead %d (counted %d)",
			c.index.len(), found, live, c.live, dead, c.dead)
	}
}

func cachedUser(c *userCache, acct, id string) (*chime.User, bool) {
	e, o, ok := c.get(acct, id)
	if !ok {
		return nil, false
	}
	return decodeUser(e, o), true
}

// A random mix of puts, replacements, removals and resets over more users than fit: a hit is always the last
// version put of that very user, never removed since; the accounting matches the chunks; the chunks stay
// within 1.25 times the live entries plus two chunks.
func TestUserCacheIsExactUnderChurn(t *testing.T) {
	for _, collide := range []bool{false, true} {
		t.Run(fmt.Sprint("collide=", collide), func(t *testing.T) {
			var c userCache
			c.init(100)
			if collide { // four hash values for 300 users: most keys are shared
				c.hash = func(_ maphash.Seed, a, id string) uint64 { return uint64(len(a)+len(id)+int(id[len(id)-1])) % 4 }
			}
			r := rand.New(rand.NewPCG(1, 2))
			last := map[userKey]*chime.User{} // what a hit must answer; absent: nothing may be hit
			var held []*chime.User            // decoded earlier: must not change later
			var heldWant []chime.User
			for step := range 20000 {
				acct := fmt.Sprintf("acct-%d", r.IntN(3))
				id := fmt.Sprintf("user-%d", r.IntN(100))
				k := userKey{acct, id}
				switch x := r.IntN(100); {
				case x < 60:
					u := testUser(acct, id, step)
					c.put(u)
					last[k] = u
					if collide { // a put under a shared key replaces the others
						for o := range last {
							if o != k && c.hash(c.seed, o.accountID, o.id) == c.hash(c.seed, acct, id) {
								delete(last, o)
							}
						}
					}
				case x < 95:
					got, ok := cachedUser(&c, acct, id)
					if ok && (last[k] == nil || !reflect.DeepEqual(got, last[k])) {
						t.Fatalf("step %d: %v answered %+v, want %+v", step, k, got, last[k])
					}
					if ok && len(held) < 200 {
						held, heldWant = append(held, got), append(heldWant, *got)
					}
				case x < 99:
					c.removeUser(acct, id)
					delete(last, k)
					if collide {
						for o := range last {
							if c.hash(c.seed, o.accountID, o.id) == c.hash(c.seed, acct, id) {
								delete(last, o)
							}
						}
					}
				default:
					c.reset()
					clear(last)
				}
				checkUserCache(t, &c)
				if c.len() > c.maxUsers {
					t.Fatalf("step %d: %d users cached, at most %d", step, c.len(), c.maxUsers)
				}
				total := 0
				for _, b := range c.chunks {
					total += len(b)
				}
				if total > c.live+c.live/4+2*c.chunkBytes {
					t.Fatalf("step %d: chunks hold %d bytes for %d live", step, total, c.live)
				}
			}
			for i, u := range held {
				if !reflect.DeepEqual(*u, heldWant[i]) {
					t.Fatalf("a user decoded earlier changed: %+v, was %+v", *u, heldWant[i])
				}
			}
		})
	}
}

// A working set that fits is kept whole; past the cap the oldest users go first.
func TestUserCacheKeepsWhatFitsAndDropsTheOldest(t *testing.T) {
	var c userCache
	c.init(1000)
	for i := range 1000 {
		c.put(testUser("a", fmt.Sprint("u", i), 1))
	}
	for i := range 1000 {
		if _, ok := cachedUser(&c, "a", fmt.Sprint("u", i)); !ok {
			t.Fatalf("u%d of a working set of the cache's size is not cached", i)
		}
	}
	// Replacing users at random leaves dead entries among live ones: compacting them keeps the live ones.
	r, seq := rand.New(rand.NewPCG(3, 4)), make([]int64, 1000)
	for step := range 5000 {
		i := r.IntN(1000)
		c.put(testUser("a", fmt.Sprint("u", i), step))
		seq[i] = int64(step + 1)
	}
	for i := range 1000 {
		if u, ok := cachedUser(&c, "a", fmt.Sprint("u", i)); !ok || seq[i] != 0 && u.Seq != seq[i] {
			t.Fatalf("u%d: %+v after replacements (cached %v)", i, u, ok)
		}
	}
	c.reset()
	for i := range 1000 {
		c.put(testUser("a", fmt.Sprint("u", i), 1))
	}
	for i := 1000; i < 1100; i++ {
		c.put(testUser("a", fmt.Sprint("u", i), 1))
	}
	if _, ok := cachedUser(&c, "a", "u0"); ok {
		t.Fatal("the oldest user is still cached past the cap")
	}
	for i := 1000; i < 1100; i++ {
		if _, ok := cachedUser(&c, "a", fmt.Sprint("u", i)); !ok {
			t.Fatalf("u%d, put last, is not cached", i)
		}
	}
	if _, ok := cachedUser(&c, "b", "u1099"); ok {
		t.Fatal("a user answered for another account")
	}
	checkUserCache(t, &c)
}

func TestUserCacheSkipsAnEntryLargerThanAChunk(t *testing.T) {
	var c userCache
	c.init(1)
	u := testUser("a", "big", 1)
	u.DisplayName = strings.Repeat("x", c.chunkBytes)
	c.put(u)
	if _, ok := cachedUser(&c, "a", "big"); ok || c.len() != 0 {
		t.Fatal("an entry larger than a chunk was cached")
	}
	checkUserCache(t, &c)
}
