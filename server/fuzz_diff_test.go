package server

import (
	"bufio"
	"bytes"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// FuzzCommandsRedis runs FuzzCommands's sessions on Herald and on a
// redis-server side by side and compares the replies, byte for byte where
// Redis's reply is determined by the session (see diffMode for the
// exceptions: random replies, server and client introspection, scan
// cursors, the order of hash tables). Clock steps are left out, as
// redis-server's clock cannot be moved; after a command whose effect may
// differ (SPOP, CONFIG SET), the rest of the session is still checked by
// FuzzCommands's rules but not compared. It skips without redis-server,
// like the differential suite.
func FuzzCommandsRedis(f *testing.F) {
	addFuzzSeeds(f)
	rs := redistest.Start(f)
	h := startFuzzServer(f)
	h.base = 0 // the real clock, as redis-server's
	h.now.Store(0)
	h.redis = rs.Addr()
	f.Fuzz(func(t *testing.T, data []byte) {
		h.run(t, data)
	})
}

// dialRedis opens the peer session on redis-server.
func (h *fuzzServer) dialRedis(t *testing.T, s *fuzzSession) {
	nc, err := net.DialTimeout("tcp", h.redis, 5*time.Second)
	if err != nil {
		t.Fatalf("dial redis-server: %v", err)
	}
	t.Cleanup(func() { nc.Close() })
	s.peer = &fuzzSession{t: t, h: h, nc: nc, r: bufio.NewReader(nc), proto: resp.RESP2}
}

// resetRedis puts redis-server back as it started: no keys, the
// configuration a session may change restored.
func (h *fuzzServer) resetRedis(t *testing.T) {
	nc, err := net.DialTimeout("tcp", h.redis, 5*time.Second)
	if err != nil {
		t.Fatalf("dial redis-server: %v", err)
	}
	defer nc.Close()
	c := &testClient{t: t, conn: nc, r: bufio.NewReader(nc)}
	c.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory", "0", "maxmemory-policy", "noeviction",
		"maxmemory-samples", "5", "notify-keyspace-events", "", "appendonly", "no", "save", "", "timeout", "0")
	c.mustDo("+OK\r\n", "FLUSHALL")
	c.mustDo("+OK\r\n", "SCRIPT", "FLUSH")
	c.mustDo("+OK\r\n", "FUNCTION", "FLUSH")
	resetACL(c)
}

// compareMode is how a command's replies from Herald and redis-server are
// compared.
type compareMode int

const (
	compareExact     compareMode = iota
	compareUnordered             // the same elements, in any order (hash tables)
	compareErrorOnly             // both errors, or neither
	compareSkip
	compareIdle // exact but for the idle and delivery times of consumer groups (maskIdle)
)

// diffMode says how to compare the replies to args.
func diffMode(args []string) compareMode {
	name := strings.ToLower(args[0])
	if len(args) > 1 && commands[name] != nil && commands[name].subs != nil {
		name += "|" + strings.ToLower(args[1])
	}
	switch name {
	case "keys", "smembers", "sinter", "sunion", "sdiff", "hgetall", "hkeys", "hvals",
		"pubsub|channels", "pubsub|shardchannels", "smismember":
		return compareUnordered
	case "srandmember", "spop", "hrandfield", "zrandmember", "randomkey",
		"scan", "sscan", "hscan", "zscan", "client|kill":
		return compareErrorOnly
	case "ttl", "pttl", "expiretime", "pexpiretime", "time", "info", "hello", "object|freq", "object|idletime",
		"config|get", "config|set", "config|resetstat", "config|rewrite", "debug", "eval", "eval_ro", "evalsha", "evalsha_ro",
		"fcall", "fcall_ro", "auth", "acl|genpass", "acl|log", "command", "command|count", "command|list", "command|docs", "command|info":
		return compareSkip
	}
	if strings.HasPrefix(name, "client") || strings.HasPrefix(name, "script") || strings.HasPrefix(name, "function") {
		return compareSkip
	}
	switch name {
	case "xpending", "xclaim", "xautoclaim":
		// A minimum idle time other than 0 picks entries by the clock,
		// which the two servers read at slightly different times. It is
		// args[4]: XCLAIM's and XAUTOCLAIM's, XPENDING's after IDLE.
		if name == "xpending" && (len(args) < 5 || !strings.EqualFold(args[3], "idle")) {
			return compareIdle
		}
		if len(args) > 4 {
			if n, err := strconv.ParseInt(args[4], 10, 64); err == nil && n > 0 {
				return compareErrorOnly
			}
		}
		return compareIdle
	case "xinfo|consumers", "xinfo|stream":
		return compareIdle
	}
	return compareExact
}

