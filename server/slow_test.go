package server

// Slow subscribers: one client that does not read must be cut off at its
// client-output-buffer-limit, as Redis cuts it off, while everyone else gets
// every message in order and the server's memory stays bounded.

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// messageFrame is the frame Redis sends for a message, written out by hand
// rather than with the server's encoder. pattern "" means a "message" frame.
func messageFrame(proto int, pattern, channel string, payload []byte) []byte {
	bulk := func(b []byte, s string) []byte { return fmt.Appendf(b, "$%d\r\n%s\r\n", len(s), s) }
	head := byte('*')
	if proto == 3 {
		head = '>'
	}
	var b []byte
	if pattern == "" {
		b = fmt.Appendf(b, "%c3\r\n", head)
		b = bulk(b, "message")
	} else {
		b = fmt.Appendf(b, "%c4\r\n", head)
		b = bulk(b, "pmessage")
		b = bulk(b, pattern)
	}
	b = bulk(b, channel)
	return bulk(b, string(payload))
}

// numberedPayload returns a payload of size bytes that starts with seq.
func numberedPayload(seq, size int) []byte {
	p := bytes.Repeat([]byte{'x'}, size)
	copy(p, fmt.Sprintf("%08d:", seq))
	return p
}

// serverSide returns the server's conn for the client connection nc.
func serverSide(t *testing.T, s *Server, nc net.Conn) *conn {
	t.Helper()
	var found *conn
	waitFor(t, "the server-side connection", func() bool {
		for _, c := range s.connList() {
			if c.remoteAddr == nc.LocalAddr().String() {
				found = c
				return true
			}
		}
		return false
	})
	return found
}

// stalledSubscriber subscribes a client that will not read until the test
// says so. Its socket's receive buffer, and the server's send buffer for it,
// are small, so that the kernel takes tens of kilobytes, not megabytes, and
// what the client does not read piles up in the server's outbox.
func stalledSubscriber(t *testing.T, s *Server, channel string) (*testClient, *conn) {
	t.Helper()
	c := dialSmallReceiveBuffer(t, s.Addr(), 4096)
	c.mustDo("*3\r\n$9\r\nsubscribe\r\n"+bulkString(channel)+":1\r\n", "SUBSCRIBE", channel)
	sc := serverSide(t, s, c.conn)
	if err := sc.nc.(*net.TCPConn).SetWriteBuffer(4096); err != nil {
		t.Fatal(err)
	}
	return c, sc
}

// dialSmallReceiveBuffer connects with SO_RCVBUF set before the handshake.
// Set afterwards ((*net.TCPConn).SetReadBuffer), it shrinks the buffer
// below the window already advertised: the kernel then drops segments, the
// sender's retransmission timer backs off, and a client that starts reading
// again can wait many seconds for the data, whatever the server does.
func dialSmallReceiveBuffer(t *testing.T, addr net.Addr, size int) *testClient {
	t.Helper()
	d := net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, size)
			})
			return errors.Join(err, serr)
		},
	}
	nc, err := d.Dial("tcp", addr.String())
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &testClient{t: t, conn: nc, r: bufio.NewReader(nc)}
}

func bulkString(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }

// outboxPending reads how much output c has not yet written.
func outboxPending(c *conn) int64 {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	return c.out.pending()
}

// frameReader reads a subscriber's stream in the background and checks it
// frame by frame against what the test expects, exactly.
type frameReader struct {
	read atomic.Int64 // frames read and checked
	err  atomic.Pointer[error]
	done chan struct{}
}

// readFrames starts reading c: frame i must be want(i), for n frames.
func readFrames(c *testClient, n int, want func(i int) []byte, progress chan<- struct{}) *frameReader {
	fr := &frameReader{done: make(chan struct{})}
	go func() {
		defer close(fr.done)
		var buf []byte
		for i := range n {
			w := want(i)
			if cap(buf) < len(w) {
				buf = make([]byte, len(w))
			}
			buf = buf[:len(w)]
			c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.ReadFull(c.r, buf); err != nil {
				err = fmt.Errorf("frame %d: %w", i, err)
				fr.err.Store(&err)
				return
			}
			if !bytes.Equal(buf, w) {
				err := fmt.Errorf("frame %d:\n got %.80q\nwant %.80q", i, buf, w)
				fr.err.Store(&err)
				return
			}
			fr.read.Add(1)
			if progress != nil {
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		}
	}()
	return fr
}

// wait waits for the reader to finish and returns its error.
func (fr *frameReader) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case <-fr.done:
	case <-time.After(timeout):
		return fmt.Errorf("reader stuck after %d frames", fr.read.Load())
	}
	if p := fr.err.Load(); p != nil {
		return *p
	}
	return nil
}

