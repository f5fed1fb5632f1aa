package server

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/internal/resp"
)

// Client-side caching (CLIENT TRACKING), as Redis 7.0's tracking.c.
//
// In the default mode the server remembers, in the tracking table, which
// clients read which keys (the keys of the read-only commands they ran),
// and when a key changes it sends each of them one invalidation and
// forgets the key: a client that reads it again is tracked again. In
// broadcasting mode (BCAST) a client names key prefixes instead (none:
// every key) and hears of every changed key under them, whoever read it.
// The table is global: the same name in two databases is one entry.
//
// An invalidation is a RESP3 push, ["invalidate", [key ...]], or, for a
// client that redirects them (REDIRECT id), goes to that other client: as
// a push if it speaks RESP3, else as a "message" on __redis__:invalidate
// if it is in subscribed mode (the RESP2 way), else nowhere. A flush sends
// a null instead of keys. A client whose redirect target has gone is told
// with a "tracking-redir-broken" push (RESP3 only), the next time it
// would have been sent something.
//
// Order, as Redis: what a command causes a client to be sent comes after
// the command's reply when that client is the one running the command (or
// the blocked client whose service made the change), so a client never
// sees the invalidation of a key before the reply that read it; it is
// sent to any other client at once. The reply of a command on the
// keyspace is queued before the lock is released (conn.unlockKeyspace),
// then this client's pending invalidations, then the broadcasts gathered
// during the command. A key read and then changed by another client is
// so always invalidated after the read's reply. Expiry, eviction and the
// tracking table's own limit have no client: what they cause is sent at
// once.
//
// Broadcasts (BCAST) are coalesced, as Redis sends them once per event
// loop turn (trackingBroadcastInvalidationMessages in beforeSleep), for
// every key changed by every client it served in the turn. Here a
// broadcaster goroutine (broadcastLoop) is woken when a client's batch of
// input changed keys under BCAST prefixes; it takes the keyspace lock, so
// every reply of the commands that changed them is queued already, and
// sends each prefix's keys in one message. Keys changed by a client that
// is still part way through its batch (a pipeline) are held back until
// the batch ends, so a pipeline's keys go out together, after all its
// replies. While the broadcaster sends, writers keep writing: a busy
// server sends one message per prefix per round, not one per write.
//
// Locking: tracker.mu guards the table, the prefixes, the pending list
// and every client's trackingState. Lock order: the keyspace, then
// tracker.mu, then Server.mu (connByID), then a connection's outbox.

// tracker is the server's tracking state.
type tracker struct {
	mu       sync.Mutex
	table    map[string]map[int64]struct{} // key → ids of clients that may cache it
	items    int                           // ids summed over the table (tracking_total_items)
	prefixes map[string]*bcastPrefix       // BCAST prefixes in use
	// pending are the invalidations for the client running the command,
	// sent after its reply (Redis's tracking_pending_keys).
	pending []pendingInvalidation
	clients int // clients with tracking on (tracking_clients)

	// used is set once a client first turns tracking on; until then a
	// changed key costs one atomic load (Redis's TrackingTable == NULL).
	used atomic.Bool
	// bcastPending says that changed keys wait to be broadcast.
	bcastPending atomic.Bool
	// wake wakes the broadcaster (broadcastLoop); capacity 1.
	wake chan struct{}
	// hold, when set before the server starts (tests only), makes each
	// round of the broadcaster wait for a value from it.
	hold chan struct{}
	// current is the client whose command is running (the keyspace's
	// holder, or the blocked client being served); nil for the cron.
	// Keyspace lock held.
	current *conn
}

// pendingInvalidation is an invalidation of key for c, or a flush's null
// when key is nil.
type pendingInvalidation struct {
	c   *conn
	key *string
}

// bcastPrefix is one prefix of the BCAST clients: the keys under it
// changed since the last broadcast, each with the client that changed it
// last (nil: expiry or eviction) for NOLOOP, and the clients listening.
type bcastPrefix struct {
	keys    map[string]*conn
	clients map[*conn]struct{}
}

