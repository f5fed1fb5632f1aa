package keyspace

import "errors"

// Memory accounting. used is the sum over keys of an estimate of what the
// key and its value hold: the key's bytes, the value's Size (each type
// keeps it up to date in O(1) as it changes) and entryOverhead for the
// entry and its map slot. Plus BaselineMemory it is what maxmemory
// compares with and what INFO's used_memory reports (evict.go): client
// buffers and the rest of the process's heap are not counted.
const entryOverhead = 64

// account brings e's share of used up to date.
func (ks *Keyspace) account(key string, e *Entry) {
	n := int64(len(key)) + e.Value.Size() + entryOverhead
	ks.used += n - e.accounted
	e.accounted = n
}

// Used returns the bytes accounted to keys and values.
func (ks *Keyspace) Used() int64 { return ks.used }

// Policy is a maxmemory-policy.
type Policy uint8

// The maxmemory policies, as Redis names them.
const (
	NoEviction Policy = iota
	AllKeysLRU
	VolatileLRU
	AllKeysLFU
	VolatileLFU
	AllKeysRandom
	VolatileRandom
	VolatileTTL
)

// ErrOOM is Redis's reply to a write that would pass maxmemory under
// noeviction (or when nothing can be evicted).
var ErrOOM = errors.New("OOM command not allowed when used memory > 'maxmemory'.")
