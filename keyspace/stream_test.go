package keyspace

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"
)

func sid(ms, seq uint64) StreamID { return StreamID{ms, seq} }

func fv(kv ...string) [][]byte {
	out := make([][]byte, len(kv))
	for i, s := range kv {
		out[i] = []byte(s)
	}
	return out
}

func TestParseStreamID(t *testing.T) {
	cases := []struct {
		in        string
		strict    bool
		star      bool
		want      StreamID
		seqGiven  bool
		ok        bool
		missingSq uint64
	}{
		{"1-2", false, false, sid(1, 2), true, true, 0},
		{"5", false, false, sid(5, 7), true, true, 7},
		{"-", false, false, sid(0, 0), true, true, 0},
		{"+", false, false, MaxStreamID, true, true, 0},
		{"-", true, false, sid(0, 0), false, false, 0},
		{"5-*", false, true, sid(5, 0), false, true, 0},
		{"5-*", false, false, sid(0, 0), false, false, 0},
		{"18446744073709551615-18446744073709551615", false, false, MaxStreamID, true, true, 0},
		{"18446744073709551616", false, false, sid(0, 0), false, false, 0},
		{"-1", false, false, sid(0, 0), false, false, 0},
		{"1--1", false, false, sid(0, 0), false, false, 0},
		{"1-", false, false, sid(0, 0), false, false, 0},
		{"", false, false, sid(0, 0), false, false, 0},
		{"abc", false, false, sid(0, 0), false, false, 0},
		{"007-+3", false, false, sid(7, 3), true, true, 0},
		{" 7", false, false, sid(7, 0), true, true, 0},
		{"7 ", false, false, sid(0, 0), false, false, 0},
		{"1-01", false, false, sid(1, 1), true, true, 0},
		{"2-3\x00junk", false, false, sid(2, 3), true, true, 0},
	}
	for _, c := range cases {
		got, seqGiven, ok := ParseStreamID([]byte(c.in), c.missingSq, c.strict, c.star)
		if ok != c.ok || (ok && (got != c.want || seqGiven != c.seqGiven)) {
			t.Errorf("ParseStreamID(%q) = %v %v %v, want %v %v %v", c.in, got, seqGiven, ok, c.want, c.seqGiven, c.ok)
		}
	}
	if id, _, ok := ParseStreamID([]byte("1--01"), 0, false, false); !ok || id.Seq != MaxStreamID.Seq {
		t.Errorf("sequence \"-01\" parses as strtoull does (2^64-1), got %v %v", id, ok)
	}
	if _, _, ok := ParseStreamID(bytes.Repeat([]byte("1"), 128), 0, false, false); ok {
		t.Error("a 128-byte ID is invalid")
	}
}

func TestStreamIDNextPrev(t *testing.T) {
	if n, ok := sid(1, MaxStreamID.Seq).Next(); !ok || n != sid(2, 0) {
		t.Errorf("Next carries into ms: %v", n)
	}
	if _, ok := MaxStreamID.Next(); ok {
		t.Error("Next of the largest ID")
	}
	if p, ok := sid(2, 0).Prev(); !ok || p != sid(1, MaxStreamID.Seq) {
		t.Errorf("Prev borrows: %v", p)
	}
	if _, ok := sid(0, 0).Prev(); ok {
		t.Error("Prev of 0-0")
	}
	if s := sid(12, 3).String(); s != "12-3" {
		t.Error(s)
	}
}

