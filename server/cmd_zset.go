package server

import (
	"math"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/internal/glob"
	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// The sorted-set commands, as Redis 7.0's t_zset.c: replies, errors (in
// Redis's order of checks) and keyspace notifications. The data structure
// is keyspace.ZSet; ZUNION, ZINTER, ZDIFF and their kind, ZMPOP and
// ZRANDMEMBER are in cmd_zset_ops.go, argument parsing in
// cmd_zset_parse.go. The blocking pops (BZPOPMIN, BZPOPMAX, BZMPOP) are
// not implemented.

func registerZSet(t commandTable) {
	ks := flagKeyspace
	meta := func(cats string, flags ...string) commandMeta {
		return commandMeta{flags: flags, firstKey: 1, lastKey: 1, keyStep: 1,
			categories: append(strings.Fields(cats), "@sortedset")}
	}
	readFast := meta("@read", "readonly", "fast")
	readFast.categories = append(readFast.categories, "@fast")
	readSlow := meta("@read", "readonly")
	readSlow.categories = append(readSlow.categories, "@slow")
	writeFast := func(flags ...string) commandMeta {
		m := meta("@write", append([]string{"write"}, flags...)...)
		m.categories = append(m.categories, "@fast")
		return m
	}
	writeSlow := meta("@write", "write")
	writeSlow.categories = append(writeSlow.categories, "@slow")

	add := func(name string, arity int, run func(*conn, [][]byte), m commandMeta) {
		t.add(&command{name: name, arity: arity, flags: ks, run: run, meta: m})
	}
	add("zadd", -4, cmdZAdd, writeFast("denyoom", "fast"))
	add("zincrby", 4, cmdZIncrBy, writeFast("denyoom", "fast"))
	add("zrem", -3, cmdZRem, writeFast("fast"))
	add("zscore", 3, cmdZScore, readFast)
	add("zmscore", -3, cmdZMScore, readFast)
	add("zcard", 2, cmdZCard, readFast)
	add("zcount", 4, cmdZCount, readFast)
	add("zlexcount", 4, cmdZLexCount, readFast)
	add("zrank", 3, func(c *conn, a [][]byte) { cmdZRank(c, a, false) }, readFast)
	add("zrevrank", 3, func(c *conn, a [][]byte) { cmdZRank(c, a, true) }, readFast)
	add("zrange", -4, func(c *conn, a [][]byte) { zrangeGeneric(c, a, 1, false, zrangeAuto, zdirAuto) }, readSlow)
	add("zrevrange", -4, func(c *conn, a [][]byte) { zrangeGeneric(c, a, 1, false, zrangeRank, zdirReverse) }, readSlow)
	add("zrangebyscore", -4, func(c *conn, a [][]byte) { zrangeGeneric(c, a, 1, false, zrangeScore, zdirForward) }, readSlow)
	add("zrevrangebyscore", -4, func(c *conn, a [][]byte) { zrangeGeneric(c, a, 1, false, zrangeScore, zdirReverse) }, readSlow)
	add("zrangebylex", -4, func(c *conn, a [][]byte) { zrangeGeneric(c, a, 1, false, zrangeLex, zdirForward) }, readSlow)
	add("zrevrangebylex", -4, func(c *conn, a [][]byte) { zrangeGeneric(c, a, 1, false, zrangeLex, zdirReverse) }, readSlow)
	store := writeSlow
	store.flags = []string{"write", "denyoom"}
	store.lastKey = 2
	add("zrangestore", -5, func(c *conn, a [][]byte) { zrangeGeneric(c, a, 2, true, zrangeAuto, zdirAuto) }, store)
	add("zpopmin", -2, func(c *conn, a [][]byte) { cmdZPop(c, a, false) }, writeFast("fast"))
	add("zpopmax", -2, func(c *conn, a [][]byte) { cmdZPop(c, a, true) }, writeFast("fast"))
	add("zremrangebyrank", 4, func(c *conn, a [][]byte) { zremrangeGeneric(c, a, zrangeRank) }, writeSlow)
	add("zremrangebyscore", 4, func(c *conn, a [][]byte) { zremrangeGeneric(c, a, zrangeScore) }, writeSlow)
	add("zremrangebylex", 4, func(c *conn, a [][]byte) { zremrangeGeneric(c, a, zrangeLex) }, writeSlow)
	add("zscan", -3, cmdZScan, readSlow)
	registerZSetOps(t)
}

// zsetRead looks key up for a read command (Redis's lookupKeyRead: a hit
// or a miss counted, "keymiss" raised) and returns its sorted set, nil if
// there is none. On a value of another type it replies WRONGTYPE and
// returns false.
func (c *conn) zsetRead(key []byte) (*keyspace.ZSet, bool) {
	return c.zsetOf(c.lookupRead(key))
}

// zsetWrite looks key up for a write command.
func (c *conn) zsetWrite(key []byte) (*keyspace.ZSet, bool) {
	return c.zsetOf(c.keyspaceDB().Lookup(string(key)))
}

func (c *conn) zsetOf(e *keyspace.Entry) (*keyspace.ZSet, bool) {
	if e == nil {
		return nil, true
	}
	z, ok := e.Value.(*keyspace.ZSet)
	if !ok {
		c.writeError(errWrongType)
		return nil, false
	}
	return z, true
}

func (c *conn) writeZScore(f float64) { c.reply = resp.AppendDouble(c.reply, f, c.proto) }

// zaddFlags are ZADD's options.
type zaddFlags struct{ nx, xx, gt, lt, ch, incr bool }

func cmdZAdd(c *conn, args [][]byte) { zaddGeneric(c, args, zaddFlags{}) }

func cmdZIncrBy(c *conn, args [][]byte) { zaddGeneric(c, args, zaddFlags{incr: true}) }

// zaddGeneric is ZADD, and ZINCRBY (f.incr set, no options).
func zaddGeneric(c *conn, args [][]byte, f zaddFlags) {
	key := args[1]
	i := 2
	if !f.incr {
	options:
		for ; i < len(args); i++ {
			switch lowerASCII(string(args[i])) {
			case "nx":
				f.nx = true
			case "xx":
				f.xx = true
			case "ch":
				f.ch = true
			case "incr":
				f.incr = true
			case "gt":
				f.gt = true
			case "lt":
				f.lt = true
			default:
				break options
			}
		}
	}
	pairs := len(args) - i
	switch {
	case pairs == 0 || pairs%2 != 0:
		c.writeError(errSyntax)
		return
	case f.nx && f.xx:
		c.writeError(errZAddNXXX)
		return
	case (f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt):
		c.writeError(errZAddGTLTNX)
		return
	case f.incr && pairs > 2:
		c.writeError(errZAddIncrPair)
		return
	}
	scores := make([]float64, pairs/2)
	for j := range scores {
		s, ok := zparseDouble(args[i+2*j])
		if !ok {
			c.writeError(errNotFloat)
			return
		}
		scores[j] = s
	}
	z, ok := c.zsetWrite(key)
	if !ok {
		return
	}
	var added, updated, processed int64
	var score float64
	db := c.keyspaceDB()
	if z == nil && !f.xx {
		z = keyspace.NewZSet()
		db.Add(string(key), z)
		c.notify(keyspace.ClassNew, "new", string(key))
	}
	failed := false
	for j := 0; z != nil && j < len(scores); j++ {
		res, newScore := zsetAdd(z, scores[j], string(args[i+2*j+1]), f)
		if res == zaddNaN {
			c.writeError(errZScoreNaN)
			failed = true
			break
		}
		switch res {
		case zaddAdded:
			added++
		case zaddUpdated:
			updated++
		}
		if res != zaddNop {
			processed++
			score = newScore
		}
	}
	if !failed {
		switch {
		case !f.incr && f.ch:
			c.writeInt(added + updated)
		case !f.incr:
			c.writeInt(added)
		case processed > 0:
			c.writeZScore(score)
		default:
			c.writeNull()
		}
	}
	if added+updated > 0 {
		db.Written(string(key))
		event := "zadd"
		if f.incr {
			event = "zincr"
		}
		c.notify(keyspace.ClassZSet, event, string(key))
	}
}

type zaddResult int

const (
	zaddNop zaddResult = iota
	zaddAdded
	zaddUpdated
	zaddUnchanged // processed, score unchanged
	zaddNaN
)

// zsetAdd is Redis's zsetAdd: adds or updates member by f's rules and
// returns what it did and the member's score after it.
func zsetAdd(z *keyspace.ZSet, score float64, member string, f zaddFlags) (zaddResult, float64) {
	if math.IsNaN(score) {
		return zaddNaN, 0
	}
	cur, exists := z.Score(member)
	if !exists {
		if f.xx {
			return zaddNop, 0
		}
		z.Set(member, score)
		return zaddAdded, score
	}
	if f.nx {
		return zaddNop, 0
	}
	if f.incr {
		score += cur
		if math.IsNaN(score) {
			return zaddNaN, 0
		}
	}
	if (f.lt && score >= cur) || (f.gt && score <= cur) {
		return zaddNop, 0
	}
	if score != cur {
		z.Set(member, score)
		return zaddUpdated, score
	}
	return zaddUnchanged, score
}

func cmdZRem(c *conn, args [][]byte) {
	key := string(args[1])
	z, ok := c.zsetWrite(args[1])
	if !ok {
		return
	}
	if z == nil {
		c.writeInt(0)
		return
	}
	deleted := int64(0)
	for _, m := range args[2:] {
		if z.Remove(string(m)) {
			deleted++
		}
		if z.Len() == 0 {
			break
		}
	}
	c.zsetChanged(key, z, deleted > 0, "zrem")
	c.writeInt(deleted)
}

// zsetChanged ends a command that removed members of key's z: the event,
// and "del" with the key when z is empty, as Redis notifies them.
func (c *conn) zsetChanged(key string, z *keyspace.ZSet, changed bool, event string) {
	if !changed {
		return
	}
	db := c.keyspaceDB()
	emptied := z.Len() == 0
	if emptied {
		db.Delete(key)
	}
	db.Written(key)
	c.notify(keyspace.ClassZSet, event, key)
	if emptied {
		c.notify(keyspace.ClassGeneric, "del", key)
	}
}

func cmdZScore(c *conn, args [][]byte) {
	z, ok := c.zsetRead(args[1])
	if !ok {
		return
	}
	if z != nil {
		if s, found := z.Score(string(args[2])); found {
			c.writeZScore(s)
			return
		}
	}
	c.writeNull()
}

func cmdZMScore(c *conn, args [][]byte) {
	z, ok := c.zsetRead(args[1])
	if !ok {
		return
	}
	c.writeArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		if z != nil {
			if s, found := z.Score(string(m)); found {
				c.writeZScore(s)
				continue
			}
		}
		c.writeNull()
	}
}

