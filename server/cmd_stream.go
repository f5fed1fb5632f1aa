package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// The stream commands, as Redis 7.0's t_stream.c: XADD, XLEN, XRANGE,
// XREVRANGE, XDEL, XTRIM, XSETID, XREAD (and its BLOCK form, parked by
// blocking.go) and XINFO STREAM / HELP, with Redis's replies, errors, the
// order in which arguments are checked, and the keyspace events. The data
// model is keyspace.Stream. An emptied stream stays, as in Redis.

// Stream errors, as t_stream.c words them.
const (
	errStreamID            = "ERR Invalid stream ID specified as stream command argument"
	errStreamIDZero        = "ERR The ID specified in XADD must be greater than 0-0"
	errStreamIDSmall       = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	errStreamTooLarge      = "ERR Elements are too large to be stored"
	errStreamExhausted     = "ERR The stream has exhausted the last possible ID, unable to add more items"
	errStreamMaxLenMinID   = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	errStreamMaxLenNeg     = "ERR The MAXLEN argument must be >= 0."
	errStreamLimitNeg      = "ERR The LIMIT argument must be >= 0."
	errStreamLimitNoTrim   = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	errStreamXTrimNoTrim   = "ERR syntax error, XTRIM must be called with a trimming strategy"
	errStreamLimitNoApprox = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	errStreamStartID       = "ERR invalid start ID for the interval"
	errStreamEndID         = "ERR invalid end ID for the interval"
	errStreamEntriesAdded  = "ERR entries_added must be positive"
	errStreamSetIDMaxDel   = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
	errStreamSetIDTop      = "ERR The ID specified in XSETID is smaller than the target stream top item"
	errStreamSetIDAdded    = "ERR The entries_added specified in XSETID is smaller than the target stream length"
	errStreamTimeoutInt    = "ERR timeout is not an integer or out of range"
	errStreamGroupOption   = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
	errStreamNoAckOption   = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
	errStreamMissingGroup  = "ERR Missing GROUP option for XREADGROUP"
	errStreamDollarGroup   = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
	errStreamGTNoGroup     = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
	errStreamUnbalanced    = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified." // XREADGROUP's too, in 7.0
)

// Keyspace events of the stream commands.
const (
	evXAdd   = "xadd"
	evXTrim  = "xtrim"
	evXDel   = "xdel"
	evXSetID = "xsetid"
)

// xreadBlockedDefaultCount is the COUNT a blocked XREAD without one is
// served with (XREAD_BLOCKED_DEFAULT_COUNT).
const xreadBlockedDefaultCount = 1000

func registerStream(t commandTable) {
	ks := flagKeyspace
	meta := func(flags string, first, last int, cats ...string) commandMeta {
		step := 1
		if first == 0 {
			step = 0
		}
		return commandMeta{flags: strings.Fields(flags), firstKey: first, lastKey: last, keyStep: step, categories: cats}
	}
	t.add(&command{name: "xadd", arity: -5, flags: ks, run: cmdXAdd, meta: meta("write denyoom fast", 1, 1, "@write", "@stream", "@fast")})
	t.add(&command{name: "xlen", arity: 2, flags: ks, run: cmdXLen, meta: meta("readonly fast", 1, 1, "@read", "@stream", "@fast")})
	t.add(&command{name: "xrange", arity: -4, flags: ks, run: func(c *conn, a [][]byte) { cmdXRange(c, a, false) }, meta: meta("readonly", 1, 1, "@read", "@stream", "@slow")})
	t.add(&command{name: "xrevrange", arity: -4, flags: ks, run: func(c *conn, a [][]byte) { cmdXRange(c, a, true) }, meta: meta("readonly", 1, 1, "@read", "@stream", "@slow")})
	t.add(&command{name: "xdel", arity: -3, flags: ks, run: cmdXDel, meta: meta("write fast", 1, 1, "@write", "@stream", "@fast")})
	t.add(&command{name: "xtrim", arity: -4, flags: ks, run: cmdXTrim, meta: meta("write", 1, 1, "@write", "@stream", "@slow")})
	t.add(&command{name: "xsetid", arity: -3, flags: ks, run: cmdXSetID, meta: meta("write denyoom fast", 1, 1, "@write", "@stream", "@fast")})
	t.add(&command{name: "xread", arity: -4, flags: ks, run: cmdXRead, meta: meta("readonly blocking movablekeys", 0, 0, "@read", "@stream", "@slow", "@blocking")})
	xinfo := t.add(&command{name: "xinfo", arity: -2, meta: meta("", 0, 0, "@slow")})
	xinfo.addSub(&command{name: "stream", arity: -3, flags: ks, run: cmdXInfoStream, meta: meta("readonly", 2, 2, "@read", "@stream", "@slow")})
	xinfo.addSub(&command{name: "help", arity: 2, run: func(c *conn, _ [][]byte) { c.writeHelp(helpXInfo) }, meta: meta("loading stale", 0, 0, "@stream", "@slow")})
}

