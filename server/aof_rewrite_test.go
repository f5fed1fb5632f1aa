package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/aof"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/keyspace"
)

// hookRewrites makes each rewrite's base writer call before(attempt)
// first (attempt counts from 1): it may block, or fail the rewrite with
// an error. The returned func releases every blocked attempt; register it
// with t.Cleanup after starting the server too, as a failed test's Close
// waits for the rewrite (cleanups run last first).
func hookRewrites(t *testing.T, before func(attempt int, release <-chan struct{}) error) (release func()) {
	t.Helper()
	ch := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(release)
	real := aofSnapshot
	var attempts atomic.Int32
	aofSnapshot = func(ks *keyspace.Keyspace) (aof.BaseWriter, func(), error) {
		write, abort, err := real(ks)
		if err != nil {
			return nil, nil, err
		}
		n := int(attempts.Add(1))
		return func(w io.Writer) error {
			if err := before(n, ch); err != nil {
				return err
			}
			return write(w)
		}, abort, nil
	}
	t.Cleanup(func() { aofSnapshot = real })
	return release
}

// infoHas reports whether INFO persistence at c holds every field.
func infoHas(c *testClient, fields ...string) bool {
	c.send("INFO", "persistence")
	info := c.read().Str
	for _, f := range fields {
		if !strings.Contains(info, f+"\r\n") {
			return false
		}
	}
	return true
}

func aofDirNames(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "appendonlydir"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return strings.Join(names, " ")
}

// loadCopy starts a server on a copy of dir's AOF, as a restart after a
// crash at this moment would (appendfsync always: what was acknowledged
// is on disk), and returns its data.
func loadCopy(t *testing.T, dir string) map[string]string {
	t.Helper()
	crashDir := t.TempDir()
	copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(crashDir, "appendonlydir"))
	sc := startServer(t, aofConfig(crashDir, "always"))
	defer sc.Close()
	return dumpData(t, sc.Addr().String())
}

// staleAOFServer starts a server with the AOF on in a new directory,
// writes keys, and turns the AOF off: the directory holds a stale AOF.
// It returns the server, a client, the directory and the data the stale
// AOF holds.
func staleAOFServer(t *testing.T) (*Server, *testClient, string, map[string]string) {
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "SET", "stale", "1")
	c.mustDo("+OK\r\n", "SET", "kept", "1")
	c.mustDo(":1\r\n", "RPUSH", "list", "old")
	old := dumpData(t, s.Addr().String())
	c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "no")
	// Changes while the AOF is off, which the stale AOF does not hold.
	c.mustDo(":1\r\n", "DEL", "stale")
	c.mustDo(":1\r\n", "DEL", "list")
	c.mustDo("+OK\r\n", "SET", "whileoff", "1")
	return s, c, dir, old
}

