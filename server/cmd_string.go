package server

import (
	"bytes"
	"fmt"
	"math/bits"

	"github.com/heraldhq/herald/keyspace"
)

// The string commands, as Redis 7.0's t_string.c and bitops.c: replies,
// errors, encodings (keyspace.String) and keyspace notifications in
// Redis's order. Every handler runs with the keyspace lock held.

func registerString(t commandTable) {
	add := func(name string, arity int, run func(*conn, [][]byte)) {
		flags := flagKeyspace
		if name == "get" || name == "set" {
			flags |= flagHot
		}
		t.add(&command{name: name, arity: arity, flags: flags, run: run, meta: stringMeta[name]})
	}
	add("get", 2, cmdGet)
	add("set", -3, cmdSet)
	add("setnx", 3, cmdSetNX)
	add("setex", 4, cmdSetEX)
	add("psetex", 4, cmdSetEX)
	add("getset", 3, cmdGetSet)
	add("getdel", 2, cmdGetDel)
	add("getex", -2, cmdGetEx)
	add("mget", -2, cmdMGet)
	add("mset", -3, cmdMSet)
	add("msetnx", -3, cmdMSet)
	add("incr", 2, cmdIncr)
	add("decr", 2, cmdIncr)
	add("incrby", 3, cmdIncr)
	add("decrby", 3, cmdIncr)
	add("incrbyfloat", 3, cmdIncrByFloat)
	add("append", 3, cmdAppend)
	add("strlen", 2, cmdStrlen)
	add("getrange", 4, cmdGetRange)
	add("substr", 4, cmdGetRange)
	add("setrange", 4, cmdSetRange)
	add("setbit", 4, cmdSetBit)
	add("getbit", 3, cmdGetBit)
	add("bitcount", -2, cmdBitCount)
}

// stringOf returns e's string value; for another type it writes
// WRONGTYPE and returns nil, ok false. A nil e is no value, ok true.
func (c *conn) stringOf(e *keyspace.Entry) (s *keyspace.String, ok bool) {
	if e == nil {
		return nil, true
	}
	s, ok = e.Value.(*keyspace.String)
	if !ok {
		c.writeError(errWrongType)
	}
	return s, ok
}

// getGeneric is Redis's getGenericCommand: the value of args[1] as a bulk
// string, or null, or WRONGTYPE (false).
func (c *conn) getGeneric(key []byte) bool {
	s, ok := c.stringOf(c.lookupRead(key))
	switch {
	case !ok:
		return false
	case s == nil:
		c.writeNull()
	default:
		c.writeBulk(s.B)
	}
	return true
}

func cmdGet(c *conn, args [][]byte) { c.getGeneric(args[1]) }

// setOptions are SET's and GETEX's options (parseExtendedStringArgumentsOrReply).
type setOptions struct {
	nx, xx, get, keepTTL, persist bool
	expireUnit                    byte // 0 none, 's' EX, 'm' PX, 'S' EXAT, 'M' PXAT
	expire                        []byte
}

// parseSetOptions parses args as Redis does for SET (forGet false, from
// args[3]) or GETEX (forGet true, from args[2]): false after a syntax
// error, which it writes.
func (c *conn) parseSetOptions(args [][]byte, forGet bool) (o setOptions, ok bool) {
	j := 3
	if forGet {
		j = 2
	}
	for ; j < len(args); j++ {
		opt := lowerASCIIBytes([]byte(cString(args[j])))
		hasNext := j+1 < len(args)
		noExpire := o.expireUnit == 0
		switch {
		case string(opt) == "nx" && !o.xx && !forGet:
			o.nx = true
		case string(opt) == "xx" && !o.nx && !forGet:
			o.xx = true
		case string(opt) == "get" && !forGet:
			o.get = true
		case string(opt) == "keepttl" && !o.persist && noExpire && !forGet:
			o.keepTTL = true
		case string(opt) == "persist" && forGet && noExpire && !o.keepTTL:
			o.persist = true
		case (string(opt) == "ex" || string(opt) == "px" || string(opt) == "exat" || string(opt) == "pxat") &&
			!o.keepTTL && !o.persist && hasNext:
			unit := map[string]byte{"ex": 's', "px": 'm', "exat": 'S', "pxat": 'M'}[string(opt)]
			if o.expireUnit != 0 && o.expireUnit != unit {
				c.writeError(errSyntax)
				return o, false
			}
			o.expireUnit = unit
			o.expire = args[j+1]
			j++
		default:
			c.writeError(errSyntax)
			return o, false
		}
	}
	return o, true
}

