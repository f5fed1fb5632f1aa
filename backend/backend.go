package backend

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/bus"
	"github.com/redis/rueidis"
)

var _ bus.Bus = (*Backend)(nil)

// Options tunes a Backend. The zero value is ready to use.
type Options struct {
	// Logf receives a line for each lost connection, reconnection and
	// failed subscription. Nil means silent.
	Logf func(format string, args ...any)
	// TLSConfig replaces the TLS settings a rediss:// URL implies. Nil
	// means the URL's (system roots, the host's name).
	TLSConfig *tls.Config
	// Timeout bounds connecting and each command the backend sends on its
	// own. Zero means 5 seconds.
	Timeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between reconnection
	// attempts, which doubles from the first to the second (with ±20%
	// jitter). Zero means 50 milliseconds and 2 seconds.
	MinBackoff, MaxBackoff time.Duration

	clientOption rueidis.ClientOption // filled by Open, for node clients
}

func (o *Options) fill() {
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 50 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 2 * time.Second
	}
	o.MaxBackoff = max(o.MaxBackoff, o.MinBackoff)
}

// Backend is a bus.Bus over a real Redis server or Redis Cluster, for
// Herald nodes that share it. Local subscribers stay in the local broker;
// the backend holds one Redis subscription per name they want and
// delivers what Redis pushes through the broker. Methods are safe for
// concurrent use.
type Backend struct {
	e         *engine
	closed    atomic.Bool
	closeOnce sync.Once
}

// Open connects to the backend url names (see the package documentation
// for the forms), mirrors b's subscriptions there from now on, and
// returns once the backend is connected. b must not have subscriptions
// yet: Open installs b's watcher (broker.SetWatcher). ctx bounds Open only,
// and so does Options.Timeout: a backend unreachable for that long fails
// Open.
func Open(ctx context.Context, url string, b *broker.Broker, opts Options) (*Backend, error) {
	t, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	opts.fill()
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	opt := t.option
	if opts.TLSConfig != nil {
		opt.TLSConfig = opts.TLSConfig
	}
	opt.DisableCache = true
	opt.ForceSingleClient = !t.cluster
	if opt.Dialer.Timeout == 0 {
		opt.Dialer.Timeout = opts.Timeout
	}
	opts.clientOption = opt
	client, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, fmt.Errorf("backend: connect to %s: %w", redact(url), err)
	}
	if t.cluster && client.Mode() != rueidis.ClientModeCluster {
		client.Close()
		return nil, fmt.Errorf("backend: %s is not a Redis Cluster (use redis:// for one server)", redact(url))
	}
	e := &engine{
		broker:  b,
		client:  client,
		cluster: t.cluster,
		opts:    opts,
		reg:     newRegistry(),
		out:     newDeliveryBatch(),
		links:   make(map[string]*link),
		retry:   make(map[key]struct{}),
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	bk := &Backend{e: e}
	if t.cluster {
		sys := &entry{want: true, ready: make(chan struct{})}
		e.reg.entries[sysKey] = sys
		e.reg.unready[sys] = struct{}{}
		e.topoStale = true
	} else {
		addr := opt.InitAddress[0]
		e.links[addr] = &link{addr: addr, client: client, backoff: opts.MinBackoff}
		e.nodes.Store(1)
	}
	b.SetWatcher(e.reg)
	e.step() // connect, and in cluster mode learn the slots
	e.wg.Add(2)
	go e.run()
	go func() {
		defer e.wg.Done()
		e.out.run(e.ctx)
	}()
	if err := bk.connected(ctx); err != nil {
		bk.Close()
		return nil, fmt.Errorf("backend: %s: %w", redact(url), err)
	}
	return bk, nil
}

// connected waits until every node is connected (and, in cluster mode,
// the pattern notices are heard), for as long as ctx allows.
func (bk *Backend) connected(ctx context.Context) error {
	e := bk.e
	if e.cluster {
		if err := e.reg.wait(ctx, sysKey, e.ctx.Done()); err != nil {
			return fmt.Errorf("subscribe to %s: %w", patternsChannel, err)
		}
		e.reg.askRecheck()
		return nil
	}
	for e.connected.Load() < e.nodes.Load() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("not connected: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond): // Open only; the applier has no completion signal to wait on
		}
	}
	return nil
}

// redact drops the password from a URL for messages.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		if colon := strings.IndexByte(rest[:at], ':'); colon >= 0 {
			rest = rest[:colon] + ":xxxxx" + rest[at:]
		}
	}
	return scheme + "://" + rest
}

// Broker returns the local broker the backend delivers to.
func (bk *Backend) Broker() *broker.Broker { return bk.e.broker }

