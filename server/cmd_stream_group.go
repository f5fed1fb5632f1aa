package server

import (
	"fmt"
	"strings"

	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// The consumer-group commands, as Redis 7.0.15's t_stream.c: XGROUP
// (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP), XREADGROUP
// (its BLOCK form parked by blocking.go and served by serveGroupWaiter),
// XINFO GROUPS and XINFO CONSUMERS, with Redis's replies, errors, the
// order in which arguments are checked, and the keyspace events; the
// commands of the pending entries (XACK, XPENDING, XCLAIM, XAUTOCLAIM) are
// in cmd_stream_pending.go. The groups live in the stream
// (keyspace.StreamGroup).
//
// As in Redis, none of them but XGROUP CREATE ... MKSTREAM (which adds a
// key) is a change of the key for WATCH or client-side caching: Redis calls
// no signalModifiedKey for a group's state.

// Consumer-group errors, as t_stream.c words them.
const (
	errGroupKeyMissing  = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	errGroupBusy        = "BUSYGROUP Consumer Group name already exists"
	errGroupEntriesRead = "ERR value for ENTRIESREAD must be positive or -1"
	errGroupClaimIdle   = "ERR Invalid min-idle-time argument for XCLAIM"
	errGroupAutoIdle    = "ERR Invalid min-idle-time argument for XAUTOCLAIM"
	errGroupAutoCount   = "ERR COUNT must be > 0"
	errGroupAutoAlloc   = "ERR Insufficient memory, failed allocating transient memory, COUNT too high."
	errGroupDestroyed   = "NOGROUP the consumer group this client was blocked on no longer exists"
	errGroupKeyDeleted  = "UNBLOCKED the stream key no longer exists"
)

// Keyspace events of the group commands.
const (
	evXGroupCreate         = "xgroup-create"
	evXGroupCreateConsumer = "xgroup-createconsumer"
	evXGroupDelConsumer    = "xgroup-delconsumer"
	evXGroupDestroy        = "xgroup-destroy"
	evXGroupSetID          = "xgroup-setid"
)

// xautoclaimAttemptsFactor: XAUTOCLAIM looks at up to COUNT times this
// many pending entries.
const xautoclaimAttemptsFactor = 10

// xautoclaimMaxAllocCount is the largest COUNT for which redis-server
// 7.0.15 (jemalloc, on 64-bit Linux) manages to allocate XAUTOCLAIM's
// array of deleted IDs, COUNT*16 bytes up front: 80 TiB. Past it, Redis
// replies errGroupAutoAlloc, and so does Herald, which allocates nothing
// up front.
const xautoclaimMaxAllocCount = 5 << 40

// registerStreamGroup registers the group commands, and the XINFO
// subcommands of groups in registerStream's XINFO.
func registerStreamGroup(t commandTable) {
	ks := flagKeyspace
	meta := func(flags string, first, last int, cats ...string) commandMeta {
		step := 1
		if first == 0 {
			step = 0
		}
		return commandMeta{flags: strings.Fields(flags), firstKey: first, lastKey: last, keyStep: step, categories: cats}
	}
	xgroup := t.add(&command{name: "xgroup", arity: -2, meta: meta("", 0, 0, "@slow")})
	xgroup.addSub(&command{name: "create", arity: -5, flags: ks, run: cmdXGroup, meta: meta("write denyoom", 2, 2, "@write", "@stream", "@slow")})
	xgroup.addSub(&command{name: "createconsumer", arity: 5, flags: ks, run: cmdXGroup, meta: meta("write denyoom", 2, 2, "@write", "@stream", "@slow")})
	xgroup.addSub(&command{name: "delconsumer", arity: 5, flags: ks, run: cmdXGroup, meta: meta("write", 2, 2, "@write", "@stream", "@slow")})
	xgroup.addSub(&command{name: "destroy", arity: 4, flags: ks, run: cmdXGroup, meta: meta("write", 2, 2, "@write", "@stream", "@slow")})
	xgroup.addSub(&command{name: "setid", arity: -5, flags: ks, run: cmdXGroup, meta: meta("write", 2, 2, "@write", "@stream", "@slow")})
	xgroup.addSub(&command{name: "help", arity: 2, run: func(c *conn, _ [][]byte) { c.writeHelp(helpXGroup) }, meta: meta("loading stale", 0, 0, "@stream", "@slow")})

	t.add(&command{name: "xreadgroup", arity: -7, flags: ks, run: cmdXReadGroup, meta: meta("write blocking movablekeys", 0, 0, "@write", "@stream", "@slow", "@blocking")})
	t.add(&command{name: "xack", arity: -4, flags: ks, run: cmdXAck, meta: meta("write fast", 1, 1, "@write", "@stream", "@fast")})
	t.add(&command{name: "xpending", arity: -3, flags: ks, run: cmdXPending, meta: meta("readonly", 1, 1, "@read", "@stream", "@slow")})
	t.add(&command{name: "xclaim", arity: -6, flags: ks, run: cmdXClaim, meta: meta("write fast", 1, 1, "@write", "@stream", "@fast")})
	t.add(&command{name: "xautoclaim", arity: -6, flags: ks, run: cmdXAutoClaim, meta: meta("write fast", 1, 1, "@write", "@stream", "@fast")})

	xinfo := t["xinfo"]
	xinfo.addSub(&command{name: "groups", arity: 3, flags: ks, run: cmdXInfoGroups, meta: meta("readonly", 2, 2, "@read", "@stream", "@slow")})
	xinfo.addSub(&command{name: "consumers", arity: 4, flags: ks, run: cmdXInfoConsumers, meta: meta("readonly", 2, 2, "@read", "@stream", "@slow")})
}

// helpXGroup is XGROUP HELP as redis-server 7.0.15 prints it.
var helpXGroup = []string{
	"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
	"HELP",
	"    Prints this help.",
}

// noGroupError is the NOGROUP error of XREADGROUP (with suffix " in
// XREADGROUP with GROUP option"), XPENDING, XCLAIM and XAUTOCLAIM.
func noGroupError(key, group []byte, suffix string) string {
	return sanitize(fmt.Sprintf("NOGROUP No such key '%s' or consumer group '%s'%s", cString(key), cString(group), suffix))
}

// noGroupForKeyError is the NOGROUP error of XGROUP and XINFO CONSUMERS.
func noGroupForKeyError(key, group []byte) string {
	return sanitize(fmt.Sprintf("NOGROUP No such consumer group '%s' for key name '%s'", cString(group), cString(key)))
}

// parseEntriesRead parses ENTRIESREAD's value, replying the error on
// failure.
func (c *conn) parseEntriesRead(b []byte) (int64, bool) {
	n, ok := parseInteger(b)
	if !ok {
		c.writeError(errNotInteger)
		return 0, false
	}
	if n < 0 && n != keyspace.InvalidEntriesRead {
		c.writeError(errGroupEntriesRead)
		return 0, false
	}
	return n, true
}

// consumerFor looks up a group's consumer as streamLookupConsumer with
// SLC_DEFAULT (its seen-time refreshed), creating it, with its event, if
// there is none (streamCreateConsumer), and reporting whether it did.
// Keyspace lock held.
func (s *Server) consumerFor(db int, key string, g *keyspace.StreamGroup, name string) (*keyspace.StreamConsumer, bool) {
	now := s.ks.Now()
	cons, created := g.CreateConsumer(name, now)
	if created {
		s.ks.Notify(db, keyspace.ClassStream, evXGroupCreateConsumer, key)
	} else {
		cons.SeenTime = now
	}
	return cons, created
}

// parseXGroupOptions parses the options of XGROUP CREATE (MKSTREAM,
// ENTRIESREAD) and SETID (ENTRIESREAD), the first thing xgroupCommand
// does, replying the error and returning false on one.
func (c *conn) parseXGroupOptions(args [][]byte, create, setID bool) (mkStream bool, entriesRead int64, ok bool) {
	entriesRead = keyspace.InvalidEntriesRead
	switch {
	case create:
		for i := 5; i < len(args); i++ {
			opt := cString(args[i])
			switch {
			case equalFoldASCII(opt, "mkstream"):
				mkStream = true
			case equalFoldASCII(opt, "entriesread") && i+1 < len(args):
				if entriesRead, ok = c.parseEntriesRead(args[i+1]); !ok {
					return
				}
				i++
			default:
				c.writeSubcommandSyntaxError(args)
				return mkStream, entriesRead, false
			}
		}
	case setID && len(args) == 7:
		if !equalFoldASCII(cString(args[5]), "entriesread") {
			c.writeSubcommandSyntaxError(args)
			return mkStream, entriesRead, false
		}
		if entriesRead, ok = c.parseEntriesRead(args[6]); !ok {
			return
		}
	case setID && len(args) != 5:
		c.writeSubcommandSyntaxError(args)
		return mkStream, entriesRead, false
	}
	return mkStream, entriesRead, true
}

// XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER key group ...
// (xgroupCommand: the options first, then the key, then the group).
func cmdXGroup(c *conn, args [][]byte) {
	sub := cString(args[1])
	create, setID := equalFoldASCII(sub, "create"), equalFoldASCII(sub, "setid")
	mkStream, entriesRead, ok := c.parseXGroupOptions(args, create, setID)
	if !ok {
		return
	}
	db := c.keyspaceDB()
	key := string(args[2])
	s, isStream := c.streamWrite(args[2])
	if !isStream {
		return
	}
	defer db.Resized(key) // the groups' sizes count in the stream's
	var g *keyspace.StreamGroup
	if !mkStream {
		if s == nil {
			c.writeError(errGroupKeyMissing)
			return
		}
		g = s.Group(string(args[3]))
		if g == nil && !create && !equalFoldASCII(sub, "destroy") {
			c.writeError(noGroupForKeyError(args[2], args[3]))
			return
		}
	}
	switch {
	case create:
		if len(args) > 8 {
			c.writeSubcommandSyntaxError(args)
			return
		}
		var id keyspace.StreamID
		if string(args[4]) == "$" {
			if s != nil {
				id = s.LastID()
			}
		} else if id, ok = c.parseStreamIDArg(args[4], 0, true); !ok {
			return
		}
		if s == nil {
			s = keyspace.NewStream()
			db.Add(key, s)
			c.notify(keyspace.ClassNew, evNew, key)
			c.srv.blocked.signal(db.ID(), key)
			db.Written(key)
		}
		if s.CreateGroup(string(args[3]), id, entriesRead) == nil {
			c.writeError(errGroupBusy)
			return
		}
		c.propagate(args...)
		c.writeOK()
		c.notify(keyspace.ClassStream, evXGroupCreate, key)
	case setID:
		var id keyspace.StreamID
		if string(args[4]) == "$" {
			id = s.LastID()
		} else if id, ok = c.parseStreamIDArg(args[4], 0, false); !ok {
			return
		}
		g.SetID(id, entriesRead)
		c.propagate(args...)
		c.writeOK()
		c.notify(keyspace.ClassStream, evXGroupSetID, key)
	case equalFoldASCII(sub, "destroy"):
		if g == nil {
			c.writeInt(0)
			return
		}
		s.DeleteGroup(g.Name)
		c.propagate(args...)
		c.writeInt(1)
		c.notify(keyspace.ClassStream, evXGroupDestroy, key)
		// Its blocked readers get the NOGROUP error.
		c.srv.blocked.signal(db.ID(), key)
	case equalFoldASCII(sub, "createconsumer"):
		if _, created := g.CreateConsumer(string(args[4]), c.srv.ks.Now()); !created {
			c.writeInt(0)
			return
		}
		c.propagate(args...)
		c.writeInt(1)
		c.notify(keyspace.ClassStream, evXGroupCreateConsumer, key)
	default: // delconsumer
		pending := g.DeleteConsumer(string(args[4]))
		if pending < 0 {
			c.writeInt(0)
			return
		}
		c.propagate(args...)
		c.writeInt(int64(pending))
		c.notify(keyspace.ClassStream, evXGroupDelConsumer, key)
	}
}

// groupReadGT is the ID that stands for ">" among XREADGROUP's IDs (Redis
// uses the largest ID, so an explicit largest ID is taken for ">" too).
var groupReadGT = keyspace.MaxStreamID

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds]
// [NOACK] STREAMS key [key ...] id [id ...]
func cmdXReadGroup(c *conn, args [][]byte) {
	a, ok := c.parseXReadArgs(args, true)
	if !ok {
		return
	}
	keys := args[a.streamsArg : a.streamsArg+a.nStreams]
	ids := make([]keyspace.StreamID, a.nStreams)
	groups := make([]*keyspace.StreamGroup, a.nStreams)
	for i, idArg := range args[a.streamsArg+a.nStreams:] {
		s, ok := c.streamRead(keys[i])
		if !ok {
			return
		}
		if s != nil {
			groups[i] = s.Group(string(a.group))
		}
		if groups[i] == nil {
			c.writeError(noGroupError(keys[i], a.group, " in XREADGROUP with GROUP option"))
			return
		}
		switch cString(idArg) {
		case "$":
			c.writeError(errStreamDollarGroup)
			return
		case ">":
			ids[i] = groupReadGT
			continue
		}
		if ids[i], ok = c.parseStreamIDArg(idArg, 0, true); !ok {
			return
		}
	}
	c.preventPropagation() // it logs what it did instead (aof_stream.go)
	db := c.keyspaceDB()
	served := 0
	mark := len(c.reply)
	for i, key := range keys {
		e := c.lookupRead(key)
		if e == nil {
			continue
		}
		s := e.Value.(*keyspace.Stream)
		g := groups[i]
		history := ids[i] != groupReadGT
		gt := ids[i]
		if !history {
			last, ok := s.Last()
			if !ok || !g.LastID.Less(last.ID) {
				continue
			}
			gt = g.LastID
		}
		served++
		if c.proto == resp.RESP2 {
			c.writeArrayLen(2)
		}
		c.writeBulk(key)
		cons, created := c.srv.consumerFor(db.ID(), string(key), g, string(a.consumer))
		log := c.srv.newGroupLog(c.db, key, a.group, a.noAck)
		if created {
			log.created(cons.Name)
		}
		if history {
			c.reply = appendConsumerHistory(c.reply, c.proto, s, cons, gt, int(a.count), c.srv.ks.Now())
		} else {
			c.reply = appendGroupDelivery(c.reply, s, g, cons, gt, int(a.count), a.noAck, c.srv.ks.Now(), log)
		}
		db.Resized(string(key))
	}
	if c.streamReadDone(mark, served, a.block) {
		return
	}
	w := &waiter{stream: true, readGroup: true, streamCount: a.count, group: string(a.group), consumer: string(a.consumer), noAck: a.noAck}
	c.blockStreams(w, keys, ids, a.timeout)
}

