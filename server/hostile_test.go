package server

// Hostile clients: slowloris, half-open connections, a flood past
// maxclients, 100,000 subscriptions, patterns built to make glob matching
// blow up, a 512 MB bulk header, a million pipelined PINGs. Each test
// checks that the server stays up, that its memory stays bounded, and that
// bystanders (a publisher and a subscriber of their own) keep being served
// while the attack runs. Everything is on loopback and bounded in time and
// count; no assertion is about how long something took.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/resp"
)

// bystanders are a publisher and a subscriber of channel "bystander",
// which check, from the test's goroutine, that the server still serves.
type bystanders struct {
	pub, sub *testClient
	checks   int
}

func newBystanders(t *testing.T, s *Server) *bystanders {
	t.Helper()
	b := &bystanders{pub: dial(t, s.Addr()), sub: dial(t, s.Addr())}
	b.sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$9\r\nbystander\r\n:1\r\n", "SUBSCRIBE", "bystander")
	return b
}

// check makes one PING round trip and one delivery.
func (b *bystanders) check() {
	b.pub.t.Helper()
	b.checks++
	b.pub.mustDo("+PONG\r\n", "PING")
	payload := "check " + strconv.Itoa(b.checks)
	b.pub.mustDo(":1\r\n", "PUBLISH", "bystander", payload)
	b.sub.mustRead("*3\r\n$7\r\nmessage\r\n$9\r\nbystander\r\n" + bulkString(payload))
}

