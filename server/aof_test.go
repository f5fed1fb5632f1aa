package server

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"io"
	"log/slog"

	"github.com/heraldhq/herald/aof"
	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
	"github.com/heraldhq/herald/keyspace"
)

// aofConfig is a configuration with the AOF on in dir.
func aofConfig(dir string, fsync string) Config {
	return Config{AppendOnly: true, AppendFsync: fsync, Dir: dir}
}

// rawDo sends one command on a plain connection and reads its reply.
func rawDo(t testing.TB, conn net.Conn, r *bufio.Reader, args ...string) resp.Value {
	t.Helper()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(encodeCommand(args...)); err != nil {
		t.Fatalf("write %v: %v", args, err)
	}
	v, err := resp.ReadValue(r)
	if err != nil {
		t.Fatalf("read reply to %v: %v", args, err)
	}
	return v
}

// dumpData returns every key of databases 0 and 3 at addr with its type,
// value (sets and hashes sorted) and absolute expiry time.
func dumpData(t testing.TB, addr string) map[string]string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	out := map[string]string{}
	for _, db := range []string{"0", "3"} {
		rawDo(t, conn, r, "SELECT", db)
		keys := rawDo(t, conn, r, "KEYS", "*")
		for _, k := range keys.Elems {
			key := k.Str
			typ := rawDo(t, conn, r, "TYPE", key).Str
			var val []string
			switch typ {
			case "string":
				val = []string{rawDo(t, conn, r, "GET", key).Str}
			case "list":
				for _, e := range rawDo(t, conn, r, "LRANGE", key, "0", "-1").Elems {
					val = append(val, e.Str)
				}
			case "set":
				for _, e := range rawDo(t, conn, r, "SMEMBERS", key).Elems {
					val = append(val, e.Str)
				}
				sort.Strings(val)
			case "hash":
				h := rawDo(t, conn, r, "HGETALL", key).Elems
				for i := 0; i+1 < len(h); i += 2 {
					val = append(val, h[i].Str+"="+h[i+1].Str)
				}
				sort.Strings(val)
			case "zset":
				for _, e := range rawDo(t, conn, r, "ZRANGE", key, "0", "-1", "WITHSCORES").Elems {
					val = append(val, e.Str)
				}
			}
			at := rawDo(t, conn, r, "PEXPIRETIME", key)
			expiry := "persistent"
			if at.Kind == ':' && at.Int > 0 {
				expiry = "expires at " + strconv.FormatInt(at.Int, 10)
			} else if at.Kind == '-' { // no PEXPIRETIME: only whether there is a TTL
				if rawDo(t, conn, r, "PTTL", key).Int > 0 {
					expiry = "expires"
				}
			}
			out[db+":"+key] = typ + " " + strings.Join(val, ",") + " " + expiry
		}
	}
	return out
}

// aofScript writes keys of every type, with TTLs, in two databases,
// through commands whose AOF form is not their text.
var aofScript = [][]string{
	{"SET", "str", "v"}, {"SET", "str", "other", "NX"}, {"APPEND", "str", "+"},
	{"SET", "ttl", "v", "EX", "1000"}, {"SETEX", "ttl2", "1000", "v"}, {"PSETEX", "ttl3", "1000000", "v"},
	{"SET", "keep", "1"}, {"EXPIRE", "keep", "500"}, {"INCRBYFLOAT", "keep", "1.5"},
	{"SET", "gone", "1"}, {"EXPIRE", "gone", "-1"}, {"DEL", "missing"},
	{"SET", "ex", "v"}, {"GETEX", "ex", "PX", "800000"}, {"SET", "per", "v", "PX", "9000"}, {"GETEX", "per", "PERSIST"},
	{"SET", "gd", "v"}, {"GETDEL", "gd"},
	{"INCR", "n"}, {"INCRBY", "n", "41"},
	{"RPUSH", "list", "a", "b", "c", "d"}, {"LPOP", "list"}, {"LPUSH", "list", "z"}, {"BLPOP", "list", "0"},
	{"RPUSH", "src", "x", "y"}, {"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"}, {"BRPOPLPUSH", "src", "dst", "0"},
	{"HSET", "hash", "f", "1", "g", "2"}, {"HINCRBYFLOAT", "hash", "f", "0.25"}, {"HDEL", "hash", "g"},
	{"SADD", "set", "a", "b", "c", "d", "e", "f"}, {"SPOP", "set"}, {"SPOP", "set", "2"}, {"SREM", "set", "zz"},
	{"SADD", "set2", "x"}, {"SPOP", "set2", "5"},
	{"ZADD", "zset", "1", "a", "2", "b", "3", "c"}, {"ZINCRBY", "zset", "5", "a"}, {"ZPOPMIN", "zset"},
	{"MULTI"}, {"SET", "tx1", "1"}, {"SELECT", "3"}, {"SET", "tx3", "3"}, {"EXEC"},
	{"SELECT", "3"}, {"SET", "db3", "v", "PXAT", "99999999999999"}, {"SELECT", "0"},
	{"SET", "short", "v", "PX", "1"},
}

