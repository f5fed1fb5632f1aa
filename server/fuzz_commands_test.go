package server

import (
	"bufio"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// FuzzCommands turns its input into a short session of commands against
// one Herald per fuzz process: every command of the command table (and
// every subcommand) can be drawn, with arguments built from the command's
// COMMAND DOCS (tokens, oneofs, blocks, repeated arguments) and from pools
// of values that hit the parsers' edges (int64 limits, inf, nan, empty
// strings, long strings, keys shared by every command so they interact).
// The input can also hold literal commands, which is how the seed corpus
// spells its sessions (fuzzSeedSessions).
//
// Checked after every command: exactly one well-formed reply (read by
// internal/resp's strict reader; RESP3 types only after HELLO 3; push
// frames and pub/sub messages aside), errors that start with an upper-case
// code, and a connection that stays open unless the session asked for it
// to close (QUIT, CLIENT KILL). Checked after the session: no panic (a
// panic kills the fuzz process, which fails the run), the server answers a
// new client, the closed session leaves no client and no subscription
// behind, and the keyspace's own bookkeeping holds (memory accounting,
// counts of keys and of keys with an expiry, no empty aggregate stored).
//
// Blocking commands get tiny timeouts (never 0, which blocks for ever),
// CLIENT REPLY is never turned off (the session's sentinel PING must be
// answered), and CONFIG SET never changes the listeners, the password or
// the output-buffer limits; the configuration is restored after every
// input. DEBUG is not drawn.
func FuzzCommands(f *testing.F) {
	addFuzzSeeds(f)
	h := startFuzzServer(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		h.run(t, data)
	})
}

// addFuzzSeeds adds the seed corpus of FuzzCommands and FuzzCommandsRedis.
func addFuzzSeeds(f *testing.F) {
	for _, session := range fuzzSeedSessions {
		f.Add(encodeFuzzSession(session...))
	}
	// And sessions of generated commands, from a fixed pseudo-random
	// sequence, so that mutation starts from every kind of step.
	rng := rand.New(rand.NewPCG(6, 6))
	for range 16 {
		b := make([]byte, 64+rng.IntN(192))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		f.Add(b)
	}
}

