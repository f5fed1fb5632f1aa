// Package broker routes published messages to subscribers: channels,
// glob patterns and shard channels, with Redis 7.0's semantics. It owns the
// subscription state and the fan-out and knows nothing of sockets; the RESP
// server, the web gateway and Go programs embedding Herald all subscribe
// through it.
//
// Locking: one RWMutex guards all routing state. Publishes take the read
// lock and call Subscriber.Deliver under it, which only appends to an outbox
// (see Subscriber); subscription changes take the write lock, and call the
// Watcher, if one is set, under it. Nothing in this package touches a
// socket, so the lock is never held across I/O.
package broker

import (
	"sort"
	"sync"

	"github.com/heraldhq/herald/internal/glob"
)

// Broker holds the subscriptions and fans messages out. The zero value is
// not usable; call New.
type Broker struct {
	mu       sync.RWMutex
	channels map[string]*subscriberSet
	shards   map[string]*subscriberSet
	patterns *glob.Index[*subscriberSet]
	holders  map[Subscriber]*holdings
	watcher  Watcher // told of first and last subscribers (watch.go); may be nil

	top topChannels // the busiest channels, for metrics (topk.go)
}

// holdings is what one subscriber is subscribed to.
type holdings struct {
	channels, patterns, shards nameSet
}

// New returns an empty broker.
func New() *Broker {
	return &Broker{
		channels: make(map[string]*subscriberSet),
		shards:   make(map[string]*subscriberSet),
		patterns: new(glob.Index[*subscriberSet]),
		holders:  make(map[Subscriber]*holdings),
	}
}

// Publish delivers payload to every subscriber of channel and of every
// pattern matching it, and returns the number of deliveries, as Redis's
// PUBLISH counts them: a subscriber of the channel and of two matching
// patterns counts three times and receives three messages, the channel's
// first. batch may be nil: the subscribers are then flushed before Publish
// returns.
func (b *Broker) Publish(channel, payload []byte, batch *Batch) int {
	if batch == nil {
		batch = new(Batch)
		defer batch.Flush()
	}
	m := messagePool.Get().(*Message)
	receivers := 0
	b.mu.RLock()
	if set := b.channels[string(channel)]; set != nil {
		m.reset(KindMessage, "", channel, payload)
		for _, s := range set.list {
			s.Deliver(m, batch)
		}
		receivers += len(set.list)
	}
	if b.patterns.Len() > 0 {
		b.patterns.Match(channel, func(pattern string, set *subscriberSet) {
			m.reset(KindPMessage, pattern, channel, payload)
			for _, s := range set.list {
				s.Deliver(m, batch)
			}
			receivers += len(set.list)
		})
	}
	b.mu.RUnlock()
	putMessage(m)
	b.top.sample(channel, batch)
	return receivers
}

// SPublish delivers payload to the subscribers of shard channel channel and
// returns how many there were. Shard channels are a namespace of their own:
// SPublish does not reach Subscribe or PSubscribe, nor Publish SSubscribe.
// batch may be nil, as for Publish.
func (b *Broker) SPublish(channel, payload []byte, batch *Batch) int {
	if batch == nil {
		batch = new(Batch)
		defer batch.Flush()
	}
	b.mu.RLock()
	set := b.shards[string(channel)]
	if set == nil {
		b.mu.RUnlock()
		return 0
	}
	m := messagePool.Get().(*Message)
	m.reset(KindSMessage, "", channel, payload)
	for _, s := range set.list {
		s.Deliver(m, batch)
	}
	n := len(set.list)
	b.mu.RUnlock()
	putMessage(m)
	return n
}

// Subscribe subscribes s to channel and returns the number of channels and
// patterns s then holds, the count a SUBSCRIBE reply carries.
func (b *Broker) Subscribe(s Subscriber, channel string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.holdingsOf(s)
	if h.channels.add(channel) && addTo(b.channels, channel, s) {
		b.watch(KindMessage, channel, true)
	}
	return h.channels.len() + h.patterns.len()
}

// Unsubscribe unsubscribes s from channel and returns the number of
// channels and patterns s still holds.
func (b *Broker) Unsubscribe(s Subscriber, channel string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.holders[s]
	if h == nil {
		return 0
	}
	if h.channels.remove(channel) && removeFrom(b.channels, channel, s) {
		b.watch(KindMessage, channel, false)
	}
	n := h.channels.len() + h.patterns.len()
	b.forgetIfEmpty(s, h)
	return n
}

// PSubscribe subscribes s to a glob pattern and returns the number of
// channels and patterns s then holds.
func (b *Broker) PSubscribe(s Subscriber, pattern string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.holdingsOf(s)
	if h.patterns.add(pattern) {
		set, ok := b.patterns.Get(pattern)
		if !ok {
			set = new(subscriberSet)
			b.patterns.Add(pattern, set)
			b.watch(KindPMessage, pattern, true)
		}
		set.add(s)
	}
	return h.channels.len() + h.patterns.len()
}

// PUnsubscribe unsubscribes s from a pattern and returns the number of
// channels and patterns s still holds.
func (b *Broker) PUnsubscribe(s Subscriber, pattern string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.holders[s]
	if h == nil {
		return 0
	}
	if h.patterns.remove(pattern) {
		b.removePattern(pattern, s)
	}
	n := h.channels.len() + h.patterns.len()
	b.forgetIfEmpty(s, h)
	return n
}