// runAOFScript runs aofScript at addr.
func runAOFScript(t testing.TB, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for _, args := range aofScript {
		if v := rawDo(t, conn, r, args...); v.Kind == '-' {
			t.Fatalf("%v: %s", args, v.Str)
		}
	}
}

// TestAOFReplay: what a server wrote is there after a clean stop and a
// start on the same directory, expiry times included as absolute times; a
// key that expired while the server was down is gone.
func TestAOFReplay(t *testing.T) {
	for _, fsync := range []string{"always", "everysec", "no"} {
		t.Run(fsync, func(t *testing.T) {
			dir := t.TempDir()
			s, err := StartLocal(aofConfig(dir, fsync))
			if err != nil {
				t.Fatal(err)
			}
			runAOFScript(t, s.Addr().String())
			before := dumpData(t, s.Addr().String())
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if _, ok := before["0:short"]; ok {
				delete(before, "0:short") // it may or may not have expired yet
			}
			for _, k := range []string{"0:str", "0:ttl", "0:keep", "0:list", "0:dst", "0:hash", "0:set", "0:zset", "3:tx3", "3:db3"} {
				if _, ok := before[k]; !ok {
					t.Fatalf("%s missing before the restart: %v", k, before)
				}
			}
			s2 := startServer(t, aofConfig(dir, fsync))
			after := dumpData(t, s2.Addr().String())
			if _, ok := after["0:short"]; ok {
				t.Errorf("a key that expired while the server was down was loaded")
			}
			if fmt.Sprint(after) != fmt.Sprint(before) {
				t.Fatalf("after the restart:\n%v\nbefore:\n%v", after, before)
			}
		})
	}
}