// expireMillis is Redis's getExpireMillisecondsOrReply: the absolute
// expiry time o asks for, or false after the error, which it writes.
func (c *conn) expireMillis(o setOptions, cmd string) (int64, bool) {
	n, ok := parseInteger(o.expire)
	if !ok {
		c.writeError(errNotInteger)
		return 0, false
	}
	seconds := o.expireUnit == 's' || o.expireUnit == 'S'
	if n <= 0 || (seconds && n > (1<<63-1)/1000) {
		c.writeError(fmt.Sprintf(errInvalidExpireFmt, cmd))
		return 0, false
	}
	if seconds {
		n *= 1000
	}
	if o.expireUnit == 's' || o.expireUnit == 'm' {
		n += c.srv.ks.Now() // wraps negative on overflow, as Redis's
	}
	if n <= 0 {
		c.writeError(fmt.Sprintf(errInvalidExpireFmt, cmd))
		return 0, false
	}
	return n, true
}

func cmdSet(c *conn, args [][]byte) {
	o, ok := c.parseSetOptions(args, false)
	if !ok {
		return
	}
	c.setGeneric(args[1], args[2], o, "set", nil, nil)
}

// setGeneric is Redis's setGenericCommand: okReply and abortReply replace
// OK and null when not nil (SETNX's 1 and 0).
func (c *conn) setGeneric(key, value []byte, o setOptions, cmd string, okReply, abortReply func()) {
	var when int64
	if o.expireUnit != 0 {
		var ok bool
		if when, ok = c.expireMillis(o, cmd); !ok {
			return
		}
	}
	if o.get && !c.getGeneric(key) {
		return
	}
	db, k := c.keyspaceDB(), string(key)
	e := db.Lookup(k)
	found := e != nil
	if (o.nx && found) || (o.xx && !found) {
		if !o.get {
			if abortReply != nil {
				abortReply()
			} else {
				c.writeNull()
			}
		}
		return
	}
	v := keyspace.NewString(bytes.Clone(value))
	if found {
		db.Replace(k, e, v, o.keepTTL)
	} else {
		e = c.setKey(k, v, false, o.keepTTL)
	}
	c.notify(keyspace.ClassString, "set", k)
	if o.expireUnit != 0 {
		db.SetExpire(k, e, when)
		c.notify(keyspace.ClassGeneric, "expire", k)
	}
	db.WrittenEntry(k, e)
	if !o.get {
		if okReply != nil {
			okReply()
		} else {
			c.writeOK()
		}
	}
}

// setKey stores v under key, which exists or not as found says, as
// Redis's setKey: "new" is notified for a new key.
func (c *conn) setKey(key string, v keyspace.Value, found, keepTTL bool) *keyspace.Entry {
	db := c.keyspaceDB()
	if !found {
		e := db.Add(key, v)
		c.notify(keyspace.ClassNew, "new", key)
		return e
	}
	return db.Set(key, v, keepTTL)
}

func cmdSetNX(c *conn, args [][]byte) {
	c.setGeneric(args[1], args[2], setOptions{nx: true}, "setnx",
		func() { c.writeInt(1) }, func() { c.writeInt(0) })
}

// cmdSetEX is SETEX key seconds value and PSETEX key milliseconds value.
func cmdSetEX(c *conn, args [][]byte) {
	o := setOptions{expireUnit: 's', expire: args[2]}
	cmd := "setex"
	if len(args[0]) == 6 {
		o.expireUnit, cmd = 'm', "psetex"
	}
	c.setGeneric(args[1], args[3], o, cmd, nil, nil)
}

func cmdGetSet(c *conn, args [][]byte) {
	if !c.getGeneric(args[1]) {
		return
	}
	key := string(args[1])
	found := c.keyspaceDB().Lookup(key) != nil
	c.setKey(key, keyspace.NewString(bytes.Clone(args[2])), found, false)
	c.notify(keyspace.ClassString, "set", key)
	c.keyspaceDB().Written(key)
}

