package backend

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/broker"
	"github.com/redis/rueidis"
)

// engine keeps the backend's subscriptions equal to what the broker's
// local subscribers want. One goroutine, the applier (run), owns the links
// and every entry's held placements and makes all subscription changes, in
// order; the watcher and the push hooks only record events in the registry
// and wake it.
type engine struct {
	broker  *broker.Broker
	client  rueidis.Client // the main client: the server, or the cluster
	cluster bool
	opts    Options
	reg     *registry
	out     *deliveryBatch // batches the flushes of pushed messages

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // the applier and the links' watchers

	// Owned by the applier.
	links         map[string]*link
	topo          *topology // cluster mode
	topoStale     bool
	topoRetryAt   time.Time
	topoBackoff   time.Duration
	retry         map[key]struct{} // keys left unreconciled, retried at retryAt
	retryAt       time.Time
	nextPatCheck  time.Time
	patternLinkAt string // address of the pattern node

	// Shared with the hooks and the API.
	patternsActive atomic.Bool
	patternsOn     atomic.Uint64 // "on" notices heard
	received       atomic.Uint64
	gaps           atomic.Uint64
	reconnects     atomic.Uint64
	held           atomic.Int64
	connected      atomic.Int64
	nodes          atomic.Int64
	patternAddr    atomic.Pointer[string]
	topoSnap       atomic.Pointer[topology] // the topology, for the API's queries

	clientsMu sync.Mutex
	ownNodes  map[string]rueidis.Client // node clients the backend made itself
}

const (
	// shardPrefix is put before a Herald shard channel's name to make the
	// Redis shard channel that carries it, so that Herald's two namespaces
	// (channels and shard channels) stay apart in Redis.
	shardPrefix = "__herald__:shard:"
	// patternsChannel is the shard channel on which nodes announce, in
	// cluster mode, that they hold pattern subscriptions ("on") or let
	// their last go ("off").
	patternsChannel = "__herald__:patterns"
	// maxPipeline bounds the subscription commands sent in one round trip.
	maxPipeline = 256
)

var errClosed = errors.New("backend: closed")

// sysKey is the backend's own subscription to patternsChannel.
var sysKey = key{kindSystem, patternsChannel}

// place returns the backend subscriptions key k needs, given the
// topology. Single server: one, spelled as the local one (shard channels
// prefixed). Cluster: an ordinary channel is a shard channel at its slot's
// owner; a keyspace notification channel, and a pattern that may match
// one, is subscribed on every primary; other patterns on the pattern node.
func (e *engine) place(k key) []placement {
	if !e.cluster {
		addr := e.singleAddr()
		switch k.kind {
		case broker.KindMessage:
			return []placement{{addr, subChannel, k.name}}
		case broker.KindPMessage:
			return []placement{{addr, subPattern, k.name}}
		case broker.KindSMessage:
			return []placement{{addr, subShard, shardPrefix + k.name}}
		}
		return nil
	}
	if e.topo == nil {
		return nil
	}
	every := func(kind subKind) []placement {
		out := make([]placement, 0, len(e.topo.primaries))
		for _, a := range e.topo.primaries {
			out = append(out, placement{a, kind, k.name})
		}
		return out
	}
	switch k.kind {
	case broker.KindMessage:
		if isKeyspaceChannel(k.name) {
			return every(subChannel)
		}
		return []placement{{e.topo.owner(slotOf(k.name)), subShard, k.name}}
	case broker.KindPMessage:
		if mayMatchKeyspace(k.name) {
			return every(subPattern)
		}
		return []placement{{e.patternLinkAt, subPattern, k.name}}
	case broker.KindSMessage:
		name := shardPrefix + k.name
		return []placement{{e.topo.owner(slotOf(name)), subShard, name}}
	case kindSystem:
		return []placement{{e.patternLinkAt, subShard, k.name}}
	}
	return nil
}

func (e *engine) singleAddr() string {
	for a := range e.links {
		return a
	}
	return ""
}

// run is the applier.
func (e *engine) run() {
	defer e.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e.step()
		timer.Reset(e.nextWake())
		select {
		case <-e.ctx.Done():
			e.teardown()
			return
		case <-e.reg.nudge:
		case <-timer.C:
		}
	}
}

// nextWake returns how long the applier may sleep before a retry or a
// check is due.
func (e *engine) nextWake() time.Duration {
	next := time.Now().Add(time.Hour)
	consider := func(t time.Time) {
		if !t.IsZero() && t.Before(next) {
			next = t
		}
	}
	for _, l := range e.links {
		if !l.up {
			consider(l.retryAt)
		}
	}
	if len(e.retry) > 0 {
		consider(e.retryAt)
	}
	if e.topoStale {
		consider(e.topoRetryAt)
	}
	if e.cluster {
		consider(e.nextPatCheck)
	}
	return max(time.Until(next), time.Millisecond)
}

