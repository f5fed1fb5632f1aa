package server

import (
	"crypto/tls"
	"errors"
	"io"
	"math"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/heraldhq/herald/aof"
	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/internal/resp"
)

// replyMode is the state CLIENT REPLY sets.
type replyMode uint8

const (
	replyOn replyMode = iota
	replyOff
	replySkipNext // SKIP was the last command: the next reply is dropped
	replySkipThis // dropping the reply of the command being executed
)

// conn is one client connection. One goroutine (serve) reads, parses and
// executes its commands; replies and delivered messages go to its outbox.
// Fields below "owned by serve" are touched only by that goroutine.
type conn struct {
	srv *Server
	nc  net.Conn
	raw syscall.RawConn // nil when nc is not a socket (net.Pipe in tests, *tls.Conn)
	id  int64

	// tlsSock is the socket under nc when nc is a *tls.Conn that a TLS
	// listener of the server accepted, for readIdleTLS; nil otherwise.
	tlsSock *tlsSocket

	remoteAddr, localAddr string
	created               time.Time

	out outbox

	// Owned by serve.
	parser    resp.Parser
	rbuf      []byte // query buffer; nil while idle
	rpos      int    // bytes of rbuf consumed
	args      [][]byte
	reply     []byte      // replies of the command being executed
	pushReply bool        // the reply is a push (subscribe acks): sent even under CLIENT REPLY OFF
	db        int         // the selected database (SELECT); info.db mirrors it for CLIENT LIST
	inExec    bool        // running EXEC's commands: the keyspace lock is held already
	aofLoader bool        // the AOF's replay client (Redis's mustObeyClient: XADD/XTRIM's LIMIT unchecked)
	aofUpto   int64       // the AOF offset the queued replies wait for (aof.go); 0: none
	aofFor    *aof.AOF    // the AOF aofUpto is an offset of
	tx        transaction // MULTI and WATCH state (cmd_multi.go)
	// With a Remote: PUBLISH and SPUBLISH queued for the backend, and
	// whether each one's reply is to be sent (remote.go).
	remotePubs  []RemoteMessage
	remoteKeep  []bool
	replyMode   replyMode
	batch       broker.Batch
	proto       int
	authed      bool
	subscribed  int // channels + patterns + shard channels held
	closing     bool
	user        *aclUser // the user the connection is authenticated as (acl.go)
	batchBytes  int      // output queued for subscribers in this batch, roughly
	freshStack  bool     // continue on a fresh goroutine after this batch (see serve)
	commandsRun int64    // commands run in this batch
	lastCommand *command // the last command run
	// aclPerms are the permissions of the user the last command was
	// checked against, and aclFree whether they allow everything
	// (rejectForACL).
	aclPerms *aclPerms
	aclFree  bool

	// CLIENT TRACKING's settings (tracking.go); nil if never turned on.
	tracking *trackingState
	// midBatch: keys this client changed under BCAST prefixes wait for
	// the end of its batch of input before they are broadcast, as Redis
	// sends a pipeline's broadcasts after its replies (tracking.go).
	// Written by its own goroutine holding tracker.mu.
	midBatch bool

	// Read by CLIENT LIST / INFO from other goroutines.
	info struct {
		sync.Mutex
		name, libName, libVer string
		db                    int
		lastCommand           string
		lastActive            time.Time
		noEvict, noTouch      bool
		queryBuf              int
		inMulti               bool // MULTI (flag x), with multiQueued commands queued
		multiQueued           int
	}

	// Bytes read from and written to the socket, summed by INFO
	// (total_net_input_bytes, total_net_output_bytes): one uncontended
	// add per read or write, not per message.
	netIn, netOut atomic.Int64
	// Reads that brought input or the end of it, and writes to the
	// socket (each non-blocking attempt or blocking write), summed by INFO
	// (total_reads_processed, total_writes_processed).
	reads, writes atomic.Int64
	// published counts the PUBLISH and SPUBLISH commands this connection
	// ran: an uncontended add, only this connection's goroutine writes it.
	published atomic.Int64
	// delivered counts messages queued to this connection, and
	// latencySampledAt is when a delivery sampled for latency was queued
	// (zero if none waits): see metrics.go. Guarded by out.mu, which
	// Deliver holds anyway.
	delivered        int64
	latencySampledAt time.Time

	// lastInteraction is when bytes were last read from or written to the
	// client, in Unix nanoseconds (math.MaxInt64 while its commands run),
	// and blocked is true while it waits in BLPOP and the like: the
	// timeout setting's idle check reads both (limits.go).
	lastInteraction atomic.Int64
	blocked         atomic.Bool

	killed    atomic.Bool
	closeOnce sync.Once
}

