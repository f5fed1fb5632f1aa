package server

import (
	"bytes"
	"math"
	"strconv"

	"github.com/heraldhq/herald/internal/glob"
	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// The hash commands, exact to Redis 7.0 (t_hash.c): replies, errors and
// keyspace notifications. The value is keyspace.Hash, which keeps Redis's
// listpack/hashtable encoding rules and a listpack's insertion order.

func registerHash(t commandTable) {
	add := func(name string, arity int, run func(*conn, [][]byte)) {
		t.add(&command{name: name, arity: arity, flags: flagKeyspace, run: run, meta: hashMeta[name]})
	}
	add("hset", -4, func(c *conn, args [][]byte) { cmdHSet(c, args, false) })
	add("hmset", -4, func(c *conn, args [][]byte) { cmdHSet(c, args, true) })
	add("hsetnx", 4, cmdHSetNX)
	add("hget", 3, cmdHGet)
	add("hmget", -3, cmdHMGet)
	add("hdel", -3, cmdHDel)
	add("hgetall", 2, func(c *conn, args [][]byte) { cmdHGetAll(c, args, true, true) })
	add("hkeys", 2, func(c *conn, args [][]byte) { cmdHGetAll(c, args, true, false) })
	add("hvals", 2, func(c *conn, args [][]byte) { cmdHGetAll(c, args, false, true) })
	add("hlen", 2, cmdHLen)
	add("hexists", 3, cmdHExists)
	add("hstrlen", 3, cmdHStrLen)
	add("hincrby", 4, cmdHIncrBy)
	add("hincrbyfloat", 4, cmdHIncrByFloat)
	add("hrandfield", -2, cmdHRandField)
	add("hscan", -3, cmdHScan)
}

// hsReadEntry looks key up for a read command (Redis's lookupKeyRead).
func (c *conn) hsReadEntry(key string) *keyspace.Entry { return c.lookupRead([]byte(key)) }

// hsAdd adds a new key (Redis's dbAdd), raising "new".
func (c *conn) hsAdd(key string, v keyspace.Value) {
	c.keyspaceDB().Add(key, v)
	c.notify(keyspace.ClassNew, "new", key)
}

// readHash returns key's hash for a read command: nil and ok when there
// is none, and !ok, with WRONGTYPE written, when key holds another type.
func (c *conn) readHash(key string) (h *keyspace.Hash, ok bool) {
	e := c.hsReadEntry(key)
	if e == nil {
		return nil, true
	}
	h, ok = e.Value.(*keyspace.Hash)
	if !ok {
		c.writeError(errWrongType)
	}
	return h, ok
}

// writeHash is readHash for a write command (lookupKeyWrite).
func (c *conn) writeHash(key string) (h *keyspace.Hash, ok bool) {
	e := c.keyspaceDB().Lookup(key)
	if e == nil {
		return nil, true
	}
	h, ok = e.Value.(*keyspace.Hash)
	if !ok {
		c.writeError(errWrongType)
	}
	return h, ok
}

// hashOrCreate is Redis's hashTypeLookupWriteOrCreate: key's hash, a new
// one added if there is none, or nil with WRONGTYPE written.
func (c *conn) hashOrCreate(key string) *keyspace.Hash {
	h, ok := c.writeHash(key)
	if !ok {
		return nil
	}
	if h == nil {
		h = keyspace.NewHash()
		c.hsAdd(key, h)
	}
	return h
}

// hashChanged signals a change of key's hash and notifies event.
func (c *conn) hashChanged(key, event string) {
	c.keyspaceDB().Written(key)
	c.notify(keyspace.ClassHash, event, key)
}

func cmdHSet(c *conn, args [][]byte, hmset bool) {
	if len(args)%2 != 0 {
		c.writeArity(lowerASCII(string(args[0])))
		return
	}
	key := string(args[1])
	h := c.hashOrCreate(key)
	if h == nil {
		return
	}
	h.ConvertFor(args[2:]...)
	created := 0
	for i := 2; i < len(args); i += 2 {
		if h.Set(string(args[i]), string(args[i+1])) {
			created++
		}
	}
	if hmset {
		c.writeOK()
	} else {
		c.writeInt(int64(created))
	}
	c.hashChanged(key, "hset")
}

func cmdHSetNX(c *conn, args [][]byte) {
	key := string(args[1])
	h := c.hashOrCreate(key)
	if h == nil {
		return
	}
	if _, ok := h.Get(string(args[2])); ok {
		c.writeInt(0)
		return
	}
	h.ConvertFor(args[2:4]...)
	h.Set(string(args[2]), string(args[3]))
	c.writeInt(1)
	c.hashChanged(key, "hset")
}

func cmdHGet(c *conn, args [][]byte) {
	h, ok := c.readHash(string(args[1]))
	if !ok {
		return
	}
	if h == nil {
		c.writeNull()
		return
	}
	if v, found := h.Get(string(args[2])); found {
		c.writeBulkString(v)
	} else {
		c.writeNull()
	}
}

func cmdHMGet(c *conn, args [][]byte) {
	h, ok := c.readHash(string(args[1]))
	if !ok {
		return
	}
	c.writeArrayLen(len(args) - 2)
	for _, f := range args[2:] {
		if h != nil {
			if v, found := h.Get(string(f)); found {
				c.writeBulkString(v)
				continue
			}
		}
		c.writeNull()
	}
}

func cmdHDel(c *conn, args [][]byte) {
	key := string(args[1])
	h, ok := c.writeHash(key)
	if !ok {
		return
	}
	if h == nil {
		c.writeInt(0)
		return
	}
	deleted, removed := 0, false
	for _, f := range args[2:] {
		if h.Delete(string(f)) {
			deleted++
			if h.Len() == 0 {
				c.keyspaceDB().Delete(key)
				removed = true
				break
			}
		}
	}
	c.writeInt(int64(deleted))
	if deleted > 0 {
		c.hashChanged(key, "hdel")
		if removed {
			c.notify(keyspace.ClassGeneric, "del", key)
		}
	}
}

// cmdHGetAll is HGETALL, HKEYS and HVALS: a map in RESP3 for HGETALL.
func cmdHGetAll(c *conn, args [][]byte, fields, values bool) {
	h, ok := c.readHash(string(args[1]))
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if fields && values {
		c.writeMapLen(n)
	} else {
		c.writeArrayLen(n)
	}
	if h == nil {
		return
	}
	h.Each(func(f, v string) bool {
		if fields {
			c.writeBulkString(f)
		}
		if values {
			c.writeBulkString(v)
		}
		return true
	})
}

func cmdHLen(c *conn, args [][]byte) {
	h, ok := c.readHash(string(args[1]))
	if !ok {
		return
	}
	if h == nil {
		c.writeInt(0)
		return
	}
	c.writeInt(int64(h.Len()))
}

func cmdHExists(c *conn, args [][]byte) {
	h, ok := c.readHash(string(args[1]))
	if !ok {
		return
	}
	found := false
	if h != nil {
		_, found = h.Get(string(args[2]))
	}
	if found {
		c.writeInt(1)
	} else {
		c.writeInt(0)
	}
}

func cmdHStrLen(c *conn, args [][]byte) {
	h, ok := c.readHash(string(args[1]))
	if !ok {
		return
	}
	v := ""
	if h != nil {
		v, _ = h.Get(string(args[2]))
	}
	c.writeInt(int64(len(v)))
}

func cmdHIncrBy(c *conn, args [][]byte) {
	incr, ok := parseInteger(args[3])
	if !ok {
		c.writeError(errNotInteger)
		return
	}
	key, field := string(args[1]), string(args[2])
	h := c.hashOrCreate(key)
	if h == nil {
		return
	}
	var value int64
	if old, found := h.Get(field); found {
		if value, ok = parseInteger([]byte(old)); !ok {
			c.writeError(errHashNotInteger)
			return
		}
	}
	if (incr < 0 && value < 0 && incr < math.MinInt64-value) || (incr > 0 && value > 0 && incr > math.MaxInt64-value) {
		c.writeError(errIncrOverflow)
		return
	}
	value += incr
	h.Set(field, strconv.FormatInt(value, 10))
	c.writeInt(value)
	c.hashChanged(key, "hincrby")
}

func cmdHIncrByFloat(c *conn, args [][]byte) {
	incr, ok := hsParseLongDouble(args[3])
	if !ok {
		c.writeError(errNotFloat)
		return
	}
	if _, finite := keyspace.LongDoubleZero().Add(incr); !finite {
		c.writeError(errIncrNaNOrInf)
		return
	}
	key, field := string(args[1]), string(args[2])
	h := c.hashOrCreate(key)
	if h == nil {
		return
	}
	value := keyspace.LongDoubleZero()
	if old, found := h.Get(field); found {
		if value, ok = hsParseLongDouble([]byte(old)); !ok {
			c.writeError(errHashNotFloat)
			return
		}
	}
	value, ok = value.Add(incr)
	if !ok {
		c.writeError(errIncrNaN)
		return
	}
	s := string(value.Format())
	h.Set(field, s)
	c.writeBulkString(s)
	c.hashChanged(key, "hincrbyfloat")
}

func cmdHRandField(c *conn, args [][]byte) {
	if len(args) == 2 {
		h, ok := c.readHash(string(args[1]))
		if !ok {
			return
		}
		if h == nil {
			c.writeNull()
			return
		}
		f, _ := h.Random()
		c.writeBulkString(f)
		return
	}
	count, ok := hsParseRandomCount(c, args[2])
	if !ok {
		return
	}
	withValues := false
	if len(args) == 4 && equalFoldASCII(string(args[3]), "withvalues") {
		withValues = true
	} else if len(args) >= 4 {
		c.writeError(errSyntax)
		return
	}
	if withValues && (count < -math.MaxInt64/2 || count > math.MaxInt64/2) {
		c.writeError(errRandomPairsRange)
		return
	}
	h, ok := c.readHash(string(args[1]))
	if !ok {
		return
	}
	if h == nil || count == 0 {
		c.writeArrayLen(0)
		return
	}
	writePair := func(f, v string) {
		if withValues && c.proto == resp.RESP3 {
			c.writeArrayLen(2)
		}
		c.writeBulkString(f)
		if withValues {
			c.writeBulkString(v)
		}
	}
	replyLen := func(n int) {
		if withValues && c.proto != resp.RESP3 {
			n *= 2
		}
		c.writeArrayLen(n)
	}
	switch {
	case count < 0: // repetitions allowed
		replyLen(int(-count))
		for range -count {
			writePair(h.Random())
		}
	case count >= int64(h.Len()): // the whole hash, in its order
		replyLen(h.Len())
		h.Each(func(f, v string) bool {
			writePair(f, v)
			return true
		})
	default:
		pairs := h.RandomDistinct(int(count))
		replyLen(len(pairs))
		for _, p := range pairs {
			writePair(p[0], p[1])
		}
	}
}

// hsParseRandomCount parses the count of HRANDFIELD and SRANDMEMBER, as
// Redis's getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX), writing the
// error.
func hsParseRandomCount(c *conn, arg []byte) (int64, bool) {
	n, ok := parseInteger(arg)
	if !ok {
		c.writeError(errNotInteger)
		return 0, false
	}
	if n == math.MinInt64 {
		c.writeError(errRandomCountRange)
		return 0, false
	}
	return n, true
}

func cmdHScan(c *conn, args [][]byte) {
	cursor, ok := hsParseScanCursor(args[2])
	if !ok {
		c.writeError(errInvalidCursor)
		return
	}
	h, ok := c.readHash(string(args[1]))
	if !ok {
		return
	}
	if h == nil {
		hsWriteEmptyScan(c)
		return
	}
	opts, ok := hsParseScanOptions(c, args[3:])
	if !ok {
		return
	}
	var found []string
	next := h.Scan(cursor, opts.count, func(f, v string) {
		if opts.match(f) {
			found = append(found, f, v)
		}
	})
	hsWriteScanReply(c, next, found)
}

// hsScanOptions are the MATCH and COUNT of HSCAN and SSCAN.
type hsScanOptions struct {
	count   int
	pattern []byte // nil: everything
}

func (o hsScanOptions) match(s string) bool {
	return o.pattern == nil || glob.Match(o.pattern, []byte(s))
}

// hsParseScanOptions parses [MATCH pattern] [COUNT count] as Redis's
// scanGenericCommand does for a key's scan, writing the error.
func hsParseScanOptions(c *conn, args [][]byte) (hsScanOptions, bool) {
	opts := hsScanOptions{count: 10}
	for i := 0; i < len(args); i += 2 {
		if len(args)-i < 2 {
			c.writeError(errSyntax)
			return opts, false
		}
		switch lowerASCII(string(args[i])) {
		case "count":
			n, ok := parseInteger(args[i+1])
			if !ok {
				c.writeError(errNotInteger)
				return opts, false
			}
			if n < 1 {
				c.writeError(errSyntax)
				return opts, false
			}
			opts.count = int(min(n, math.MaxInt32))
		case "match":
			if p := args[i+1]; len(p) == 1 && p[0] == '*' {
				opts.pattern = nil
			} else {
				opts.pattern = append([]byte{}, p...)
			}
		default:
			c.writeError(errSyntax)
			return opts, false
		}
	}
	return opts, true
}

// hsParseScanCursor parses a scan cursor as Redis's parseScanCursorOrReply:
// strtoul's syntax (a sign, digits; a '-' negates modulo 2^64; no digits
// at all reads as 0), refusing a leading space, trailing bytes and
// overflow.
func hsParseScanCursor(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	s := b
	negative := false
	if s[0] == '+' || s[0] == '-' {
		negative = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 {
		return 0, false
	}
	var v uint64
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		d := uint64(ch - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if negative {
		v = -v
	}
	return v, true
}

func hsWriteEmptyScan(c *conn) {
	c.writeArrayLen(2)
	c.writeBulkString("0")
	c.writeArrayLen(0)
}

func hsWriteScanReply(c *conn, cursor uint64, elems []string) {
	c.writeArrayLen(2)
	c.writeBulkString(strconv.FormatUint(cursor, 10))
	c.writeBulkStrings(elems)
}

// hsParseLongDouble is keyspace.ParseLongDouble refusing a NUL byte
// anywhere, as Redis 7.0.15's string2ld does (it checks that strtold read
// the whole length).
func hsParseLongDouble(b []byte) (keyspace.LongDouble, bool) {
	if bytes.IndexByte(b, 0) >= 0 {
		return keyspace.LongDouble{}, false
	}
	return keyspace.ParseLongDouble(b)
}