// whileRunning runs the bystanders' checks until done is closed (at least
// once, and at most until limit), and returns how many ran.
func (b *bystanders) whileRunning(t *testing.T, done <-chan struct{}, limit time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(limit)
	start := b.checks
	for {
		b.check()
		select {
		case <-done:
			return b.checks - start
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the attack did not end within %v", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// heapAlloc is the live heap after a full collection.
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// connectedClients is INFO's connected_clients, asked by c.
func connectedClients(t *testing.T, c *testClient) int {
	t.Helper()
	n, err := strconv.Atoi(c.info(t, "clients")["connected_clients"])
	if err != nil {
		t.Fatalf("connected_clients: %v", err)
	}
	return n
}

// waitConnected polls INFO through c until connected_clients is want,
// running the bystanders' check at each poll. It polls every 50 ms, so
// neither c nor the bystanders are idle long enough for a timeout of 1.
func waitConnected(t *testing.T, c *testClient, by *bystanders, want int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		by.check()
		n := connectedClients(t, c)
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("connected_clients = %d after %v, want %d", n, within, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// closedSoon reports on the returned channel when the server closes nc,
// reading (and discarding) whatever comes first.
func closedSoon(nc net.Conn, within time.Duration) <-chan error {
	done := make(chan error, 1)
	go func() {
		nc.SetReadDeadline(time.Now().Add(within))
		_, err := io.Copy(io.Discard, nc)
		done <- err
	}()
	return done
}

// TestHostileSlowloris: a client sending a command a byte at a time (ten
// bytes a second, for seconds) delays no one, and its command runs once
// whole; with timeout 1 a client that sent half a command and stopped is
// closed while the others are served.
func TestHostileSlowloris(t *testing.T) {
	t.Run("byte at a time", func(t *testing.T) {
		s := startServer(t, Config{})
		by := newBystanders(t, s)
		slow := dial(t, s.Addr())
		cmd := encodeCommand("PUBLISH", "slowloris", "slow")
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range cmd {
				if _, err := slow.conn.Write(cmd[i : i+1]); err != nil {
					return // the test fails on the missing reply
				}
				time.Sleep(100 * time.Millisecond)
			}
		}()
		n := by.whileRunning(t, done, 30*time.Second)
		slow.mustRead(":0\r\n")
		if n < len(cmd)/2 {
			t.Errorf("only %d bystander checks while %d bytes trickled in", n, len(cmd))
		}
		by.check()
	})
	t.Run("idle half-written closed by timeout", func(t *testing.T) {
		s := startServer(t, Config{Timeout: 1})
		by := newBystanders(t, s) // the subscriber is exempt; the publisher checks often
		half := dial(t, s.Addr())
		half.sendRaw([]byte("*3\r\n$7\r\nPUBLISH\r\n$9\r\nbysta"))
		closed := closedSoon(half.conn, 20*time.Second)
		stop := make(chan struct{})
		var err error
		go func() { err = <-closed; close(stop) }()
		by.whileRunning(t, stop, 30*time.Second)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the half-written client was not closed")
		}
		if n := s.stats.idleTimeouts.Load(); n != 1 {
			t.Errorf("idleTimeouts = %d, want 1", n)
		}
		by.check()
	})
}

// TestHostileHalfOpen: clients that connect and never send, and clients
// that send half a command and vanish (reset without FIN, or close), are
// freed: those that left at once, and, with timeout 1, those that stay
// silent; connected_clients returns to its baseline and the bystanders are
// served throughout.
func TestHostileHalfOpen(t *testing.T) {
	const each = 50
	for _, timeout := range []int{0, 1} {
		t.Run("timeout "+strconv.Itoa(timeout), func(t *testing.T) {
			s := startServer(t, Config{Timeout: timeout})
			by := newBystanders(t, s)
			observer := dial(t, s.Addr())
			baseline := connectedClients(t, observer)

			var silent []net.Conn
			open := func() *net.TCPConn {
				nc, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { nc.Close() })
				return nc.(*net.TCPConn)
			}
			for i := range 4 * each {
				nc := open()
				switch i % 4 {
				case 0: // connects and never sends
					silent = append(silent, nc)
				case 1: // half a command, then a reset without FIN
					nc.Write([]byte("*2\r\n$4\r\nECHO\r\n$100\r\nabc"))
					nc.SetLinger(0)
					nc.Close()
				case 2: // half a command, then gone
					nc.Write([]byte("*2\r\n$4\r\nECHO\r\n$100\r\nabc"))
					nc.Close()
				case 3: // nothing, then a reset
					nc.SetLinger(0)
					nc.Close()
				}
				if i%20 == 0 {
					by.check()
				}
			}
			want := baseline + each // the silent ones stay without a timeout
			if timeout > 0 {
				want = baseline
			}
			waitConnected(t, observer, by, want, 15*time.Second)
			by.check()
			if timeout > 0 {
				for _, nc := range silent {
					nc.SetReadDeadline(time.Now().Add(5 * time.Second))
					if n, err := nc.Read(make([]byte, 1)); err != io.EOF {
						t.Fatalf("a silent client was not closed: read %d, %v", n, err)
					}
				}
			}
		})
	}
}

// TestHostileConnectionFlood: with maxclients 50 and 10 clients in, 200
// connections at once: 40 are accepted, 160 get Redis's error and are
// closed; the clients in keep working; once the flood leaves, the count is
// back and new clients are accepted.
func TestHostileConnectionFlood(t *testing.T) {
	const (
		maxClients = 50
		resident   = 10
		flood      = 200
	)
	s := startServer(t, Config{MaxClients: maxClients})
	by := newBystanders(t, s)
	var in []*testClient
	for range resident - 2 {
		c := dial(t, s.Addr())
		c.mustDo("+PONG\r\n", "PING")
		in = append(in, c)
	}

	conns := make([]net.Conn, flood)
	var wg sync.WaitGroup
	dialErrs := make(chan error, flood)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc, err := net.DialTimeout("tcp", s.Addr().String(), 10*time.Second)
			if err != nil {
				dialErrs <- err
				return
			}
			conns[i] = nc
		}()
	}
	wg.Wait()
	close(dialErrs)
	for err := range dialErrs {
		t.Fatalf("dial: %v", err)
	}
	defer func() {
		for _, nc := range conns {
			nc.Close()
		}
	}()
	waitFor(t, "the flood to be refused", func() bool { return s.stats.rejected.Load() == flood-(maxClients-resident) })
	by.check()

	// A refused connection reads Redis's error, then EOF; an accepted one
	// reads nothing until its deadline.
	results := make([]string, flood)
	for i, nc := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc.SetReadDeadline(time.Now().Add(time.Second))
			got, err := io.ReadAll(nc)
			var ne net.Error
			switch {
			case errors.As(err, &ne) && ne.Timeout() && len(got) == 0:
				results[i] = "accepted"
			case err == nil:
				results[i] = string(got)
			default:
				results[i] = fmt.Sprintf("%q, %v", got, err)
			}
		}()
	}
	wg.Wait()
	counts := map[string]int{}
	for _, r := range results {
		counts[r]++
	}
	if counts["accepted"] != maxClients-resident || counts["-ERR max number of clients reached\r\n"] != flood-(maxClients-resident) {
		t.Fatalf("flood outcome: %v", counts)
	}
	for _, c := range in {
		c.mustDo("+PONG\r\n", "PING")
	}
	by.check()

	for _, nc := range conns {
		nc.Close()
	}
	waitFor(t, "the flood to leave", func() bool { return len(s.connList()) == resident })
	in[0].mustDo("+PONG\r\n", "PING")
	if n := connectedClients(t, in[0]); n != resident {
		t.Errorf("connected_clients = %d after the flood, want %d", n, resident)
	}
	for range maxClients - resident {
		in = append(in, dial(t, s.Addr()))
		in[len(in)-1].mustDo("+PONG\r\n", "PING")
	}
}