// maxSampler records the largest value f returns until stopped, polling as
// fast as the scheduler lets it.
type maxSampler struct {
	max  atomic.Int64
	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

// sampleMax starts sampling f; the sampling stops at done or when the test
// ends.
func sampleMax(t *testing.T, f func() int64) *maxSampler {
	ms := &maxSampler{stop: make(chan struct{})}
	ms.wg.Add(1)
	go func() {
		defer ms.wg.Done()
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			if v := f(); v > ms.max.Load() {
				ms.max.Store(v)
			}
			select {
			case <-ms.stop:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() { ms.done() })
	return ms
}

// done stops sampling and returns the largest value seen.
func (ms *maxSampler) done() int64 {
	ms.once.Do(func() { close(ms.stop) })
	ms.wg.Wait()
	return ms.max.Load()
}

// drainUntilClosed reads c until the server closes it and returns how many
// bytes arrived; it fails the test if the connection stays open.
func drainUntilClosed(t *testing.T, c *testClient) int64 {
	t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, c.r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection still open after %d bytes", n)
	}
	return n
}

// TestSlowSubscriberHardLimit: 20,000 messages of 1 KB to three
// subscribers, one of which never reads. The one that never reads is
// disconnected once its outbox passes the hard limit (and never held more
// than the limit plus one frame); the two that read get every message, in
// order, byte for byte; the publisher is answered throughout.
func TestSlowSubscriberHardLimit(t *testing.T) {
	const (
		messages    = 20000
		payloadSize = 1024
		chunk       = 32 // publishes per pipelined write
		window      = 96 // messages the publisher may be ahead of the readers
		channel     = "feed"
	)
	limits, err := ParseOutputLimits(DefaultOutputLimits, "pubsub 256kb 128kb 60")
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, Config{OutputLimits: limits})
	hard := limits.PubSub.Hard

	slow, slowConn := stalledSubscriber(t, s, channel)
	payload := func(i int) []byte { return numberedPayload(i, payloadSize) }
	frameLen := int64(len(messageFrame(3, "", channel, payload(0))))

	// The window keeps the readers' own outboxes far below the limit even
	// on a loaded machine, so that only the client that stopped reading
	// can reach it.
	if window*frameLen >= hard/2 {
		t.Fatalf("window too large for the limit")
	}
	progress := make(chan struct{}, 1)
	var readers []*frameReader
	for _, proto := range []int{2, 3} {
		c := dial(t, s.Addr())
		push := "*"
		if proto == 3 {
			c.send("HELLO", "3")
			c.read()
			push = ">"
		}
		c.mustDo(push+"3\r\n$9\r\nsubscribe\r\n"+bulkString(channel)+":1\r\n", "SUBSCRIBE", channel)
		readers = append(readers, readFrames(c, messages, func(i int) []byte {
			return messageFrame(proto, "", channel, payload(i))
		}, progress))
	}
	minRead := func() int64 {
		return min(readers[0].read.Load(), readers[1].read.Load())
	}

	sampler := sampleMax(t, func() int64 { return outboxPending(slowConn) })
	pub := dial(t, s.Addr())
	deadline := time.Now().Add(60 * time.Second)
	receivers := int64(3)
	var wire []byte
	for sent := 0; sent < messages; sent += chunk {
		for int64(sent)-minRead() > window-chunk {
			select {
			case <-progress:
			case <-time.After(10 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("readers stuck at %d/%d frames after %d publishes", readers[0].read.Load(), readers[1].read.Load(), sent)
			}
		}
		wire = wire[:0]
		for i := sent; i < sent+chunk; i++ {
			wire = append(wire, encodeCommand("PUBLISH", channel, string(payload(i)))...)
		}
		pub.sendRaw(wire)
		for i := sent; i < sent+chunk; i++ {
			v := pub.read()
			if v.Kind != ':' || v.Int > receivers || v.Int < 2 {
				t.Fatalf("PUBLISH %d replied %q after %d receivers", i, v.Bytes(), receivers)
			}
			receivers = v.Int
		}
	}
	for i, r := range readers {
		if err := r.wait(t, 30*time.Second); err != nil {
			t.Fatalf("reader %d: %v", i, err)
		}
	}
	maxPending := sampler.done()

	if receivers != 2 {
		t.Errorf("the last PUBLISH reached %d subscribers, want 2", receivers)
	}
	waitFor(t, "the slow subscriber to be gone", func() bool {
		for _, c := range s.connList() {
			if c == slowConn {
				return false
			}
		}
		return s.broker.NumSub(channel) == 2
	})
	if n := s.stats.outputLimitDisconnects.Load(); n != 1 {
		t.Errorf("outputLimitDisconnects = %d, want 1", n)
	}
	if maxPending > hard+frameLen {
		t.Errorf("the slow subscriber's outbox reached %d bytes; the hard limit is %d and a frame %d", maxPending, hard, frameLen)
	}
	got := drainUntilClosed(t, slow)
	if total := int64(messages) * frameLen; got >= total/2 {
		t.Errorf("the slow subscriber was sent %d of %d bytes: it was not cut off early", got, total)
	}
	t.Logf("slow subscriber: outbox peaked at %d bytes (sampled), %d bytes reached its socket before the cut", maxPending, got)
}

// TestSlowSubscriberSoftLimit: a subscriber whose outbox stays over the soft
// limit for longer than soft-seconds is disconnected, though it never
// reaches the hard limit; it is not disconnected before soft-seconds have
// passed. As in Redis, the limit is checked when output is added, so the
// publisher keeps publishing a little until the cut.
func TestSlowSubscriberSoftLimit(t *testing.T) {
	const (
		payloadSize = 1024
		burst       = 512 // 512 KB: far over the soft limit, far under the hard one
		channel     = "feed"
	)
	limits, err := ParseOutputLimits(DefaultOutputLimits, "pubsub 8mb 64kb 1")
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, Config{OutputLimits: limits})
	slow, slowConn := stalledSubscriber(t, s, channel)
	reader := dial(t, s.Addr())
	reader.mustDo("*3\r\n$9\r\nsubscribe\r\n"+bulkString(channel)+":1\r\n", "SUBSCRIBE", channel)

	// The reader reads all along (else it too would stay over the soft
	// limit); it expects more frames than will be sent and is stopped once
	// it has read all that were.
	const maxMessages = burst + 1000
	fr := readFrames(reader, maxMessages, func(i int) []byte {
		return messageFrame(2, "", channel, numberedPayload(i, payloadSize))
	}, nil)
	pub := dial(t, s.Addr())
	sampler := sampleMax(t, func() int64 { return outboxPending(slowConn) })
	start := time.Now()
	var wire []byte
	for i := range burst {
		wire = append(wire, encodeCommand("PUBLISH", channel, string(numberedPayload(i, payloadSize)))...)
	}
	pub.sendRaw(wire)
	receivers := int64(2)
	for i := range burst {
		// On a very slow machine the burst itself may outlast
		// soft-seconds, and the cut come during it.
		v := pub.read()
		if v.Kind != ':' || v.Int > receivers || v.Int < 1 {
			t.Fatalf("PUBLISH %d replied %q after %d receivers", i, v.Bytes(), receivers)
		}
		receivers = v.Int
	}

	sent := burst
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(5 * time.Second)
	for s.stats.outputLimitDisconnects.Load() == 0 {
		if time.Now().After(deadline) || sent == maxMessages {
			t.Fatalf("still connected %v after going over a 1 s soft limit", time.Since(start))
		}
		<-tick.C
		pub.send("PUBLISH", channel, string(numberedPayload(sent, payloadSize)))
		v := pub.read()
		if v.Kind != ':' {
			t.Fatalf("PUBLISH: %q", v.Bytes())
		}
		sent++
	}
	elapsed := time.Since(start)
	maxPending := sampler.done()
	if elapsed < time.Second {
		t.Errorf("disconnected after %v, before soft-seconds (1 s)", elapsed)
	}
	if maxPending > limits.PubSub.Hard {
		t.Errorf("outbox reached %d bytes, over the hard limit %d: the cut was not the soft limit's", maxPending, limits.PubSub.Hard)
	}
	waitFor(t, "the slow subscriber to be unsubscribed", func() bool { return s.broker.NumSub(channel) == 1 })
	drainUntilClosed(t, slow)

	// The subscriber that reads got everything, and was not cut off.
	waitFor(t, "the reader to read every message", func() bool {
		return fr.read.Load() == int64(sent) || fr.err.Load() != nil
	})
	if p := fr.err.Load(); p != nil {
		t.Fatalf("reader: %v", *p)
	}
	reader.conn.Close()
	<-fr.done
	if n := s.stats.outputLimitDisconnects.Load(); n != 1 {
		t.Errorf("outputLimitDisconnects = %d, want 1", n)
	}
	t.Logf("cut after %v, %d messages; outbox peaked at %d bytes (sampled)", elapsed, sent, maxPending)
}

// TestInfoRecentMaxOutputBuffer: INFO's client_recent_max_output_buffer
// shows the output piled up for a subscriber that does not read.
func TestInfoRecentMaxOutputBuffer(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s.Addr())
	if got := c.info(t, "clients")["client_recent_max_output_buffer"]; got != "0" {
		t.Fatalf("client_recent_max_output_buffer:%s with nothing pending", got)
	}
	_, slowConn := stalledSubscriber(t, s, "feed")
	payload := strings.Repeat("p", 64<<10)
	const want = 512 << 10
	waitFor(t, "output to pile up", func() bool {
		c.mustDo(":1\r\n", "PUBLISH", "feed", payload)
		return outboxPending(slowConn) > want
	})
	got, err := strconv.ParseInt(c.info(t, "clients")["client_recent_max_output_buffer"], 10, 64)
	if err != nil || got < want {
		t.Fatalf("client_recent_max_output_buffer:%d (%v), want at least %d", got, err, want)
	}
}