// TestAOFRecords checks the records of commands whose AOF form is not
// their text, and that commands that changed nothing are not logged.
func TestAOFRecords(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "SET", "a", "1")
	c.mustDo("$-1\r\n", "SET", "a", "2", "NX")
	c.mustDo(":0\r\n", "DEL", "nope")
	c.mustDo(":1\r\n", "PEXPIREAT", "a", "99999999999999")
	c.mustDo(":1\r\n", "EXPIRE", "a", "-5")
	c.mustDo("$-1\r\n", "SET", "b", "v", "EXAT", "99999999999", "GET")
	c.mustDo("$3\r\n1.5\r\n", "INCRBYFLOAT", "f", "1.5")
	c.mustDo("+OK\r\n", "MULTI")
	c.mustDo("+QUEUED\r\n", "SET", "m", "1")
	c.mustDo("*1\r\n+OK\r\n", "EXEC")
	c.mustDo("+OK\r\n", "MULTI")
	c.mustDo("+QUEUED\r\n", "SET", "m", "1")
	c.mustDo("+QUEUED\r\n", "SET", "m2", "2")
	c.mustDo("*2\r\n+OK\r\n+OK\r\n", "EXEC")
	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := aof.Parse("incr", data, func(args [][]byte, _ int64) error {
		var words []string
		for _, a := range args {
			words = append(words, string(a))
		}
		got = append(got, strings.Join(words, " "))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{"SELECT 0", "SET a 1", "PEXPIREAT a 99999999999999", "DEL a",
		"SET b v PXAT 99999999999000", "SET f 1.5 KEEPTTL", "SET m 1",
		"MULTI", "SET m 1", "SET m2 2", "EXEC"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("records:\n got %q\nwant %q", got, want)
	}
}

// incrFile returns the path of the last incr file of the AOF in dir.
func incrFile(t testing.TB, dir string) string {
	t.Helper()
	m, err := aof.ReadManifest(aof.Options{Dir: dir})
	if err != nil || m == nil || len(m.Incr) == 0 {
		t.Fatalf("manifest: %v %+v", err, m)
	}
	return filepath.Join(dir, "appendonlydir", m.Incr[len(m.Incr)-1].Name)
}

// TestAOFTornRecord: a last record cut off (a crash while writing it)
// loads with a warning and the records before it; with
// aof-load-truncated no, the start fails with a clear error. A bad record
// in the middle stops the start, naming the file and the offset.
func TestAOFTornRecord(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "SET", "a", "1")
	c.mustDo("+OK\r\n", "SET", "b", "2")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	path := incrFile(t, dir)
	st, _ := os.Stat(path)
	if err := os.Truncate(path, st.Size()-3); err != nil {
		t.Fatal(err)
	}

	refuse := aofConfig(dir, "always")
	refuse.AOFRefuseTruncated = true
	if _, err := StartLocal(refuse); err == nil || !strings.Contains(err.Error(), "unexpected end of file") || !strings.Contains(err.Error(), "appendonly.aof.1.incr.aof") {
		t.Fatalf("aof-load-truncated no: start error %v", err)
	}

	log := &lockedLog{}
	cfg := aofConfig(dir, "always")
	cfg.Logger = slog.New(slog.NewTextHandler(log, nil))
	s2 := startServer(t, cfg)
	c2 := dial(t, s2.Addr())
	c2.mustDo("$1\r\n1\r\n", "GET", "a")
	c2.mustDo("$-1\r\n", "GET", "b")
	c2.mustDo("+OK\r\n", "SET", "c", "3") // appended after the truncation point
	if !strings.Contains(log.String(), "short read while loading the AOF") {
		t.Fatalf("no warning logged: %s", log.String())
	}
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	s3 := startServer(t, aofConfig(dir, "always"))
	c3 := dial(t, s3.Addr())
	c3.mustDo("$1\r\n3\r\n", "GET", "c")
	s3.Close()

	// A bad record in the middle.
	data, _ := os.ReadFile(path)
	bad := append(append([]byte{}, data[:len(data)/2]...), '!')
	bad = append(bad, data[len(data)/2:]...)
	os.WriteFile(path, bad, 0o644)
	if _, err := StartLocal(aofConfig(dir, "always")); err == nil || !strings.Contains(err.Error(), "appendonly.aof.1.incr.aof at offset") {
		t.Fatalf("corrupt record: start error %v", err)
	}
	// A file the manifest names that does not exist.
	os.Remove(path)
	if _, err := StartLocal(aofConfig(dir, "always")); err == nil || !strings.Contains(err.Error(), "doesn't exist") {
		t.Fatalf("missing file: start error %v", err)
	}
}

// TestAOFKillUnderLoad: with appendfsync always, every write a client saw
// acknowledged is there after the server is killed with SIGKILL in the
// middle of a write load and started again.
func TestAOFKillUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the herald binary")
	}
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "herald")
	build := exec.Command("go", "build", "-o", bin, "../cmd/herald")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(tmp, "data")
	os.Mkdir(dir, 0o755)
	start := func() (*exec.Cmd, string) {
		port, err := redistest.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		cmd := exec.Command(bin, "serve", "--port", strconv.Itoa(port), "--http-port", "0",
			"--appendonly", "yes", "--appendfsync", "always", "--dir", dir)
		var log strings.Builder
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		waitFor(t, "herald to listen", func() bool {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
			}
			return err == nil
		})
		return cmd, addr
	}
	cmd, addr := start()

	const clients = 4
	var mu sync.Mutex
	acked := make([]int, clients) // per client: INCRs and RPUSHes acknowledged
	var wg sync.WaitGroup
	enough := make(chan struct{}, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			r := bufio.NewReader(conn)
			for n := 1; ; n++ {
				conn.SetDeadline(time.Now().Add(10 * time.Second))
				cmds := append(encodeCommand("INCR", "counter:"+strconv.Itoa(i)),
					encodeCommand("RPUSH", "list:"+strconv.Itoa(i), strconv.Itoa(n))...)
				if _, err := conn.Write(cmds); err != nil {
					return
				}
				for j := 0; j < 2; j++ {
					v, err := resp.ReadValue(r)
					if err != nil {
						return
					}
					if v.Kind != ':' || v.Int != int64(n) {
						t.Errorf("client %d: reply %v to write %d", i, v, n)
						return
					}
				}
				mu.Lock()
				acked[i] = n
				mu.Unlock()
				if n == 200 {
					enough <- struct{}{}
				}
			}
		}(i)
	}
	for i := 0; i < clients; i++ {
		<-enough
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	wg.Wait()

	_, addr = start()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	for i := 0; i < clients; i++ {
		v := rawDo(t, conn, r, "GET", "counter:"+strconv.Itoa(i))
		n, _ := strconv.Atoi(v.Str)
		l := rawDo(t, conn, r, "LLEN", "list:"+strconv.Itoa(i)).Int
		if n < acked[i] || int(l) < acked[i] {
			t.Errorf("client %d: %d writes acknowledged, counter %d, list length %d after the restart", i, acked[i], n, l)
		}
		// Every element is there once, in order.
		elems := rawDo(t, conn, r, "LRANGE", "list:"+strconv.Itoa(i), "0", "-1").Elems
		for j, e := range elems {
			if e.Str != strconv.Itoa(j+1) {
				t.Fatalf("client %d: element %d is %q", i, j, e.Str)
			}
		}
	}
}

