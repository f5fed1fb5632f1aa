package server

// Limits and guarantees under load: maxclients, publishing that never waits
// for a subscriber, publish order across channels and patterns, and idle
// connections that hold no buffers.

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/resp"
)

// TestMaxClients: with maxclients 3 the fourth connection gets Redis's
// error, exactly, and is closed; it is counted; once a client leaves, a new
// one is accepted.
func TestMaxClients(t *testing.T) {
	s := startServer(t, Config{MaxClients: 3})
	var clients []*testClient
	for range 3 {
		c := dial(t, s.Addr())
		c.mustDo("+PONG\r\n", "PING")
		clients = append(clients, c)
	}

	extra, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	extra.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, err := io.ReadAll(extra)
	if err != nil {
		t.Fatalf("the refused connection was not closed: %v (read %q)", err, got)
	}
	if string(got) != "-ERR max number of clients reached\r\n" {
		t.Fatalf("refused connection got %q", got)
	}
	if n := s.stats.rejected.Load(); n != 1 {
		t.Errorf("rejected connections = %d, want 1", n)
	}
	// The clients already in are unaffected.
	for _, c := range clients {
		c.mustDo("+PONG\r\n", "PING")
	}

	clients[0].conn.Close()
	waitFor(t, "the server to see the client leave", func() bool { return len(s.connList()) == 2 })
	dial(t, s.Addr()).mustDo("+PONG\r\n", "PING")
	if n := s.stats.rejected.Load(); n != 1 {
		t.Errorf("rejected connections = %d after a client left, want 1", n)
	}
}

// TestPublishNeverBlocks: a subscriber that never reads does not slow the
// publisher. Each PUBLISH is sent alone and its reply must come back
// promptly, 8 MB worth: with a 1 MB pubsub limit the subscriber is cut off
// on the way; with no limit its outbox holds everything the kernel did not
// take, and once it reads it gets every message in order.
func TestPublishNeverBlocks(t *testing.T) {
	const (
		messages    = 2000
		payloadSize = 4096
		channel     = "firehose"
		maxLatency  = 2 * time.Second // a blocked publish never answers; this only bounds the test
	)
	for _, tc := range []struct {
		name, limit string
	}{
		{"limited", "pubsub 1mb 0 0"},
		{"unlimited", "pubsub 0 0 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limits, err := ParseOutputLimits(DefaultOutputLimits, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			s := startServer(t, Config{OutputLimits: limits})
			slow, slowConn := stalledSubscriber(t, s, channel)
			pub := dial(t, s.Addr())

			var slowest time.Duration
			cutAt := -1
			for i := range messages {
				start := time.Now()
				pub.conn.SetReadDeadline(start.Add(maxLatency))
				pub.send("PUBLISH", channel, string(numberedPayload(i, payloadSize)))
				v, err := resp.ReadValue(pub.r)
				if err != nil {
					t.Fatalf("PUBLISH %d: no reply within %v: %v", i, maxLatency, err)
				}
				slowest = max(slowest, time.Since(start))
				switch {
				case v.Kind == ':' && v.Int == 1 && cutAt < 0:
				case v.Kind == ':' && v.Int == 0 && limits.PubSub.Hard > 0:
					if cutAt < 0 {
						cutAt = i
					}
				default:
					t.Fatalf("PUBLISH %d replied %q", i, v.Bytes())
				}
			}
			t.Logf("slowest PUBLISH reply: %v; subscriber cut at message %d", slowest, cutAt)

			if limits.PubSub.Hard > 0 {
				if cutAt < 0 {
					t.Fatal("the subscriber that never reads was never cut off")
				}
				if n := s.stats.outputLimitDisconnects.Load(); n != 1 {
					t.Errorf("outputLimitDisconnects = %d, want 1", n)
				}
				drainUntilClosed(t, slow)
				return
			}

			// No limit: the output waits in the outbox, and none is lost.
			if p := outboxPending(slowConn); p < messages*payloadSize/2 {
				t.Errorf("only %d bytes pending for the subscriber that does not read", p)
			}
			fr := readFrames(slow, messages, func(i int) []byte {
				return messageFrame(2, "", channel, numberedPayload(i, payloadSize))
			}, nil)
			if err := fr.wait(t, 20*time.Second); err != nil {
				t.Fatalf("the late reader: %v", err)
			}
			if n := s.stats.outputLimitDisconnects.Load(); n != 0 {
				t.Errorf("outputLimitDisconnects = %d with no limit", n)
			}
		})
	}
}

// orderSubscriber describes one subscriber of TestPublishOrdering.
type orderSubscriber struct {
	name     string
	proto    int
	channels []string
	patterns []string
}