// SSubscribe subscribes s to a shard channel and returns the number of shard
// channels s then holds (Redis 7.0 counts shard channels apart).
func (b *Broker) SSubscribe(s Subscriber, channel string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.holdingsOf(s)
	if h.shards.add(channel) && addTo(b.shards, channel, s) {
		b.watch(KindSMessage, channel, true)
	}
	return h.shards.len()
}

// SUnsubscribe unsubscribes s from a shard channel and returns the number of
// shard channels s still holds.
func (b *Broker) SUnsubscribe(s Subscriber, channel string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.holders[s]
	if h == nil {
		return 0
	}
	if h.shards.remove(channel) && removeFrom(b.shards, channel, s) {
		b.watch(KindSMessage, channel, false)
	}
	n := h.shards.len()
	b.forgetIfEmpty(s, h)
	return n
}

// UnsubscribeAll drops every subscription s holds, as when its connection
// closes.
func (b *Broker) UnsubscribeAll(s Subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	h := b.holders[s]
	if h == nil {
		return
	}
	for _, c := range h.channels.names() {
		if removeFrom(b.channels, c, s) {
			b.watch(KindMessage, c, false)
		}
	}
	for _, p := range h.patterns.names() {
		b.removePattern(p, s)
	}
	for _, c := range h.shards.names() {
		if removeFrom(b.shards, c, s) {
			b.watch(KindSMessage, c, false)
		}
	}
	delete(b.holders, s)
}

// Holdings lists what s is subscribed to.
func (b *Broker) Holdings(s Subscriber) (channels, patterns, shards []string) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	h := b.holders[s]
	if h == nil {
		return nil, nil, nil
	}
	return h.channels.names(), h.patterns.names(), h.shards.names()
}

// Holds reports whether s holds the subscription of kind to name: a
// channel (KindMessage), a pattern (KindPMessage) or a shard channel
// (KindSMessage).
func (b *Broker) Holds(s Subscriber, kind Kind, name string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	h := b.holders[s]
	if h == nil {
		return false
	}
	switch kind {
	case KindPMessage:
		return h.patterns.has(name)
	case KindSMessage:
		return h.shards.has(name)
	}
	return h.channels.has(name)
}

// Counts reports how many channels, patterns and shard channels s holds.
func (b *Broker) Counts(s Subscriber) (channels, patterns, shards int) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	h := b.holders[s]
	if h == nil {
		return 0, 0, 0
	}
	return h.channels.len(), h.patterns.len(), h.shards.len()
}

func (b *Broker) holdingsOf(s Subscriber) *holdings {
	h := b.holders[s]
	if h == nil {
		h = new(holdings)
		b.holders[s] = h
	}
	return h
}

func (b *Broker) forgetIfEmpty(s Subscriber, h *holdings) {
	if h.channels.len() == 0 && h.patterns.len() == 0 && h.shards.len() == 0 {
		delete(b.holders, s)
	}
}

func (b *Broker) removePattern(pattern string, s Subscriber) {
	set, ok := b.patterns.Get(pattern)
	if !ok {
		return
	}
	set.remove(s)
	if len(set.list) == 0 {
		b.patterns.Remove(pattern)
		b.watch(KindPMessage, pattern, false)
	}
}

// addTo adds s to the set of name and reports whether s is its first
// subscriber.
func addTo(m map[string]*subscriberSet, name string, s Subscriber) (first bool) {
	set := m[name]
	if set == nil {
		set = new(subscriberSet)
		m[name] = set
		first = true
	}
	set.add(s)
	return first
}

// removeFrom removes s from the set of name and reports whether s was its
// last subscriber.
func removeFrom(m map[string]*subscriberSet, name string, s Subscriber) (last bool) {
	set := m[name]
	if set == nil {
		return false
	}
	set.remove(s)
	if len(set.list) == 0 {
		delete(m, name)
		return true
	}
	return false
}

// Channels lists the channels with at least one subscriber, sorted
// (PUBSUB CHANNELS).
func (b *Broker) Channels() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return names(b.channels, nil)
}

// ChannelsMatching lists the channels with at least one subscriber whose
// names match a glob pattern, sorted (PUBSUB CHANNELS pattern).
func (b *Broker) ChannelsMatching(pattern string) []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return names(b.channels, &pattern)
}

// ShardChannels lists the shard channels with at least one subscriber.
func (b *Broker) ShardChannels() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return names(b.shards, nil)
}

// ShardChannelsMatching lists the shard channels with at least one
// subscriber whose names match a glob pattern.
func (b *Broker) ShardChannelsMatching(pattern string) []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return names(b.shards, &pattern)
}

func names(m map[string]*subscriberSet, pattern *string) []string {
	out := make([]string, 0, len(m))
	for name := range m {
		if pattern == nil || glob.MatchString(*pattern, name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// NumSub returns the number of subscribers of channel.
func (b *Broker) NumSub(channel string) int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if set := b.channels[channel]; set != nil {
		return len(set.list)
	}
	return 0
}

// ShardNumSub returns the number of subscribers of shard channel channel.
func (b *Broker) ShardNumSub(channel string) int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if set := b.shards[channel]; set != nil {
		return len(set.list)
	}
	return 0
}

// Stats counts what the broker holds: distinct channels, patterns and shard
// channels with at least one subscriber (INFO's pubsub_channels,
// pubsub_patterns and pubsubshard_channels; PUBSUB NUMPAT).
type Stats struct {
	Channels, Patterns, ShardChannels int
}

// Stats returns the broker's current counts.
func (b *Broker) Stats() Stats {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return Stats{Channels: len(b.channels), Patterns: b.patterns.Len(), ShardChannels: len(b.shards)}
}