// fuzzSeedSessions are the seed corpus: a few hand-written sessions per
// command group, in literal form. A leading "RESP3" line sends HELLO 3
// first.
var fuzzSeedSessions = [][]string{
	{"SET k1 10", "INCRBY k1 -5", "INCRBYFLOAT k1 1.5", "APPEND k1 xyz", "GETRANGE k1 0 -1", "SETRANGE k1 3 ab", "STRLEN k1", "GETDEL k1"},
	{"RESP3", "SET k1 a EX 10 GET", "GETEX k1 PERSIST", "SETBIT k2 100 1", "BITCOUNT k2 0 -1 BIT", "MSET k1 a k2 b", "MSETNX k3 c k1 d", "MGET k1 k2 k3"},
	{"RPUSH k1 a b c", "LPOS k1 b RANK -1", "LINSERT k1 BEFORE b x", "LMOVE k1 k2 LEFT RIGHT", "LRANGE k2 0 -1", "BLPOP k3 0.01", "BLMOVE k1 k3 RIGHT LEFT 0.01"},
	{"HSET k1 f1 v1 f2 2", "HINCRBY k1 f2 3", "HINCRBYFLOAT k1 f2 inf", "HRANDFIELD k1 -5 WITHVALUES", "HSCAN k1 0 MATCH f* COUNT 1", "HGETALL k1"},
	{"SADD k1 1 2 3", "SADD k2 3 a", "SINTERSTORE k3 k1 k2", "SINTERCARD 2 k1 k2 LIMIT 1", "SMOVE k1 k2 1", "SPOP k2 5", "SRANDMEMBER k1 -3"},
	{"RESP3", "ZADD k1 1 a 2 b inf c", "ZADD k1 GT CH INCR 5 a", "ZRANGE k1 (1 +inf BYSCORE LIMIT 0 2 WITHSCORES", "ZUNIONSTORE k2 2 k1 k1 WEIGHTS 1 2 AGGREGATE MAX", "ZMPOP 1 k2 MIN COUNT 2", "ZRANGEBYLEX k1 - +"},
	{"XADD k1 1-1 f v", "XADD k1 MAXLEN ~ 1 LIMIT 5 2-* f v g w", "XRANGE k1 (1-1 + COUNT 1", "XDEL k1 1-1 9-9", "XTRIM k1 MINID = 3", "XSETID k1 5-0 ENTRIESADDED 9 MAXDELETEDID 1-1", "XREAD COUNT 2 BLOCK 1 STREAMS k1 k2 0 $", "XINFO STREAM k1 FULL COUNT 1"},
	{"SET k1 a", "EXPIRE k1 10 NX", "PEXPIREAT k1 9223372036854775807", "TTL k1", "COPY k1 k2 DB 1", "RENAME k1 k3", "OBJECT ENCODING k3", "SCAN 0 TYPE string", "DBSIZE"},
	{"SET k1 a PX 5", "TICK 10", "GET k1", "SET k2 b EX 1", "TICK 2000", "KEYS *", "EXPIRETIME k2"},
	{"WATCH k1", "MULTI", "SET k1 a", "LPUSH k1 b", "INCR k1", "EXEC", "MULTI", "BLPOP k1 0.01", "DISCARD"},
	{"SUBSCRIBE ch", "PSUBSCRIBE ch*", "PING x", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE ch", "SUNSUBSCRIBE"},
	{"RESP3", "CONFIG SET notify-keyspace-events KEA", "PSUBSCRIBE __key*__:*", "SET k1 a", "DEL k1", "PUBLISH ch x", "SPUBLISH ch y", "RESET"},
	{"CLIENT SETNAME fz", "CLIENT LIST", "CLIENT INFO", "CLIENT NO-EVICT on", "HELLO 3 SETNAME x", "CLIENT KILL TYPE pubsub", "INFO keyspace", "COMMAND GETKEYS ZUNION 2 a b"},
	{"CONFIG SET maxmemory 1 maxmemory-policy allkeys-lru", "SET k1 a", "RPUSH k2 a", "CONFIG GET max*", "EVAL x 0", "FUNCTION LIST", "SCRIPT EXISTS a", "COMMAND DOCS get"},
	{"SELECT 3", "SET k1 a", "MOVE k1 0", "SELECT 0", "RENAMENX k1 k2", "SWAPDB 0 1", "FLUSHDB ASYNC", "QUIT"},
}

// fuzzServer is the server a fuzz process runs its sessions against.
type fuzzServer struct {
	s    *Server
	cfg  Config       // restored after every input
	now  atomic.Int64 // the keyspace's clock, in Unix milliseconds; 0 for the real one
	base int64        // where every session starts the clock

	redis string // the address of a redis-server to compare with (FuzzCommandsRedis)

	lastLog    []string  // the session before, which left the keyspace empty
	finished   bool      // the run before got to its end (a failed one stops half way)
	unfinished *[]string // the log of the run under way
}

// startFuzzServer starts the server, with a keyspace clock the sessions
// move by hand, so that whether a key has expired depends on the input and
// not on how fast the machine runs it.
func startFuzzServer(f *testing.F) *fuzzServer {
	h := &fuzzServer{base: 2_000_000_000_000}
	h.now.Store(h.base)
	h.s = New(Config{Logger: slog.New(slog.DiscardHandler)})
	h.s.ks.Clock = func() int64 {
		if now := h.now.Load(); now != 0 {
			return now
		}
		return time.Now().UnixMilli()
	}
	h.cfg = h.s.settings().Config
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	h.s.Serve(l)
	f.Cleanup(func() { h.s.Close() })
	return h
}

// fuzzSentinel is what the PING after each command echoes; no generated
// argument equals it.
const fuzzSentinel = "\x01herald-fuzz-sentinel\x01"

func (h *fuzzServer) run(t *testing.T, data []byte) {
	h.now.Store(h.base)
	nc, err := net.DialTimeout("tcp", h.s.Addr().String(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer nc.Close()
	if h.finished {
		h.checkEmpty(t)
	} else if h.unfinished != nil && os.Getenv("HERALD_FUZZ_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "a run did not finish:\n%s\n", strings.Join(*h.unfinished, "\n"))
		h.reset(t)
	} else {
		h.reset(t) // after a failed run, or the first
	}
	h.finished = false
	sess := &fuzzSession{t: t, h: h, nc: nc, r: bufio.NewReader(nc), in: fuzzInput{b: data}, proto: resp.RESP2}
	h.unfinished = &sess.log
	if h.redis != "" {
		h.dialRedis(t, sess)
	}
	sess.run()
	nc.Close()
	if h.redis != "" {
		sess.peer.nc.Close()
		h.resetRedis(t)
	}
	h.checkKeyspace(t, sess.log)
	h.restore()
	h.checkServes(t, sess.log)
	h.lastLog, h.finished = sess.log, true
}

// restore puts back the configuration a session may have changed.
func (h *fuzzServer) restore() {
	h.s.configMu.Lock()
	h.s.store(h.cfg)
	h.s.configMu.Unlock()
}

// checkKeyspace checks the keyspace's bookkeeping against its keys: the
// bytes accounted are those of the keys and values there are, the count of
// keys with an expiry is right, and no key holds an empty aggregate (Redis
// deletes a list, hash, set or sorted set whose last element goes).
func (h *fuzzServer) checkKeyspace(t *testing.T, log []string) {
	ks := h.s.ks
	h.now.Store(1) // every key counts as alive, expired or not
	ks.Lock()
	defer func() {
		ks.Unlock()
		h.now.Store(h.base)
	}()
	var sum int64
	for i := range keyspace.NumDatabases {
		db := ks.DB(i)
		n, volatile := 0, 0
		db.Keys(func(key string, e *keyspace.Entry) bool {
			n++
			if e.ExpireAt != 0 {
				volatile++
			}
			// 64 is keyspace's entryOverhead (memory.go).
			sum += int64(len(key)) + e.Value.Size() + 64
			if l, ok := e.Value.(interface{ Len() int }); ok && l.Len() == 0 {
				t.Errorf("db %d key %q holds an empty %s", i, key, e.Value.Type())
			}
			return true
		})
		if n != db.Len() || volatile != db.Expires() {
			t.Errorf("db %d: %d keys (%d with an expiry) seen, Len %d, Expires %d", i, n, volatile, db.Len(), db.Expires())
		}
	}
	if used := ks.Used(); used != sum {
		t.Errorf("keyspace accounts %d bytes, its keys and values hold %d", used, sum)
	}
	if t.Failed() {
		t.Fatalf("after the session:\n%s", strings.Join(log, "\n"))
	}
}

// reset empties the keyspace and restores the configuration, as a run
// that failed half way may have left them.
func (h *fuzzServer) reset(t *testing.T) {
	h.now.Store(h.base)
	h.restore()
	h.s.ks.Lock()
	h.s.ks.FlushAll()
	h.s.ks.Unlock()
	if h.redis != "" {
		h.resetRedis(t)
	}
}

// checkEmpty checks that nothing wrote to the keyspace since the last
// session ended with FLUSHALL: a client of that session served late would.
func (h *fuzzServer) checkEmpty(t *testing.T) {
	ks := h.s.ks
	h.now.Store(1) // every key counts as alive, expired or not
	ks.Lock()
	used, keys := ks.Used(), 0
	var seen []string
	for i := range keyspace.NumDatabases {
		keys += ks.DB(i).Len()
		ks.DB(i).Keys(func(key string, e *keyspace.Entry) bool {
			seen = append(seen, fmt.Sprintf("db %d %q %s expires at %d", i, key, e.Value.Type(), e.ExpireAt))
			return true
		})
	}
	ks.Unlock()
	h.now.Store(h.base)
	if used != 0 || keys != 0 {
		t.Fatalf("%d keys, %d bytes in the keyspace before the session: %s; the session before was:\n%s",
			keys, used, seen, strings.Join(h.lastLog, "\n"))
	}
}

// checkServes checks that the server answers a new client, and that the
// session's connection, once closed, leaves no client, subscription or
// blocked client behind; then it empties the keyspace for the next input.
func (h *fuzzServer) checkServes(t *testing.T, log []string) {
	c := dial(t, h.s.Addr())
	c.mustDo("+PONG\r\n", "PING")
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.send("PUBSUB", "NUMPAT")
		numpat := c.read()
		c.send("PUBSUB", "CHANNELS")
		channels := c.read()
		c.send("PUBSUB", "SHARDCHANNELS")
		shard := c.read()
		conns := len(h.s.connList())
		if numpat.Int == 0 && len(channels.Elems) == 0 && len(shard.Elems) == 0 && conns == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the session closed: %d clients, %d patterns, channels %v, shard channels %v\n%s",
				conns, numpat.Int, channels.Elems, shard.Elems, strings.Join(log, "\n"))
		}
		time.Sleep(time.Millisecond)
	}
	c.mustDo("+OK\r\n", "FLUSHALL")
	resetACL(c)
	c.conn.Close()
}