// Publish implements bus.Bus: it publishes through the backend, which
// delivers to every node's subscribers, this one's included. It returns
// the receiver count the backend reports, in which each Herald node counts
// once per channel or pattern its clients hold, however many clients that
// is (see the package documentation).
func (bk *Backend) Publish(ctx context.Context, channel string, payload []byte) (int, error) {
	if bk.closed.Load() {
		return 0, bus.ErrClosed
	}
	e := bk.e
	c := e.client
	msg := rueidis.BinaryString(payload)
	if !e.cluster {
		n, err := c.Do(ctx, c.B().Publish().Channel(channel).Message(msg).Build()).AsInt64()
		return int(n), err
	}
	n := int64(0)
	if !isKeyspaceChannel(channel) {
		var err error
		if n, err = c.Do(ctx, c.B().Spublish().Channel(channel).Message(msg).Build()).AsInt64(); err != nil {
			return 0, err
		}
		if !e.patternsActive.Load() {
			return int(n), nil
		}
	}
	pc, err := e.patternNodeClient()
	if err != nil {
		return int(n), err
	}
	m, err := pc.Do(ctx, pc.B().Publish().Channel(channel).Message(msg).Build()).AsInt64()
	return int(n + m), err
}

// patternNodeClient returns the client of the cluster node that serves
// pattern subscriptions.
func (e *engine) patternNodeClient() (rueidis.Client, error) {
	addr := e.patternAddr.Load()
	if addr == nil || *addr == "" {
		return nil, errors.New("backend: cluster topology not known yet")
	}
	c, _, err := e.nodeClient(*addr)
	return c, err
}

// SPublish publishes payload on shard channel channel through the backend
// and returns the receiver count it reports (SPUBLISH).
func (bk *Backend) SPublish(ctx context.Context, channel string, payload []byte) (int, error) {
	if bk.closed.Load() {
		return 0, bus.ErrClosed
	}
	c := bk.e.client
	n, err := c.Do(ctx, c.B().Spublish().Channel(shardPrefix+channel).Message(rueidis.BinaryString(payload)).Build()).AsInt64()
	return int(n), err
}

// subscribed waits, after a local subscription, until the backend holds
// the subscription it needs: so that once Subscribe returns, a publish
// made anywhere reaches s.
func (bk *Backend) subscribed(ctx context.Context, kind broker.Kind, name string, n int) (int, error) {
	if strings.HasPrefix(name, reservedPrefix) {
		return n, nil
	}
	if err := bk.e.reg.wait(ctx, key{kind, name}, bk.e.ctx.Done()); err != nil {
		if errors.Is(err, errClosed) {
			err = bus.ErrClosed
		}
		return n, err
	}
	return n, nil
}

// Sync returns once every backend subscription that the broker's changes
// so far call for is confirmed (or no longer wanted): after it, a publish
// on another node reaches the subscribers added to the broker before the
// call, however they were added. The RESP server calls it after a
// subscription command instead of subscribing through the Backend.
func (bk *Backend) Sync(ctx context.Context) error {
	if bk.closed.Load() {
		return bus.ErrClosed
	}
	if err := bk.e.reg.waitAll(ctx, bk.e.ctx.Done()); err != nil {
		if errors.Is(err, errClosed) {
			err = bus.ErrClosed
		}
		return err
	}
	return nil
}

// Subscribe implements bus.Bus. It returns once the backend subscription
// for channel is confirmed (it is made when channel gains its first local
// subscriber). On an error (ctx ended while the backend is unreachable)
// s stays subscribed locally and the backend keeps trying.
func (bk *Backend) Subscribe(ctx context.Context, s broker.Subscriber, channel string) (int, error) {
	if bk.closed.Load() {
		return 0, bus.ErrClosed
	}
	return bk.subscribed(ctx, broker.KindMessage, channel, bk.e.broker.Subscribe(s, channel))
}

// Unsubscribe implements bus.Bus. When s was channel's last local
// subscriber the backend subscription is dropped soon after.
func (bk *Backend) Unsubscribe(_ context.Context, s broker.Subscriber, channel string) (int, error) {
	if bk.closed.Load() {
		return 0, bus.ErrClosed
	}
	return bk.e.broker.Unsubscribe(s, channel), nil
}

// PSubscribe implements bus.Bus, as Subscribe does for a channel.
func (bk *Backend) PSubscribe(ctx context.Context, s broker.Subscriber, pattern string) (int, error) {
	if bk.closed.Load() {
		return 0, bus.ErrClosed
	}
	return bk.subscribed(ctx, broker.KindPMessage, pattern, bk.e.broker.PSubscribe(s, pattern))
}

// PUnsubscribe implements bus.Bus.
func (bk *Backend) PUnsubscribe(_ context.Context, s broker.Subscriber, pattern string) (int, error) {
	if bk.closed.Load() {
		return 0, bus.ErrClosed
	}
	return bk.e.broker.PUnsubscribe(s, pattern), nil
}

