// Package keyspace is Herald's keyspace: 16 databases of keys holding
// strings, hashes, lists, sets and sorted sets, with expiry, eviction and
// keyspace notifications, as Redis 7.0 keeps them. The server's command
// handlers (server/cmd_*.go) read and write it; this package owns the data
// and the rules every command shares (lazy expiry, what a write must
// signal), not the commands themselves.
//
// Locking: one mutex guards the whole keyspace, and the server holds it for
// the whole of a command, or of an EXEC, as Redis's one thread runs one
// command at a time: so commands are atomic, MULTI/EXEC is atomic, and
// notifications go out in the order of the changes. Notifications are
// published while the lock is held; publishing only appends to
// subscribers' outboxes (package broker), so the lock is never held across
// I/O. Lock order: the keyspace, then the broker.
//
// Snapshots (snapshot.go), for BGREWRITEAOF, are copy-on-access: while
// one runs, every method that hands out or changes an entry (Lookup,
// Peek, Replace, Set, SetExpire, Delete, expiry, eviction) first writes
// the key's value as it was when the snapshot started, if nothing has
// since. Code of this package that reaches db.keys directly must do the
// same (dumpEntry) before it changes or returns an entry.
package keyspace

import (
	"sync"
	"sync/atomic"
	"time"
)

// NumDatabases is the number of databases, Redis's default.
const NumDatabases = 16

// Keyspace is the set of databases. The zero value is not usable; call
// New. Every method but Lock, Unlock and the setters of configuration
// requires the lock held.
type Keyspace struct {
	mu  sync.Mutex
	dbs [NumDatabases]*DB

	events  atomic.Uint32                        // notify-keyspace-events (Events), read without the lock by CONFIG GET
	publish func(channel string, message string) // where notifications go; nil drops them

	// Clock returns the current time in milliseconds since the Unix epoch.
	// Tests may replace it before use.
	Clock func() int64
	// snap is Clock's reading when the lock was taken: one time for the
	// whole of a command (or an EXEC), as Redis caches the time per
	// command, so a key does not expire half way through one. 0 when the
	// lock is not held.
	snap int64

	used int64 // bytes accounted to keys and values (memory.go)

	// changed, when set, learns of every key a command changes, an
	// eviction deletes or expiry deletes (byCommand false for the last
	// two), for client-side caching's invalidations (the server's
	// tracking.go). Lock held when it is called.
	changed func(key string, byCommand bool)
	// removed, when set, learns of every value that leaves a database:
	// deleted, expired, evicted, overwritten or flushed (Redis's
	// signalDeletedKeyAsReady: the server's clients blocked by XREADGROUP
	// on a stream learn that it is gone). Lock held when it is called.
	removed func(db int, key string, v Value)

	pool    []evictionCandidate // the best eviction candidates seen (evict.go)
	evictDB int                 // the database the random policies tried last (evict.go)

	stats Stats

	dirty   int64                    // changes made (dirty.go)
	deleted func(db int, key string) // told of keys expiry and eviction delete (dirty.go)

	// The snapshot under way (snapshot.go), nil if none; dumping is its
	// epoch, 0 when none runs, and epoch the last epoch started.
	snapshot *Snapshot
	dumping  uint32
	epoch    uint32
}

// Stats are the keyspace's counters, for INFO.
type Stats struct {
	ExpiredKeys  int64 // expired_keys
	EvictedKeys  int64 // evicted_keys
	KeyspaceHits int64 // keyspace_hits
	KeyspaceMiss int64 // keyspace_misses
}

// New returns an empty keyspace whose notifications go to publish (nil:
// nowhere).
func New(publish func(channel, message string)) *Keyspace {
	ks := &Keyspace{publish: publish, Clock: func() int64 { return time.Now().UnixMilli() }}
	for i := range ks.dbs {
		ks.dbs[i] = &DB{ks: ks, id: i, keys: make(map[string]*Entry), volatile: make(map[string]struct{})}
	}
	return ks
}

// OnChange sets the function told of every changed key (see
// Keyspace.changed). Call it before the keyspace is used.
func (ks *Keyspace) OnChange(fn func(key string, byCommand bool)) { ks.changed = fn }

// OnRemove sets the function told of every value that leaves a database
// (see Keyspace.removed). Call it before the keyspace is used.
func (ks *Keyspace) OnRemove(fn func(db int, key string, v Value)) { ks.removed = fn }

// Lock takes the keyspace for one command or one transaction.
func (ks *Keyspace) Lock() {
	ks.mu.Lock()
	ks.snap = ks.Clock()
}

// Unlock releases it.
func (ks *Keyspace) Unlock() {
	ks.snap = 0
	ks.mu.Unlock()
}

