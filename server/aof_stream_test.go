package server

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/aof"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// streamAOFScript is a stream session whose every step changes what the
// AOF must hold: auto and partial IDs, trims with ~ and =, deleted
// entries, groups read with and without NOACK, history reads, claims of
// live and deleted entries, XAUTOCLAIM pages, acks, consumer changes,
// XSETID metadata, a transaction, and steps that change nothing.
var streamAOFScript = [][]string{
	{"XADD", "auto", "*", "a", "1"}, {"XADD", "auto", "1900000000000-*", "b", "2"}, {"XADD", "s", "100-*", "a", "1"}, {"XADD", "s", "100-*", "b", "2"}, {"XADD", "s", "101-5", "c", "3"},
	{"XADD", "s", "102-1", "d", "4", "e", "5"}, {"XADD", "s", "103-1", "f", "6"},
	{"XADD", "s", "MAXLEN", "~", "100", "104-1", "g", "7"}, {"XADD", "s", "105-1", "h", "8"},
	{"XADD", "nostream", "NOMKSTREAM", "1-1", "x", "y"},
	{"XGROUP", "CREATE", "s", "g1", "0"}, {"XGROUP", "CREATE", "s", "g2", "$"}, {"XGROUP", "CREATE", "s", "g1", "0"},
	{"XGROUP", "CREATE", "s", "g3", "101-5", "ENTRIESREAD", "2"},
	{"XGROUP", "CREATE", "m", "g", "$", "MKSTREAM"}, {"XGROUP", "CREATECONSUMER", "m", "g", "idle"}, {"XGROUP", "CREATE", "m", "g3", "0"}, {"XADD", "m", "5-1", "x", "y"},
	{"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "s", ">"},
	{"XREADGROUP", "GROUP", "g1", "bob", "NOACK", "COUNT", "1", "STREAMS", "s", ">"},
	{"XREADGROUP", "GROUP", "g1", "carol", "COUNT", "2", "STREAMS", "s", ">"},
	{"XREADGROUP", "GROUP", "g1", "alice", "STREAMS", "s", "0"},
	{"XREADGROUP", "GROUP", "g1", "quiet", "NOACK", "STREAMS", "s", "0"},
	{"XREADGROUP", "GROUP", "g1", "empty", "STREAMS", "s", ">"},
	{"XREADGROUP", "GROUP", "g3", "dave", "COUNT", "2", "STREAMS", "s", "m", ">", ">"},
	{"XDEL", "s", "101-5", "1-1"}, {"XDEL", "s", "1-1"},
	{"XCLAIM", "s", "g1", "erin", "0", "101-5", "102-1", "LASTID", "103-1"},
	{"XCLAIM", "s", "g1", "erin", "0", "1-1"}, {"XCLAIM", "s", "g1", "erin", "0", "1-1", "LASTID", "109-0"},
	{"XCLAIM", "s", "g1", "frank", "0", "103-1", "FORCE", "JUSTID", "RETRYCOUNT", "7", "TIME", "1800000000000"},
	{"XCLAIM", "s", "g1", "frank", "3600000", "102-1"},
	{"XAUTOCLAIM", "s", "g1", "gina", "0", "0", "COUNT", "1"}, {"XAUTOCLAIM", "s", "g1", "gina", "0", "0", "COUNT", "2", "JUSTID"},
	{"XACK", "s", "g1", "1-1"}, {"XACK", "s", "g1", "102-1", "1-1"}, {"XACK", "s", "nogroup", "1-1"},
	{"XGROUP", "CREATECONSUMER", "s", "g1", "hank"}, {"XGROUP", "CREATECONSUMER", "s", "g1", "hank"},
	{"XGROUP", "CREATECONSUMER", "s", "g1", "ivy"}, {"XGROUP", "DELCONSUMER", "s", "g1", "ivy"}, {"XGROUP", "DELCONSUMER", "s", "g1", "ivy"},
	{"XGROUP", "SETID", "s", "g2", "0", "ENTRIESREAD", "0"}, {"XGROUP", "DESTROY", "s", "g2"}, {"XGROUP", "DESTROY", "s", "g2"},
	{"MULTI"}, {"XADD", "s", "106-1", "i", "9"}, {"XREADGROUP", "GROUP", "g1", "jack", "STREAMS", "s", ">"},
	{"XAUTOCLAIM", "s", "g1", "jack", "0", "0", "COUNT", "1"}, {"XGROUP", "CREATECONSUMER", "s", "g1", "kim"}, {"EXEC"},
	{"XTRIM", "s", "MAXLEN", "100"}, {"XTRIM", "s", "MINID", "~", "1"},
	{"XADD", "t", "1-1", "a", "1"}, {"XADD", "t", "1-2", "a", "2"}, {"XADD", "t", "2-1", "a", "3"}, {"XTRIM", "t", "MAXLEN", "1"},
	{"XADD", "t", "MAXLEN", "=", "1", "3-1", "a", "4"}, {"XSETID", "t", "5-0", "ENTRIESADDED", "9", "MAXDELETEDID", "2-1"},
	{"XGROUP", "CREATE", "t", "tg", "0"}, {"XREADGROUP", "GROUP", "tg", "lou", "STREAMS", "t", ">"},
	{"XADD", "e", "1-1", "a", "1"}, {"XDEL", "e", "1-1"}, {"XGROUP", "CREATE", "e", "eg", "$"},
	{"XADD", "big", "MAXLEN", "~", "5", "1-1", "a", "1"},
	{"COPY", "s", "scopy"}, {"XADD", "t", "6-0", "x", "y"}, {"RENAME", "t", "trenamed"}, {"XREADGROUP", "GROUP", "tg", "lou", "STREAMS", "trenamed", ">"},
}

// streamAOFScriptFull adds to streamAOFScript a stream of more than one
// node, trimmed by ~ (the threshold logged is the one reached).
func streamAOFScriptFull() [][]string {
	cmds := append([][]string(nil), streamAOFScript...)
	for i := 2; i <= 250; i++ {
		cmds = append(cmds, []string{"XADD", "big", "MAXLEN", "~", "120", itoa(i) + "-1", "f", "v"})
	}
	cmds = append(cmds, []string{"XTRIM", "big", "MINID", "~", "200"}, []string{"XTRIM", "big", "MAXLEN", "~", "10", "LIMIT", "100"})
	return cmds
}

func itoa(i int) string { return strconv.Itoa(i) }

// runStreamSession runs cmds at addr, then blocked XREADGROUPs (one with
// NOACK, one in database 3) and a blocked XREAD served by later XADDs, as
// other clients.
func runStreamSession(t *testing.T, addr string, cmds [][]string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, args := range cmds {
		rawDo(t, conn, r, args...)
	}
	rawDo(t, conn, r, "XGROUP", "CREATE", "b", "bg", "$", "MKSTREAM")
	rawDo(t, conn, r, "XGROUP", "CREATE", "b", "bg2", "$")
	rawDo(t, conn, r, "SELECT", "3")
	rawDo(t, conn, r, "XGROUP", "CREATE", "b3", "bg", "$", "MKSTREAM")
	rawDo(t, conn, r, "SELECT", "0")
	var waiters []net.Conn
	var readers []*bufio.Reader
	for i, args := range [][]string{
		{"XREADGROUP", "GROUP", "bg", "w1", "BLOCK", "0", "STREAMS", "b", ">"},
		{"XREADGROUP", "GROUP", "bg2", "w2", "NOACK", "BLOCK", "0", "STREAMS", "b", ">"},
		{"XREADGROUP", "GROUP", "bg", "w3", "COUNT", "1", "BLOCK", "0", "STREAMS", "b3", ">"},
		{"XREAD", "BLOCK", "0", "STREAMS", "b", "$"}, // logs nothing when served
	} {
		wc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer wc.Close()
		wr := bufio.NewReader(wc)
		if i == 2 {
			rawDo(t, wc, wr, "SELECT", "3")
		}
		if _, err := wc.Write(encodeCommand(args...)); err != nil {
			t.Fatal(err)
		}
		waiters, readers = append(waiters, wc), append(readers, wr)
		want := "blocked_clients:" + itoa(len(waiters))
		waitFor(t, want, func() bool {
			return strings.Contains(rawDo(t, conn, r, "INFO", "clients").Str, want)
		})
	}
	rawDo(t, conn, r, "XADD", "b", "7-1", "k", "v")
	// In database 3, two entries in one transaction: the waiter takes one.
	rawDo(t, conn, r, "SELECT", "3")
	rawDo(t, conn, r, "MULTI")
	rawDo(t, conn, r, "XADD", "b3", "1-1", "k", "v")
	rawDo(t, conn, r, "XADD", "b3", "1-2", "k", "v")
	rawDo(t, conn, r, "EXEC")
	rawDo(t, conn, r, "SELECT", "0")
	for i, wc := range waiters {
		wc.SetDeadline(time.Now().Add(10 * time.Second))
		if v, err := resp.ReadValue(readers[i]); err != nil || v.Kind != '*' {
			t.Fatalf("blocked reader %d: %v %v", i, v, err)
		}
	}
}

// timeMask hides what depends on the clock: numbers of 12 digits or more
// (times, and the ms part of auto IDs).
var timeMask = regexp.MustCompile(`\d{12,}`)

// aofRecords returns the records of dir's last incr file, one line each,
// times masked.
func aofRecords(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(incrFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	err = aof.Parse("incr", data, func(args [][]byte, _ int64) error {
		words := make([]string, len(args))
		for i, a := range args {
			words[i] = string(a)
		}
		out = append(out, timeMask.ReplaceAllString(strings.Join(words, " "), "<ms>"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func redisDir(rs *redistest.Server) string {
	for i, a := range rs.Args() {
		if a == "--dir" {
			return rs.Args()[i+1]
		}
	}
	return ""
}

// TestAOFStreamRecordsMatchRedis: the records Herald writes for a stream
// session are those redis-server 7.0.15 writes, times aside.
func TestAOFStreamRecordsMatchRedis(t *testing.T) {
	redistest.Find(t)
	rs := redistest.Start(t, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always")
	heraldDir := t.TempDir()
	s := startServer(t, aofConfig(heraldDir, "always"))
	// A history read by a new consumer: Redis 7.0.15 logs nothing, and
	// so the consumer is not there after a restart (which is why the
	// replay test does not have it).
	cmds := append(streamAOFScriptFull(), []string{"XREADGROUP", "GROUP", "g1", "nobody", "STREAMS", "s", "0"})
	runStreamSession(t, rs.Addr(), cmds)
	runStreamSession(t, s.Addr().String(), cmds)
	want, got := aofRecords(t, redisDir(rs)), aofRecords(t, heraldDir)
	if os.Getenv("DUMP_RECORDS") != "" {
		t.Logf("%s", strings.Join(got, "\n"))
	}
	if len(want) < 100 {
		t.Fatalf("redis-server wrote only %d records:\n%s", len(want), strings.Join(want, "\n"))
	}
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			t.Fatalf("record %d: Herald %q, redis-server %q\nHerald:\n%s\nredis-server:\n%s", i, g, w, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// streamKeys are the streams streamAOFScriptFull and runStreamSession make.
var streamKeys = []string{"auto", "s", "scopy", "m", "trenamed", "e", "big", "b", "3:b3"}

// xinfoFull returns XINFO STREAM key FULL COUNT 0 (every entry and
// pending entry) for each of keys at addr, with
// the consumers' seen-time masked (Redis 7.0.15's AOF does not keep it:
// its replay and rewrite make consumers anew); with maskTimes also every
// time (for two servers that ran the session at different times); with
// maskRead also the groups' entries-read and lag, which Redis 7.0.15's
// AOF does not keep either after a ">" read logged as XCLAIMs (XCLAIM's
// LASTID moves the group's last ID, not its entries-read).
func xinfoFull(t *testing.T, addr string, keys []string, maskTimes, maskRead bool) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	var sb strings.Builder
	for _, k := range keys {
		db, key, ok := strings.Cut(k, ":")
		if !ok || len(db) != 1 { // "3:key" is key in database 3
			db, key = "0", k
		}
		rawDo(t, conn, r, "SELECT", db)
		v := rawDo(t, conn, r, "XINFO", "STREAM", key, "FULL", "COUNT", "0")
		maskFields(&v, maskRead)
		sb.WriteString(k + ": " + v.String() + "\n")
	}
	if maskTimes {
		return timeMask.ReplaceAllString(sb.String(), "<ms>")
	}
	return sb.String()
}

func maskFields(v *resp.Value, maskRead bool) {
	for i := range v.Elems {
		if f := v.Elems[i].Str; v.Elems[i].Kind == '$' && i+1 < len(v.Elems) && (f == "seen-time" || maskRead && (f == "entries-read" || f == "lag")) {
			v.Elems[i+1] = resp.Value{Kind: '+', Str: "<" + f + ">"}
		}
		maskFields(&v.Elems[i], maskRead)
	}
}

// TestAOFStreamReplay: streams, their groups, consumers and pending
// entries (owners, delivery counts and times), deleted entries, trims and
// XSETID metadata are the same after a clean stop and a restart, as XINFO
// STREAM FULL shows them (but for what Redis 7.0.15's AOF does not keep
// either: seen-time, and entries-read and lag); the same, those two
// included, as redis-server 7.0.15 shows after the same session and
// restart; and the same again after a BGREWRITEAOF and a restart.
func TestAOFStreamReplay(t *testing.T) {
	redistest.Find(t)
	cmds := streamAOFScriptFull()
	dir := t.TempDir()
	s, err := StartLocal(aofConfig(dir, "always"))
	if err != nil {
		t.Fatal(err)
	}
	runStreamSession(t, s.Addr().String(), cmds)
	before := xinfoFull(t, s.Addr().String(), streamKeys, false, true)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := StartLocal(aofConfig(dir, "always"))
	if err != nil {
		t.Fatal(err)
	}
	after := xinfoFull(t, s2.Addr().String(), streamKeys, false, true)
	if after != before {
		t.Fatalf("after the restart:\n%s\nbefore:\n%s", after, before)
	}

	// The same session on redis-server, restarted the same way.
	rs := redistest.Start(t, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always")
	runStreamSession(t, rs.Addr(), cmds)
	rdir := redisDir(rs)
	rs2 := restartRedis(t, rs, rdir)
	if got, want := xinfoFull(t, s2.Addr().String(), streamKeys, true, false), xinfoFull(t, rs2.Addr(), streamKeys, true, false); got != want {
		t.Fatalf("Herald after its restart:\n%s\nredis-server after its restart:\n%s", got, want)
	}

	// BGREWRITEAOF, then a restart: the same again, entries-read and
	// lag included (the rewrite writes them).
	reloaded := xinfoFull(t, s2.Addr().String(), streamKeys, false, false)
	c := dial(t, s2.Addr())
	c.mustDo("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	waitFor(t, "the rewrite", func() bool {
		c.send("INFO", "persistence")
		info := c.read().Str
		if strings.Contains(info, "aof_last_bgrewrite_status:err") {
			t.Fatalf("the rewrite failed:\n%s", info)
		}
		return strings.Contains(info, "aof_rewrite_in_progress:0") && strings.Contains(info, "aof_rewrites:1\r")
	})
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	s3 := startServer(t, aofConfig(dir, "always"))
	if got := xinfoFull(t, s3.Addr().String(), streamKeys, false, false); got != reloaded {
		t.Fatalf("after BGREWRITEAOF and a restart:\n%s\nbefore:\n%s", got, reloaded)
	}
}

// restartRedis starts a redis-server on a copy of rs's AOF in dir.
func restartRedis(t *testing.T, rs *redistest.Server, dir string) *redistest.Server {
	t.Helper()
	dst := t.TempDir()
	// appendfsync always: the files are whole while it runs.
	copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(dst, "appendonlydir"))
	return redistest.Start(t, "--dir", dst, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
}

// rewriteAndWait runs BGREWRITEAOF at addr and waits for it to be done,
// failing if it failed.
func rewriteAndWait(t *testing.T, addr string) {
	t.Helper()
	if v, err := redistest.Do(addr, "BGREWRITEAOF"); err != nil || v != rewriteStarted {
		t.Fatalf("BGREWRITEAOF: %v %v", v, err)
	}
	waitFor(t, "the rewrite", func() bool {
		v, err := redistest.Do(addr, "INFO", "persistence")
		info, _ := v.(string)
		if err != nil || strings.Contains(info, "aof_last_bgrewrite_status:err") {
			t.Fatalf("the rewrite failed: %v\n%s", err, info)
		}
		return strings.Contains(info, "aof_rewrite_in_progress:0") && strings.Contains(info, "aof_rewrites:1\r")
	})
}

// baseRecordsByKey returns the records of dir's base file by key, each
// key's in order, times masked (keys come in any order).
func baseRecordsByKey(t *testing.T, dir string) map[string][]string {
	t.Helper()
	m, err := aof.ReadManifest(aof.Options{Dir: dir})
	if err != nil || m == nil || m.Base == nil {
		t.Fatalf("manifest: %v %+v", err, m)
	}
	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", m.Base.Name))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	err = aof.Parse("base", data, func(args [][]byte, _ int64) error {
		words := make([]string, len(args))
		for i, a := range args {
			words[i] = string(a)
		}
		key := ""
		switch {
		case words[0] == "XGROUP":
			key = words[2]
		case len(words) > 1 && words[0] != "SELECT":
			key = words[1]
		}
		out[key] = append(out[key], timeMask.ReplaceAllString(strings.Join(words, " "), "<ms>"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAOFStreamRewriteMatchesRedis: after the same stream session,
// BGREWRITEAOF writes each stream as redis-server 7.0.15 writes it, times
// aside.
func TestAOFStreamRewriteMatchesRedis(t *testing.T) {
	redistest.Find(t)
	rs := redistest.Start(t, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always")
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	cmds := streamAOFScriptFull()
	runStreamSession(t, rs.Addr(), cmds)
	runStreamSession(t, s.Addr().String(), cmds)
	rewriteAndWait(t, rs.Addr())
	rewriteAndWait(t, s.Addr().String())
	want, got := baseRecordsByKey(t, redisDir(rs)), baseRecordsByKey(t, dir)
	for _, k := range streamKeys {
		if _, key, ok := strings.Cut(k, ":"); ok {
			k = key
		}
		if len(want[k]) == 0 {
			t.Fatalf("redis-server wrote nothing for %s", k)
		}
	}
	for k, w := range want {
		if g := got[k]; strings.Join(g, "\n") != strings.Join(w, "\n") {
			t.Errorf("key %q: Herald wrote\n%s\nredis-server wrote\n%s", k, strings.Join(g, "\n"), strings.Join(w, "\n"))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("key %q: Herald wrote %q, redis-server nothing", k, got[k])
		}
	}
}

// TestAOFStreamInterop: an AOF directory Herald wrote for a stream
// session, as logged and again after a rewrite, loads in redis-server
// 7.0.15 with the same XINFO STREAM FULL (seen-time aside: a reload makes
// consumers anew); one redis-server wrote loads in Herald the same way.
func TestAOFStreamInterop(t *testing.T) {
	redistest.Find(t)
	cmds := streamAOFScriptFull()
	t.Run("HeraldToRedis", func(t *testing.T) {
		dir := t.TempDir()
		s := startServer(t, aofConfig(dir, "always"))
		runStreamSession(t, s.Addr().String(), cmds)
		for _, rewrite := range []bool{false, true} {
			if rewrite {
				rewriteAndWait(t, s.Addr().String())
			}
			// What Herald itself loads from the files is what
			// redis-server must load.
			dst := t.TempDir()
			copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(dst, "appendonlydir"))
			s2 := startServer(t, aofConfig(dst, "always"))
			want := xinfoFull(t, s2.Addr().String(), streamKeys, false, false)
			s2.Close()
			dst = t.TempDir()
			copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(dst, "appendonlydir"))
			rs := redistest.Start(t, "--dir", dst, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
			if got := xinfoFull(t, rs.Addr(), streamKeys, false, false); got != want {
				t.Fatalf("rewrite %v: redis-server loaded:\n%s\nHerald loads:\n%s\nlog:\n%s", rewrite, got, want, rs.Log())
			}
		}
	})
	t.Run("RedisToHerald", func(t *testing.T) {
		rs := redistest.Start(t, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always")
		runStreamSession(t, rs.Addr(), cmds)
		for _, rewrite := range []bool{false, true} {
			if rewrite {
				rewriteAndWait(t, rs.Addr())
			}
			rs2 := restartRedis(t, rs, redisDir(rs))
			want := xinfoFull(t, rs2.Addr(), streamKeys, false, false)
			dst := t.TempDir()
			copyDir(t, filepath.Join(redisDir(rs), "appendonlydir"), filepath.Join(dst, "appendonlydir"))
			s := startServer(t, aofConfig(dst, "always"))
			if got := xinfoFull(t, s.Addr().String(), streamKeys, false, false); got != want {
				t.Fatalf("rewrite %v: Herald loaded:\n%s\nredis-server loads:\n%s", rewrite, got, want)
			}
		}
	})
}

// TestAOFStreamAtLeastOnceAcrossRestart: a consumer reads entries and
// acknowledges only some; the server stops and starts again on its AOF;
// another consumer takes the unacknowledged ones over with XAUTOCLAIM
// (their fields, a second delivery), the group does not deliver the read
// entries again, and a new entry is delivered once.
func TestAOFStreamAtLeastOnceAcrossRestart(t *testing.T) {
	for _, rewrite := range []bool{false, true} {
		dir := t.TempDir()
		s := startServer(t, aofConfig(dir, "always"))
		c := dial(t, s.Addr())
		c.mustDo("+OK\r\n", "XGROUP", "CREATE", "orders", "workers", "$", "MKSTREAM")
		for i := 1; i <= 4; i++ {
			c.mustDo("$3\r\n"+itoa(i)+"-1\r\n", "XADD", "orders", itoa(i)+"-1", "order", "o"+itoa(i))
		}
		c.mustDo("*1\r\n*2\r\n$6\r\norders\r\n*3\r\n"+
			"*2\r\n$3\r\n1-1\r\n*2\r\n$5\r\norder\r\n$2\r\no1\r\n"+
			"*2\r\n$3\r\n2-1\r\n*2\r\n$5\r\norder\r\n$2\r\no2\r\n"+
			"*2\r\n$3\r\n3-1\r\n*2\r\n$5\r\norder\r\n$2\r\no3\r\n",
			"XREADGROUP", "GROUP", "workers", "alice", "COUNT", "3", "STREAMS", "orders", ">")
		c.mustDo(":1\r\n", "XACK", "orders", "workers", "2-1")
		if rewrite {
			rewriteAndWait(t, s.Addr().String())
		}
		// alice dies with 1-1 and 3-1 unacknowledged; so does the server.
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		s2 := startServer(t, aofConfig(dir, "always"))
		c2 := dial(t, s2.Addr())
		c2.mustDo("*4\r\n:2\r\n$3\r\n1-1\r\n$3\r\n3-1\r\n*1\r\n*2\r\n$5\r\nalice\r\n$1\r\n2\r\n",
			"XPENDING", "orders", "workers")
		c2.mustDo("*3\r\n$3\r\n0-0\r\n*2\r\n"+
			"*2\r\n$3\r\n1-1\r\n*2\r\n$5\r\norder\r\n$2\r\no1\r\n"+
			"*2\r\n$3\r\n3-1\r\n*2\r\n$5\r\norder\r\n$2\r\no3\r\n*0\r\n",
			"XAUTOCLAIM", "orders", "workers", "bob", "0", "0")
		c2.send("XPENDING", "orders", "workers", "-", "+", "10")
		v := c2.read()
		if len(v.Elems) != 2 || v.Elems[0].Elems[1].Str != "bob" || v.Elems[0].Elems[3].Int != 2 || v.Elems[1].Elems[1].Str != "bob" || v.Elems[1].Elems[3].Int != 2 {
			t.Fatalf("rewrite %v: XPENDING after the claim: %s", rewrite, v)
		}
		c2.mustDo(":2\r\n", "XACK", "orders", "workers", "1-1", "3-1")
		// The group goes on after 3-1: 4-1 once, and nothing read before.
		c2.mustDo("*1\r\n*2\r\n$6\r\norders\r\n*1\r\n*2\r\n$3\r\n4-1\r\n*2\r\n$5\r\norder\r\n$2\r\no4\r\n",
			"XREADGROUP", "GROUP", "workers", "bob", "STREAMS", "orders", ">")
		c2.mustDo("*-1\r\n", "XREADGROUP", "GROUP", "workers", "carol", "STREAMS", "orders", ">")
		s2.Close()
	}
}

// TestAOFStreamTrimLimitReplay: an approximate trim with LIMIT is logged
// as "= threshold LIMIT n", which a client may not send but the AOF's
// replay accepts, as Redis's AOF client does.
func TestAOFStreamTrimLimitReplay(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	c := dial(t, s.Addr())
	for i := 1; i <= 250; i++ {
		c.mustDo("$"+itoa(len(itoa(i))+2)+"\r\n"+itoa(i)+"-1\r\n", "XADD", "k", itoa(i)+"-1", "f", "v")
	}
	c.mustDo(":200\r\n", "XTRIM", "k", "MAXLEN", "~", "10", "LIMIT", "200")
	c.mustDo("-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n", "XTRIM", "k", "MAXLEN", "=", "10", "LIMIT", "200")
	recs := aofRecords(t, dir)
	if last := recs[len(recs)-1]; last != "XTRIM k MAXLEN = 50 LIMIT 200" {
		t.Fatalf("last record %q", last)
	}
	s.Close()
	s2 := startServer(t, aofConfig(dir, "always"))
	c2 := dial(t, s2.Addr())
	c2.mustDo(":50\r\n", "XLEN", "k")
	c2.mustDo("*1\r\n*2\r\n$5\r\n201-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n", "XRANGE", "k", "-", "+", "COUNT", "1")
}
