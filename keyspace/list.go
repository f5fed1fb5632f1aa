package keyspace

// List is a list value: a double-ended queue of byte strings in a ring
// buffer, so pushes and pops at either end are O(1) (amortized) and
// indexing is O(1); inserting or removing inside the list moves the
// elements after it, as Redis's quicklist does within a node.
//
// Redis 7.0 keeps every list as a quicklist (listpack-encoded lists came
// with 7.2), whatever its size, and OBJECT ENCODING says so.
//
// Elements are stored as given: callers pass slices they no longer use
// (copies of command arguments, never the query buffer itself).
type List struct {
	buf   [][]byte // ring buffer, len(buf) a power of two or 0
	head  int      // index in buf of the first element
	n     int      // number of elements
	bytes int64    // sum of the elements' lengths, for Size
}

// listMinCap is the smallest ring a list allocates.
const listMinCap = 4

// listElemOverhead is what Size counts per element besides its bytes: a
// listpack entry's header and backlen are a few bytes, but the ring's slot
// is a slice header; the ring's capacity is counted instead (see Size).
const listElemOverhead = 24

// NewList returns an empty list.
func NewList() *List { return &List{} }

// Type implements Value.
func (l *List) Type() string { return "list" }

// Encoding implements Value.
func (l *List) Encoding() string { return "quicklist" }

// Size implements Value: the elements' bytes and the ring's slots. O(1).
func (l *List) Size() int64 { return 48 + l.bytes + int64(len(l.buf))*listElemOverhead }

// Len returns the number of elements.
func (l *List) Len() int { return l.n }

// slot returns the buf index of element i, 0 <= i < n.
func (l *List) slot(i int) int { return (l.head + i) & (len(l.buf) - 1) }

// Index returns element i, 0 <= i < Len().
func (l *List) Index(i int) []byte { return l.buf[l.slot(i)] }

// resize moves the elements into a ring of capacity size (a power of two,
// at least n).
func (l *List) resize(size int) {
	nb := make([][]byte, size)
	if l.n > 0 {
		if end := l.head + l.n; end <= len(l.buf) {
			copy(nb, l.buf[l.head:end])
		} else {
			k := copy(nb, l.buf[l.head:])
			copy(nb[k:], l.buf[:end-len(l.buf)])
		}
	}
	l.buf, l.head = nb, 0
}

func (l *List) grow() {
	if l.n == len(l.buf) {
		l.resize(max(listMinCap, 2*len(l.buf)))
	}
}

// shrink gives memory back once the list uses a quarter of its ring.
func (l *List) shrink() {
	if len(l.buf) > listMinCap*4 && l.n <= len(l.buf)/4 {
		l.resize(len(l.buf) / 2)
	}
}

// PushLeft inserts v at the head.
func (l *List) PushLeft(v []byte) {
	l.grow()
	l.head = (l.head - 1) & (len(l.buf) - 1)
	l.buf[l.head] = v
	l.n++
	l.bytes += int64(len(v))
}

// PushRight appends v at the tail.
func (l *List) PushRight(v []byte) {
	l.grow()
	l.buf[l.slot(l.n)] = v
	l.n++
	l.bytes += int64(len(v))
}

// Push inserts v at the head (left) or the tail.
func (l *List) Push(v []byte, left bool) {
	if left {
		l.PushLeft(v)
	} else {
		l.PushRight(v)
	}
}

// PopLeft removes and returns the head; the list must not be empty.
func (l *List) PopLeft() []byte {
	v := l.buf[l.head]
	l.buf[l.head] = nil
	l.head = (l.head + 1) & (len(l.buf) - 1)
	l.n--
	l.bytes -= int64(len(v))
	l.shrink()
	return v
}

// PopRight removes and returns the tail; the list must not be empty.
func (l *List) PopRight() []byte {
	i := l.slot(l.n - 1)
	v := l.buf[i]
	l.buf[i] = nil
	l.n--
	l.bytes -= int64(len(v))
	l.shrink()
	return v
}

// Pop removes and returns the head (left) or the tail; the list must not
// be empty.
func (l *List) Pop(left bool) []byte {
	if left {
		return l.PopLeft()
	}
	return l.PopRight()
}

// Set replaces element i, 0 <= i < Len().
func (l *List) Set(i int, v []byte) {
	s := l.slot(i)
	l.bytes += int64(len(v)) - int64(len(l.buf[s]))
	l.buf[s] = v
}

// Insert inserts v before element i, 0 <= i <= Len(), moving the shorter
// side.
func (l *List) Insert(i int, v []byte) {
	if i <= l.n/2 {
		l.PushLeft(v) // room at the head; then shift the first i elements left
		for j := 0; j < i; j++ {
			l.buf[l.slot(j)] = l.buf[l.slot(j+1)]
		}
	} else {
		l.PushRight(v)
		for j := l.n - 1; j > i; j-- {
			l.buf[l.slot(j)] = l.buf[l.slot(j-1)]
		}
	}
	l.buf[l.slot(i)] = v
}

// Find returns the index of the first element equal to v, searching from
// the head, or -1.
func (l *List) Find(v []byte) int {
	for i := 0; i < l.n; i++ {
		if string(l.Index(i)) == string(v) {
			return i
		}
	}
	return -1
}

// Remove removes elements equal to v and returns how many: at most count
// (all when count is 0), the first ones from the head, or from the tail
// when fromTail.
func (l *List) Remove(v []byte, count int, fromTail bool) int {
	removed := 0
	keep := make([]bool, l.n)
	for k := 0; k < l.n; k++ {
		i := k
		if fromTail {
			i = l.n - 1 - k
		}
		if (count == 0 || removed < count) && string(l.Index(i)) == string(v) {
			removed++
			continue
		}
		keep[i] = true
	}
	if removed == 0 {
		return 0
	}
	w := 0
	for i := 0; i < l.n; i++ {
		e := l.Index(i)
		if keep[i] {
			l.buf[l.slot(w)] = e
			w++
		} else {
			l.bytes -= int64(len(e))
		}
	}
	for i := w; i < l.n; i++ {
		l.buf[l.slot(i)] = nil
	}
	l.n = w
	l.shrink()
	return removed
}

// Trim removes left elements from the head and right from the tail;
// left+right <= Len().
func (l *List) Trim(left, right int) {
	for range left {
		l.popLeftNoShrink()
	}
	for range right {
		i := l.slot(l.n - 1)
		l.bytes -= int64(len(l.buf[i]))
		l.buf[i] = nil
		l.n--
	}
	for len(l.buf) > listMinCap*4 && l.n <= len(l.buf)/4 {
		l.shrink()
	}
}

func (l *List) popLeftNoShrink() {
	l.bytes -= int64(len(l.buf[l.head]))
	l.buf[l.head] = nil
	l.head = (l.head + 1) & (len(l.buf) - 1)
	l.n--
}

// Range calls fn for elements start..stop (inclusive, 0 <= start <= stop <
// Len()), from start to stop, or from stop down to start when reverse.
func (l *List) Range(start, stop int, reverse bool, fn func(v []byte)) {
	if reverse {
		for i := stop; i >= start; i-- {
			fn(l.Index(i))
		}
		return
	}
	for i := start; i <= stop; i++ {
		fn(l.Index(i))
	}
}

// Copy returns a deep copy of the list (COPY).
func (l *List) Copy() Value {
	c := &List{buf: make([][]byte, len(l.buf)), n: l.n, bytes: l.bytes}
	for i := range l.n {
		c.buf[i] = append([]byte(nil), l.Index(i)...)
	}
	return c
}
