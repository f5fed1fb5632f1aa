package server

import (
	"testing"
)

// TestExecIsAtomic: while one client increments two keys in
// transactions, mixed with PUBLISH, another never sees them differ.
func TestExecIsAtomic(t *testing.T) {
	if commands["incr"] == nil || commands["mget"] == nil {
		t.Skip("Herald has no INCR or MGET yet")
	}
	s := startServer(t, Config{})
	writer, reader := dial(t, s.Addr()), dial(t, s.Addr())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 300 {
			writer.send("MULTI")
			writer.send("INCR", "x")
			writer.send("PUBLISH", "ch", "m")
			writer.send("INCR", "y")
			writer.send("EXEC")
			for range 4 {
				writer.read()
			}
			if v := writer.read(); len(v.Elems) != 3 {
				t.Errorf("EXEC replied %s", v)
				return
			}
		}
	}()
	for {
		select {
		case <-done:
			reader.mustDo("*2\r\n$3\r\n300\r\n$3\r\n300\r\n", "MGET", "x", "y")
			return
		default:
		}
		reader.send("MGET", "x", "y")
		v := reader.read()
		if v.Elems[0].Str != v.Elems[1].Str {
			t.Fatalf("MGET saw a transaction half done: %s", v)
		}
	}
}

// TestWatchDisconnect: a client that watches and disconnects leaves no
// watch behind, and one in MULTI that disconnects leaves no transaction.
func TestWatchDisconnect(t *testing.T) {
	if commands["set"] == nil {
		t.Skip("Herald has no SET yet")
	}
	s := startServer(t, Config{})
	for range 50 {
		c := dial(t, s.Addr())
		c.mustDo("+OK\r\n", "WATCH", "k", "j")
		c.mustDo("+OK\r\n", "MULTI")
		c.mustDo("+QUEUED\r\n", "SET", "k", "v")
		c.conn.Close()
	}
	waitFor(t, "the clients to go", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.conns) == 0
	})
	c := dial(t, s.Addr())
	c.mustDo("$-1\r\n", "GET", "k")
	s.ks.Lock()
	defer s.ks.Unlock()
	if n := s.ks.DB(0).WatchedKeys(); n != 0 {
		t.Fatalf("%d keys still watched", n)
	}
}