// TestAOFInterop: an AOF directory Herald wrote loads in redis-server
// 7.0 with the same data, and one redis-server wrote (aof-use-rdb-preamble
// no) loads in Herald.
func TestAOFInterop(t *testing.T) {
	redistest.Find(t)
	t.Run("HeraldToRedis", func(t *testing.T) {
		dir := t.TempDir()
		s, err := StartLocal(aofConfig(dir, "always"))
		if err != nil {
			t.Fatal(err)
		}
		runAOFScript(t, s.Addr().String())
		want := dumpData(t, s.Addr().String())
		delete(want, "0:short")
		s.Close()
		rs := redistest.Start(t, "--dir", dir, "--appendonly", "yes", "--aof-use-rdb-preamble", "no")
		got := dumpData(t, rs.Addr())
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("redis-server loaded:\n%v\nHerald had:\n%v\nlog:\n%s", got, want, rs.Log())
		}
	})
	t.Run("RedisToHerald", func(t *testing.T) {
		rs := redistest.Start(t, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always")
		runAOFScript(t, rs.Addr())
		want := dumpData(t, rs.Addr())
		delete(want, "0:short")
		var dir string
		for i, a := range rs.Args() {
			if a == "--dir" {
				dir = rs.Args()[i+1]
			}
		}
		dst := t.TempDir()
		copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(dst, "appendonlydir"))
		s := startServer(t, aofConfig(dst, "always"))
		got := dumpData(t, s.Addr().String())
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("Herald loaded:\n%v\nredis-server had:\n%v", got, want)
		}
	})
}

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzAOFLoad: arbitrary bytes as an incr file never crash or hang the
// loader, which runs them through the command handlers.
func FuzzAOFLoad(f *testing.F) {
	f.Add(aof.AppendCommand(nil, []byte("SET"), []byte("k"), []byte("v")))
	f.Add([]byte("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*1\r\n$5\r\nMULTI\r\n*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nx\r\n*1\r\n$4\r\nEXEC\r\n"))
	f.Add([]byte("*3\r\n$5\r\nBLPOP\r\n$1\r\nl\r\n$1\r\n0\r\n*2\r\n$6\r\nSELECT\r\n$2\r\n99\r\n"))
	f.Add([]byte("*1\r\n$4\r\nEXEC\r\n*1\r\n$5\r\nMULTI\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		aofDir := filepath.Join(dir, "appendonlydir")
		os.Mkdir(aofDir, 0o755)
		os.WriteFile(filepath.Join(aofDir, "appendonly.aof.1.incr.aof"), data, 0o644)
		os.WriteFile(filepath.Join(aofDir, "appendonly.aof.manifest"), []byte("file appendonly.aof.1.incr.aof seq 1 type i\n"), 0o644)
		s := New(Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
		s.loadAOF(s.aofOptions())
	})
}

// lockedLog is a log destination safe for concurrent writes.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAOFRewrite: BGREWRITEAOF writes a new base from a snapshot while
// writes go on to a new incr file; a second one while it runs is refused
// as Redis refuses it; after a restart the data is all there, and the
// directory holds the new base, the new incr file and the manifest only.
func TestAOFRewrite(t *testing.T) {
	release := make(chan struct{})
	var releaseOnce sync.Once
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) }) // a failed test's Close waits for the rewrite
	real := aofSnapshot
	aofSnapshot = func(ks *keyspace.Keyspace) (aof.BaseWriter, func(), error) {
		write, abort, err := real(ks)
		if err != nil {
			return nil, nil, err
		}
		return func(w io.Writer) error { <-release; return write(w) }, abort, nil
	}
	defer func() { aofSnapshot = real }()

	dir := t.TempDir()
	s, err := StartLocal(aofConfig(dir, "always"))
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, s.Addr())
	runAOFScript(t, s.Addr().String())
	c.mustDo("+Background append only file rewriting started\r\n", "BGREWRITEAOF")
	c.mustDo("-ERR Background append only file rewriting already in progress\r\n", "BGREWRITEAOF")
	c.send("INFO", "persistence")
	if info := c.read().Str; !strings.Contains(info, "aof_rewrite_in_progress:1") {
		t.Fatalf("INFO during the rewrite:\n%s", info)
	}
	c.mustDo("+OK\r\n", "SET", "during", "1")
	c.mustDo(":1\r\n", "INCR", "n2")
	c.mustDo(":2\r\n", "INCR", "n2")
	// A crash now, in the middle of the rewrite: a copy of the directory
	// (appendfsync always: the replies were sent after the fsyncs) loads
	// the old base and both incr files.
	mid := dumpData(t, s.Addr().String())
	delete(mid, "0:short")
	crashDir := t.TempDir()
	copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(crashDir, "appendonlydir"))
	if m, err := aof.ReadManifest(aof.Options{Dir: crashDir}); err != nil || len(m.Incr) != 2 || m.Base.Seq != 1 {
		t.Fatalf("manifest during the rewrite: %+v %v", m, err)
	}
	sc := startServer(t, aofConfig(crashDir, "always"))
	if got := dumpData(t, sc.Addr().String()); fmt.Sprint(got) != fmt.Sprint(mid) {
		t.Fatalf("loaded from the copy made during the rewrite:\n%v\nwant:\n%v", got, mid)
	}
	sc.Close()
	releaseOnce.Do(func() { close(release) })
	waitFor(t, "the rewrite to end", func() bool {
		c.send("INFO", "persistence")
		info := c.read().Str
		return strings.Contains(info, "aof_rewrite_in_progress:0") && strings.Contains(info, "aof_rewrites:1")
	})
	before := dumpData(t, s.Addr().String())
	delete(before, "0:short")
	s.Close()
	entries, _ := os.ReadDir(filepath.Join(dir, "appendonlydir"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "appendonly.aof.2.base.aof appendonly.aof.2.incr.aof appendonly.aof.manifest" {
		t.Fatalf("files after the rewrite: %v", names)
	}
	s2 := startServer(t, aofConfig(dir, "always"))
	after := dumpData(t, s2.Addr().String())
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("after the restart:\n%v\nbefore:\n%v", after, before)
	}
}