func newConn(srv *Server, nc net.Conn, id int64) *conn {
	c := &conn{
		srv:        srv,
		nc:         nc,
		id:         id,
		remoteAddr: nc.RemoteAddr().String(),
		localAddr:  nc.LocalAddr().String(),
		created:    time.Now(),
		proto:      resp.RESP2,
		authed:     !srv.acl().authRequired(),
		user:       srv.acl().defaultUser(),
	}
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			c.raw = raw
		}
	} else if tc, ok := nc.(*tls.Conn); ok {
		if sock, ok := tc.NetConn().(*tlsSocket); ok && sock.raw != nil {
			c.tlsSock = sock
		}
	}
	c.out.format = uint8(formatRESP2)
	c.info.lastActive = c.created
	c.lastInteraction.Store(c.created.UnixNano())
	c.parser.Limits = resp.Limits{MaxBulkLen: srv.settings().protoMaxBulkLen, MaxArgs: srv.settings().ProtoMaxMultibulkLen}
	return c
}

// serve runs the connection until it closes, then releases it and marks
// the server's wait group done.
//
// An idle connection is mostly its goroutine's stack, and a stack that grew
// while running a command stays grown until a garbage collection, which an
// idle server rarely runs. So after a batch that ran anything but the hot
// commands (PUBLISH, PING ...), serve hands the connection to a fresh
// goroutine, whose stack starts small, and returns: subscribing grows the
// stack once, on a goroutine that then exits.
func (c *conn) serve() {
	for {
		before := len(c.rbuf)
		if err := c.fill(); err != nil {
			break
		}
		// Busy until its replies are out: a command that runs longer than
		// the timeout is no idle time (Redis, single-threaded, never
		// checks during one).
		c.lastInteraction.Store(math.MaxInt64)
		c.netIn.Add(int64(len(c.rbuf) - before))
		c.reads.Add(1)
		ok := c.processInput()
		c.srv.trackingBatchDone(c) // CLIENT TRACKING's broadcasts (tracking.go)
		if c.commandsRun > 0 {
			c.noteActivity()
		}
		c.aofSync() // no reply goes out before its AOF record (aof.go)
		if c.batch.Len() > 0 {
			// Let the connections that are ready run first: what they
			// deliver to the same subscribers joins this flush, so a
			// subscriber that many clients publish to at once gets one
			// write for all of them, as redis-server writes each
			// client's output once per event-loop turn. With nothing
			// else ready this returns at once.
			runtime.Gosched()
		}
		c.batch.Flush()
		c.batchBytes = 0
		c.Flush()
		c.touch()
		if !ok {
			c.drain()
			break
		}
		c.compactInput()
		if c.freshStack {
			c.freshStack = false
			go c.serve()
			return
		}
	}
	c.cleanup()
	c.srv.wg.Done()
}

// noteActivity publishes what the last batch of commands did, for INFO and
// CLIENT LIST: once per batch, not once per command.
func (c *conn) noteActivity() {
	c.srv.stats.commands.Add(c.commandsRun)
	c.commandsRun = 0
	now := time.Now()
	c.info.Lock()
	c.info.lastCommand = c.lastCommand.name
	c.info.lastActive = now
	c.info.Unlock()
}