func cmdZCard(c *conn, args [][]byte) {
	z, ok := c.zsetRead(args[1])
	if !ok {
		return
	}
	if z == nil {
		c.writeInt(0)
		return
	}
	c.writeInt(int64(z.Len()))
}

func cmdZCount(c *conn, args [][]byte) {
	r, ok := zparseScoreRange(args[2], args[3])
	if !ok {
		c.writeError(errZMinMaxFloat)
		return
	}
	z, ok := c.zsetRead(args[1])
	if !ok {
		return
	}
	if z == nil {
		c.writeInt(0)
		return
	}
	c.writeInt(int64(z.CountByScore(r)))
}

func cmdZLexCount(c *conn, args [][]byte) {
	r, ok := zparseLexRange(args[2], args[3])
	if !ok {
		c.writeError(errZLexRange)
		return
	}
	z, ok := c.zsetRead(args[1])
	if !ok {
		return
	}
	if z == nil {
		c.writeInt(0)
		return
	}
	c.writeInt(int64(z.CountByLex(r)))
}

func cmdZRank(c *conn, args [][]byte, reverse bool) {
	z, ok := c.zsetRead(args[1])
	if !ok {
		return
	}
	if z != nil {
		if r, found := z.Rank(string(args[2]), reverse); found {
			c.writeInt(int64(r))
			return
		}
	}
	c.writeNull()
}

