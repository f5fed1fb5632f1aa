package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// The keyspace's snapshot (keyspace/snapshot.go) is BGREWRITEAOF's base
// file. These tests write one from a Herald and load it into redis-server
// 7.0.15 as the base of a multi-part append-only file, and into another
// Herald through its command handlers, and compare what both then hold
// with the Herald it was taken from.

// snapshotFill is a keyspace with every type, every encoding, values
// split over several commands, binary data, big values and expiry times,
// in several databases.
func snapshotFill() [][]string {
	future := strconv.FormatInt(time.Now().Add(24*time.Hour).UnixMilli(), 10)
	cmds := [][]string{
		{"SET", "str", "hello"},
		{"SET", "int", "-1234567890123"},
		{"SET", "bin", "\x00\r\n\xff$*"},
		{"SET", "empty", ""},
		{"SET", "big", strings.Repeat("0123456789abcdef", 64<<10)},
		{"SET", "raw", "x"},
		{"APPEND", "raw", "yz"},
		{"INCRBYFLOAT", "float", "1.5"},
		{"RPUSH", "list", "a", "", "b"},
		{"SADD", "intset", "1", "-2", "300"},
		{"SADD", "set", "a", "b", "c d"},
		{"HSET", "hash", "f", "v", "", "empty"},
		{"ZADD", "zset", "1", "a", "2.5", "b", "-inf", "c", "+inf", "d", "0.1", "e", "-0.30000000000000004", "f"},
		{"SET", "ttl", "v", "PX", "86400000"},
		{"RPUSH", "ttl-list", "x"},
		{"PEXPIREAT", "ttl-list", future},
		{"HSET", "ttl-hash", "f", "v"},
		{"EXPIRE", "ttl-hash", "5000"},
	}
	bigList := []string{"RPUSH", "biglist"}
	bigSet := []string{"SADD", "bigset"}
	bigIntSet := []string{"SADD", "bigintset"}
	bigHash := []string{"HSET", "bighash"}
	bigZSet := []string{"ZADD", "bigzset"}
	for i := range 300 {
		n := strconv.Itoa(i)
		bigList = append(bigList, "e"+n)
		bigSet = append(bigSet, "m"+n)
		bigIntSet = append(bigIntSet, n)
		bigHash = append(bigHash, "f"+n, strings.Repeat("v", i))
		bigZSet = append(bigZSet, strconv.FormatFloat(float64(i)/7, 'g', -1, 64), "m"+n)
	}
	cmds = append(cmds, bigList, bigSet, bigIntSet, bigHash, bigZSet,
		[]string{"RPUSH", "longelems", strings.Repeat("x", 100_000), "y"},
		[]string{"SELECT", "5"},
		[]string{"SET", "str", "db5"},
		[]string{"ZADD", "zset", "1", "x"},
		[]string{"SELECT", "15"},
		[]string{"HSET", "h", "a", "b"},
		[]string{"PEXPIREAT", "h", future},
		[]string{"SELECT", "0"},
	)
	return cmds
}

