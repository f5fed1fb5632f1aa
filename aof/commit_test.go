package aof

import (
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fsyncGate replaces fsyncFile for a test: each fsync announces itself on
// entered and waits for release (or fails with fail, if set) before
// fsyncing; durable is the size of the file when the last fsync that
// succeeded began: the bytes it made durable.
type fsyncGate struct {
	entered chan struct{}
	release chan error
	fsyncs  atomic.Int64
	durable atomic.Int64
}

func gateFsync(t *testing.T) *fsyncGate {
	t.Helper()
	g := &fsyncGate{entered: make(chan struct{}, 16), release: make(chan error)}
	prev := fsyncFile
	fsyncFile = func(f *os.File) error {
		g.fsyncs.Add(1)
		st, err := f.Stat()
		if err != nil {
			return err
		}
		g.entered <- struct{}{}
		if err := <-g.release; err != nil {
			return err
		}
		if err := prev(f); err != nil {
			return err
		}
		g.durable.Store(st.Size())
		return nil
	}
	t.Cleanup(func() { fsyncFile = prev })
	return g
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// syncer is one Sync call in a goroutine.
type syncer struct {
	off     int64
	done    chan struct{}
	err     error
	durable int64 // what the gate had made durable when Sync returned
}

func startSync(a *AOF, g *fsyncGate, off int64) *syncer {
	s := &syncer{off: off, done: make(chan struct{})}
	go func() {
		s.err = a.Sync(off)
		s.durable = g.durable.Load()
		close(s.done)
	}()
	return s
}

func (s *syncer) returned() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// TestGroupCommitSharesFsync: under always, the callers that append while
// an fsync is under way share the next one; none returns before an fsync
// covering its records has ended; a caller whose records the first fsync
// took returns when it ends, without waiting for the next.
func TestGroupCommitSharesFsync(t *testing.T) {
	g := gateFsync(t)
	a, err := Open(Options{Dir: t.TempDir()}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rec := [][]byte{[]byte("INCR"), []byte("n")}
	a.Append(0, rec)
	offX := a.Offset()
	a.Append(0, rec)
	first := startSync(a, g, a.Offset())
	<-g.entered // the first fsync, holding both records, is under way

	const n = 50
	var wg sync.WaitGroup
	var lock sync.Mutex // the keyspace lock's part: Append and Offset together
	later := make([]*syncer, n)
	for i := range later {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lock.Lock()
			a.Append(0, rec)
			off := a.Offset()
			lock.Unlock()
			later[i] = startSync(a, g, off)
		}()
	}
	wg.Wait()
	x := startSync(a, g, offX)
	if first.returned() || x.returned() {
		t.Fatal("a Sync returned while the fsync of its records was under way")
	}
	for _, s := range later {
		if s.returned() {
			t.Fatal("a Sync returned before any fsync of its records")
		}
	}

	g.release <- nil
	<-g.entered // the second fsync
	waitFor(t, "the callers of the first fsync", func() bool { return first.returned() && x.returned() })
	for _, s := range []*syncer{first, x} {
		if s.err != nil || s.durable < s.off {
			t.Fatalf("Sync(%d) returned %v with %d bytes durable", s.off, s.err, s.durable)
		}
	}
	for _, s := range later {
		if s.returned() {
			t.Fatalf("Sync(%d) returned during the fsync of its records", s.off)
		}
	}
	g.release <- nil
	for _, s := range later {
		<-s.done
		if s.err != nil || s.durable < s.off {
			t.Fatalf("Sync(%d) returned %v with %d bytes durable", s.off, s.err, s.durable)
		}
	}
	if got := g.fsyncs.Load(); got != 2 {
		t.Fatalf("%d fsyncs for %d Sync callers, want 2", got, n+2)
	}
}

// TestGroupCommitFsyncError: the callers whose records a failed fsync
// took get its error; those of the next fsync wait for it, and get the
// failed one's error too, though it succeeds: a failed fsync may have
// dropped pages the kernel then marks clean, so under always the error
// stays (flushLocked).
func TestGroupCommitFsyncError(t *testing.T) {
	g := gateFsync(t)
	a, err := Open(Options{Dir: t.TempDir()}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	defer close(g.release) // Close's own fsync goes through
	rec := [][]byte{[]byte("INCR"), []byte("n")}
	a.Append(0, rec)
	first := startSync(a, g, a.Offset())
	<-g.entered
	a.Append(0, rec)
	second := startSync(a, g, a.Offset())
	waitFor(t, "the second caller to wait", func() bool {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.commit.next != nil
	})
	eio := errors.New("input/output error")
	g.release <- eio
	<-first.done
	if !errors.Is(first.err, eio) {
		t.Fatalf("the caller of the failed fsync got %v", first.err)
	}
	if second.returned() {
		t.Fatal("the caller of the next fsync returned with the failed one")
	}
	<-g.entered
	g.release <- nil
	<-second.done
	if !errors.Is(second.err, eio) {
		t.Fatalf("the caller of the fsync after a failed one got %v, want the failed one's error", second.err)
	}
}

// TestGroupCommitDurability: many callers appending and syncing at once;
// none returns before an fsync covering its records ended.
func TestGroupCommitDurability(t *testing.T) {
	var durable atomic.Int64
	var fsyncs atomic.Int64
	prev := fsyncFile
	fsyncFile = func(f *os.File) error {
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if err := prev(f); err != nil {
			return err
		}
		fsyncs.Add(1)
		durable.Store(st.Size())
		return nil
	}
	t.Cleanup(func() { fsyncFile = prev })
	a, err := Open(Options{Dir: t.TempDir()}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	const goroutines, each = 32, 100
	var lock sync.Mutex
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				lock.Lock()
				a.Append(0, [][]byte{[]byte("INCR"), []byte("n")})
				off := a.Offset()
				lock.Unlock()
				if err := a.Sync(off); err != nil {
					t.Error(err)
					return
				}
				if d := durable.Load(); d < off {
					t.Errorf("Sync(%d) returned with %d bytes durable", off, d)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if n := fsyncs.Load(); n == 0 || n > goroutines*each+1 {
		t.Fatalf("%d fsyncs for %d Sync calls", n, goroutines*each)
	}
	t.Logf("%d fsyncs for %d Sync calls", fsyncs.Load(), goroutines*each)
}

// TestSyncAfterClose: a Sync of records appended after Close returns the
// closed file's error instead of waiting for a flush that will not come.
func TestSyncAfterClose(t *testing.T) {
	a, err := Open(Options{Dir: t.TempDir()}, FsyncAlways)
	if err != nil {
		t.Fatal(err)
	}
	a.Append(0, [][]byte{[]byte("INCR"), []byte("n")})
	if err := a.Sync(a.Offset()); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a.Append(0, [][]byte{[]byte("INCR"), []byte("n")})
	if err := a.Sync(a.Offset()); !errors.Is(err, errClosed) {
		t.Fatalf("Sync after Close: %v", err)
	}
}