// The kinds and directions of ZRANGE and its variants.
type zrangeKind int

const (
	zrangeAuto zrangeKind = iota
	zrangeRank
	zrangeScore
	zrangeLex
)

type zrangeDir int

const (
	zdirAuto zrangeDir = iota
	zdirForward
	zdirReverse
)

// zrangeGeneric is Redis's zrangeGenericCommand: ZRANGE, its older
// variants and ZRANGESTORE (store, the source key at args[src]).
func zrangeGeneric(c *conn, args [][]byte, src int, store bool, kind zrangeKind, dir zrangeDir) {
	minIdx, maxIdx := src+1, src+2
	withScores := false
	offset, limit := int64(0), int64(-1)
	for j := src + 3; j < len(args); j++ {
		left := len(args) - j - 1
		opt := lowerASCII(string(args[j]))
		switch {
		case !store && opt == "withscores":
			withScores = true
		case opt == "limit" && left >= 2:
			var ok bool
			if offset, ok = parseInteger(args[j+1]); !ok {
				c.writeError(errNotInteger)
				return
			}
			if limit, ok = parseInteger(args[j+2]); !ok {
				c.writeError(errNotInteger)
				return
			}
			j += 2
		case dir == zdirAuto && opt == "rev":
			dir = zdirReverse
		case kind == zrangeAuto && opt == "bylex":
			kind = zrangeLex
		case kind == zrangeAuto && opt == "byscore":
			kind = zrangeScore
		default:
			c.writeError(errSyntax)
			return
		}
	}
	if kind == zrangeAuto {
		kind = zrangeRank
	}
	reverse := dir == zdirReverse
	if limit != -1 && kind == zrangeRank {
		c.writeError(errZLimitRank)
		return
	}
	if withScores && kind == zrangeLex {
		c.writeError(errZWithScoresLex)
		return
	}
	if reverse && kind != zrangeRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var start, end int64
	var scoreRange keyspace.ScoreRange
	var lexRange keyspace.LexRange
	switch kind {
	case zrangeRank:
		var ok bool
		if start, ok = parseInteger(args[minIdx]); !ok {
			c.writeError(errNotInteger)
			return
		}
		if end, ok = parseInteger(args[maxIdx]); !ok {
			c.writeError(errNotInteger)
			return
		}
	case zrangeScore:
		var ok bool
		if scoreRange, ok = zparseScoreRange(args[minIdx], args[maxIdx]); !ok {
			c.writeError(errZMinMaxFloat)
			return
		}
	case zrangeLex:
		var ok bool
		if lexRange, ok = zparseLexRange(args[minIdx], args[maxIdx]); !ok {
			c.writeError(errZLexRange)
			return
		}
	}
	z, ok := c.zsetRead(args[src])
	if !ok {
		return
	}
	var out zrangeOutput
	if store {
		out = &zrangeStore{c: c, dst: string(args[1]), z: keyspace.NewZSet()}
	} else {
		out = &zrangeReply{c: c, scores: withScores}
	}
	if z == nil {
		out.finish()
		return
	}
	switch kind {
	case zrangeRank:
		n := int64(z.Len())
		if start < 0 {
			start += n
		}
		if end < 0 {
			end += n
		}
		if start < 0 {
			start = 0
		}
		if start > end || start >= n {
			out.finish()
			return
		}
		if end >= n {
			end = n - 1
		}
		if st, ok := out.(*zrangeStore); ok { // the length is known: Redis's encoding for it
			st.z = keyspace.NewZSetFor(int(end - start + 1))
		}
		z.Range(int(start), int(end), reverse, out.emit)
	case zrangeScore:
		z.RangeByScore(scoreRange, reverse, zclampInt(offset), zclampInt(limit), out.emit)
	case zrangeLex:
		z.RangeByLex(lexRange, reverse, zclampInt(offset), zclampInt(limit), out.emit)
	}
	out.finish()
}