// trackingState is one client's CLIENT TRACKING settings. The client's own
// goroutine writes it holding tracker.mu and may read it without; other
// goroutines read it holding tracker.mu (brokenRedir is also written by
// them, under tracker.mu).
type trackingState struct {
	on, bcast, optin, optout, noloop bool
	// caching is CLIENT CACHING YES (OPTIN) or NO (OPTOUT), which holds
	// for the next command, or for the next transaction.
	caching     bool
	brokenRedir bool
	redirect    int64
	prefixes    []string // sorted
}

// defaultTrackingMaxKeys is tracking-table-max-keys' default.
const defaultTrackingMaxKeys = 1000000

// trackingChannel is where RESP2 clients hear invalidations.
const trackingChannel = "__redis__:invalidate"

// keyChanged is the keyspace's OnChange: key was written by the running
// command (byCommand), or expired or evicted. Keyspace lock held.
func (s *Server) keyChanged(key string, byCommand bool) {
	t := &s.tracking
	if !t.used.Load() {
		return
	}
	var by *conn
	if byCommand {
		by = t.current
	}
	t.mu.Lock()
	s.invalidateKeyLocked(key, by, true)
	t.mu.Unlock()
}

// invalidateKeyLocked sends the invalidation of key to the clients in its
// table entry and drops the entry; with bcast, the key is also gathered
// for the BCAST clients of its prefixes (by changed it). tracker.mu held.
func (s *Server) invalidateKeyLocked(key string, by *conn, bcast bool) {
	t := &s.tracking
	if bcast {
		for prefix, p := range t.prefixes {
			if strings.HasPrefix(key, prefix) {
				p.keys[key] = by
				t.bcastPending.Store(true)
			}
		}
	}
	ids, ok := t.table[key]
	if !ok {
		return
	}
	delete(t.table, key)
	t.items -= len(ids)
	var payload []byte // encoded once for every client told at once
	for _, id := range sortedIDs(ids) {
		target := s.connByID(id)
		if target == nil || target.tracking == nil || !target.tracking.on || target.tracking.bcast {
			continue
		}
		if target.tracking.noloop && target == t.current {
			continue
		}
		if target == t.current {
			t.pending = append(t.pending, pendingInvalidation{target, &key})
			continue
		}
		if payload == nil {
			payload = keyArray(key)
		}
		s.sendTracking(target, payload)
	}
}