// TestPublishOrdering: one connection publishes round-robin over several
// channels; subscribers of the channels, of patterns, and of both, in RESP2
// and RESP3, receive every message in publish order, and for each publish a
// subscriber holding the channel and patterns gets the channel's frame
// first, then one frame per matching pattern.
func TestPublishOrdering(t *testing.T) {
	const (
		messages = 4000
		chunk    = 100
	)
	channels := []string{"ord.a", "ord.b", "ord.c", "other"}
	subs := []orderSubscriber{
		{name: "channels", proto: 2, channels: channels[:3]},
		{name: "pattern", proto: 3, patterns: []string{"ord.*"}},
		{name: "both", proto: 2, channels: channels[:3], patterns: []string{"ord.*", "ord.?"}},
		{name: "both-resp3", proto: 3, channels: channels, patterns: []string{"*", "ord.[ab]"}},
	}
	s := startServer(t, Config{})

	type stream struct {
		sub  orderSubscriber
		c    *testClient
		done chan error
	}
	var streams []*stream
	for _, sub := range subs {
		c := dial(t, s.Addr())
		if sub.proto == 3 {
			c.send("HELLO", "3")
			c.read()
		}
		for _, ch := range sub.channels {
			c.send("SUBSCRIBE", ch)
			c.read()
		}
		for _, p := range sub.patterns {
			c.send("PSUBSCRIBE", p)
			c.read()
		}
		streams = append(streams, &stream{sub: sub, c: c, done: make(chan error, 1)})
	}

	// expected lists the frames one publish gives sub: the channel's frame,
	// then the matching patterns' frames, whose order among themselves
	// Redis does not define.
	expected := func(sub orderSubscriber, i int) (first []byte, patterns [][]byte) {
		ch := channels[i%len(channels)]
		payload := []byte(strconv.Itoa(i))
		if slices.Contains(sub.channels, ch) {
			first = messageFrame(sub.proto, "", ch, payload)
		}
		for _, p := range sub.patterns {
			if matchesForTest(p, ch) {
				patterns = append(patterns, messageFrame(sub.proto, p, ch, payload))
			}
		}
		return first, patterns
	}
	for _, st := range streams {
		go func() {
			st.done <- checkOrder(st.c, messages, func(i int) ([]byte, [][]byte) { return expected(st.sub, i) })
		}()
	}

	pub := dial(t, s.Addr())
	for sent := 0; sent < messages; sent += chunk {
		var wire []byte
		for i := sent; i < sent+chunk; i++ {
			wire = append(wire, encodeCommand("PUBLISH", channels[i%len(channels)], strconv.Itoa(i))...)
		}
		pub.sendRaw(wire)
		for i := sent; i < sent+chunk; i++ {
			want := 0
			for _, sub := range subs {
				first, pats := expected(sub, i)
				want += len(pats)
				if first != nil {
					want++
				}
			}
			pub.mustRead(":" + strconv.Itoa(want) + "\r\n")
		}
	}
	for _, st := range streams {
		select {
		case err := <-st.done:
			if err != nil {
				t.Errorf("%s: %v", st.sub.name, err)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: timed out", st.sub.name)
		}
	}
}

// matchesForTest matches the few patterns TestPublishOrdering uses,
// independently of the glob package.
func matchesForTest(pattern, channel string) bool {
	switch pattern {
	case "*":
		return true
	case "ord.*":
		return len(channel) >= 4 && channel[:4] == "ord."
	case "ord.?":
		return len(channel) == 5 && channel[:4] == "ord."
	case "ord.[ab]":
		return channel == "ord.a" || channel == "ord.b"
	}
	panic("unknown pattern " + pattern)
}

// checkOrder reads the frames of n publishes from c: for publish i, the
// channel frame first when there is one, then the pattern frames in any
// order. Publishes that reach c with no frame are skipped.
func checkOrder(c *testClient, n int, want func(i int) (first []byte, patterns [][]byte)) error {
	readFrame := func() ([]byte, error) {
		c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		v, err := resp.ReadValue(c.r)
		return v.Bytes(), err
	}
	for i := range n {
		first, patterns := want(i)
		if first != nil {
			got, err := readFrame()
			if err != nil {
				return fmt.Errorf("publish %d: %w", i, err)
			}
			if string(got) != string(first) {
				return fmt.Errorf("publish %d: got %q, want the channel frame %q", i, got, first)
			}
		}
		left := slices.Clone(patterns)
		for range patterns {
			got, err := readFrame()
			if err != nil {
				return fmt.Errorf("publish %d: %w", i, err)
			}
			k := slices.IndexFunc(left, func(w []byte) bool { return string(w) == string(got) })
			if k < 0 {
				return fmt.Errorf("publish %d: got %q, want one of %q", i, got, left)
			}
			left = slices.Delete(left, k, k+1)
		}
	}
	// Nothing more: PING answers next.
	c.send("PING")
	got, err := readFrame()
	if err != nil {
		return err
	}
	if v := string(got); v != "*2\r\n$4\r\npong\r\n$0\r\n\r\n" && v != "+PONG\r\n" {
		return fmt.Errorf("after the last message: got %q, want the reply to PING", got)
	}
	return nil
}

// TestIdleConnectionsHoldNoBuffers: 200 subscribed connections that have
// each sent commands and gone quiet cost the server's heap much less than
// one 16 KB read or write buffer each, so neither is held while idle. Each
// connection's first command takes a pooled read buffer and its reply a
// pooled outbox buffer, whatever their size.
func TestIdleConnectionsHoldNoBuffers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		first []string // a command each connection sends before subscribing
	}{
		{"small-commands", []string{"PING"}},
		{"after-a-32KB-reply", []string{"ECHO", string(numberedPayload(0, 32<<10))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkIdleHeap(t, tc.first)
		})
	}
}

