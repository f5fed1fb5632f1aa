package keyspace

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
)

// Set is a set value. Its encoding follows Redis 7.0's: "intset" while
// every member is an integer (as Redis's string2ll reads one) and there
// are at most SetMaxIntsetEntries of them, the members kept sorted as an
// intset keeps them; "hashtable" after that, for good (Redis 7.0 has no
// listpack sets, and never converts back).
type Set struct {
	ints  []int64              // the intset encoding, sorted; used while table is nil
	table *scanTable[struct{}] // the hashtable encoding
	size  int64                // Size, kept up to date
}

// SetMaxIntsetEntries is Redis's set-max-intset-entries default.
const SetMaxIntsetEntries = 512

// Per-member overheads for Size: an intset entry is 8 bytes, a hash table
// member an entry with its string header and bucket slot.
const (
	setBaseSize       = 48
	intsetMemberSize  = 8
	tableMemberSize   = 40
	tableBucketSize   = 24
	hashPairSize      = 32
	hashTableOverhead = 16
)

// NewSet returns an empty set whose encoding is chosen by its first
// member, as Redis's setTypeCreate: intset for an integer, else hashtable.
func NewSet(first string) *Set {
	s := &Set{size: setBaseSize}
	if _, ok := setInteger(first); !ok {
		s.convert()
	}
	return s
}

// NewIntSet returns an empty set in the intset encoding: the destination
// of SINTERSTORE, SUNIONSTORE and SDIFFSTORE, which Redis creates so.
func NewIntSet() *Set { return &Set{size: setBaseSize} }

// setInteger reads m as an intset member: a canonical 64-bit integer, as
// Redis's string2ll accepts one.
func setInteger(m string) (int64, bool) {
	if len(m) == 0 || len(m) > 20 {
		return 0, false
	}
	n, err := strconv.ParseInt(m, 10, 64)
	return n, err == nil && strconv.FormatInt(n, 10) == m
}

// Type implements Value.
func (s *Set) Type() string { return "set" }

// Encoding implements Value.
func (s *Set) Encoding() string {
	if s.table != nil {
		return "hashtable"
	}
	return "intset"
}

// Size implements Value.
func (s *Set) Size() int64 { return s.size }

// Len returns the number of members.
func (s *Set) Len() int {
	if s.table != nil {
		return s.table.n
	}
	return len(s.ints)
}

// Copy returns a deep copy (COPY).
func (s *Set) Copy() Value {
	c := &Set{size: s.size}
	if s.table != nil {
		c.table = s.table.clone()
	} else {
		c.ints = slices.Clone(s.ints)
	}
	return c
}

// convert moves the set to the hashtable encoding.
func (s *Set) convert() {
	t := newScanTable[struct{}](len(s.ints))
	s.size = setBaseSize
	for _, n := range s.ints {
		m := strconv.FormatInt(n, 10)
		t.put(m, struct{}{})
		s.size += int64(len(m)) + tableMemberSize
	}
	s.size += int64(len(t.buckets)) * tableBucketSize
	s.ints = nil
	s.table = t
}

// Has reports whether m is a member.
func (s *Set) Has(m string) bool {
	if s.table != nil {
		_, ok := s.table.get(m)
		return ok
	}
	n, ok := setInteger(m)
	if !ok {
		return false
	}
	_, found := slices.BinarySearch(s.ints, n)
	return found
}

// Add adds m and reports whether it was not a member, converting the
// encoding as Redis's setTypeAdd does.
func (s *Set) Add(m string) bool {
	if s.table == nil {
		n, ok := setInteger(m)
		if ok {
			i, found := slices.BinarySearch(s.ints, n)
			if found {
				return false
			}
			s.ints = slices.Insert(s.ints, i, n)
			s.size += intsetMemberSize
			if len(s.ints) > SetMaxIntsetEntries {
				s.convert()
			}
			return true
		}
		s.convert()
	}
	buckets := len(s.table.buckets)
	if !s.table.put(m, struct{}{}) {
		return false
	}
	s.size += int64(len(m)) + tableMemberSize + int64(len(s.table.buckets)-buckets)*tableBucketSize
	return true
}

// Remove removes m and reports whether it was a member.
func (s *Set) Remove(m string) bool {
	if s.table == nil {
		n, ok := setInteger(m)
		if !ok {
			return false
		}
		i, found := slices.BinarySearch(s.ints, n)
		if !found {
			return false
		}
		s.ints = slices.Delete(s.ints, i, i+1)
		s.size -= intsetMemberSize
		return true
	}
	buckets := len(s.table.buckets)
	if !s.table.del(m) {
		return false
	}
	s.size += int64(len(s.table.buckets)-buckets)*tableBucketSize - int64(len(m)) - tableMemberSize
	return true
}

// Each calls fn for every member, in the encoding's order (ascending for
// an intset), until fn returns false. fn must not change the set.
func (s *Set) Each(fn func(m string) bool) {
	if s.table != nil {
		s.table.each(func(k string, _ *struct{}) bool { return fn(k) })
		return
	}
	for _, n := range s.ints {
		if !fn(strconv.FormatInt(n, 10)) {
			return
		}
	}
}

// Members returns the members in the encoding's order.
func (s *Set) Members() []string {
	out := make([]string, 0, s.Len())
	s.Each(func(m string) bool {
		out = append(out, m)
		return true
	})
	return out
}

// Random returns a random member of a non-empty set.
func (s *Set) Random() string {
	if s.table != nil {
		return s.table.random().key
	}
	return strconv.FormatInt(s.ints[rand.IntN(len(s.ints))], 10)
}