// SSubscribe subscribes s to a shard channel and returns the number of
// shard channels s holds, once the backend subscription is confirmed.
func (bk *Backend) SSubscribe(ctx context.Context, s broker.Subscriber, channel string) (int, error) {
	if bk.closed.Load() {
		return 0, bus.ErrClosed
	}
	return bk.subscribed(ctx, broker.KindSMessage, channel, bk.e.broker.SSubscribe(s, channel))
}

// SUnsubscribe unsubscribes s from a shard channel.
func (bk *Backend) SUnsubscribe(_ context.Context, s broker.Subscriber, channel string) (int, error) {
	if bk.closed.Load() {
		return 0, bus.ErrClosed
	}
	return bk.e.broker.SUnsubscribe(s, channel), nil
}

// UnsubscribeAll implements bus.Bus. It works after Close too.
func (bk *Backend) UnsubscribeAll(_ context.Context, s broker.Subscriber) error {
	bk.e.broker.UnsubscribeAll(s)
	return nil
}

// Channels implements bus.Bus: the channels with a subscriber anywhere on
// the backend (PUBSUB CHANNELS; in cluster mode, PUBSUB SHARDCHANNELS of
// every primary, where Herald's channels live, and the keyspace channels
// subscribed on the pattern node), Herald's internal names left out.
func (bk *Backend) Channels(ctx context.Context, pattern string) ([]string, error) {
	if bk.closed.Load() {
		return nil, bus.ErrClosed
	}
	e := bk.e
	if !e.cluster {
		names, err := listChannels(ctx, e.client, false, pattern)
		return visible(names, ""), err
	}
	var all []string
	for _, addr := range e.primaries() {
		c, _, err := e.nodeClient(addr)
		if err != nil {
			return nil, err
		}
		names, err := listChannels(ctx, c, true, pattern)
		if err != nil {
			return nil, err
		}
		all = append(all, names...)
	}
	if pc, err := e.patternNodeClient(); err == nil {
		names, err := listChannels(ctx, pc, false, pattern)
		if err != nil {
			return nil, err
		}
		all = append(all, names...)
	}
	return visible(all, ""), nil
}

// ShardChannels lists the shard channels with a subscriber anywhere on the
// backend whose names match pattern (all when it is empty), sorted.
func (bk *Backend) ShardChannels(ctx context.Context, pattern string) ([]string, error) {
	if bk.closed.Load() {
		return nil, bus.ErrClosed
	}
	e := bk.e
	if pattern == "" {
		pattern = "*"
	}
	nodes := []rueidis.Client{e.client}
	if e.cluster {
		nodes = nodes[:0]
		for _, addr := range e.primaries() {
			c, _, err := e.nodeClient(addr)
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, c)
		}
	}
	var all []string
	for _, c := range nodes {
		names, err := listChannels(ctx, c, true, shardPrefix+pattern)
		if err != nil {
			return nil, err
		}
		all = append(all, names...)
	}
	return visible(all, shardPrefix), nil
}

func listChannels(ctx context.Context, c rueidis.Client, shard bool, pattern string) ([]string, error) {
	var cmd rueidis.Completed
	switch {
	case shard && pattern != "":
		cmd = c.B().PubsubShardchannels().Pattern(pattern).Build()
	case shard:
		cmd = c.B().PubsubShardchannels().Build()
	case pattern != "":
		cmd = c.B().PubsubChannels().Pattern(pattern).Build()
	default:
		cmd = c.B().PubsubChannels().Build()
	}
	return c.Do(ctx, cmd).AsStrSlice()
}