// Now returns the time of the command under way, in Unix milliseconds: the
// clock's reading when the lock was taken (or the clock itself, for code
// that runs without the lock, as unit tests do).
func (ks *Keyspace) Now() int64 {
	if ks.snap != 0 {
		return ks.snap
	}
	return ks.Clock()
}

// DB returns database i, 0 <= i < NumDatabases.
func (ks *Keyspace) DB(i int) *DB { return ks.dbs[i] }

// Stats returns the counters.
func (ks *Keyspace) Stats() Stats { return ks.stats }

// CountLookup counts a read command's lookup as a hit or a miss
// (keyspace_hits, keyspace_misses).
func (ks *Keyspace) CountLookup(hit bool) {
	if hit {
		ks.stats.KeyspaceHits++
	} else {
		ks.stats.KeyspaceMiss++
	}
}

// FlushAll empties every database.
func (ks *Keyspace) FlushAll() {
	for _, db := range ks.dbs {
		db.Flush()
	}
}

// Entry is one key's value and metadata.
type Entry struct {
	Value Value
	// ExpireAt is the absolute expiry time in Unix milliseconds; 0 means
	// the key does not expire.
	ExpireAt int64

	accessed  int64  // Unix milliseconds of the last access, for OBJECT IDLETIME and LRU eviction
	freq      uint8  // the LFU counter, for OBJECT FREQ and LFU eviction
	epoch     uint32 // the snapshot epoch the entry was created in or last dumped by (snapshot.go)
	accounted int64  // bytes counted in Keyspace.used for this entry
}

// Value is a key's value: one of *String, *Hash, *List, *Set, *ZSet.
type Value interface {
	// Type is the name TYPE replies with.
	Type() string
	// Encoding is the name OBJECT ENCODING replies with, by Redis 7.0's
	// rules for the value's size.
	Encoding() string
	// Size approximates the bytes the value holds, for maxmemory; it is
	// O(1).
	Size() int64
}

// DB is one database.
type DB struct {
	ks       *Keyspace
	id       int
	keys     map[string]*Entry
	volatile map[string]struct{} // the keys with an expiry, for active expiry
	watched  map[string][]*Watch // the keys WATCHed by some client
}

// ID returns the database's number.
func (db *DB) ID() int { return db.id }

// Len returns the number of keys, expired ones not yet removed included
// (DBSIZE counts them too, as Redis does).
func (db *DB) Len() int { return len(db.keys) }

// Expires returns the number of keys with an expiry (INFO keyspace).
func (db *DB) Expires() int { return len(db.volatile) }

// Lookup returns key's entry, or nil if there is none or it has expired,
// in which case it is deleted and "expired" is notified (lazy expiry). It
// counts as an access for OBJECT IDLETIME and eviction.
func (db *DB) Lookup(key string) *Entry {
	e := db.keys[key]
	if e == nil {
		return nil
	}
	db.dumpEntry(key, e)
	if e.ExpireAt != 0 && e.ExpireAt <= db.ks.Now() {
		db.expire(key)
		return nil
	}
	db.touch(e)
	return e
}

// Peek is Lookup without counting an access (OBJECT, TYPE on a watched
// check ...). It still expires a key whose time has come.
func (db *DB) Peek(key string) *Entry {
	e := db.keys[key]
	if e == nil {
		return nil
	}
	db.dumpEntry(key, e)
	if e.ExpireAt != 0 && e.ExpireAt <= db.ks.Now() {
		db.expire(key)
		return nil
	}
	return e
}

// Add stores v under key, which must not exist, with no expiry, and
// returns its entry. The caller notifies the event and calls Written.
func (db *DB) Add(key string, v Value) *Entry {
	e := &Entry{Value: v, accessed: db.ks.Now(), freq: lfuInitVal, epoch: db.ks.epoch}
	db.keys[key] = e
	db.ks.account(key, e)
	return e
}

// Set stores v under key, replacing any value; with keepTTL the old
// expiry stays, else it is cleared (SET semantics). It returns the entry.
// The caller notifies and calls Written.
func (db *DB) Set(key string, v Value, keepTTL bool) *Entry {
	if e := db.keys[key]; e != nil {
		db.Replace(key, e, v, keepTTL)
		return e
	}
	return db.Add(key, v)
}

// Replace is Set for a key that exists, whose entry e the caller got from
// Lookup: the same without looking the key up again.
func (db *DB) Replace(key string, e *Entry, v Value, keepTTL bool) {
	db.dumpEntry(key, e)
	if db.ks.removed != nil && e.Value != v {
		db.ks.removed(db.id, key, e.Value)
	}
	e.Value = v
	if !keepTTL && e.ExpireAt != 0 {
		e.ExpireAt = 0
		delete(db.volatile, key)
	}
	db.touch(e)
	db.ks.account(key, e)
}

