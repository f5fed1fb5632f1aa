package keyspace

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestListRandom runs random operations on a List and on a plain slice
// and compares them after each one, Size included.
func TestListRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 50 {
		l := NewList()
		var ref [][]byte
		for step := range 2000 {
			v := []byte(fmt.Sprintf("v%d", r.IntN(8)))
			if r.IntN(4) == 0 {
				v = bytes.Repeat(v, r.IntN(10))
			}
			op := r.IntN(10)
			switch {
			case op < 2:
				l.PushLeft(v)
				ref = slices.Insert(ref, 0, v)
			case op < 4:
				l.PushRight(v)
				ref = append(ref, v)
			case op == 4 && len(ref) > 0:
				if got := l.Pop(false); !bytes.Equal(got, ref[len(ref)-1]) {
					t.Fatalf("PopRight %q want %q", got, ref[len(ref)-1])
				}
				ref = ref[:len(ref)-1]
			case op == 5 && len(ref) > 0:
				if got := l.PopLeft(); !bytes.Equal(got, ref[0]) {
					t.Fatalf("PopLeft %q want %q", got, ref[0])
				}
				ref = ref[1:]
			case op == 6:
				i := r.IntN(len(ref) + 1)
				l.Insert(i, v)
				ref = slices.Insert(ref, i, v)
			case op == 7 && len(ref) > 0:
				i := r.IntN(len(ref))
				l.Set(i, v)
				ref[i] = v
			case op == 8 && r.IntN(5) == 0:
				count, tail := r.IntN(3), r.IntN(2) == 0
				want := refRemove(&ref, v, count, tail)
				if got := l.Remove(v, count, tail); got != want {
					t.Fatalf("Remove %d want %d", got, want)
				}
			case op == 9 && r.IntN(10) == 0 && len(ref) > 0:
				left := r.IntN(len(ref) + 1)
				right := r.IntN(len(ref) - left + 1)
				l.Trim(left, right)
				ref = ref[left : len(ref)-right]
			}
			if l.Len() != len(ref) {
				t.Fatalf("round %d step %d: Len %d want %d", round, step, l.Len(), len(ref))
			}
			var size int64
			for i, e := range ref {
				size += int64(len(e))
				if !bytes.Equal(l.Index(i), e) {
					t.Fatalf("round %d step %d: [%d] = %q want %q", round, step, i, l.Index(i), e)
				}
			}
			if l.bytes != size {
				t.Fatalf("bytes %d want %d", l.bytes, size)
			}
			if f := slices.IndexFunc(ref, func(e []byte) bool { return bytes.Equal(e, v) }); l.Find(v) != f {
				t.Fatalf("Find %d want %d", l.Find(v), f)
			}
		}
	}
}

func refRemove(ref *[][]byte, v []byte, count int, tail bool) int {
	s := *ref
	removed := 0
	drop := make([]bool, len(s))
	for k := range s {
		i := k
		if tail {
			i = len(s) - 1 - k
		}
		if (count == 0 || removed < count) && bytes.Equal(s[i], v) {
			drop[i] = true
			removed++
		}
	}
	var out [][]byte
	for i, e := range s {
		if !drop[i] {
			out = append(out, e)
		}
	}
	*ref = out
	return removed
}

func TestListRangeAndEncoding(t *testing.T) {
	l := NewList()
	for i := range 5 {
		l.PushRight([]byte{byte('a' + i)})
	}
	var got []byte
	l.Range(1, 3, true, func(v []byte) { got = append(got, v...) })
	if string(got) != "dcb" || l.Encoding() != "quicklist" || l.Type() != "list" {
		t.Fatalf("Range reverse %q, encoding %s", got, l.Encoding())
	}
	big := l.Size()
	for l.Len() > 0 {
		l.PopLeft()
	}
	if l.Size() >= big+1 || l.bytes != 0 {
		t.Fatalf("size after emptying %d (was %d)", l.Size(), big)
	}
}

func TestListCopy(t *testing.T) {
	l := NewList()
	for i := range 10 {
		l.PushLeft([]byte{byte('a' + i)})
	}
	l.PopRight()
	c := l.Copy().(*List)
	l.Set(0, []byte("changed"))
	if c.Len() != 9 || string(c.Index(0)) != "j" || string(c.Index(8)) != "b" || c.Size() != l.Size()-int64(len("changed"))+1 {
		t.Fatalf("copy: len %d, [0] %q, size %d vs %d", c.Len(), c.Index(0), c.Size(), l.Size())
	}
	c.PushLeft([]byte("z"))
	if l.Len() != 9 {
		t.Fatal("the copy shares the ring")
	}
}