// TestAOFEnableCrashDuringRewrite: CONFIG SET appendonly yes over a
// directory holding an AOF from before the AOF was turned off leaves that
// AOF's manifest alone while the first rewrite runs; the records written
// meanwhile go to temp-appendonly.aof.incr, which it does not name. A
// crash then loads the stale AOF as it was (as redis-server 7.0.15 does
// in the same case: the keys deleted while the AOF was off are back),
// never the records of the new AOF replayed on top of it (a list of
// "old" and "new" that never was). Once the rewrite ends the directory
// holds the new AOF only and a restart loads the data as it is.
func TestAOFEnableCrashDuringRewrite(t *testing.T) {
	release := hookRewrites(t, func(_ int, release <-chan struct{}) error { <-release; return nil })
	s, c, dir, old := staleAOFServer(t)
	t.Cleanup(release)
	manifest := filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest")
	oldManifest, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	if !infoHas(c, "aof_enabled:1", "aof_rewrite_in_progress:1") {
		t.Fatal("no rewrite running after CONFIG SET appendonly yes")
	}
	c.mustDo(":1\r\n", "RPUSH", "list", "new")
	c.mustDo("+OK\r\n", "SET", "during", "1")
	if man, _ := os.ReadFile(manifest); !bytes.Equal(man, oldManifest) {
		t.Fatalf("the manifest changed before the rewrite ended:\n%s\nwas:\n%s", man, oldManifest)
	}
	temp, _ := os.ReadFile(filepath.Join(dir, "appendonlydir", "temp-appendonly.aof.incr"))
	if !bytes.Contains(temp, []byte("during")) {
		t.Fatalf("the records after appendonly yes are not in the temp incr file: %q", temp)
	}
	if got := loadCopy(t, dir); fmt.Sprint(got) != fmt.Sprint(old) {
		t.Fatalf("a crash during the first rewrite loads:\n%v\nwant the stale AOF as it was:\n%v", got, old)
	}

	release()
	waitFor(t, "the rewrite to end", func() bool { return infoHas(c, "aof_rewrite_in_progress:0", "aof_rewrites:1") })
	if got := aofDirNames(t, dir); got != "appendonly.aof.2.base.aof appendonly.aof.2.incr.aof appendonly.aof.manifest" {
		t.Fatalf("files after the rewrite: %s", got)
	}
	c.mustDo("+OK\r\n", "SET", "after", "1")
	now := dumpData(t, s.Addr().String())
	if _, ok := now["0:stale"]; ok {
		t.Fatal("stale is in memory")
	}
	if got := loadCopy(t, dir); fmt.Sprint(got) != fmt.Sprint(now) {
		t.Fatalf("after the rewrite a restart loads:\n%v\nwant:\n%v", got, now)
	}
}

// TestAOFEnableRewriteFails: when the first rewrite after CONFIG SET
// appendonly yes fails, its temporary files are deleted and the AOF
// stays waiting (INFO: aof_enabled:1, the rewrite scheduled), the stale
// AOF still the directory's; the cron retries the rewrite, whose end
// installs the new AOF.
func TestAOFEnableRewriteFails(t *testing.T) {
	release := hookRewrites(t, func(attempt int, release <-chan struct{}) error {
		if attempt == 1 {
			return fmt.Errorf("injected failure")
		}
		<-release
		return nil
	})
	s, c, dir, old := staleAOFServer(t)
	t.Cleanup(release)
	oldFiles := aofDirNames(t, dir)
	c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	waitFor(t, "the first rewrite to fail", func() bool { return infoHas(c, "aof_rewrites_consecutive_failures:1") })
	// The cron's retry (within a second) blocks: until it ends, the
	// directory holds the stale AOF and the retry's temp incr file.
	waitFor(t, "the retry", func() bool { return infoHas(c, "aof_rewrite_in_progress:1") })
	if !infoHas(c, "aof_enabled:1", "aof_last_bgrewrite_status:err", "aof_rewrites:0") {
		t.Fatal("INFO during the retry")
	}
	want := oldFiles + " temp-appendonly.aof.incr temp-rewriteaof-bg-" + strconv.Itoa(os.Getpid()) + ".aof"
	if got := aofDirNames(t, dir); got != want {
		t.Fatalf("files during the retry: %s, want the stale AOF's and the retry's temp files: %s", got, want)
	}
	c.mustDo("+OK\r\n", "SET", "during", "1")
	if got := loadCopy(t, dir); fmt.Sprint(got) != fmt.Sprint(old) {
		t.Fatalf("a crash after the failed rewrite loads:\n%v\nwant the stale AOF as it was:\n%v", got, old)
	}
	release()
	waitFor(t, "the retry to end", func() bool {
		return infoHas(c, "aof_rewrite_in_progress:0", "aof_rewrites:1", "aof_rewrite_scheduled:0")
	})
	now := dumpData(t, s.Addr().String())
	if got := loadCopy(t, dir); fmt.Sprint(got) != fmt.Sprint(now) {
		t.Fatalf("after the retried rewrite a restart loads:\n%v\nwant:\n%v", got, now)
	}
}

