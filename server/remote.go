package server

import (
	"context"
	"errors"
	"time"

	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/bus"
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
	// PublishMany publishes msgs (a client's pipelined PUBLISH and SPUBLISH
	// commands) in order per channel, in as few round trips as it can, and
	// returns each one's receiver count and error. The node's own
	// subscribers hear the messages back from the backend. The payloads are
	// the client's input buffer: PublishMany must not keep them.
	PublishMany(ctx context.Context, msgs []RemoteMessage) ([]int, []error)
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

// RemoteMessage is one PUBLISH (or, with Shard, SPUBLISH) for a Remote.
type RemoteMessage = bus.Message

// maxRemoteBatch is the most PUBLISH commands a connection queues before
// sending them to the backend, within one read of its input.
const maxRemoteBatch = 1024

// queueRemotePublish queues a PUBLISH or SPUBLISH for the backend. The
// queue is sent, and the replies written in order, before the next command
// that is not one of these runs, at the end of the read of input that
// brought them, or when it is full: so a pipelining publisher pays one
// round trip to the backend per read, not one per message.
func (c *conn) queueRemotePublish(args [][]byte, shard bool) {
	c.remotePubs = append(c.remotePubs, RemoteMessage{Channel: string(args[1]), Payload: args[2], Shard: shard})
	c.remoteKeep = append(c.remoteKeep, c.replyMode == replyOn) // CLIENT REPLY as when the command ran
	if len(c.remotePubs) >= maxRemoteBatch {
		c.sendRemotePublishes()
	}
}

// sendRemotePublishes sends the queued publishes and writes their replies:
// each one's receiver count as the backend reports it, or an error.
func (c *conn) sendRemotePublishes() {
	if len(c.remotePubs) == 0 {
		return
	}
	// The writes before them go to the AOF first, as their replies would
	// (aof.go): a subscriber told of a change must find it after a crash.
	c.aofSync()
	ctx, cancel := c.remoteContext()
	counts, errs := c.srv.remote.PublishMany(ctx, c.remotePubs)
	cancel()
	for i := range c.remotePubs {
		switch {
		case i >= len(counts) || i >= len(errs):
			c.writeRemoteError(errors.New("no reply"))
		case errs[i] != nil:
			c.writeRemoteError(errs[i])
		default:
			c.published.Add(1)
			c.writeInt(int64(counts[i]))
		}
		c.commitReplyIf(c.remoteKeep[i])
	}
	if cap(c.remotePubs) > 64 { // an idle connection keeps no large queue
		c.remotePubs, c.remoteKeep = nil, nil
	} else {
		clear(c.remotePubs)
		c.remotePubs, c.remoteKeep = c.remotePubs[:0], c.remoteKeep[:0]
	}
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
