package broker

// Watcher is told when the broker's set of subscribed names changes: when a
// channel, pattern or shard channel gains its first subscriber (on is true)
// and when it loses its last (on is false). A remote backend uses it to hold
// one backend subscription per name however many local subscribers share it
// (reference counting, done by the broker's own sets).
//
// Watch is called with the broker's write lock held, in the exact order the
// changes happen, so a watcher that queues the calls and replays them in
// order always ends in the broker's state. It must not block and must not
// call back into the broker. kind is KindMessage for a channel,
// KindPMessage for a pattern and KindSMessage for a shard channel.
type Watcher interface {
	Watch(kind Kind, name string, on bool)
}

// SetWatcher installs w. It is meant to be called once, before the broker
// is used: names already subscribed are not reported, and changing the
// watcher while subscriptions change is a data race. A broker without a
// watcher pays one nil check per subscription change.
func (b *Broker) SetWatcher(w Watcher) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.watcher = w
}

// watch reports a change to the watcher, if any. The write lock is held.
func (b *Broker) watch(kind Kind, name string, on bool) {
	if b.watcher != nil {
		b.watcher.Watch(kind, name, on)
	}
}

// DeliverChannel delivers payload to the subscribers of channel only (not
// to patterns matching it) and returns how many there were. It is the entry
// point for messages a remote backend received for a channel subscription:
// the backend delivers pattern matches separately, through DeliverPattern,
// so nothing is matched twice. batch may be nil, as for Publish.
func (b *Broker) DeliverChannel(channel, payload []byte, batch *Batch) int {
	return b.deliverTo(KindMessage, "", channel, payload, batch)
}

// DeliverPattern delivers payload, published on channel, to the subscribers
// of exactly pattern, as a pmessage, and returns how many there were. The
// channel is not matched against pattern again: the backend did that. batch
// may be nil, as for Publish.
func (b *Broker) DeliverPattern(pattern string, channel, payload []byte, batch *Batch) int {
	return b.deliverTo(KindPMessage, pattern, channel, payload, batch)
}

func (b *Broker) deliverTo(kind Kind, pattern string, channel, payload []byte, batch *Batch) int {
	if batch == nil {
		batch = new(Batch)
		defer batch.Flush()
	}
	b.mu.RLock()
	var set *subscriberSet
	if kind == KindPMessage {
		set, _ = b.patterns.Get(pattern)
	} else {
		set = b.channels[string(channel)]
	}
	if set == nil {
		b.mu.RUnlock()
		return 0
	}
	m := messagePool.Get().(*Message)
	m.reset(kind, pattern, channel, payload)
	for _, s := range set.list {
		s.Deliver(m, batch)
	}
	n := len(set.list)
	b.mu.RUnlock()
	putMessage(m)
	if kind == KindMessage {
		b.top.sample(channel, batch)
	}
	return n
}
