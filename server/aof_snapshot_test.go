package server

import (
	"bufio"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// TestAOFRewriteDuringWrites runs BGREWRITEAOF while clients write keys
// of every type, then restarts on the same directory: the new base (the
// keyspace's snapshot) and the new incr file together give back the data
// as it was at the stop, in Herald and in redis-server 7.0.15.
func TestAOFRewriteDuringWrites(t *testing.T) {
	dir := t.TempDir()
	cfg := aofConfig(dir, "no")
	cfg.Logger = slog.New(slog.DiscardHandler)
	src := startServer(t, cfg)
	addr := src.Addr().String()
	rng := rand.New(rand.NewPCG(7, 8))
	var fill [][]string
	for range 3000 {
		fill = append(fill, randomWrite(rng)...)
	}
	// Enough keys for the snapshot to take many chunks, with the
	// clients' commands in between.
	for i := range 20000 {
		n := strconv.Itoa(i)
		fill = append(fill, []string{"SELECT", strconv.Itoa(i % 3)}, []string{"HSET", "bulk:" + n, "f", n, "g", n})
	}
	mustDoAll(t, addr, fill)

	load := startWriteLoad(addr, 3, 9, randomWrite)
	load.waitOps(t, 200)
	if v := mustDoAll(t, addr, [][]string{{"BGREWRITEAOF"}})[0]; v.Str != rewriteStarted {
		t.Fatalf("BGREWRITEAOF: %s", v)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		info := mustDoAll(t, addr, [][]string{{"INFO", "persistence"}})[0].Str
		if strings.Contains(info, "aof_rewrite_in_progress:0") {
			if !strings.Contains(info, "aof_rewrites:1\r") || !strings.Contains(info, "aof_last_bgrewrite_status:ok") {
				t.Fatalf("the rewrite failed:\n%s", info)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rewrite did not end:\n%s", info)
		}
		time.Sleep(5 * time.Millisecond)
	}
	load.waitOps(t, 200)
	load.end(t)
	src.ks.Lock()
	want := keyspaceText(src.ks)
	src.ks.Unlock()
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(manifest), "appendonly.aof.2.base.aof seq 2 type b") {
		t.Fatalf("manifest after the rewrite:\n%s", manifest)
	}
	base, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.2.base.aof"))
	if err != nil {
		t.Fatal(err)
	}
	if cmds := baseCommands(t, base); len(cmds) < 50 || cmds[0][0] != "SELECT" {
		t.Fatalf("base of %d commands, the first %q", len(cmds), cmds[0])
	}

	// A copy of the files for redis-server, before Herald writes more.
	redisDir := t.TempDir()
	if err := os.CopyFS(filepath.Join(redisDir, "appendonlydir"), os.DirFS(filepath.Join(dir, "appendonlydir"))); err != nil {
		t.Fatal(err)
	}

	again := startServer(t, cfg)
	again.ks.Lock()
	got := keyspaceText(again.ks)
	again.ks.Unlock()
	if got != want {
		t.Fatalf("after the restart (%d commands during the test):\n%s", load.ops.Load(), textDiff(got, want))
	}
	t.Logf("%d keys, %d commands during the test, base of %d bytes", strings.Count(want, "\n")+1, load.ops.Load(), len(base))

	redistest.Find(t)
	redis := redistest.Start(t, "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--dir", redisDir)
	compareServers(t, again.Addr().String(), redis.Addr(), "redis-server")
}

// TestAOFOffDuringRewrite turns the AOF off while a rewrite's snapshot
// runs, the keyspace lock held (CONFIG SET appendonly no inside EXEC):
// the snapshot is aborted, the rewrite fails without installing its base,
// and nothing waits on the lock it holds.
func TestAOFOffDuringRewrite(t *testing.T) {
	dir := t.TempDir()
	cfg := aofConfig(dir, "no")
	cfg.Logger = slog.New(slog.DiscardHandler)
	src := startServer(t, cfg)
	var fill [][]string
	for i := range 2000 {
		fill = append(fill, []string{"SET", "k" + strconv.Itoa(i), "v"})
	}
	mustDoAll(t, src.Addr().String(), fill)

	src.ks.Lock()
	if err := src.startRewriteLocked(); err != nil {
		src.ks.Unlock()
		t.Fatal(err)
	}
	// The snapshot's walk cannot have started: it needs the lock.
	if !src.ks.SnapshotRunning() {
		src.ks.Unlock()
		t.Fatal("no snapshot running")
	}
	done := make(chan error, 1)
	go func() { done <- src.closeAOFLocking(false) }()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(10 * time.Second):
		src.ks.Unlock() // lets the rewrite end, and the close with it
		<-done
		t.Fatal("closing the AOF with the lock held hung until the lock was released")
	}
	running := src.ks.SnapshotRunning()
	src.ks.Unlock()
	if running {
		t.Fatal("the snapshot still runs")
	}
	src.waitRewrite()
	src.rewrite.mu.Lock()
	ok, rewrites := src.rewrite.lastOK, src.rewrite.rewrites
	src.rewrite.mu.Unlock()
	if ok || rewrites != 0 {
		t.Fatalf("the aborted rewrite counts as done: ok %v, rewrites %d", ok, rewrites)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.manifest"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(manifest), "seq 2 type b") {
		t.Fatalf("the aborted rewrite installed its base:\n%s", manifest)
	}
}