// processInput parses and executes every complete command in the query
// buffer. It returns false when the connection must close.
func (c *conn) processInput() bool {
	st := c.srv.settings() // CONFIG SET may change the limits
	c.parser.Limits.MaxBulkLen, c.parser.Limits.MaxArgs = st.protoMaxBulkLen, st.ProtoMaxMultibulkLen
	for c.rpos < len(c.rbuf) {
		// Per command, as Redis: an AUTH earlier in the same read lifts
		// the limits for the commands after it, a RESET brings them back.
		c.parser.Unauthenticated = !c.authed
		args, n, err := c.parser.Parse(c.rbuf[c.rpos:], c.args[:0])
		if err != nil {
			c.sendRemotePublishes()
			c.reply = resp.AppendError(c.reply, err.Error())
			c.commitReply()
			c.srv.logger().Info("closing client: protocol error", "id", c.id, "addr", c.remoteAddr, "error", err.Error())
			return false
		}
		if n == 0 {
			break
		}
		c.rpos += n
		c.args = args
		if len(args) == 0 {
			continue
		}
		c.execute(args)
		if c.closing {
			return false
		}
		if c.batchBytes > maxBatchBytes {
			c.aofSync()
			c.batch.Flush()
			c.batchBytes = 0
		}
	}
	c.sendRemotePublishes() // before the input they point into is reused
	return true
}

// fill reads more input. With nothing buffered it waits for the socket to
// become readable without holding a buffer, so an idle connection costs no
// read buffer.
func (c *conn) fill() error {
	if len(c.rbuf) == 0 {
		buf, err := c.readIdle()
		c.rbuf, c.rpos = buf, 0
		return err
	}
	need := c.parser.Need()
	if int64(need) > c.srv.settings().queryBufferLimit || int64(len(c.rbuf)) >= c.srv.settings().queryBufferLimit {
		c.srv.logger().Warn("closing client that reached max query buffer length", "id", c.id, "addr", c.remoteAddr, "qbuf", len(c.rbuf))
		c.srv.stats.queryLimitDisconnects.Add(1)
		return errors.New("query buffer limit")
	}
	if need > cap(c.rbuf) || cap(c.rbuf)-len(c.rbuf) < readBufSize/4 {
		// Grow geometrically towards what the parser needs, so that a
		// client announcing a huge bulk does not get it allocated at once.
		size := max(min(need, 2*cap(c.rbuf)), len(c.rbuf)+readBufSize)
		grown := make([]byte, len(c.rbuf), size)
		copy(grown, c.rbuf)
		putReadBuf(c.rbuf)
		c.rbuf = grown
	}
	n, err := c.nc.Read(c.rbuf[len(c.rbuf):cap(c.rbuf)])
	c.rbuf = c.rbuf[:len(c.rbuf)+n]
	if n > 0 {
		return nil
	}
	return err
}

// readIdle waits for input and reads it into a pooled buffer taken only
// once bytes have arrived.
func (c *conn) readIdle() ([]byte, error) {
	if c.tlsSock != nil {
		return c.readIdleTLS(c.nc.(*tls.Conn))
	}
	if c.raw == nil {
		buf := getReadBuf()
		n, err := c.nc.Read(buf[:cap(buf)])
		if n > 0 {
			return buf[:n], nil
		}
		putReadBuf(buf)
		return nil, err
	}
	var buf []byte
	var n int
	var rerr error
	err := c.raw.Read(func(fd uintptr) bool {
		buf = getReadBuf()
		n, rerr = syscall.Read(int(fd), buf[:cap(buf)])
		if rerr == syscall.EAGAIN {
			putReadBuf(buf)
			buf = nil
			return false
		}
		return true
	})
	switch {
	case err != nil:
		return nil, err
	case rerr != nil:
		putReadBuf(buf)
		return nil, rerr
	case n <= 0:
		putReadBuf(buf)
		return nil, io.EOF
	}
	return buf[:n], nil
}

// compactInput drops consumed input: the buffer goes back to the pool when
// everything was consumed, else the partial command moves to its start.
func (c *conn) compactInput() {
	if c.rpos >= len(c.rbuf) {
		putReadBuf(c.rbuf)
		c.rbuf, c.rpos = nil, 0
		clear(c.args[:cap(c.args)])
		if c.info.queryBuf != 0 { // only serve writes it: reading without the lock is safe
			c.info.Lock()
			c.info.queryBuf = 0
			c.info.Unlock()
		}
		return
	}
	if c.rpos > 0 {
		n := copy(c.rbuf, c.rbuf[c.rpos:])
		c.rbuf, c.rpos = c.rbuf[:n], 0
	}
	c.info.Lock()
	c.info.queryBuf = len(c.rbuf)
	c.info.Unlock()
}