// RandomDistinct returns n distinct random members, n <= Len, in random
// order.
func (s *Set) RandomDistinct(n int) []string {
	if n*3 > s.Len() {
		all := s.Members()
		rand.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		return all[:n]
	}
	seen := make(map[string]struct{}, n)
	out := make([]string, 0, n)
	for len(out) < n {
		m := s.Random()
		if _, dup := seen[m]; dup {
			continue
		}
		seen[m] = struct{}{}
		out = append(out, m)
	}
	return out
}

// Scan is SSCAN's step: it calls fn for members from cursor on and
// returns the next cursor, 0 when the scan is complete. An intset is
// returned whole, as Redis does; a hash table is walked a bucket at a time
// with Redis's reverse-binary cursor, so that members present for the
// whole scan are returned at least once whatever resizes happen, until
// count members are found or 10*count buckets visited.
func (s *Set) Scan(cursor uint64, count int, fn func(m string)) uint64 {
	if s.table == nil {
		for _, n := range s.ints {
			fn(strconv.FormatInt(n, 10))
		}
		return 0
	}
	return s.table.scan(cursor, count, func(k string, _ *struct{}) { fn(k) })
}

// scanTable is a chained hash table with a power-of-two number of buckets,
// shaped like Redis's dict so that SCAN can use Redis's cursor: it grows
// when it holds as many entries as buckets and shrinks below a 10% fill,
// as Redis's dict does (rehashing at once rather than incrementally).
type scanTable[V any] struct {
	buckets [][]tableEntry[V]
	n       int
}

type tableEntry[V any] struct {
	key string
	val V
}

var scanTableSeed = maphash.MakeSeed()

const scanTableMinSize = 4 // Redis's DICT_HT_INITIAL_SIZE

func newScanTable[V any](hint int) *scanTable[V] {
	return &scanTable[V]{buckets: make([][]tableEntry[V], tableSizeFor(hint))}
}

// tableSizeFor returns the smallest power of two >= n and >= the minimum.
func tableSizeFor(n int) int {
	if n <= scanTableMinSize {
		return scanTableMinSize
	}
	return 1 << bits.Len(uint(n-1))
}

func (t *scanTable[V]) bucket(key string) int {
	return int(maphash.String(scanTableSeed, key) & uint64(len(t.buckets)-1))
}

func (t *scanTable[V]) get(key string) (*V, bool) {
	b := t.buckets[t.bucket(key)]
	for i := range b {
		if b[i].key == key {
			return &b[i].val, true
		}
	}
	return nil, false
}

// put sets key's value and reports whether key is new.
func (t *scanTable[V]) put(key string, val V) bool {
	if p, ok := t.get(key); ok {
		*p = val
		return false
	}
	if t.n >= len(t.buckets) {
		t.rehash(len(t.buckets) * 2)
	}
	i := t.bucket(key)
	t.buckets[i] = append(t.buckets[i], tableEntry[V]{key: key, val: val})
	t.n++
	return true
}

// del removes key and reports whether it was there.
func (t *scanTable[V]) del(key string) bool {
	i := t.bucket(key)
	b := t.buckets[i]
	for j := range b {
		if b[j].key == key {
			last := len(b) - 1
			b[j] = b[last]
			b[last] = tableEntry[V]{}
			t.buckets[i] = b[:last]
			if len(t.buckets[i]) == 0 {
				t.buckets[i] = nil
			}
			t.n--
			if len(t.buckets) > scanTableMinSize && t.n*10 < len(t.buckets) {
				t.rehash(tableSizeFor(t.n))
			}
			return true
		}
	}
	return false
}

func (t *scanTable[V]) rehash(size int) {
	old := t.buckets
	t.buckets = make([][]tableEntry[V], size)
	for _, b := range old {
		for _, e := range b {
			i := t.bucket(e.key)
			t.buckets[i] = append(t.buckets[i], e)
		}
	}
}

func (t *scanTable[V]) clone() *scanTable[V] {
	c := &scanTable[V]{buckets: make([][]tableEntry[V], len(t.buckets)), n: t.n}
	for i, b := range t.buckets {
		if len(b) > 0 {
			c.buckets[i] = slices.Clone(b)
		}
	}
	return c
}

// each calls fn for every entry in bucket order until it returns false.
func (t *scanTable[V]) each(fn func(key string, val *V) bool) {
	for _, b := range t.buckets {
		for i := range b {
			if !fn(b[i].key, &b[i].val) {
				return
			}
		}
	}
}

// random returns a random entry of a non-empty table: a random non-empty
// bucket, then a random entry of it, as Redis's dictGetRandomKey.
func (t *scanTable[V]) random() *tableEntry[V] {
	for {
		b := t.buckets[rand.IntN(len(t.buckets))]
		if len(b) > 0 {
			return &b[rand.IntN(len(b))]
		}
	}
}

// scan visits buckets from cursor on, as Redis's scanGenericCommand
// drives dictScan, and returns the next cursor.
func (t *scanTable[V]) scan(cursor uint64, count int, fn func(key string, val *V)) uint64 {
	if count < 1 {
		count = 1
	}
	mask := uint64(len(t.buckets) - 1)
	found, visits := 0, count*10
	for {
		b := t.buckets[cursor&mask]
		for i := range b {
			fn(b[i].key, &b[i].val)
		}
		found += len(b)
		// Increment the reversed cursor over the unmasked bits.
		cursor |= ^mask
		cursor = bits.Reverse64(cursor)
		cursor++
		cursor = bits.Reverse64(cursor)
		visits--
		if cursor == 0 || visits <= 0 || found >= count {
			return cursor
		}
	}
}
