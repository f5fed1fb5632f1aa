package server

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"os"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// Clients blocked on list keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH) and on
// stream keys (XREAD BLOCK), as Redis's blocked.c keeps them.
//
// A blocking command that finds nothing to pop registers a waiter on its
// keys, releases the keyspace lock and parks its connection's goroutine
// (conn.block) until a pusher serves it, its timeout passes or its
// connection closes. While parked it keeps reading its socket, so that it
// sees the client go away (input that arrives meanwhile is kept for after,
// as Redis keeps it in the query buffer).
//
// A command that creates a list key (dbAdd in Redis) signals the key
// ready. When the command is over, before the keyspace lock is released
// (conn.unlockKeyspace), serveBlocked serves the waiters of each ready key
// in the order they blocked, as long as the key holds elements: it pops
// for them, appends their replies to their outboxes and raises their
// events, so that the pusher's reply and events come first, then the
// waiters', and no other command runs in between. A BLMOVE it serves may
// create its destination and make it ready in turn.
//
// Locking: everything here is guarded by the keyspace lock. A waiter's
// state says who finished it: the server that served or dropped it, or the
// waiting goroutine (timeout, disconnect), which re-takes the lock to
// unregister and finds the state decided if it lost a race. Lock order:
// the keyspace, then a connection's outbox lock (as the broker's
// deliveries).

// blockedClients are the waiters by key, and the keys made ready by the
// command running. The zero value is ready to use.
type blockedClients struct {
	byKey    map[blockKey][]*waiter
	ready    []blockKey
	readySet map[blockKey]struct{}
	// waiting counts the waiters registered; read without the lock (INFO,
	// tests).
	waiting atomic.Int64
}

type blockKey struct {
	db  int
	key string
}

type waiterState uint8

const (
	stateWaiting waiterState = iota
	stateServed              // popped for, its reply delivered
	stateDropped             // its connection was closing when its turn came
)

// waiter is one blocked client.
type waiter struct {
	c      *conn
	db     int
	keys   []string // without duplicates, in the command's order
	left   bool     // pop from the head
	move   bool     // BLMOVE / BRPOPLPUSH: push to dest
	dest   string
	toLeft bool
	send   bool // the reply is to be sent (CLIENT REPLY)

	// XREAD BLOCK (stream set): per key of keys, the ID the entries
	// served must follow, and the COUNT to serve.
	stream      bool
	streamIDs   []keyspace.StreamID
	streamCount int64
	// XREADGROUP BLOCK (readGroup set): the group and consumer it reads
	// as, and whether its entries are delivered without becoming pending.
	readGroup bool
	group     string
	consumer  string
	noAck     bool

	proto int
	state waiterState
	wake  chan struct{} // receives once the state is no longer waiting
}

// signalKeyAsReady is for the commands that add a key by other means than
// the list commands (RENAME, COPY, MOVE ... : Redis's dbAdd): clients
// blocked on it are served after the command if it now holds a list.
// Keyspace lock held.
func (s *Server) signalKeyAsReady(db int, key string) { s.blocked.signal(db, key) }

// signal marks key of database db ready if a client waits on it. Keyspace
// lock held.
func (b *blockedClients) signal(db int, key string) {
	k := blockKey{db, key}
	if len(b.byKey[k]) == 0 {
		return
	}
	if _, ok := b.readySet[k]; ok {
		return
	}
	if b.readySet == nil {
		b.readySet = make(map[blockKey]struct{})
	}
	b.readySet[k] = struct{}{}
	b.ready = append(b.ready, k)
}

func (b *blockedClients) add(w *waiter) {
	if b.byKey == nil {
		b.byKey = make(map[blockKey][]*waiter)
	}
	for _, key := range w.keys {
		k := blockKey{w.db, key}
		b.byKey[k] = append(b.byKey[k], w)
	}
	b.waiting.Add(1)
}