// TestHostileManySubscriptions: a client subscribes to 100,000 channels in
// pipelined SUBSCRIBE commands of 1,000 channels, while the bystanders are
// served; once it disconnects PUBSUB NUMSUB counts none of them, the
// broker holds no channel of it, and the heap is back near its baseline.
func TestHostileManySubscriptions(t *testing.T) {
	const (
		channels = 100_000
		perCmd   = 1_000
	)
	s := startServer(t, Config{})
	by := newBystanders(t, s)
	before := heapAlloc()

	greedy := dial(t, s.Addr())
	name := func(i int) string { return "greedy:" + strconv.Itoa(i) }
	writeErr := make(chan error, 1)
	go func() {
		var buf bytes.Buffer
		for i := 0; i < channels; i += perCmd {
			args := []string{"SUBSCRIBE"}
			for j := i; j < i+perCmd; j++ {
				args = append(args, name(j))
			}
			buf.Write(encodeCommand(args...))
		}
		greedy.conn.SetWriteDeadline(time.Now().Add(60 * time.Second))
		_, err := greedy.conn.Write(buf.Bytes())
		writeErr <- err
	}()
	acked := make(chan error, 1)
	go func() {
		greedy.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
		for i := range channels {
			line, err := readAckCount(greedy.r)
			if err == nil && line != i+1 {
				err = fmt.Errorf("ack %d counts %d", i, line)
			}
			if err != nil {
				acked <- err
				return
			}
		}
		acked <- nil
	}()
	done := make(chan struct{})
	var ackErr error
	go func() { ackErr = <-acked; close(done) }()
	by.whileRunning(t, done, 60*time.Second)
	if err := <-writeErr; err != nil {
		t.Fatalf("writing the subscriptions: %v", err)
	}
	if ackErr != nil {
		t.Fatalf("reading the acks: %v", ackErr)
	}
	if got := s.broker.Stats().Channels; got != channels+1 {
		t.Fatalf("broker channels = %d, want %d", got, channels+1)
	}
	peak := heapAlloc()
	by.pub.mustDo("*4\r\n$8\r\ngreedy:0\r\n:1\r\n$12\r\ngreedy:99999\r\n:1\r\n", "PUBSUB", "NUMSUB", "greedy:0", "greedy:99999")

	greedy.conn.Close()
	waitFor(t, "the subscriptions to go", func() bool { return s.broker.Stats().Channels == 1 })
	by.pub.mustDo("*4\r\n$8\r\ngreedy:0\r\n:0\r\n$12\r\ngreedy:99999\r\n:0\r\n", "PUBSUB", "NUMSUB", "greedy:0", "greedy:99999")
	by.check()
	after := heapAlloc()
	t.Logf("heap: %d KB before, %d KB with 100,000 subscriptions, %d KB after", before>>10, peak>>10, after>>10)
	// Go maps keep their buckets once grown: the broker's channel map
	// retains a few MB. Most of what the subscriptions took must be back.
	if grown := int64(after) - int64(before); grown > 16<<20 || peak > before && uint64(grown) > (peak-before)/2 {
		t.Errorf("heap grew by %d KB and stayed (peak %d KB above the baseline)", grown>>10, (peak-before)>>10)
	}
}