// appendConsumerHistory appends the consumer's pending entries after gt,
// at most count (0: all), as streamReplyWithRangeFromConsumerPEL: an
// entry deleted since is [id, null]; each served one counts one more
// delivery, now.
func appendConsumerHistory(b []byte, proto int, s *keyspace.Stream, cons *keyspace.StreamConsumer, gt keyspace.StreamID, count int, now int64) []byte {
	start, ok := gt.Next()
	if !ok {
		return resp.AppendArrayLen(b, 0)
	}
	pel := cons.PEL.Range(start, keyspace.MaxStreamID, count, false)
	b = resp.AppendArrayLen(b, len(pel))
	var buf [41]byte
	for _, nack := range pel {
		entry, ok := s.Get(nack.ID)
		if !ok {
			b = resp.AppendArrayLen(b, 2)
			b = resp.AppendBulk(b, nack.ID.AppendTo(buf[:0]))
			b = resp.AppendNullArray(b, proto)
			continue
		}
		nack.DeliveryTime = now
		nack.DeliveryCount++
		b = appendOneEntry(b, entry)
	}
	return b
}

// appendOneEntry appends [id, [field, value, ...]].
func appendOneEntry(b []byte, e keyspace.StreamEntry) []byte {
	var buf [41]byte
	b = resp.AppendArrayLen(b, 2)
	b = resp.AppendBulk(b, e.ID.AppendTo(buf[:0]))
	b = resp.AppendArrayLen(b, len(e.Fields))
	for _, f := range e.Fields {
		b = resp.AppendBulk(b, f)
	}
	return b
}