// TestAOFConfigSet: CONFIG SET appendonly yes at run time writes the data
// as it is to a new base and logs what follows; appendonly no stops
// logging.
func TestAOFConfigSet(t *testing.T) {
	dir := t.TempDir()
	s, err := StartLocal(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "SET", "before", "1")
	c.mustDo("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n", "CONFIG", "GET", "appendonly")
	c.mustDo("-ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: always, everysec, no\r\n",
		"CONFIG", "SET", "appendfsync", "sometimes")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "yes", "appendfsync", "always")
	waitFor(t, "the rewrite to end", func() bool {
		c.send("INFO", "persistence")
		return strings.Contains(c.read().Str, "aof_rewrites:1")
	})
	c.mustDo("+OK\r\n", "SET", "after", "2")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "no")
	c.mustDo("+OK\r\n", "SET", "unlogged", "3")
	s.Close()
	s2 := startServer(t, aofConfig(dir, "always"))
	c2 := dial(t, s2.Addr())
	c2.mustDo("$1\r\n1\r\n", "GET", "before")
	c2.mustDo("$1\r\n2\r\n", "GET", "after")
	c2.mustDo("$-1\r\n", "GET", "unlogged")
}

// aofDiffScript's commands are logged by Herald as redis-server 7.0.15
// logs them (the times of PEXPIREAT and PXAT aside).
var aofDiffScript = [][]string{
	{"SET", "a", "1"}, {"SET", "a", "2", "NX"}, {"SET", "a", "3", "XX", "GET"}, {"SETNX", "a", "4"}, {"DEL", "nope", "nope2"},
	{"EXPIRE", "a", "100"}, {"EXPIRE", "a", "50", "GT"}, {"PEXPIRE", "a", "200000", "GT"}, {"EXPIREAT", "a", "99999999999"},
	{"PERSIST", "a"}, {"PERSIST", "a"}, {"EXPIRE", "a", "0"}, {"EXPIRE", "a", "100"},
	{"SETEX", "b", "100", "v"}, {"PSETEX", "c", "100000", "v"}, {"SET", "d", "v", "EX", "100", "NX"}, {"SET", "e", "v", "PXAT", "99999999999999"},
	{"SET", "f", "v", "KEEPTTL"}, {"GETEX", "f", "EX", "100"}, {"GETEX", "f"}, {"GETEX", "f", "PERSIST"}, {"GETEX", "f", "PERSIST"}, {"GETEX", "f", "EXAT", "1"},
	{"SET", "g", "v"}, {"GETDEL", "g"}, {"GETDEL", "g"},
	{"SET", "pa", "v"}, {"PEXPIREAT", "pa", "99999999999999", "NX"}, {"PEXPIREAT", "pa", "1"}, {"PEXPIREAT", "pa", "1"},
	{"INCR", "n"}, {"DECRBY", "n", "5"}, {"INCRBYFLOAT", "fl", "2.5"}, {"APPEND", "s", "x"}, {"APPEND", "s2", ""}, {"SETRANGE", "sr", "0", ""}, {"SETRANGE", "s", "3", "y"},
	{"MSET", "m1", "1", "m2", "2"}, {"MSETNX", "m1", "x", "m3", "y"}, {"GETSET", "m1", "z"},
	{"RPUSH", "l", "a", "b", "c", "d"}, {"LPUSHX", "nol", "x"}, {"LSET", "l", "0", "A"}, {"LREM", "l", "0", "zz"}, {"LINSERT", "l", "BEFORE", "b", "ab"},
	{"LTRIM", "l", "0", "-1"}, {"LPOP", "l"}, {"RPOP", "l", "2"}, {"LMOVE", "l", "l2", "LEFT", "RIGHT"}, {"RPOPLPUSH", "l2", "l3"},
	{"BLPOP", "l3", "0"}, {"RPUSH", "l4", "x"}, {"BRPOP", "nothere", "l4", "0"}, {"RPUSH", "l5", "x", "y"}, {"BLMOVE", "l5", "l6", "RIGHT", "LEFT", "0"},
	{"HSET", "h", "f", "1", "g", "2"}, {"HSETNX", "h", "f", "x"}, {"HINCRBY", "h", "f", "3"}, {"HINCRBYFLOAT", "h", "g", "0.5"}, {"HDEL", "h", "nope"}, {"HDEL", "h", "f"},
	{"SADD", "s1", "a", "b", "c"}, {"SADD", "s1", "a"}, {"SREM", "s1", "zz"}, {"SMOVE", "s1", "s3", "a"}, {"SINTERSTORE", "s4", "s1", "s3"}, {"SUNIONSTORE", "s5", "s1", "s3"},
	{"ZADD", "z", "1", "a", "2", "b"}, {"ZADD", "z", "NX", "5", "a"}, {"ZINCRBY", "z", "1.5", "a"}, {"ZREM", "z", "nope"}, {"ZPOPMAX", "z"}, {"ZUNIONSTORE", "z2", "1", "z"},
	{"RENAME", "z2", "z3"}, {"COPY", "z3", "z4"}, {"MOVE", "z4", "5"}, {"RENAMENX", "z3", "z"}, {"UNLINK", "z3", "nope"},
	{"MULTI"}, {"SET", "t1", "1"}, {"INCR", "t2"}, {"EXEC"},
	{"MULTI"}, {"SET", "t1", "1", "NX"}, {"EXEC"},
	{"MULTI"}, {"SELECT", "4"}, {"SET", "t3", "1"}, {"SELECT", "0"}, {"EXPIRE", "t1", "100"}, {"EXEC"},
	{"SELECT", "2"}, {"SET", "x", "1"}, {"FLUSHDB"}, {"FLUSHDB"}, {"SELECT", "0"}, {"SET", "x", "2"}, {"FLUSHALL"}, {"SET", "y", "1"},
}

