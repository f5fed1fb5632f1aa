// Package bus is the one seam between Herald's web gateway and fan-out: a
// small interface for publishing, subscribing and the PUBSUB-style counts,
// with Local, the in-process broker, as its default implementation. Redis
// and Redis Cluster implementations will sit behind the same interface, so
// nothing here is specific to one backend.
package bus

import (
	"context"
	"errors"

	"github.com/heraldhq/herald/broker"
)

// ErrClosed is returned by every method of a Bus after Close.
var ErrClosed = errors.New("bus: closed")

// Bus publishes messages and routes them to subscribers. Subscribers are
// broker.Subscribers whatever the backend: a remote backend delivers what it
// receives through the same Deliver call, so transports encode once per
// message as they do locally. Methods are safe for concurrent use.
//
// The subscription methods return the number of channels and patterns s
// holds afterwards, the count Redis's SUBSCRIBE replies carry.
type Bus interface {
	// Publish delivers payload to the subscribers of channel and of the
	// patterns matching it and returns the number of receivers, counted as
	// Redis's PUBLISH counts them.
	Publish(ctx context.Context, channel string, payload []byte) (int, error)
	// Subscribe subscribes s to channel.
	Subscribe(ctx context.Context, s broker.Subscriber, channel string) (int, error)
	// Unsubscribe unsubscribes s from channel.
	Unsubscribe(ctx context.Context, s broker.Subscriber, channel string) (int, error)
	// PSubscribe subscribes s to a glob pattern (Redis's glob syntax).
	PSubscribe(ctx context.Context, s broker.Subscriber, pattern string) (int, error)
	// PUnsubscribe unsubscribes s from a glob pattern.
	PUnsubscribe(ctx context.Context, s broker.Subscriber, pattern string) (int, error)
	// UnsubscribeAll drops every subscription s holds, as when it
	// disconnects.
	UnsubscribeAll(ctx context.Context, s broker.Subscriber) error
	// Holdings lists the channels and patterns s holds, as UNSUBSCRIBE
	// and PUNSUBSCRIBE without arguments need.
	Holdings(s broker.Subscriber) (channels, patterns []string)
	// Channels lists the channels with at least one subscriber whose names
	// match pattern, sorted; an empty pattern lists them all (PUBSUB
	// CHANNELS [pattern]).
	Channels(ctx context.Context, pattern string) ([]string, error)
	// NumSub returns the number of subscribers of each channel, in order
	// (PUBSUB NUMSUB).
	NumSub(ctx context.Context, channels ...string) ([]int, error)
	// Close releases the bus. Subscribers are not notified.
	Close() error
}

// Message is one publish of a batch, for backends that send a pipelined
// batch of PUBLISH and SPUBLISH commands in one round trip (the RESP
// server's Remote, package backend's PublishMany).
type Message struct {
	Channel string
	Payload []byte
	// Shard makes it an SPUBLISH to a shard channel.
	Shard bool
}