// step handles what happened, reconnects what is due and reconciles.
func (e *engine) step() {
	now := time.Now()
	dirty, downs, unsubbed, recheck := e.reg.take()
	todo := make(map[key]struct{}, len(dirty))
	for _, k := range dirty {
		todo[k] = struct{}{}
	}
	all := false
	for _, d := range downs {
		if d.link.gen == d.gen && d.link.up && e.links[d.link.addr] == d.link {
			e.linkLost(d.link, d.err, todo)
		}
	}
	moved := 0
	for _, u := range unsubbed {
		moved += e.unsubscribedByServer(u, todo)
	}
	if moved > 0 {
		e.gap(gapEvent{Event: "gap", Node: unsubbed[0].link.addr, Reason: "the server dropped shard subscriptions (slot moved)", Channels: moved})
	}
	if e.cluster && e.topoStale && !now.Before(e.topoRetryAt) {
		if e.refreshTopology(todo) {
			all = true
		}
	}
	for _, l := range e.links {
		if !l.up && !now.Before(l.retryAt) {
			if e.reconnect(l) {
				all = true
			}
		}
	}
	if len(e.retry) > 0 && !now.Before(e.retryAt) {
		for k := range e.retry {
			todo[k] = struct{}{}
		}
		clear(e.retry)
	}
	if all {
		e.reg.mu.Lock()
		for k := range e.reg.entries {
			todo[k] = struct{}{}
		}
		e.reg.mu.Unlock()
	}
	if len(todo) > 0 {
		e.reconcile(todo)
	}
	if e.cluster && (recheck || !now.Before(e.nextPatCheck)) {
		e.checkPatterns()
	}
}

// linkLost forgets what l held, so it is made again once l is back, and
// makes the gap known.
func (e *engine) linkLost(l *link, err error, todo map[key]struct{}) {
	l.disconnect()
	l.downSince = time.Now()
	l.backoff = e.opts.MinBackoff
	l.retryAt = time.Now() // the first attempt at once
	e.connected.Add(-1)
	e.dropHeldOn(l.addr, todo)
	if e.cluster {
		e.topoStale = true // a node lost may be a node failed over
	}
	e.logf("backend: connection to %s lost: %v", l.addr, err)
	reason := "connection lost"
	if err != nil {
		reason += ": " + err.Error()
	}
	e.gap(gapEvent{Event: "gap", Node: l.addr, Reason: reason})
}

// dropHeldOn forgets the subscriptions held on the node at addr.
func (e *engine) dropHeldOn(addr string, todo map[key]struct{}) {
	e.reg.mu.Lock()
	defer e.reg.mu.Unlock()
	for k, en := range e.reg.entries {
		kept := en.held[:0]
		for _, p := range en.held {
			if p.addr != addr {
				kept = append(kept, p)
			}
		}
		if dropped := len(en.held) - len(kept); dropped > 0 {
			clear(en.held[len(kept):])
			en.held = kept
			e.held.Add(int64(-dropped))
			e.reg.markUnready(en)
			todo[k] = struct{}{}
		}
	}
}

// unsubscribedByServer handles a sunsubscribe Redis sent: if it is about a
// subscription the applier holds, the slot moved; it returns 1 then.
func (e *engine) unsubscribedByServer(u unsolicited, todo map[key]struct{}) int {
	k := keyOf(u.name)
	p := placement{u.link.addr, subShard, u.name}
	e.reg.mu.Lock()
	defer e.reg.mu.Unlock()
	en := e.reg.entries[k]
	if en == nil {
		return 0
	}
	i := slices.Index(en.held, p)
	if i < 0 {
		return 0 // an answer to our own SUNSUBSCRIBE
	}
	en.held = slices.Delete(en.held, i, i+1)
	e.held.Add(-1)
	e.reg.markUnready(en)
	todo[k] = struct{}{}
	e.topoStale = true
	return 1
}

// reconnect tries to bring l back; it reports success.
func (e *engine) reconnect(l *link) bool {
	err := e.connect(l)
	if err != nil {
		l.retryAt = time.Now().Add(jitter(l.backoff))
		l.backoff = min(2*l.backoff, e.opts.MaxBackoff)
		e.logf("backend: connect to %s: %v (next try in %v)", l.addr, err, time.Until(l.retryAt).Round(time.Millisecond))
		if e.cluster {
			e.topoStale = true
		}
		return false
	}
	e.connected.Add(1)
	if !l.downSince.IsZero() {
		e.reconnects.Add(1)
		gap := time.Since(l.downSince)
		e.logf("backend: reconnected to %s after %v", l.addr, gap.Round(time.Millisecond))
		e.gapEnded(l.addr, gap)
		l.downSince = time.Time{}
	}
	return true
}

