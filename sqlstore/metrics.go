package sqlstore

import (
	"database/sql"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
)

// observability holds what the store counts for metrics and the startup log. Counters are atomics read at
// scrape time, so the request path pays one atomic add per transaction and nothing else.
type observability struct {
	reads, writes atomic.Int64
	snapshots     atomic.Int64               // read transactions begun in the database (reads answered without one excluded)
	batches       [maxBatch + 1]atomic.Int64 // batches[n]: group commits (SQLite) of n requests
	schemaVersion int64                      // the schema version after the migrations of this open
	migrated      int                        // migrations this open applied
}

// Stats is a snapshot of the store's counters since it was opened.
type Stats struct {
	ReadTransactions, WriteTransactions int64 // Read and Write calls (a Write re-run after a conflict counts once)
	// ReadSnapshots is how many read transactions began in the database (a Read answered from the cache, or by
	// one list query, begins none); ReadReruns how many Reads ran again in a transaction after a statement
	// outside one (onestatement.go).
	ReadSnapshots, ReadReruns int64
	Retries                   RetryStats
	// Batches[n] is how many group commits (SQLite) committed n requests at once; nil on PostgreSQL.
	Batches []int64
	// Cache is the read cache's hits and misses by kind of row (SQLite and PostgreSQL); nil without a cache.
	Cache []CacheStats
}

// CacheStats counts the point reads of one kind of row the read cache answered (hits) or sent to the database
// (misses).
type CacheStats struct {
	Kind         string // "account", "user" or "credential"
	Hits, Misses int64
}

// Cache kinds, indexes of readCache.hits and .misses.
const (
	cacheAccount = iota
	cacheUser
	cacheCredential
	cacheKinds
)

var cacheKindNames = [cacheKinds]string{"account", "user", "credential"}

// count records a hit or a miss of kind.
func (c *readCache) count(kind int, hit bool) {
	if hit {
		c.hits[kind].Add(1)
	} else {
		c.misses[kind].Add(1)
	}
}

// Engine returns the database engine: "sqlite" or "postgres".
func (db *DB) Engine() string { return db.dialect.name }

// SchemaVersion returns the schema version the store runs with, and how many migrations opening it applied.
func (db *DB) SchemaVersion() (version int64, applied int) {
	return db.obs.schemaVersion, db.obs.migrated
}

// Stats returns the store's counters.
func (db *DB) Stats() Stats {
	s := Stats{ReadTransactions: db.obs.reads.Load(), WriteTransactions: db.obs.writes.Load(), Retries: db.Retries(),
		ReadSnapshots: db.obs.snapshots.Load(), ReadReruns: db.snapshots.reruns.Load()}
	if db.queue != nil {
		s.Batches = make([]int64, len(db.obs.batches))
		for i := range db.obs.batches {
			s.Batches[i] = db.obs.batches[i].Load()
		}
	}
	if c := db.cache; c != nil {
		for k := range cacheKinds {
			s.Cache = append(s.Cache, CacheStats{Kind: cacheKindNames[k], Hits: c.hits[k].Load(), Misses: c.misses[k].Load()})
		}
	}
	return s
}

// Pools returns the database/sql pools by name, for their statistics: SQLite's "write" connection and "read"
// pool (one "write" for :memory:), PostgreSQL's one "pool".
func (db *DB) Pools() map[string]*sql.DB {
	if db.read == db.write {
		if db.dialect.name == "postgres" {
			return map[string]*sql.DB{"pool": db.write}
		}
		return map[string]*sql.DB{"write": db.write}
	}
	return map[string]*sql.DB{"write": db.write, "read": db.read}
}

// PoolStat returns the PostgreSQL connection pool's statistics (pgxpool, beneath database/sql's adapter, which
// holds no connection between queries), or nil for SQLite.
func (db *DB) PoolStat() *pgxpool.Stat {
	if db.pool == nil {
		return nil
	}
	return db.pool.Stat()
}
