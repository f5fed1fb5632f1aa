package server

import (
	"slices"

	"github.com/heraldhq/herald/keyspace"
)

// The set commands, exact to Redis 7.0 (t_set.c): replies, errors and
// keyspace notifications. The value is keyspace.Set, which keeps Redis
// 7.0's intset/hashtable encoding rules and an intset's ascending order.

func registerSet(t commandTable) {
	add := func(name string, arity int, run func(*conn, [][]byte)) {
		t.add(&command{name: name, arity: arity, flags: flagKeyspace, run: run, meta: setMeta[name]})
	}
	add("sadd", -3, cmdSAdd)
	add("srem", -3, cmdSRem)
	add("smove", 4, cmdSMove)
	add("sismember", 3, cmdSIsMember)
	add("smismember", -3, cmdSMIsMember)
	add("scard", 2, cmdSCard)
	add("spop", -2, cmdSPop)
	add("srandmember", -2, cmdSRandMember)
	add("smembers", 2, func(c *conn, args [][]byte) { setInter(c, args[1:], "", false, false, 0) })
	add("sinter", -2, func(c *conn, args [][]byte) { setInter(c, args[1:], "", false, false, 0) })
	add("sinterstore", -3, func(c *conn, args [][]byte) { setInter(c, args[2:], string(args[1]), true, false, 0) })
	add("sintercard", -3, cmdSInterCard)
	add("sunion", -2, func(c *conn, args [][]byte) { setUnionDiff(c, args[1:], "", false, false) })
	add("sunionstore", -3, func(c *conn, args [][]byte) { setUnionDiff(c, args[2:], string(args[1]), true, false) })
	add("sdiff", -2, func(c *conn, args [][]byte) { setUnionDiff(c, args[1:], "", false, true) })
	add("sdiffstore", -3, func(c *conn, args [][]byte) { setUnionDiff(c, args[2:], string(args[1]), true, true) })
	add("sscan", -3, cmdSScan)
}

// readSet returns key's set for a read command: nil and ok when there is
// none, and !ok, with WRONGTYPE written, when key holds another type.
func (c *conn) readSet(key string) (s *keyspace.Set, ok bool) {
	return asSet(c, c.hsReadEntry(key))
}

// writeSet is readSet for a write command (lookupKeyWrite).
func (c *conn) writeSet(key string) (s *keyspace.Set, ok bool) {
	return asSet(c, c.keyspaceDB().Lookup(key))
}

func asSet(c *conn, e *keyspace.Entry) (*keyspace.Set, bool) {
	if e == nil {
		return nil, true
	}
	s, ok := e.Value.(*keyspace.Set)
	if !ok {
		c.writeError(errWrongType)
	}
	return s, ok
}

// setChanged signals a change of key's set and notifies event.
func (c *conn) setChanged(key, event string) {
	c.keyspaceDB().Written(key)
	c.notify(keyspace.ClassSet, event, key)
}

// deleteEmptySet deletes key, whose set is now empty, and notifies "del".
func (c *conn) deleteEmptySet(key string) {
	c.keyspaceDB().Delete(key)
	c.notify(keyspace.ClassGeneric, "del", key)
}

func cmdSAdd(c *conn, args [][]byte) {
	key := string(args[1])
	s, ok := c.writeSet(key)
	if !ok {
		return
	}
	if s == nil {
		s = keyspace.NewSet(string(args[2]))
		c.hsAdd(key, s)
	}
	added := 0
	for _, m := range args[2:] {
		if s.Add(string(m)) {
			added++
		}
	}
	c.writeInt(int64(added))
	if added > 0 {
		c.setChanged(key, "sadd")
	}
}

func cmdSRem(c *conn, args [][]byte) {
	key := string(args[1])
	s, ok := c.writeSet(key)
	if !ok {
		return
	}
	if s == nil {
		c.writeInt(0)
		return
	}
	removed, gone := 0, false
	for _, m := range args[2:] {
		if s.Remove(string(m)) {
			removed++
			if s.Len() == 0 {
				c.keyspaceDB().Delete(key)
				gone = true
				break
			}
		}
	}
	c.writeInt(int64(removed))
	if removed > 0 {
		c.setChanged(key, "srem")
		if gone {
			c.notify(keyspace.ClassGeneric, "del", key)
		}
	}
}

func cmdSMove(c *conn, args [][]byte) {
	srcKey, dstKey, m := string(args[1]), string(args[2]), string(args[3])
	db := c.keyspaceDB()
	srcEntry, dstEntry := db.Lookup(srcKey), db.Lookup(dstKey)
	if srcEntry == nil {
		c.writeInt(0)
		return
	}
	src, ok := asSet(c, srcEntry)
	if !ok {
		return
	}
	dst, ok := asSet(c, dstEntry)
	if !ok {
		return
	}
	if srcKey == dstKey {
		if src.Has(m) {
			c.writeInt(1)
		} else {
			c.writeInt(0)
		}
		return
	}
	if !src.Remove(m) {
		c.writeInt(0)
		return
	}
	c.notify(keyspace.ClassSet, "srem", srcKey)
	if src.Len() == 0 {
		c.deleteEmptySet(srcKey)
	}
	if dst == nil {
		dst = keyspace.NewSet(m)
		c.hsAdd(dstKey, dst)
	}
	db.Written(srcKey)
	if dst.Add(m) {
		c.setChanged(dstKey, "sadd")
	}
	c.writeInt(1)
}