// helpXInfo is XINFO HELP as redis-server 7.0.15 prints it.
var helpXInfo = []string{
	"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
	"HELP",
	"    Prints this help.",
}

// streamOf returns e's stream (nil for no key); on another type it replies
// WRONGTYPE and returns false.
func (c *conn) streamOf(e *keyspace.Entry) (*keyspace.Stream, bool) {
	if e == nil {
		return nil, true
	}
	s, ok := e.Value.(*keyspace.Stream)
	if !ok {
		c.writeError(errWrongType)
		return nil, false
	}
	return s, true
}

// streamRead looks key up as lookupKeyRead (hit/miss, keymiss).
func (c *conn) streamRead(key []byte) (*keyspace.Stream, bool) {
	return c.streamOf(c.lookupRead(key))
}

// streamWrite looks key up as lookupKeyWrite.
func (c *conn) streamWrite(key []byte) (*keyspace.Stream, bool) {
	return c.streamOf(c.keyspaceDB().Lookup(string(key)))
}

// parseStreamIDArg parses an ID argument (streamParseIDOrReply, or with
// strict streamParseStrictIDOrReply), replying the error on failure.
func (c *conn) parseStreamIDArg(b []byte, missingSeq uint64, strict bool) (keyspace.StreamID, bool) {
	id, _, ok := keyspace.ParseStreamID(b, missingSeq, strict, false)
	if !ok {
		c.writeError(errStreamID)
	}
	return id, ok
}

// writeStreamID writes an ID as a bulk string.
func (c *conn) writeStreamID(id keyspace.StreamID) {
	var buf [41]byte
	c.writeBulk(id.AppendTo(buf[:0]))
}

// writeStreamEntry writes [id, [field, value, ...]].
func (c *conn) writeStreamEntry(e keyspace.StreamEntry) {
	c.writeArrayLen(2)
	c.writeStreamID(e.ID)
	c.writeArrayLen(len(e.Fields))
	for _, f := range e.Fields {
		c.writeBulk(f)
	}
}

func (c *conn) writeStreamEntries(entries []keyspace.StreamEntry) {
	c.writeArrayLen(len(entries))
	for _, e := range entries {
		c.writeStreamEntry(e)
	}
}

// appendStreamEntries is writeStreamEntries into a reply of its own (for a
// blocked client).
func appendStreamEntries(b []byte, entries []keyspace.StreamEntry) []byte {
	b = resp.AppendArrayLen(b, len(entries))
	var buf [41]byte
	for _, e := range entries {
		b = resp.AppendArrayLen(b, 2)
		b = resp.AppendBulk(b, e.ID.AppendTo(buf[:0]))
		b = resp.AppendArrayLen(b, len(e.Fields))
		for _, f := range e.Fields {
			b = resp.AppendBulk(b, f)
		}
	}
	return b
}

// streamAddArgs are XADD's and XTRIM's options (streamAddTrimArgs).
type streamAddArgs struct {
	trim       keyspace.TrimArgs
	trimArgIdx int // the index of the MAXLEN or MINID threshold
	idGiven    bool
	seqGiven   bool
	id         keyspace.StreamID
	noMkStream bool
}