func (b *blockedClients) remove(w *waiter) {
	for _, key := range w.keys {
		k := blockKey{w.db, key}
		list := b.byKey[k]
		for i, x := range list {
			if x == w {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(b.byKey, k)
		} else {
			b.byKey[k] = list
		}
	}
	b.waiting.Add(-1)
}

// serveBlocked serves the clients blocked on the keys that became ready,
// and on those their service makes ready, until none is left. Keyspace
// lock held; s.ksBatch is the batch of whoever holds it.
func (s *Server) serveBlocked() {
	b := &s.blocked
	for len(b.ready) > 0 {
		keys := b.ready
		b.ready = nil
		clear(b.readySet)
		for _, k := range keys {
			s.serveKey(k)
		}
	}
}

// serveKey serves the waiters of one key, first blocked first: while it
// holds a list with elements, its list waiters; if it holds a stream, its
// XREAD waiters that the stream has new entries for
// (serveStreamWaiters).
func (s *Server) serveKey(k blockKey) {
	db := s.ks.DB(k.db)
	if e := db.Lookup(k.key); e != nil {
		if st, ok := e.Value.(*keyspace.Stream); ok {
			s.serveStreamWaiters(k, st)
			return
		}
	}
	// No stream there (any more): its XREADGROUP waiters are told.
	s.unblockGroupWaitersOfDeletedKey(k)
	for {
		var w *waiter
		for _, x := range s.blocked.byKey[k] {
			if !x.stream {
				w = x
				break
			}
		}
		if w == nil {
			return
		}
		e := db.Lookup(k.key)
		if e == nil {
			return
		}
		l, ok := e.Value.(*keyspace.List)
		if !ok || l.Len() == 0 {
			return
		}
		s.blocked.remove(w)
		if w.c.gone() {
			w.state = stateDropped
		} else {
			w.state = stateServed
			s.serveWaiter(w, db, k.key, l)
			s.trackingAfterWaiter(w.c)
		}
		w.wake <- struct{}{}
	}
}

// serveWaiter pops for w from the list l at key, as Redis's
// serveClientBlockedOnList: BLPOP's [key, element] reply and its pop
// event; BLMOVE's push to its destination (whose WRONGTYPE ends the wait
// with that error, nothing popped), its reply and its events.
func (s *Server) serveWaiter(w *waiter, db *keyspace.DB, key string, l *keyspace.List) {
	defer s.flushPropagation() // the pop is a command of its own in the AOF
	if !w.move {
		v := l.Pop(w.left)
		s.propagateIn(db.ID(), aofPopName(w.left), []byte(key))
		reply := resp.AppendArrayLen(nil, 2)
		reply = resp.AppendBulkString(reply, key)
		reply = resp.AppendBulk(reply, v)
		w.c.deliverReply(reply, w.send)
		s.ks.Notify(db.ID(), keyspace.ClassList, popEvent(w.left), key)
	} else {
		var dst *keyspace.List
		if de := db.Lookup(w.dest); de != nil {
			var isList bool
			if dst, isList = de.Value.(*keyspace.List); !isList {
				s.stats.errorReplies.Add(1)
				w.c.deliverReply(resp.AppendError(nil, errWrongType), w.send)
				return
			}
		}
		v := l.Pop(w.left)
		// As in Redis, the waiter is the client running while its push
		// is made: what the push makes CLIENT TRACKING send it comes
		// after its reply (trackingAfterWaiter), and it is the one that
		// changed the destination (NOLOOP). The pop is not its change.
		s.propagateIn(db.ID(), []byte("LMOVE"), []byte(key), []byte(w.dest), whereName(w.left), whereName(w.toLeft))
		holder := s.tracking.current
		s.tracking.current = w.c
		s.pushMoved(db, w.dest, dst, v, w.toLeft)
		w.c.deliverReply(resp.AppendBulk(nil, v), w.send)
		s.tracking.current = holder
		s.ks.Notify(db.ID(), keyspace.ClassList, popEvent(w.left), key)
	}
	if l.Len() == 0 {
		db.Delete(key)
		s.ks.Notify(db.ID(), keyspace.ClassGeneric, evDel, key)
	}
	db.Written(key)
}

// gone reports whether the connection is closing or closed: a waiter of
// such a connection is not served, so no element is lost to it.
func (c *conn) gone() bool {
	if c.killed.Load() {
		return true
	}
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	return c.out.closed
}

// deliverReply appends the reply of the blocking command c waits in to its
// outbox, from the goroutine serving it. c's own goroutine, which the
// service wakes, flushes it, after its aofSync: so the reply never goes
// out before the AOF record of the pop it reports, even when the serving
// client's aofSync fails (which closes that client only, and its batch
// is flushed all the same). Marked queued, no other batch flushes it
// before. Keyspace lock held.
func (c *conn) deliverReply(reply []byte, send bool) {
	if !send {
		return
	}
	c.out.mu.Lock()
	if c.out.closed {
		c.out.mu.Unlock()
		return
	}
	c.out.appendOut(reply)
	over := c.out.overLimit(c.limitClass(), time.Now)
	c.out.queued = true // flushed by c's goroutine (conn.serve), once woken
	c.out.mu.Unlock()
	if over {
		c.killForOutputLimit()
	}
}

// blockOutcome is how a wait ended, seen from the waiting goroutine.
type blockOutcome uint8

const (
	blockWoken blockOutcome = iota
	blockTimedOut
	blockDisconnected
)

// block parks c until w is served, the timeout passes (timeout 0: never)
// or the connection closes. The keyspace lock is held on entry and on
// return, and released in between. On timeout it replies with the null
// array, as Redis; on a disconnect the connection closes after the
// command.
func (c *conn) block(w *waiter, timeout time.Duration) {
	w.c, w.db, w.proto = c, c.db, c.proto
	w.send = c.replyMode == replyOn
	w.wake = make(chan struct{}, 1)
	c.srv.blocked.add(w)
	c.blocked.Store(true)
	defer func() {
		// As Redis writing the reply: the wait is no idle time.
		c.touch()
		c.blocked.Store(false)
	}()
	c.unlockKeyspace()
	// What the commands before this one produced goes out now.
	c.aofSync()
	c.batch.Flush()
	c.batchBytes = 0
	c.Flush()
	// CLIENT LIST shows the command it waits in (cmd=blpop, flag b) and
	// its idle time since, as Redis's, not what it ran before.
	c.noteActivity()

	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	readDone := make(chan error, 1)
	read := func() {
		before := len(c.rbuf)
		err := c.fill()
		c.netIn.Add(int64(len(c.rbuf) - before))
		c.reads.Add(1)
		readDone <- err
	}
	reading := true
	go read()
	var outcome blockOutcome
wait:
	for {
		select {
		case <-w.wake:
			outcome = blockWoken
			break wait
		case <-timer:
			outcome = blockTimedOut
			break wait
		case err := <-readDone:
			if err != nil {
				reading = false
				outcome = blockDisconnected
				break wait
			}
			go read() // input for after the wait: keep it, and keep watching
		}
	}
	if reading {
		c.nc.SetReadDeadline(time.Now())
		err := <-readDone
		c.nc.SetReadDeadline(time.Time{})
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			outcome = blockDisconnected
		}
	}

	c.lockKeyspace()
	// What others changed meanwhile is not this command's to log; a pop
	// for it was logged when it was served (serveWaiter).
	c.srv.prop.custom = true
	if w.state == stateWaiting {
		c.srv.blocked.remove(w)
		if outcome == blockTimedOut {
			c.reply = resp.AppendNullArray(c.reply, c.proto)
		}
	}
	if outcome == blockDisconnected {
		c.closing = true
	}
}

