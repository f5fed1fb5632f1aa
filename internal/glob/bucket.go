package glob

// entry is one subscribed pattern, its value, and where it is filed.
type entry[V any] struct {
	pattern string
	value   V
	home    filing
	slot    int // position in its bucket's entries
}

// bucket holds the patterns filed under one anchor.
type bucket[V any] struct {
	entries []*entry[V]
}

func (b *bucket[V]) add(e *entry[V]) {
	e.slot = len(b.entries)
	b.entries = append(b.entries, e)
}

// remove takes e out of b in constant time, moving the last entry into its
// slot.
func (b *bucket[V]) remove(e *entry[V]) {
	last := len(b.entries) - 1
	moved := b.entries[last]
	b.entries[e.slot] = moved
	moved.slot = e.slot
	b.entries[last] = nil
	b.entries = b.entries[:last]
}

// matchEach calls fn for each pattern in b that matches subject.
func (b *bucket[V]) matchEach(subject []byte, fn func(pattern string, v V)) {
	for _, e := range b.entries {
		if match(e.pattern, subject) {
			fn(e.pattern, e.value)
		}
	}
}