func cmdSIsMember(c *conn, args [][]byte) {
	s, ok := c.readSet(string(args[1]))
	if !ok {
		return
	}
	if s != nil && s.Has(string(args[2])) {
		c.writeInt(1)
	} else {
		c.writeInt(0)
	}
}

func cmdSMIsMember(c *conn, args [][]byte) {
	s, ok := c.readSet(string(args[1]))
	if !ok {
		return
	}
	c.writeArrayLen(len(args) - 2)
	for _, m := range args[2:] {
		if s != nil && s.Has(string(m)) {
			c.writeInt(1)
		} else {
			c.writeInt(0)
		}
	}
}

func cmdSCard(c *conn, args [][]byte) {
	s, ok := c.readSet(string(args[1]))
	if !ok {
		return
	}
	if s == nil {
		c.writeInt(0)
		return
	}
	c.writeInt(int64(s.Len()))
}

func cmdSPop(c *conn, args [][]byte) {
	key := string(args[1])
	if len(args) > 3 {
		c.writeError(errSyntax)
		return
	}
	if len(args) == 3 {
		setPopCount(c, key, args[2])
		return
	}
	s, ok := c.writeSet(key)
	if !ok {
		return
	}
	if s == nil {
		c.writeNull()
		return
	}
	m := s.Random()
	s.Remove(m)
	c.propagate([]byte("SREM"), args[1], []byte(m)) // the member chosen, not SPOP (aof.go)
	c.notify(keyspace.ClassSet, "spop", key)
	c.writeBulkString(m)
	if s.Len() == 0 {
		c.deleteEmptySet(key)
	}
	c.keyspaceDB().Written(key)
}

// setPopCount is SPOP key count.
func setPopCount(c *conn, key string, arg []byte) {
	count, ok := parseInteger(arg)
	if !ok || count < 0 {
		c.writeError(errPopCountRange)
		return
	}
	s, ok := c.writeSet(key)
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.writeSetLen(0)
		return
	}
	c.notify(keyspace.ClassSet, "spop", key)
	if count >= int64(s.Len()) {
		// The whole set, as SUNION of it replies (an intset ascending).
		writeSetMembers(c, unionOf([]*keyspace.Set{s}))
		c.propagate([]byte("DEL"), []byte(key))
		c.deleteEmptySet(key)
		c.keyspaceDB().Written(key)
		return
	}
	members := s.RandomDistinct(int(count))
	c.writeSetLen(len(members))
	srem := [][]byte{[]byte("SREM"), []byte(key)}
	for _, m := range members {
		s.Remove(m)
		c.writeBulkString(m)
		srem = append(srem, []byte(m))
	}
	c.propagate(srem...)
	c.keyspaceDB().Written(key)
}

func cmdSRandMember(c *conn, args [][]byte) {
	if len(args) > 3 {
		c.writeError(errSyntax)
		return
	}
	if len(args) == 2 {
		s, ok := c.readSet(string(args[1]))
		if !ok {
			return
		}
		if s == nil {
			c.writeNull()
			return
		}
		c.writeBulkString(s.Random())
		return
	}
	count, ok := hsParseRandomCount(c, args[2])
	if !ok {
		return
	}
	s, ok := c.readSet(string(args[1]))
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.writeArrayLen(0)
		return
	}
	switch {
	case count < 0:
		c.writeArrayLen(int(-count))
		for range -count {
			c.writeBulkString(s.Random())
		}
	case count >= int64(s.Len()):
		c.writeArrayLen(s.Len())
		s.Each(func(m string) bool {
			c.writeBulkString(m)
			return true
		})
	default:
		c.writeBulkStrings(s.RandomDistinct(int(count)))
	}
}

// setSources looks the source keys of SINTER, SUNION and SDIFF up, in
// order: a missing key is a nil set. It reports false, with WRONGTYPE
// written, if one holds another type. Redis 7.0 looks them up as a read
// command does (keymiss), the STORE forms' too.
func setSources(c *conn, keys [][]byte) ([]*keyspace.Set, bool) {
	sets := make([]*keyspace.Set, len(keys))
	for i, k := range keys {
		e := c.hsReadEntry(string(k))
		if e == nil {
			continue
		}
		s, ok := e.Value.(*keyspace.Set)
		if !ok {
			c.writeError(errWrongType)
			return nil, false
		}
		sets[i] = s
	}
	return sets, true
}

