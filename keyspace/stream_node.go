package keyspace

import (
	"encoding/binary"
	"math"
)

// The sizes Redis's encodings give a stream's nodes, where a reply depends
// on them: a listpack's bytes decide where a node ends (Stream.Add), and
// the radix tree's node count is XINFO STREAM's radix-tree-nodes.

// Listpack sizes (Redis's listpack.c), for the node byte limit.
const lpHeaderSize = 6 // total bytes and element count; +1 for the end byte (counted in NewStream's node)

// lpIntSize returns the bytes an integer element takes, its backlen
// included.
func lpIntSize(v int64) int64 {
	var n int64
	switch {
	case v >= 0 && v <= 127:
		n = 1
	case v >= -4096 && v <= 4095:
		n = 2
	case v >= -32768 && v <= 32767:
		n = 3
	case v >= -8388608 && v <= 8388607:
		n = 4
	case v >= math.MinInt32 && v <= math.MaxInt32:
		n = 5
	default:
		n = 9
	}
	return n + lpBacklenSize(n)
}

// lpStringSize returns the bytes a string element takes: as an integer
// if it is one (lpStringToInt64: string2ll's rules), else a 6, 12 or 32
// bit length and the bytes; its backlen included.
func lpStringSize(b []byte) int64 {
	if v, ok := ParseInt(b); ok {
		return lpIntSize(v)
	}
	l := int64(len(b))
	var n int64
	switch {
	case l < 64:
		n = 1 + l
	case l < 4096:
		n = 2 + l
	default:
		n = 5 + l
	}
	return n + lpBacklenSize(n)
}

func lpBacklenSize(l int64) int64 {
	switch {
	case l <= 127:
		return 1
	case l < 16383:
		return 2
	case l < 2097151:
		return 3
	case l < 268435455:
		return 4
	}
	return 5
}

// RaxNodes returns the number of nodes of Redis's radix tree keyed by the
// nodes' master IDs (16 bytes, big-endian), XINFO's radix-tree-nodes:
// the tree as rax compresses it, each run of single-child steps one node,
// each branching point one node, each key's end one node; 1 when empty.
func (s *Stream) RaxNodes() int {
	if len(s.nodes) == 0 {
		return 1
	}
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		binary.BigEndian.PutUint64(keys[i][:8], n.master.Ms)
		binary.BigEndian.PutUint64(keys[i][8:], n.master.Seq)
	}
	return raxCount(keys, 0)
}

// raxCount counts the rax nodes of the subtree of sorted keys starting
// at byte depth d.
func raxCount(keys [][16]byte, d int) int {
	if d == 16 {
		return 1
	}
	first, last := keys[0], keys[len(keys)-1]
	l := d
	for l < 16 && first[l] == last[l] {
		l++
	}
	n := 0
	if l > d {
		n++ // a compressed node for bytes d..l-1
	}
	if l == 16 {
		return n + 1
	}
	n++ // the branching node at l
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j][l] == keys[i][l] {
			j++
		}
		n += raxCount(keys[i:j], l+1)
		i = j
	}
	return n
}