func TestStreamAddRangeDelete(t *testing.T) {
	s := NewStream()
	for i := uint64(1); i <= 250; i++ {
		s.Add(sid(i, i), fv("f", "v"))
	}
	if s.Len() != 250 || s.NodeCount() != 3 || s.LastID() != sid(250, 250) || s.FirstID() != sid(1, 1) || s.EntriesAdded() != 250 {
		t.Fatalf("len %d nodes %d last %v first %v added %d", s.Len(), s.NodeCount(), s.LastID(), s.FirstID(), s.EntriesAdded())
	}
	r := s.Range(sid(99, 0), sid(102, 102), 0, false)
	if len(r) != 4 || r[0].ID != sid(99, 99) || r[3].ID != sid(102, 102) {
		t.Fatalf("range across nodes: %v", r)
	}
	r = s.Range(sid(0, 0), MaxStreamID, 3, true)
	if len(r) != 3 || r[0].ID != sid(250, 250) || r[2].ID != sid(248, 248) {
		t.Fatalf("reverse range: %v", r)
	}
	if !s.Delete(sid(1, 1)) || s.Delete(sid(1, 1)) || s.Delete(sid(7, 0)) {
		t.Fatal("delete reports")
	}
	if s.FirstID() != sid(2, 2) || s.MaxDeletedID() != sid(1, 1) || s.Len() != 249 {
		t.Fatalf("after XDEL of the first: first %v maxdel %v len %d", s.FirstID(), s.MaxDeletedID(), s.Len())
	}
	if _, ok := s.Get(sid(1, 1)); ok {
		t.Fatal("deleted entry found")
	}
	if e, ok := s.Get(sid(5, 5)); !ok || string(e.Fields[1]) != "v" {
		t.Fatal("Get")
	}
	// Redis: XDEL 2-2 150-150 after 1-1, then XTRIM MAXLEN ~ 200 removes
	// nothing (a whole first node would leave 149), MINID 101-101 removes
	// the first node (98 live entries).
	s.Delete(sid(2, 2))
	s.Delete(sid(150, 150))
	if n := s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 200, Approx: true}); n != 0 {
		t.Fatalf("MAXLEN ~ 200 removed %d", n)
	}
	if n := s.Trim(TrimArgs{Strategy: TrimMinID, MinID: sid(101, 101)}); n != 98 || s.Len() != 149 || s.NodeCount() != 2 {
		t.Fatalf("MINID removed %d, len %d nodes %d", n, s.Len(), s.NodeCount())
	}
	if s.FirstID() != sid(101, 101) {
		t.Fatalf("first after trim %v", s.FirstID())
	}
}

// The node byte limit, checked against redis-server 7.0.15's
// radix-tree-keys for the same appends.
func TestStreamNodeBytes(t *testing.T) {
	a := NewStream()
	big := string(bytes.Repeat([]byte("x"), 300))
	for i := uint64(1); i <= 30; i++ {
		a.Add(sid(i, 1), fv("f", big))
	}
	if a.NodeCount() != 3 {
		t.Errorf("300-byte values: %d nodes, Redis has 3", a.NodeCount())
	}
	b := NewStream()
	mid := string(bytes.Repeat([]byte("y"), 200))
	for i := uint64(1); i <= 30; i++ {
		b.Add(sid(i, 1), fv("f"+strconv.Itoa(int(i)), mid, "g", "12345"))
	}
	if b.NodeCount() != 2 {
		t.Errorf("differing fields: %d nodes, Redis has 2", b.NodeCount())
	}
}

func TestStreamTrimExactAndLimit(t *testing.T) {
	s := NewStream()
	for i := uint64(1); i <= 250; i++ {
		s.Add(sid(i, 0), fv("f", "v"))
	}
	// LIMIT smaller than the first node: nothing.
	if n := s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 0, Approx: true, Limit: 99}); n != 0 {
		t.Fatalf("limit 99 removed %d", n)
	}
	if n := s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 0, Approx: true, Limit: 150}); n != 100 {
		t.Fatalf("limit 150 removed %d", n)
	}
	if n := s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 10}); n != 140 || s.Len() != 10 || s.NodeCount() != 1 {
		t.Fatalf("exact MAXLEN 10 removed %d, len %d nodes %d", n, s.Len(), s.NodeCount())
	}
	if s.FirstID() != sid(241, 0) {
		t.Fatalf("first %v", s.FirstID())
	}
	// MINID inside a node whose last entry is deleted leaves an empty node.
	s.Delete(sid(250, 0))
	if n := s.Trim(TrimArgs{Strategy: TrimMinID, MinID: sid(250, 0)}); n != 9 || s.Len() != 0 || s.NodeCount() != 1 {
		t.Fatalf("MINID 250 removed %d, len %d, nodes %d", n, s.Len(), s.NodeCount())
	}
	if s.FirstID() != sid(0, 0) {
		t.Fatal("first of an empty stream")
	}
	s.Add(sid(300, 0), fv("a", "b"))
	if s.NodeCount() != 1 || s.Len() != 1 || s.FirstID() != sid(300, 0) {
		t.Fatalf("append into the emptied node: nodes %d", s.NodeCount())
	}
}