// Delete removes key and reports whether it existed. The caller notifies
// ("del" or another event) and calls Written.
func (db *DB) Delete(key string) bool {
	e := db.keys[key]
	if e == nil {
		return false
	}
	db.remove(key, e)
	return true
}

func (db *DB) remove(key string, e *Entry) {
	db.dumpEntry(key, e)
	delete(db.keys, key)
	if db.ks.removed != nil {
		db.ks.removed(db.id, key, e.Value)
	}
	if e.ExpireAt != 0 {
		delete(db.volatile, key)
	}
	db.ks.used -= e.accounted
	e.accounted = 0
}

// SetExpire sets key's absolute expiry time in Unix milliseconds (0
// removes it). The key must exist.
func (db *DB) SetExpire(key string, e *Entry, at int64) {
	db.dumpEntry(key, e)
	e.ExpireAt = at
	if at == 0 {
		delete(db.volatile, key)
	} else {
		db.volatile[key] = struct{}{}
	}
}

// Written records that a command changed key (Redis's
// signalModifiedKey): WATCHes of it fail, and the value's size is
// accounted again. Call it once per changed key, after the change.
func (db *DB) Written(key string) {
	db.WrittenEntry(key, db.keys[key])
}

// WrittenEntry is Written for a key whose entry the caller holds (nil if
// the command removed the key).
func (db *DB) WrittenEntry(key string, e *Entry) {
	db.ks.dirty++
	if e != nil {
		db.ks.account(key, e)
	}
	db.touchWatched(key)
	if db.ks.changed != nil {
		db.ks.changed(key, true)
	}
}

// Resized accounts key's value again after a change that is no change of
// the key for WATCH or client-side caching (a stream's consumer groups,
// for which Redis calls no signalModifiedKey).
func (db *DB) Resized(key string) {
	if e := db.keys[key]; e != nil {
		db.ks.account(key, e)
	}
}

// Flush empties the database (FLUSHDB); WATCHes of its keys that had
// not expired fail. A snapshot under way keeps the old map (snapshot.go).
func (db *DB) Flush() {
	db.ks.dirty++
	now := db.ks.Now()
	for key, e := range db.keys {
		db.ks.used -= e.accounted
		if db.ks.removed != nil {
			db.ks.removed(db.id, key, e.Value)
		}
		if e.ExpireAt == 0 || e.ExpireAt > now { // an expired key is no change (watch.go)
			db.touchWatched(key)
		}
	}
	db.keys = make(map[string]*Entry)
	db.volatile = make(map[string]struct{})
}

// Keys calls fn for every key not expired, in no particular order, until
// fn returns false. fn must not change the database, nor any entry or
// value it is given (a snapshot does not see those reads, see
// snapshot.go).
func (db *DB) Keys(fn func(key string, e *Entry) bool) {
	now := db.ks.Now()
	for k, e := range db.keys {
		if e.ExpireAt != 0 && e.ExpireAt <= now {
			continue
		}
		if !fn(k, e) {
			return
		}
	}
}

// expire deletes an expired key and notifies "expired", as Redis's lazy
// and active expiry do.
func (db *DB) expire(key string) {
	e := db.keys[key]
	db.remove(key, e)
	db.ks.stats.ExpiredKeys++
	db.ks.noteDeleted(db.id, key)
	db.ks.Notify(db.id, ClassExpired, "expired", key)
	// Not touchWatched: in Redis 7.0.15 expiry does not fail a WATCH. It
	// does invalidate the key for client-side caching.
	if db.ks.changed != nil {
		db.ks.changed(key, false)
	}
}

func (db *DB) touch(e *Entry) {
	e.accessed = db.ks.Now()
	e.freq = lfuIncr(e.freq)
}

// Idle returns how long the entry has not been accessed, in milliseconds.
func (db *DB) Idle(e *Entry) int64 { return db.ks.Now() - e.accessed }

// Freq returns the entry's LFU counter (OBJECT FREQ).
func (e *Entry) Freq() uint8 { return e.freq }

// LFU: Redis's logarithmic counter (evict.c), with its defaults
// lfu-log-factor 10; new keys start at 5.
const lfuInitVal = 5

func lfuIncr(counter uint8) uint8 {
	if counter == 255 {
		return 255
	}
	base := float64(counter) - lfuInitVal
	if base < 0 {
		base = 0
	}
	p := 1.0 / (base*10 + 1)
	if randFloat() < p {
		counter++
	}
	return counter
}