// resetACL deletes every user but the default one and empties the ACL
// log.
func resetACL(c *testClient) {
	c.send("ACL", "USERS")
	for _, u := range c.read().Elems {
		if u.Str != "default" {
			c.send("ACL", "DELUSER", u.Str)
			c.read()
		}
	}
	c.send("ACL", "LOG", "RESET")
	c.read()
}

// fuzzInput hands out the fuzz input a byte at a time; past its end it
// gives zeros.
type fuzzInput struct{ b []byte }

func (in *fuzzInput) byte() byte {
	if len(in.b) == 0 {
		return 0
	}
	c := in.b[0]
	in.b = in.b[1:]
	return c
}

func (in *fuzzInput) intn(n int) int { return int(in.byte()) % n }

func (in *fuzzInput) pick(pool []string) string { return pool[in.intn(len(pool))] }

// Input layout: a first byte whose low bit asks for RESP3, then steps. A
// step starting with opLiteral is a command spelled out (a count, then
// each argument as a length and bytes), with opTick the keyspace clock
// moves on (by a byte's worth of fuzzTicks), and any other byte starts a
// generated command: with the next byte it picks the command, and the
// bytes after it build the arguments.
const (
	opLiteral = 0xff
	opTick    = 0xfe
)

// fuzzTicks are the steps the keyspace clock can take, in milliseconds.
var fuzzTicks = []int64{1, 5, 10, 100, 1000, 2000, 10_000, 3_600_000}

