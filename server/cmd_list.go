package server

import (
	"bytes"
	"strings"

	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// The list commands, as Redis 7.0's t_list.c: replies, errors, the order
// in which arguments are checked, and the keyspace events. The blocking
// forms (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH) are here too; the machinery
// that parks and wakes their clients is blocking.go's.

func registerList(t commandTable) {
	ks := flagKeyspace
	meta := func(flags string, first, last int, cats ...string) commandMeta {
		return commandMeta{flags: strings.Fields(flags), firstKey: first, lastKey: last, keyStep: 1, categories: cats}
	}
	writeFast := meta("write denyoom fast", 1, 1, "@write", "@list", "@fast")
	t.add(&command{name: "lpush", arity: -3, flags: ks, run: func(c *conn, a [][]byte) { cmdPush(c, a, true, false) }, meta: writeFast})
	t.add(&command{name: "rpush", arity: -3, flags: ks, run: func(c *conn, a [][]byte) { cmdPush(c, a, false, false) }, meta: writeFast})
	t.add(&command{name: "lpushx", arity: -3, flags: ks, run: func(c *conn, a [][]byte) { cmdPush(c, a, true, true) }, meta: writeFast})
	t.add(&command{name: "rpushx", arity: -3, flags: ks, run: func(c *conn, a [][]byte) { cmdPush(c, a, false, true) }, meta: writeFast})
	popMeta := meta("write fast", 1, 1, "@write", "@list", "@fast")
	t.add(&command{name: "lpop", arity: -2, flags: ks, run: func(c *conn, a [][]byte) { cmdPop(c, a, true) }, meta: popMeta})
	t.add(&command{name: "rpop", arity: -2, flags: ks, run: func(c *conn, a [][]byte) { cmdPop(c, a, false) }, meta: popMeta})
	t.add(&command{name: "llen", arity: 2, flags: ks, run: cmdLLen, meta: meta("readonly fast", 1, 1, "@read", "@list", "@fast")})
	readSlow := meta("readonly", 1, 1, "@read", "@list", "@slow")
	t.add(&command{name: "lrange", arity: 4, flags: ks, run: cmdLRange, meta: readSlow})
	t.add(&command{name: "lindex", arity: 3, flags: ks, run: cmdLIndex, meta: readSlow})
	t.add(&command{name: "lpos", arity: -3, flags: ks, run: cmdLPos, meta: readSlow})
	t.add(&command{name: "lset", arity: 4, flags: ks, run: cmdLSet, meta: meta("write denyoom", 1, 1, "@write", "@list", "@slow")})
	t.add(&command{name: "linsert", arity: 5, flags: ks, run: cmdLInsert, meta: meta("write denyoom", 1, 1, "@write", "@list", "@slow")})
	t.add(&command{name: "lrem", arity: 4, flags: ks, run: cmdLRem, meta: meta("write", 1, 1, "@write", "@list", "@slow")})
	t.add(&command{name: "ltrim", arity: 4, flags: ks, run: cmdLTrim, meta: meta("write", 1, 1, "@write", "@list", "@slow")})
	moveMeta := meta("write denyoom", 1, 2, "@write", "@list", "@slow")
	t.add(&command{name: "lmove", arity: 5, flags: ks, run: cmdLMove, meta: moveMeta})
	t.add(&command{name: "rpoplpush", arity: 3, flags: ks, run: cmdRPopLPush, meta: moveMeta})

	blockPop := meta("write noscript blocking", 1, -2, "@write", "@list", "@slow", "@blocking")
	t.add(&command{name: "blpop", arity: -3, flags: ks, run: func(c *conn, a [][]byte) { cmdBlockingPop(c, a, true) }, meta: blockPop})
	t.add(&command{name: "brpop", arity: -3, flags: ks, run: func(c *conn, a [][]byte) { cmdBlockingPop(c, a, false) }, meta: blockPop})
	blockMove := meta("write denyoom noscript blocking", 1, 2, "@write", "@list", "@slow", "@blocking")
	t.add(&command{name: "blmove", arity: 6, flags: ks, run: cmdBLMove, meta: blockMove})
	t.add(&command{name: "brpoplpush", arity: 4, flags: ks, run: cmdBRPopLPush, meta: blockMove})
}

// Events of the list commands.
const (
	evLPush = "lpush"
	evRPush = "rpush"
	evLPop  = "lpop"
	evRPop  = "rpop"
	evDel   = "del"
	evNew   = "new"
)

func pushEvent(left bool) string {
	if left {
		return evLPush
	}
	return evRPush
}

func popEvent(left bool) string {
	if left {
		return evLPop
	}
	return evRPop
}

// listForRead looks key up as Redis's lookupKeyRead does (a keyspace hit
// or miss, and the keymiss event on a miss) and returns its list. ok is
// false when the key holds another type: WRONGTYPE has been replied.
func (c *conn) listForRead(key []byte) (l *keyspace.List, ok bool) {
	return c.asList(c.lookupRead(key))
}

// listForWrite looks key up as Redis's lookupKeyWrite does and returns its
// list; ok is false when WRONGTYPE has been replied.
func (c *conn) listForWrite(key []byte) (l *keyspace.List, ok bool) {
	return c.asList(c.keyspaceDB().Lookup(string(key)))
}

func (c *conn) asList(e *keyspace.Entry) (*keyspace.List, bool) {
	if e == nil {
		return nil, true
	}
	l, isList := e.Value.(*keyspace.List)
	if !isList {
		c.writeError(errWrongType)
		return nil, false
	}
	return l, true
}

// createList adds an empty list under key, which must not exist, as
// Redis's dbAdd: the "new" event, and clients blocked on the key are
// served once the command is done.
func (s *Server) createList(db *keyspace.DB, key string) *keyspace.List {
	l := keyspace.NewList()
	db.Add(key, l)
	s.ks.Notify(db.ID(), keyspace.ClassNew, evNew, key)
	s.blocked.signal(db.ID(), key)
	return l
}

// listRemoved finishes a removal from the list at key (Redis's
// listElementsRemoved and its siblings): the event, the key deleted with
// "del" once empty, and the write signalled.
func (c *conn) listRemoved(db *keyspace.DB, key string, l *keyspace.List, event string) {
	c.srv.ks.Notify(db.ID(), keyspace.ClassList, event, key)
	if l.Len() == 0 {
		db.Delete(key)
		c.srv.ks.Notify(db.ID(), keyspace.ClassGeneric, evDel, key)
	}
	db.Written(key)
}

// LPUSH, RPUSH, LPUSHX, RPUSHX key element [element ...]
func cmdPush(c *conn, args [][]byte, left, onlyExisting bool) {
	key := string(args[1])
	l, ok := c.listForWrite(args[1])
	if !ok {
		return
	}
	db := c.keyspaceDB()
	if l == nil {
		if onlyExisting {
			c.writeInt(0)
			return
		}
		l = c.srv.createList(db, key)
	}
	for _, v := range args[2:] {
		l.Push(bytes.Clone(v), left)
	}
	c.writeInt(int64(l.Len()))
	db.Written(key)
	c.notify(keyspace.ClassList, pushEvent(left), key)
}

// LPOP, RPOP key [count]
func cmdPop(c *conn, args [][]byte, left bool) {
	if len(args) > 3 {
		c.writeArity(popName(left))
		return
	}
	count, hasCount := int64(0), len(args) == 3
	if hasCount {
		n, ok := parseInteger(args[2])
		if !ok || n < 0 {
			c.writeError(errMustBePositive)
			return
		}
		count = n
	}
	l, ok := c.listForWrite(args[1])
	if !ok {
		return
	}
	if l == nil {
		if hasCount {
			c.reply = resp.AppendNullArray(c.reply, c.proto)
		} else {
			c.writeNull()
		}
		return
	}
	if hasCount && count == 0 {
		c.writeArrayLen(0)
		return
	}
	if !hasCount {
		c.writeBulk(l.Pop(left))
	} else {
		n := int(min(count, int64(l.Len())))
		c.writeArrayLen(n)
		for range n {
			c.writeBulk(l.Pop(left))
		}
	}
	c.listRemoved(c.keyspaceDB(), string(args[1]), l, popEvent(left))
}

// LLEN key
func cmdLLen(c *conn, args [][]byte) {
	l, ok := c.listForRead(args[1])
	if !ok {
		return
	}
	if l == nil {
		c.writeInt(0)
		return
	}
	c.writeInt(int64(l.Len()))
}

// LRANGE key start stop
func cmdLRange(c *conn, args [][]byte) {
	start, ok1 := parseInteger(args[2])
	stop, ok2 := parseInteger(args[3])
	if !ok1 || !ok2 {
		c.writeError(errNotInteger)
		return
	}
	l, ok := c.listForRead(args[1])
	if !ok {
		return
	}
	if l == nil {
		c.writeArrayLen(0)
		return
	}
	c.writeListRange(l, start, stop, false)
}

// writeListRange replies with elements start..stop of l, negative indexes
// counting from the end, as Redis's addListRangeReply; reverse walks from
// stop to start.
func (c *conn) writeListRange(l *keyspace.List, start, stop int64, reverse bool) {
	n := int64(l.Len())
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	if start > stop || start >= n {
		c.writeArrayLen(0)
		return
	}
	stop = min(stop, n-1)
	c.writeArrayLen(int(stop - start + 1))
	l.Range(int(start), int(stop), reverse, c.writeBulk)
}

// listIndex turns a possibly negative index into a position in a list of
// n elements, or -1 when it is out of range.
func listIndex(index int64, n int) int {
	if index < 0 {
		index += int64(n)
	}
	if index < 0 || index >= int64(n) {
		return -1
	}
	return int(index)
}

// LINDEX key index
func cmdLIndex(c *conn, args [][]byte) {
	l, ok := c.listForRead(args[1])
	if !ok {
		return
	}
	if l == nil {
		c.writeNull()
		return
	}
	index, ok := parseInteger(args[2])
	if !ok {
		c.writeError(errNotInteger)
		return
	}
	if i := listIndex(index, l.Len()); i >= 0 {
		c.writeBulk(l.Index(i))
	} else {
		c.writeNull()
	}
}

// LSET key index element
func cmdLSet(c *conn, args [][]byte) {
	l, ok := c.listForWrite(args[1])
	if !ok {
		return
	}
	if l == nil {
		c.writeError(errNoSuchKey)
		return
	}
	index, ok := parseInteger(args[2])
	if !ok {
		c.writeError(errNotInteger)
		return
	}
	i := listIndex(index, l.Len())
	if i < 0 {
		c.writeError(errIndexRange)
		return
	}
	l.Set(i, bytes.Clone(args[3]))
	c.writeOK()
	c.keyspaceDB().Written(string(args[1]))
	c.notify(keyspace.ClassList, "lset", string(args[1]))
}

// LINSERT key BEFORE|AFTER pivot element
func cmdLInsert(c *conn, args [][]byte) {
	var after bool
	switch {
	case bytesEqualFoldASCII(args[2], []byte("after")):
		after = true
	case bytesEqualFoldASCII(args[2], []byte("before")):
	default:
		c.writeError(errSyntax)
		return
	}
	l, ok := c.listForWrite(args[1])
	if !ok {
		return
	}
	if l == nil {
		c.writeInt(0)
		return
	}
	i := l.Find(args[3])
	if i < 0 {
		c.writeInt(-1)
		return
	}
	if after {
		i++
	}
	l.Insert(i, bytes.Clone(args[4]))
	c.keyspaceDB().Written(string(args[1]))
	c.notify(keyspace.ClassList, "linsert", string(args[1]))
	c.writeInt(int64(l.Len()))
}

// LREM key count element
func cmdLRem(c *conn, args [][]byte) {
	count, ok := parseInteger(args[2])
	if !ok {
		c.writeError(errNotInteger)
		return
	}
	l, ok := c.listForWrite(args[1])
	if !ok {
		return
	}
	if l == nil {
		c.writeInt(0)
		return
	}
	fromTail := count < 0
	if fromTail {
		count = -count
	}
	if count < 0 { // -MinInt64: Redis's count is never reached, all go
		count = 0
	}
	removed := l.Remove(args[3], int(min(count, int64(l.Len()))), fromTail)
	key := string(args[1])
	db := c.keyspaceDB()
	if removed > 0 {
		db.Written(key)
		c.notify(keyspace.ClassList, "lrem", key)
	}
	if l.Len() == 0 {
		db.Delete(key)
		c.notify(keyspace.ClassGeneric, evDel, key)
	}
	c.writeInt(int64(removed))
}

// LTRIM key start stop
func cmdLTrim(c *conn, args [][]byte) {
	start, ok1 := parseInteger(args[2])
	stop, ok2 := parseInteger(args[3])
	if !ok1 || !ok2 {
		c.writeError(errNotInteger)
		return
	}
	l, ok := c.listForWrite(args[1])
	if !ok {
		return
	}
	if l == nil {
		c.writeOK()
		return
	}
	n := int64(l.Len())
	if start < 0 {
		start += n
	}
	if stop < 0 {
		stop += n
	}
	start = max(start, 0)
	var left, right int64
	if start > stop || start >= n {
		left, right = n, 0
	} else {
		stop = min(stop, n-1)
		left, right = start, n-stop-1
	}
	l.Trim(int(left), int(right))
	if left+right == 0 {
		c.preventPropagation() // a change to WATCH, not to the data: not logged, as Redis's dirty count says
	}
	key := string(args[1])
	db := c.keyspaceDB()
	c.notify(keyspace.ClassList, "ltrim", key)
	if l.Len() == 0 {
		db.Delete(key)
		c.notify(keyspace.ClassGeneric, evDel, key)
	}
	db.Written(key)
	c.writeOK()
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
func cmdLPos(c *conn, args [][]byte) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(args); j++ {
		more := j+1 < len(args)
		opt := args[j]
		switch {
		case more && bytesEqualFoldASCII(opt, []byte("rank")):
			j++
			v, ok := parseInteger(args[j])
			if !ok {
				c.writeError(errNotInteger)
				return
			}
			if v == 0 {
				c.writeError(errRankZero)
				return
			}
			rank = v
		case more && bytesEqualFoldASCII(opt, []byte("count")):
			j++
			v, ok := parseInteger(args[j])
			if !ok || v < 0 {
				c.writeError(errCountNegative)
				return
			}
			count = v
		case more && bytesEqualFoldASCII(opt, []byte("maxlen")):
			j++
			v, ok := parseInteger(args[j])
			if !ok || v < 0 {
				c.writeError(errMaxlenNegative)
				return
			}
			maxlen = v
		default:
			c.writeError(errSyntax)
			return
		}
	}
	fromTail := rank < 0
	if fromTail {
		rank = -rank // -MinInt64 stays negative: every match is past it, as in Redis
	}
	l, ok := c.listForRead(args[1])
	if !ok {
		return
	}
	if l == nil {
		if count != -1 {
			c.writeArrayLen(0)
		} else {
			c.writeNull()
		}
		return
	}
	n := l.Len()
	var found []int64
	matches := int64(0)
	for k := 0; k < n && (maxlen == 0 || int64(k) < maxlen); k++ {
		i := k
		if fromTail {
			i = n - 1 - k
		}
		if !bytes.Equal(l.Index(i), args[2]) {
			continue
		}
		matches++
		if matches < rank {
			continue
		}
		found = append(found, int64(i))
		if count == -1 || (count != 0 && matches-rank+1 >= count) {
			break
		}
	}
	if count != -1 {
		c.writeArrayLen(len(found))
		for _, i := range found {
			c.writeInt(i)
		}
		return
	}
	if len(found) == 0 {
		c.writeNull()
		return
	}
	c.writeInt(found[0])
}

// parseWhere parses LEFT or RIGHT.
func parseWhere(b []byte) (left, ok bool) {
	switch {
	case bytesEqualFoldASCII(b, []byte("left")):
		return true, true
	case bytesEqualFoldASCII(b, []byte("right")):
		return false, true
	}
	return false, false
}

// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
func cmdLMove(c *conn, args [][]byte) {
	from, ok1 := parseWhere(args[3])
	if !ok1 {
		c.writeError(errSyntax)
		return
	}
	to, ok2 := parseWhere(args[4])
	if !ok2 {
		c.writeError(errSyntax)
		return
	}
	c.listMove(args[1], args[2], from, to)
}

// RPOPLPUSH source destination
func cmdRPopLPush(c *conn, args [][]byte) { c.listMove(args[1], args[2], false, true) }

// listMove is Redis's lmoveGenericCommand.
func (c *conn) listMove(source, destination []byte, from, to bool) {
	src, ok := c.listForWrite(source)
	if !ok {
		return
	}
	if src == nil {
		c.writeNull()
		return
	}
	dst, ok := c.listForWrite(destination)
	if !ok {
		return
	}
	db := c.keyspaceDB()
	v := src.Pop(from)
	c.srv.pushMoved(db, string(destination), dst, v, to)
	c.writeBulk(v)
	c.listRemoved(db, string(source), src, popEvent(from))
}

// pushMoved pushes what LMOVE moved to its destination dst (nil: create
// it), as Redis's lmoveHandlePush, with its event.
func (s *Server) pushMoved(db *keyspace.DB, key string, dst *keyspace.List, v []byte, left bool) {
	if dst == nil {
		dst = s.createList(db, key)
	}
	dst.Push(v, left)
	db.Written(key)
	s.ks.Notify(db.ID(), keyspace.ClassList, pushEvent(left), key)
}

// popName returns the name of the pop command, for the arity error its
// handler replies itself.
func popName(left bool) string {
	if left {
		return "lpop"
	}
	return "rpop"
}
