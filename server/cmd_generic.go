package server

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/heraldhq/herald/internal/glob"
	"github.com/heraldhq/herald/keyspace"
)

// The generic key commands, as Redis 7.0's db.c, expire.c and object.c:
// DEL, UNLINK, EXISTS, TYPE, the EXPIRE and TTL families, PERSIST,
// RENAME(NX), COPY, MOVE, TOUCH, KEYS, SCAN, RANDOMKEY and OBJECT. They
// work on values of every type. Every handler runs with the keyspace lock
// held. RENAME, COPY and MOVE add keys as Redis's dbAdd does: "new" is
// notified and clients blocked on the key are served after the command.

func registerGeneric(t commandTable) {
	add := func(name string, arity int, run func(*conn, [][]byte)) {
		t.add(&command{name: name, arity: arity, flags: flagKeyspace, run: run, meta: genericMeta[name]})
	}
	add("del", -2, cmdDel)
	add("unlink", -2, cmdDel)
	add("exists", -2, cmdExists)
	add("type", 2, cmdType)
	add("expire", -3, cmdExpire)
	add("pexpire", -3, cmdExpire)
	add("expireat", -3, cmdExpire)
	add("pexpireat", -3, cmdExpire)
	add("ttl", 2, cmdTTL)
	add("pttl", 2, cmdTTL)
	add("expiretime", 2, cmdTTL)
	add("pexpiretime", 2, cmdTTL)
	add("persist", 2, cmdPersist)
	add("rename", 3, cmdRename)
	add("renamenx", 3, cmdRename)
	add("copy", -3, cmdCopy)
	add("move", 3, cmdMove)
	add("touch", -2, cmdTouch)
	add("keys", 2, cmdKeys)
	add("scan", -2, cmdScan)
	add("randomkey", 1, cmdRandomKey)

	object := t.add(&command{name: "object", arity: -2, meta: genericMeta["object"]})
	sub := func(name string, arity int, run func(*conn, [][]byte)) {
		object.addSub(&command{name: name, arity: arity, flags: flagKeyspace, run: run, meta: genericMeta["object|"+name]})
	}
	sub("encoding", 3, cmdObject)
	sub("freq", 3, cmdObject)
	sub("idletime", 3, cmdObject)
	sub("refcount", 3, cmdObject)
	sub("help", 2, func(c *conn, _ [][]byte) { c.writeHelp(helpObject) })
}

// Lookups, as Redis's lookupKey* (db.c). Lazy expiry happens in all of
// them. A read lookup counts a keyspace hit or miss and raises "keymiss"
// (class m) on a miss; a write lookup does neither.

// lookupRead is lookupKeyRead: for commands that read the value.
func (c *conn) lookupRead(key []byte) *keyspace.Entry {
	e := c.keyspaceDB().LookupBytes(key)
	c.countRead(key, e, true)
	return e
}

// lookupReadNoTouch is lookupKeyReadWithFlags(LOOKUP_NOTOUCH): EXISTS,
// TYPE, TTL; the access time stays.
func (c *conn) lookupReadNoTouch(key []byte) *keyspace.Entry {
	e := c.keyspaceDB().PeekBytes(key)
	c.countRead(key, e, true)
	return e
}

func (c *conn) countRead(key []byte, e *keyspace.Entry, notify bool) {
	c.srv.ks.CountLookup(e != nil)
	if e == nil && notify {
		c.notify(keyspace.ClassKeyMiss, "keymiss", string(key))
	}
}

func cmdDel(c *conn, args [][]byte) {
	db := c.keyspaceDB()
	var n int64
	for _, k := range args[1:] {
		key := string(k)
		db.Peek(key) // an expired key goes first, notifying "expired"
		if db.Delete(key) {
			db.Written(key)
			c.notify(keyspace.ClassGeneric, "del", key)
			n++
		}
	}
	c.writeInt(n)
}

func cmdExists(c *conn, args [][]byte) {
	var n int64
	for _, k := range args[1:] {
		if c.lookupReadNoTouch(k) != nil {
			n++
		}
	}
	c.writeInt(n)
}