// parseStreamAddArgs is streamParseAddOrTrimArgsOrReply: the options from
// args[2], and for XADD the ID, whose index it returns; -1 when it
// replied an error.
func (c *conn) parseStreamAddArgs(args [][]byte, xadd bool) (streamAddArgs, int) {
	var a streamAddArgs
	limitGiven := false
	i := 2
	for ; i < len(args); i++ {
		moreArgs := len(args) - 1 - i
		opt := cString(args[i])
		switch {
		case xadd && opt == "*":
			// The auto ID's fast path.
			return a.finish(c, xadd, limitGiven, i)
		case equalFoldASCII(opt, "maxlen") && moreArgs > 0, equalFoldASCII(opt, "minid") && moreArgs > 0:
			if a.trim.Strategy != keyspace.TrimNone {
				c.writeError(errStreamMaxLenMinID)
				return a, -1
			}
			a.trim.Approx = false
			next := cString(args[i+1])
			if moreArgs >= 2 && next == "~" {
				a.trim.Approx = true
				i++
			} else if moreArgs >= 2 && next == "=" {
				i++
			}
			if equalFoldASCII(opt, "maxlen") {
				n, ok := parseInteger(args[i+1])
				if !ok {
					c.writeError(errNotInteger)
					return a, -1
				}
				if n < 0 {
					c.writeError(errStreamMaxLenNeg)
					return a, -1
				}
				a.trim.Strategy, a.trim.MaxLen = keyspace.TrimMaxLen, n
				a.trimArgIdx = i + 1
			} else {
				id, ok := c.parseStreamIDArg(args[i+1], 0, true)
				if !ok {
					return a, -1
				}
				a.trim.Strategy, a.trim.MinID = keyspace.TrimMinID, id
				a.trimArgIdx = i + 1
			}
			i++
		case equalFoldASCII(opt, "limit") && moreArgs > 0:
			n, ok := parseInteger(args[i+1])
			if !ok {
				c.writeError(errNotInteger)
				return a, -1
			}
			if n < 0 {
				c.writeError(errStreamLimitNeg)
				return a, -1
			}
			a.trim.Limit, limitGiven = n, true
			i++
		case xadd && equalFoldASCII(opt, "nomkstream"):
			a.noMkStream = true
		case xadd:
			id, seqGiven, ok := keyspace.ParseStreamID(args[i], 0, true, true)
			if !ok {
				c.writeError(errStreamID)
				return a, -1
			}
			a.id, a.seqGiven, a.idGiven = id, seqGiven, true
			return a.finish(c, xadd, limitGiven, i)
		default:
			c.writeError(errSyntax)
			return a, -1
		}
	}
	return a.finish(c, xadd, limitGiven, i)
}

// finish is the checks after the options' loop.
func (a *streamAddArgs) finish(c *conn, xadd, limitGiven bool, i int) (streamAddArgs, int) {
	switch {
	case a.trim.Limit != 0 && a.trim.Strategy == keyspace.TrimNone:
		c.writeError(errStreamLimitNoTrim)
		return *a, -1
	case !xadd && a.trim.Strategy == keyspace.TrimNone:
		c.writeError(errStreamXTrimNoTrim)
		return *a, -1
	case c.aofLoader:
		// What the AOF logged after a '~' trim is '=' with the threshold
		// reached, LIMIT kept: as Redis for its AOF and master clients,
		// LIMIT is not checked and no limit applies.
		a.trim.Limit = 0
	case limitGiven && !a.trim.Approx:
		c.writeError(errStreamLimitNoApprox)
		return *a, -1
	case !limitGiven && a.trim.Approx:
		a.trim.Limit = 100 * keyspace.StreamNodeMaxEntries
	case !limitGiven:
		a.trim.Limit = 0
	}
	return *a, i
}

// XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...]
func cmdXAdd(c *conn, args [][]byte) {
	a, idPos := c.parseStreamAddArgs(args, true)
	if idPos < 0 {
		return
	}
	fieldPos := idPos + 1
	if n := len(args) - fieldPos; n < 2 || n%2 == 1 {
		c.writeArity("xadd")
		return
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		c.writeError(errStreamIDZero)
		return
	}
	key := string(args[1])
	db := c.keyspaceDB()
	s, ok := c.streamOf(db.Lookup(key)) // streamWrite, with the key converted once
	if !ok {
		return
	}
	if s == nil {
		if a.noMkStream {
			c.writeNull()
			return
		}
		s = keyspace.NewStream()
		db.Add(key, s)
		c.notify(keyspace.ClassNew, evNew, key)
	}
	if s.LastID() == keyspace.MaxStreamID {
		c.writeError(errStreamExhausted)
		return
	}
	var id keyspace.StreamID
	switch {
	case !a.idGiven:
		id, _ = s.NextID(uint64(c.srv.ks.Now()))
	case a.seqGiven:
		id = a.id
	case s.LastID().Ms == a.id.Ms:
		if s.LastID().Seq == keyspace.MaxStreamID.Seq {
			c.writeError(errStreamTooLarge) // Redis 7.0's errno there is not EDOM
			return
		}
		id = keyspace.StreamID{Ms: a.id.Ms, Seq: s.LastID().Seq + 1}
	default:
		id = a.id
	}
	if !s.LastID().Less(id) {
		c.writeError(errStreamIDSmall)
		return
	}
	s.AddCopy(id, args[fieldPos:])
	c.writeStreamID(id)
	c.notify(keyspace.ClassStream, evXAdd, key)
	if a.trim.Strategy != keyspace.TrimNone && s.Trim(a.trim) > 0 {
		c.notify(keyspace.ClassStream, evXTrim, key)
	}
	db.Written(key)
	if c.srv.aofOn() != nil {
		if out := streamPropagatedArgs(args, idPos, a, id, s); out != nil {
			c.propagate(out...)
		}
	}
	c.srv.blocked.signal(c.db, key)
}

// XLEN key
func cmdXLen(c *conn, args [][]byte) {
	s, ok := c.streamRead(args[1])
	if !ok {
		return
	}
	if s == nil {
		c.writeInt(0)
		return
	}
	c.writeInt(s.Len())
}

// parseIntervalID is streamParseIntervalIDOrReply: "(" before an ID
// excludes it (and makes the ID strict).
func (c *conn) parseIntervalID(b []byte, missingSeq uint64) (id keyspace.StreamID, exclude, ok bool) {
	if len(b) > 1 && b[0] == '(' {
		id, ok = c.parseStreamIDArg(b[1:], missingSeq, true)
		return id, true, ok
	}
	id, ok = c.parseStreamIDArg(b, missingSeq, false)
	return id, false, ok
}