// TestAOFRecordsMatchRedis: the records Herald writes for aofDiffScript
// are those redis-server 7.0.15 writes, absolute times aside.
func TestAOFRecordsMatchRedis(t *testing.T) {
	redistest.Find(t)
	rs := redistest.Start(t, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always")
	var redisDir string
	for i, a := range rs.Args() {
		if a == "--dir" {
			redisDir = rs.Args()[i+1]
		}
	}
	heraldDir := t.TempDir()
	s := startServer(t, aofConfig(heraldDir, "always"))
	for _, addr := range []string{rs.Addr(), s.Addr().String()} {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(conn)
		for _, args := range aofDiffScript {
			rawDo(t, conn, r, args...)
		}
		conn.Close()
	}
	records := func(dir string) []string {
		data, err := os.ReadFile(incrFile(t, dir))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		err = aof.Parse("incr", data, func(args [][]byte, _ int64) error {
			words := make([]string, len(args))
			for i, a := range args {
				words[i] = string(a)
				if len(a) >= 12 && i > 0 && (strings.EqualFold(string(args[0]), "pexpireat") || strings.EqualFold(string(args[i-1]), "pxat")) {
					words[i] = "<ms>"
				}
			}
			out = append(out, strings.Join(words, " "))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want, got := records(redisDir), records(heraldDir)
	for i := 0; i < max(len(want), len(got)); i++ {
		var w, g string
		if i < len(want) {
			w = want[i]
		}
		if i < len(got) {
			g = got[i]
		}
		if w != g {
			t.Fatalf("record %d: Herald %q, redis-server %q\nHerald: %q\nredis-server: %q", i, g, w, got, want)
		}
	}
}

// TestAOFLoadSilent: replaying the AOF raises no keyspace notifications,
// which Go code sharing the broker could otherwise see.
func TestAOFLoadSilent(t *testing.T) {
	dir := t.TempDir()
	cfg := aofConfig(dir, "always")
	cfg.NotifyKeyspaceEvents = "KEA"
	s := startServer(t, cfg)
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "SET", "a", "1")
	s.Close()

	b := broker.New()
	sub := &recordingSubscriber{}
	b.PSubscribe(sub, "__key*")
	cfg.Broker = b
	s2 := startServer(t, cfg)
	c2 := dial(t, s2.Addr())
	c2.mustDo("$1\r\n1\r\n", "GET", "a")
	c2.mustDo("+OK\r\n", "SET", "b", "2") // notifications are on again
	waitFor(t, "the notification of SET b", func() bool { return sub.count() > 0 })
	if got := sub.messages(); strings.Contains(got, ":a ") || !strings.Contains(got, ":b ") {
		t.Fatalf("notifications: %s", got)
	}
}

// recordingSubscriber records the messages delivered to it as
// "channel payload" lines.
type recordingSubscriber struct {
	mu  sync.Mutex
	got []string
}

func (r *recordingSubscriber) Deliver(m *broker.Message, _ *broker.Batch) {
	r.mu.Lock()
	r.got = append(r.got, string(m.Channel)+" "+string(m.Payload))
	r.mu.Unlock()
}

func (r *recordingSubscriber) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func (r *recordingSubscriber) messages() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.got, "\n") + "\n"
}

// TestAOFAutoRewrite: past auto-aof-rewrite-min-size and
// auto-aof-rewrite-percentage of growth, the AOF rewrites itself.
func TestAOFAutoRewrite(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "no"))
	c := dial(t, s.Addr())
	c.mustDo("*4\r\n$25\r\nauto-aof-rewrite-min-size\r\n$8\r\n67108864\r\n$27\r\nauto-aof-rewrite-percentage\r\n$3\r\n100\r\n",
		"CONFIG", "GET", "auto-aof-rewrite-*")
	c.mustDo("-ERR CONFIG SET failed (possibly related to argument 'auto-aof-rewrite-percentage') - argument must be between 0 and 2147483647 inclusive\r\n",
		"CONFIG", "SET", "auto-aof-rewrite-percentage", "-1")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "auto-aof-rewrite-min-size", "1kb", "auto-aof-rewrite-percentage", "50")
	for i := 0; i < 100; i++ {
		c.mustDo("+OK\r\n", "SET", "k", strings.Repeat("x", 100)) // the same key: the rewrite is smaller
	}
	waitFor(t, "an automatic rewrite", func() bool {
		c.send("INFO", "persistence")
		return strings.Contains(c.read().Str, "aof_rewrites:1")
	})
	c.mustDo("+OK\r\n", "CONFIG", "SET", "auto-aof-rewrite-percentage", "0")
	c.mustDo("*2\r\n$27\r\nauto-aof-rewrite-percentage\r\n$1\r\n0\r\n", "CONFIG", "GET", "auto-aof-rewrite-percentage")
}