func cmdGetDel(c *conn, args [][]byte) {
	e := c.lookupRead(args[1])
	s, ok := c.stringOf(e)
	if !ok {
		return
	}
	if s == nil {
		c.writeNull()
		return
	}
	c.writeBulk(s.B)
	key := string(args[1])
	c.keyspaceDB().Delete(key)
	c.keyspaceDB().Written(key)
	c.notify(keyspace.ClassGeneric, "del", key)
}

func cmdGetEx(c *conn, args [][]byte) {
	o, ok := c.parseSetOptions(args, true)
	if !ok {
		return
	}
	e := c.lookupRead(args[1])
	s, ok := c.stringOf(e)
	if !ok {
		return
	}
	if s == nil {
		c.writeNull()
		return
	}
	var when int64
	if o.expireUnit != 0 {
		if when, ok = c.expireMillis(o, "getex"); !ok {
			return
		}
	}
	c.writeBulk(s.B)
	key := string(args[1])
	db := c.keyspaceDB()
	switch {
	case (o.expireUnit == 'S' || o.expireUnit == 'M') && when <= c.srv.ks.Now() && !c.srv.ks.Loading():
		db.Delete(key)
		db.Written(key)
		c.notify(keyspace.ClassGeneric, "del", key)
	case o.expireUnit != 0:
		db.SetExpire(key, e, when)
		db.Written(key)
		c.notify(keyspace.ClassGeneric, "expire", key)
	case o.persist && e.ExpireAt != 0:
		db.SetExpire(key, e, 0)
		db.Written(key)
		c.notify(keyspace.ClassGeneric, "persist", key)
	}
}

func cmdMGet(c *conn, args [][]byte) {
	c.writeArrayLen(len(args) - 1)
	for _, key := range args[1:] {
		if e := c.lookupRead(key); e == nil {
			c.writeNull()
		} else if s, ok := e.Value.(*keyspace.String); ok {
			c.writeBulk(s.B)
		} else {
			c.writeNull()
		}
	}
}

// cmdMSet is MSET and MSETNX.
func cmdMSet(c *conn, args [][]byte) {
	if len(args)%2 == 0 {
		c.writeArity(string(lowerASCIIBytes(args[0])))
		return
	}
	nx := len(args[0]) == 6
	db := c.keyspaceDB()
	if nx {
		for j := 1; j < len(args); j += 2 {
			if db.Lookup(string(args[j])) != nil {
				c.writeInt(0)
				return
			}
		}
	}
	for j := 1; j < len(args); j += 2 {
		key := string(args[j])
		found := db.Lookup(key) != nil
		c.setKey(key, keyspace.NewString(bytes.Clone(args[j+1])), found, false)
		db.Written(key)
		c.notify(keyspace.ClassString, "set", key)
	}
	if nx {
		c.writeInt(1)
	} else {
		c.writeOK()
	}
}

// cmdIncr is INCR, DECR, INCRBY and DECRBY.
func cmdIncr(c *conn, args [][]byte) {
	var incr int64 = 1
	name := string(lowerASCIIBytes(args[0]))
	if len(args) == 3 {
		var ok bool
		if incr, ok = parseInteger(args[2]); !ok {
			c.writeError(errNotInteger)
			return
		}
		if name == "decrby" && incr == -1<<63 {
			c.writeError(errDecrOverflow)
			return
		}
	}
	if name[0] == 'd' {
		incr = -incr
	}
	key := string(args[1])
	db := c.keyspaceDB()
	e := db.Lookup(key)
	s, ok := c.stringOf(e)
	if !ok {
		return
	}
	var value int64
	if s != nil {
		if value, ok = keyspace.ParseInt(s.B); !ok {
			c.writeError(errNotInteger)
			return
		}
	}
	if (incr < 0 && value < 0 && incr < -1<<63-value) || (incr > 0 && value > 0 && incr > 1<<63-1-value) {
		c.writeError(errIncrOverflow)
		return
	}
	value += incr
	c.setKey(key, keyspace.NewInt(value), e != nil, true)
	db.Written(key)
	c.notify(keyspace.ClassString, "incrby", key)
	c.writeInt(value)
}

