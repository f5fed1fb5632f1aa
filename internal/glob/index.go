package glob

// Index maps subscribed patterns to values and finds the patterns that match
// a channel without testing every pattern. It is not safe for concurrent
// use; the caller locks. Match, Get, Len and Range do not modify the index,
// so they may run concurrently with one another (under a read lock) as long
// as no Add or Remove runs at the same time.
//
// The zero Index is empty and ready to use.
//
// Each pattern is filed once, under one of its anchors (see anchors): a
// pattern made of literals only under its exact text; otherwise under its
// literal prefix, its literal suffix, or a literal run inside it, whichever
// holds the fewest patterns when it is added (the longer on a tie). Match
// looks up the subject's exact text, walks the prefix tree along the
// subject, the suffix tree back from its end, and the inner tree from every
// position, and verifies each pattern it finds there with Match. Patterns
// without a literal (`*`, `[a-z]*`, `?*`) are verified one by one.
type Index[V any] struct {
	entries    map[string]*entry[V]
	exact      map[string]*bucket[V] // literal-only patterns, by the one subject they match
	prefixes   radixTree[V]          // by literal prefix
	suffixes   radixTree[V]          // by literal suffix, reversed
	inners     radixTree[V]          // by a literal run inside
	unanchored bucket[V]             // patterns without a literal
}

// filingKind names the structure a pattern is filed in.
type filingKind uint8

const (
	unanchoredFiling filingKind = iota
	exactFiling
	prefixFiling
	suffixFiling
	innerFiling
)

// filing says where a pattern is filed: the structure and the key in it
// (reversed for suffixes).
type filing struct {
	kind filingKind
	key  string
}

// Add adds pattern with value v, or replaces the value of a pattern already
// there.
func (ix *Index[V]) Add(pattern string, v V) {
	if e, ok := ix.entries[pattern]; ok {
		e.value = v
		return
	}
	if ix.entries == nil {
		ix.entries = make(map[string]*entry[V])
		ix.exact = make(map[string]*bucket[V])
	}
	e := &entry[V]{pattern: pattern, value: v, home: ix.chooseHome(pattern)}
	ix.entries[pattern] = e
	ix.homeBucket(e.home).add(e)
}

// Remove removes pattern and reports whether it was there.
func (ix *Index[V]) Remove(pattern string) bool {
	e, ok := ix.entries[pattern]
	if !ok {
		return false
	}
	delete(ix.entries, pattern)
	home := e.home
	ix.homeBucket(home).remove(e)
	switch home.kind {
	case exactFiling:
		if len(ix.exact[home.key].entries) == 0 {
			delete(ix.exact, home.key)
		}
	case prefixFiling:
		ix.prefixes.root.prune(home.key)
	case suffixFiling:
		ix.suffixes.root.prune(home.key)
	case innerFiling:
		ix.inners.root.prune(home.key)
	}
	return true
}

// Get returns the value of pattern, and whether it is in the index.
func (ix *Index[V]) Get(pattern string) (V, bool) {
	if e, ok := ix.entries[pattern]; ok {
		return e.value, true
	}
	var zero V
	return zero, false
}

// Len returns the number of patterns in the index.
func (ix *Index[V]) Len() int {
	return len(ix.entries)
}

// Range calls fn for every pattern in the index, in no particular order,
// until fn returns false. fn must not modify the index.
func (ix *Index[V]) Range(fn func(pattern string, v V) bool) {
	for pattern, e := range ix.entries {
		if !fn(pattern, e.value) {
			return
		}
	}
}

// chooseHome picks where to file pattern: its exact text when it is all
// literals, else the anchor whose bucket holds the fewest patterns now,
// preferring the longer anchor on a tie, then prefix over suffix over
// inner run (the walks in that order cost less).
func (ix *Index[V]) chooseHome(pattern string) filing {
	a := patternAnchors(pattern)
	if a.literalOnly {
		return filing{kind: exactFiling, key: a.exact}
	}
	best, bestLoad := filing{kind: unanchoredFiling}, 0
	consider := func(kind filingKind, tree *radixTree[V], key string) {
		if key == "" {
			return
		}
		load := tree.load(key)
		if best.kind == unanchoredFiling || load < bestLoad || load == bestLoad && len(key) > len(best.key) {
			best, bestLoad = filing{kind: kind, key: key}, load
		}
	}
	consider(prefixFiling, &ix.prefixes, a.prefix)
	consider(suffixFiling, &ix.suffixes, reversed(a.suffix))
	for _, run := range a.inner {
		consider(innerFiling, &ix.inners, run)
	}
	return best
}

// homeBucket returns the bucket for home, creating it if needed.
func (ix *Index[V]) homeBucket(home filing) *bucket[V] {
	switch home.kind {
	case exactFiling:
		b := ix.exact[home.key]
		if b == nil {
			b = &bucket[V]{}
			ix.exact[home.key] = b
		}
		return b
	case prefixFiling:
		return &ix.prefixes.insert(home.key).bucket
	case suffixFiling:
		return &ix.suffixes.insert(home.key).bucket
	case innerFiling:
		return &ix.inners.insert(home.key).bucket
	}
	return &ix.unanchored
}

// reversed returns s with its bytes in reverse order.
func reversed(s string) string {
	b := []byte(s)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}
