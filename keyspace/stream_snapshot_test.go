package keyspace

import (
	"slices"
	"strings"
	"testing"
)

// TestSnapshotStream: a stream is written as Redis 7.0.15's
// rewriteStreamObject writes it: XADD per live entry, XSETID with its
// metadata, XGROUP CREATE per group in name order, and per consumer in
// name order XGROUP CREATECONSUMER (no pending entries) or XCLAIM ...
// JUSTID FORCE per pending entry; an empty stream as XADD MAXLEN 0 0-1.
func TestSnapshotStream(t *testing.T) {
	ks := New(nil)
	fixedClock(ks, 1_700_000_000_000)
	db := ks.DB(0)
	s := NewStream()
	for i, id := range []StreamID{{1, 1}, {1, 2}, {2, 0}, {3, 7}} {
		s.Add(id, [][]byte{[]byte("f"), []byte{byte('a' + i)}, []byte(""), []byte("x\r\ny")})
	}
	s.Delete(StreamID{1, 2})
	s.Delete(StreamID{3, 7})
	s.SetLastID(StreamID{9, 0})
	g := s.CreateGroup("zg", StreamID{2, 0}, 3)
	bob, _ := g.CreateConsumer("bob", 5)
	al, _ := g.CreateConsumer("al", 5)
	g.CreateConsumer("idle", 5)
	g.AddNACK(StreamID{2, 0}, al, 1000, 4)
	g.AddNACK(StreamID{1, 1}, al, 900, 1)
	g.AddNACK(StreamID{1, 2}, bob, 800, 2) // its entry is deleted
	s.CreateGroup("ag", StreamID{}, InvalidEntriesRead)
	db.Add("s", s)
	db.Add("empty", NewStream())

	cmds := readCommands(t, snapshotBytes(t, ks, nil))
	var got [][]string
	for _, c := range cmds {
		if len(c) > 1 && (c[1] == "s" || len(c) > 2 && c[2] == "s") {
			got = append(got, c)
		}
	}
	want := [][]string{
		{"XADD", "s", "1-1", "f", "a", "", "x\r\ny"},
		{"XADD", "s", "2-0", "f", "c", "", "x\r\ny"},
		{"XSETID", "s", "9-0", "ENTRIESADDED", "4", "MAXDELETEDID", "3-7"},
		{"XGROUP", "CREATE", "s", "ag", "0-0", "ENTRIESREAD", "-1"},
		{"XGROUP", "CREATE", "s", "zg", "2-0", "ENTRIESREAD", "3"},
		{"XCLAIM", "s", "zg", "al", "0", "1-1", "TIME", "900", "RETRYCOUNT", "1", "JUSTID", "FORCE"},
		{"XCLAIM", "s", "zg", "al", "0", "2-0", "TIME", "1000", "RETRYCOUNT", "4", "JUSTID", "FORCE"},
		{"XCLAIM", "s", "zg", "bob", "0", "1-2", "TIME", "800", "RETRYCOUNT", "2", "JUSTID", "FORCE"},
		{"XGROUP", "CREATECONSUMER", "s", "zg", "idle"},
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("stream s written as\n%q\nwant\n%q", got, want)
	}
	if !slices.ContainsFunc(cmds, func(c []string) bool {
		return slices.Equal(c, []string{"XADD", "empty", "MAXLEN", "0", "0-1", "x", "y"})
	}) || !slices.ContainsFunc(cmds, func(c []string) bool {
		return slices.Equal(c, []string{"XSETID", "empty", "0-0", "ENTRIESADDED", "0", "MAXDELETEDID", "0-0"})
	}) {
		t.Fatalf("the empty stream: %q", cmds)
	}
}

// TestSnapshotStreamCopyOnAccess: a stream changed in place during a
// snapshot (entries added and deleted, entries delivered, claimed and
// acknowledged, groups and consumers created and deleted, through Lookup
// as the commands do) is written as it was at T0.
func TestSnapshotStreamCopyOnAccess(t *testing.T) {
	ks := New(nil)
	fixedClock(ks, 1_700_000_000_000)
	db := ks.DB(0)
	s := NewStream()
	for i := 1; i <= 5; i++ {
		s.Add(StreamID{uint64(i), 0}, [][]byte{[]byte("f"), []byte("v")})
	}
	g := s.CreateGroup("g", StreamID{3, 0}, 3)
	c, _ := g.CreateConsumer("c", 1)
	g.Deliver(StreamID{1, 0}, c, 100)
	g.Deliver(StreamID{2, 0}, c, 100)
	db.Add("s", s)
	want := snapshotBytes(t, ks, nil)
	got := snapshotBytes(t, ks, func() {
		s := db.Lookup("s").Value.(*Stream)
		s.Add(StreamID{6, 0}, [][]byte{[]byte("f"), []byte("new")})
		s.Delete(StreamID{4, 0})
		s.SetLastID(StreamID{9, 9})
		g := s.Group("g")
		c2, _ := g.CreateConsumer("c2", 2)
		g.Claim(g.PEL.Get(StreamID{1, 0}), c2)
		g.Ack(StreamID{2, 0})
		g.Deliver(StreamID{5, 0}, c2, 200)
		g.SetID(StreamID{5, 0}, 5)
		s.CreateGroup("g2", StreamID{}, 0)
		g.DeleteConsumer("c")
		db.Written("s")
	})
	if string(got) != string(want) {
		t.Fatalf("snapshot during changes:\n%q\nat T0:\n%q", got, want)
	}
	if !strings.Contains(string(want), "XCLAIM") || !strings.Contains(string(want), "XADD") {
		t.Fatalf("snapshot: %q", want)
	}
}
