package gateway

import (
	"context"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/heraldhq/herald/broker"
)

// client is one WebSocket or SSE connection: a broker.Subscriber whose
// deliveries and replies go to a bounded output queue. A writer goroutine
// runs only while the queue has bytes (see Flush); at most one runs at a
// time.
//
// Lock order: the broker's lock, then client.mu. Nothing is written to the
// socket while mu is held. The presence locks (presence.go) come before
// the broker's and are never taken while it or mu is held.
type client struct {
	gw     *Gateway
	nc     net.Conn
	raw    syscall.RawConn // nil when nc is not a socket: always write from writeLoop
	addr   string
	auth   Authorizer
	format broker.Format
	sse    bool // SSE: each message is prefixed with an "id:" line

	// The transport's fixed frames.
	heartbeatFrame []byte // sent every Config.Heartbeat
	slowFrame      []byte // sent, alone, to a slow consumer before closing
	awayFrame      []byte // sent, alone, on Shutdown before closing

	joined map[string]string // WebSocket: channel -> identity joined as; owned by the reading goroutine

	heartbeat *time.Timer // nil when heartbeats are off
	expiry    *time.Timer // closes the client when its token expires; nil without one

	mu         sync.Mutex
	out        []byte // pending output
	spare      []byte // a drained buffer kept for reuse
	inflight   int    // bytes taken by the writer and not yet written
	writing    bool   // a writer goroutine runs
	queued     bool   // added to a publisher's batch, flush pending
	hold       bool   // do not flush yet (an SSE stream subscribing)
	closed     bool   // accept no more output
	closeAfter bool   // close the socket once out is written
	nextID     uint64 // SSE: the id of the next event

	// For /metrics (metrics.go).
	delivered int64     // messages queued
	sampledAt time.Time // when a delivery sampled for latency was queued; zero if none waits
}

// maxKeptBuffer is the largest output buffer a client keeps between writes:
// an idle client should not hold the memory of its largest burst.
const maxKeptBuffer = 4 << 10

// newClient returns a client of connection nc.
func newClient(g *Gateway, nc net.Conn, addr string, auth Authorizer) *client {
	c := &client{gw: g, nc: nc, addr: addr, auth: auth}
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
		}
	}
	return c
}

// pending is the output not yet on the wire. Lock held on entry.
func (c *client) pending() int { return len(c.out) + c.inflight }

// Deliver implements broker.Subscriber: it copies the message's frame
// (encoded once per format for all clients) to the queue, or closes a
// client whose queue would pass its limit.
func (c *client) Deliver(m *broker.Message, batch *broker.Batch) {
	frame := m.Frame(c.format)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if c.pending()+len(frame)+24 > c.gw.cfg.MaxQueueBytes {
		c.overflowLocked()
	} else {
		if c.sse {
			c.out = append(c.out, "id: "...)
			c.out = strconv.AppendUint(c.out, c.nextID, 10)
			c.out = append(c.out, '\n')
			c.nextID++
		}
		c.out = append(c.out, frame...)
		c.noteDeliveryLocked()
	}
	add := !c.queued
	c.queued = true
	c.mu.Unlock()
	if add {
		batch.Add(c)
	}
}

// send queues p (a reply or a control frame) and flushes. It reports false
// when the client is closed or was closed for passing its limit.
func (c *client) send(p []byte) bool {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return false
	}
	ok := true
	if c.pending()+len(p) > c.gw.cfg.MaxQueueBytes {
		c.overflowLocked()
		ok = false
	} else {
		c.out = append(c.out, p...)
	}
	c.mu.Unlock()
	c.Flush()
	return ok
}

// overflowLocked closes a slow consumer: its queue is dropped and replaced
// by the transport's slow-consumer frame, the socket is closed once that is
// written, and a write blocked on a full socket is cut short. Lock held.
func (c *client) overflowLocked() {
	c.gw.stats.SlowConsumerDisconnects.Add(1)
	c.gw.meters.slowConsumers[c.transport()].Add(1)
	c.gw.cfg.Logger.Warn("gateway: closing slow consumer", "addr", c.addr,
		"pending", c.pending(), "limit", c.gw.cfg.MaxQueueBytes)
	c.finishLocked(c.slowFrame)
}

// finishLocked drops pending output, queues last and closes the socket once
// it is written. Lock held.
func (c *client) finishLocked(last []byte) {
	c.closed = true
	c.closeAfter = true
	c.hold = false
	c.out = append(c.out[:0], last...)
	c.sampledAt = time.Time{}
	// Bound both the final write and the wait for the client to close:
	// the reading goroutine then ends even if the client never answers.
	now := time.Now()
	c.nc.SetWriteDeadline(now.Add(lingerTime))
	c.nc.SetReadDeadline(now.Add(2 * lingerTime))
}

// goAway closes the client on Shutdown, telling it why.
func (c *client) goAway() {
	c.mu.Lock()
	if !c.closed {
		c.finishLocked(c.awayFrame)
	}
	c.mu.Unlock()
	c.Flush()
}