// readAckCount reads one SUBSCRIBE ack in RESP2 and returns its count.
func readAckCount(r *bufio.Reader) (int, error) {
	var count int
	for range 6 { // *3, $9, subscribe, $n, name, :count
		line, err := r.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if line[0] == ':' {
			return strconv.Atoi(string(bytes.TrimSpace(line[1:])))
		}
	}
	return count, errors.New("no count in an ack")
}

// TestHostileGlobPatterns: patterns built to make naive glob matching
// exponential or quadratic finish: PUBLISH to a long channel that a
// subscriber's such pattern must be tried against, PUBSUB CHANNELS with
// such a pattern over long channels, and a pattern past Redis's nesting
// limit of star groups. The read deadlines are hang checks, far above the
// real time.
func TestHostileGlobPatterns(t *testing.T) {
	const hang = 10 * time.Second
	long := strings.Repeat("a", 10<<10)
	for _, tc := range []struct {
		name, pattern string
	}{
		{"many stars", "*a*a*a*a*a*a*a*a*a*a*a*b"},
		{"many stars ending in a", strings.Repeat("*a", 500)},
		{"long run after a star", "*" + strings.Repeat("a", 1000) + "b*"},
		{"long class run after a star", "*" + strings.Repeat("[a]", 300) + "b*"},
		{"past the nesting limit", strings.Repeat("*a", 1100) + "*b"}, // max-pattern-len is off
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{MaxPatternLen: -1})
			by := newBystanders(t, s)
			sub := dial(t, s.Addr())
			sub.send("PSUBSCRIBE", tc.pattern)
			sub.read()
			holder := dial(t, s.Addr())
			holder.send("SUBSCRIBE", long, long+"b", long+"c")
			for range 3 {
				holder.read()
			}

			pub := dial(t, s.Addr())
			for _, ch := range []string{long, long + "c", long + "b"} {
				pub.send("PUBLISH", ch, "x")
				if v := readWithin(t, pub, hang); v.Kind != ':' {
					t.Fatalf("PUBLISH replied %s", v)
				}
			}
			pub.send("PUBSUB", "CHANNELS", tc.pattern)
			if v := readWithin(t, pub, hang); v.Kind != '*' {
				t.Fatalf("PUBSUB CHANNELS replied %s", v)
			}
			by.check()
		})
	}
}

// TestHostileInnerLiteralChannel: a 4 MB channel that repeats the inner
// literal of a subscribed pattern ("*ab*") after a long run without it is
// published to in bounded time. The pattern index once asked for the first
// occurrence of the literal at each repetition, quadratic in the channel's
// length: 9 s for 1 MB here, all under the broker's lock.
func TestHostileInnerLiteralChannel(t *testing.T) {
	s := startServer(t, Config{})
	by := newBystanders(t, s)
	sub := dial(t, s.Addr())
	sub.mustDo("*3\r\n$10\r\npsubscribe\r\n$4\r\n*ab*\r\n:1\r\n", "PSUBSCRIBE", "*ab*")
	channel := strings.Repeat("x", 2<<20) + strings.Repeat("ab", 1<<20)
	pub := dial(t, s.Addr())
	pub.send("PUBLISH", channel, "hi")
	if v := readWithin(t, pub, 10*time.Second); v.Kind != ':' || v.Int != 1 {
		t.Fatalf("PUBLISH replied %s", v)
	}
	if v := readWithin(t, sub, 10*time.Second); len(v.Elems) != 4 || v.Elems[2].Str != channel {
		t.Fatalf("the pattern subscriber got %.100q", v.Bytes())
	}
	by.check()
}