// refStream is the reference model: a sorted slice of IDs.
type refStream struct{ ids []StreamID }

func (r *refStream) rng(start, end StreamID, count int, rev bool) []StreamID {
	var out []StreamID
	for _, id := range r.ids {
		if !id.Less(start) && !end.Less(id) {
			out = append(out, id)
		}
	}
	if rev {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	if count > 0 && len(out) > count {
		out = out[:count]
	}
	return out
}

func TestStreamRandomAgainstReference(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		rnd := rand.New(rand.NewPCG(seed, 7))
		runStreamModel(t, fmt.Sprintf("seed %d", seed), 2000, rnd.IntN)
	}
}

// FuzzStreamModel is TestStreamRandomAgainstReference with the choices
// read from the input.
func FuzzStreamModel(f *testing.F) {
	f.Add([]byte{3, 0, 0, 1, 0, 2, 0, 5, 1, 7, 2, 9, 0, 3, 8, 1, 1})
	f.Add(bytes.Repeat([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		next := func(n int) int {
			if len(data) == 0 {
				return 0
			}
			v := int(data[0]) % n
			data = data[1:]
			return v
		}
		runStreamModel(t, "fuzz", len(data)/2, next)
	})
}

// runStreamModel runs steps random operations (choices from next(n), in
// [0, n)) on a Stream with small nodes and on refStream, a sorted slice,
// and checks that they agree: Add, Delete, exact and approximate trims
// (an approximate one removes a prefix no longer than the exact one),
// ranges both ways with counts, Len, FirstID, Get.
func runStreamModel(t *testing.T, name string, steps int, next func(n int) int) {
	s := NewStream()
	s.NodeMaxEntries = 1 + next(12)
	ref := &refStream{}
	id := func(hi uint64) StreamID { return sid(uint64(next(int(hi/3)+2)), uint64(next(3))) }
	at := uint64(1)
	for op := 0; op < steps; op++ {
		switch k := next(10); {
		case k < 5:
			at += uint64(next(3))
			nid := sid(at/3, at%3)
			if !s.LastID().Less(nid) {
				continue
			}
			s.Add(nid, fv("f", strconv.FormatUint(at, 10)))
			ref.ids = append(ref.ids, nid)
		case k < 7:
			d := id(at)
			i := sort.Search(len(ref.ids), func(i int) bool { return !ref.ids[i].Less(d) })
			want := i < len(ref.ids) && ref.ids[i] == d
			if got := s.Delete(d); got != want {
				t.Fatalf("%s: Delete(%v) = %v, want %v", name, d, got, want)
			}
			if want {
				ref.ids = append(ref.ids[:i], ref.ids[i+1:]...)
			}
		case k < 8:
			maxlen := int64(next(len(ref.ids) + 2))
			approx := next(2) == 0
			n := s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: maxlen, Approx: approx})
			want := max(int64(len(ref.ids))-maxlen, 0)
			if (!approx && n != want) || n > want {
				t.Fatalf("%s: MAXLEN %d approx %v removed %d of %d", name, maxlen, approx, n, len(ref.ids))
			}
			ref.ids = ref.ids[n:]
		case k < 9:
			min := id(at)
			n := s.Trim(TrimArgs{Strategy: TrimMinID, MinID: min, Approx: next(2) == 0})
			for _, gone := range ref.ids[:n] {
				if !gone.Less(min) {
					t.Fatalf("%s: MINID %v removed %v", name, min, gone)
				}
			}
			ref.ids = ref.ids[n:]
			if len(ref.ids) > 0 && s.FirstID() != ref.ids[0] {
				t.Fatalf("%s: first %v, want %v", name, s.FirstID(), ref.ids[0])
			}
		default:
			a, b := id(at), id(at)
			count, rev := next(5), next(2) == 0
			got := s.Range(a, b, count, rev)
			want := ref.rng(a, b, count, rev)
			if len(got) != len(want) {
				t.Fatalf("%s: Range(%v,%v,%d,%v) has %d, want %d", name, a, b, count, rev, len(got), len(want))
			}
			for i := range got {
				if got[i].ID != want[i] {
					t.Fatalf("%s: Range item %d %v, want %v", name, i, got[i].ID, want[i])
				}
			}
		}
		if s.Len() != int64(len(ref.ids)) {
			t.Fatalf("%s op %d: len %d, want %d", name, op, s.Len(), len(ref.ids))
		}
		if len(ref.ids) == 0 && !s.FirstID().IsZero() {
			t.Fatalf("%s: first of empty %v", name, s.FirstID())
		}
		if len(ref.ids) > 0 && s.FirstID() != ref.ids[0] {
			t.Fatalf("%s op %d: first %v, want %v", name, op, s.FirstID(), ref.ids[0])
		}
	}
	for _, e := range ref.ids {
		if _, ok := s.Get(e); !ok {
			t.Fatalf("%s: %v missing", name, e)
		}
	}
}

