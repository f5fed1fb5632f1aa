package bus

import (
	"context"
	"sync/atomic"

	"github.com/heraldhq/herald/broker"
)

var _ Bus = (*Local)(nil)

// Local is a Bus over an in-process broker: the same broker the RESP server
// routes through, so gateway and RESP clients share channels. Its methods
// never fail except after Close.
type Local struct {
	broker *broker.Broker
	closed atomic.Bool
}

// NewLocal returns a Bus over b.
func NewLocal(b *broker.Broker) *Local {
	return &Local{broker: b}
}

// Broker returns the broker l routes through.
func (l *Local) Broker() *broker.Broker { return l.broker }

// Publish implements Bus. Subscribers are flushed before it returns.
func (l *Local) Publish(_ context.Context, channel string, payload []byte) (int, error) {
	if l.closed.Load() {
		return 0, ErrClosed
	}
	return l.broker.Publish([]byte(channel), payload, nil), nil
}

// Subscribe implements Bus.
func (l *Local) Subscribe(_ context.Context, s broker.Subscriber, channel string) (int, error) {
	if l.closed.Load() {
		return 0, ErrClosed
	}
	return l.broker.Subscribe(s, channel), nil
}

// Unsubscribe implements Bus.
func (l *Local) Unsubscribe(_ context.Context, s broker.Subscriber, channel string) (int, error) {
	if l.closed.Load() {
		return 0, ErrClosed
	}
	return l.broker.Unsubscribe(s, channel), nil
}

// PSubscribe implements Bus.
func (l *Local) PSubscribe(_ context.Context, s broker.Subscriber, pattern string) (int, error) {
	if l.closed.Load() {
		return 0, ErrClosed
	}
	return l.broker.PSubscribe(s, pattern), nil
}

// PUnsubscribe implements Bus.
func (l *Local) PUnsubscribe(_ context.Context, s broker.Subscriber, pattern string) (int, error) {
	if l.closed.Load() {
		return 0, ErrClosed
	}
	return l.broker.PUnsubscribe(s, pattern), nil
}

// UnsubscribeAll implements Bus. It works after Close too, so that
// subscribers can always clean up.
func (l *Local) UnsubscribeAll(_ context.Context, s broker.Subscriber) error {
	l.broker.UnsubscribeAll(s)
	return nil
}

// Holdings implements Bus.
func (l *Local) Holdings(s broker.Subscriber) (channels, patterns []string) {
	channels, patterns, _ = l.broker.Holdings(s)
	return channels, patterns
}

// Channels implements Bus.
func (l *Local) Channels(_ context.Context, pattern string) ([]string, error) {
	if l.closed.Load() {
		return nil, ErrClosed
	}
	if pattern == "" {
		return l.broker.Channels(), nil
	}
	return l.broker.ChannelsMatching(pattern), nil
}

// NumSub implements Bus.
func (l *Local) NumSub(_ context.Context, channels ...string) ([]int, error) {
	if l.closed.Load() {
		return nil, ErrClosed
	}
	out := make([]int, len(channels))
	for i, c := range channels {
		out[i] = l.broker.NumSub(c)
	}
	return out, nil
}

// Close implements Bus. The broker itself stays usable by others (the RESP
// server).
func (l *Local) Close() error {
	l.closed.Store(true)
	return nil
}
