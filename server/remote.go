package server

import (
	"context"
	"errors"
	"time"

	"github.com/heraldhq/herald/broker"
)

// Remote is a fan-out backend that several Herald nodes share (package
// backend: a Redis or Redis Cluster). With one configured, the server is a
// gateway like the web gateway: its clients still subscribe in the local
// broker, which tells the backend of each name's first and last local
// subscriber, while publishes and the PUBSUB questions go to the backend, so
// that a client of this node hears a publish made on another.
//
// Counts are the backend's: a node holding a channel on behalf of any
// number of its clients counts once in PUBLISH's receivers and in PUBSUB
// NUMSUB, and PUBSUB CHANNELS lists what any node holds.
type Remote interface {
	Publish(ctx context.Context, channel string, payload []byte) (int, error)
	SPublish(ctx context.Context, channel string, payload []byte) (int, error)
	// Subscribe, PSubscribe and SSubscribe subscribe s in the local broker
	// and return, with the count the broker returns, once the backend holds
	// the subscription that calls for: after them, a publish on another
	// node reaches s. On an error s is subscribed all the same and the
	// backend keeps trying.
	Subscribe(ctx context.Context, s broker.Subscriber, channel string) (int, error)
	PSubscribe(ctx context.Context, s broker.Subscriber, pattern string) (int, error)
	SSubscribe(ctx context.Context, s broker.Subscriber, channel string) (int, error)
	Channels(ctx context.Context, pattern string) ([]string, error)
	ShardChannels(ctx context.Context, pattern string) ([]string, error)
	NumSub(ctx context.Context, channels ...string) ([]int, error)
	ShardNumSub(ctx context.Context, channels ...string) ([]int, error)
	NumPat(ctx context.Context) (int, error)
}

// DefaultRemoteTimeout bounds a command's wait for the backend when
// Config.RemoteTimeout is zero.
const DefaultRemoteTimeout = 5 * time.Second

// remoteContext returns the context of one command's call to the backend.
func (c *conn) remoteContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), c.srv.settings().RemoteTimeout)
}

// subscribe subscribes the client to name in the broker, through the
// backend when there is one, and returns the count for the ack. If the
// backend is away, the ack goes out anyway: the subscription is held, the
// backend side is made when it is back, and the gap is reported on the
// system channel (package backend).
func (c *conn) subscribe(kind broker.Kind, name string) int {
	b := c.srv.broker
	r := c.srv.remote
	if r == nil {
		switch kind {
		case broker.KindPMessage:
			return b.PSubscribe(c, name)
		case broker.KindSMessage:
			return b.SSubscribe(c, name)
		}
		return b.Subscribe(c, name)
	}
	subscribe := r.Subscribe
	switch kind {
	case broker.KindPMessage:
		subscribe = r.PSubscribe
	case broker.KindSMessage:
		subscribe = r.SSubscribe
	}
	ctx, cancel := c.remoteContext()
	defer cancel()
	n, err := subscribe(ctx, c, name)
	if err != nil {
		c.srv.logger().Warn("backend subscription not confirmed", "client", c.id, "name", name, "error", err)
	}
	return n
}

// writeRemoteError replies to a command the backend could not answer.
func (c *conn) writeRemoteError(err error) {
	msg := err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "timed out"
	}
	c.writeError("ERR backend unavailable: " + msg)
}