// TestAOFRewriteInExec: BGREWRITEAOF inside MULTI/EXEC is scheduled, as
// in Redis 7.0.15, and starts once the EXEC's records are appended: the
// transaction lands whole, MULTI ... EXEC, in the old incr file, none of
// it in the new one, and a crash during the rewrite or a restart after
// it loads all of it.
func TestAOFRewriteInExec(t *testing.T) {
	release := hookRewrites(t, func(_ int, release <-chan struct{}) error { <-release; return nil })
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	t.Cleanup(release)
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "SET", "x", "0")
	c.mustDo("+OK\r\n", "MULTI")
	c.mustDo("+QUEUED\r\n", "SET", "a", "1")
	c.mustDo("+QUEUED\r\n", "BGREWRITEAOF")
	c.mustDo("+QUEUED\r\n", "INCR", "x")
	c.mustDo("*3\r\n+OK\r\n+Background append only file rewriting scheduled\r\n:1\r\n", "EXEC")
	if !infoHas(c, "aof_rewrite_in_progress:1", "aof_rewrite_scheduled:0") {
		t.Fatal("the scheduled rewrite did not start after the EXEC")
	}
	c.mustDo("+OK\r\n", "SET", "after", "1")
	records := func(name string) []string {
		data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", name))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		if err := aof.Parse(name, data, func(args [][]byte, _ int64) error {
			out = append(out, string(bytes.Join(args, []byte(" "))))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := strings.Join(records("appendonly.aof.1.incr.aof"), "|"), "SELECT 0|SET x 0|MULTI|SET a 1|INCR x|EXEC"; got != want {
		t.Fatalf("old incr file: %s\nwant %s", got, want)
	}
	if got, want := strings.Join(records("appendonly.aof.2.incr.aof"), "|"), "SELECT 0|SET after 1"; got != want {
		t.Fatalf("new incr file: %s\nwant %s", got, want)
	}
	now := dumpData(t, s.Addr().String())
	if got := loadCopy(t, dir); fmt.Sprint(got) != fmt.Sprint(now) {
		t.Fatalf("a crash during the rewrite loads:\n%v\nwant:\n%v", got, now)
	}
	// Inside a transaction while one runs: refused as Redis refuses it.
	c.mustDo("+OK\r\n", "MULTI")
	c.mustDo("+QUEUED\r\n", "BGREWRITEAOF")
	c.mustDo("*1\r\n-ERR Background append only file rewriting already in progress\r\n", "EXEC")
	release()
	waitFor(t, "the rewrite to end", func() bool { return infoHas(c, "aof_rewrite_in_progress:0", "aof_rewrites:1") })
	if got := loadCopy(t, dir); fmt.Sprint(got) != fmt.Sprint(now) {
		t.Fatalf("a restart after the rewrite loads:\n%v\nwant:\n%v", got, now)
	}
}