func cmdType(c *conn, args [][]byte) {
	if e := c.lookupReadNoTouch(args[1]); e != nil {
		c.writeSimple(e.Value.Type())
	} else {
		c.writeSimple("none")
	}
}

// cmdExpire is EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT key time
// [NX|XX|GT|LT], as Redis's expireGenericCommand.
func cmdExpire(c *conn, args [][]byte) {
	name := string(lowerASCIIBytes(args[0]))
	var nx, xx, gt, lt bool
	for _, a := range args[3:] {
		switch lowerASCII(cString(a)) {
		case "nx":
			nx = true
		case "xx":
			xx = true
		case "gt":
			gt = true
		case "lt":
			lt = true
		default:
			c.writeError(sanitize(fmt.Sprintf(errUnsupportedOptFmt, cString(a))))
			return
		}
	}
	if nx && (xx || gt || lt) {
		c.writeError(errExpireNXXX)
		return
	}
	if gt && lt {
		c.writeError(errExpireGTLT)
		return
	}
	when, ok := parseInteger(args[2])
	if !ok {
		c.writeError(errNotInteger)
		return
	}
	invalid := fmt.Sprintf(errInvalidExpireFmt, name)
	if name == "expire" || name == "expireat" {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.writeError(invalid)
			return
		}
		when *= 1000
	}
	var base int64
	if name == "expire" || name == "pexpire" {
		base = c.srv.ks.Now()
	}
	if when > math.MaxInt64-base {
		c.writeError(invalid)
		return
	}
	when += base
	key := string(args[1])
	db := c.keyspaceDB()
	e := db.Lookup(key)
	if e == nil {
		c.writeInt(0)
		return
	}
	current := e.ExpireAt // 0: none
	switch {
	case nx && current != 0,
		xx && current == 0,
		gt && (current == 0 || when <= current),
		lt && current != 0 && when >= current:
		c.writeInt(0)
		return
	}
	if when <= c.srv.ks.Now() && !c.srv.ks.Loading() { // Redis's checkAlreadyExpired
		db.Delete(key)
		db.Written(key)
		c.notify(keyspace.ClassGeneric, "del", key)
	} else {
		db.SetExpire(key, e, when)
		db.Written(key)
		c.notify(keyspace.ClassGeneric, "expire", key)
	}
	c.writeInt(1)
}

// cmdTTL is TTL, PTTL, EXPIRETIME and PEXPIRETIME.
func cmdTTL(c *conn, args [][]byte) {
	e := c.lookupReadNoTouch(args[1])
	if e == nil {
		c.writeInt(-2)
		return
	}
	if e.ExpireAt == 0 {
		c.writeInt(-1)
		return
	}
	name := lowerASCII(string(args[0]))
	ttl := e.ExpireAt
	if !strings.HasSuffix(name, "time") {
		ttl = max(ttl-c.srv.ks.Now(), 0)
	}
	if name[0] != 'p' {
		ttl = (ttl + 500) / 1000
	}
	c.writeInt(ttl)
}

func cmdPersist(c *conn, args [][]byte) {
	key := string(args[1])
	db := c.keyspaceDB()
	e := db.Lookup(key)
	if e == nil || e.ExpireAt == 0 {
		c.writeInt(0)
		return
	}
	db.SetExpire(key, e, 0)
	db.Written(key)
	c.notify(keyspace.ClassGeneric, "persist", key)
	c.writeInt(1)
}

// cmdRename is RENAME and RENAMENX.
func cmdRename(c *conn, args [][]byte) {
	nx := len(args[0]) == 8
	src, dst := string(args[1]), string(args[2])
	db := c.keyspaceDB()
	e := db.Lookup(src)
	if e == nil {
		c.writeError(errNoSuchKey)
		return
	}
	if src == dst {
		if nx {
			c.writeInt(0)
		} else {
			c.writeOK()
		}
		return
	}
	if db.Lookup(dst) != nil {
		if nx {
			c.writeInt(0)
			return
		}
		db.Delete(dst)
	}
	v, expireAt := e.Value, e.ExpireAt
	ne := db.Add(dst, v)
	c.notify(keyspace.ClassNew, "new", dst)
	c.srv.signalKeyAsReady(c.db, dst)
	if expireAt != 0 {
		db.SetExpire(dst, ne, expireAt)
	}
	db.Delete(src)
	db.Written(src)
	db.Written(dst)
	c.notify(keyspace.ClassGeneric, "rename_from", src)
	c.notify(keyspace.ClassGeneric, "rename_to", dst)
	if nx {
		c.writeInt(1)
	} else {
		c.writeOK()
	}
}

