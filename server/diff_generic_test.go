package server

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// TestDiffGeneric compares the generic key commands: replies, errors and
// notifications, in RESP2 and RESP3.
func TestDiffGeneric(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, needing([]string{"hset"}, sessions(
		forProtocols("del exists type", "a", keyspaceSetup("KEAnm")+`
			a: MSET a 1 b 2 c 3 => 1; s: 12
			a: EXISTS a => 1
			a: EXISTS a a b nope => 1; s: 2
			a: EXISTS nope => 1; s: 2
			a: TYPE a => 1
			a: TYPE nope => 1; s: 2
			a: HSET h f v => 1; s: 4
			a: TYPE h => 1
			a: DEL a nope a => 1; s: 2
			a: UNLINK b h => 1; s: 4
			a: DEL nope => 1
			a: EXISTS a b c => 1; s: 4
			a: DEL => 1
			a: EXISTS => 1
			a: TYPE => 1
			a: TYPE a b => 1
			a: SET k v PXAT 1 => 1; s: 6
			a: DEL k => 1; s: 2
		`),
		forProtocols("expire ttl", "a", keyspaceSetup("KEAnm")+`
			a: SET k v => 1; s: 4
			a: TTL k => 1
			a: PTTL k => 1
			a: EXPIRETIME k => 1
			a: PEXPIRETIME k => 1
			a: TTL nope => 1; s: 2
			a: PTTL nope => 1; s: 2
			a: EXPIRETIME nope => 1; s: 2
			a: PEXPIRETIME nope => 1; s: 2
			a: EXPIRE k 100 => 1; s: 2
			a: TTL k => 1
			a: EXPIRE k 200 NX => 1
			a: EXPIRE k 200 XX => 1; s: 2
			a: TTL k => 1
			a: EXPIRE k 100 GT => 1
			a: EXPIRE k 300 GT => 1; s: 2
			a: TTL k => 1
			a: EXPIRE k 400 LT => 1
			a: EXPIRE k 50 LT => 1; s: 2
			a: TTL k => 1
			a: PEXPIREAT k 99999999990000 => 1; s: 2
			a: PEXPIREAT k 99999999990000 LT XX => 1
			a: PEXPIREAT k 99999999990000 GT XX => 1
			a: PEXPIREAT k 99999999990001 GT XX => 1; s: 2
			a: PEXPIREAT k 99999999990000 LT => 1; s: 2
			a: PERSIST k => 1; s: 2
			a: PERSIST k => 1
			a: PERSIST nope => 1
			a: EXPIRE k 100 XX => 1
			a: EXPIRE k 100 GT => 1
			a: EXPIRE k 100 LT => 1; s: 2
			a: TTL k => 1
			a: PERSIST k => 1; s: 2
			a: EXPIRE k 100 NX => 1; s: 2
			a: EXPIRE nope 100 => 1
			a: EXPIRE k 100 NX XX => 1
			a: EXPIRE k 100 NX GT => 1
			a: EXPIRE k 100 GT LT => 1
			a: EXPIRE k 100 FOO => 1
			a: EXPIRE k 100 "a\x00b" => 1
			a: EXPIRE k abc => 1
			a: EXPIRE k abc FOO => 1
			a: EXPIRE k 1.5 => 1
			a: EXPIRE k 9223372036854775807 => 1
			a: EXPIRE k -9223372036854775808 => 1
			a: EXPIRE k 9223372036854775 => 1
			a: PEXPIRE k 9223372036854775807 => 1
			a: EXPIREAT k 9223372036854775 => 1; s: 2
			a: PEXPIREAT k 9223372036854775807 => 1; s: 2
			a: PEXPIRE k 100000 => 1; s: 2
			a: PTTL k => 1 int
			a: EXPIREAT k 99999999999 => 1; s: 2
			a: EXPIRETIME k => 1
			a: PEXPIREAT k 99999999999999 => 1; s: 2
			a: PEXPIRETIME k => 1
			a: EXPIRETIME k => 1
			a: PEXPIREAT k 99999999999499 => 1; s: 2
			a: EXPIRETIME k => 1
			a: PEXPIREAT k 99999999999500 => 1; s: 2
			a: EXPIRETIME k => 1
			a: EXPIRE k 0 => 1; s: 2
			a: EXISTS k => 1; s: 2
			a: SET k v => 1; s: 4
			a: EXPIRE k -10 => 1; s: 2
			a: SET k v => 1; s: 4
			a: PEXPIRE k -1 => 1; s: 2
			a: SET k v => 1; s: 4
			a: EXPIREAT k 1 => 1; s: 2
			a: SET k v => 1; s: 4
			a: PEXPIREAT k 0 => 1; s: 2
			a: SET k v => 1; s: 4
			a: EXPIRE k 100 => 1; s: 2
			a: EXPIRE k -1 GT => 1
			a: EXPIRE k -1 LT => 1; s: 2
			a: EXISTS k => 1; s: 2
			a: SET k v => 1; s: 4
			a: EXPIRE k -1 GT => 1
			a: EXPIRE k -1 LT => 1; s: 2
			a: EXPIRE k -1 XX => 1
			a: EXPIRE k -1 NX => 1
			a: EXPIRE k => 1
			a: TTL => 1
			a: PERSIST => 1
			a: TTL a b => 1
		`),
		forProtocols("rename", "a", keyspaceSetup("KEAnm")+`
			a: SET a 1 => 1; s: 4
			a: RENAME a b => 1; s: 6
			a: GET b => 1
			a: EXISTS a => 1; s: 2
			a: RENAME nope x => 1
			a: RENAMENX nope x => 1
			a: RENAME b b => 1
			a: RENAMENX b b => 1
			a: SET c 3 => 1; s: 4
			a: RENAMENX b c => 1
			a: RENAME b c => 1; s: 6
			a: GET c => 1
			a: EXPIRE c 100 => 1; s: 2
			a: RENAME c d => 1; s: 6
			a: TTL d => 1
			a: RENAMENX d e => 1; s: 6
			a: TTL e => 1
			a: HSET h f v => 1; s: 4
			a: RENAME h e => 1; s: 6
			a: TYPE e => 1
			a: HGET e f => 1
			a: RENAME a => 1
			a: RENAMENX a b c => 1
		`),
		forProtocols("copy move", "a", keyspaceSetup("KEAnm")+`
			a: SET a 1 => 1; s: 4
			a: COPY a b => 1; s: 4
			a: GET b => 1
			a: COPY a b => 1
			a: SET a 2 => 1; s: 2
			a: COPY a b REPLACE => 1; s: 4
			a: GET b => 1
			a: COPY a a => 1
			a: COPY a a DB 0 => 1
			a: COPY a a DB 1 => 1; s: 4
			a: COPY nope x => 1; s: 2
			a: COPY a x DB 16 => 1
			a: COPY a x DB -1 => 1
			a: COPY a x DB abc => 1
			a: COPY a x DB 99999999999 => 1
			a: COPY a x DB => 1
			a: COPY a x REPLACE BOGUS => 1
			a: COPY a x db 2 replace => 1; s: 4
			a: EXPIRE a 100 => 1; s: 2
			a: COPY a y => 1; s: 4
			a: TTL y => 1
			a: HSET h f1 v1 f2 v2 => 1; s: 4
			a: COPY h h2 => 1; s: 4
			a: HGETALL h2 => 1 pairs
			a: HSET h2 f3 v3 => 1; s: 2
			a: HLEN h => 1
			a: RPUSH l a b c => 1; s: 4
			a: COPY l l2 => 1; s: 4
			a: LRANGE l2 0 -1 => 1
			a: RPUSH l2 d => 1; s: 2
			a: LLEN l => 1
			a: OBJECT ENCODING l2 => 1
			a: MOVE a 1 => 1
			a: MOVE a 1 => 1
			a: MOVE b 0 => 1
			a: MOVE b 16 => 1
			a: MOVE b -1 => 1
			a: MOVE b abc => 1
			a: MOVE b 4294967296 => 1
			a: SET c 3 => 1; s: 4
			a: MOVE c 1 => 1; s: 6
			a: SELECT 1 => 1
			a: GET a => 1
			a: TTL a => 1
			a: GET c => 1
			a: GET x => 1; s: 2
			a: MOVE c 0 => 1; s: 6
			a: SELECT 2 => 1
			a: GET x => 1
			a: COPY x z DB 0 => 1; s: 4
			a: SELECT 0 => 1
			a: GET z => 1
			a: DBSIZE => 1
			a: COPY a => 1
			a: MOVE a => 1
		`),
		forProtocols("touch keys randomkey dbsize", "a", keyspaceSetup("KEAnm")+`
			a: RANDOMKEY => 1
			a: KEYS * => 1
			a: MSET one 1 two 2 three 3 four 4 "" 5 "a*b" 6 "h\xc3\xa9" 7 => 1; s: 28
			a: TOUCH one two nope one => 1; s: 2
			a: TOUCH nope => 1; s: 2
			a: KEYS * => 1 sorted
			a: KEYS t* => 1 sorted
			a: KEYS *o* => 1 sorted
			a: KEYS ?o* => 1 sorted
			a: KEYS [ot]* => 1 sorted
			a: KEYS [^o]* => 1 sorted
			a: KEYS "a\\*b" => 1 sorted
			a: KEYS "h?llo" => 1 sorted
			a: KEYS "h??llo" => 1 sorted
			a: KEYS "" => 1 sorted
			a: KEYS nope => 1
			a: DBSIZE => 1
			a: FLUSHDB => 1
			a: SET only 1 => 1; s: 4
			a: RANDOMKEY => 1
			a: SET gone 1 PXAT 1 => 1; s: 8
			a: KEYS * => 1
			a: GET gone => 1; s: 2
			a: KEYS => 1
			a: KEYS a b => 1
			a: RANDOMKEY x => 1
			a: TOUCH => 1
		`),
		forProtocols("object", "a", keyspaceSetup("KEAnm")+`
			a: SET a 1 => 1; s: 4
			a: OBJECT ENCODING a => 1
			a: OBJECT ENCODING nope => 1
			a: OBJECT REFCOUNT a => 1
			a: OBJECT REFCOUNT nope => 1
			a: OBJECT IDLETIME a => 1 int
			a: OBJECT IDLETIME nope => 1
			a: OBJECT FREQ a => 1
			a: OBJECT FREQ nope => 1
			a: OBJECT HELP => 1
			a: object help => 1
			a: OBJECT HELP x => 1
			a: OBJECT => 1
			a: OBJECT ENCODING => 1
			a: OBJECT ENCODING a b => 1
			a: OBJECT NOPE a => 1
			a: HSET h f v => 1; s: 4
			a: OBJECT ENCODING h => 1
			a: CONFIG SET maxmemory-policy allkeys-lfu => 1
			a: SET lfu value => 1; s: 4
			a: OBJECT FREQ lfu => 1
			a: OBJECT FREQ nope => 1
			a: OBJECT IDLETIME lfu => 1
			a: OBJECT IDLETIME nope => 1
			a: CONFIG SET maxmemory-policy volatile-lfu => 1
			a: OBJECT IDLETIME lfu => 1
			a: CONFIG SET maxmemory-policy noeviction => 1
			a: OBJECT FREQ lfu => 1
			a: SET small 5 => 1; s: 4
			a: CONFIG SET maxmemory 1gb => 1
			a: CONFIG SET maxmemory-policy allkeys-lru => 1
			a: SET small 6 => 1; s: 2
			a: OBJECT REFCOUNT small => 1
			a: CONFIG SET maxmemory-policy allkeys-random => 1
			a: SET small 7 => 1; s: 2
			a: OBJECT REFCOUNT small => 1
			a: CONFIG SET maxmemory 0 => 1
			a: CONFIG SET maxmemory-policy noeviction => 1
			a: OBJECT REFCOUNT small => 1
		`),
		forProtocols("databases", "a", keyspaceSetup("KEAnm")+`
			a: SELECT 3 => 1
			a: SET k v => 1; s: 4
			a: EXPIRE k 100 => 1; s: 2
			a: DEL k => 1; s: 2
			a: SET k v => 1; s: 4
			a: MOVE k 5 => 1; s: 6
			a: SELECT 5 => 1
			a: RENAME k k2 => 1; s: 6
			a: COPY k2 k3 DB 7 => 1; s: 4
			a: INFO keyspace => 1
			a: FLUSHALL => 1
			a: INFO keyspace => 1
			a: SET x 1 => 1; s: 4
			a: SELECT 9 => 1
			a: SET y 1 => 1; s: 4
			a: SET z 1 => 1; s: 4
			a: INFO keyspace => 1
			a: MULTI => 1
			a: SET q 1 => 1
			a: INFO keyspace => 1
			a: EXEC => 1; s: 4
		`),
		forProtocols("notifications by class", "a", keyspaceSetup("Eg")+`
			a: SET k v => 1
			a: EXPIRE k 100 => 1; s: 1
			a: DEL k => 1; s: 1
			a: CONFIG SET notify-keyspace-events K$ => 1
			a: SET k v => 1; s: 1
			a: EXPIRE k 100 => 1
			a: DEL k => 1
			a: INCR n => 1; s: 1
			a: CONFIG SET notify-keyspace-events Kn => 1
			a: SET k2 v => 1; s: 1
			a: SET k2 v => 1
			a: CONFIG SET notify-keyspace-events Em => 1
			a: GET nope => 1; s: 1
			a: CONFIG SET notify-keyspace-events Ex => 1
			a: SET e v PXAT 1 => 1
			a: GET e => 1; s: 1
			a: CONFIG SET notify-keyspace-events "" => 1
			a: SET k v => 1
		`),
		forProtocols("wrong type", "a", keyspaceSetup("KEAnm")+`
			a: HSET l f v => 1; s: 4
			a: GET l => 1
			a: SET l v GET => 1
			a: GETSET l w => 1
			a: GETDEL l => 1
			a: GETEX l => 1
			a: INCR l => 1
			a: DECRBY l 1 => 1
			a: INCRBYFLOAT l 1 => 1
			a: APPEND l x => 1
			a: STRLEN l => 1
			a: GETRANGE l 0 1 => 1
			a: SETRANGE l 0 x => 1
			a: SETRANGE l 0 "" => 1
			a: SETRANGE l -1 "" => 1
			a: BITCOUNT l => 1
			a: GETBIT l 0 => 1
			a: SETBIT l 0 1 => 1
			a: SET a 1 => 1; s: 4
			a: MGET a l nope => 1; s: 2
			a: EXPIRE l 100 => 1; s: 2
			a: SET l v => 1; s: 2
			a: GET l => 1
			a: TTL l => 1
		`),
	)))
}

