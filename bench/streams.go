package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// streamKeys is how many streams the XADD rows spread their entries over.
const streamKeys = 16

// streamField is the one field of every entry the stream cases add.
const streamField = "f"

// streamGroup is the consumer group of the XREADGROUP case.
const streamGroup = "bench"

// streamProducerBatch is the XADD commands each of the XREADGROUP case's
// producers keeps in flight, one pipelined batch at a time.
const streamProducerBatch = 64

// streamBlock is the BLOCK of the XREADGROUP case's consumers, in
// milliseconds: short, so they notice the end of the window soon.
const streamBlock = 100

// streamAddCase measures XADD throughput: cfg.kvConns connections, each
// keeping depth commands in flight (1: one at a time; more: a pipeline
// whose replies are all read before the next batch), adding entries of
// one field (f) with a value of cfg.kvValue bytes, with an auto ID (*),
// round-robin over streamKeys streams (bench:stream:<n>), each capped
// with MAXLEN ~ cfg.streamMaxLen (none when 0) so that memory stays
// bounded over long windows. Every reply must be a bulk string holding a
// valid entry ID (<ms>-<seq>); anything else fails the run. Rows are
// replies per second, then the same per CPU-second of the server (see
// perServerCPU).
func streamAddCase(cfg *config, depth int) benchCase {
	desc := streamAddDesc(cfg, depth)
	return benchCase{
		group: "streams",
		name:  fmt.Sprintf("xadd %d conns × %d", cfg.kvConns, depth),
		metrics: []metric{
			{label: "XADD/s, " + desc, unit: perSecond},
			{label: "XADD per server CPU-second, " + desc, unit: perSecond},
		},
		run: func(cfg *config, s *server) (caseResult, error) {
			clients, err := dialKV(s, cfg.kvConns)
			if err != nil {
				return caseResult{}, err
			}
			defer closeKV(clients)
			p := kvPhase{name: fmt.Sprintf("XADD ×%d", depth), ring: streamAddRing(cfg), depth: depth, check: checkStreamID}
			rate, cpu, err := p.run(cfg, s, clients)
			if err != nil {
				return caseResult{}, errors.Join(err, s.checkAlive())
			}
			return caseResult{values: []float64{rate, perServerCPU(rate, cpu)}, cpu: cpu}, s.checkAlive()
		},
	}
}

// streamAddDesc describes the XADD load for row labels.
func streamAddDesc(cfg *config, depth int) string {
	inFlight := "1 at a time"
	if depth > 1 {
		inFlight = fmt.Sprintf("pipeline %d", depth)
	}
	capped := ", no MAXLEN"
	if cfg.streamMaxLen > 0 {
		capped = ", MAXLEN ~ " + thousands(int64(cfg.streamMaxLen))
	}
	return fmt.Sprintf("%d conns × %s, %d streams%s, 1 field × %d B", cfg.kvConns, inFlight, streamKeys, capped, cfg.kvValue)
}

// xaddCommand returns XADD key [MAXLEN ~ maxLen] * f value, encoded.
func xaddCommand(key string, maxLen int, value []byte) []byte {
	args := [][]byte{[]byte("XADD"), []byte(key)}
	if maxLen > 0 {
		args = append(args, []byte("MAXLEN"), []byte("~"), []byte(strconv.Itoa(maxLen)))
	}
	args = append(args, []byte("*"), []byte(streamField), value)
	return appendCommand(nil, args...)
}

// streamAddRing returns XADD commands round-robin over the streams, enough
// of them for any batch.
func streamAddRing(cfg *config) commandRing {
	value := makePayload(cfg.kvValue)
	var r commandRing
	for i := range 64 * streamKeys {
		r.add(xaddCommand(fmt.Sprintf("bench:stream:%02d", i%streamKeys), cfg.streamMaxLen, value))
	}
	return r
}

// checkStreamID accepts the reply of an XADD: a bulk string holding an
// entry ID.
func checkStreamID(f frame) error {
	if f.kind != '$' || !validStreamID(f.last) {
		return fmt.Errorf("XADD answered %q %q, want an entry ID", f.kind, f.last)
	}
	return nil
}

// validStreamID reports whether id is <ms>-<seq>, both decimal numbers
// without sign or leading zeros (what XADD * returns).
func validStreamID(id []byte) bool {
	ms, seq, ok := bytes.Cut(id, []byte("-"))
	return ok && decimal(ms) && decimal(seq)
}