// writeSnapshot snapshots srv's keyspace (nothing else writing) and
// returns the bytes.
func writeSnapshot(t *testing.T, srv *Server) []byte {
	t.Helper()
	srv.ks.Lock()
	snap, err := srv.ks.StartSnapshot()
	srv.ks.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := snap.WriteTo(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// snapshotReads returns, for every database, the commands that read all
// of it back: DBSIZE, then per key (in the order of keys) TYPE,
// PEXPIRETIME and the whole value.
func snapshotReads(keys [][]string, types [][]string) [][]string {
	var cmds [][]string
	for db := range keys {
		cmds = append(cmds, []string{"SELECT", strconv.Itoa(db)}, []string{"DBSIZE"})
		for i, key := range keys[db] {
			cmds = append(cmds, []string{"TYPE", key}, []string{"PEXPIRETIME", key})
			switch types[db][i] {
			case "string":
				cmds = append(cmds, []string{"GET", key})
			case "list":
				cmds = append(cmds, []string{"LRANGE", key, "0", "-1"})
			case "set":
				cmds = append(cmds, []string{"SMEMBERS", key})
			case "hash":
				cmds = append(cmds, []string{"HGETALL", key})
			case "zset":
				cmds = append(cmds, []string{"ZRANGE", key, "0", "-1", "WITHSCORES"})
			}
		}
	}
	return cmds
}

// keysOf lists every database's keys, sorted, and their types.
func keysOf(t *testing.T, addr string) (keys, types [][]string) {
	t.Helper()
	var cmds [][]string
	for db := range 16 {
		cmds = append(cmds, []string{"SELECT", strconv.Itoa(db)}, []string{"KEYS", "*"})
	}
	vals := mustDoAll(t, addr, cmds)
	keys = make([][]string, 16)
	types = make([][]string, 16)
	var typeCmds [][]string
	for db := range 16 {
		for _, k := range vals[2*db+1].Elems {
			keys[db] = append(keys[db], k.Str)
		}
		slices.Sort(keys[db])
		typeCmds = append(typeCmds, []string{"SELECT", strconv.Itoa(db)})
		for _, k := range keys[db] {
			typeCmds = append(typeCmds, []string{"TYPE", k})
		}
	}
	vals = mustDoAll(t, addr, typeCmds)
	for db := range 16 {
		vals = vals[1:]
		for range keys[db] {
			types[db] = append(types[db], vals[0].Str)
			vals = vals[1:]
		}
	}
	return keys, types
}

// mustDoAll runs cmds on a new connection and returns the replies.
func mustDoAll(t *testing.T, addr string, cmds [][]string) []resp.Value {
	t.Helper()
	// A millisecond a command bounds a long fill (tens of thousands of
	// commands under -race on a busy machine), not replyTimeout.
	timeout := max(replyTimeout, time.Duration(len(cmds))*time.Millisecond)
	vals, err := redisDoTimeout(addr, append(slices.Clone(cmds), []string{"QUIT"}), timeout)
	if err != nil {
		t.Fatalf("%s: %v", addr, err)
	}
	return vals[:len(cmds)]
}

// normalizeReads renders replies for comparing: the elements of SMEMBERS
// sorted, HGETALL's pairs sorted.
func normalizeReads(cmds [][]string, vals []resp.Value) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		switch strings.ToUpper(cmds[i][0]) {
		case "SMEMBERS":
			var ms []string
			for _, e := range v.Elems {
				ms = append(ms, strconv.Quote(e.Str))
			}
			slices.Sort(ms)
			out[i] = "set" + strings.Join(ms, ",")
			continue
		case "HGETALL":
			var ps []string
			for j := 0; j+1 < len(v.Elems); j += 2 {
				ps = append(ps, strconv.Quote(v.Elems[j].Str)+"="+strconv.Quote(v.Elems[j+1].Str))
			}
			slices.Sort(ps)
			out[i] = "hash" + strings.Join(ps, ",")
			continue
		}
		s := v.String()
		if len(s) > 300 {
			s = fmt.Sprintf("%.300s... (%d bytes)", s, len(s))
		}
		out[i] = s
	}
	return out
}

// compareServers reads both servers whole and reports the differences.
func compareServers(t *testing.T, wantAddr, gotAddr, gotName string) {
	t.Helper()
	keys, types := keysOf(t, wantAddr)
	n := 0
	for _, k := range keys {
		n += len(k)
	}
	if n == 0 {
		t.Fatal("no keys to compare")
	}
	cmds := snapshotReads(keys, types)
	want := normalizeReads(cmds, mustDoAll(t, wantAddr, cmds))
	got := normalizeReads(cmds, mustDoAll(t, gotAddr, cmds))
	bad := 0
	for i := range cmds {
		if got[i] != want[i] {
			t.Errorf("%q: %s has %s, the Herald snapshotted %s", cmds[i], gotName, got[i], want[i])
			if bad++; bad == 10 {
				t.Fatal("too many differences")
			}
		}
	}
	gotKeys, _ := keysOf(t, gotAddr)
	if !slices.EqualFunc(gotKeys, keys, slices.Equal) {
		t.Errorf("%s's keys differ:\n got %q\nwant %q", gotName, gotKeys, keys)
	}
}

// loadHerald runs a snapshot's commands on a fresh Herald through its
// command handlers, checking every reply is +OK or an integer.
func loadHerald(t *testing.T, base []byte) *Server {
	t.Helper()
	h := startServer(t, Config{Logger: slog.New(slog.DiscardHandler)})
	nc, err := net.DialTimeout("tcp", h.Addr().String(), replyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	n := len(baseCommands(t, base))
	go nc.Write(append(base, encodeCommand("QUIT")...))
	r := bufio.NewReader(nc)
	for i := range n + 1 {
		nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		v, err := resp.ReadValue(r)
		if err != nil {
			t.Fatalf("reply %d of %d: %v", i, n+1, err)
		}
		if v.Kind == '-' {
			t.Fatalf("reply %d: %s", i, v.Str)
		}
	}
	return h
}

// baseCommands parses a snapshot: RESP arrays of bulk strings only.
func baseCommands(t *testing.T, base []byte) [][]string {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(base))
	var cmds [][]string
	for {
		v, err := resp.ReadValue(r)
		if err == io.EOF {
			return cmds
		}
		if err != nil {
			t.Fatalf("command %d: %v", len(cmds), err)
		}
		if v.Kind != '*' || v.Null || len(v.Elems) == 0 {
			t.Fatalf("command %d is %s, not an array", len(cmds), v)
		}
		var cmd []string
		for _, e := range v.Elems {
			if e.Kind != '$' || e.Null {
				t.Fatalf("command %d has %s, not a bulk string", len(cmds), e)
			}
			cmd = append(cmd, e.Str)
		}
		cmds = append(cmds, cmd)
	}
}