// parseDBIndex parses a database number as Redis's getIntFromObjectOrReply
// and selectDb: false after the error, which it writes.
func (c *conn) parseDBIndex(arg []byte) (int, bool) {
	id, ok := parseInteger(arg)
	switch {
	case !ok:
		c.writeError(errNotInteger)
	case id < math.MinInt32 || id > math.MaxInt32:
		c.writeError(errIntRange)
	case id < 0 || id >= keyspace.NumDatabases:
		c.writeError(errDBIndex)
	default:
		return int(id), true
	}
	return 0, false
}

func cmdMove(c *conn, args [][]byte) {
	id, ok := c.parseDBIndex(args[2])
	if !ok {
		return
	}
	if id == c.db {
		c.writeError(errSameObject)
		return
	}
	key := string(args[1])
	src, dst := c.keyspaceDB(), c.srv.ks.DB(id)
	e := src.Lookup(key)
	if e == nil || dst.Lookup(key) != nil {
		c.writeInt(0)
		return
	}
	ne := dst.Add(key, e.Value)
	c.srv.ks.Notify(id, keyspace.ClassNew, "new", key)
	c.srv.signalKeyAsReady(id, key)
	if e.ExpireAt != 0 {
		dst.SetExpire(key, ne, e.ExpireAt)
	}
	src.Delete(key)
	src.Written(key)
	dst.Written(key)
	c.notify(keyspace.ClassGeneric, "move_from", key)
	c.srv.ks.Notify(id, keyspace.ClassGeneric, "move_to", key)
	c.writeInt(1)
}

// cmdCopy is COPY source destination [DB destination-db] [REPLACE].
func cmdCopy(c *conn, args [][]byte) {
	dstID, replace := c.db, false
	for j := 3; j < len(args); j++ {
		switch opt := lowerASCII(cString(args[j])); {
		case opt == "replace":
			replace = true
		case opt == "db" && j+1 < len(args):
			id, ok := c.parseDBIndex(args[j+1])
			if !ok {
				return
			}
			dstID = id
			j++
		default:
			c.writeError(errSyntax)
			return
		}
	}
	src, dst := string(args[1]), string(args[2])
	if dstID == c.db && src == dst {
		c.writeError(errSameObject)
		return
	}
	e := c.lookupRead(args[1])
	if e == nil {
		c.writeInt(0)
		return
	}
	dstDB := c.srv.ks.DB(dstID)
	exists := dstDB.Lookup(dst) != nil
	if exists && !replace {
		c.writeInt(0)
		return
	}
	copied, ok := copyValue(e.Value)
	if !ok {
		c.writeError(fmt.Sprintf(errUnsupportedFmt, "COPY of a "+e.Value.Type()))
		return
	}
	if exists {
		dstDB.Delete(dst)
	}
	ne := dstDB.Add(dst, copied)
	c.srv.ks.Notify(dstID, keyspace.ClassNew, "new", dst)
	c.srv.signalKeyAsReady(dstID, dst)
	if e.ExpireAt != 0 {
		dstDB.SetExpire(dst, ne, e.ExpireAt)
	}
	dstDB.Written(dst)
	c.srv.ks.Notify(dstID, keyspace.ClassGeneric, "copy_to", dst)
	c.writeInt(1)
}

// copyValue returns a deep copy of v by its Copy method: every value type
// implements keyspace.Copier.
func copyValue(v keyspace.Value) (keyspace.Value, bool) {
	if c, ok := v.(keyspace.Copier); ok {
		return c.Copy(), true
	}
	return nil, false
}

func cmdTouch(c *conn, args [][]byte) {
	var n int64
	for _, k := range args[1:] {
		if c.lookupRead(k) != nil {
			n++
		}
	}
	c.writeInt(n)
}

