package keyspace

import "testing"

// TestResizedAccountsGroups checks that Resized counts a stream's pending
// entries in the keyspace's used bytes without failing a WATCH, and that
// OnRemove learns of the stream when it is deleted, overwritten or
// flushed.
func TestResizedAccountsGroups(t *testing.T) {
	ks := New(nil)
	var removed []string
	ks.OnRemove(func(db int, key string, v Value) {
		if _, ok := v.(*Stream); ok {
			removed = append(removed, key)
		}
	})
	ks.Lock()
	defer ks.Unlock()
	db := ks.DB(0)
	s := NewStream()
	for i := uint64(1); i <= 10; i++ {
		s.Add(StreamID{Ms: i}, [][]byte{[]byte("f"), []byte("v")})
	}
	db.Add("s", s)
	db.Written("s")
	w := &Watch{}
	db.Watch(w, "s")
	before := ks.Used()
	g := s.CreateGroup("g", StreamID{}, InvalidEntriesRead)
	c, _ := g.CreateConsumer("c", 0)
	for i := uint64(1); i <= 10; i++ {
		g.Deliver(StreamID{Ms: i}, c, 0)
	}
	db.Resized("s")
	if ks.Used() <= before {
		t.Errorf("used %d after 10 pending entries, %d before", ks.Used(), before)
	}
	if w.Dirty() {
		t.Error("Resized failed a WATCH")
	}
	db.Set("s", NewString([]byte("x")), false)
	db.Add("t", NewStream())
	db.Delete("t")
	db.Add("u", NewStream())
	db.Flush()
	if got := len(removed); got != 3 || removed[0] != "s" || removed[1] != "t" || removed[2] != "u" {
		t.Errorf("OnRemove saw %q, want s (overwritten), t (deleted), u (flushed)", removed)
	}
}