// setInter is SMEMBERS, SINTER, SINTERSTORE (store, in dst) and, with
// cardOnly, SINTERCARD with its limit (0: none).
func setInter(c *conn, keys [][]byte, dst string, store, cardOnly bool, limit int64) {
	sets, ok := setSources(c, keys)
	if !ok {
		return
	}
	if slices.Contains(sets, nil) {
		switch {
		case store:
			if c.keyspaceDB().Delete(dst) {
				c.keyspaceDB().Written(dst)
				c.notify(keyspace.ClassGeneric, "del", dst)
			}
			c.writeInt(0)
		case cardOnly:
			c.writeInt(0)
		default:
			c.writeSetLen(0)
		}
		return
	}
	// Walk the smallest set, testing the others, as Redis does.
	slices.SortStableFunc(sets, func(a, b *keyspace.Set) int { return a.Len() - b.Len() })
	var found []string
	sets[0].Each(func(m string) bool {
		for _, other := range sets[1:] {
			if other != sets[0] && !other.Has(m) {
				return true
			}
		}
		found = append(found, m)
		return !cardOnly || limit == 0 || int64(len(found)) < limit
	})
	switch {
	case cardOnly:
		c.writeInt(int64(len(found)))
	case store:
		result := keyspace.NewIntSet()
		for _, m := range found {
			result.Add(m)
		}
		storeSetResult(c, dst, result, "sinterstore")
	default:
		c.writeSetLen(len(found))
		for _, m := range found {
			c.writeBulkString(m)
		}
	}
}

// storeSetResult stores the result of a STORE command in dst, or deletes
// dst when it is empty, replying with its size.
func storeSetResult(c *conn, dst string, result *keyspace.Set, event string) {
	db := c.keyspaceDB()
	if result.Len() == 0 {
		c.writeInt(0)
		if db.Delete(dst) {
			db.Written(dst)
			c.notify(keyspace.ClassGeneric, "del", dst)
		}
		return
	}
	existed := db.Lookup(dst) != nil
	db.Set(dst, result, false)
	if !existed {
		c.notify(keyspace.ClassNew, "new", dst)
	}
	db.Written(dst)
	c.writeInt(int64(result.Len()))
	c.notify(keyspace.ClassSet, event, dst)
}

// unionOf returns the union of sets (nil ones are empty) built as Redis
// builds it: in a set that starts as an intset.
func unionOf(sets []*keyspace.Set) *keyspace.Set {
	result := keyspace.NewIntSet()
	for _, s := range sets {
		if s == nil {
			continue
		}
		s.Each(func(m string) bool {
			result.Add(m)
			return true
		})
	}
	return result
}

// diffOf returns the members of the first set in none of the others.
func diffOf(sets []*keyspace.Set) *keyspace.Set {
	result := keyspace.NewIntSet()
	if sets[0] == nil {
		return result
	}
	sets[0].Each(func(m string) bool {
		for _, other := range sets[1:] {
			if other != nil && (other == sets[0] || other.Has(m)) {
				return true
			}
		}
		result.Add(m)
		return true
	})
	return result
}

// setUnionDiff is SUNION, SDIFF and their STORE forms (store, in dst).
func setUnionDiff(c *conn, keys [][]byte, dst string, store, diff bool) {
	sets, ok := setSources(c, keys)
	if !ok {
		return
	}
	var result *keyspace.Set
	if diff {
		result = diffOf(sets)
	} else {
		result = unionOf(sets)
	}
	if !store {
		writeSetMembers(c, result)
		return
	}
	event := "sunionstore"
	if diff {
		event = "sdiffstore"
	}
	storeSetResult(c, dst, result, event)
}

// writeSetMembers writes s's members as a set reply, in s's order.
func writeSetMembers(c *conn, s *keyspace.Set) {
	c.writeSetLen(s.Len())
	s.Each(func(m string) bool {
		c.writeBulkString(m)
		return true
	})
}

func cmdSInterCard(c *conn, args [][]byte) {
	numKeys, ok := parseInteger(args[1])
	if !ok || numKeys < 1 {
		c.writeError(errNumKeysZero)
		return
	}
	if numKeys > int64(len(args)-2) {
		c.writeError(errNumKeysTooMany)
		return
	}
	var limit int64
	for i := 2 + int(numKeys); i < len(args); i++ {
		if equalFoldASCII(string(args[i]), "limit") && i+1 < len(args) {
			i++
			n, ok := parseInteger(args[i])
			if !ok || n < 0 {
				c.writeError(errLimitNegative)
				return
			}
			limit = n
			continue
		}
		c.writeError(errSyntax)
		return
	}
	setInter(c, args[2:2+numKeys], "", false, true, limit)
}

func cmdSScan(c *conn, args [][]byte) {
	cursor, ok := hsParseScanCursor(args[2])
	if !ok {
		c.writeError(errInvalidCursor)
		return
	}
	s, ok := c.readSet(string(args[1]))
	if !ok {
		return
	}
	if s == nil {
		hsWriteEmptyScan(c)
		return
	}
	opts, ok := hsParseScanOptions(c, args[3:])
	if !ok {
		return
	}
	var found []string
	next := s.Scan(cursor, opts.count, func(m string) {
		if opts.match(m) {
			found = append(found, m)
		}
	})
	hsWriteScanReply(c, next, found)
}