// encodeFuzzSession spells a session of commands (each one line, arguments
// separated by spaces; "TICK ms" moves the clock; a first line "RESP3"
// sends HELLO 3 first) as a fuzz input.
func encodeFuzzSession(lines ...string) []byte {
	b := []byte{0}
	if len(lines) > 0 && lines[0] == "RESP3" {
		b[0], lines = 1, lines[1:]
	}
	for _, line := range lines {
		args := strings.Fields(line)
		if args[0] == "TICK" {
			ms, _ := strconv.ParseInt(args[1], 10, 64)
			b = append(b, opTick, byte(slices.Index(fuzzTicks, ms)))
			continue
		}
		b = append(b, opLiteral, byte(len(args)))
		for _, a := range args {
			b = append(b, byte(len(a)))
			b = append(b, a...)
		}
	}
	return b
}

// fuzzCommandNames lists every command and subcommand of the table (a
// container also bare, for its arity and unknown-subcommand errors), in a
// fixed order so that an input means the same command in every run.
var fuzzCommandNames = func() []string {
	var names []string
	for _, cmd := range commands.sorted() {
		if cmd.name == "debug" {
			continue // not drawn: DEBUG can stop or crash the server on purpose
		}
		names = append(names, cmd.name)
		for _, sub := range cmd.subs {
			names = append(names, sub.name)
		}
	}
	slices.Sort(names)
	return names
}()

func lookupName(name string) *command {
	top, sub, ok := strings.Cut(name, "|")
	cmd := commands[top]
	if ok {
		cmd = cmd.subs[sub]
	}
	return cmd
}

