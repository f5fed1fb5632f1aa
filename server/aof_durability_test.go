package server

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldhq/herald/aof"
	"github.com/heraldhq/herald/internal/resp"
)

// runPaused runs one write command for a client that is then held between
// its AOF append and its aofSync (the goroutine of a connection descheduled
// there): its record is in the AOF's buffer, not in the file.
func runPaused(t *testing.T, s *Server, args ...string) {
	t.Helper()
	c := &conn{srv: s, proto: 2, authed: true}
	var argv [][]byte
	for _, a := range args {
		argv = append(argv, []byte(a))
	}
	cmd, errText := lookup(argv)
	if cmd == nil {
		t.Fatal(errText)
	}
	c.lockKeyspace()
	c.call(cmd, argv)
	c.unlockKeyspace()
	if c.aofUpto == 0 {
		t.Fatalf("%v appended nothing to the AOF", args)
	}
}

// TestAOFReadWaitsForWrite: a reply that shows another client's write
// (here a GET of the value it set) does not go out before that write's
// record is in the file (with always, fsynced), as Redis writes and
// fsyncs the AOF before it sends any reply. Before, the reader's reply
// went out at once, so a crash could lose a value a client had been
// shown.
func TestAOFReadWaitsForWrite(t *testing.T) {
	for _, fsync := range []string{"always", "everysec", "no"} {
		t.Run(fsync, func(t *testing.T) {
			dir := t.TempDir()
			s := startServer(t, aofConfig(dir, fsync))
			reader := dial(t, s.Addr())
			reader.mustDo("+PONG\r\n", "PING")
			runPaused(t, s, "SET", "unsynced", "value")
			reader.mustDo("$5\r\nvalue\r\n", "GET", "unsynced")
			data, err := os.ReadFile(incrFile(t, dir))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte("$8\r\nunsynced\r\n$5\r\nvalue\r\n")) {
				t.Fatalf("GET replied with the value before its record was written: file %q", data)
			}
		})
	}
}

// TestAOFBroadcastWaitsForWrite: a BCAST invalidation of a key does not
// go out before the record of the write that changed it is in the file,
// as in Redis, whose invalidations are sent with the replies, after the
// AOF is written and fsynced.
func TestAOFBroadcastWaitsForWrite(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, aofConfig(dir, "always"))
	tracker := dial(t, s.Addr())
	tracker.send("HELLO", "3")
	tracker.read()
	tracker.mustDo("+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST")
	runPaused(t, s, "SET", "bcast", "value")
	tracker.mustRead(">2\r\n$10\r\ninvalidate\r\n*1\r\n$5\r\nbcast\r\n")
	data, err := os.ReadFile(incrFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("$5\r\nbcast\r\n$5\r\nvalue\r\n")) {
		t.Fatalf("the invalidation went out before the record was written: file %q", data)
	}
}

// openFullAOF opens, as s's AOF, an AOF whose incr file is /dev/full:
// every write fails with ENOSPC, as on a full disk.
func openFullAOF(t *testing.T, s *Server, fsync aof.Fsync) {
	t.Helper()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("no /dev/full")
	}
	dir := t.TempDir()
	d := filepath.Join(dir, "appendonlydir")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(d, "appendonly.aof.1.base.aof"), nil, 0o644)
	os.WriteFile(filepath.Join(d, "appendonly.aof.manifest"),
		[]byte("file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"), 0o644)
	if err := os.Symlink("/dev/full", filepath.Join(d, "appendonly.aof.1.incr.aof")); err != nil {
		t.Fatal(err)
	}
	a, err := aof.Open(aof.Options{Dir: dir}, fsync)
	if err != nil {
		t.Fatal(err)
	}
	s.aofFile.Store(a)
	t.Cleanup(func() {
		if a := s.aofFile.Swap(nil); a != nil {
			a.Close()
		}
	})
}

// TestAOFMisconfExec: while the AOF cannot be written, an EXEC whose
// transaction holds a write command is refused with MISCONF, as Redis
// (processCommand counts EXEC as a write when its queue holds one), and
// the transaction is discarded; one of reads only runs.
func TestAOFMisconfExec(t *testing.T) {
	s := startServer(t, Config{AppendFsync: "everysec"})
	openFullAOF(t, s, aof.FsyncEverySec)
	tx := dial(t, s.Addr())
	tx.mustDo("+OK\r\n", "MULTI")
	tx.mustDo("+QUEUED\r\n", "SET", "queued", "1")
	reader := dial(t, s.Addr())
	reader.mustDo("+OK\r\n", "MULTI")
	reader.mustDo("+QUEUED\r\n", "GET", "queued")
	w := dial(t, s.Addr())
	w.mustDo("+OK\r\n", "SET", "first", "1") // its write fails (everysec: the reply goes out)
	w.mustDo("-MISCONF Errors writing to the AOF file: No space left on device\r\n", "SET", "second", "1")
	tx.mustDo("-EXECABORT Transaction discarded because of: MISCONF Errors writing to the AOF file: No space left on device\r\n", "EXEC")
	tx.mustDo("-ERR EXEC without MULTI\r\n", "EXEC")
	reader.mustDo("*1\r\n$-1\r\n", "EXEC")
}

