package server

import (
	"context"
	"errors"
	"time"
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
	// Sync returns once every backend subscription that the broker's
	// changes so far call for is confirmed: after it, a publish on another
	// node reaches the subscribers this node just added.
	Sync(ctx context.Context) error
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

// syncRemote waits, after a subscription command, until the backend holds
// what it added, so that the acks mean what they mean on a single server.
// If the backend is away, the acks go out anyway: the subscriptions are
// held, the backend side is made when it is back, and the gap is reported
// on the system channel (package backend).
func (c *conn) syncRemote() {
	r := c.srv.remote
	if r == nil {
		return
	}
	ctx, cancel := c.remoteContext()
	defer cancel()
	if err := r.Sync(ctx); err != nil {
		c.srv.logger().Warn("backend subscription not confirmed", "client", c.id, "error", err)
	}
}

// writeRemoteError replies to a command the backend could not answer.
func (c *conn) writeRemoteError(err error) {
	msg := err.Error()
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "timed out"
	}
	c.writeError("ERR backend unavailable: " + msg)
}