// appendGroupDelivery appends the entries after gt, at most count (0:
// all), delivering them to the group's consumer cons as
// streamReplyWithRange does: the group's last delivered ID and
// entries_read advance, and unless noAck each entry becomes pending for
// cons (taken from another consumer if it was pending already, after an
// XGROUP SETID back).
//
// log gets each delivery, for the AOF (aof_stream.go).
func appendGroupDelivery(b []byte, s *keyspace.Stream, g *keyspace.StreamGroup, cons *keyspace.StreamConsumer, gt keyspace.StreamID, count int, noAck bool, now int64, log *groupLog) []byte {
	start, ok := gt.Next()
	var entries []keyspace.StreamEntry
	if ok {
		entries = s.Range(start, keyspace.MaxStreamID, count, false)
	}
	b = resp.AppendArrayLen(b, len(entries))
	for _, e := range entries {
		s.Delivered(g, e.ID)
		b = appendOneEntry(b, e)
		var nack *keyspace.StreamNACK
		if !noAck {
			nack = g.Deliver(e.ID, cons, now)
		}
		log.deliveredEntry(g, e.ID, nack)
	}
	log.done(g)
	return b
}

// serveGroupWaiter serves w, a client blocked by XREADGROUP on key k,
// which holds the stream st, as serveClientsBlockedOnStreamKey does: the
// NOGROUP error if its group is gone; else, if the stream has entries past
// the group's last delivered ID, those. It reports whether w was served
// (and so unblocked). Keyspace lock held.
func (s *Server) serveGroupWaiter(w *waiter, k blockKey, st *keyspace.Stream) bool {
	g := st.Group(w.group)
	if g != nil && !g.LastID.Less(st.LastID()) {
		return false
	}
	s.blocked.remove(w)
	if w.c.gone() {
		w.state = stateDropped
		w.wake <- struct{}{}
		return true
	}
	w.state = stateServed
	if g == nil {
		s.stats.errorReplies.Add(1)
		w.c.deliverReply(resp.AppendError(nil, errGroupDestroyed), w.send)
		w.wake <- struct{}{}
		return true
	}
	// The read is logged as a call of its own, as it is served.
	defer s.flushPropagation()
	cons, created := s.consumerFor(k.db, k.key, g, w.consumer)
	log := s.newGroupLog(k.db, []byte(k.key), []byte(w.group), w.noAck)
	if created {
		log.created(cons.Name)
	}
	var reply []byte
	if w.proto == resp.RESP2 {
		reply = resp.AppendArrayLen(reply, 1)
		reply = resp.AppendArrayLen(reply, 2)
	} else {
		reply = resp.AppendMapLen(reply, 1, w.proto)
	}
	reply = resp.AppendBulkString(reply, k.key)
	reply = appendGroupDelivery(reply, st, g, cons, g.LastID, int(w.streamCount), w.noAck, s.ks.Now(), log)
	s.ks.DB(k.db).Resized(k.key)
	w.c.deliverReply(reply, w.send)
	s.trackingAfterWaiter(w.c)
	w.wake <- struct{}{}
	return true
}