// zclampInt converts an int64 option to int (the same on 64-bit systems).
func zclampInt(n int64) int {
	if n > math.MaxInt {
		return math.MaxInt
	}
	if n < math.MinInt {
		return math.MinInt
	}
	return int(n)
}

// zrangeOutput receives a range: a reply or a destination key.
type zrangeOutput interface {
	emit(member string, score float64) bool
	finish()
}

// zrangeReply collects a range and replies with it: members, or members
// and scores (flat in RESP2, pairs in RESP3).
type zrangeReply struct {
	c       *conn
	scores  bool
	members []string
	values  []float64
}

func (r *zrangeReply) emit(member string, score float64) bool {
	r.members = append(r.members, member)
	if r.scores {
		r.values = append(r.values, score)
	}
	return true
}

func (r *zrangeReply) finish() {
	c := r.c
	if !r.scores {
		c.writeBulkStrings(r.members)
		return
	}
	if c.proto >= resp.RESP3 {
		c.writeArrayLen(len(r.members))
	} else {
		c.writeArrayLen(2 * len(r.members))
	}
	for i, m := range r.members {
		if c.proto >= resp.RESP3 {
			c.writeArrayLen(2)
		}
		c.writeBulkString(m)
		c.writeZScore(r.values[i])
	}
}

