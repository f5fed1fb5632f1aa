package server

import (
	"fmt"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/rueidis"
)

// TestTrackingTableLimit lowers tracking-table-max-keys under a client
// tracking five keys: keys chosen at random are invalidated, after the
// reply of the read that went over, until two are left (Redis chooses at
// random too, so this is not a differential test).
func TestTrackingTableLimit(t *testing.T) {
	s := startServer(t, Config{})
	a := dial(t, s.Addr())
	a.send("HELLO", "3")
	a.read()
	a.mustDo("+OK\r\n", "CLIENT", "TRACKING", "on")
	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tracking-table-max-keys", "2")
	admin.mustDo("*2\r\n$23\r\ntracking-table-max-keys\r\n$1\r\n2\r\n", "CONFIG", "GET", "tracking-table-max-keys")
	a.mustDo("*5\r\n_\r\n_\r\n_\r\n_\r\n_\r\n", "MGET", "k1", "k2", "k3", "k4", "k5")
	seen := map[string]bool{}
	for range 3 {
		v := a.read()
		if v.Kind != '>' || len(v.Elems) != 2 || v.Elems[0].Str != "invalidate" || len(v.Elems[1].Elems) != 1 {
			t.Fatalf("got %s, want one key's invalidation", v)
		}
		key := v.Elems[1].Elems[0].Str
		if seen[key] {
			t.Fatalf("%s invalidated twice", key)
		}
		seen[key] = true
	}
	_, keys, items, _ := s.trackingInfo()
	if keys != 2 || items != 2 {
		t.Fatalf("tracking_total_keys %d, tracking_total_items %d; want 2, 2", keys, items)
	}
	// The keys left are tracked still; the evicted ones are not.
	for i := 1; i <= 5; i++ {
		key := "k" + strconv.Itoa(i)
		admin.mustDo("+OK\r\n", "SET", key, "x")
		if !seen[key] {
			a.mustRead(fmt.Sprintf(">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\n%s\r\n", key))
		}
	}
	a.mustDo("+PONG\r\n", "PING")
	// 0 lifts the limit.
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tracking-table-max-keys", "0")
	a.mustDo("*3\r\n$1\r\nx\r\n$1\r\nx\r\n$1\r\nx\r\n", "MGET", "k1", "k2", "k3")
	a.mustDo("+PONG\r\n", "PING")
	if _, keys, _, _ := s.trackingInfo(); keys != 3 {
		t.Fatalf("tracking_total_keys %d, want 3", keys)
	}
}

// TestTrackingConcurrent runs readers that track and writers that
// invalidate at once, in default mode and BCAST, with clients coming and
// going (run it with -race): every reader sees each of its reads' replies
// before any invalidation of what it read, and the state is consistent at
// the end.
func TestTrackingConcurrent(t *testing.T) {
	s := startServer(t, Config{})
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, s.Addr())
			defer c.conn.Close()
			c.send("HELLO", "3")
			c.read()
			mode := []string{"CLIENT", "TRACKING", "on"}
			if r%2 == 1 {
				mode = append(mode, "BCAST", "PREFIX", "k")
			}
			c.send(mode...)
			if v := c.read(); v.Str != "OK" {
				t.Errorf("CLIENT TRACKING: %s", v)
				return
			}
			for i := range 200 {
				c.send("GET", "k"+strconv.Itoa(i%7))
				// Pushes may come before the reply (for keys read
				// earlier), never instead of it.
				for {
					v := c.read()
					if v.Kind != '>' {
						break
					}
				}
			}
		}()
	}
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := dial(t, s.Addr())
			defer c.conn.Close()
			for i := range 300 {
				c.send("SET", "k"+strconv.Itoa((i+w)%7), "v")
				c.read()
				if i%100 == 99 {
					c.send("FLUSHALL")
					c.read()
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "clients to leave", func() bool {
		clients, _, _, prefixes := s.trackingInfo()
		return clients == 0 && prefixes == 0
	})
}

// TestInteropRueidisClientSideCache: rueidis's client-side cache (CLIENT
// TRACKING OPTIN, CLIENT CACHING YES before a MULTI of PTTL and the read)
// serves a read from its cache, and after another client's SET, the
// invalidation Herald pushes makes it read the new value.
func TestInteropRueidisClientSideCache(t *testing.T) {
	s := startServer(t, Config{})
	ctx := interopContext(t)
	cached, err := rueidis.NewClient(rueidis.ClientOption{
		InitAddress: []string{s.Addr().String()},
		Dialer:      net.Dialer{Timeout: 2 * time.Second},
	})
	if err != nil {
		t.Fatalf("rueidis.NewClient: %v", err)
	}
	t.Cleanup(cached.Close)
	writer := newRueidis(t, s.Addr(), 3)

	if err := writer.Do(ctx, writer.B().Set().Key("greeting").Value("hello").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	get := func() rueidis.RedisResult {
		return cached.DoCache(ctx, cached.B().Get().Key("greeting").Cache(), time.Minute)
	}
	if v, err := get().ToString(); err != nil || v != "hello" {
		t.Fatalf("first read: %q, %v", v, err)
	}
	if r := get(); !r.IsCacheHit() {
		t.Fatal("second read was not served from the client-side cache")
	}
	if err := writer.Do(ctx, writer.B().Set().Key("greeting").Value("bonjour").Build()).Error(); err != nil {
		t.Fatal(err)
	}
	// The invalidation arrives on the cached client's connection shortly
	// after the SET: the stale "hello" is dropped and the next read goes
	// to the server.
	waitFor(t, "the cached value to be replaced", func() bool {
		v, err := get().ToString()
		return err == nil && v == "bonjour"
	})
	if r := get(); !r.IsCacheHit() {
		t.Fatal("the new value was not cached")
	}
	if clients, _, _, _ := s.trackingInfo(); clients == 0 {
		t.Fatal("rueidis did not turn tracking on")
	}
}

// TestTrackingBroadcastCoalesced checks that BCAST invalidations are
// coalesced across writers, as Redis sends them once per event-loop turn:
// keys that two clients changed one at a time, each after the other's
// reply, before the broadcaster's next round, reach a BCAST client as one
// message; and keys of a writer part way through a pipeline wait for its
// end.
func TestTrackingBroadcastCoalesced(t *testing.T) {
	s := New(Config{})
	s.tracking.hold = make(chan struct{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Serve(l)
	t.Cleanup(func() { s.Close() })

	x := dial(t, s.Addr())
	x.send("HELLO", "3")
	x.read()
	x.mustDo("+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST")
	w1, w2 := dial(t, s.Addr()), dial(t, s.Addr())
	w1.mustDo("+OK\r\n", "SET", "b", "1")
	w2.mustDo("+OK\r\n", "SET", "a", "1")
	w1.mustDo("+OK\r\n", "SET", "c", "1")
	s.tracking.hold <- struct{}{} // the round woken by the first SET
	x.mustRead(">2\r\n$10\r\ninvalidate\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n")
	close(s.tracking.hold) // the rounds woken meanwhile find nothing left to send
	x.mustDo("+PONG\r\n", "PING")

	// x's own pipeline: its replies, then its keys in one message.
	if _, err := x.conn.Write([]byte("SET p 1\r\nSET o 2\r\nGET p\r\n")); err != nil {
		t.Fatal(err)
	}
	x.mustRead("+OK\r\n")
	x.mustRead("+OK\r\n")
	x.mustRead("$1\r\n1\r\n")
	x.mustRead(">2\r\n$10\r\ninvalidate\r\n*2\r\n$1\r\no\r\n$1\r\np\r\n")
}