func sortedIDs(ids map[int64]struct{}) []int64 {
	out := make([]int64, 0, len(ids))
	for id := range ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// keyArray is the payload of one key's invalidation.
func keyArray(key string) []byte {
	b := resp.AppendArrayLen(nil, 1)
	return resp.AppendBulkString(b, key)
}

// sendTracking sends payload (an array of keys, or a null) to where c's
// invalidations go, as Redis's sendTrackingMessage. tracker.mu held.
func (s *Server) sendTracking(c *conn, payload []byte) {
	target, redirected := c, false
	if id := c.tracking.redirect; id != 0 {
		target = s.connByID(id)
		if target == nil {
			c.tracking.brokenRedir = true
			if c.protoLocked() == resp.RESP3 {
				b := resp.AppendPushLen(nil, 2, resp.RESP3)
				b = resp.AppendBulkString(b, "tracking-redir-broken")
				c.pushOut(resp.AppendInt(b, id), s.ksBatch)
			}
			return
		}
		redirected = true
	}
	target.out.mu.Lock()
	switch {
	case target.out.closed:
		target.out.mu.Unlock()
		return
	case target.out.format == uint8(formatRESP3):
		target.out.appendOut(invalidatePush)
	case redirected && target.out.pubsub:
		target.out.appendOut(invalidateMessage)
	default:
		target.out.mu.Unlock()
		return // a RESP2 client cannot be sent a push
	}
	target.out.appendOut(payload)
	target.appended(s.ksBatch)
}

// The heads of an invalidation: a RESP3 push, or a RESP2 message on
// __redis__:invalidate; the keys (or a null) follow.
var (
	invalidatePush    = []byte(">2\r\n$10\r\ninvalidate\r\n")
	invalidateMessage = []byte("*3\r\n$7\r\nmessage\r\n$20\r\n" + trackingChannel + "\r\n")
)

// protoLocked returns the protocol c speaks, read under its outbox lock.
func (c *conn) protoLocked() int {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	if c.out.format == uint8(formatRESP3) {
		return resp.RESP3
	}
	return resp.RESP2
}

// pushOut appends a frame to c's outbox, from any goroutine; batch (nil:
// now) flushes it.
func (c *conn) pushOut(frame []byte, batch *broker.Batch) {
	c.out.mu.Lock()
	if c.out.closed {
		c.out.mu.Unlock()
		return
	}
	c.out.appendOut(frame)
	c.appended(batch)
}

// nullFor is a flush's payload, as Redis encodes it: in the protocol of
// the tracking client, whatever the target speaks.
func nullFor(c *conn) []byte {
	return resp.AppendNull(nil, c.protoLocked())
}

// trackingFlushed sends every tracking client the null invalidation of a
// flush (FLUSHALL, FLUSHDB) and empties the table. Keyspace lock held.
func (s *Server) trackingFlushed() {
	t := &s.tracking
	if !t.used.Load() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.clients > 0 {
		for _, c := range s.connList() {
			if c.tracking == nil || !c.tracking.on {
				continue
			}
			if c == t.current {
				t.pending = append(t.pending, pendingInvalidation{c, nil})
			} else {
				s.sendTracking(c, nullFor(c))
			}
		}
	}
	t.table = make(map[string]map[int64]struct{})
	t.items = 0
}

// trackingAfterCommand sends what the command of c caused, after its
// reply: c's pending invalidations; and it wakes the broadcaster unless
// more of c's input waits (then c is midBatch, and trackingBatchDone
// wakes it). The reply is queued already. Keyspace lock held; c is nil
// for the cron.
func (s *Server) trackingAfterCommand(c *conn) {
	t := &s.tracking
	if !t.used.Load() {
		return
	}
	t.mu.Lock()
	s.limitTableLocked() // what it invalidates for c is pending too
	s.sendPendingLocked(c)
	pending := t.bcastPending.Load()
	if c != nil {
		c.midBatch = pending && c.rpos < len(c.rbuf)
		pending = pending && !c.midBatch
	}
	t.mu.Unlock()
	if pending {
		s.wakeBroadcaster()
	}
}

// trackingBatchDone ends c's batch of input (a partial command may be
// left): the keys it changed may be broadcast. The keyspace lock must not
// be held.
func (s *Server) trackingBatchDone(c *conn) {
	if !c.midBatch { // only c's goroutine writes it
		return
	}
	s.tracking.mu.Lock()
	c.midBatch = false
	s.tracking.mu.Unlock()
	s.wakeBroadcaster()
}

// wakeBroadcaster makes the broadcaster run once more, soon.
func (s *Server) wakeBroadcaster() {
	select {
	case s.tracking.wake <- struct{}{}:
	default: // already woken: it will see these keys too
	}
}

// broadcastLoop is the broadcaster: each time it is woken it sends the
// BCAST clients what changed since its last round, until done closes.
//
// Between rounds it waits bcastPace times as long as its last round took
// (a round is about one write per BCAST client), so that, however many
// clients write, broadcasting takes at most about a fifth of the CPU and
// each round carries the keys of many writes, as a Redis event loop turn
// does. An idle server's first invalidation goes out at once.
func (s *Server) broadcastLoop(done chan struct{}) {
	defer s.wg.Done()
	var (
		batch broker.Batch
		took  time.Duration // the last round's length
		ended time.Time     // when it ended
		pause = time.NewTimer(time.Hour)
	)
	pause.Stop()
	for {
		select {
		case <-done:
			return
		case <-s.tracking.wake:
		}
		if s.tracking.hold != nil {
			select {
			case <-done:
				return
			case <-s.tracking.hold:
			}
		}
		if wait := bcastPace*took - time.Since(ended); wait > 0 {
			pause.Reset(wait)
			select {
			case <-done:
				pause.Stop()
				return
			case <-pause.C:
			}
		}
		start := time.Now()
		s.ks.Lock()
		s.ksBatch = &batch
		s.tracking.mu.Lock()
		s.broadcastLocked()
		s.tracking.mu.Unlock()
		var upto int64 // the AOF's records of the changes broadcast
		a := s.aofOn()
		if a != nil {
			upto = a.Offset()
		}
		s.ksBatch = nil
		s.ks.Unlock()
		if upto > 0 {
			// No invalidation goes out before the write it announces is
			// in the AOF, as Redis flushes the AOF before client output.
			a.Sync(upto)
		}
		batch.Flush()
		ended = time.Now()
		took = ended.Sub(start)
	}
}

// bcastPace is how many times its last round's length the broadcaster
// waits before the next round (broadcastLoop).
const bcastPace = 4

// trackingAfterWaiter sends what serving the blocked client c made
// tracking send it, after the reply it was just sent. Keyspace lock held.
func (s *Server) trackingAfterWaiter(c *conn) {
	t := &s.tracking
	if !t.used.Load() {
		return
	}
	t.mu.Lock()
	s.sendPendingLocked(c)
	t.mu.Unlock()
}

// sendPendingLocked sends c's pending invalidations. tracker.mu held.
func (s *Server) sendPendingLocked(c *conn) {
	t := &s.tracking
	if len(t.pending) == 0 {
		return
	}
	kept := t.pending[:0]
	for _, p := range t.pending {
		switch {
		case p.c != c:
			kept = append(kept, p)
		case c.tracking == nil || !c.tracking.on:
		case p.key == nil:
			s.sendTracking(c, nullFor(c))
		default:
			s.sendTracking(c, keyArray(*p.key))
		}
	}
	clear(t.pending[len(kept):])
	t.pending = kept
}

// getTrackingMaxKeys and setTrackingMaxKeys are CONFIG's
// tracking-table-max-keys, where 0 means no limit.
func getTrackingMaxKeys(s *Server) string {
	return strconv.FormatInt(max(s.settings().TrackingTableMaxKeys, 0), 10)
}

func setTrackingMaxKeys(cfg *Config, v string) error {
	n, err := integerArg(v, 0, math.MaxInt64)
	if err != nil {
		return err
	}
	if n == 0 {
		n = -1
	}
	cfg.TrackingTableMaxKeys = n
	return nil
}

// broadcastLocked sends the BCAST clients of each prefix the keys changed
// under it, sorted, as Redis's trackingBroadcastInvalidationMessages: one
// message per prefix, without, for a NOLOOP client, the keys it changed
// itself. Keys changed last by a client that is midBatch wait for the
// next round. Keyspace lock and tracker.mu held.
func (s *Server) broadcastLocked() {
	held := false
	prefixes := make([]string, 0, len(s.tracking.prefixes))
	for prefix, p := range s.tracking.prefixes {
		if len(p.keys) > 0 {
			prefixes = append(prefixes, prefix)
		}
	}
	slices.Sort(prefixes) // Redis's order: its prefix table is a radix tree
	for _, prefix := range prefixes {
		p := s.tracking.prefixes[prefix]
		keys := make([]string, 0, len(p.keys))
		for k, by := range p.keys {
			if by != nil && by.midBatch {
				held = true
				continue
			}
			keys = append(keys, k)
		}
		if len(keys) == 0 {
			continue
		}
		slices.Sort(keys)
		all := resp.AppendArrayLen(nil, len(keys))
		for _, k := range keys {
			all = resp.AppendBulkString(all, k)
		}
		for _, c := range sortedConns(p.clients) {
			if !c.tracking.noloop {
				s.sendTracking(c, all)
				continue
			}
			var own []string
			for _, k := range keys {
				if p.keys[k] != c {
					own = append(own, k)
				}
			}
			if len(own) > 0 {
				b := resp.AppendArrayLen(nil, len(own))
				for _, k := range own {
					b = resp.AppendBulkString(b, k)
				}
				s.sendTracking(c, b)
			}
		}
		for _, k := range keys {
			delete(p.keys, k)
		}
	}
	s.tracking.bcastPending.Store(held)
}

func sortedConns(set map[*conn]struct{}) []*conn {
	out := make([]*conn, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sortConns(out)
	return out
}

// limitTableLocked keeps the table within tracking-table-max-keys,
// invalidating keys chosen at random (Go's map order) as if they had
// changed, as Redis's trackingLimitUsedSlots. tracker.mu held.
func (s *Server) limitTableLocked() {
	limit := s.settings().TrackingTableMaxKeys
	if limit < 0 || int64(len(s.tracking.table)) <= limit {
		return // within the limit, or tracking-table-max-keys 0: none
	}
	for key := range s.tracking.table {
		if len(s.tracking.table) <= int(limit) {
			return
		}
		s.invalidateKeyLocked(key, nil, false)
	}
}

// rememberKeys records that c read the keys of the read-only command in
// args, unless OPTIN/OPTOUT say otherwise, as Redis's
// trackingRememberKeys. Keyspace lock held.
func (s *Server) rememberKeys(c *conn, cmd *command, args [][]byte) {
	st := c.tracking
	if !st.on || st.bcast || (st.optin && !st.caching) || (st.optout && st.caching) {
		return
	}
	specs := trackedKeySpecs()[cmd.name]
	if len(specs) == 0 {
		return
	}
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.table == nil {
		t.table = make(map[string]map[int64]struct{})
	}
	for _, spec := range specs {
		first, last, ok := spec.keyRange(args)
		if !ok {
			continue
		}
		for i := first; i <= last; i += max(spec.keyStep, 1) {
			ids := t.table[string(args[i])]
			if ids == nil {
				ids = make(map[int64]struct{}, 1)
				t.table[string(args[i])] = ids
			}
			if _, ok := ids[c.id]; !ok {
				ids[c.id] = struct{}{}
				t.items++
			}
		}
	}
}

// trackedKeySpecs returns the key specs of the commands, but those not
// marked not_key, by name: what a tracking client is remembered to have
// read. It is built on first use, once the docs files' init functions
// have filled commandDocs.
var trackedKeySpecs = sync.OnceValue(func() map[string][]keySpec {
	m := make(map[string][]keySpec)
	for name, doc := range commandDocs {
		for _, spec := range doc.keySpecs {
			if !containsFold(spec.flags, "not_key") {
				m[name] = append(m[name], spec)
			}
		}
	}
	return m
})

// trackReads makes every read-only command remember its keys for
// tracking clients after it runs, in EXEC too.
func trackReads(t commandTable) {
	for _, cmd := range t {
		for _, x := range append([]*command{cmd}, cmd.sortedSubs()...) {
			if x.run == nil || !slices.Contains(x.meta.flags, "readonly") || slices.Contains(x.meta.flags, "pubsub") {
				continue
			}
			run, read := x.run, x
			x.run = func(c *conn, args [][]byte) {
				run(c, args)
				if c.tracking != nil {
					c.srv.rememberKeys(c, read, args)
				}
			}
		}
	}
}

// trackingCommandDone ends a CLIENT CACHING after the command that
// follows it, or after the transaction, as Redis's resetClient: any
// command but CLIENT's and those queued in MULTI. cmd is nil for a
// refused unknown command.
func (c *conn) trackingCommandDone(cmd *command) {
	st := c.tracking
	if !st.caching || c.tx.active || (cmd != nil && (cmd.name == "client" || (cmd.parent != nil && cmd.parent.name == "client"))) {
		return
	}
	c.srv.tracking.mu.Lock()
	st.caching = false
	c.srv.tracking.mu.Unlock()
}

// disableTracking turns c's tracking off (CLIENT TRACKING OFF, RESET, a
// disconnect), as Redis's disableTracking: its BCAST prefixes go; its ids
// in the table are left to be dropped when their keys change.
func (s *Server) disableTracking(c *conn) {
	if c.tracking == nil || !c.tracking.on {
		return
	}
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	st := c.tracking
	for _, prefix := range st.prefixes {
		p := t.prefixes[prefix]
		delete(p.clients, c)
		if len(p.clients) == 0 {
			delete(t.prefixes, prefix)
		}
	}
	t.clients--
	*st = trackingState{}
}

// trackingInfo returns INFO's tracking fields.
func (s *Server) trackingInfo() (clients, keys, items, prefixes int) {
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.clients, len(t.table), t.items, len(t.prefixes)
}

// trackingListFields returns CLIENT LIST's tracking flags (t, R, B) and
// redir of c.
func (s *Server) trackingListFields(c *conn) (flags string, redir int64) {
	t := &s.tracking
	t.mu.Lock()
	defer t.mu.Unlock()
	st := c.tracking
	if st == nil || !st.on {
		return "", -1
	}
	flags = "t"
	if st.brokenRedir {
		flags += "R"
	}
	if st.bcast {
		flags += "B"
	}
	return flags, st.redirect
}