func TestStreamGroups(t *testing.T) {
	s := NewStream()
	for i := uint64(1); i <= 5; i++ {
		s.Add(sid(i, 0), fv("f", "v"))
	}
	g := s.CreateGroup("g", sid(0, 0), 0)
	if g == nil || s.CreateGroup("g", sid(0, 0), 0) != nil {
		t.Fatal("CreateGroup")
	}
	s.CreateGroup("a", sid(0, 0), InvalidEntriesRead)
	if gs := s.Groups(); len(gs) != 2 || gs[0].Name != "a" {
		t.Fatal("groups order")
	}
	c1, created := g.CreateConsumer("c1", 100)
	if !created {
		t.Fatal("created")
	}
	c2, _ := g.CreateConsumer("c2", 100)
	for i := uint64(1); i <= 3; i++ {
		g.Deliver(sid(i, 0), c1, 200)
		s.Delivered(g, sid(i, 0))
	}
	if g.LastID != sid(3, 0) || g.EntriesRead != 3 {
		t.Fatalf("last %v read %d", g.LastID, g.EntriesRead)
	}
	if lag, ok := s.Lag(g); !ok || lag != 2 {
		t.Fatalf("lag %d %v", lag, ok)
	}
	// Redelivery after SETID moves the NACK.
	n := g.Deliver(sid(2, 0), c2, 300)
	if n.Consumer != c2 || n.DeliveryCount != 1 || c1.PEL.Len() != 2 || c2.PEL.Len() != 1 || g.PEL.Len() != 3 {
		t.Fatal("redelivery")
	}
	g.Claim(g.PEL.Get(sid(1, 0)), c2)
	if c1.PEL.Len() != 1 || c2.PEL.Len() != 2 {
		t.Fatal("claim")
	}
	if !g.Ack(sid(1, 0)) || g.Ack(sid(1, 0)) || c2.PEL.Len() != 1 || g.PEL.Len() != 2 {
		t.Fatal("ack")
	}
	if r := g.PEL.Range(sid(0, 0), MaxStreamID, 0, true); len(r) != 2 || r[0].ID != sid(3, 0) {
		t.Fatal("PEL range")
	}
	cp := s.Copy().(*Stream)
	if n := g.DeleteConsumer("c1"); n != 1 || g.PEL.Len() != 1 || g.DeleteConsumer("c1") != -1 {
		t.Fatal("delete consumer")
	}
	if cg := cp.Group("g"); cg == nil || cg.PEL.Len() != 2 || cg.Consumer("c1").PEL.Len() != 1 || cg.PEL.Get(sid(3, 0)).Consumer != cg.Consumer("c1") {
		t.Fatal("copy is deep")
	}
	// A tombstone after the group's last ID makes entries_read estimated.
	s.Delete(sid(4, 0))
	if _, ok := s.Lag(g); ok {
		t.Fatal("lag with a tombstone ahead is unknown")
	}
	if !s.DeleteGroup("g") || s.DeleteGroup("g") || s.GroupCount() != 1 {
		t.Fatal("DeleteGroup")
	}
	if s.Size() <= 0 {
		t.Fatal("size")
	}
}