// TestHostileLongSegments: patterns whose segment after a star is long and
// nearly matches everywhere in a 1 MB channel, the worst case of trying
// each position (Redis's way: seconds each here), are matched in about the
// channel's length: a plain segment, one with '?', a last one of classes.
// The deadline is a hang check.
func TestHostileLongSegments(t *testing.T) {
	s := startServer(t, Config{})
	by := newBystanders(t, s)
	sub := dial(t, s.Addr())
	patterns := []string{
		"*" + strings.Repeat("a", 1000) + "b*",
		"*?" + strings.Repeat("a", 1000) + "b*",
		"*" + strings.Repeat("[a]", 300) + "b",
	}
	for i, p := range patterns {
		sub.send("PSUBSCRIBE", p)
		if v := sub.read(); len(v.Elems) != 3 || v.Elems[2].Int != int64(i+1) {
			t.Fatalf("PSUBSCRIBE replied %s", v)
		}
	}
	pub := dial(t, s.Addr())
	pub.send("PUBLISH", strings.Repeat("a", 1<<20)+"b", "hi")
	if v := readWithin(t, pub, 10*time.Second); v.Kind != ':' || v.Int != 3 {
		t.Fatalf("PUBLISH replied %s", v)
	}
	by.check()
}

// readWithin reads one reply, failing the test if none comes within d.
func readWithin(t *testing.T, c *testClient, d time.Duration) resp.Value {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(d))
	v, err := resp.ReadValue(c.r)
	if err != nil {
		t.Fatalf("no reply within %v: %v", d, err)
	}
	return v
}

// TestHostileHugeBulkHeader: a client announces a 512 MB bulk and sends
// little of it: the server does not allocate the 512 MB, serves the
// others, and frees the client when it leaves or, with timeout 1, when it
// has been idle; one byte more than proto-max-bulk-len is Redis's protocol
// error.
func TestHostileHugeBulkHeader(t *testing.T) {
	const header = "*2\r\n$4\r\nECHO\r\n$536870912\r\n"
	for _, tc := range []struct {
		name    string
		timeout int
	}{{"client leaves", 0}, {"timeout", 1}} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{Timeout: tc.timeout})
			by := newBystanders(t, s)
			before := heapAlloc()
			huge := dial(t, s.Addr())
			huge.sendRaw([]byte(header + strings.Repeat("x", 100<<10)))
			waitFor(t, "the server to read the start of the bulk", func() bool {
				return s.stats.netInClosed.Load()+totalNetIn(s) >= int64(len(header)+100<<10)
			})
			by.check()
			if grown := int64(heapAlloc()) - int64(before); grown > 64<<20 {
				t.Fatalf("the heap grew by %d MB for a bulk announced at 512 MB", grown>>20)
			}
			if tc.timeout == 0 {
				huge.conn.Close()
			} else {
				closed := closedSoon(huge.conn, 20*time.Second)
				stop := make(chan struct{})
				go func() { <-closed; close(stop) }()
				by.whileRunning(t, stop, 30*time.Second)
			}
			waitFor(t, "the client to be freed", func() bool { return len(s.connList()) == 2 })
			by.check()
		})
	}
	t.Run("past proto-max-bulk-len", func(t *testing.T) {
		s := startServer(t, Config{})
		c := dial(t, s.Addr())
		c.sendRaw([]byte("*2\r\n$4\r\nECHO\r\n$536870913\r\n"))
		c.mustRead("-ERR Protocol error: invalid bulk length\r\n")
		c.expectClosed()
	})
}

