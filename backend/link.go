package backend

import (
	"context"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/heraldhq/herald/broker"
	"github.com/redis/rueidis"
)

// subKind is how a subscription is made in Redis.
type subKind uint8

const (
	subChannel subKind = iota // SUBSCRIBE
	subPattern                // PSUBSCRIBE
	subShard                  // SSUBSCRIBE
)

// placement is one backend subscription: which node, which command, which
// name in Redis.
type placement struct {
	addr string
	kind subKind
	name string
}

// link is the pub/sub connection to one Redis node: a rueidis dedicated
// connection with push hooks. Its fields are owned by the applier
// goroutine, except patternNode, which the hooks read.
type link struct {
	addr   string
	client rueidis.Client // the node's client, for Dedicate and PUBSUB
	own    bool           // client was made by the backend and is closed with the link

	conn      rueidis.DedicatedClient // nil while down
	gen       uint64                  // counts connections; a loss report names the one it is about
	up        bool
	everUp    bool
	downSince time.Time
	retryAt   time.Time
	backoff   time.Duration

	// patternNode is set on the link to the node that serves non-keyspace
	// pattern subscriptions (cluster mode): a pmessage for an ordinary
	// channel is taken from it alone, since every primary hears a classic
	// PUBLISH.
	patternNode atomic.Bool
}

// connect opens the link's pub/sub connection and installs the hooks. It
// returns once the node answered a PING on it.
func (e *engine) connect(l *link) error {
	conn, _ := l.client.Dedicate() // conn.Close releases it
	l.gen++
	gen := l.gen
	errs := conn.SetPubSubHooks(rueidis.PubSubHooks{
		OnMessage:      func(m rueidis.PubSubMessage) { e.onMessage(l, m) },
		OnSubscription: func(s rueidis.PubSubSubscription) { e.onSubscription(l, s) },
	})
	ctx, cancel := context.WithTimeout(e.ctx, e.opts.Timeout)
	err := conn.Do(ctx, conn.B().Ping().Build()).Error()
	cancel()
	if err != nil {
		conn.Close()
		return err
	}
	l.conn, l.up, l.everUp = conn, true, true
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		select {
		case err := <-errs:
			e.reg.reportDown(linkDown{l, gen, err})
		case <-e.ctx.Done():
		}
	}()
	return nil
}

// disconnect closes the link's connection, if any.
func (l *link) disconnect() {
	if l.conn != nil {
		l.conn.Close()
		l.conn = nil
	}
	l.up = false
}

// onMessage delivers a message pushed by Redis to the local subscribers.
// It runs on the connection's reader goroutine.
func (e *engine) onMessage(l *link, m rueidis.PubSubMessage) {
	e.received.Add(1)
	channel, payload := bytesOf(m.Channel), bytesOf(m.Message)
	if m.Pattern != "" {
		if e.cluster && !isKeyspaceChannel(m.Channel) && !l.patternNode.Load() {
			return // the same publish, heard by another primary
		}
		e.broker.DeliverPattern(m.Pattern, channel, payload, e.out.begin())
		e.out.end()
		return
	}
	if strings.HasPrefix(m.Channel, reservedPrefix) {
		if name, ok := strings.CutPrefix(m.Channel, shardPrefix); ok {
			e.broker.SPublish(bytesOf(name), payload, e.out.begin())
			e.out.end()
		} else if m.Channel == patternsChannel {
			e.onPatternsNotice(m.Message)
		}
		return
	}
	e.broker.DeliverChannel(channel, payload, e.out.begin())
	e.out.end()
}

// onSubscription watches for the unsubscriptions Redis sends on its own:
// a shard channel's slot moved to another node.
func (e *engine) onSubscription(l *link, s rueidis.PubSubSubscription) {
	if s.Kind == "sunsubscribe" {
		e.reg.reportUnsubscribed(unsolicited{l, s.Channel})
	}
}

// bytesOf returns the bytes of s without copying. The broker reads a
// message's channel and payload during Deliver only and never writes them.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// keyOf returns the key a shard subscription named name in Redis was made
// for.
func keyOf(name string) key {
	if name == patternsChannel {
		return key{kindSystem, name}
	}
	if rest, ok := strings.CutPrefix(name, shardPrefix); ok {
		return key{broker.KindSMessage, rest}
	}
	return key{broker.KindMessage, name}
}

// subscribeCmd builds the command that makes or drops p.
func subscribeCmd(c rueidis.DedicatedClient, p placement, on bool) rueidis.Completed {
	b := c.B()
	switch {
	case p.kind == subChannel && on:
		return b.Subscribe().Channel(p.name).Build()
	case p.kind == subChannel:
		return b.Unsubscribe().Channel(p.name).Build()
	case p.kind == subPattern && on:
		return b.Psubscribe().Pattern(p.name).Build()
	case p.kind == subPattern:
		return b.Punsubscribe().Pattern(p.name).Build()
	case on:
		return b.Ssubscribe().Channel(p.name).Build()
	default:
		return b.Sunsubscribe().Channel(p.name).Build()
	}
}