// TestStreamAddCopy: AddCopy keeps copies of the fields, in buffers its
// node shares among entries: reusing the caller's slices changes nothing,
// appending to one entry's field does not reach the next entry's, and
// entries of every size, over many nodes, read back as added, also
// after XDEL and trimming. The nodes are as Add makes them.
func TestStreamAddCopy(t *testing.T) {
	s, ref := NewStream(), NewStream()
	var want []StreamEntry
	buf := make([]byte, 0, 1<<12)
	for i := range 2000 {
		// Values of 0 to 299 bytes, sizes changing mid-node.
		size := (i * 37) % 300
		if i%500 > 250 {
			size = i % 7
		}
		buf = buf[:0]
		for j := range size {
			buf = append(buf, byte('a'+(i+j)%26))
		}
		fields := [][]byte{[]byte("f"), buf, []byte("n"), []byte(strconv.Itoa(i))}
		id := sid(uint64(i+1), 0)
		s.AddCopy(id, fields)
		ref.Add(id, [][]byte{[]byte("f"), bytes.Clone(buf), []byte("n"), []byte(strconv.Itoa(i))})
		want = append(want, StreamEntry{id, [][]byte{[]byte("f"), bytes.Clone(buf), []byte("n"), []byte(strconv.Itoa(i))}})
		for j := range buf {
			buf[j] = '!' // the caller reuses its buffer
		}
	}
	if len(s.nodes) != len(ref.nodes) {
		t.Fatalf("AddCopy made %d nodes, Add %d", len(s.nodes), len(ref.nodes))
	}
	for i := range s.nodes {
		if s.nodes[i].lpBytes() != ref.nodes[i].lpBytes() || len(s.nodes[i].entries) != len(ref.nodes[i].entries) {
			t.Fatalf("node %d: AddCopy's has %d entries in %d bytes, Add's %d in %d", i,
				len(s.nodes[i].entries), s.nodes[i].lpBytes(), len(ref.nodes[i].entries), ref.nodes[i].lpBytes())
		}
	}
	check := func(what string) {
		t.Helper()
		got := s.Range(sid(0, 0), MaxStreamID, 0, false)
		if len(got) != len(want) {
			t.Fatalf("%s: %d entries, want %d", what, len(got), len(want))
		}
		for i := range got {
			if got[i].ID != want[i].ID || !slices.EqualFunc(got[i].Fields, want[i].Fields, bytes.Equal) {
				t.Fatalf("%s: entry %d is %v %q, want %v %q", what, i, got[i].ID, got[i].Fields, want[i].ID, want[i].Fields)
			}
		}
	}
	check("after adding")
	// An append to a field stays its own.
	e := s.Range(sid(100, 0), sid(100, 0), 0, false)[0]
	_ = append(e.Fields[1], "overflow"...)
	check("after an append to a field")
	for i := 10; i < 2000; i += 3 {
		if !s.Delete(sid(uint64(i), 0)) {
			t.Fatalf("XDEL %d found nothing", i)
		}
	}
	want = slices.DeleteFunc(want, func(e StreamEntry) bool { return e.ID.Ms >= 10 && (e.ID.Ms-10)%3 == 0 })
	check("after XDEL")
	s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: 500})
	want = want[len(want)-500:]
	check("after XTRIM")
}