// TestAOFEnableCrashMatchesRedis runs TestAOFEnableCrashDuringRewrite's
// case on redis-server 7.0.15 too (its first rewrite kept running by
// rdb-key-save-delay): a crash before the rewrite ends loads, in both,
// the AOF from before the AOF was turned off as it was.
func TestAOFEnableCrashMatchesRedis(t *testing.T) {
	redistest.Find(t)
	release := hookRewrites(t, func(_ int, release <-chan struct{}) error { <-release; return nil })
	script := [][]string{
		{"SET", "stale", "1"}, {"SET", "kept", "1"}, {"RPUSH", "list", "old"},
		{"CONFIG", "SET", "appendonly", "no"},
		{"DEL", "stale"}, {"DEL", "list"}, {"SET", "whileoff", "1"},
		{"CONFIG", "SET", "appendonly", "yes"},
		{"RPUSH", "list", "new"}, {"SET", "during", "1"},
	}
	// run runs the script at addr and returns what a crash then loads.
	run := func(addr, dir string, load func(dir string) string, stop func()) map[string]string {
		defer stop()
		// One connection, not closed meanwhile: redis-server's rewrite
		// child holds the sockets open at the fork, a closed one until
		// it exits.
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for _, args := range script {
			if v := rawDo(t, c, r, args...); v.Kind == '-' {
				t.Fatalf("%s: %v: %s", addr, args, v.Str)
			}
		}
		if info := rawDo(t, c, r, "INFO", "persistence").Str; !strings.Contains(info, "aof_rewrite_in_progress:1") {
			t.Fatalf("%s: the first rewrite ended before the copy:\n%s", addr, info)
		}
		crashDir := t.TempDir()
		copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(crashDir, "appendonlydir"))
		return dumpData(t, load(crashDir))
	}

	heraldDir := t.TempDir()
	s := startServer(t, aofConfig(heraldDir, "always"))
	t.Cleanup(release)
	herald := run(s.Addr().String(), heraldDir, func(dir string) string {
		return startServer(t, aofConfig(dir, "always")).Addr().String()
	}, release)

	redisDir := t.TempDir()
	rs := redistest.Start(t, "--dir", redisDir, "--appendonly", "yes", "--aof-use-rdb-preamble", "no",
		"--appendfsync", "always", "--rdb-key-save-delay", "10000000") // the rewrite takes 10 s a key
	redis := run(rs.Addr(), redisDir, func(dir string) string {
		return redistest.Start(t, "--dir", dir, "--appendonly", "yes", "--aof-use-rdb-preamble", "no").Addr()
	}, func() {
		// Turning the AOF off kills the rewrite's child, which would
		// outlive the server.
		c, err := net.DialTimeout("tcp", rs.Addr(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		rawDo(t, c, bufio.NewReader(c), "CONFIG", "SET", "appendonly", "no")
	})
	if fmt.Sprint(herald) != fmt.Sprint(redis) {
		t.Fatalf("a crash during the first rewrite loads in Herald:\n%v\nin redis-server:\n%v", herald, redis)
	}
	if _, ok := herald["0:stale"]; !ok || herald["0:list"] != "list old persistent" {
		t.Fatalf("not the stale AOF: %v", herald)
	}
}

// TestRewriteRetryLimited: a scheduled rewrite is retried at once for its
// first failures; from the third in a row, after 1, 2, 4 ... minutes, at
// most an hour, as Redis's aofRewriteLimited.
func TestRewriteRetryLimited(t *testing.T) {
	var st rewriteState
	now := time.Unix(1_000_000, 0)
	for st.failStreak = 0; st.failStreak < 3; st.failStreak++ {
		if st.retryLimited(now) {
			t.Fatalf("limited after %d failures", st.failStreak)
		}
	}
	for _, delay := range []time.Duration{1, 2, 4, 8, 16, 32, 60, 60} {
		if !st.retryLimited(now) {
			t.Fatalf("failure %d: not limited", st.failStreak)
		}
		if !st.retryLimited(now.Add(delay*time.Minute - time.Second)) {
			t.Fatalf("failure %d: retried before %d minutes", st.failStreak, delay)
		}
		now = now.Add(delay * time.Minute)
		if st.retryLimited(now) {
			t.Fatalf("failure %d: not retried after %d minutes", st.failStreak, delay)
		}
		st.failStreak++ // the retry failed too
	}
	st.failStreak = 0
	if st.retryLimited(now) || st.retryDelay != 0 {
		t.Fatal("still limited after a rewrite succeeded")
	}
}

// TestAOFEnableCrashBeforeManifest: CONFIG SET appendonly yes in a
// directory with no AOF yet, and a crash of its first rewrite after the
// temporary incr file was renamed to appendonly.aof.1.incr.aof but
// before the manifest was written. The restart finds no manifest and
// loads nothing; its AOF must not take over the renamed file's records,
// or the restart after it brings back keys the data never held.
func TestAOFEnableCrashBeforeManifest(t *testing.T) {
	release := hookRewrites(t, func(_ int, release <-chan struct{}) error { <-release; return nil })
	dir := t.TempDir()
	s := startServer(t, Config{Dir: dir, AppendFsync: "always"})
	t.Cleanup(release)
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	c.mustDo("+OK\r\n", "SET", "ghost", "1")
	// The crash: the rewrite's renames done, the manifest not written.
	crashDir := t.TempDir()
	copyDir(t, filepath.Join(dir, "appendonlydir"), filepath.Join(crashDir, "appendonlydir"))
	aofDir := filepath.Join(crashDir, "appendonlydir")
	if err := os.Rename(filepath.Join(aofDir, "temp-appendonly.aof.incr"), filepath.Join(aofDir, "appendonly.aof.1.incr.aof")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(aofDir, "temp-rewriteaof-bg-"+strconv.Itoa(os.Getpid())+".aof"), filepath.Join(aofDir, "appendonly.aof.1.base.aof")); err != nil {
		t.Fatal(err)
	}
	for restart := 1; restart <= 2; restart++ {
		sc := startServer(t, aofConfig(crashDir, "always"))
		got := dumpData(t, sc.Addr().String())
		sc.Close()
		if len(got) != 0 {
			t.Fatalf("restart %d after the crash loads %v, want nothing (there was no AOF)", restart, got)
		}
	}
}

// TestAOFShutdownWaitsInitialRewrite: a shutdown while the first rewrite
// after CONFIG SET appendonly yes runs lets it end, as redis-server will
// not exit while "Writing initial AOF": aborted, the directory would
// keep the AOF from before the AOF was turned off, and a restart with
// appendonly yes would load it (keys deleted since back, keys written
// since gone) instead of the data as it was.
func TestAOFShutdownWaitsInitialRewrite(t *testing.T) {
	release := hookRewrites(t, func(_ int, release <-chan struct{}) error { <-release; return nil })
	dir := t.TempDir()
	log := &lockedLog{}
	cfg := aofConfig(dir, "always")
	cfg.Logger = slog.New(slog.NewTextHandler(log, nil))
	s := startServer(t, cfg)
	t.Cleanup(release)
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "SET", "stale", "1")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "no")
	c.mustDo(":1\r\n", "DEL", "stale")
	c.mustDo("+OK\r\n", "SET", "whileoff", "1")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	c.mustDo("+OK\r\n", "SET", "during", "1")
	want := dumpData(t, s.Addr().String())
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	// Either the shutdown waits for the rewrite, or it aborted it (the
	// AOF is closed before the rewrite is released).
	waitFor(t, "the shutdown to wait for the rewrite or abort it", func() bool {
		return strings.Contains(log.String(), "initial AOF") || s.aofOn() == nil
	})
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if got := loadCopy(t, dir); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("a restart after a shutdown during the first rewrite loads:\n%v\nwant the data as it was:\n%v", got, want)
	}
}

// TestAOFSyncAcrossReopen: the replies of a command wait for the offset
// of the AOF it was logged to. When the AOF is turned off and on again
// before they are sent (another client's CONFIG SET), that offset means
// nothing to the new AOF, which starts at 0 and, waiting for its
// rewrite, drops records: under appendfsync always the client waited,
// spinning on flush rounds, until the new AOF had grown as large.
func TestAOFSyncAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	cl := dial(t, s.Addr())
	cl.mustDo("+OK\r\n", "SET", "k", strings.Repeat("x", 4096))
	nc, peer := net.Pipe()
	t.Cleanup(func() { nc.Close(); peer.Close() })
	c := &conn{srv: s, proto: 2, nc: nc}
	c.lockKeyspace()
	c.unlockKeyspace() // c's replies wait for the AOF as it is now
	cl.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "no")
	cl.mustDo("+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	done := make(chan struct{})
	go func() { c.aofSync(); close(done) }()
	waitFor(t, "the replies to be released", func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	})
	if c.killed.Load() {
		t.Fatal("the client was closed: its record was fsynced by the AOF it was logged to")
	}
}