// maxFuzzCommands bounds a session.
const maxFuzzCommands = 24

// fuzzSession is one client's session, with what the checks need to know
// of its state.
type fuzzSession struct {
	t  *testing.T
	h  *fuzzServer
	nc net.Conn
	r  *bufio.Reader
	in fuzzInput

	proto      int        // the protocol replies come in (HELLO changes it)
	inMulti    bool       // commands are being queued
	queuedCmds [][]string // the commands queued, for EXEC's effects
	subscribed bool       // a subscribe-family command was sent since the last RESET
	mayClose   bool       // QUIT or CLIENT KILL was sent: the server may close
	log        []string

	// With a peer, every command goes to the peer (a redis-server) too,
	// and the replies are compared (fuzz_diff_test.go).
	peer     *fuzzSession
	diverged string // why the two keyspaces may differ from here on
}

// step runs one command, on the peer too if there is one.
func (s *fuzzSession) step(args []string) bool {
	if s.peer == nil {
		_, ok := s.do(args)
		return ok
	}
	if len(args) > 2 && equalFoldASCII(args[0], "script") && equalFoldASCII(args[1], "debug") {
		args[2] = "NO" // redis-server would debug the next EVAL, and close the connection after it
	}
	queued := slices.Clone(s.queuedCmds)
	got, ok := s.do(slices.Clone(args))
	want, peerOK := s.peer.do(slices.Clone(args))
	if ok != peerOK {
		s.fail("Herald's connection open: %v, redis-server's: %v", ok, peerOK)
	}
	s.compare(args, queued, got, want)
	return ok
}

func (s *fuzzSession) run() {
	if s.in.byte()&1 == 1 {
		s.step([]string{"HELLO", "3"})
	}
	for n := 0; len(s.in.b) > 0 && n < maxFuzzCommands; n++ {
		var args []string
		switch op := s.in.byte(); op {
		case opTick:
			ms := fuzzTicks[s.in.intn(len(fuzzTicks))]
			if s.peer != nil {
				continue // redis-server's clock cannot be moved
			}
			s.h.now.Add(ms)
			s.log = append(s.log, fmt.Sprintf("(clock +%d ms)", ms))
			continue
		case opLiteral:
			args = s.literal()
		default:
			name := fuzzCommandNames[(int(op)<<8|int(s.in.byte()))%len(fuzzCommandNames)]
			args = (&argGen{in: &s.in, cmd: lookupName(name)}).build(name)
		}
		if len(args) == 0 {
			continue
		}
		if !s.step(tameArgs(args)) {
			return
		}
	}
}

// literal reads a spelled-out command.
func (s *fuzzSession) literal() []string {
	n := s.in.intn(32)
	args := make([]string, 0, n)
	for range n {
		l := int(s.in.byte())
		if l > len(s.in.b) {
			l = len(s.in.b)
		}
		args = append(args, string(s.in.b[:l]))
		s.in.b = s.in.b[l:]
	}
	return args
}