// TestAOFPropagateAPI: what a handler logs through propagate,
// alsoPropagate and preventPropagation, for the commands (streams) that
// log other commands than themselves.
func TestAOFPropagateAPI(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	c := &conn{srv: s}
	run := func(name string, handler func(c *conn, args [][]byte), args ...string) {
		var argv [][]byte
		for _, a := range args {
			argv = append(argv, []byte(a))
		}
		s.ks.Lock()
		c.call(&command{name: name, run: handler}, argv)
		s.flushPropagation()
		s.ks.Unlock()
	}
	set := func(c *conn, args [][]byte) {
		db := c.keyspaceDB()
		db.Set(string(args[1]), keyspace.NewString([]byte("v")), false)
		db.Written(string(args[1]))
	}
	// Replaced: two commands in place of one, in MULTI ... EXEC.
	run("xadd", func(c *conn, args [][]byte) {
		set(c, args)
		c.propagate([]byte("SET"), args[1], []byte("chosen"))
		c.propagate([]byte("PEXPIREAT"), args[1], []byte("1"))
	}, "XADD", "k1", "*")
	// Besides: the handler's command first, then the command itself.
	run("xclaim", func(c *conn, args [][]byte) {
		set(c, args)
		c.alsoPropagate([]byte("XGROUP"), []byte("SETID"), args[1])
	}, "XSOMETHING", "k2")
	// Prevented, with something besides: only that.
	run("xreadgroup", func(c *conn, args [][]byte) {
		set(c, args)
		c.alsoPropagate([]byte("XCLAIM"), args[1])
		c.preventPropagation()
	}, "XREADGROUP", "k3")
	// Changed nothing, said nothing: nothing.
	run("xlen", func(c *conn, args [][]byte) {}, "XLEN", "k4")
	// Changed nothing but said something: that.
	run("xtrim", func(c *conn, args [][]byte) { c.propagate([]byte("XTRIM"), args[1], []byte("0")) }, "XTRIM", "k5")
	a := s.aofOn()
	if err := a.Sync(a.Offset()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(incrFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	aof.Parse("incr", data, func(args [][]byte, _ int64) error {
		var words []string
		for _, a := range args {
			words = append(words, string(a))
		}
		got = append(got, strings.Join(words, " "))
		return nil
	})
	want := []string{"SELECT 0", "MULTI", "SET k1 chosen", "PEXPIREAT k1 1", "EXEC",
		"MULTI", "XGROUP SETID k2", "XSOMETHING k2", "EXEC", "XCLAIM k3", "XTRIM k5 0"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("records:\n got %q\nwant %q", got, want)
	}
}

// TestAOFExpiredAndEvicted: keys deleted by expiry and by eviction are
// logged as DEL.
func TestAOFExpiredAndEvicted(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "SET", "e", "v", "PX", "20")
	waitFor(t, "e to expire", func() bool {
		c.send("GET", "e")
		return c.read().Null
	})
	c.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory-policy", "allkeys-random")
	c.send("INFO", "memory")
	used := c.read().Str
	i := strings.Index(used, "used_memory:")
	n, _ := strconv.ParseInt(strings.TrimSpace(used[i+len("used_memory:"):i+strings.Index(used[i:], "\r")]), 10, 64)
	c.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory", strconv.FormatInt(n+4096, 10))
	for k := 0; k < 200; k++ {
		c.mustDo("+OK\r\n", "SET", "k"+strconv.Itoa(k), strings.Repeat("x", 100))
	}
	c.send("INFO", "stats")
	stats := c.read().Str
	if !strings.Contains(stats, "expired_keys:1\r") || strings.Contains(stats, "evicted_keys:0\r") {
		t.Fatalf("stats:\n%s", stats)
	}
	i = strings.Index(stats, "evicted_keys:")
	evicted, _ := strconv.Atoi(stats[i+len("evicted_keys:") : i+strings.Index(stats[i:], "\r")])
	data, err := os.ReadFile(incrFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	dels := map[string]bool{}
	aof.Parse("incr", data, func(args [][]byte, _ int64) error {
		if string(args[0]) == "DEL" {
			dels[string(args[1])] = true
		}
		return nil
	})
	if !dels["e"] || len(dels) != 1+evicted {
		t.Fatalf("DEL records for %v; %d keys evicted", dels, evicted)
	}
}