const readBufSize = 64 << 10

// maxBatchBytes bounds the output a batch of publishes queues in
// subscribers' outboxes before they are flushed: a large read of small
// publishes to thousands of subscribers is flushed in parts rather than held
// whole in memory.
const maxBatchBytes = 32 << 20

// maxKeptReply is the largest reply buffer a connection keeps between
// commands.
const maxKeptReply = 1 << 10

var readBufPool = sync.Pool{New: func() any { b := make([]byte, 0, readBufSize); return &b }}

func getReadBuf() []byte { return (*readBufPool.Get().(*[]byte))[:0] }

func putReadBuf(b []byte) {
	if cap(b) != readBufSize {
		return
	}
	b = b[:0]
	readBufPool.Put(&b)
}

// commitReply moves the current command's reply to the outbox, unless
// CLIENT REPLY suppresses it.
func (c *conn) commitReply() {
	c.commitReplyIf(c.replyMode == replyOn || c.pushReply)
}

// commitReplyIf queues the reply if send, else drops it (CLIENT REPLY OFF
// or SKIP).
func (c *conn) commitReplyIf(send bool) {
	if len(c.reply) == 0 {
		return
	}
	if !send {
		c.reply = c.reply[:0]
		return
	}
	c.out.mu.Lock()
	if !c.out.closed {
		c.out.appendOut(c.reply)
	}
	over := c.out.overLimit(c.limitClass(), time.Now)
	c.out.mu.Unlock()
	// Keep a small scratch buffer for the next reply, not a large one: an
	// idle connection should not hold the memory of its largest reply.
	if cap(c.reply) > maxKeptReply {
		c.reply = nil
	} else {
		c.reply = c.reply[:0]
	}
	if over {
		c.killForOutputLimit()
	}
}

// limitClass returns the output limit for the client's class. Lock held.
func (c *conn) limitClass() OutputLimit {
	l := c.srv.settings().outputLimits
	if c.out.pubsub {
		return l.PubSub
	}
	return l.Normal
}

// Deliver implements broker.Subscriber: it appends the message's frame to
// the outbox and asks the publisher's batch to flush it.
func (c *conn) Deliver(m *broker.Message, batch *broker.Batch) {
	c.out.mu.Lock()
	if c.out.closed {
		c.out.mu.Unlock()
		return
	}
	c.out.appendOut(m.Frame(broker.Format(c.out.format)))
	c.noteDeliveryLocked()
	c.appended(batch)
}

// appended finishes an append to the outbox, with out.mu held on entry and
// released on return: a client past its output limit is disconnected,
// else it is added to batch to be flushed (once per batch), or flushed now
// when batch is nil.
func (c *conn) appended(batch *broker.Batch) {
	over := c.out.overLimit(c.limitClass(), time.Now)
	add := !c.out.queued
	c.out.queued = true
	c.out.mu.Unlock()
	switch {
	case over:
		c.killForOutputLimit()
	case !add:
	case batch != nil:
		batch.Add(c)
	default:
		c.Flush()
	}
}

// Flush implements broker.Flusher: it writes pending output without
// blocking, and leaves what the socket cannot take to a writer goroutine.
func (c *conn) Flush() {
	c.out.mu.Lock()
	c.out.queued = false
	if c.out.writing || c.out.closed || c.out.size == 0 {
		c.out.mu.Unlock()
		return
	}
	chunks := c.out.take()
	c.out.writing = true
	c.out.mu.Unlock()

	if c.raw == nil {
		go c.writeLoop(chunks, 0)
		return
	}
	// What other publishers queue meanwhile is written in the same way, a
	// few rounds at most, before a writer goroutine takes over.
	for round := 0; ; round++ {
		n, err := writeNonBlocking(c.raw, chunks)
		c.writes.Add(1)
		if err != nil {
			c.writeFailed(chunks)
			return
		}
		c.netOut.Add(int64(n))
		rest, off := advance(chunks, n)
		c.out.mu.Lock()
		c.out.inflight -= n
		if len(rest) == 0 && c.out.size == 0 {
			c.out.writing = false
			sampledAt := c.takeLatencySampleLocked()
			c.out.mu.Unlock()
			c.observeLatency(sampledAt)
			return
		}
		if len(rest) > 0 || round == 3 || c.out.closed {
			c.out.mu.Unlock()
			go c.writeLoop(rest, off)
			return
		}
		chunks = c.out.take()
		c.out.mu.Unlock()
	}
}

