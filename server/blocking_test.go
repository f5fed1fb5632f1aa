package server

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/resp"
)

// waitWaiting polls until the server has n blocked clients.
func waitWaiting(t *testing.T, s *Server, n int64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d blocked clients", n), func() bool { return s.blocked.waiting.Load() == n })
}

// TestBlockingOrder: many clients blocked on one key are served in the
// order they blocked, one element each, and those the push does not reach
// stay blocked.
func TestBlockingOrder(t *testing.T) {
	s := startServer(t, Config{})
	const n = 20
	waiters := make([]*testClient, n)
	for i := range waiters {
		waiters[i] = dial(t, s.Addr())
		if i%2 == 0 {
			waiters[i].send("BLPOP", "q", "0")
		} else {
			waiters[i].send("BRPOP", "other", "q", "0")
		}
		waitWaiting(t, s, int64(i+1))
	}
	p := dial(t, s.Addr())
	args := []string{"RPUSH", "q"}
	for i := range n - 2 {
		args = append(args, strconv.Itoa(i))
	}
	p.mustDo(":18\r\n", args...)
	for i := range n - 2 {
		// Each pops from its end of what is left.
		v := waiters[i].read()
		if len(v.Elems) != 2 || v.Elems[0].Str != "q" {
			t.Fatalf("waiter %d: %s", i, v)
		}
	}
	waitWaiting(t, s, 2)
	p.mustDo(":1\r\n", "LPUSH", "q", "last1")
	waiters[n-2].mustRead("*2\r\n$1\r\nq\r\n$5\r\nlast1\r\n")
	p.mustDo(":1\r\n", "LPUSH", "q", "last2")
	waiters[n-1].mustRead("*2\r\n$1\r\nq\r\n$5\r\nlast2\r\n")
	waitWaiting(t, s, 0)
	p.mustDo(":0\r\n", "LLEN", "q")
}

// TestBlockingTimeout: a timeout replies with the null array of the
// client's protocol, not before it is due.
func TestBlockingTimeout(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		null := map[int]string{2: "*-1\r\n", 3: "_\r\n"}[proto]
		for _, args := range [][]string{{"BLPOP", "a", "b", "0.1"}, {"BRPOP", "a", "0.1"}, {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0.1"}, {"BRPOPLPUSH", "a", "b", "0.1"}} {
			start := time.Now()
			c.mustDo(null, args...)
			if d := time.Since(start); d < 100*time.Millisecond {
				t.Fatalf("%v replied after %v", args, d)
			}
		}
		waitWaiting(t, s, 0)
	})
}

// TestBlockingDisconnect: a client that goes away while blocked is
// forgotten, and takes no element with it; so is one CLIENT KILL closes.
func TestBlockingDisconnect(t *testing.T) {
	s := startServer(t, Config{})
	a := dial(t, s.Addr())
	a.send("BLPOP", "l", "0")
	waitWaiting(t, s, 1)
	a.conn.Close()
	waitWaiting(t, s, 0)
	p := dial(t, s.Addr())
	p.mustDo(":1\r\n", "RPUSH", "l", "x")
	p.mustDo(":1\r\n", "LLEN", "l")

	b := dial(t, s.Addr())
	b.send("CLIENT", "ID")
	id := b.read().Int
	b.send("BLMOVE", "nokey", "dst", "LEFT", "LEFT", "0")
	waitWaiting(t, s, 1)
	p.mustDo(":1\r\n", "CLIENT", "KILL", "ID", strconv.FormatInt(id, 10))
	b.expectClosed()
	waitWaiting(t, s, 0)
	p.mustDo(":1\r\n", "RPUSH", "nokey", "y")
	p.mustDo(":0\r\n", "LLEN", "dst")
}

// TestBlockingShutdown: a server with blocked clients shuts down at once.
func TestBlockingShutdown(t *testing.T) {
	s, err := StartLocal(Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, s.Addr())
	c.send("BLPOP", "l", "0")
	waitWaiting(t, s, 1)
	done := make(chan error, 1)
	go func() { done <- s.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Close hangs with a blocked client")
	}
	c.expectClosed()
}

// TestBlockingReplyOff: a blocked client whose replies are off is served
// without a reply, and the commands it pipelined after run.
func TestBlockingReplyOff(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s.Addr())
	c.sendRaw([]byte("CLIENT REPLY OFF\r\nBLPOP l 0\r\nCLIENT REPLY ON\r\nLLEN l\r\n"))
	waitWaiting(t, s, 1)
	p := dial(t, s.Addr())
	p.mustDo(":2\r\n", "RPUSH", "l", "x", "y")
	c.mustRead("+OK\r\n")
	c.mustRead(":1\r\n")
}

// TestBlockingStress: producers push and consumers pop with BLPOP, BRPOP
// and BLMOVE chains at the same time; every element arrives exactly once.
func TestBlockingStress(t *testing.T) {
	s := startServer(t, Config{})
	const producers, consumers, perProducer = 3, 4, 200
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	total := producers * perProducer
	got := make(chan struct{}, total)
	// A mover passes elements from "in" to "out" with BLMOVE; consumers
	// pop "out" (and "in" directly, now and then).
	mover := dial(t, s.Addr())
	stop := make(chan struct{})
	moverDone := make(chan struct{})
	go func() {
		defer close(moverDone)
		for {
			select {
			case <-stop:
				return
			default:
			}
			mover.send("BLMOVE", "in", "out", "LEFT", "RIGHT", "0.05")
			v, err := resp.ReadValue(mover.r)
			if err != nil {
				return
			}
			_ = v
		}
	}()
	for i := range consumers {
		c := dial(t, s.Addr())
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := []string{"BLPOP", "out", "in", "0.05"}
			if i%2 == 1 {
				cmd = []string{"BRPOP", "out", "0.05"}
			}
			for {
				c.conn.SetDeadline(time.Now().Add(5 * time.Second))
				if _, err := c.conn.Write(encodeCommand(cmd...)); err != nil {
					return
				}
				v, err := resp.ReadValue(c.r)
				if err != nil {
					return
				}
				if len(v.Elems) == 2 {
					mu.Lock()
					seen[v.Elems[1].Str]++
					mu.Unlock()
					got <- struct{}{}
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		}()
	}
	for p := range producers {
		c := dial(t, s.Addr())
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perProducer {
				c.conn.SetDeadline(time.Now().Add(5 * time.Second))
				c.conn.Write(encodeCommand("RPUSH", "in", fmt.Sprintf("%d-%d", p, i)))
				if _, err := resp.ReadValue(c.r); err != nil {
					return
				}
			}
		}()
	}
	deadline := time.After(20 * time.Second)
	for range total {
		select {
		case <-got:
		case <-deadline:
			mu.Lock()
			n := len(seen)
			mu.Unlock()
			t.Fatalf("only %d of %d elements arrived", n, total)
		}
	}
	close(stop)
	wg.Wait()
	<-moverDone
	if len(seen) != total {
		t.Fatalf("%d distinct elements, want %d", len(seen), total)
	}
	for e, n := range seen {
		if n != 1 {
			t.Fatalf("%s arrived %d times", e, n)
		}
	}
}