// compare checks Herald's replies (got) against redis-server's (want) to
// args; queued are the commands an EXEC runs.
func (s *fuzzSession) compare(args []string, queued [][]string, got, want []resp.Value) {
	name := strings.ToLower(args[0])
	if s.diverged != "" {
		return
	}
	// A command one of them has and the other has not (Herald takes two
	// of Redis 7.2's CLIENT subcommands).
	unknown := func(v []resp.Value, what string) bool {
		return len(v) == 1 && v[0].Kind == '-' && strings.HasPrefix(v[0].Str, "ERR unknown "+what)
	}
	if unknown(got, "command") != unknown(want, "command") || unknown(got, "subcommand") != unknown(want, "subcommand") {
		s.diverged = "a command only one has: " + quoteArgs(args)
		return
	}
	switch mode := diffMode(args); {
	case len(got) != len(want):
		s.diffFail(args, got, want)
	case name == "exec" && len(got) == 1 && got[0].Kind == '*' && want[0].Kind == '*' &&
		len(got[0].Elems) == len(queued) && len(want[0].Elems) == len(queued):
		for i, q := range queued {
			s.compareOne(q, diffMode(q), got[0].Elems[i], want[0].Elems[i])
		}
	default:
		for i := range got {
			s.compareOne(args, mode, got[i], want[i])
		}
	}
	// Random pops and configuration changes can leave the two servers
	// with different data.
	switch diffMode(args) {
	case compareErrorOnly, compareSkip:
		if name == "spop" || name == "config" || name == "function" || strings.HasPrefix(name, "eval") || strings.HasPrefix(name, "fcall") ||
			name == "xclaim" || name == "xautoclaim" { // claimed on one, maybe not on the other

			s.diverged = quoteArgs(args)
		}
	}
	// A key given an expiry may expire on one server and not yet on the
	// other, as the two run a command at slightly different times.
	if setsExpiry(args) && len(want) == 1 && want[0].Kind != '-' {
		s.diverged = "an expiry: " + quoteArgs(args)
	}
	if name == "exec" {
		for _, q := range queued {
			if setsExpiry(q) {
				s.diverged = "EXEC of an expiry: " + quoteArgs(q)
			}
			if m := diffMode(q); m == compareErrorOnly || m == compareSkip {
				s.diverged = "EXEC of " + quoteArgs(q)
			}
		}
	}
}

func (s *fuzzSession) compareOne(args []string, mode compareMode, got, want resp.Value) {
	if got.Kind == '-' && strings.Contains(got.Str, "Herald") {
		return // a feature Herald has not, and says so
	}
	// A queued command's QUEUED, or its refusal, is compared exactly.
	if got.Kind == '+' && got.Str == "QUEUED" || want.Kind == '+' && want.Str == "QUEUED" {
		mode = compareExact
	}
	switch mode {
	case compareSkip:
		return
	case compareErrorOnly:
		if (got.Kind == '-') == (want.Kind == '-') {
			return
		}
	case compareUnordered:
		if got.Kind == want.Kind && sortedElems(got) == sortedElems(want) {
			return
		}
	case compareIdle:
		if bytes.Equal(maskIdle(got).Bytes(), maskIdle(want).Bytes()) {
			return
		}
	default:
		if bytes.Equal(got.Bytes(), want.Bytes()) {
			return
		}
	}
	s.diffFail(args, []resp.Value{got}, []resp.Value{want})
}

func sortedElems(v resp.Value) string {
	var elems []string
	for _, e := range v.Elems {
		elems = append(elems, string(e.Bytes()))
	}
	slices.Sort(elems)
	return strconv.Itoa(len(elems)) + strings.Join(elems, "\x00")
}

func (s *fuzzSession) diffFail(args []string, got, want []resp.Value) {
	s.t.Helper()
	var g, w []string
	for _, v := range got {
		g = append(g, strconv.Quote(string(v.Bytes())))
	}
	for _, v := range want {
		w = append(w, strconv.Quote(string(v.Bytes())))
	}
	s.fail("%s: Herald and redis-server differ\n herald: %s\n  redis: %s", quoteArgs(args), strings.Join(g, " "), strings.Join(w, " "))
}

// setsExpiry reports whether args may give a key an expiry.
func setsExpiry(args []string) bool {
	switch strings.ToLower(args[0]) {
	case "setex", "psetex", "expire", "pexpire", "expireat", "pexpireat":
		return true
	case "set", "getex":
		for _, a := range args[1:] {
			switch strings.ToLower(a) {
			case "ex", "px", "exat", "pxat":
				return true
			}
		}
	}
	return false
}