// Flush implements broker.Flusher: it writes pending output with one
// non-blocking write, as the RESP server does, and leaves what the socket
// cannot take to a writer goroutine.
func (c *client) Flush() {
	c.mu.Lock()
	c.queued = false
	if c.writing || c.hold || len(c.out) == 0 {
		c.mu.Unlock()
		return
	}
	c.writing = true
	if c.raw == nil || c.closeAfter {
		c.mu.Unlock()
		go c.writeLoop()
		return
	}
	buf := c.out
	c.out, c.spare = c.spare[:0], nil
	c.inflight = len(buf)
	sample := c.takeSampleLocked()
	c.mu.Unlock()

	n, err := writeNonBlocking(c.raw, buf)
	c.wrote(n, sample, err == nil && n == len(buf))

	c.mu.Lock()
	c.inflight = 0
	if err != nil {
		c.closed, c.writing, c.out = true, false, nil
		c.mu.Unlock()
		c.nc.Close()
		return
	}
	if n == len(buf) && len(c.out) == 0 {
		c.writing = false
		c.out = nil // keep one buffer, not two
		if cap(buf) <= maxKeptBuffer {
			c.spare = buf[:0]
		}
		c.mu.Unlock()
		return
	}
	// Whatever was not written goes back before what arrived meanwhile,
	// and with it the older latency sample, if any.
	rest := append(buf[:0], buf[n:]...)
	c.out = append(rest, c.out...)
	if !sample.IsZero() {
		c.sampledAt = sample
	}
	c.mu.Unlock()
	go c.writeLoop()
}

// writeNonBlocking makes one write of p on a non-blocking socket and
// returns how many bytes it took; a full socket is not an error.
func writeNonBlocking(raw syscall.RawConn, p []byte) (int, error) {
	var n int
	var werr error
	err := raw.Write(func(fd uintptr) bool {
		n, werr = syscall.Write(int(fd), p)
		return true
	})
	switch {
	case err != nil:
		return 0, err
	case werr == syscall.EAGAIN || werr == syscall.EINTR:
		return 0, nil
	case werr != nil:
		return 0, werr
	}
	return max(n, 0), nil
}

// release lets a held client flush (see hold).
func (c *client) release() {
	c.mu.Lock()
	c.hold = false
	c.mu.Unlock()
	c.Flush()
}

// writeLoop writes the queue until it is empty, then exits. It holds the
// right to write (writing).
func (c *client) writeLoop() {
	for {
		c.mu.Lock()
		if len(c.out) == 0 {
			c.writing = false
			c.out = nil // keep one buffer (spare), not two
			closeNow := c.closeAfter
			if cap(c.spare) > maxKeptBuffer {
				c.spare = nil
			}
			c.mu.Unlock()
			if closeNow {
				c.shutdownWrite()
			}
			return
		}
		buf := c.out
		c.out, c.spare = c.spare[:0], nil
		c.inflight = len(buf)
		closing := c.closeAfter
		sample := c.takeSampleLocked()
		c.mu.Unlock()

		if !closing {
			c.nc.SetWriteDeadline(time.Now().Add(c.gw.cfg.WriteTimeout))
		}
		n, err := c.nc.Write(buf)
		c.wrote(n, sample, err == nil)

		c.mu.Lock()
		c.inflight = 0
		if cap(buf) <= maxKeptBuffer {
			c.spare = buf[:0]
		}
		if err != nil {
			c.closed = true
			c.writing = false
			c.out = nil
			c.mu.Unlock()
			c.nc.Close()
			return
		}
		c.mu.Unlock()
	}
}

// lingerTime is how long a closing client may take to close its side
// after the server's final frame.
const lingerTime = time.Second

// shutdownWrite ends the server's side of the connection after the final
// frame: a TCP half-close, so the client reads everything before the end,
// and a deadline for the reading goroutine, which then closes the socket.
// Closing at once could reset the connection over unread input and destroy
// the final frame before the client reads it.
func (c *client) shutdownWrite() {
	if tc, ok := c.nc.(interface{ CloseWrite() error }); ok && tc.CloseWrite() == nil {
		c.nc.SetReadDeadline(time.Now().Add(lingerTime))
		return
	}
	c.nc.Close()
}

// drainInput discards input until the client closes or lingerTime passes,
// after the server decided to close.
func (c *client) drainInput() {
	c.nc.SetReadDeadline(time.Now().Add(lingerTime))
	var buf [256]byte
	for {
		if _, err := c.nc.Read(buf[:]); err != nil {
			return
		}
	}
}

// startHeartbeat sends the heartbeat frame every Config.Heartbeat.
func (c *client) startHeartbeat() {
	every := c.gw.cfg.Heartbeat
	if every <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var beat func()
	beat = func() {
		if !c.send(c.heartbeatFrame) {
			return
		}
		c.mu.Lock()
		if !c.closed {
			c.heartbeat.Reset(every)
		}
		c.mu.Unlock()
	}
	c.heartbeat = time.AfterFunc(every, beat)
}

// cleanup runs when the client's serving goroutine ends: the subscriptions
// go first, then the client's presence (whatever ended the connection),
// then the socket.
func (c *client) cleanup() {
	c.mu.Lock()
	c.closed = true
	c.out = nil
	c.foldDeliveredLocked()
	if c.heartbeat != nil {
		c.heartbeat.Stop()
	}
	if c.expiry != nil {
		c.expiry.Stop()
	}
	c.mu.Unlock()
	if err := c.gw.bus.UnsubscribeAll(context.Background(), c); err != nil {
		c.gw.cfg.Logger.Warn("gateway: unsubscribe failed", "addr", c.addr, "error", err)
	}
	c.leaveAll()
	c.nc.Close()
	c.gw.removeClient(c)
}