// cmdKeys is KEYS pattern: the keys not expired that match, in no
// particular order (Redis's is its hash table's).
func cmdKeys(c *conn, args [][]byte) {
	pattern := string(args[1])
	all := pattern == "*"
	var keys []string
	c.keyspaceDB().Keys(func(key string, _ *keyspace.Entry) bool {
		if all || glob.MatchString(pattern, key) {
			keys = append(keys, key)
		}
		return true
	})
	c.writeBulkStrings(keys)
}

// cmdRandomKey is RANDOMKEY: a key not expired, picked where Go's map
// iteration starts, or null.
func cmdRandomKey(c *conn, _ [][]byte) {
	var found string
	ok := false
	c.keyspaceDB().Keys(func(key string, _ *keyspace.Entry) bool {
		found, ok = key, true
		return false
	})
	if ok {
		c.writeBulkString(found)
	} else {
		c.writeNull()
	}
}

// cmdObject is OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT key.
func cmdObject(c *conn, args [][]byte) {
	e := c.keyspaceDB().Peek(string(args[2]))
	c.countRead(args[2], e, false)
	if e == nil {
		c.writeNull()
		return
	}
	switch lowerASCII(string(args[1])) {
	case "encoding":
		c.writeBulkString(e.Value.Encoding())
	case "refcount":
		if s, ok := e.Value.(*keyspace.String); ok && s.Shared() && c.sharedIntegers() {
			c.writeInt(math.MaxInt32)
		} else {
			c.writeInt(1)
		}
	case "idletime":
		if c.lfuPolicy() {
			c.writeError(errLFUNoIdle)
			return
		}
		c.writeInt(c.keyspaceDB().Idle(e) / 1000)
	case "freq":
		if !c.lfuPolicy() {
			c.writeError(errNoLFU)
			return
		}
		// LFUDecrAndReturn: the counter less one per minute idle.
		idle := c.keyspaceDB().Idle(e) / 60000
		c.writeInt(max(int64(e.Freq())-idle, 0))
	}
}

// sharedIntegers reports whether Redis would hold small integers as its
// shared objects: not with a maxmemory and an LRU or LFU policy, which
// need each value's own access time. (Redis decides when it stores the
// value; Herald when OBJECT REFCOUNT asks.)
func (c *conn) sharedIntegers() bool {
	switch c.srv.evictionPolicy() {
	case keyspace.AllKeysLRU, keyspace.VolatileLRU, keyspace.AllKeysLFU, keyspace.VolatileLFU:
		return c.srv.settings().MaxMemory == 0
	}
	return true
}

// lfuPolicy reports whether maxmemory-policy is an LFU one.
func (c *conn) lfuPolicy() bool { return c.srv.evictionPolicy().LFU() }

// helpObject is OBJECT HELP as redis-server 7.0.15 prints it.
var helpObject = []string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

// infoKeyspace writes INFO's Keyspace section: a line for each database
// with keys. avg_ttl is estimated from a sample, as Redis estimates it.
// Keyspace lock held.
func (s *Server) infoKeyspace(b *infoBuilder) {
	for i := range keyspace.NumDatabases {
		db := s.ks.DB(i)
		if db.Len() == 0 {
			continue
		}
		var sum, n int64
		if db.Expires() > 0 {
			now, seen := s.ks.Now(), 0
			db.Keys(func(_ string, e *keyspace.Entry) bool {
				seen++
				if e.ExpireAt != 0 {
					sum += e.ExpireAt - now
					n++
				}
				return n < 100 && seen < 1000
			})
		}
		var avg int64
		if n > 0 {
			avg = sum / n
		}
		b.add("db"+strconv.Itoa(i), fmt.Sprintf("keys=%d,expires=%d,avg_ttl=%d", db.Len(), db.Expires(), avg))
	}
}

