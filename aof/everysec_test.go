package aof

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// TestEverysecFsyncWithoutWriteLock: the once-a-second fsync runs without
// wmu, as Redis's background fsync: a Sync of records appended during it
// writes them and returns while it is under way. The records the tick
// wrote are fsynced when it ends.
func TestEverysecFsyncWithoutWriteLock(t *testing.T) {
	g := gateFsync(t)
	dir := t.TempDir()
	// FsyncNo: the ticker of everysecLoop stays out of the way; the test
	// runs the ticks itself.
	a, err := Open(Options{Dir: dir}, FsyncNo)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer close(g.release) // Close's own fsync goes through
	a.Append(0, [][]byte{[]byte("SET"), []byte("a"), []byte("1")})
	first := a.Offset()
	tick := make(chan struct{})
	go func() { a.everysec(); close(tick) }()
	<-g.entered
	if w := a.written.Load(); w != first {
		t.Fatalf("the tick fsyncs with %d bytes written, want %d", w, first)
	}
	a.Append(0, [][]byte{[]byte("SET"), []byte("b"), []byte("2")})
	s := startSync(a, g, a.Offset())
	waitFor(t, "a Sync during the fsync to return", s.returned)
	if s.err != nil {
		t.Fatal(s.err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "appendonlydir", "appendonly.aof.1.incr.aof"))
	if err != nil || !bytes.Contains(data, []byte("$1\r\nb\r\n$1\r\n2\r\n")) {
		t.Fatalf("the record synced during the fsync is not in the file (%v): %q", err, data)
	}
	if a.synced.Load() != 0 {
		t.Fatal("records counted fsynced before the fsync ended")
	}
	g.release <- nil
	<-tick
	if got := a.synced.Load(); got != first {
		t.Fatalf("%d bytes fsynced after the tick, want %d (what it wrote)", got, first)
	}
	// The next tick fsyncs the rest.
	go func() { <-g.entered; g.release <- nil }()
	a.everysec()
	if got, want := a.synced.Load(), a.Offset(); got != want {
		t.Fatalf("%d bytes fsynced after the second tick, want %d", got, want)
	}
}

// TestEverysecFsyncError: a failed background fsync refuses writes
// (WriteError) until one succeeds, as Redis's aof_bio_fsync_status.
func TestEverysecFsyncError(t *testing.T) {
	g := gateFsync(t)
	a, err := Open(Options{Dir: t.TempDir()}, FsyncNo)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer close(g.release)
	a.Append(0, [][]byte{[]byte("SET"), []byte("a"), []byte("1")})
	eio := errors.New("input/output error")
	go func() { <-g.entered; g.release <- eio }()
	a.everysec()
	if !errors.Is(a.WriteError(), eio) || a.synced.Load() != 0 {
		t.Fatalf("after a failed fsync: WriteError %v, %d bytes fsynced", a.WriteError(), a.synced.Load())
	}
	go func() { <-g.entered; g.release <- nil }()
	a.everysec()
	if a.WriteError() != nil || a.synced.Load() != a.Offset() {
		t.Fatalf("after an fsync that succeeded: WriteError %v, %d of %d bytes fsynced", a.WriteError(), a.synced.Load(), a.Offset())
	}
}

// TestEverysecFsyncFileSwitched: a rewrite that switches the incr file
// during the background fsync fsyncs the old file itself; the tick's
// outcome is dropped, and nothing is lost.
func TestEverysecFsyncFileSwitched(t *testing.T) {
	// The tick's fsync (the first) waits for release; the others go through.
	entered, release := make(chan struct{}), make(chan error)
	var calls atomic.Int64
	prev := fsyncFile
	fsyncFile = func(f *os.File) error {
		if calls.Add(1) == 1 {
			close(entered)
			if err := <-release; err != nil {
				return err
			}
		}
		return prev(f)
	}
	t.Cleanup(func() { fsyncFile = prev })
	a, err := Open(Options{Dir: t.TempDir()}, FsyncNo)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Append(0, [][]byte{[]byte("SET"), []byte("a"), []byte("1")})
	tick := make(chan struct{})
	go func() { a.everysec(); close(tick) }()
	<-entered
	a.Append(0, [][]byte{[]byte("SET"), []byte("b"), []byte("2")})
	end := a.Offset()
	if _, err := a.StartRewrite(); err != nil {
		t.Fatal(err)
	}
	if got := a.synced.Load(); got != end {
		t.Fatalf("%d bytes fsynced after the switch, want %d", got, end)
	}
	release <- errors.New("file already closed")
	<-tick
	if got := a.synced.Load(); got != end || a.WriteError() != nil {
		t.Fatalf("after the tick on the old file: %d bytes fsynced (want %d), WriteError %v", got, end, a.WriteError())
	}
}

// TestSyncSharesWrite: under everysec, callers that become ready together
// (as connections a network poll wakes) share one write(): a Sync lets
// the others append before it writes.
func TestSyncSharesWrite(t *testing.T) {
	var writes atomic.Int64
	prev := writeFile
	writeFile = func(f *os.File, b []byte) (int, error) {
		writes.Add(1)
		return prev(f, b)
	}
	t.Cleanup(func() { writeFile = prev })
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	a, err := Open(Options{Dir: t.TempDir()}, FsyncEverySec)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	const n = 32
	start := make(chan struct{})
	var lock sync.Mutex // orders Append, as the keyspace lock
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			lock.Lock()
			a.Append(0, [][]byte{[]byte("INCR"), []byte("n")})
			off := a.Offset()
			lock.Unlock()
			if err := a.Sync(off); err != nil {
				t.Error(err)
			}
			if w := a.written.Load(); w < off {
				t.Errorf("Sync(%d) returned with %d bytes written", off, w)
			}
		}()
	}
	close(start)
	wg.Wait()
	if w := writes.Load(); w > n/4 {
		t.Fatalf("%d writes for %d callers ready at once", w, n)
	}
	t.Logf("%d writes for %d callers", writes.Load(), n)
}