// zrangeStore stores a range at dst (ZRANGESTORE).
type zrangeStore struct {
	c   *conn
	dst string
	z   *keyspace.ZSet
}

func (s *zrangeStore) emit(member string, score float64) bool {
	s.z.Set(member, score)
	return true
}

func (s *zrangeStore) finish() {
	c, db := s.c, s.c.keyspaceDB()
	if s.z.Len() > 0 {
		if db.Lookup(s.dst) == nil { // as Redis's setKey: an expired destination goes first
			db.Add(s.dst, s.z)
			c.notify(keyspace.ClassNew, "new", s.dst)
		} else {
			db.Set(s.dst, s.z, false)
		}
		db.Written(s.dst)
		c.writeInt(int64(s.z.Len()))
		c.notify(keyspace.ClassZSet, "zrangestore", s.dst)
		return
	}
	c.writeInt(0)
	if db.Delete(s.dst) { // as Redis's dbDelete, an expired destination too
		db.Written(s.dst)
		c.notify(keyspace.ClassGeneric, "del", s.dst)
	}
}

// cmdZPop is ZPOPMIN and ZPOPMAX key [count].
func cmdZPop(c *conn, args [][]byte, max bool) {
	if len(args) > 3 {
		c.writeError(errSyntax)
		return
	}
	count := int64(-1)
	if len(args) == 3 {
		n, ok := parseInteger(args[2])
		if !ok || n < 0 { // getPositiveLongFromObjectOrReply: one text for both
			c.writeError(errZCountPositive)
			return
		}
		count = n
	}
	nested := c.proto >= resp.RESP3 && count != -1
	key := string(args[1])
	z, ok := c.zsetWrite(args[1])
	if !ok {
		return
	}
	if z == nil || count == 0 {
		c.writeArrayLen(0)
		return
	}
	if count == -1 {
		count = 1
	}
	n := min(count, int64(z.Len()))
	if nested {
		c.writeArrayLen(int(n))
	} else {
		c.writeArrayLen(int(2 * n))
	}
	zpopN(c, key, z, int(n), max, nested)
}

// zpopN pops n members of key's z from its lowest or its highest score,
// writes them (as pairs when nested), and raises the events.
func zpopN(c *conn, key string, z *keyspace.ZSet, n int, max, nested bool) {
	for ; n > 0; n-- {
		rank := 0
		if max {
			rank = z.Len() - 1
		}
		var member string
		var score float64
		z.Range(rank, rank, false, func(m string, s float64) bool {
			member, score = m, s
			return false
		})
		z.Remove(member)
		if nested {
			c.writeArrayLen(2)
		}
		c.writeBulkString(member)
		c.writeZScore(score)
	}
	event := "zpopmin"
	if max {
		event = "zpopmax"
	}
	c.zsetChanged(key, z, true, event)
}