// SCAN's cursor. Redis's cursor walks its hash table in reverse-binary
// order so that a key present for a whole scan is returned at least once,
// whatever rehashing happens. Herald's keys live in a Go map, whose order
// is neither stable nor exposed, so the cursor is a position in the order
// of a fixed 64-bit hash of the keys: a call returns the keys whose hash
// is at least the cursor, in hash order, and the next cursor is one past
// the last hash returned (0 when there is none left). Keys with equal
// hashes are returned by the same call. A key present for the whole scan
// has a hash the cursor passes exactly once, so it is returned exactly
// once; keys added or removed during the scan may or may not be.
//
// To find the keys at a cursor without sorting the database on every
// call, each database keeps a snapshot of its keys sorted by hash, taken
// when a scan starts (cursor 0) or when none is at hand, and dropped when
// a scan completes. Any snapshot taken during a scan holds every key
// present for the whole scan, so whichever snapshot a call uses, the
// guarantee holds; keys deleted since are skipped as the call checks each
// key against the database. A snapshot costs a string header and a hash
// per key.

var scanSeed = maphash.MakeSeed()

type scanEntry struct {
	hash uint64
	key  string
}

// scanSnapshots holds a database's snapshot, by database; the map is
// guarded by scanMu, a snapshot by its database's keyspace lock.
var (
	scanMu        sync.Mutex
	scanSnapshots = map[*keyspace.DB][]scanEntry{}
)

func scanSnapshot(db *keyspace.DB, fresh bool) []scanEntry {
	scanMu.Lock()
	defer scanMu.Unlock()
	if snap, ok := scanSnapshots[db]; ok && !fresh {
		return snap
	}
	snap := make([]scanEntry, 0, db.Len())
	db.Keys(func(key string, _ *keyspace.Entry) bool {
		snap = append(snap, scanEntry{maphash.String(scanSeed, key), key})
		return true
	})
	slices.SortFunc(snap, func(a, b scanEntry) int { return cmp.Compare(a.hash, b.hash) })
	scanSnapshots[db] = snap
	return snap
}

func dropScanSnapshot(db *keyspace.DB) {
	scanMu.Lock()
	delete(scanSnapshots, db)
	scanMu.Unlock()
}

// parseCursor parses a SCAN cursor as Redis's parseScanCursorOrReply, with
// strtoul: an optional sign (a negative cursor wraps), decimal digits, no
// leading space; "" is 0.
func parseCursor(arg []byte) (uint64, bool) {
	if len(arg) > 0 && isCSpaceByte(arg[0]) {
		return 0, false
	}
	s := cString(arg)
	if s == "" {
		return 0, true
	}
	neg := s[0] == '-'
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
	}
	return v, true
}

func isCSpaceByte(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r'
}

// cmdScan is SCAN cursor [MATCH pattern] [COUNT count] [TYPE type].
func cmdScan(c *conn, args [][]byte) {
	cursor, ok := parseCursor(args[1])
	if !ok {
		c.writeError(errInvalidCursor)
		return
	}
	count := int64(10)
	var pattern, typeName string
	usePattern := false
	for i := 2; i < len(args); i += 2 {
		if i+1 >= len(args) {
			c.writeError(errSyntax)
			return
		}
		switch lowerASCII(cString(args[i])) {
		case "count":
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
		case "match":
			pattern = string(args[i+1])
			usePattern = pattern != "*"
		case "type":
			typeName = cString(args[i+1])
		default:
			c.writeError(errSyntax)
			return
		}
	}
	db := c.keyspaceDB()
	snap := scanSnapshot(db, cursor == 0)
	i, _ := slices.BinarySearchFunc(snap, cursor, func(e scanEntry, t uint64) int { return cmp.Compare(e.hash, t) })
	var keys []string
	visited := int64(0)
	for ; i < len(snap) && (visited < count || snap[i].hash == snap[i-1].hash); i++ {
		visited++
		key := snap[i].key
		if usePattern && !glob.MatchString(pattern, key) {
			continue
		}
		if typeName != "" {
			e := c.lookupReadNoTouch([]byte(key))
			t := "none"
			if e != nil {
				t = e.Value.Type()
			}
			if !equalFoldASCII(t, typeName) {
				continue
			}
		}
		if db.Peek(key) == nil {
			continue
		}
		keys = append(keys, key)
	}
	next := uint64(0)
	if i < len(snap) {
		next = snap[i-1].hash + 1
	} else {
		dropScanSnapshot(db)
	}
	c.writeArrayLen(2)
	c.writeBulkString(strconv.FormatUint(next, 10))
	c.writeBulkStrings(keys)
}
