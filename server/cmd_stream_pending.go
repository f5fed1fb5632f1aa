package server

import (
	"fmt"
	"math"

	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// The commands of a consumer group's pending entries list (PEL), as Redis
// 7.0.15's t_stream.c: XACK, XPENDING, XCLAIM and XAUTOCLAIM. The rest of
// the group commands are cmd_stream_group.go's.

// groupOf looks up key's stream and its group for XPENDING, XCLAIM and
// XAUTOCLAIM, replying WRONGTYPE or NOGROUP and returning false when one
// is missing.
func (c *conn) groupOf(key, group []byte) (*keyspace.Stream, *keyspace.StreamGroup, bool) {
	s, ok := c.streamRead(key)
	if !ok {
		return nil, nil, false
	}
	var g *keyspace.StreamGroup
	if s != nil {
		g = s.Group(string(group))
	}
	if g == nil {
		c.writeError(noGroupError(key, group, ""))
		return nil, nil, false
	}
	return s, g, true
}

// parseIntervalStart parses the start of an ID interval, "(" making it
// exclusive (streamParseIntervalIDOrReply, then streamIncrID).
func (c *conn) parseIntervalStart(b []byte) (keyspace.StreamID, bool) {
	id, ex, ok := c.parseIntervalID(b, 0)
	if ok && ex {
		if id, ok = id.Next(); !ok {
			c.writeError(errStreamStartID)
		}
	}
	return id, ok
}

// parseIntervalEnd parses the end of an ID interval, "(" making it
// exclusive.
func (c *conn) parseIntervalEnd(b []byte) (keyspace.StreamID, bool) {
	id, ex, ok := c.parseIntervalID(b, keyspace.MaxStreamID.Seq)
	if ok && ex {
		if id, ok = id.Prev(); !ok {
			c.writeError(errStreamEndID)
		}
	}
	return id, ok
}

// XACK key group id [id ...]
func cmdXAck(c *conn, args [][]byte) {
	s, ok := c.streamRead(args[1])
	if !ok {
		return
	}
	var g *keyspace.StreamGroup
	if s != nil {
		g = s.Group(string(args[2]))
	}
	if g == nil { // nothing to acknowledge
		c.writeInt(0)
		return
	}
	// All the IDs are parsed first: an error acknowledges none.
	ids := make([]keyspace.StreamID, 0, len(args)-3)
	for _, arg := range args[3:] {
		id, ok := c.parseStreamIDArg(arg, 0, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	acked := int64(0)
	for _, id := range ids {
		if g.Ack(id) {
			acked++
		}
	}
	if acked > 0 {
		c.propagate(args...)
	}
	c.keyspaceDB().Resized(string(args[1]))
	c.writeInt(acked)
}

// xpendingRange is XPENDING's extended form: [IDLE min-idle-time] start
// end count [consumer].
type xpendingRange struct {
	minIdle    int64
	start, end keyspace.StreamID
	count      int64
	consumer   []byte // nil: the whole group
}

// parseXPendingRange parses XPENDING's extended form from args[3], in
// xpendingCommand's order (IDLE, count, start, end), replying the error
// and returning false on one. args has 6 to 9 elements.
func (c *conn) parseXPendingRange(args [][]byte) (xpendingRange, bool) {
	var r xpendingRange
	i := 3
	if equalFoldASCII(cString(args[3]), "idle") {
		n, ok := parseInteger(args[4])
		if !ok {
			c.writeError(errNotInteger)
			return r, false
		}
		r.minIdle = n
		if len(args) < 8 {
			c.writeError(errSyntax)
			return r, false
		}
		i += 2
	}
	n, ok := parseInteger(args[i+2])
	if !ok {
		c.writeError(errNotInteger)
		return r, false
	}
	r.count = max(n, 0)
	if r.start, ok = c.parseIntervalStart(args[i]); !ok {
		return r, false
	}
	if r.end, ok = c.parseIntervalEnd(args[i+1]); !ok {
		return r, false
	}
	if i+3 < len(args) { // what follows the consumer is ignored, as Redis does
		r.consumer = args[i+3]
	}
	return r, true
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
func cmdXPending(c *conn, args [][]byte) {
	summary := len(args) == 3
	if !summary && (len(args) < 6 || len(args) > 9) {
		c.writeError(errSyntax)
		return
	}
	var r xpendingRange
	if !summary {
		var ok bool
		if r, ok = c.parseXPendingRange(args); !ok {
			return
		}
	}
	_, g, ok := c.groupOf(args[1], args[2])
	if !ok {
		return
	}
	if summary {
		c.writePendingSummary(g)
		return
	}
	pel := &g.PEL
	if r.consumer != nil {
		cons := g.Consumer(string(r.consumer))
		if cons == nil {
			c.writeArrayLen(0)
			return
		}
		pel = &cons.PEL
	}
	now := c.srv.ks.Now()
	var out []*keyspace.StreamNACK
	if r.count > 0 {
		for _, nack := range pel.Range(r.start, r.end, 0, false) {
			if r.minIdle != 0 && now-nack.DeliveryTime < r.minIdle {
				continue
			}
			out = append(out, nack)
			if int64(len(out)) == r.count {
				break
			}
		}
	}
	c.writeArrayLen(len(out))
	for _, nack := range out {
		c.writeArrayLen(4)
		c.writeStreamID(nack.ID)
		c.writeBulkString(nack.Consumer.Name)
		c.writeInt(max(now-nack.DeliveryTime, 0))
		c.writeInt(nack.DeliveryCount)
	}
}

// writePendingSummary is XPENDING's short form: the count, the smallest
// and largest pending IDs, and the pending count of each consumer that has
// any, by name.
func (c *conn) writePendingSummary(g *keyspace.StreamGroup) {
	c.writeArrayLen(4)
	c.writeInt(int64(g.PEL.Len()))
	first, ok := g.PEL.First()
	if !ok {
		c.writeNull()
		c.writeNull()
		c.reply = resp.AppendNullArray(c.reply, c.proto)
		return
	}
	last, _ := g.PEL.Last()
	c.writeStreamID(first)
	c.writeStreamID(last)
	var busy []*keyspace.StreamConsumer
	for _, cons := range g.Consumers() {
		if cons.PEL.Len() > 0 {
			busy = append(busy, cons)
		}
	}
	c.writeArrayLen(len(busy))
	for _, cons := range busy {
		c.writeArrayLen(2)
		c.writeBulkString(cons.Name)
		c.writeBulkString(fmt.Sprint(cons.PEL.Len()))
	}
}

// xclaimOptions are XCLAIM's options after its IDs.
type xclaimOptions struct {
	deliveryTime int64 // -1: not given (IDLE or TIME)
	retryCount   int64 // -1: not given
	force        bool
	justID       bool
	lastID       keyspace.StreamID
}

// parseXClaimOptions parses XCLAIM's options from args[j], as
// xclaimCommand: IDLE is made a delivery time from now. It replies the
// error and returns false on one.
func (c *conn) parseXClaimOptions(args [][]byte, j int, now int64) (xclaimOptions, bool) {
	o := xclaimOptions{deliveryTime: -1, retryCount: -1}
	for ; j < len(args); j++ {
		moreArgs := len(args) - 1 - j
		opt := cString(args[j])
		var intErr string // the error of an option's integer value
		var value *int64
		switch {
		case equalFoldASCII(opt, "force"):
			o.force = true
		case equalFoldASCII(opt, "justid"):
			o.justID = true
		case equalFoldASCII(opt, "idle") && moreArgs > 0:
			intErr, value = "ERR Invalid IDLE option argument for XCLAIM", &o.deliveryTime
		case equalFoldASCII(opt, "time") && moreArgs > 0:
			intErr, value = "ERR Invalid TIME option argument for XCLAIM", &o.deliveryTime
		case equalFoldASCII(opt, "retrycount") && moreArgs > 0:
			intErr, value = "ERR Invalid RETRYCOUNT option argument for XCLAIM", &o.retryCount
		case equalFoldASCII(opt, "lastid") && moreArgs > 0:
			j++
			id, ok := c.parseStreamIDArg(args[j], 0, true)
			if !ok {
				return o, false
			}
			o.lastID = id
		default:
			c.writeError(sanitize(fmt.Sprintf("ERR Unrecognized XCLAIM option '%s'", opt)))
			return o, false
		}
		if value != nil {
			j++
			n, ok := parseInteger(args[j])
			if !ok {
				c.writeError(intErr)
				return o, false
			}
			if equalFoldASCII(opt, "idle") {
				n = now - n
			}
			*value = n
		}
	}
	return o, true
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms]
// [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID]
// [LASTID lastid]
func cmdXClaim(c *conn, args [][]byte) {
	s, g, ok := c.groupOf(args[1], args[2])
	if !ok {
		return
	}
	minIdle, ok := parseInteger(args[4])
	if !ok {
		c.writeError(errGroupClaimIdle)
		return
	}
	minIdle = max(minIdle, 0)
	// The IDs, up to the first argument that is not one: the options.
	j := 5
	var ids []keyspace.StreamID
	for ; j < len(args); j++ {
		id, _, ok := keyspace.ParseStreamID(args[j], 0, true, false)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := c.srv.ks.Now()
	o, ok := c.parseXClaimOptions(args, j, now)
	if !ok {
		return
	}
	c.preventPropagation() // it logs what it did instead (aof_stream.go)
	propagateLastID := false
	if g.LastID.Less(o.lastID) {
		g.LastID = o.lastID
		propagateLastID = true
	}
	if o.deliveryTime < 0 || o.deliveryTime > now { // not given, or bogus
		o.deliveryTime = now
	}
	db := c.keyspaceDB()
	key := string(args[1])
	var cons *keyspace.StreamConsumer // made when the first entry is claimed
	mark := len(c.reply)
	claimed := 0
	for _, id := range ids {
		nack := g.PEL.Get(id)
		entry, exists := s.Get(id)
		if !exists {
			if nack != nil { // the entry is gone: so is its pending entry
				c.logClaim(args[1], args[2], g, id, nack)
				propagateLastID = false
				g.Ack(id)
			}
			continue
		}
		forced := o.force && nack == nil
		if nack == nil && !forced {
			continue
		}
		if !forced && minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		if cons == nil {
			cons, _ = c.srv.consumerFor(db.ID(), key, g, string(args[3]))
		}
		if forced {
			nack, _ = g.AddNACK(id, cons, o.deliveryTime, 1)
		} else {
			g.Claim(nack, cons)
		}
		nack.DeliveryTime = o.deliveryTime
		if o.retryCount >= 0 {
			nack.DeliveryCount = o.retryCount
		} else if !o.justID {
			nack.DeliveryCount++
		}
		if o.justID {
			c.writeStreamID(id)
		} else {
			c.writeStreamEntry(entry)
		}
		c.logClaim(args[1], args[2], g, id, nack)
		propagateLastID = false
		claimed++
	}
	if propagateLastID {
		c.alsoPropagate(groupIDRecord(args[1], args[2], g)...)
	}
	c.reply = append(c.reply[:mark], append(resp.AppendArrayLen(nil, claimed), c.reply[mark:]...)...)
	db.Resized(key)
}

// parseXAutoClaimArgs parses XAUTOCLAIM's min-idle-time, start and
// options, before the key is looked up, as xautoclaimCommand, replying the
// error and returning false on one.
func (c *conn) parseXAutoClaimArgs(args [][]byte) (minIdle int64, start keyspace.StreamID, count int64, justID, ok bool) {
	if minIdle, ok = parseInteger(args[4]); !ok {
		c.writeError(errGroupAutoIdle)
		return
	}
	minIdle = max(minIdle, 0)
	if start, ok = c.parseIntervalStart(args[5]); !ok {
		return
	}
	count = 100
	const maxCount = math.MaxInt64 / 16 // LONG_MAX / max(sizeof(streamID), attempts factor)
	for j := 6; j < len(args); j++ {
		opt := cString(args[j])
		switch {
		case equalFoldASCII(opt, "count") && j+1 < len(args):
			n, isInt := parseInteger(args[j+1])
			if !isInt || n < 1 || n > maxCount {
				c.writeError(errGroupAutoCount)
				return minIdle, start, count, justID, false
			}
			count = n
			j++
		case equalFoldASCII(opt, "justid"):
			justID = true
		default:
			c.writeError(errSyntax)
			return minIdle, start, count, justID, false
		}
	}
	return minIdle, start, count, justID, true
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
func cmdXAutoClaim(c *conn, args [][]byte) {
	minIdle, start, count, justID, ok := c.parseXAutoClaimArgs(args)
	if !ok {
		return
	}
	s, g, ok := c.groupOf(args[1], args[2])
	if !ok {
		return
	}
	if count > xautoclaimMaxAllocCount {
		c.writeError(errGroupAutoAlloc)
		return
	}
	db := c.keyspaceDB()
	key := string(args[1])
	now := c.srv.ks.Now()
	// At most count entries claimed or found deleted, of at most ten
	// times as many looked at; the cursor is the next one.
	c.preventPropagation() // it logs what it did instead (aof_stream.go)
	attempts := count * xautoclaimAttemptsFactor
	pending := g.PEL.Range(start, keyspace.MaxStreamID, 0, false)
	var cons *keyspace.StreamConsumer
	var claimedReply []byte
	var deleted []keyspace.StreamID
	claimed, i := 0, 0
	for ; attempts > 0 && count > 0 && i < len(pending); i++ {
		attempts--
		nack := pending[i]
		entry, exists := s.Get(nack.ID)
		if !exists {
			c.logClaim(args[1], args[2], g, nack.ID, nack)
			g.Ack(nack.ID)
			deleted = append(deleted, nack.ID)
			count--
			continue
		}
		if minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		if cons == nil {
			cons, _ = c.srv.consumerFor(db.ID(), key, g, string(args[3]))
		}
		g.Claim(nack, cons)
		nack.DeliveryTime = now
		if justID {
			var buf [41]byte
			claimedReply = resp.AppendBulk(claimedReply, nack.ID.AppendTo(buf[:0]))
		} else {
			nack.DeliveryCount++
			claimedReply = appendOneEntry(claimedReply, entry)
		}
		c.logClaim(args[1], args[2], g, nack.ID, nack)
		claimed++
		count--
	}
	var cursor keyspace.StreamID
	if i < len(pending) {
		cursor = pending[i].ID
	}
	c.writeArrayLen(3)
	c.writeStreamID(cursor)
	c.writeArrayLen(claimed)
	c.reply = append(c.reply, claimedReply...)
	c.writeArrayLen(len(deleted))
	for _, id := range deleted {
		c.writeStreamID(id)
	}
	db.Resized(key)
}