// decimal reports whether b is a canonical unsigned decimal of at most 20
// digits.
func decimal(b []byte) bool {
	if len(b) == 0 || len(b) > 20 || (len(b) > 1 && b[0] == '0') {
		return false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// streamGroupCase measures consumer-group delivery: streamConsumers
// connections (-stream-consumers) in one group of one stream, each
// looping XREADGROUP GROUP bench c<i> COUNT count BLOCK 100 STREAMS key >
// and then one XACK of every ID it read, while streamProducers producer
// connections (-stream-producers) pipeline XADD (batches of
// streamProducerBatch each, MAXLEN ~ as in the XADD rows), pausing while
// more than four COUNTs per consumer are added but not yet acknowledged.
// The figure is entries read and acknowledged per second over all
// consumers; the server does the producers' XADDs too.
//
// Every reply is checked: XADD's IDs; each XREADGROUP reply must be nil
// (the BLOCK timed out) or one stream, the key, with 1 to count entries of
// increasing IDs, each with the field and a value of the right size; each
// XACK must count all the IDs it was given. After the window the producers
// stop, the consumers drain the stream, and every entry added must have
// been acknowledged once, with XPENDING's summary counting none pending.
func streamGroupCase(cfg *config, count int) benchCase {
	desc := fmt.Sprintf("%d consumers × COUNT %d, %d producers × pipeline %d XADD, 1 field × %d B",
		cfg.streamConsumers, count, cfg.streamProducers, streamProducerBatch, cfg.kvValue)
	return benchCase{
		group: "streams",
		name:  fmt.Sprintf("xreadgroup %d × COUNT %d", cfg.streamConsumers, count),
		metrics: []metric{
			{label: "XREADGROUP entries read + XACKed/s, " + desc, unit: perSecond},
			{label: "XREADGROUP entries per server CPU-second, " + desc, unit: perSecond},
		},
		run: func(cfg *config, s *server) (caseResult, error) {
			return runStreamGroup(cfg, s, count)
		},
	}
}

// groupRun is the shared state of one run of the XREADGROUP case.
type groupRun struct {
	key      string
	count    int
	value    int   // bytes of each entry's value
	backlog  int64 // most entries added but not acknowledged
	added    atomic.Int64
	acked    atomic.Int64
	replies  atomic.Int64 // XREADGROUP replies with entries
	timeouts atomic.Int64 // XREADGROUP replies without (BLOCK timed out)
	stopping atomic.Bool  // the window is over: the producers stop
	produced atomic.Bool  // the producers have stopped: consumers drain, then stop
	failed   atomic.Bool

	mu  sync.Mutex
	err error
}

// fail records the first error and stops everyone.
func (g *groupRun) fail(err error) {
	g.mu.Lock()
	if g.err == nil {
		g.err = err
	}
	g.mu.Unlock()
	g.failed.Store(true)
	g.stopping.Store(true)
}

// runStreamGroup runs the XREADGROUP case against s.
func runStreamGroup(cfg *config, s *server, count int) (caseResult, error) {
	g := &groupRun{key: "bench:group-stream", count: count, value: cfg.kvValue,
		backlog: groupBacklog(cfg, count)}
	f, err := s.do(5*time.Second, "XGROUP", "CREATE", g.key, streamGroup, "$", "MKSTREAM")
	if err != nil || f.kind != '+' {
		return caseResult{}, fmt.Errorf("XGROUP CREATE answered %q %q (%v)", f.kind, f.last, err)
	}
	clients, err := dialKV(s, cfg.streamProducers+cfg.streamConsumers)
	if err != nil {
		return caseResult{}, err
	}
	defer closeKV(clients)
	producers, consumers := clients[:cfg.streamProducers], clients[cfg.streamProducers:]
	var wg, producing sync.WaitGroup
	wg.Add(len(clients))
	producing.Add(len(producers))
	for _, p := range producers {
		go func() { defer wg.Done(); defer producing.Done(); g.produce(p, cfg) }()
	}
	go func() { producing.Wait(); g.produced.Store(true) }()
	for i, c := range consumers {
		go func() { defer wg.Done(); g.consume(c, i) }()
	}
	rate, cpu := measureRate(cfg, s, g.acked.Load)
	g.stopping.Store(true)
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(kvStallTimeout + time.Duration(streamBlock)*time.Millisecond):
		closeKV(clients)
		<-finished
		return caseResult{}, fmt.Errorf("XREADGROUP: the consumers had not drained the stream %v after the window (%d added, %d acknowledged)",
			kvStallTimeout, g.added.Load(), g.acked.Load())
	}
	fmt.Fprintf(os.Stderr, "    %-10s %s/s  %s\n", fmt.Sprintf("XREADGROUP ×%d", count), formatValue(perSecond, rate), cpu)
	if g.err != nil {
		return caseResult{}, errors.Join(g.err, s.checkAlive())
	}
	if g.acked.Load() != g.added.Load() {
		return caseResult{}, fmt.Errorf("XREADGROUP: %d entries added, %d acknowledged", g.added.Load(), g.acked.Load())
	}
	if err := checkNonePending(s, g.key); err != nil {
		return caseResult{}, err
	}
	res := caseResult{values: []float64{rate, perServerCPU(rate, cpu)}, cpu: cpu}
	if n := g.replies.Load(); n > 0 {
		// How the server batched deliveries: a server that serves a
		// blocked consumer at each XADD hands out fewer entries per reply.
		res.notes = append(res.notes, fmt.Sprintf("%.1f entries per XREADGROUP reply on average, %d replies timed out",
			float64(g.acked.Load())/float64(n), g.timeouts.Load()))
	}
	return res, s.checkAlive()
}

// groupBacklog returns how many entries the XREADGROUP case's producers
// may add ahead of the acknowledgements: four COUNTs per consumer, at
// least two batches per producer, and at most half of MAXLEN, so that no
// entry is trimmed before it is read.
func groupBacklog(cfg *config, count int) int64 {
	n := max(4*count*cfg.streamConsumers, 2*streamProducerBatch*cfg.streamProducers)
	if cfg.streamMaxLen > 0 {
		n = min(n, cfg.streamMaxLen/2)
	}
	return int64(n)
}

// produce pipelines XADD batches until the window is over, waiting while
// the backlog is full.
func (g *groupRun) produce(c *kvClient, cfg *config) {
	var ring commandRing
	value := makePayload(g.value)
	for range streamProducerBatch {
		ring.add(xaddCommand(g.key, cfg.streamMaxLen, value))
	}
	batch := ring.buf
	for !g.stopping.Load() {
		if g.added.Load()-g.acked.Load() > g.backlog-streamProducerBatch {
			time.Sleep(50 * time.Microsecond)
			continue
		}
		c.conn.SetDeadline(time.Now().Add(kvStallTimeout))
		if err := c.roundTrip(batch, streamProducerBatch, checkStreamID); err != nil {
			g.fail(fmt.Errorf("XADD producer: %w", err))
			return
		}
		g.added.Add(streamProducerBatch)
	}
}

// consume reads and acknowledges entries until the window is over and
// every entry added has been acknowledged.
func (g *groupRun) consume(c *kvClient, i int) {
	read := appendCommandStrings(nil, "XREADGROUP", "GROUP", streamGroup, fmt.Sprintf("c%d", i),
		"COUNT", strconv.Itoa(g.count), "BLOCK", strconv.Itoa(streamBlock), "STREAMS", g.key, ">")
	ackHead := [][]byte{[]byte("XACK"), []byte(g.key), []byte(streamGroup)}
	var ids [][]byte
	ack := make([]byte, 0, 64<<10)
	for !g.failed.Load() && !(g.produced.Load() && g.acked.Load() >= g.added.Load()) {
		c.conn.SetDeadline(time.Now().Add(kvStallTimeout))
		if _, err := c.conn.Write(read); err != nil {
			g.fail(fmt.Errorf("consumer %d: %w", i, err))
			return
		}
		raw, err := c.fr.nextRaw()
		if err == nil {
			ids, err = parseReadGroupReply(raw, g.key, g.count, g.value, ids[:0])
		}
		if err != nil {
			g.fail(fmt.Errorf("consumer %d: XREADGROUP: %w", i, err))
			return
		}
		if len(ids) == 0 {
			g.timeouts.Add(1) // BLOCK timed out
			continue
		}
		g.replies.Add(1)
		ack = appendCommand(ack[:0], append(ackHead, ids...)...)
		if err := c.roundTrip(ack, 1, checkAcked(len(ids))); err != nil {
			g.fail(fmt.Errorf("consumer %d: XACK: %w", i, err))
			return
		}
		g.acked.Add(int64(len(ids)))
	}
}

// checkAcked returns a check that accepts XACK's count of n.
func checkAcked(n int) func(frame) error {
	return func(f frame) error {
		if f.kind != ':' || f.num != int64(n) {
			return fmt.Errorf("answered %q %d, want :%d", f.kind, f.num, n)
		}
		return nil
	}
}

// checkNonePending checks that XPENDING's summary of the group counts no
// pending entry: [0, nil, nil, nil].
func checkNonePending(s *server, key string) error {
	raw, err := s.doRaw(5*time.Second, "XPENDING", key, streamGroup)
	if err != nil {
		return fmt.Errorf("XPENDING: %w", err)
	}
	if want := "*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"; string(raw) != want {
		return fmt.Errorf("XPENDING after the drain answered %q, want %q", raw, want)
	}
	return nil
}

// doRaw sends one command on a new connection and returns the bytes of its
// reply.
func (s *server) doRaw(timeout time.Duration, args ...string) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", s.addr, timeout)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write(appendCommandStrings(nil, args...)); err != nil {
		return nil, err
	}
	raw, err := newFrameReader(conn, 4096).nextRaw()
	return bytes.Clone(raw), err
}

