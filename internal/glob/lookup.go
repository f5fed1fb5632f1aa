package glob

// Match calls fn once for every pattern in the index that matches subject,
// in no particular order. It does not allocate. fn must not modify the
// index.
func (ix *Index[V]) Match(subject []byte, fn func(pattern string, v V)) {
	ix.visitCandidates(subject, func(b *bucket[V]) {
		b.matchEach(subject, fn)
	})
}

// visitCandidates calls visit for every non-empty bucket whose patterns may
// match subject: the patterns of all other buckets cannot. Each pattern is
// in one bucket and each bucket is visited at most once.
func (ix *Index[V]) visitCandidates(subject []byte, visit func(*bucket[V])) {
	if b := ix.exact[string(subject)]; b != nil {
		visit(b)
	}
	ix.visitPrefixes(subject, visit)
	ix.visitSuffixes(subject, visit)
	ix.visitInners(subject, visit)
	if len(ix.unanchored.entries) > 0 {
		visit(&ix.unanchored)
	}
}

// visitPrefixes visits the buckets of the prefixes of subject.
func (ix *Index[V]) visitPrefixes(subject []byte, visit func(*bucket[V])) {
	n := &ix.prefixes.root
	for at := 0; at < len(subject); {
		next, _ := n.child(subject[at])
		if next == nil {
			return
		}
		end := at + len(next.label)
		if end > len(subject) || string(subject[at:end]) != next.label {
			return
		}
		n, at = next, end
		if len(n.bucket.entries) > 0 {
			visit(&n.bucket)
		}
	}
}

// visitSuffixes visits the buckets of the suffixes of subject, walking the
// tree of reversed suffixes from the subject's last byte back.
func (ix *Index[V]) visitSuffixes(subject []byte, visit func(*bucket[V])) {
	n := &ix.suffixes.root
	for rest := len(subject); rest > 0; { // subject[:rest] is not walked yet
		next, _ := n.child(subject[rest-1])
		if next == nil || len(next.label) > rest {
			return
		}
		for i := 0; i < len(next.label); i++ {
			if next.label[i] != subject[rest-1-i] {
				return
			}
		}
		n, rest = next, rest-len(next.label)
		if len(n.bucket.entries) > 0 {
			visit(&n.bucket)
		}
	}
}

// visitInners visits the buckets of the substrings of subject. A substring
// that occurs more than once is taken at its first occurrence only, so that
// no bucket is visited twice: walking from the root at start reaches a
// node exactly when its key occurs at start, so the first start to reach a
// node is its key's first occurrence, and later ones are skipped. (Asking
// bytes.Index for the first occurrence at every reach instead made a
// channel that repeats an inner literal quadratic: a second of matching
// for a 1 MB channel against "*ab*".)
func (ix *Index[V]) visitInners(subject []byte, visit func(*bucket[V])) {
	root := &ix.inners.root
	if len(root.children) == 0 {
		return
	}
	var seen visitedBuckets[V]
	for start := range subject {
		n := root
		for at := start; at < len(subject); {
			next, _ := n.child(subject[at])
			if next == nil {
				break
			}
			end := at + len(next.label)
			if end > len(subject) || string(subject[at:end]) != next.label {
				break
			}
			n, at = next, end
			if len(n.bucket.entries) > 0 && seen.first(&n.bucket) {
				visit(&n.bucket)
			}
		}
	}
}

// visitedBuckets remembers the buckets one lookup has visited: in an array
// while they are few, so that a lookup does not allocate, and in a map
// beyond.
type visitedBuckets[V any] struct {
	few  [8]*bucket[V]
	n    int
	many map[*bucket[V]]struct{}
}

// first reports whether b is met for the first time, and remembers it.
func (v *visitedBuckets[V]) first(b *bucket[V]) bool {
	for _, x := range v.few[:v.n] {
		if x == b {
			return false
		}
	}
	if v.n < len(v.few) {
		v.few[v.n] = b
		v.n++
		return true
	}
	if _, ok := v.many[b]; ok {
		return false
	}
	if v.many == nil {
		v.many = make(map[*bucket[V]]struct{})
	}
	v.many[b] = struct{}{}
	return true
}