// infoField returns field's value in an INFO reply.
func infoField(t *testing.T, info resp.Value, field string) string {
	t.Helper()
	for _, line := range strings.Split(info.Str, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	t.Fatalf("INFO has no %s: %q", field, info.Str)
	return ""
}

// TestDiffKeyspaceStats: the commands count keyspace hits and misses and
// expired keys as Redis does.
func TestDiffKeyspaceStats(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	s := startServer(t, Config{})
	redisConn, heraldConn := rawDial(t, redisAddr, "2"), rawDial(t, s.Addr().String(), "2")
	script := [][]string{
		{"FLUSHALL"}, {"CONFIG", "RESETSTAT"},
		{"SET", "a", "1"}, {"GET", "a"}, {"GET", "nope"}, {"MGET", "a", "nope", "a"},
		{"EXISTS", "a", "nope"}, {"TYPE", "a"}, {"TYPE", "nope"}, {"TTL", "a"}, {"PTTL", "nope"},
		{"STRLEN", "a"}, {"GETRANGE", "a", "0", "1"}, {"GETBIT", "nope", "1"}, {"BITCOUNT", "a"},
		{"TOUCH", "a", "nope"}, {"OBJECT", "ENCODING", "a"}, {"OBJECT", "ENCODING", "nope"},
		{"COPY", "a", "b"}, {"COPY", "nope", "c"}, {"GETDEL", "b"}, {"GETEX", "a"}, {"GETSET", "a", "2"},
		{"SET", "a", "3", "GET"}, {"SET", "z", "3", "GET"}, {"INCR", "n"}, {"APPEND", "a", "x"},
		{"SETRANGE", "a", "1", "x"}, {"SETBIT", "a", "1", "1"}, {"EXPIRE", "a", "100"}, {"PERSIST", "a"},
		{"RENAME", "a", "r"}, {"DEL", "r"}, {"KEYS", "*"}, {"SCAN", "0"}, {"SCAN", "0", "TYPE", "string"},
		{"SET", "e", "v", "PXAT", "1"}, {"GET", "e"},
		{"SET", "f", "v"}, {"PEXPIREAT", "f", "1"}, {"MOVE", "z", "1"}, {"DBSIZE"}, {"RANDOMKEY"},
		{"SETNX", "n", "1"}, {"MSETNX", "q", "1"}, {"INCRBYFLOAT", "n", "1.5"},
		{"INFO", "stats"},
	}
	var rInfo, hInfo resp.Value
	for _, cmd := range script {
		rInfo, hInfo = redisConn.do(t, cmd...), heraldConn.do(t, cmd...)
	}
	for _, field := range []string{"keyspace_hits", "keyspace_misses", "expired_keys", "evicted_keys"} {
		if r, h := infoField(t, rInfo, field), infoField(t, hInfo, field); r != h {
			t.Errorf("%s: redis %s, herald %s", field, r, h)
		}
	}
}

// scanAll runs a whole SCAN with args after the cursor and returns the
// keys it returned, in order, duplicates kept.
func scanAll(t *testing.T, c *rawConn, args ...string) []string {
	t.Helper()
	var keys []string
	cursor := "0"
	for calls := 0; ; calls++ {
		if calls > 100000 {
			t.Fatal("SCAN does not end")
		}
		v := c.do(t, append([]string{"SCAN", cursor}, args...)...)
		if v.Kind == '-' {
			t.Fatalf("SCAN %s %v: %s", cursor, args, v.Str)
		}
		cursor = v.Elems[0].Str
		for _, k := range v.Elems[1].Elems {
			keys = append(keys, k.Str)
		}
		if cursor == "0" {
			return keys
		}
	}
}

// TestDiffScan: a whole SCAN returns the keys Redis's does, with MATCH,
// COUNT and TYPE, and its errors are Redis's.
func TestDiffScan(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	s := startServer(t, Config{})
	redisConn, heraldConn := rawDial(t, redisAddr, "3"), rawDial(t, s.Addr().String(), "3")
	both := func(args ...string) {
		t.Helper()
		r, h := redisConn.do(t, args...), heraldConn.do(t, args...)
		if !slices.Equal(r.Bytes(), h.Bytes()) && !(r.Kind == '*' && h.Kind == '*') {
			t.Errorf("%v: redis %s, herald %s", args, r, h)
		}
	}
	both("FLUSHALL")
	for i := range 300 {
		both("SET", "key:"+strconv.Itoa(i), "v")
	}
	both("HSET", "hash:1", "f", "v")
	both("HSET", "hash:2", "f", "v")
	both("SET", "other", "v")
	both("SET", "", "v")
	for _, args := range [][]string{{}, {"COUNT", "1"}, {"COUNT", "7"}, {"COUNT", "1000"}, {"MATCH", "key:1*"},
		{"MATCH", "*:2", "COUNT", "3"}, {"TYPE", "hash"}, {"TYPE", "STRING", "MATCH", "o*"}, {"TYPE", "nosuch"},
		{"count", "5", "match", "key:?", "type", "string"}, {"MATCH", ""}, {"MATCH", "*", "MATCH", "other"}} {
		r, h := scanAll(t, redisConn, args...), scanAll(t, heraldConn, args...)
		slices.Sort(r)
		slices.Sort(h)
		if !slices.Equal(r, h) {
			t.Errorf("SCAN %v: redis %d keys, herald %d: %v", args, len(r), len(h), h)
		}
	}
	for _, args := range [][]string{{"SCAN", "x"}, {"SCAN", "-1x"}, {"SCAN", " 1"}, {"SCAN", "18446744073709551616"},
		{"SCAN", "0", "COUNT", "0"}, {"SCAN", "0", "COUNT", "-1"}, {"SCAN", "0", "COUNT", "x"}, {"SCAN", "0", "MATCH"},
		{"SCAN", "0", "FOO", "x"}, {"SCAN"}, {"SCAN", "+"}, {"SCAN", "-"}} {
		r, h := redisConn.do(t, args...), heraldConn.do(t, args...)
		if r.Kind != h.Kind || (r.Kind == '-' && r.Str != h.Str) {
			t.Errorf("%q: redis %s, herald %s", args, r, h)
		}
	}
	for _, cursor := range []string{"", "-0", "+0", "18446744073709551615", "-18446744073709551615", "12345678901234567890"} {
		if h := heraldConn.do(t, "SCAN", cursor); h.Kind != '*' {
			t.Errorf("SCAN %q: %s", cursor, h)
		}
	}
}

// TestScanGuarantee: every key present for the whole of a SCAN is returned,
// whatever is added and deleted between the calls, and whatever other
// scans run meanwhile.
func TestScanGuarantee(t *testing.T) {
	s := startServer(t, Config{})
	c, other := rawDial(t, s.Addr().String(), "2"), rawDial(t, s.Addr().String(), "2")
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 5 {
		c.do(t, "FLUSHALL")
		stable := map[string]bool{}
		for i := range 500 {
			k := fmt.Sprintf("stable:%d:%d", round, i)
			stable[k] = true
			c.do(t, "SET", k, "v")
		}
		seen := map[string]bool{}
		cursor, added := "0", 0
		for calls := 0; ; calls++ {
			if calls > 10000 {
				t.Fatal("SCAN does not end")
			}
			v := c.do(t, "SCAN", cursor, "COUNT", strconv.Itoa(1+rng.IntN(20)))
			cursor = v.Elems[0].Str
			for _, k := range v.Elems[1].Elems {
				seen[k.Str] = true
			}
			if cursor == "0" {
				break
			}
			for range rng.IntN(30) {
				added++
				c.do(t, "SET", fmt.Sprintf("churn:%d", added), "v")
				c.do(t, "DEL", fmt.Sprintf("churn:%d", rng.IntN(added)+1))
			}
			if rng.IntN(5) == 0 {
				scanAll(t, other) // another whole scan replaces the snapshot
			}
			if rng.IntN(7) == 0 {
				other.do(t, "SCAN", "0") // another scan starts
			}
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("round %d: SCAN missed %s", round, k)
			}
		}
	}
}

