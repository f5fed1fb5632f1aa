package broker

import (
	"context"
	"errors"
	"sync"
)

// ErrSlowConsumer is returned by Inbox.Next once the inbox overflowed: like
// a Redis client past its output buffer limit, it was unsubscribed from
// everything rather than let the publisher wait.
var ErrSlowConsumer = errors.New("broker: inbox overflowed its limit and was closed (slow consumer)")

// ErrClosed is returned by Inbox.Next after Close.
var ErrClosed = errors.New("broker: inbox closed")

// Delivery is a message as an Inbox hands it out; it owns its bytes.
type Delivery struct {
	Kind    Kind
	Pattern string // set for KindPMessage
	Channel string
	Payload []byte
}

// Inbox is an in-process subscriber for Go programs that embed Herald: it
// queues deliveries for Next. Publishing never waits for it: an inbox that
// holds Limit undelivered messages when another arrives is closed and
// unsubscribed, and Next returns ErrSlowConsumer.
type Inbox struct {
	broker *Broker
	limit  int
	notify chan struct{}

	mu     sync.Mutex
	queue  []Delivery
	head   int
	closed error
}

// DefaultInboxLimit is the queue limit NewInbox uses when given zero.
const DefaultInboxLimit = 10000

// NewInbox returns an inbox subscribed to nothing. limit is the most
// undelivered messages it holds; zero means DefaultInboxLimit.
func (b *Broker) NewInbox(limit int) *Inbox {
	if limit <= 0 {
		limit = DefaultInboxLimit
	}
	return &Inbox{broker: b, limit: limit, notify: make(chan struct{}, 1)}
}

// Subscribe subscribes the inbox to channels. After Close or an overflow it
// does nothing.
func (in *Inbox) Subscribe(channels ...string) {
	in.subscribe(in.broker.Subscribe, channels)
}

// Unsubscribe unsubscribes the inbox from channels.
func (in *Inbox) Unsubscribe(channels ...string) {
	for _, c := range channels {
		in.broker.Unsubscribe(in, c)
	}
}

// PSubscribe subscribes the inbox to glob patterns. After Close or an
// overflow it does nothing.
func (in *Inbox) PSubscribe(patterns ...string) {
	in.subscribe(in.broker.PSubscribe, patterns)
}

// PUnsubscribe unsubscribes the inbox from glob patterns.
func (in *Inbox) PUnsubscribe(patterns ...string) {
	for _, p := range patterns {
		in.broker.PUnsubscribe(in, p)
	}
}

// SSubscribe subscribes the inbox to shard channels. After Close or an
// overflow it does nothing.
func (in *Inbox) SSubscribe(channels ...string) {
	in.subscribe(in.broker.SSubscribe, channels)
}

// subscribe adds subscriptions unless the inbox is closed. Close marks the
// inbox closed before it unsubscribes, so a subscription that races with it
// is undone here.
func (in *Inbox) subscribe(add func(Subscriber, string) int, names []string) {
	if in.err() != nil {
		return
	}
	for _, n := range names {
		add(in, n)
	}
	if in.err() != nil {
		in.broker.UnsubscribeAll(in)
	}
}

func (in *Inbox) err() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.closed
}

// SUnsubscribe unsubscribes the inbox from shard channels.
func (in *Inbox) SUnsubscribe(channels ...string) {
	for _, c := range channels {
		in.broker.SUnsubscribe(in, c)
	}
}

// Deliver implements Subscriber. It copies the message into the queue.
func (in *Inbox) Deliver(m *Message, _ *Batch) {
	in.mu.Lock()
	if in.closed != nil {
		in.mu.Unlock()
		return
	}
	if len(in.queue)-in.head >= in.limit {
		in.closed = ErrSlowConsumer
		in.queue, in.head = nil, 0
		in.mu.Unlock()
		// Deliver runs under the broker's lock: unsubscribe from elsewhere.
		go in.broker.UnsubscribeAll(in)
		in.wake()
		return
	}
	in.queue = append(in.queue, Delivery{
		Kind:    m.Kind,
		Pattern: m.Pattern,
		Channel: string(m.Channel),
		Payload: append([]byte(nil), m.Payload...),
	})
	in.mu.Unlock()
	in.wake()
}

func (in *Inbox) wake() {
	select {
	case in.notify <- struct{}{}:
	default:
	}
}

// Next returns the oldest queued delivery, waiting for one until ctx is
// done. After Close or an overflow it returns the reason.
func (in *Inbox) Next(ctx context.Context) (Delivery, error) {
	for {
		in.mu.Lock()
		if in.closed != nil {
			err := in.closed
			in.mu.Unlock()
			return Delivery{}, err
		}
		if in.head < len(in.queue) {
			d := in.queue[in.head]
			in.queue[in.head] = Delivery{}
			in.head++
			if in.head == len(in.queue) {
				in.queue, in.head = in.queue[:0], 0
			}
			in.mu.Unlock()
			return d, nil
		}
		in.mu.Unlock()
		select {
		case <-in.notify:
		case <-ctx.Done():
			return Delivery{}, ctx.Err()
		}
	}
}

// Close unsubscribes the inbox from everything; Next then returns ErrClosed.
func (in *Inbox) Close() {
	in.mu.Lock()
	if in.closed == nil {
		in.closed = ErrClosed
	}
	in.queue, in.head = nil, 0
	in.mu.Unlock()
	in.broker.UnsubscribeAll(in)
	in.wake()
}
