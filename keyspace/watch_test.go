package keyspace

import "testing"

// TestWatchRules checks Redis 7.0.15's WATCH rules (see Watch): writes
// and flushes of live keys dirty a watch, expiry does not, and other
// databases are other keys.
func TestWatchRules(t *testing.T) {
	ks := New(nil)
	now := int64(1_000_000)
	ks.Clock = func() int64 { return now }
	db0, db1 := ks.DB(0), ks.DB(1)
	var w Watch

	db0.Watch(&w, "k")
	db1.Add("k", NewString([]byte("x")))
	db1.Written("k")
	if w.Dirty() {
		t.Fatal("a write in another database dirtied the watch")
	}
	db0.Add("k", NewString([]byte("v")))
	db0.Written("k")
	if !w.Dirty() {
		t.Fatal("a write did not dirty the watch")
	}
	w.Unwatch()
	if w.Dirty() || w.Watching() {
		t.Fatal("Unwatch left state")
	}

	// A key that expires, lazily or by a flush after its time: no change.
	e := db0.Lookup("k")
	db0.SetExpire("k", e, now+10)
	db0.Watch(&w, "k")
	now += 20
	if db0.Lookup("k") != nil {
		t.Fatal("expired key found")
	}
	if w.Dirty() {
		t.Fatal("lazy expiry dirtied the watch")
	}
	e = db0.Add("k", NewString([]byte("v")))
	db0.Written("k")
	if !w.Dirty() {
		t.Fatal("re-creating the key did not dirty the watch")
	}
	w.Unwatch()
	db0.SetExpire("k", e, now+10)
	db0.Watch(&w, "k")
	now += 20
	db0.Flush()
	if w.Dirty() {
		t.Fatal("flushing an expired key dirtied the watch")
	}
	w.Unwatch()

	// A flush of a live watched key, and of a missing one.
	db0.Add("k", NewString([]byte("v")))
	db0.Watch(&w, "k")
	db0.Watch(&w, "missing")
	db0.Watch(&w, "k")
	if len(w.keys) != 2 {
		t.Fatalf("watching %d keys, want 2", len(w.keys))
	}
	ks.FlushAll()
	if !w.Dirty() {
		t.Fatal("FLUSHALL of a live watched key did not dirty the watch")
	}
	w.Unwatch()
	if len(db0.watched) != 0 {
		t.Fatalf("watched index left %v", db0.watched)
	}
}