// writeLoop writes chunks (the first from offset off) and then whatever
// else the outbox gathers, blocking on the socket, until the outbox is
// empty. It holds the right to write (outbox.writing) and gives it up when
// done.
func (c *conn) writeLoop(chunks [][]byte, off int) {
	c.out.mu.Lock()
	c.out.waiting = true
	c.out.mu.Unlock()
	for {
		for i, chunk := range chunks {
			n, err := c.nc.Write(chunk[off:])
			c.netOut.Add(int64(n))
			c.writes.Add(1)
			c.touch() // a client slowly reading a long reply is not idle
			if err != nil {
				c.writeFailed(chunks[i:])
				putChunks(chunks[:i])
				return
			}
			c.out.mu.Lock()
			c.out.inflight -= len(chunk) - off
			c.out.mu.Unlock()
			off = 0
		}
		putChunks(chunks)
		c.out.mu.Lock()
		if c.out.size == 0 || c.out.closed {
			c.out.writing, c.out.waiting = false, false
			sampledAt := c.takeLatencySampleLocked()
			c.out.mu.Unlock()
			c.observeLatency(sampledAt)
			return
		}
		chunks = c.out.take()
		c.out.mu.Unlock()
	}
}

func (c *conn) writeFailed(chunks [][]byte) {
	c.out.mu.Lock()
	c.out.writing, c.out.waiting = false, false
	c.out.inflight = 0
	c.out.closed = true
	c.out.drop()
	c.out.mu.Unlock()
	putChunks(chunks)
	c.nc.Close()
}

// drain waits briefly for the outbox to reach the socket, so that the
// reply to QUIT or a protocol error is sent before the connection closes.
func (c *conn) drain() {
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		c.out.mu.Lock()
		done := c.out.closed || (!c.out.writing && c.out.size == 0)
		c.out.mu.Unlock()
		if done {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// kill closes the connection from any goroutine: output is dropped and the
// serving goroutine sees its socket closed and cleans up.
func (c *conn) kill() {
	c.killed.Store(true)
	c.out.mu.Lock()
	c.out.closed = true
	c.out.drop()
	c.out.mu.Unlock()
	if tc, ok := c.nc.(*tls.Conn); ok {
		// Not tls.Conn.Close, which may wait seconds to send close_notify
		// to a client that does not read; cleanup closes it later.
		tc.NetConn().Close()
		return
	}
	c.nc.Close()
}

func (c *conn) killForOutputLimit() {
	if c.killed.Swap(true) {
		return
	}
	c.srv.stats.outputLimitDisconnects.Add(1)
	c.srv.logger().Warn("client closed for overcoming of output buffer limits", "id", c.id, "addr", c.remoteAddr)
	c.kill()
}

// cleanup runs when serve returns.
func (c *conn) cleanup() {
	c.closeOnce.Do(func() {
		c.out.mu.Lock()
		c.out.closed = true
		c.out.drop()
		c.srv.stats.deliveredClosed.Add(c.delivered)
		c.delivered = 0
		c.out.mu.Unlock()
		// As Redis's freeClient: the subscriptions and the client are gone
		// before the socket closes, so a client that sees the close and
		// then asks PUBSUB NUMSUB or CLIENT LIST no longer counts it.
		if c.subscribed > 0 {
			c.srv.broker.UnsubscribeAll(c)
		}
		c.discardTransaction()
		c.srv.disableTracking(c)
		if c.rbuf != nil {
			putReadBuf(c.rbuf)
			c.rbuf = nil
		}
		c.srv.stats.netInClosed.Add(c.netIn.Load())
		c.srv.stats.netOutClosed.Add(c.netOut.Load())
		c.srv.stats.readsClosed.Add(c.reads.Load())
		c.srv.stats.writesClosed.Add(c.writes.Load())
		c.srv.stats.publishedClosed.Add(c.published.Swap(0))
		c.srv.removeConn(c)
		c.nc.Close()
	})
}