// tameArgs rewrites what would stop the session from going on: a blocking
// command's timeout of 0 or near it (blocks for ever), CLIENT REPLY OFF or
// SKIP (the sentinel PING would go unanswered), CONFIG SET of a setting
// that moves the listeners, locks the session out or cuts it off, DEBUG,
// and counts that ask for billions of elements (SRANDMEMBER k -4000000000
// makes Redis itself try to reply them all) or bits (SETBIT of a bit
// offset near 2^32 allocates 512 MB).
func tameArgs(args []string) []string {
	name := strings.ToLower(args[0])
	sub := ""
	if len(args) > 1 {
		sub = strings.ToLower(args[1])
	}
	switch {
	case name == "debug":
		args[0] = "PING"
	case name == "blpop" || name == "brpop" || name == "blmove" || name == "brpoplpush" ||
		name == "blmpop" || name == "bzpopmin" || name == "bzpopmax" || name == "bzmpop":
		// The timeout is the last argument; Redis's strtold takes more
		// spellings than ParseFloat ("0x10"), so only the pool's are kept.
		if last := len(args) - 1; last > 0 && !slices.Contains(fuzzTimeouts, args[last]) {
			args[last] = "0.01"
		}
	case name == "xread" || name == "xreadgroup":
		// BLOCK 0 (or any value not in the pool, such as one drawn from
		// anyValue) could block for ever.
		for i := 1; i+1 < len(args); i++ {
			if strings.EqualFold(args[i], "streams") {
				break
			}
			if strings.EqualFold(args[i], "block") && !slices.Contains(fuzzBlockMillis, args[i+1]) {
				args[i+1] = "1"
			}
		}
	case name == "acl" && (sub == "setuser" || sub == "deluser" || sub == "load"):
		// The default user stays as it is, so that the next session and
		// the checks can connect; other users are deleted after the
		// session.
		for i := 2; i < len(args); i++ {
			if strings.EqualFold(args[i], "default") {
				args[i] = "fz"
			}
		}
		if sub == "load" {
			args[1] = "LIST"
		}
	case name == "auth" && len(args) == 3:
		args[1] = "default" // the session stays the default user's
	case name == "hello":
		for i := 2; i+1 < len(args); i++ {
			if strings.EqualFold(args[i], "auth") {
				args[i+1] = "default"
			}
		}
	case name == "client" && sub == "reply":
		for i := 2; i < len(args); i++ {
			if a := strings.ToLower(args[i]); a == "off" || a == "skip" {
				args[i] = "ON"
			}
		}
	case name == "config" && sub == "set":
		for i := 2; i < len(args); i += 2 {
			switch strings.ToLower(args[i]) {
			case "port", "bind", "requirepass", "client-output-buffer-limit", "client-query-buffer-limit", "proto-max-bulk-len", "maxclients":
				args[i] = "maxmemory-samples"
			}
		}
	case name == "srandmember" || name == "hrandfield" || name == "zrandmember":
		if len(args) > 2 {
			if n, err := strconv.ParseInt(args[2], 10, 64); err == nil && n < -1000 && n != -1<<63 {
				args[2] = "-1000"
			}
		}
	case name == "setbit" || name == "getbit":
		if len(args) > 2 {
			if n, err := strconv.ParseInt(args[2], 10, 64); err == nil && n > 1<<20 && n < 1<<32 {
				args[2] = strconv.Itoa(1 << 20)
			}
		}
	case name == "setrange":
		if len(args) > 2 {
			if n, err := strconv.ParseInt(args[2], 10, 64); err == nil && n > 1<<20 && n < 512<<20 {
				args[2] = strconv.Itoa(1 << 20)
			}
		}
	}
	return args
}

