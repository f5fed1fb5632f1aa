package backend

import (
	"context"
	"strings"
	"sync"

	"github.com/heraldhq/herald/broker"
)

// key names one local subscription the backend mirrors: a channel
// (broker.KindMessage), a pattern (KindPMessage) or a shard channel
// (KindSMessage), or the backend's own system subscription (kindSystem).
type key struct {
	kind broker.Kind
	name string
}

// kindSystem marks the backend's own subscription to patternsChannel.
const kindSystem broker.Kind = 255

// entry is the state of one key.
type entry struct {
	// Guarded by registry.mu.
	want        bool          // the broker has local subscribers for the key
	ready       chan struct{} // closed once the backend holds all the key's subscriptions
	readyClosed bool

	// Owned by the applier goroutine.
	held []placement // backend subscriptions confirmed for the key
}

// registry is where the broker's watcher, the connections' push hooks and
// the applier meet. Its lock is taken inside the broker's write lock (by
// Watch) and never held while calling the broker or the network.
//
// Lock order: broker.mu, then registry.mu.
type registry struct {
	mu       sync.Mutex
	entries  map[key]*entry
	dirty    map[key]struct{}    // keys whose want changed since the applier last looked
	downs    []linkDown          // connections lost, reported by their watchers
	unsubbed []unsolicited       // unsubscriptions the server sent on its own
	recheck  bool                // a pattern notice asked for NUMPAT to be checked again
	nudge    chan struct{}       // wakes the applier; capacity 1
	watchOff bool                // after Close: the watcher ignores changes
	unready  map[*entry]struct{} // wanted entries whose waiters wait, for Sync
}

type linkDown struct {
	link *link
	gen  uint64
	err  error
}

type unsolicited struct {
	link *link
	name string
}

func newRegistry() *registry {
	return &registry{
		entries: make(map[key]*entry),
		dirty:   make(map[key]struct{}),
		unready: make(map[*entry]struct{}),
		nudge:   make(chan struct{}, 1),
	}
}

func (r *registry) wake() {
	select {
	case r.nudge <- struct{}{}:
	default:
	}
}

// reservedPrefix starts the names Herald keeps for itself: a local
// subscription to such a name is never mirrored in the backend.
const reservedPrefix = "__herald__:"

// Watch implements broker.Watcher: it records that key (kind, name) is
// wanted or not and wakes the applier. It runs under the broker's write
// lock and does not block.
func (r *registry) Watch(kind broker.Kind, name string, on bool) {
	if strings.HasPrefix(name, reservedPrefix) {
		return
	}
	k := key{kind, name}
	r.mu.Lock()
	if r.watchOff {
		r.mu.Unlock()
		return
	}
	r.setWant(k, on)
	r.mu.Unlock()
	r.wake()
}

// setWant records whether k is wanted. r.mu is held.
func (r *registry) setWant(k key, on bool) {
	e := r.entries[k]
	if on {
		if e == nil {
			e = new(entry)
			r.entries[k] = e
		}
		if !e.want {
			e.want = true
			e.ready, e.readyClosed = make(chan struct{}), false
			r.unready[e] = struct{}{}
		}
	} else if e != nil && e.want {
		e.want = false
		r.markReady(e)
	}
	r.dirty[k] = struct{}{}
}

// markReady releases the waiters of e. r.mu is held.
func (r *registry) markReady(e *entry) {
	if !e.readyClosed && e.ready != nil {
		close(e.ready)
	}
	e.readyClosed = true
	delete(r.unready, e)
}

// markUnready makes new waiters of e wait again, after one of its backend
// subscriptions was lost. r.mu is held.
func (r *registry) markUnready(e *entry) {
	if e.want && e.readyClosed {
		e.ready, e.readyClosed = make(chan struct{}), false
		r.unready[e] = struct{}{}
	}
}

// waitAll returns once every entry wanted now holds its backend
// subscriptions or stopped being wanted, or when ctx or done ends.
func (r *registry) waitAll(ctx context.Context, done <-chan struct{}) error {
	r.mu.Lock()
	waits := make([]chan struct{}, 0, len(r.unready))
	for e := range r.unready {
		waits = append(waits, e.ready)
	}
	r.mu.Unlock()
	for _, ready := range waits {
		select {
		case <-ready:
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return errClosed
		}
	}
	return nil
}

// wait returns once k is not wanted or the backend holds its
// subscriptions, or when ctx or done ends.
func (r *registry) wait(ctx context.Context, k key, done <-chan struct{}) error {
	r.mu.Lock()
	e := r.entries[k]
	if e == nil || !e.want || e.readyClosed {
		r.mu.Unlock()
		return nil
	}
	ready := e.ready
	r.mu.Unlock()
	select {
	case <-ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-done:
		return errClosed
	}
}

// take hands the applier what happened since it last looked.
func (r *registry) take() (dirty []key, downs []linkDown, unsubbed []unsolicited, recheck bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k := range r.dirty {
		dirty = append(dirty, k)
	}
	clear(r.dirty)
	downs, r.downs = r.downs, nil
	unsubbed, r.unsubbed = r.unsubbed, nil
	recheck, r.recheck = r.recheck, false
	return
}

func (r *registry) reportDown(d linkDown) {
	r.mu.Lock()
	r.downs = append(r.downs, d)
	r.mu.Unlock()
	r.wake()
}

func (r *registry) reportUnsubscribed(u unsolicited) {
	r.mu.Lock()
	r.unsubbed = append(r.unsubbed, u)
	r.mu.Unlock()
	r.wake()
}

func (r *registry) askRecheck() {
	r.mu.Lock()
	r.recheck = true
	r.mu.Unlock()
	r.wake()
}