// TestExpiryNotifications: a key whose time comes is expired by the
// background cycle without being read, and one read after its time is
// expired lazily; each raises one "expired" and counts in expired_keys.
func TestExpiryNotifications(t *testing.T) {
	s := startServer(t, Config{})
	c, sub := dial(t, s.Addr()), dial(t, s.Addr())
	c.mustDo("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", "Exg")
	sub.send("SUBSCRIBE", "__keyevent@0__:expired", "__keyevent@0__:del")
	sub.read()
	sub.read()
	expired := func(key string) {
		t.Helper()
		v := sub.read()
		if len(v.Elems) != 3 || v.Elems[1].Str != "__keyevent@0__:expired" || v.Elems[2].Str != key {
			t.Fatalf("got %s, want an expired event of %s", v, key)
		}
	}

	// Active expiry: nothing reads the key.
	c.mustDo("+OK\r\n", "SET", "active", "v", "PX", "30")
	expired("active")
	c.mustDo(":0\r\n", "DBSIZE")

	// Lazy expiry, or active if it comes first: one event either way.
	c.mustDo("+OK\r\n", "SET", "lazy", "v", "PXAT", strconv.FormatInt(time.Now().UnixMilli()+20, 10))
	waitFor(t, "GET to find nothing", func() bool {
		c.send("EXISTS", "lazy")
		return c.read().Int == 0
	})
	expired("lazy")
	c.send("INFO", "stats")
	if v := infoFieldOf(c.read().Str, "expired_keys"); v != "2" {
		t.Errorf("expired_keys %s, want 2", v)
	}
	// A time already past deletes at once, as "del", not "expired".
	c.mustDo("+OK\r\n", "SET", "past", "v")
	c.mustDo(":1\r\n", "PEXPIREAT", "past", "1")
	v := sub.read()
	if len(v.Elems) != 3 || v.Elems[1].Str != "__keyevent@0__:del" || v.Elems[2].Str != "past" {
		t.Fatalf("got %s, want a del event", v)
	}
}

func infoFieldOf(info, field string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}