// unblockGroupWaitersOfDeletedKey ends the waits of the clients blocked
// by XREADGROUP on k, whose stream was deleted or replaced by another
// type, with Redis 7.0.15's UNBLOCKED error, in the order they blocked.
// Keyspace lock held.
func (s *Server) unblockGroupWaitersOfDeletedKey(k blockKey) {
	waiters := append([]*waiter(nil), s.blocked.byKey[k]...)
	for _, w := range waiters {
		if !w.readGroup || w.state != stateWaiting {
			continue
		}
		s.blocked.remove(w)
		if w.c.gone() {
			w.state = stateDropped
		} else {
			w.state = stateServed
			s.stats.errorReplies.Add(1)
			w.c.deliverReply(resp.AppendError(nil, errGroupKeyDeleted), w.send)
		}
		w.wake <- struct{}{}
	}
}

// streamRemoved is told of every value that leaves the keyspace (deleted,
// expired, evicted, overwritten, flushed): a stream's key is made ready,
// so that its XREADGROUP waiters learn of it (signalDeletedKeyAsReady).
// Keyspace lock held.
func (s *Server) streamRemoved(db int, key string, v keyspace.Value) {
	if _, ok := v.(*keyspace.Stream); ok {
		s.blocked.signal(db, key)
	}
}

