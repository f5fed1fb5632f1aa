package glob

import (
	"bytes"
	"strings"
)

// radixNode is a node of a radix tree of anchor keys. The key of a node is
// the concatenation of the labels from the root down to it; patterns whose
// anchor is that key are held in its bucket.
type radixNode[V any] struct {
	label    string // the edge from the parent; empty only at the root
	firsts   []byte // firsts[i] is the first byte of children[i].label
	children []*radixNode[V]
	bucket   bucket[V]
}

// radixTree maps anchor keys to buckets of patterns. The zero tree is
// empty and ready to use. Keys are never empty.
type radixTree[V any] struct {
	root radixNode[V]
}

// child returns the child whose label starts with c, and its position.
func (n *radixNode[V]) child(c byte) (*radixNode[V], int) {
	i := bytes.IndexByte(n.firsts, c)
	if i < 0 {
		return nil, -1
	}
	return n.children[i], i
}

// find returns the node whose key is key, or nil.
func (t *radixTree[V]) find(key string) *radixNode[V] {
	n := &t.root
	for len(key) > 0 {
		next, _ := n.child(key[0])
		if next == nil || !strings.HasPrefix(key, next.label) {
			return nil
		}
		key = key[len(next.label):]
		n = next
	}
	return n
}

// load returns how many patterns are filed under key.
func (t *radixTree[V]) load(key string) int {
	if n := t.find(key); n != nil {
		return len(n.bucket.entries)
	}
	return 0
}

// insert returns the node whose key is key, creating it (and splitting an
// edge) when needed.
func (t *radixTree[V]) insert(key string) *radixNode[V] {
	n := &t.root
	for len(key) > 0 {
		next, i := n.child(key[0])
		if next == nil {
			leaf := &radixNode[V]{label: key}
			n.firsts = append(n.firsts, key[0])
			n.children = append(n.children, leaf)
			return leaf
		}
		common := commonPrefixLen(key, next.label)
		if common < len(next.label) {
			middle := &radixNode[V]{
				label:    next.label[:common],
				firsts:   []byte{next.label[common]},
				children: []*radixNode[V]{next},
			}
			next.label = next.label[common:]
			n.children[i] = middle
			next = middle
		}
		key = key[common:]
		n = next
	}
	return n
}

// prune removes the nodes on key's path that no longer hold anything, and
// folds a node that holds nothing and has one child into that child, so
// that the tree stays as small as its keys.
func (n *radixNode[V]) prune(key string) {
	if len(key) == 0 {
		return
	}
	next, i := n.child(key[0])
	if next == nil || !strings.HasPrefix(key, next.label) {
		return
	}
	next.prune(key[len(next.label):])
	if len(next.bucket.entries) > 0 {
		return
	}
	switch len(next.children) {
	case 0:
		last := len(n.children) - 1
		n.firsts[i], n.children[i] = n.firsts[last], n.children[last]
		n.children[last] = nil
		n.firsts, n.children = n.firsts[:last], n.children[:last]
	case 1:
		only := next.children[0]
		only.label = next.label + only.label
		n.children[i] = only
	}
}

// commonPrefixLen returns the length of the longest common prefix of a and
// b.
func commonPrefixLen(a, b string) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}