// do sends one command and checks its reply; it returns the replies and
// whether the session can go on.
func (s *fuzzSession) do(args []string) ([]resp.Value, bool) {
	s.log = append(s.log, quoteArgs(args))
	name := strings.ToLower(args[0])
	switch name {
	case "quit", "client":
		if name == "quit" || (len(args) > 1 && strings.EqualFold(args[1], "kill")) {
			s.mayClose = true
		}
	case "subscribe", "psubscribe", "ssubscribe":
		s.subscribed = true
	}
	queued := s.inMulti
	out := encodeCommand(args...)
	sentinel := !queued && name != "multi"
	if sentinel {
		out = append(out, encodeCommand("PING", fuzzSentinel)...)
	}
	s.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := s.nc.Write(out); err != nil {
		if s.mayClose {
			return nil, false
		}
		s.fail("write: %v", err)
	}
	var replies []resp.Value
	for {
		s.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		v, err := resp.ReadValue(s.r)
		if err != nil {
			if s.mayClose && !strings.Contains(err.Error(), "timeout") {
				return replies, false
			}
			s.fail("read after %d replies: %v", len(replies), err)
		}
		if s.proto == resp.RESP2 && hasRESP3(v) && !(name == "hello" && len(replies) == 0) {
			s.fail("RESP3 reply %q on a RESP2 connection", v.Bytes())
		}
		if v.Kind == '>' || (s.proto == resp.RESP2 && s.subscribed && isMessage(v)) {
			continue // a push or a pub/sub message, not a reply
		}
		if sentinel && isSentinel(v) {
			break
		}
		replies = append(replies, v)
		if !sentinel {
			break
		}
	}
	for _, v := range replies {
		if v.Kind == '-' && !validErrorCode(v.Str) {
			s.fail("error without a code: %q", v.Str)
		}
	}
	switch {
	case len(replies) == 1:
	case strings.HasSuffix(name, "subscribe") && !queued:
		// One confirmation per channel: replies in RESP2, pushes in RESP3.
	default:
		s.fail("%d replies: %q", len(replies), replies)
	}
	var reply resp.Value
	if len(replies) > 0 {
		reply = replies[0]
		s.log[len(s.log)-1] += " -> " + strconv.Quote(clip(string(reply.Bytes()), 100))
	}
	if reply.Kind == '-' && strings.HasPrefix(reply.Str, "ERR wrong number of arguments") {
		name = "" // refused before it ran: no change of state
	}
	switch name {
	case "multi":
		if !s.inMulti && reply.Kind == '+' {
			s.inMulti, s.queuedCmds = true, nil
		}
	case "exec":
		if s.inMulti && reply.Kind == '*' && len(reply.Elems) == len(s.queuedCmds) {
			for i, q := range s.queuedCmds {
				s.applied(q, reply.Elems[i])
			}
		}
		s.inMulti = false
	case "discard":
		s.inMulti = false
	case "reset":
		s.inMulti, s.subscribed, s.proto = false, false, resp.RESP2
	case "watch", "quit", "":
	default:
		if queued {
			if reply.Kind == '+' && reply.Str == "QUEUED" {
				s.queuedCmds = append(s.queuedCmds, args)
			}
		} else {
			s.applied(args, reply)
		}
	}
	return replies, true
}

// applied follows the session's state through a command that ran with
// the given reply.
func (s *fuzzSession) applied(args []string, reply resp.Value) {
	if strings.EqualFold(args[0], "hello") && reply.Kind != '-' && len(args) > 1 {
		s.proto = int(args[1][0] - '0') // HELLO took "2" or "3"
	}
}

func (s *fuzzSession) fail(format string, args ...any) {
	s.t.Helper()
	s.t.Fatalf("%s\nsession:\n%s", fmt.Sprintf(format, args...), strings.Join(s.log, "\n"))
}

func quoteArgs(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a == "" || strings.ContainsAny(a, " \"\\") || strconv.Quote(a) != `"`+a+`"` {
			b.WriteString(strconv.Quote(a))
		} else {
			b.WriteString(a)
		}
	}
	return b.String()
}

func isSentinel(v resp.Value) bool {
	if v.Kind == '$' && v.Str == fuzzSentinel {
		return true
	}
	// A RESP2 client in subscribed mode gets PING's reply as an array.
	return v.Kind == '*' && len(v.Elems) == 2 && v.Elems[0].Str == "pong" && v.Elems[1].Str == fuzzSentinel
}

// isMessage reports whether v is a pub/sub message as a RESP2 subscriber
// gets it.
func isMessage(v resp.Value) bool {
	if v.Kind != '*' || len(v.Elems) < 3 || v.Elems[0].Kind != '$' {
		return false
	}
	switch v.Elems[0].Str {
	case "message", "smessage":
		return len(v.Elems) == 3
	case "pmessage":
		return len(v.Elems) == 4
	}
	return false
}

func hasRESP3(v resp.Value) bool {
	switch v.Kind {
	case '+', '-', ':', '$':
		return false
	case '*':
		return slices.ContainsFunc(v.Elems, hasRESP3)
	}
	return true
}

// validErrorCode reports whether an error text starts with an upper-case
// code and a space, or is a code alone, as every Redis error does.
func validErrorCode(s string) bool {
	code, _, _ := strings.Cut(s, " ")
	if code == "" {
		return false
	}
	for _, ch := range []byte(code) {
		if ch < 'A' || ch > 'Z' {
			return false
		}
	}
	return true
}