func TestSnapshotLoadsInHerald(t *testing.T) {
	src := startServer(t, Config{Logger: slog.New(slog.DiscardHandler)})
	mustDoAll(t, src.Addr().String(), snapshotFill())
	base := writeSnapshot(t, src)
	// A big value makes no base of only one command, and a zero-count
	// split never happens.
	if n := len(baseCommands(t, base)); n < 30 {
		t.Fatalf("only %d commands", n)
	}
	dst := loadHerald(t, base)
	compareServers(t, src.Addr().String(), dst.Addr().String(), "the Herald loaded from the snapshot")
}

// TestDiffSnapshotLoadsInRedis loads a snapshot as the base file of
// redis-server's multi-part append-only file (Redis 7.0's manifest) and
// compares keys, types, values and expiry times with the Herald it was
// taken from.
func TestDiffSnapshotLoadsInRedis(t *testing.T) {
	redistest.Find(t)
	src := startServer(t, Config{Logger: slog.New(slog.DiscardHandler)})
	mustDoAll(t, src.Addr().String(), snapshotFill())
	base := writeSnapshot(t, src)

	dir := t.TempDir()
	aofDir := filepath.Join(dir, "appendonlydir")
	if err := os.Mkdir(aofDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(aofDir, "appendonly.aof.1.base.aof"), base, 0o644); err != nil {
		t.Fatal(err)
	}
	manifest := "file appendonly.aof.1.base.aof seq 1 type b\n"
	if err := os.WriteFile(filepath.Join(aofDir, "appendonly.aof.manifest"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	redis := redistest.Start(t, "--appendonly", "yes", "--dir", dir)
	if log := redis.Log(); !strings.Contains(log, "DB loaded from base file appendonly.aof.1.base.aof") {
		t.Fatalf("redis-server did not load the base file; its log:\n%s", log)
	}
	compareServers(t, src.Addr().String(), redis.Addr(), "redis-server")
}

// TestSnapshotUnderCommands snapshots a Herald while clients run write
// commands of every group on it (RENAME, MOVE, COPY, the STORE commands,
// LMOVE, FLUSHDB ... as well as the in-place ones), and checks that the
// snapshot, loaded into another Herald, is the keyspace of T0 exactly:
// every command handler reaches values only through the keyspace's hooked
// API.
func TestSnapshotUnderCommands(t *testing.T) {
	src := startServer(t, Config{Logger: slog.New(slog.DiscardHandler)})
	addr := src.Addr().String()
	rng := rand.New(rand.NewPCG(1, 2))
	var fill [][]string
	for range 4000 {
		fill = append(fill, randomWrite(rng)...)
	}
	mustDoAll(t, addr, fill)

	src.ks.Lock()
	want := keyspaceText(src.ks)
	snap, err := src.ks.StartSnapshot()
	src.ks.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	snap.ChunkKeys, snap.ChunkBytes = 4, 512

	load := startWriteLoad(addr, 4, 3, randomWrite)
	out := &pacedBuffer{ops: &load.ops}
	_, err = snap.WriteTo(out)
	load.end(t)
	if err != nil {
		t.Fatal(err)
	}
	dst := loadHerald(t, out.buf.Bytes())
	dst.ks.Lock()
	got := keyspaceText(dst.ks)
	dst.ks.Unlock()
	if got != want {
		t.Fatalf("the loaded snapshot differs from T0's keyspace (%d commands ran during it)\n%s", load.ops.Load(), textDiff(got, want))
	}
	if out.writes < 10 || load.ops.Load() < 100 {
		t.Fatalf("too little interleaving: %d chunks, %d commands", out.writes, load.ops.Load())
	}
	t.Logf("%d keys at T0, %d chunks, %d commands during the snapshot", strings.Count(want, "\n"), out.writes, load.ops.Load())
}

// randomWrite returns a random write command on a few keys of four
// databases, after the SELECT of its database. Expiry times are long: the comparison is of T0's keyspace
// with one loaded later.
func randomWrite(rng *rand.Rand) [][]string {
	key := func() string { return "k" + strconv.Itoa(rng.IntN(40)) }
	n := func(max int) string { return strconv.Itoa(rng.IntN(max)) }
	cmds := [][]string{
		{"SET", key(), n(1000)},
		{"SET", key(), n(1000), "KEEPTTL"},
		{"APPEND", key(), "x"},
		{"INCR", key()},
		{"SETRANGE", key(), n(10), "ab"},
		{"RPUSH", key(), n(100), n(100), n(100)},
		{"LPOP", key()},
		{"LTRIM", key(), "1", "-2"},
		{"LMOVE", key(), key(), "LEFT", "RIGHT"},
		{"LSET", key(), "0", "set"},
		{"SADD", key(), n(100), "m" + n(100)},
		{"SREM", key(), n(100)},
		{"SMOVE", key(), key(), n(100)},
		{"SUNIONSTORE", key(), key(), key()},
		{"HSET", key(), "f" + n(70), n(100)},
		{"HDEL", key(), "f" + n(70)},
		{"HINCRBY", key(), "f" + n(70), "3"},
		{"ZADD", key(), n(100), "m" + n(100)},
		{"ZINCRBY", key(), "1.5", "m" + n(100)},
		{"ZREM", key(), "m" + n(100)},
		{"ZUNIONSTORE", key(), "2", key(), key()},
		{"DEL", key()},
		{"UNLINK", key(), key()},
		{"RENAME", key(), key()},
		{"COPY", key(), key(), "DB", n(4), "REPLACE"},
		{"MOVE", key(), n(4)},
		{"EXPIRE", key(), strconv.Itoa(10000 + rng.IntN(1000))},
		{"PERSIST", key()},
		{"GETDEL", key()},
		{"GETSET", key(), n(10)},
	}
	cmd := cmds[rng.IntN(len(cmds))]
	if rng.IntN(400) == 0 {
		cmd = []string{"FLUSHDB"}
	}
	// Each command on a database of its own choice: SELECT first.
	return [][]string{{"SELECT", n(4)}, cmd}
}

// pacedBuffer collects a snapshot, waiting on each write until the
// clients have run 10 more commands (or a generous deadline passed: the
// test then goes on, with less interleaving).
type pacedBuffer struct {
	ops    *atomic.Int64
	buf    bytes.Buffer
	writes int
}

func (w *pacedBuffer) Write(b []byte) (int, error) {
	w.writes++
	target := w.ops.Load() + 10
	deadline := time.Now().Add(5 * time.Second)
	for w.ops.Load() < target && time.Now().Before(deadline) {
		runtime.Gosched()
	}
	return w.buf.Write(b)
}

// keyspaceText is a keyspace's content as text, one line per key:
// database, key, type, value, expiry. Lock held.
func keyspaceText(ks *keyspace.Keyspace) string {
	var lines []string
	for i := range keyspace.NumDatabases {
		ks.DB(i).Keys(func(key string, e *keyspace.Entry) bool {
			var parts []string
			sorted := true
			switch v := e.Value.(type) {
			case *keyspace.String:
				parts = append(parts, strconv.Quote(string(v.B)))
			case *keyspace.List:
				v.Range(0, v.Len()-1, false, func(b []byte) { parts = append(parts, strconv.Quote(string(b))) })
				sorted = false
			case *keyspace.Set:
				v.Each(func(m string) bool { parts = append(parts, strconv.Quote(m)); return true })
			case *keyspace.Hash:
				v.Each(func(f, val string) bool { parts = append(parts, strconv.Quote(f)+"="+strconv.Quote(val)); return true })
			case *keyspace.ZSet:
				v.Range(0, v.Len()-1, false, func(m string, s float64) bool {
					parts = append(parts, strconv.Quote(m)+"="+strconv.FormatFloat(s, 'g', -1, 64))
					return true
				})
				sorted = false
			default:
				parts = append(parts, fmt.Sprintf("%T", v))
			}
			if sorted {
				slices.Sort(parts)
			}
			lines = append(lines, fmt.Sprintf("%d %q %s [%s] px=%d", i, key, e.Value.Type(), strings.Join(parts, " "), e.ExpireAt))
			return true
		})
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

func textDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n got %.300s\nwant %.300s", i, a, b)
		}
	}
	return "(same)"
}