// jitter spreads retries of many nodes apart: d ± 20%.
func jitter(d time.Duration) time.Duration {
	return d - d/5 + rand.N(d/5*2+1)
}

// refreshTopology reads the cluster's slots and adjusts the links to its
// primaries; it reports success.
func (e *engine) refreshTopology(todo map[key]struct{}) bool {
	ctx, cancel := context.WithTimeout(e.ctx, e.opts.Timeout)
	t, err := fetchTopology(ctx, e.client)
	cancel()
	if err != nil {
		e.topoBackoff = min(max(2*e.topoBackoff, e.opts.MinBackoff), e.opts.MaxBackoff)
		e.topoRetryAt = time.Now().Add(jitter(e.topoBackoff))
		e.logf("backend: %v", err)
		return false
	}
	e.topo, e.topoStale, e.topoBackoff = t, false, 0
	e.topoSnap.Store(t)
	for _, a := range t.primaries {
		if e.links[a] == nil {
			c, own, err := e.nodeClient(a)
			if err != nil {
				e.logf("backend: client for %s: %v", a, err)
				e.topoStale = true
				e.topoRetryAt = time.Now().Add(e.opts.MaxBackoff)
				continue
			}
			e.links[a] = &link{addr: a, client: c, own: own, backoff: e.opts.MinBackoff}
			e.nodes.Add(1)
		}
	}
	for a, l := range e.links {
		if !slices.Contains(t.primaries, a) {
			if l.up {
				e.connected.Add(-1)
			}
			l.disconnect()
			e.dropHeldOn(a, todo)
			delete(e.links, a)
			e.nodes.Add(-1)
			e.forgetNodeClient(a)
		}
	}
	e.patternLinkAt = t.owner(slotOf(patternsChannel))
	addr := e.patternLinkAt
	e.patternAddr.Store(&addr)
	for a, l := range e.links {
		l.patternNode.Store(a == e.patternLinkAt)
	}
	return true
}

// nodeClient returns a client for the cluster node at addr: the cluster
// client's own, or a new one.
func (e *engine) nodeClient(addr string) (c rueidis.Client, own bool, err error) {
	if c := e.client.Nodes()[addr]; c != nil {
		return c, false, nil
	}
	e.clientsMu.Lock()
	defer e.clientsMu.Unlock()
	if c := e.ownNodes[addr]; c != nil {
		return c, true, nil
	}
	opt := e.opts.clientOption
	opt.InitAddress = []string{addr}
	opt.ForceSingleClient = true
	c, err = rueidis.NewClient(opt)
	if err != nil {
		return nil, false, err
	}
	if e.ownNodes == nil {
		e.ownNodes = make(map[string]rueidis.Client)
	}
	e.ownNodes[addr] = c
	return c, true, nil
}

func (e *engine) forgetNodeClient(addr string) {
	e.clientsMu.Lock()
	defer e.clientsMu.Unlock()
	if c := e.ownNodes[addr]; c != nil {
		c.Close()
		delete(e.ownNodes, addr)
	}
}

// op is one subscription change to send.
type op struct {
	k  key
	en *entry
	p  placement
	on bool
}

// reconcile makes the backend subscriptions of the keys in todo what they
// should be, and releases the waiters of those that are complete.
func (e *engine) reconcile(todo map[key]struct{}) {
	desired := make(map[key][]placement, len(todo))
	wanted := make(map[key]bool, len(todo))
	byLink := make(map[*link][]op)
	e.reg.mu.Lock()
	for k := range todo {
		en := e.reg.entries[k]
		if en == nil {
			continue
		}
		var want []placement
		if en.want {
			want = e.place(k)
		}
		desired[k], wanted[k] = want, en.want
		for _, p := range en.held {
			if !slices.Contains(want, p) {
				if l := e.links[p.addr]; l != nil && l.up {
					byLink[l] = append(byLink[l], op{k, en, p, false})
				}
			}
		}
		for _, p := range want {
			if !slices.Contains(en.held, p) {
				if l := e.links[p.addr]; l != nil && l.up {
					byLink[l] = append(byLink[l], op{k, en, p, true})
				}
			}
		}
	}
	e.reg.mu.Unlock()

	announce := ""
	for l, ops := range byLink {
		for len(ops) > 0 {
			n := min(len(ops), maxPipeline)
			if a := e.apply(l, ops[:n]); a != "" {
				announce = a
			}
			ops = ops[n:]
		}
	}
	if announce != "" {
		e.announcePatterns(announce)
	}

	e.reg.mu.Lock()
	defer e.reg.mu.Unlock()
	for k, want := range desired {
		en := e.reg.entries[k]
		if en == nil || en.want != wanted[k] {
			continue // changed meanwhile: the watcher marked it dirty again
		}
		complete := len(en.held) == len(want)
		for _, p := range want {
			complete = complete && slices.Contains(en.held, p) && p.addr != ""
		}
		switch {
		case !complete:
			e.retryLater(k)
		case en.want:
			e.reg.markReady(en)
		case k.kind != kindSystem:
			delete(e.reg.entries, k)
		}
	}
}

