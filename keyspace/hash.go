package keyspace

import (
	"math/rand/v2"
	"slices"
)

// Hash is a hash value. Its encoding follows Redis 7.0's: "listpack" while
// it has at most HashMaxListpackEntries fields and no field or value
// longer than HashMaxListpackValue bytes, the fields kept in insertion
// order as a listpack keeps them (an update keeps a field's place);
// "hashtable" after that, for good.
type Hash struct {
	pairs []hashPair         // the listpack encoding; used while table is nil
	table *scanTable[string] // the hashtable encoding
	size  int64              // Size, kept up to date
}

type hashPair struct{ field, value string }

// Redis 7.0's defaults of hash-max-listpack-entries and
// hash-max-listpack-value.
const (
	HashMaxListpackEntries = 512
	HashMaxListpackValue   = 64
)

// NewHash returns an empty hash in the listpack encoding.
func NewHash() *Hash { return &Hash{size: setBaseSize} }

// Type implements Value.
func (h *Hash) Type() string { return "hash" }

// Encoding implements Value.
func (h *Hash) Encoding() string {
	if h.table != nil {
		return "hashtable"
	}
	return "listpack"
}

// Size implements Value.
func (h *Hash) Size() int64 { return h.size }

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.table != nil {
		return h.table.n
	}
	return len(h.pairs)
}

// Copy returns a deep copy (COPY).
func (h *Hash) Copy() Value {
	c := &Hash{size: h.size}
	if h.table != nil {
		c.table = h.table.clone()
	} else {
		c.pairs = slices.Clone(h.pairs)
	}
	return c
}

// ConvertFor moves a listpack hash to the hashtable encoding if one of
// the strings is longer than a listpack holds, as Redis's
// hashTypeTryConversion does with a command's fields and values before it
// sets any of them.
func (h *Hash) ConvertFor(strs ...[]byte) {
	if h.table != nil {
		return
	}
	for _, s := range strs {
		if len(s) > HashMaxListpackValue {
			h.convert()
			return
		}
	}
}

func (h *Hash) convert() {
	t := newScanTable[string](len(h.pairs))
	for _, p := range h.pairs {
		t.put(p.field, p.value)
	}
	h.pairs = nil
	h.table = t
	h.size += hashTableOverhead*int64(t.n) + int64(len(t.buckets))*tableBucketSize
}

// Get returns field's value.
func (h *Hash) Get(field string) (string, bool) {
	if h.table != nil {
		p, ok := h.table.get(field)
		if !ok {
			return "", false
		}
		return *p, true
	}
	for _, p := range h.pairs {
		if p.field == field {
			return p.value, true
		}
	}
	return "", false
}

// Set sets field to value and reports whether the field is new, converting
// the encoding as Redis's hashTypeSet does: before, for a field or value
// too long for a listpack; after, for too many fields.
func (h *Hash) Set(field, value string) bool {
	if h.table == nil && (len(field) > HashMaxListpackValue || len(value) > HashMaxListpackValue) {
		h.convert()
	}
	if h.table != nil {
		old, ok := h.table.get(field)
		if ok {
			h.size += int64(len(value) - len(*old))
			*old = value
			return false
		}
		buckets := len(h.table.buckets)
		h.table.put(field, value)
		h.size += int64(len(field)+len(value)) + hashPairSize + hashTableOverhead +
			int64(len(h.table.buckets)-buckets)*tableBucketSize
		return true
	}
	for i := range h.pairs {
		if h.pairs[i].field == field {
			h.size += int64(len(value) - len(h.pairs[i].value))
			h.pairs[i].value = value
			return false
		}
	}
	h.pairs = append(h.pairs, hashPair{field, value})
	h.size += int64(len(field)+len(value)) + hashPairSize
	if len(h.pairs) > HashMaxListpackEntries {
		h.convert()
	}
	return true
}

// Delete removes field and reports whether it was there.
func (h *Hash) Delete(field string) bool {
	if h.table != nil {
		p, ok := h.table.get(field)
		if !ok {
			return false
		}
		n := len(field) + len(*p)
		buckets := len(h.table.buckets)
		h.table.del(field)
		h.size += int64(len(h.table.buckets)-buckets)*tableBucketSize - int64(n) - hashPairSize - hashTableOverhead
		return true
	}
	for i, p := range h.pairs {
		if p.field == field {
			h.pairs = slices.Delete(h.pairs, i, i+1)
			h.size -= int64(len(p.field)+len(p.value)) + hashPairSize
			return true
		}
	}
	return false
}

// Each calls fn for every field and value, in the encoding's order, until
// fn returns false. fn must not change the hash.
func (h *Hash) Each(fn func(field, value string) bool) {
	if h.table != nil {
		h.table.each(func(k string, v *string) bool { return fn(k, *v) })
		return
	}
	for _, p := range h.pairs {
		if !fn(p.field, p.value) {
			return
		}
	}
}

// Random returns a random field and its value of a non-empty hash.
func (h *Hash) Random() (field, value string) {
	if h.table != nil {
		e := h.table.random()
		return e.key, e.val
	}
	p := h.pairs[rand.IntN(len(h.pairs))]
	return p.field, p.value
}

// RandomDistinct returns n distinct random fields with their values as
// field, value pairs, n <= Len, in random order.
func (h *Hash) RandomDistinct(n int) [][2]string {
	if n*3 > h.Len() {
		all := make([][2]string, 0, h.Len())
		h.Each(func(f, v string) bool {
			all = append(all, [2]string{f, v})
			return true
		})
		rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		return all[:n]
	}
	seen := make(map[string]struct{}, n)
	out := make([][2]string, 0, n)
	for len(out) < n {
		f, v := h.Random()
		if _, dup := seen[f]; dup {
			continue
		}
		seen[f] = struct{}{}
		out = append(out, [2]string{f, v})
	}
	return out
}

// Scan is HSCAN's step: it calls fn for fields from cursor on and returns
// the next cursor, 0 when the scan is complete. A listpack is returned
// whole, as Redis does; a hash table is walked as Set.Scan walks one.
func (h *Hash) Scan(cursor uint64, count int, fn func(field, value string)) uint64 {
	if h.table == nil {
		for _, p := range h.pairs {
			fn(p.field, p.value)
		}
		return 0
	}
	return h.table.scan(cursor, count, func(k string, v *string) { fn(k, *v) })
}