func cmdIncrByFloat(c *conn, args [][]byte) {
	key := string(args[1])
	db := c.keyspaceDB()
	e := db.Lookup(key)
	s, ok := c.stringOf(e)
	if !ok {
		return
	}
	value := keyspace.LongDoubleZero()
	if s != nil {
		if value, ok = keyspace.ParseLongDouble(s.B); !ok {
			c.writeError(errNotFloat)
			return
		}
	}
	incr, ok := keyspace.ParseLongDouble(args[2])
	if !ok {
		c.writeError(errNotFloat)
		return
	}
	sum, ok := value.Add(incr)
	if !ok {
		c.writeError(errIncrNaN)
		return
	}
	out := sum.Format()
	c.setKey(key, keyspace.NewStringEncoded(out, keyspace.EncodingEmbstr), e != nil, true)
	db.Written(key)
	c.notify(keyspace.ClassString, "incrbyfloat", key)
	c.writeBulk(out)
}

// checkStringLength is Redis's: a string may not grow past
// proto-max-bulk-len.
func (c *conn) checkStringLength(size, add int64) bool {
	total := size + add
	if total > c.srv.settings().protoMaxBulkLen || total < size || total < add {
		c.writeError(errStringTooLong)
		return false
	}
	return true
}

func cmdAppend(c *conn, args [][]byte) {
	key := string(args[1])
	db := c.keyspaceDB()
	e := db.Lookup(key)
	s, ok := c.stringOf(e)
	if !ok {
		return
	}
	var n int
	if s == nil {
		c.setKey(key, keyspace.NewString(bytes.Clone(args[2])), false, false)
		n = len(args[2])
	} else {
		if !c.checkStringLength(int64(len(s.B)), int64(len(args[2]))) {
			return
		}
		s.SetRaw()
		s.B = append(s.B, args[2]...)
		n = len(s.B)
	}
	db.Written(key)
	c.notify(keyspace.ClassString, "append", key)
	c.writeInt(int64(n))
}

func cmdStrlen(c *conn, args [][]byte) {
	s, ok := c.stringOf(c.lookupRead(args[1]))
	if ok {
		if s == nil {
			c.writeInt(0)
		} else {
			c.writeInt(int64(len(s.B)))
		}
	}
}

// cmdGetRange is GETRANGE and SUBSTR.
func cmdGetRange(c *conn, args [][]byte) {
	start, ok1 := parseInteger(args[2])
	end, ok2 := parseInteger(args[3])
	if !ok1 || !ok2 {
		c.writeError(errNotInteger)
		return
	}
	s, ok := c.stringOf(c.lookupRead(args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.writeBulk(nil)
		return
	}
	n := int64(len(s.B))
	if start < 0 && end < 0 && start > end {
		c.writeBulk(nil)
		return
	}
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.writeBulk(nil)
		return
	}
	c.writeBulk(s.B[start : end+1])
}

func cmdSetRange(c *conn, args [][]byte) {
	offset, ok := parseInteger(args[2])
	if !ok {
		c.writeError(errNotInteger)
		return
	}
	if offset < 0 {
		c.writeError(errOffsetRange)
		return
	}
	value := args[3]
	key := string(args[1])
	db := c.keyspaceDB()
	e := db.Lookup(key)
	s, ok := c.stringOf(e)
	if !ok {
		return
	}
	if s == nil {
		if len(value) == 0 {
			c.writeInt(0)
			return
		}
		if !c.checkStringLength(offset, int64(len(value))) {
			return
		}
		s = keyspace.NewStringEncoded(make([]byte, offset+int64(len(value))), keyspace.EncodingRaw)
		c.setKey(key, s, false, false)
	} else {
		if len(value) == 0 {
			c.writeInt(int64(len(s.B)))
			return
		}
		if !c.checkStringLength(offset, int64(len(value))) {
			return
		}
		s.SetRaw()
		s.B = growZero(s.B, int(offset)+len(value))
	}
	copy(s.B[offset:], value)
	db.Written(key)
	c.notify(keyspace.ClassString, "setrange", key)
	c.writeInt(int64(len(s.B)))
}