// TestAOFRewriteEmpty rewrites the AOF of an empty keyspace: an empty
// base, which Herald and redis-server load as no keys.
func TestAOFRewriteEmpty(t *testing.T) {
	dir := t.TempDir()
	cfg := aofConfig(dir, "no")
	cfg.Logger = slog.New(slog.DiscardHandler)
	src := startServer(t, cfg)
	if v := mustDoAll(t, src.Addr().String(), [][]string{{"BGREWRITEAOF"}})[0]; v.Str != rewriteStarted {
		t.Fatalf("BGREWRITEAOF: %s", v)
	}
	src.waitRewrite()
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.2.base.aof"))
	if err != nil || len(base) != 0 {
		t.Fatalf("base %q, %v", base, err)
	}
	again := startServer(t, cfg)
	if v := mustDoAll(t, again.Addr().String(), [][]string{{"SET", "k", "v"}, {"DBSIZE"}})[1]; v.Int != 1 {
		t.Fatalf("DBSIZE after the restart and one SET: %s", v)
	}
}

// writeLoad is n clients writing to a server until ended: each draws a
// batch of commands from gen (its own generator, seeded by its number and
// seed), sends it in one write, reads every reply, and counts the batch
// in ops.
type writeLoad struct {
	ops  atomic.Int64
	stop chan struct{}
	errs chan error
	wg   sync.WaitGroup
}

func startWriteLoad(addr string, n int, seed uint64, gen func(*rand.Rand) [][]string) *writeLoad {
	l := &writeLoad{stop: make(chan struct{}), errs: make(chan error, n)}
	for w := range n {
		l.wg.Go(func() {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				l.errs <- err
				return
			}
			defer nc.Close()
			r := bufio.NewReader(nc)
			rng := rand.New(rand.NewPCG(uint64(w), seed))
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				nc.SetDeadline(time.Now().Add(10 * time.Second))
				cmds := gen(rng)
				var batch []byte
				for _, cmd := range cmds {
					batch = append(batch, encodeCommand(cmd...)...)
				}
				if _, err := nc.Write(batch); err != nil {
					l.errs <- err
					return
				}
				for range cmds {
					if _, err := resp.ReadValue(r); err != nil {
						l.errs <- err
						return
					}
				}
				l.ops.Add(1)
			}
		})
	}
	return l
}

// waitOps waits until the clients have run n more batches.
func (l *writeLoad) waitOps(t *testing.T, n int64) {
	t.Helper()
	target := l.ops.Load() + n
	waitFor(t, "the clients' commands", func() bool { return l.ops.Load() >= target })
}

// end stops the clients and fails t if one of them failed.
func (l *writeLoad) end(t *testing.T) {
	t.Helper()
	close(l.stop)
	l.wg.Wait()
	close(l.errs)
	for err := range l.errs {
		t.Fatalf("client: %v", err)
	}
}