// TestAOFBlockedReplyWaitsForWrite: with always, when the record of the
// pop that serves a blocked client cannot be written, the blocked client
// does not get the element: its reply is flushed by its own goroutine,
// after its own aofSync, which fails too and closes it. Before, the
// pusher's batch flushed it, though the pusher's aofSync had failed.
// (Several rounds: before, the blocked client's goroutine won the race
// now and then.)
func TestAOFBlockedReplyWaitsForWrite(t *testing.T) {
	for round := 0; round < 10; round++ {
		s := startServer(t, Config{AppendFsync: "always"})
		openFullAOF(t, s, aof.FsyncAlways)
		blocked := dial(t, s.Addr())
		blocked.send("BLPOP", "l", "0")
		deadline := time.Now().Add(10 * time.Second)
		for s.blocked.waiting.Load() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("BLPOP did not block")
			}
			time.Sleep(time.Millisecond)
		}
		pusher := dial(t, s.Addr())
		pusher.send("LPUSH", "l", "x")
		blocked.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		if v, err := resp.ReadValue(blocked.r); err == nil {
			t.Fatalf("round %d: the blocked client got %v, popped by a record never written", round, v)
		}
	}
}

// fileCheckRemote is a Remote whose PublishMany records what the AOF's
// incr file holds when it is called; its other methods are not used.
type fileCheckRemote struct {
	Remote
	path string
	seen chan []byte
}

func (r *fileCheckRemote) PublishMany(_ context.Context, msgs []RemoteMessage) ([]int, []error) {
	data, _ := os.ReadFile(r.path)
	r.seen <- data
	return make([]int, len(msgs)), make([]error, len(msgs))
}

// TestAOFRemotePublishWaitsForWrite: with a Remote, a PUBLISH that follows
// a write in the same pipeline reaches the backend (and the subscribers
// of every node) only once the write's record is in the AOF, as its
// reply would. Before, the backend got it first.
func TestAOFRemotePublishWaitsForWrite(t *testing.T) {
	dir := t.TempDir()
	cfg := aofConfig(dir, "always")
	remote := &fileCheckRemote{seen: make(chan []byte, 1)}
	cfg.Remote = remote
	s := startServer(t, cfg)
	remote.path = incrFile(t, dir)
	c := dial(t, s.Addr())
	c.conn.Write(append(encodeCommand("SET", "announced", "value"), encodeCommand("PUBLISH", "ch", "announced changed")...))
	c.mustRead("+OK\r\n")
	c.mustRead(":0\r\n")
	if data := <-remote.seen; !bytes.Contains(data, []byte("$9\r\nannounced\r\n$5\r\nvalue\r\n")) {
		t.Fatalf("the backend got the PUBLISH before the SET was written: file %q", data)
	}
}

// TestAOFFailedWriteInvalidates: under always, a writer whose record
// cannot be written is closed without its reply (Redis exits instead),
// but its change stays in memory and its record in the AOF's buffer, to
// be written when a write succeeds: so the clients tracking the key are
// invalidated all the same, as its keyspace notification is published.
// Withheld, the invalidation would never come, and a cache would keep a
// value the dataset no longer holds once the AOF recovers; a spurious
// one costs a re-read.
func TestAOFFailedWriteInvalidates(t *testing.T) {
	s := startServer(t, Config{AppendFsync: "always"})
	tracker := dial(t, s.Addr())
	tracker.send("HELLO", "3")
	tracker.read()
	tracker.mustDo("+OK\r\n", "CLIENT", "TRACKING", "on")
	tracker.mustDo("_\r\n", "GET", "k")
	openFullAOF(t, s, aof.FsyncAlways)
	w := dial(t, s.Addr())
	w.send("SET", "k", "v")
	w.expectClosed()
	tracker.mustRead(">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n")
	s.ks.Lock()
	kept := s.ks.DB(0).Peek("k") != nil
	s.ks.Unlock()
	if !kept || s.aofOn().Status().BufferLength == 0 {
		t.Fatalf("the failed write: in memory %v, record buffered %v", kept, s.aofOn().Status().BufferLength != 0)
	}
}