// zremrangeGeneric is ZREMRANGEBYRANK, ZREMRANGEBYSCORE and
// ZREMRANGEBYLEX.
func zremrangeGeneric(c *conn, args [][]byte, kind zrangeKind) {
	var start, end int64
	var scoreRange keyspace.ScoreRange
	var lexRange keyspace.LexRange
	var ok bool
	switch kind {
	case zrangeRank:
		if start, ok = parseInteger(args[2]); ok {
			end, ok = parseInteger(args[3])
		}
		if !ok {
			c.writeError(errNotInteger)
			return
		}
	case zrangeScore:
		if scoreRange, ok = zparseScoreRange(args[2], args[3]); !ok {
			c.writeError(errZMinMaxFloat)
			return
		}
	case zrangeLex:
		if lexRange, ok = zparseLexRange(args[2], args[3]); !ok {
			c.writeError(errZLexRange)
			return
		}
	}
	key := string(args[1])
	z, ok := c.zsetWrite(args[1])
	if !ok {
		return
	}
	if z == nil {
		c.writeInt(0)
		return
	}
	var deleted int
	switch kind {
	case zrangeRank:
		n := int64(z.Len())
		if start < 0 {
			start += n
		}
		if end < 0 {
			end += n
		}
		if start < 0 {
			start = 0
		}
		if start > end || start >= n {
			c.writeInt(0)
			return
		}
		if end >= n {
			end = n - 1
		}
		deleted = z.RemoveRange(int(start), int(end))
	case zrangeScore:
		deleted = z.RemoveRangeByScore(scoreRange)
	case zrangeLex:
		deleted = z.RemoveRangeByLex(lexRange)
	}
	event := [...]string{zrangeRank: "zremrangebyrank", zrangeScore: "zremrangebyscore", zrangeLex: "zremrangebylex"}[kind]
	c.zsetChanged(key, z, deleted > 0, event)
	c.writeInt(int64(deleted))
}

// cmdZScan is ZSCAN key cursor [MATCH pattern] [COUNT count]. As Redis, it
// returns a listpack-encoded set whole, in order, with cursor 0, and walks
// a skiplist-encoded one's hash table with Redis's cursor (its order is
// the table's, which differs from Redis's).
func cmdZScan(c *conn, args [][]byte) {
	cursor, ok := zparseScanCursor(args[2])
	if !ok {
		c.writeError(errInvalidCursor)
		return
	}
	z, ok := c.zsetRead(args[1])
	if !ok {
		return
	}
	if z == nil {
		c.writeArrayLen(2)
		c.writeBulkString("0")
		c.writeArrayLen(0)
		return
	}
	var pattern []byte
	count := int64(10)
	for i := 3; i < len(args); i += 2 {
		opt := lowerASCII(string(args[i]))
		switch {
		case opt == "count" && i+1 < len(args):
			n, ok := parseInteger(args[i+1])
			if !ok {
				c.writeError(errNotInteger)
				return
			}
			if n < 1 {
				c.writeError(errSyntax)
				return
			}
			count = n
		case opt == "match" && i+1 < len(args):
			pattern = args[i+1]
			if len(pattern) == 1 && pattern[0] == '*' {
				pattern = nil
			}
		default:
			c.writeError(errSyntax)
			return
		}
	}
	var out []string
	listpack := z.Encoding() == "listpack"
	emit := func(m string, s float64) {
		if pattern == nil || glob.Match(pattern, []byte(m)) {
			out = append(out, m, zformatScore(s, listpack))
		}
	}
	next := uint64(0)
	if listpack {
		z.Range(0, z.Len()-1, false, func(m string, s float64) bool {
			emit(m, s)
			return true
		})
	} else {
		next = z.Scan(cursor, int(min(count, 1<<30)), emit)
	}
	c.writeArrayLen(2)
	c.writeBulkString(strconv.FormatUint(next, 10))
	c.writeBulkStrings(out)
}