// totalNetIn is the bytes the live connections have read.
func totalNetIn(s *Server) int64 {
	var n int64
	for _, c := range s.connList() {
		n += c.netIn.Load()
	}
	return n
}

// TestHostilePipeline: one client pipelines a million PINGs while another
// makes 100 PING round trips: the second is answered throughout, not
// after the pipeline. (It is not timed: the check is that the hundred
// round trips end before the million replies are all read, or else within
// a generous deadline.)
func TestHostilePipeline(t *testing.T) {
	const pings = 1_000_000
	s := startServer(t, Config{})
	flood := dial(t, s.Addr())
	other := dial(t, s.Addr())
	other.mustDo("+PONG\r\n", "PING")

	writeErr := make(chan error, 1)
	go func() {
		chunk := bytes.Repeat(encodeCommand("PING"), 10_000)
		flood.conn.SetWriteDeadline(time.Now().Add(120 * time.Second))
		for range pings / 10_000 {
			if _, err := flood.conn.Write(chunk); err != nil {
				writeErr <- err
				return
			}
		}
		writeErr <- nil
	}()
	floodDone := make(chan error, 1)
	go func() {
		flood.conn.SetReadDeadline(time.Now().Add(120 * time.Second))
		want := []byte("+PONG\r\n")
		for i := range pings {
			line, err := flood.r.ReadSlice('\n')
			if err == nil && !bytes.Equal(line, want) {
				err = fmt.Errorf("reply %d: %q", i, line)
			}
			if err != nil {
				floodDone <- err
				return
			}
		}
		floodDone <- nil
	}()

	for range 100 {
		other.mustDo("+PONG\r\n", "PING") // a hang check of 5 s per round trip
	}
	select {
	case err := <-floodDone:
		t.Logf("the pipeline finished before the 100 round trips (%v)", err)
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Logf("the 100 round trips finished while the pipeline ran")
		if err := <-floodDone; err != nil {
			t.Fatal(err)
		}
	}
	if err := <-writeErr; err != nil {
		t.Fatal(err)
	}
	flood.mustDo("+PONG\r\n", "PING")
}

// TestHostileQueryBufferLimit: a client whose unprocessed input would pass
// client-query-buffer-limit is closed without a reply and counted in INFO,
// whether one bulk announces more than the limit or a command of many
// arguments accumulates it; the bystanders are served.
func TestHostileQueryBufferLimit(t *testing.T) {
	for _, tc := range []struct {
		name  string
		input func() []byte
	}{
		{"one bulk announced past the limit", func() []byte {
			return []byte("*2\r\n$4\r\nECHO\r\n$2000000\r\n" + strings.Repeat("x", 100<<10))
		}},
		{"many arguments accumulating", func() []byte {
			b := []byte("*100000\r\n$4\r\nECHO\r\n")
			arg := bulkString(strings.Repeat("y", 100))
			for range 20_000 { // 2 MB of a command that is never complete
				b = append(b, arg...)
			}
			return b
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := startServer(t, Config{QueryBufferLimit: 1 << 20})
			by := newBystanders(t, s)
			c := dial(t, s.Addr())
			written := make(chan struct{})
			go func() {
				defer close(written)
				c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
				c.conn.Write(tc.input()) // fails once the server has closed
			}()
			if got := waitClosedRaw(t, c.conn); got != "" {
				t.Fatalf("the client got %q, want nothing", got)
			}
			<-written
			by.check()
			if got := by.pub.info(t, "stats")["client_query_buffer_limit_disconnections"]; got != "1" {
				t.Errorf("client_query_buffer_limit_disconnections:%s, want 1", got)
			}
		})
	}
}

// waitClosedRaw reads nc until the server closes it (EOF or reset) and
// returns what came, failing the test if it stays open for 10 s.
func waitClosedRaw(t *testing.T, nc net.Conn) string {
	t.Helper()
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(nc)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection was not closed (read %q)", got)
	}
	return string(got)
}