func checkIdleHeap(t *testing.T, first []string) {
	const (
		conns   = 200
		maxEach = 6 << 10 // heap bytes per idle connection, client side included
	)
	s := startServer(t, Config{})
	heapAlloc := func() int64 {
		var ms runtime.MemStats
		// Two collections: pooled buffers survive one in the pool's
		// victim cache.
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return int64(ms.HeapAlloc)
	}
	before := heapAlloc()
	clients := make([]net.Conn, 0, conns)
	for i := range conns {
		nc, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, nc)
		defer nc.Close()
		nc.Write(append(encodeCommand(first...), encodeCommand("SUBSCRIBE", "idle."+strconv.Itoa(i))...))
	}
	for i, nc := range clients {
		nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(nc)
		for range 2 {
			if _, err := resp.ReadValue(r); err != nil {
				t.Fatalf("client %d: %v", i, err)
			}
		}
	}
	waitFor(t, "every connection subscribed", func() bool { return s.broker.Stats().Channels == conns })
	after := heapAlloc()
	each := (after - before) / conns
	t.Logf("heap per idle subscribed connection: %d bytes (client side included)", each)
	if each > maxEach {
		t.Errorf("heap per idle connection = %d bytes, want at most %d: a buffer is kept while idle", each, maxEach)
	}
}

// TestQueryBufferLimit: a client whose unprocessed input passes
// client-query-buffer-limit is closed with no reply, as redis-server closes
// it, counted in INFO and logged with its id and address; a command just
// under the limit runs, and other clients are not affected. Herald counts
// the arguments already parsed of a command not yet run, where Redis 7.0
// counts only the unparsed rest (README: where Herald differs), so a
// command of many small arguments past the limit is closed too.
func TestQueryBufferLimit(t *testing.T) {
	const limit = 1 << 20 // the smallest Redis accepts
	var log lockedBuffer
	s := startServer(t, Config{QueryBufferLimit: limit, Logger: slog.New(slog.NewTextHandler(&log, nil))})
	other := dial(t, s.Addr())

	under := strings.Repeat("u", limit-64<<10)
	other.mustDo("$"+strconv.Itoa(len(under))+"\r\n"+under+"\r\n", "ECHO", under)

	manySmall := []byte("*3000\r\n")
	for range 2000 {
		manySmall = append(manySmall, "$1000\r\n"+strings.Repeat("y", 1000)+"\r\n"...)
	}
	for i, tc := range []struct {
		name  string
		input []byte
	}{
		{"one long bulk", []byte("*2\r\n$4\r\nECHO\r\n$2000000\r\n" + strings.Repeat("x", 1500000))},
		{"many small arguments", manySmall},
	} {
		t.Run(tc.name, func(t *testing.T) {
			big := dial(t, s.Addr())
			big.send("CLIENT", "ID")
			id := big.read().Int
			// The server closes the connection once it holds more than
			// the limit, so the write may fail part way.
			big.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
			big.conn.Write(tc.input)
			big.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(big.r)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the client past the query buffer limit was not closed (read %q)", got)
			}
			if len(got) != 0 {
				t.Errorf("the client past the query buffer limit got %q, want no reply", got)
			}

			other.mustDo("+PONG\r\n", "PING")
			if v := other.info(t, "stats")["client_query_buffer_limit_disconnections"]; v != strconv.Itoa(i+1) {
				t.Errorf("client_query_buffer_limit_disconnections:%s, want %d", v, i+1)
			}
			wantLog := fmt.Sprintf("msg=\"closing client that reached max query buffer length\" id=%d addr=%s", id, big.conn.LocalAddr())
			if !strings.Contains(log.String(), wantLog) {
				t.Errorf("the log does not have %q:\n%s", wantLog, log.String())
			}
		})
	}
}
