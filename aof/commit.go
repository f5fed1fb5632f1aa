package aof

import (
	"errors"
	"os"
	"runtime"
	"time"
)

// Group commit under FsyncAlways.
//
// A Sync caller whose records are not fsynced yet does not flush them
// itself: it waits for a round, the flush that takes them, and returns
// with that flush's error. The flush under way, if it took the caller's
// records (inflight), or else the next one (next), which the flusher
// goroutine (flushLoop) runs. Every flush of the buffer is a round,
// whoever runs it (flushLoop, everysecLoop, StartRewrite, Close): a
// round releases all its waiters at once when it ends.
//
// So no caller waits behind another's fsync for records already fsynced,
// and a caller arriving while an fsync is under way does not start one
// of its own: the next fsync covers every record appended meanwhile.

// commitState is the group commit's state. Guarded by AOF.mu.
type commitState struct {
	// next is the round that will take the records no flush has taken
	// yet; nil while no caller waits for it.
	next *round
	// flushing: a flush is under way, which took the records up to
	// inflightEnd; inflight is its round, nil while no caller waits for
	// it.
	flushing    bool
	inflight    *round
	inflightEnd int64
	closed      bool          // Close ended: no flush will run
	kick        chan struct{} // cap 1: the flusher has a round to run
	loopDone    chan struct{} // closed when flushLoop returned
}

// round is one flush, as its waiters see it.
type round struct {
	done chan struct{} // closed when the flush ended
	err  error         // the flush's error, set before done is closed
}

func newRound() *round { return &round{done: make(chan struct{})} }

var errClosed = errors.New("the append-only file is closed")

// take marks the start of a flush that took the records up to end: the
// waiters of next are its. mu held.
func (c *commitState) take(end int64) {
	c.flushing, c.inflight, c.inflightEnd = true, c.next, end
	c.next = nil
}

// finish releases the waiters of the flush under way with its error. mu
// held.
func (c *commitState) finish(err error) {
	if r := c.inflight; r != nil {
		r.err = err
		close(r.done)
	}
	c.flushing, c.inflight = false, nil
}

// close releases the callers still waiting once the file is closed (they
// appended after its last flush). mu held.
func (c *commitState) close() {
	c.closed = true
	if r := c.next; r != nil {
		r.err = errClosed
		close(r.done)
		c.next = nil
	}
}

// syncAlways is Sync under FsyncAlways: it returns once the records up
// to upto are fsynced, or the flush that was to fsync them failed.
func (a *AOF) syncAlways(upto int64) error {
	c := &a.commit
	a.mu.Lock()
	for {
		if a.synced.Load() >= upto {
			err := a.writeErr
			a.mu.Unlock()
			return err
		}
		if c.closed {
			a.mu.Unlock()
			return errClosed
		}
		var r *round
		if c.flushing && upto <= c.inflightEnd {
			if c.inflight == nil {
				c.inflight = newRound()
			}
			r = c.inflight
		} else {
			if c.next == nil {
				c.next = newRound()
				select {
				case c.kick <- struct{}{}:
				default: // the flusher has one pending already
				}
			}
			r = c.next
		}
		a.mu.Unlock()
		<-r.done
		if r.err != nil {
			return r.err
		}
		// A flush without fsync (appendfsync changed meanwhile) leaves
		// the records to the next round.
		a.mu.Lock()
	}
}

// flushLoop is the flusher: it runs the rounds Sync callers under
// FsyncAlways wait for, until Close.
func (a *AOF) flushLoop() {
	defer close(a.commit.loopDone)
	g := newGatherer()
	defer g.close()
	for {
		select {
		case <-a.stop:
			return
		case <-a.commit.kick:
		}
		if !g.wait(a.stop, a.Offset) {
			return
		}
		a.wmu.Lock()
		a.flushLocked(true)
		a.wmu.Unlock()
	}
}

// gatherTimeout bounds how long a round waits for the connections that
// are ready to run first (gatherer.wait), for when the process never runs
// out of other work.
const gatherTimeout = time.Millisecond

// A gatherer lets the connections that are ready run before a round
// takes the buffer, so that their records join it, as Redis's event loop
// processes every readable client before it writes and fsyncs the AOF
// once. With few processors (one, as the benchmarks pin the server),
// the clients a round released send their next commands while the next
// round's fsync is under way: without waiting, rounds would alternate
// between two groups of clients, each fsync covering half of them.
//
// The Go scheduler runs the goroutines that are ready (the released
// waiters writing their replies, connections woken with input) before it
// polls the network for more; a round waits for that poll, lets the
// connections it woke run, and polls again as long as they append
// records. The poll is seen through a pipe: yield writes a byte to it,
// and a goroutine reading the other end is woken by the same poll that
// wakes the connections. When nothing else is ready the poll comes at
// once: a lone client's fsync is not delayed.
type gatherer struct {
	r, w    *os.File
	polled  chan struct{} // cap 1: the reader read the byte
	pending bool          // a byte was written that polled did not report yet
	timer   *time.Timer
}

// newGatherer starts the pipe's reader; without a pipe, wait only yields.
func newGatherer() *gatherer {
	g := &gatherer{polled: make(chan struct{}, 1), timer: time.NewTimer(time.Hour)}
	g.timer.Stop()
	r, w, err := os.Pipe()
	if err != nil {
		return g
	}
	g.r, g.w = r, w
	go func() {
		var b [64]byte
		for {
			if _, err := r.Read(b[:]); err != nil {
				return // closed
			}
			select {
			case g.polled <- struct{}{}:
			default:
			}
		}
	}()
	return g
}

// wait lets the goroutines that are ready run, and those the next
// network poll makes ready, and again as long as they append records
// (appended moves), for up to gatherTimeout; false if stop closed
// meanwhile.
func (g *gatherer) wait(stop <-chan struct{}, appended func() int64) bool {
	deadline := time.Now().Add(gatherTimeout)
	for {
		before := appended()
		if !g.yield(stop, deadline) {
			return false
		}
		if appended() == before || !time.Now().Before(deadline) {
			return true
		}
	}
}

// yield returns once the goroutines that were ready, and those the next
// network poll makes ready, have run, or at deadline; false if stop
// closed meanwhile.
func (g *gatherer) yield(stop <-chan struct{}, deadline time.Time) bool {
	if g.w != nil {
		if !g.pending {
			if _, err := g.w.Write([]byte{0}); err == nil {
				g.pending = true
			}
		}
		if g.pending {
			g.timer.Reset(time.Until(deadline))
			select {
			case <-g.polled:
				g.pending = false
			case <-g.timer.C:
			case <-stop:
				return false
			}
			g.timer.Stop()
		}
	}
	// The poll's other goroutines were queued with the reader: they run
	// before this one does again.
	runtime.Gosched()
	return true
}

func (g *gatherer) close() {
	if g.w != nil {
		g.w.Close()
		g.r.Close()
	}
}

// fsyncFile makes what was written to the incr file durable: fdatasync on
// Linux, as Redis's redis_fsync (the file's size is data to it, so the
// records appended are covered), fsync elsewhere. Tests replace it.
var fsyncFile = datasync

// writeFile writes records to the incr file. Tests replace it to count
// the writes.
var writeFile = (*os.File).Write