// nextRaw returns the bytes of the next whole frame, reading as needed;
// they alias the buffer and are valid until the following call.
func (fr *frameReader) nextRaw() ([]byte, error) {
	for {
		n, _, err := parseFrame(fr.buf[fr.r:fr.w])
		if err != nil {
			return nil, err
		}
		if n > 0 {
			b := fr.buf[fr.r : fr.r+n]
			fr.r += n
			return b, nil
		}
		if err := fr.fill(); err != nil {
			return nil, err
		}
	}
}

// A respCursor walks a complete RESP value whose shape the caller
// expects, without allocating.
type respCursor struct {
	b   []byte
	pos int
}

// header reads a "<kind><number>\r\n" line and returns the number.
func (c *respCursor) header(kind byte) (int64, error) {
	rest := c.b[c.pos:]
	nl := bytes.Index(rest, []byte("\r\n"))
	if nl < 1 || rest[0] != kind {
		return 0, fmt.Errorf("want %q at byte %d, got %q", kind, c.pos, clip(rest))
	}
	n, err := parseInt(rest[1:nl])
	if err != nil {
		return 0, fmt.Errorf("bad length at byte %d: %q", c.pos, clip(rest))
	}
	c.pos += nl + 2
	return n, nil
}

// bulk reads a bulk string.
func (c *respCursor) bulk() ([]byte, error) {
	n, err := c.header('$')
	if err != nil {
		return nil, err
	}
	end := c.pos + int(n)
	if n < 0 || end+2 > len(c.b) || c.b[end] != '\r' || c.b[end+1] != '\n' {
		return nil, fmt.Errorf("bad bulk string of %d bytes at byte %d", n, c.pos)
	}
	s := c.b[c.pos:end]
	c.pos = end + 2
	return s, nil
}