func (e *engine) retryLater(k key) {
	if len(e.retry) == 0 {
		e.retryAt = time.Now().Add(jitter(e.opts.MinBackoff))
	}
	e.retry[k] = struct{}{}
}

// apply sends ops, all for l, in one round trip and records the results.
// It returns "on" or "off" when a pattern subscription on the pattern node
// was made or dropped, so the other nodes are told.
func (e *engine) apply(l *link, ops []op) (announce string) {
	cmds := make([]rueidis.Completed, len(ops))
	for i, o := range ops {
		cmds[i] = subscribeCmd(l.conn, o.p, o.on)
	}
	ctx, cancel := context.WithTimeout(e.ctx, e.opts.Timeout)
	results := l.conn.DoMulti(ctx, cmds...)
	cancel()
	e.reg.mu.Lock()
	defer e.reg.mu.Unlock()
	for i, o := range ops {
		if err := results[i].Error(); err != nil {
			if re, ok := rueidis.IsRedisErr(err); ok {
				if _, moved := re.IsMoved(); moved {
					e.topoStale = true
					continue
				}
			}
			if e.ctx.Err() == nil {
				e.logf("backend: %s on %s: %v", cmdName(o.p.kind, o.on), l.addr, err)
			}
			continue
		}
		if o.on {
			o.en.held = append(o.en.held, o.p)
			e.held.Add(1)
		} else if i := slices.Index(o.en.held, o.p); i >= 0 {
			o.en.held = slices.Delete(o.en.held, i, i+1)
			e.held.Add(-1)
		}
		if e.cluster && o.p.kind == subPattern && o.p.addr == e.patternLinkAt {
			announce = "off"
			if o.on {
				announce = "on"
			}
		}
	}
	return announce
}

func cmdName(k subKind, on bool) string {
	name := [...]string{"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"}[k]
	if !on {
		name = name[:1] + "UN" + name[1:]
		if k == subChannel {
			name = "UNSUBSCRIBE"
		}
	}
	return name
}

// announcePatterns tells the other nodes (cluster mode) that this one
// holds pattern subscriptions ("on") or dropped one ("off"), so that their
// publishes reach patterns too; it runs before the waiters of the new
// pattern are released.
func (e *engine) announcePatterns(what string) {
	if what == "on" {
		e.patternsActive.Store(true)
	}
	ctx, cancel := context.WithTimeout(e.ctx, e.opts.Timeout)
	defer cancel()
	err := e.client.Do(ctx, e.client.B().Spublish().Channel(patternsChannel).Message(what).Build()).Error()
	if err != nil {
		e.logf("backend: announce patterns %s: %v", what, err)
	}
}

// onPatternsNotice handles a notice on patternsChannel.
func (e *engine) onPatternsNotice(what string) {
	if what == "on" {
		e.patternsOn.Add(1)
		e.patternsActive.Store(true)
		return
	}
	e.reg.askRecheck()
}

// patternsCheckEvery is how often a cluster node asks the pattern node
// whether anyone holds patterns, in case a notice was missed.
const patternsCheckEvery = time.Second

// checkPatterns asks the pattern node how many pattern subscriptions it
// serves (PUBSUB NUMPAT): while there are any, publishes also go out as
// classic PUBLISH so that pattern subscribers hear them.
func (e *engine) checkPatterns() {
	e.nextPatCheck = time.Now().Add(patternsCheckEvery)
	l := e.links[e.patternLinkAt]
	if l == nil {
		return
	}
	before := e.patternsOn.Load()
	ctx, cancel := context.WithTimeout(e.ctx, e.opts.Timeout)
	n, err := l.client.Do(ctx, l.client.B().PubsubNumpat().Build()).AsInt64()
	cancel()
	if err != nil {
		e.patternsActive.Store(true) // when in doubt, reach patterns
		return
	}
	if n > 0 {
		e.patternsActive.Store(true)
	} else if e.patternsOn.Load() == before {
		e.patternsActive.Store(false)
	}
}

// teardown closes every link when the backend closes.
func (e *engine) teardown() {
	for _, l := range e.links {
		l.disconnect()
	}
	e.clientsMu.Lock()
	for a, c := range e.ownNodes {
		c.Close()
		delete(e.ownNodes, a)
	}
	e.clientsMu.Unlock()
}

func (e *engine) logf(format string, args ...any) {
	if e.opts.Logf != nil {
		e.opts.Logf(format, args...)
	}
}

// String describes the engine for logs.
func (e *engine) String() string {
	return fmt.Sprintf("backend(cluster=%v, nodes=%d)", e.cluster, e.nodes.Load())
}