// BLPOP, BRPOP key [key ...] timeout
func cmdBlockingPop(c *conn, args [][]byte, left bool) {
	timeout, errText := parseBlockTimeout(args[len(args)-1])
	if errText != "" {
		c.writeError(errText)
		return
	}
	db := c.keyspaceDB()
	keys := args[1 : len(args)-1]
	for _, key := range keys {
		l, ok := c.listForWrite(key)
		if !ok {
			return
		}
		if l == nil || l.Len() == 0 {
			continue
		}
		v := l.Pop(left)
		c.propagate(aofPopName(left), key)
		c.writeArrayLen(2)
		c.writeBulk(key)
		c.writeBulk(v)
		c.listRemoved(db, string(key), l, popEvent(left))
		return
	}
	if c.inExec {
		c.reply = resp.AppendNullArray(c.reply, c.proto)
		return
	}
	w := &waiter{left: left}
	for _, key := range keys {
		if !containsString(w.keys, string(key)) {
			w.keys = append(w.keys, string(key))
		}
	}
	c.block(w, timeout)
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
func cmdBLMove(c *conn, args [][]byte) {
	from, ok := parseWhere(args[3])
	if !ok {
		c.writeError(errSyntax)
		return
	}
	to, ok := parseWhere(args[4])
	if !ok {
		c.writeError(errSyntax)
		return
	}
	c.blockingMove(args, args[5], from, to)
}

// BRPOPLPUSH source destination timeout
func cmdBRPopLPush(c *conn, args [][]byte) { c.blockingMove(args, args[3], false, true) }

// blockingMove is Redis's blmoveGenericCommand, after the timeout's
// parsing.
func (c *conn) blockingMove(args [][]byte, timeoutArg []byte, from, to bool) {
	timeout, errText := parseBlockTimeout(timeoutArg)
	if errText != "" {
		c.writeError(errText)
		return
	}
	src, ok := c.listForWrite(args[1])
	if !ok {
		return
	}
	if src != nil {
		c.listMove(args[1], args[2], from, to)
		return
	}
	if c.inExec {
		c.writeNull()
		return
	}
	c.block(&waiter{keys: []string{string(args[1])}, left: from, move: true, dest: string(args[2]), toLeft: to}, timeout)
}

// maxBlockTimeout: a longer timeout is as good as none (Redis's own
// deadline overflows for the largest ones and then never comes).
const maxBlockTimeout = 100 * 365 * 24 * time.Hour

// parseBlockTimeout parses a blocking command's timeout in seconds as
// Redis 7.0's getTimeoutFromObjectOrReply does: a long double as strtold
// reads it (decimal or hexadecimal, inf; no blanks, no NaN, not past the
// long double's range), times 1000, rounded up to whole milliseconds; a
// result that is negative, or too large for a long long (it then turns
// negative in Redis), is refused as negative. Zero means no timeout.
func parseBlockTimeout(b []byte) (time.Duration, string) {
	if len(b) == 0 || len(b) > 5*1024 {
		return 0, errTimeoutNotFloat
	}
	s := string(b)
	body := s
	negative := false
	if body[0] == '+' || body[0] == '-' {
		negative = body[0] == '-'
		body = body[1:]
	}
	var f *big.Float
	switch lower := string(lowerASCIIBytes([]byte(body))); {
	case lower == "inf" || lower == "infinity":
		return 0, errTimeoutNegative // (long long)(±inf) is LLONG_MIN
	case validHexFloat(lower):
		if !bytes.ContainsAny([]byte(lower), "p") {
			lower += "p0"
		}
		v, _, err := big.ParseFloat(lower, 0, 64, big.ToNearestEven)
		if err != nil {
			return 0, errTimeoutNotFloat
		}
		f = v
	case validDecimalFloat(lower):
		v, _, err := big.ParseFloat(lower, 10, 64, big.ToNearestEven)
		if err != nil {
			return 0, errTimeoutNotFloat
		}
		f = v
	default:
		return 0, errTimeoutNotFloat
	}
	if f.Sign() != 0 {
		// strtold's ERANGE: past the long double's range, or below its
		// smallest subnormal number.
		if exp := f.MantExp(nil); exp > 16384 || exp < -16444 {
			return 0, errTimeoutNotFloat
		}
	}
	if negative {
		f.Neg(f)
	}
	f.Mul(f, big.NewFloat(1000))
	if f.Cmp(new(big.Float).SetInt64(math.MaxInt64)) > 0 || f.Cmp(new(big.Float).SetInt64(math.MinInt64)) < 0 {
		return 0, errTimeoutNegative
	}
	ms, acc := f.Int64() // truncated toward zero
	if acc == big.Below {
		ms++ // ceil
	}
	if ms < 0 {
		return 0, errTimeoutNegative
	}
	d := time.Duration(ms) * time.Millisecond
	if ms > int64(maxBlockTimeout/time.Millisecond) {
		d = 0
	}
	return d, ""
}

// validDecimalFloat: digits with at most one '.', at least one digit, then
// an optional exponent e[+-]digits: the whole of what strtold reads.
func validDecimalFloat(s string) bool {
	i, digits := 0, 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	return validExponent(s[i:], 'e')
}

// validHexFloat: 0x, hex digits with at most one '.', at least one, then
// an optional binary exponent p[+-]digits.
func validHexFloat(s string) bool {
	if len(s) < 3 || s[0] != '0' || s[1] != 'x' {
		return false
	}
	i, digits := 2, 0
	isHex := func(ch byte) bool { return ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'f' }
	for i < len(s) && isHex(s[i]) {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isHex(s[i]) {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	return validExponent(s[i:], 'p')
}

func validExponent(s string, mark byte) bool {
	if s == "" {
		return true
	}
	if s[0] != mark {
		return false
	}
	s = s[1:]
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// aofPopName and whereName are how the AOF logs a blocking pop or move
// (aof.go): LPOP or RPOP, and LMOVE's LEFT or RIGHT.
func aofPopName(left bool) []byte {
	if left {
		return []byte("LPOP")
	}
	return []byte("RPOP")
}

func whereName(left bool) []byte {
	if left {
		return []byte("LEFT")
	}
	return []byte("RIGHT")
}