// array reads an array header and checks its length is want.
func (c *respCursor) array(want int64) error {
	n, err := c.header('*')
	if err == nil && n != want {
		err = fmt.Errorf("array of %d at byte %d, want %d", n, c.pos, want)
	}
	return err
}

// clip shortens b for an error message.
func clip(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// parseReadGroupReply checks a RESP2 XREADGROUP reply of one stream, key,
// whose entries each have the one field streamField with a value of
// valueLen bytes, and appends their IDs to ids. The reply is nil (*-1: the
// BLOCK timed out, no ID) or holds 1 to count entries of increasing IDs.
// The IDs alias raw.
func parseReadGroupReply(raw []byte, key string, count, valueLen int, ids [][]byte) ([][]byte, error) {
	if bytes.Equal(raw, []byte("*-1\r\n")) {
		return ids, nil
	}
	c := &respCursor{b: raw}
	if err := c.array(1); err != nil {
		return ids, err
	}
	if err := c.array(2); err != nil {
		return ids, err
	}
	name, err := c.bulk()
	if err != nil {
		return ids, err
	}
	if string(name) != key {
		return ids, fmt.Errorf("reply for stream %q, want %q", name, key)
	}
	n, err := c.header('*')
	if err != nil {
		return ids, err
	}
	if n < 1 || n > int64(count) {
		return ids, fmt.Errorf("%d entries, want 1 to COUNT %d", n, count)
	}
	var prev []byte
	for range n {
		if err := c.array(2); err != nil {
			return ids, err
		}
		id, err := c.bulk()
		if err != nil {
			return ids, err
		}
		if !validStreamID(id) || (prev != nil && !idLess(prev, id)) {
			return ids, fmt.Errorf("entry ID %q after %q", id, prev)
		}
		if err := c.array(2); err != nil {
			return ids, err
		}
		field, err := c.bulk()
		if err != nil {
			return ids, err
		}
		value, err := c.bulk()
		if err != nil {
			return ids, err
		}
		if string(field) != streamField || len(value) != valueLen {
			return ids, fmt.Errorf("entry %s holds %q with %d bytes, want %q with %d", id, field, len(value), streamField, valueLen)
		}
		ids, prev = append(ids, id), id
	}
	if c.pos != len(raw) {
		return ids, fmt.Errorf("%d bytes after the reply", len(raw)-c.pos)
	}
	return ids, nil
}

// idLess reports whether entry ID a is below b; both are valid IDs.
func idLess(a, b []byte) bool {
	ams, aseq, _ := bytes.Cut(a, []byte("-"))
	bms, bseq, _ := bytes.Cut(b, []byte("-"))
	if c := numCompare(ams, bms); c != 0 {
		return c < 0
	}
	return numCompare(aseq, bseq) < 0
}

// numCompare compares canonical unsigned decimals.
func numCompare(a, b []byte) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return bytes.Compare(a, b)
}