// visible keeps the names that start with prefix, without it, and not
// reserved, sorted and distinct.
func visible(names []string, prefix string) []string {
	out := names[:0]
	for _, n := range names {
		n, ok := strings.CutPrefix(n, prefix)
		if ok && !strings.HasPrefix(n, reservedPrefix) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// NumSub implements bus.Bus: each channel's subscriber count as the
// backend reports it (PUBSUB NUMSUB; in cluster mode PUBSUB SHARDNUMSUB at
// the channel's slot owner, and for a keyspace channel NUMSUB on the
// pattern node), in which a Herald node counts once.
func (bk *Backend) NumSub(ctx context.Context, channels ...string) ([]int, error) {
	if bk.closed.Load() {
		return nil, bus.ErrClosed
	}
	e := bk.e
	if !e.cluster {
		return numSub(ctx, e.client, false, channels, "")
	}
	out := make([]int, len(channels))
	for i, ch := range channels {
		var c rueidis.Client
		var err error
		shard := !isKeyspaceChannel(ch)
		if shard {
			c, err = e.ownerClient(ch)
		} else {
			c, err = e.patternNodeClient()
		}
		if err != nil {
			return nil, err
		}
		n, err := numSub(ctx, c, shard, []string{ch}, "")
		if err != nil {
			return nil, err
		}
		out[i] = n[0]
	}
	return out, nil
}

// ShardNumSub returns each shard channel's subscriber count as the backend
// reports it (PUBSUB SHARDNUMSUB at the slot's owner).
func (bk *Backend) ShardNumSub(ctx context.Context, channels ...string) ([]int, error) {
	if bk.closed.Load() {
		return nil, bus.ErrClosed
	}
	e := bk.e
	if !e.cluster {
		return numSub(ctx, e.client, true, channels, shardPrefix)
	}
	out := make([]int, len(channels))
	for i, ch := range channels {
		c, err := e.ownerClient(shardPrefix + ch)
		if err != nil {
			return nil, err
		}
		n, err := numSub(ctx, c, true, []string{ch}, shardPrefix)
		if err != nil {
			return nil, err
		}
		out[i] = n[0]
	}
	return out, nil
}

func numSub(ctx context.Context, c rueidis.Client, shard bool, channels []string, prefix string) ([]int, error) {
	out := make([]int, len(channels))
	if len(channels) == 0 {
		return out, nil
	}
	names := make([]string, len(channels))
	for i, ch := range channels {
		names[i] = prefix + ch
	}
	var cmd rueidis.Completed
	if shard {
		cmd = c.B().PubsubShardnumsub().Channel(names...).Build()
	} else {
		cmd = c.B().PubsubNumsub().Channel(names...).Build()
	}
	counts, err := c.Do(ctx, cmd).AsIntMap()
	if err != nil {
		return nil, err
	}
	for i, n := range names {
		out[i] = int(counts[n])
	}
	return out, nil
}

// ownerClient returns the client of the primary that serves name's slot.
func (e *engine) ownerClient(name string) (rueidis.Client, error) {
	t := e.topoSnap.Load()
	if t == nil {
		return nil, errors.New("backend: cluster topology not known yet")
	}
	c, _, err := e.nodeClient(t.owner(slotOf(name)))
	return c, err
}

// primaries returns the cluster's primaries as last learnt.
func (e *engine) primaries() []string {
	if t := e.topoSnap.Load(); t != nil {
		return t.primaries
	}
	return nil
}

// NumPat returns the number of pattern subscriptions the backend reports
// (PUBSUB NUMPAT; in cluster mode, of the pattern node, which holds every
// Herald node's patterns), in which a Herald node counts once per pattern.
func (bk *Backend) NumPat(ctx context.Context) (int, error) {
	if bk.closed.Load() {
		return 0, bus.ErrClosed
	}
	c := bk.e.client
	if bk.e.cluster {
		var err error
		if c, err = bk.e.patternNodeClient(); err != nil {
			return 0, err
		}
	}
	n, err := c.Do(ctx, c.B().PubsubNumpat().Build()).AsInt64()
	return int(n), err
}

// Stats is what a backend reports about itself, for metrics.
type Stats struct {
	// Gaps counts the events announced on SystemChannel as "gap": each a
	// time when messages for this node's subscribers may have been lost.
	Gaps uint64
	// Reconnects counts connections to a node made again after a loss.
	Reconnects uint64
	// Received counts messages Redis pushed to this node.
	Received uint64
	// Subscriptions is the number of Redis subscriptions held now (in
	// cluster mode a keyspace channel or pattern counts once per primary).
	Subscriptions int64
	// Nodes and Connected count the nodes subscribed to (the server, or
	// the cluster's primaries) and those connected now.
	Nodes, Connected int64
	// PatternsActive says, in cluster mode, that some node holds pattern
	// subscriptions, so publishes go out as classic PUBLISH too.
	PatternsActive bool
}

// Stats returns the backend's counters.
func (bk *Backend) Stats() Stats {
	e := bk.e
	return Stats{
		Gaps:           e.gaps.Load(),
		Reconnects:     e.reconnects.Load(),
		Received:       e.received.Load(),
		Subscriptions:  e.held.Load(),
		Nodes:          e.nodes.Load(),
		Connected:      e.connected.Load(),
		PatternsActive: e.patternsActive.Load(),
	}
}

// Close implements bus.Bus: it stops mirroring the broker's subscriptions,
// closes every connection to the backend and waits for its goroutines.
// Local subscribers stay subscribed in the broker and hear nothing more
// from the backend.
func (bk *Backend) Close() error {
	bk.closeOnce.Do(func() {
		bk.closed.Store(true)
		e := bk.e
		e.broker.SetWatcher(nil)
		e.reg.mu.Lock()
		e.reg.watchOff = true
		e.reg.mu.Unlock()
		e.cancel()
		e.wg.Wait()
		e.client.Close()
	})
	return nil
}
