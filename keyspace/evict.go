package keyspace

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Eviction, as Redis's evict.c approximates it.
//
// What maxmemory limits: UsedMemory, the bytes accounted to keys and
// values (Used, see memory.go) plus BaselineMemory, a constant standing
// for the server's own structures, close to what an empty redis-server
// 7.0 reports as used_memory. INFO's used_memory reports the same figure,
// so eviction starts when used_memory passes maxmemory, as in Redis. The
// Go heap is not what is compared: it moves with garbage collection and
// with connections, where Redis's maxmemory is about the dataset.
//
// Before a command runs (see the server's execute), Evict deletes keys
// chosen by the policy until UsedMemory is at most maxmemory, raising
// "evicted" notifications (class e) and counting evicted_keys. The LRU,
// LFU and TTL policies sample maxmemory-samples keys of each database and
// evict the best candidate of the samples: the longest idle (LRU), the
// least frequently used, its counter decayed by a step per idle minute
// (LFU, Redis's lfu-decay-time 1), or the nearest expiry (TTL); the
// random policies pick a random key of a database, taking the databases
// in turn. The volatile policies consider only keys with an expiry.

// BaselineMemory is what UsedMemory adds to the keys' bytes.
const BaselineMemory = 900 << 10

// DefaultSamples is maxmemory-samples' default.
const DefaultSamples = 5

// UsedMemory is what maxmemory compares with, and INFO reports as
// used_memory. Lock held.
func (ks *Keyspace) UsedMemory() int64 { return ks.used + BaselineMemory }

var policyNames = [...]string{
	NoEviction:     "noeviction",
	AllKeysLRU:     "allkeys-lru",
	VolatileLRU:    "volatile-lru",
	AllKeysLFU:     "allkeys-lfu",
	VolatileLFU:    "volatile-lfu",
	AllKeysRandom:  "allkeys-random",
	VolatileRandom: "volatile-random",
	VolatileTTL:    "volatile-ttl",
}

// ParsePolicy parses a maxmemory-policy name, in any case.
func ParsePolicy(name string) (Policy, bool) {
	for p, n := range policyNames {
		if strings.EqualFold(n, name) {
			return Policy(p), true
		}
	}
	return NoEviction, false
}

// String returns the policy's name as CONFIG GET and INFO show it.
func (p Policy) String() string {
	if int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "noeviction"
}

// LFU reports whether the policy is one of the LFU ones (OBJECT FREQ is
// then allowed, and OBJECT IDLETIME refused, as in Redis).
func (p Policy) LFU() bool { return p == AllKeysLFU || p == VolatileLFU }

func (p Policy) volatile() bool {
	return p == VolatileLRU || p == VolatileLFU || p == VolatileRandom || p == VolatileTTL
}

// Evict deletes keys by policy until UsedMemory is at most maxmemory (0:
// no limit) and reports whether it got there: false under noeviction, or
// when no key is left that the policy may evict. samples < 1 means
// DefaultSamples. Lock held.
func (ks *Keyspace) Evict(maxmemory int64, policy Policy, samples int) bool {
	if maxmemory <= 0 {
		return true
	}
	if samples < 1 {
		samples = DefaultSamples
	}
	for ks.UsedMemory() > maxmemory {
		if policy == NoEviction {
			return false
		}
		db, key := ks.victim(policy, samples)
		if db == nil {
			return false
		}
		db.remove(key, db.keys[key])
		ks.stats.EvictedKeys++
		ks.noteDeleted(db.id, key)
		db.touchWatched(key)
		if ks.changed != nil {
			ks.changed(key, false)
		}
		ks.Notify(db.id, ClassEvicted, "evicted", key)
	}
	return true
}

// victim chooses the key to evict, or returns a nil database if there is
// none.
func (ks *Keyspace) victim(policy Policy, samples int) (*DB, string) {
	if policy == AllKeysRandom || policy == VolatileRandom {
		for range ks.dbs {
			db := ks.dbs[ks.nextEvictDB()]
			if key, ok := db.randomCandidate(policy.volatile()); ok {
				return db, key
			}
		}
		return nil, ""
	}
	now := ks.Now()
	// The pool keeps the best candidates between evictions, as Redis's
	// eviction pool: its scores are brought up to date, the keys gone (or
	// no longer volatile, for a volatile policy) dropped, new samples of
	// every database added, and the best is the victim.
	pool := ks.pool[:0]
	for _, c := range ks.pool {
		if e := c.db.candidate(c.key, policy); e != nil {
			c.score = evictionScore(policy, e, now)
			pool = append(pool, c)
		}
	}
	for _, db := range ks.dbs {
		n := 0
		sample := func(key string, e *Entry) bool {
			if e != nil && !slices.ContainsFunc(pool, func(c evictionCandidate) bool { return c.db == db && c.key == key }) {
				pool = append(pool, evictionCandidate{db: db, key: key, score: evictionScore(policy, e, now)})
			}
			n++
			return n < samples
		}
		if policy.volatile() {
			for key := range db.volatile { // map order is random: the sample
				if !sample(key, db.keys[key]) {
					break
				}
			}
		} else {
			for key, e := range db.keys {
				if !sample(key, e) {
					break
				}
			}
		}
	}
	if len(pool) == 0 {
		ks.pool = pool
		return nil, ""
	}
	slices.SortFunc(pool, func(a, b evictionCandidate) int { return cmp.Compare(b.score, a.score) })
	best := pool[0]
	pool = pool[1:min(len(pool), evictionPoolSize+1)]
	ks.pool = append(ks.pool[:0], pool...)
	return best.db, best.key
}

// evictionPoolSize is how many candidates the pool keeps, as Redis's
// EVPOOL_SIZE.
const evictionPoolSize = 16

// evictionCandidate is a key in the eviction pool.
type evictionCandidate struct {
	db    *DB
	key   string
	score uint64
}

// candidate returns key's entry if the policy may evict it.
func (db *DB) candidate(key string, policy Policy) *Entry {
	e := db.keys[key]
	if e == nil || (policy.volatile() && e.ExpireAt == 0) {
		return nil
	}
	return e
}

// evictionScore ranks candidates: the higher, the better to evict.
func evictionScore(policy Policy, e *Entry, now int64) uint64 {
	switch policy {
	case AllKeysLFU, VolatileLFU:
		return 255 - uint64(lfuDecayed(e, now))
	case VolatileTTL:
		return math.MaxUint64 - uint64(e.ExpireAt)
	}
	if idle := now - e.accessed; idle > 0 {
		return uint64(idle)
	}
	return 0
}

// lfuDecayed is the entry's LFU counter less one per minute idle, as
// Redis's LFUDecrAndReturn with lfu-decay-time 1.
func lfuDecayed(e *Entry, now int64) uint8 {
	periods := (now - e.accessed) / 60000
	if periods <= 0 {
		return e.freq
	}
	if periods >= int64(e.freq) {
		return 0
	}
	return e.freq - uint8(periods)
}

// randomCandidate returns a random key of db, or of its keys with an
// expiry.
func (db *DB) randomCandidate(volatile bool) (string, bool) {
	if volatile {
		for key := range db.volatile {
			return key, true
		}
		return "", false
	}
	for key := range db.keys {
		return key, true
	}
	return "", false
}

// nextEvictDB returns the database the random policies try next, in turn
// as Redis's next_db. The cursor is the keyspace's own (a package-wide one
// shared by several servers in one process could skip a database in a
// round, and find nothing to evict where there is something). Lock held.
func (ks *Keyspace) nextEvictDB() int {
	ks.evictDB = (ks.evictDB + 1) % NumDatabases
	return ks.evictDB
}