// growZero extends b with zero bytes to at least n bytes.
func growZero(b []byte, n int) []byte {
	if len(b) >= n {
		return b
	}
	return append(b, make([]byte, n-len(b))...)
}

// bitOffset is Redis's getBitOffsetFromArgument (without the #N form):
// false after the error, which it writes.
func (c *conn) bitOffset(arg []byte) (int64, bool) {
	off, ok := parseInteger(arg)
	if !ok || off < 0 || off>>3 >= c.srv.settings().protoMaxBulkLen {
		c.writeError(errBitOffset)
		return 0, false
	}
	return off, true
}

func cmdSetBit(c *conn, args [][]byte) {
	off, ok := c.bitOffset(args[2])
	if !ok {
		return
	}
	on, ok := parseInteger(args[3])
	if !ok || on&^1 != 0 {
		c.writeError(errBitValue)
		return
	}
	key := string(args[1])
	db := c.keyspaceDB()
	e := db.Lookup(key)
	s, ok := c.stringOf(e)
	if !ok {
		return
	}
	byteIdx := int(off >> 3)
	dirty := false
	if s == nil {
		s = keyspace.NewStringEncoded(make([]byte, byteIdx+1), keyspace.EncodingRaw)
		c.setKey(key, s, false, false)
		dirty = true
	} else {
		s.SetRaw()
		old := len(s.B)
		s.B = growZero(s.B, byteIdx+1)
		dirty = old != len(s.B)
	}
	bit := uint(7 - off&7)
	bitval := s.B[byteIdx] >> bit & 1
	if dirty || int64(bitval) != on {
		s.B[byteIdx] = s.B[byteIdx]&^(1<<bit) | byte(on)<<bit
		db.Written(key)
		c.notify(keyspace.ClassString, "setbit", key)
	}
	c.writeInt(int64(bitval))
}

func cmdGetBit(c *conn, args [][]byte) {
	off, ok := c.bitOffset(args[2])
	if !ok {
		return
	}
	s, ok := c.stringOf(c.lookupRead(args[1]))
	if !ok {
		return
	}
	var bitval byte
	if s != nil && off>>3 < int64(len(s.B)) {
		bitval = s.B[off>>3] >> uint(7-off&7) & 1
	}
	c.writeInt(int64(bitval))
}

func cmdBitCount(c *conn, args [][]byte) {
	s, ok := c.stringOf(c.lookupRead(args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.writeInt(0)
		return
	}
	p := s.B
	var start, end int64
	var firstMask, lastMask byte
	switch len(args) {
	case 2:
		start, end = 0, int64(len(p))-1
	case 4, 5:
		var ok1, ok2 bool
		start, ok1 = parseInteger(args[2])
		if !ok1 {
			c.writeError(errNotInteger)
			return
		}
		end, ok2 = parseInteger(args[3])
		if !ok2 {
			c.writeError(errNotInteger)
			return
		}
		if start < 0 && end < 0 && start > end {
			c.writeInt(0)
			return
		}
		isBit := false
		if len(args) == 5 {
			switch string(lowerASCIIBytes([]byte(cString(args[4])))) {
			case "bit":
				isBit = true
			case "byte":
			default:
				c.writeError(errSyntax)
				return
			}
		}
		total := int64(len(p))
		if isBit {
			total <<= 3
		}
		if start < 0 {
			start += total
		}
		if end < 0 {
			end += total
		}
		start, end = max(start, 0), max(end, 0)
		if end >= total {
			end = total - 1
		}
		if isBit && start <= end {
			firstMask = ^byte((1<<(8-(start&7)))-1) & 0xff
			lastMask = byte((1 << (7 - (end & 7))) - 1)
			start >>= 3
			end >>= 3
		}
	default:
		c.writeError(errSyntax)
		return
	}
	if start > end {
		c.writeInt(0)
		return
	}
	count := popcount(p[start : end+1])
	count -= int64(bits.OnesCount8(p[start]&firstMask) + bits.OnesCount8(p[end]&lastMask))
	c.writeInt(count)
}

func popcount(b []byte) int64 {
	var n int
	for len(b) >= 8 {
		n += bits.OnesCount64(uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56)
		b = b[8:]
	}
	for _, x := range b {
		n += bits.OnesCount8(x)
	}
	return int64(n)
}