// xinfoStream looks up XINFO's key: "no such key" if missing, WRONGTYPE
// if not a stream.
func (c *conn) xinfoStream(key []byte) (*keyspace.Stream, bool) {
	e := c.lookupRead(key)
	if e == nil {
		c.writeError(errNoSuchKey)
		return nil, false
	}
	return c.streamOf(e)
}

// XINFO GROUPS key
func cmdXInfoGroups(c *conn, args [][]byte) {
	s, ok := c.xinfoStream(args[2])
	if !ok {
		return
	}
	groups := s.Groups()
	c.writeArrayLen(len(groups))
	for _, g := range groups {
		c.writeMapLen(6)
		c.writeBulkString("name")
		c.writeBulkString(g.Name)
		c.writeBulkString("consumers")
		c.writeInt(int64(g.ConsumerCount()))
		c.writeBulkString("pending")
		c.writeInt(int64(g.PEL.Len()))
		c.writeBulkString("last-delivered-id")
		c.writeStreamID(g.LastID)
		c.writeBulkString("entries-read")
		if g.EntriesRead != keyspace.InvalidEntriesRead {
			c.writeInt(g.EntriesRead)
		} else {
			c.writeNull()
		}
		c.writeBulkString("lag")
		if lag, ok := s.Lag(g); ok {
			c.writeInt(lag)
		} else {
			c.writeNull()
		}
	}
}

// XINFO CONSUMERS key group
func cmdXInfoConsumers(c *conn, args [][]byte) {
	s, ok := c.xinfoStream(args[2])
	if !ok {
		return
	}
	g := s.Group(string(args[3]))
	if g == nil {
		c.writeError(noGroupForKeyError(args[2], args[3]))
		return
	}
	now := c.srv.ks.Now()
	consumers := g.Consumers()
	c.writeArrayLen(len(consumers))
	for _, cons := range consumers {
		c.writeMapLen(3)
		c.writeBulkString("name")
		c.writeBulkString(cons.Name)
		c.writeBulkString("pending")
		c.writeInt(int64(cons.PEL.Len()))
		c.writeBulkString("idle")
		c.writeInt(max(now-cons.SeenTime, 0))
	}
}