// XRANGE key start end [COUNT count], XREVRANGE key end start [COUNT count]
func cmdXRange(c *conn, args [][]byte, rev bool) {
	startArg, endArg := args[2], args[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, startEx, ok := c.parseIntervalID(startArg, 0)
	if !ok {
		return
	}
	if startEx {
		if start, ok = start.Next(); !ok {
			c.writeError(errStreamStartID)
			return
		}
	}
	end, endEx, ok := c.parseIntervalID(endArg, keyspace.MaxStreamID.Seq)
	if !ok {
		return
	}
	if endEx {
		if end, ok = end.Prev(); !ok {
			c.writeError(errStreamEndID)
			return
		}
	}
	count := int64(-1)
	for j := 4; j < len(args); j++ {
		if equalFoldASCII(cString(args[j]), "count") && len(args)-j-1 >= 1 {
			n, ok := parseInteger(args[j+1])
			if !ok {
				c.writeError(errNotInteger)
				return
			}
			count = max(n, 0)
			j++
		} else {
			c.writeError(errSyntax)
			return
		}
	}
	e := c.lookupRead(args[1])
	if e == nil {
		c.writeArrayLen(0)
		return
	}
	s, ok := c.streamOf(e)
	if !ok {
		return
	}
	if count == 0 {
		c.reply = resp.AppendNullArray(c.reply, c.proto)
		return
	}
	c.writeStreamEntries(s.Range(start, end, int(max(count, 0)), rev))
}

// XDEL key id [id ...]
func cmdXDel(c *conn, args [][]byte) {
	s, ok := c.streamWrite(args[1])
	if !ok {
		return
	}
	if s == nil {
		c.writeInt(0)
		return
	}
	ids := make([]keyspace.StreamID, 0, len(args)-2)
	for _, a := range args[2:] {
		id, ok := c.parseStreamIDArg(a, 0, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	var deleted int64
	for _, id := range ids {
		if s.Delete(id) {
			deleted++
		}
	}
	if deleted > 0 {
		key := string(args[1])
		c.keyspaceDB().Written(key)
		c.notify(keyspace.ClassStream, evXDel, key)
	}
	c.writeInt(deleted)
}

// XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count]
func cmdXTrim(c *conn, args [][]byte) {
	a, i := c.parseStreamAddArgs(args, false)
	if i < 0 {
		return
	}
	s, ok := c.streamWrite(args[1])
	if !ok {
		return
	}
	if s == nil {
		c.writeInt(0)
		return
	}
	deleted := s.Trim(a.trim)
	if deleted > 0 {
		key := string(args[1])
		c.notify(keyspace.ClassStream, evXTrim, key)
		c.keyspaceDB().Written(key)
		if out := streamPropagatedArgs(args, -1, a, keyspace.StreamID{}, s); out != nil {
			c.propagate(out...)
		}
	}
	c.writeInt(deleted)
}

// XSETID key last-id [ENTRIESADDED entries_added] [MAXDELETEDID max_deleted_entry_id]
func cmdXSetID(c *conn, args [][]byte) {
	id, ok := c.parseStreamIDArg(args[2], 0, true)
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDel keyspace.StreamID
	for i := 3; i < len(args); i += 2 {
		moreArgs := len(args) - 1 - i
		opt := cString(args[i])
		switch {
		case equalFoldASCII(opt, "entriesadded") && moreArgs > 0:
			n, ok := parseInteger(args[i+1])
			if !ok {
				c.writeError(errNotInteger)
				return
			}
			if n < 0 {
				c.writeError(errStreamEntriesAdded)
				return
			}
			entriesAdded = n
		case equalFoldASCII(opt, "maxdeletedid") && moreArgs > 0:
			if maxDel, ok = c.parseStreamIDArg(args[i+1], 0, true); !ok {
				return
			}
			if id.Less(maxDel) {
				c.writeError(errStreamSetIDMaxDel)
				return
			}
		default:
			c.writeError(errSyntax)
			return
		}
	}
	e := c.keyspaceDB().Lookup(string(args[1]))
	if e == nil {
		c.writeError(errNoSuchKey)
		return
	}
	s, ok := c.streamOf(e)
	if !ok {
		return
	}
	if s.Len() > 0 {
		if last, _ := s.Last(); id.Less(last.ID) {
			c.writeError(errStreamSetIDTop)
			return
		}
		if entriesAdded != -1 && s.Len() > entriesAdded {
			c.writeError(errStreamSetIDAdded)
			return
		}
	}
	s.SetLastID(id)
	if entriesAdded != -1 {
		s.SetEntriesAdded(entriesAdded)
	}
	if !maxDel.IsZero() {
		s.SetMaxDeletedID(maxDel)
	}
	c.writeOK()
	key := string(args[1])
	c.keyspaceDB().Written(key)
	c.notify(keyspace.ClassStream, evXSetID, key)
}

// xreadArgs are XREAD's (and XREADGROUP's) options.
type xreadArgs struct {
	block      bool
	timeout    time.Duration // with block; 0 is forever
	count      int64
	streamsArg int // the index of the first key
	nStreams   int
	group      []byte // XREADGROUP's GROUP group consumer
	consumer   []byte
	noAck      bool
}

// parseXReadArgs parses XREAD's (group false) or XREADGROUP's options up
// to STREAMS as xreadCommand does, replying the error and returning false
// on one.
func (c *conn) parseXReadArgs(args [][]byte, group bool) (xreadArgs, bool) {
	var a xreadArgs
	for i := 1; i < len(args); i++ {
		moreArgs := len(args) - i - 1
		opt := cString(args[i])
		switch {
		case equalFoldASCII(opt, "block") && moreArgs > 0:
			i++
			ms, ok := parseInteger(args[i])
			if !ok {
				c.writeError(errStreamTimeoutInt)
				return a, false
			}
			if ms < 0 {
				c.writeError(errTimeoutNegative)
				return a, false
			}
			a.block = true
			a.timeout = time.Duration(ms) * time.Millisecond
			if ms > int64(maxBlockTimeout/time.Millisecond) {
				a.timeout = 0
			}
		case equalFoldASCII(opt, "count") && moreArgs > 0:
			i++
			n, ok := parseInteger(args[i])
			if !ok {
				c.writeError(errNotInteger)
				return a, false
			}
			a.count = max(n, 0)
		case equalFoldASCII(opt, "streams") && moreArgs > 0:
			a.streamsArg = i + 1
			n := len(args) - a.streamsArg
			if n%2 != 0 {
				c.writeError(errStreamUnbalanced)
				return a, false
			}
			a.nStreams = n / 2
			i = len(args)
		case equalFoldASCII(opt, "group") && moreArgs >= 2:
			if !group {
				c.writeError(errStreamGroupOption)
				return a, false
			}
			a.group, a.consumer = args[i+1], args[i+2]
			i += 2
		case equalFoldASCII(opt, "noack"):
			if !group {
				c.writeError(errStreamNoAckOption)
				return a, false
			}
			a.noAck = true
		default:
			c.writeError(errSyntax)
			return a, false
		}
	}
	if a.streamsArg == 0 {
		c.writeError(errSyntax)
		return a, false
	}
	if group && a.group == nil {
		c.writeError(errStreamMissingGroup)
		return a, false
	}
	return a, true
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
func cmdXRead(c *conn, args [][]byte) {
	a, ok := c.parseXReadArgs(args, false)
	if !ok {
		return
	}
	keys := args[a.streamsArg : a.streamsArg+a.nStreams]
	ids := make([]keyspace.StreamID, a.nStreams)
	for i, idArg := range args[a.streamsArg+a.nStreams:] {
		s, ok := c.streamRead(keys[i])
		if !ok {
			return
		}
		switch cString(idArg) {
		case "$":
			if s != nil {
				ids[i] = s.LastID()
			}
			continue
		case ">":
			c.writeError(errStreamGTNoGroup)
			return
		}
		if ids[i], ok = c.parseStreamIDArg(idArg, 0, true); !ok {
			return
		}
	}
	// Serve what is there now, each key looked up again (as Redis does,
	// a second hit or miss).
	served := 0
	mark := len(c.reply)
	for i, key := range keys {
		e := c.lookupRead(key)
		if e == nil {
			continue
		}
		s := e.Value.(*keyspace.Stream)
		if s.Len() == 0 {
			continue
		}
		if last, _ := s.Last(); !ids[i].Less(last.ID) {
			continue
		}
		start, _ := ids[i].Next()
		served++
		if c.proto == resp.RESP2 {
			c.writeArrayLen(2)
		}
		c.writeBulk(key)
		c.writeStreamEntries(s.Range(start, keyspace.MaxStreamID, int(a.count), false))
	}
	if c.streamReadDone(mark, served, a.block) {
		return
	}
	c.blockStreams(&waiter{stream: true, streamCount: a.count}, keys, ids, a.timeout)
}

// streamReadDone ends XREAD and XREADGROUP unless they are to block: when
// some streams had entries (served of them, in the reply from mark), with
// their reply's head; when none had and there is no BLOCK (or in EXEC),
// with the null reply.
func (c *conn) streamReadDone(mark, served int, block bool) bool {
	if served > 0 {
		c.prependStreamsHead(mark, served)
		return true
	}
	if !block || c.inExec {
		c.reply = resp.AppendNullArray(c.reply, c.proto)
		return true
	}
	return false
}

// blockStreams blocks XREAD or XREADGROUP's waiter w on keys, each once,
// after its ID in ids.
func (c *conn) blockStreams(w *waiter, keys [][]byte, ids []keyspace.StreamID, timeout time.Duration) {
	if w.streamCount == 0 {
		w.streamCount = xreadBlockedDefaultCount
	}
	for i, key := range keys {
		if !containsString(w.keys, string(key)) {
			w.keys = append(w.keys, string(key))
			w.streamIDs = append(w.streamIDs, ids[i])
		}
	}
	c.block(w, timeout)
}

// serveStreamWaiters serves the clients blocked by XREAD on key, which
// holds stream st, in the order they blocked: each whose ID is below the
// stream's last ID gets the entries after its ID (handleClientsBlockedOnKey).
// Keyspace lock held.
func (s *Server) serveStreamWaiters(k blockKey, st *keyspace.Stream) {
	waiters := append([]*waiter(nil), s.blocked.byKey[k]...)
	for _, w := range waiters {
		if !w.stream || w.state != stateWaiting {
			continue
		}
		if w.readGroup { // XREADGROUP (cmd_stream_group.go)
			s.serveGroupWaiter(w, k, st)
			continue
		}
		var gt keyspace.StreamID
		for i, key := range w.keys {
			if key == k.key {
				gt = w.streamIDs[i]
			}
		}
		if !gt.Less(st.LastID()) {
			continue
		}
		s.blocked.remove(w)
		if w.c.gone() {
			w.state = stateDropped
			w.wake <- struct{}{}
			continue
		}
		w.state = stateServed
		start, _ := gt.Next()
		var reply []byte
		if w.proto == resp.RESP2 {
			reply = resp.AppendArrayLen(reply, 1)
			reply = resp.AppendArrayLen(reply, 2)
		} else {
			reply = resp.AppendMapLen(reply, 1, w.proto)
		}
		reply = resp.AppendBulkString(reply, k.key)
		reply = appendStreamEntries(reply, st.Range(start, keyspace.MaxStreamID, int(w.streamCount), false))
		w.c.deliverReply(reply, w.send)
		s.trackingAfterWaiter(w.c)
		w.wake <- struct{}{}
	}
}

// exactTrimArg is the '=' a '~' trim is logged with (never written to).
var exactTrimArg = []byte("=")

// streamPropagatedArgs returns the arguments a successful XADD (idPos
// its ID's index) or XTRIM (idPos -1) is to be logged with (AOF), as
// Redis 7.0.15 rewrites its argv: the ID chosen in place of * or <ms>-*;
// after a '~' trim, '=' in place of '~' and in place of the threshold the
// stream's length (MAXLEN) or the first ID of its first node, deleted
// entries included (MINID; the largest ID when there is no node), LIMIT
// kept. nil when args are logged as they are. An XTRIM that removed
// nothing is not logged at all (Redis's dirty count did not move); a
// replay must accept "= ... LIMIT n" as Redis does for its AOF client
// (mustObeyClient: no LIMIT check, no limit).
func streamPropagatedArgs(args [][]byte, idPos int, a streamAddArgs, id keyspace.StreamID, s *keyspace.Stream) [][]byte {
	rewriteID := idPos >= 0 && (!a.idGiven || !a.seqGiven)
	if !rewriteID && !a.trim.Approx {
		return nil
	}
	out := append([][]byte(nil), args...)
	num := make([]byte, 0, 2*41) // the two numbers' text: propagate copies it
	if rewriteID {
		num = id.AppendTo(num)
		out[idPos] = num[:len(num):len(num)]
	}
	if a.trim.Approx {
		out[a.trimArgIdx-1] = exactTrimArg
		start := len(num)
		if a.trim.Strategy == keyspace.TrimMaxLen {
			num = strconv.AppendInt(num, s.Len(), 10)
		} else {
			num = s.FirstNodeID().AppendTo(num)
		}
		out[a.trimArgIdx] = num[start:]
	}
	return out
}

// prependStreamsHead puts the head of an XREAD or XREADGROUP reply that
// served keys before their replies, written since mark: an array in
// RESP2, a map in RESP3.
func (c *conn) prependStreamsHead(mark, served int) {
	var head []byte
	if c.proto == resp.RESP2 {
		head = resp.AppendArrayLen(nil, served)
	} else {
		head = resp.AppendMapLen(nil, served, c.proto)
	}
	c.reply = append(c.reply[:mark], append(head, c.reply[mark:]...)...)
}
