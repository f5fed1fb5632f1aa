package server

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/broker"

	"github.com/heraldhq/herald/internal/resp"
)

func registerPubSub(t commandTable) {
	ctx := flagPubSubContext
	pubsubMeta := func(extra ...string) commandMeta {
		return commandMeta{flags: append([]string{"pubsub", "noscript", "loading", "stale"}, extra...), categories: []string{"@pubsub", "@slow"}}
	}
	t.add(&command{name: "subscribe", arity: -2, flags: ctx, run: cmdSubscribe, meta: pubsubMeta()})
	t.add(&command{name: "unsubscribe", arity: -1, flags: ctx, run: cmdUnsubscribe, meta: pubsubMeta()})
	t.add(&command{name: "psubscribe", arity: -2, flags: ctx, run: cmdPSubscribe, meta: pubsubMeta()})
	t.add(&command{name: "punsubscribe", arity: -1, flags: ctx, run: cmdPUnsubscribe, meta: pubsubMeta()})
	t.add(&command{name: "ssubscribe", arity: -2, flags: ctx, run: cmdSSubscribe,
		meta: commandMeta{flags: []string{"pubsub", "noscript", "loading", "stale"}, firstKey: 1, lastKey: -1, keyStep: 1, categories: []string{"@pubsub", "@slow"}}})
	t.add(&command{name: "sunsubscribe", arity: -1, flags: ctx, run: cmdSUnsubscribe,
		meta: commandMeta{flags: []string{"pubsub", "noscript", "loading", "stale"}, firstKey: 1, lastKey: -1, keyStep: 1, categories: []string{"@pubsub", "@slow"}}})
	t.add(&command{name: "publish", arity: 3, flags: flagHot | flagRemoteBatch, run: cmdPublish,
		meta: commandMeta{flags: []string{"pubsub", "loading", "stale", "fast"}, categories: []string{"@pubsub", "@fast"}}})
	t.add(&command{name: "spublish", arity: 3, flags: flagHot | flagRemoteBatch, run: cmdSPublish,
		meta: commandMeta{flags: []string{"pubsub", "loading", "stale", "fast"}, firstKey: 1, lastKey: 1, keyStep: 1, categories: []string{"@pubsub", "@fast"}}})

	pubsub := t.add(&command{name: "pubsub", arity: -2, meta: commandMeta{categories: []string{"@slow"}}})
	sub := func(name string, arity int, run func(*conn, [][]byte)) {
		pubsub.addSub(&command{name: name, arity: arity, run: run, meta: commandMeta{flags: []string{"pubsub", "loading", "stale"}, categories: []string{"@pubsub", "@slow"}}})
	}
	sub("channels", -2, cmdPubSubChannels)
	sub("numsub", -2, cmdPubSubNumSub)
	sub("numpat", 2, cmdPubSubNumPat)
	sub("shardchannels", -2, cmdPubSubShardChannels)
	sub("shardnumsub", -2, cmdPubSubShardNumSub)
	pubsub.addSub(&command{name: "help", arity: 2, run: func(c *conn, _ [][]byte) { c.writeHelp(helpPubsub) },
		meta: commandMeta{flags: []string{"loading", "stale"}, categories: []string{"@slow"}}})
}

// The (un)subscribe acknowledgements are pushes in RESP3 and are sent even
// under CLIENT REPLY OFF, as Redis sends them.
func (c *conn) writeAck(kind string, name []byte, count int) {
	c.pushReply = true
	c.reply = resp.AppendPushLen(c.reply, 3, c.proto)
	c.reply = resp.AppendBulkString(c.reply, kind)
	if name == nil {
		c.reply = resp.AppendNull(c.reply, c.proto)
	} else {
		c.reply = resp.AppendBulk(c.reply, name)
	}
	c.reply = resp.AppendInt(c.reply, int64(count))
}

// noteSubscriptions records how many subscriptions the client holds after a
// change: it decides RESP2 subscribed mode and the output-limit class.
func (c *conn) noteSubscriptions() {
	ch, pat, sh := c.srv.broker.Counts(c)
	c.subscribed = ch + pat + sh
	c.out.mu.Lock()
	c.out.pubsub = c.subscribed > 0
	c.out.mu.Unlock()
}

func cmdSubscribe(c *conn, args [][]byte) {
	if c.subscribeRefused(broker.KindMessage, args[1:]) {
		return
	}
	for _, ch := range args[1:] {
		c.writeAck("subscribe", ch, c.subscribe(broker.KindMessage, string(ch)))
	}
	c.noteSubscriptions()
	c.aclRecheckHoldings()
}

func cmdPSubscribe(c *conn, args [][]byte) {
	if c.subscribeRefused(broker.KindPMessage, args[1:]) {
		return
	}
	for _, p := range args[1:] {
		c.writeAck("psubscribe", p, c.subscribe(broker.KindPMessage, string(p)))
	}
	c.noteSubscriptions()
	c.aclRecheckHoldings()
}

func cmdSSubscribe(c *conn, args [][]byte) {
	if c.subscribeRefused(broker.KindSMessage, args[1:]) {
		return
	}
	for _, ch := range args[1:] {
		c.writeAck("ssubscribe", ch, c.subscribe(broker.KindSMessage, string(ch)))
	}
	c.noteSubscriptions()
	c.aclRecheckHoldings()
}

// unsubscribeArgs returns the names to unsubscribe from: the arguments, or
// everything the client holds of that kind when there are none.
func unsubscribeArgs(args [][]byte, held []string) [][]byte {
	if len(args) > 1 {
		return args[1:]
	}
	names := make([][]byte, len(held))
	for i, h := range held {
		names[i] = []byte(h)
	}
	return names
}

func cmdUnsubscribe(c *conn, args [][]byte) {
	channels, _, _ := c.srv.broker.Holdings(c)
	names := unsubscribeArgs(args, channels)
	for _, ch := range names {
		c.writeAck("unsubscribe", ch, c.srv.broker.Unsubscribe(c, string(ch)))
	}
	if len(names) == 0 {
		ch, pat, _ := c.srv.broker.Counts(c)
		c.writeAck("unsubscribe", nil, ch+pat)
	}
	c.noteSubscriptions()
}

func cmdPUnsubscribe(c *conn, args [][]byte) {
	_, patterns, _ := c.srv.broker.Holdings(c)
	names := unsubscribeArgs(args, patterns)
	for _, p := range names {
		c.writeAck("punsubscribe", p, c.srv.broker.PUnsubscribe(c, string(p)))
	}
	if len(names) == 0 {
		ch, pat, _ := c.srv.broker.Counts(c)
		c.writeAck("punsubscribe", nil, ch+pat)
	}
	c.noteSubscriptions()
}

func cmdSUnsubscribe(c *conn, args [][]byte) {
	_, _, shards := c.srv.broker.Holdings(c)
	names := unsubscribeArgs(args, shards)
	for _, ch := range names {
		c.writeAck("sunsubscribe", ch, c.srv.broker.SUnsubscribe(c, string(ch)))
	}
	if len(names) == 0 {
		_, _, sh := c.srv.broker.Counts(c)
		c.writeAck("sunsubscribe", nil, sh)
	}
	c.noteSubscriptions()
}

func cmdPublish(c *conn, args [][]byte) {
	if c.srv.remote != nil {
		c.queueRemotePublish(args, false)
		return
	}
	n := c.srv.broker.Publish(args[1], args[2], &c.batch)
	c.published.Add(1)
	c.noteFanout(n, args)
	c.writeInt(int64(n))
}

func cmdSPublish(c *conn, args [][]byte) {
	if c.srv.remote != nil {
		c.queueRemotePublish(args, true)
		return
	}
	n := c.srv.broker.SPublish(args[1], args[2], &c.batch)
	c.published.Add(1)
	c.noteFanout(n, args)
	c.writeInt(int64(n))
}

// noteFanout counts roughly what a publish queued in subscribers' outboxes
// during this batch; see maxBatchBytes.
func (c *conn) noteFanout(receivers int, args [][]byte) {
	c.batchBytes += receivers * (len(args[1]) + len(args[2]) + 48)
}

func cmdPubSubChannels(c *conn, args [][]byte) {
	c.pubsubChannels(args, c.srv.broker.Channels, c.srv.broker.ChannelsMatching, Remote.Channels)
}

func cmdPubSubShardChannels(c *conn, args [][]byte) {
	c.pubsubChannels(args, c.srv.broker.ShardChannels, c.srv.broker.ShardChannelsMatching, Remote.ShardChannels)
}

// pubsubChannels answers PUBSUB CHANNELS or SHARDCHANNELS [pattern] from
// the broker, or from the backend when there is one.
func (c *conn) pubsubChannels(args [][]byte, all func() []string, matching func(string) []string,
	remote func(Remote, context.Context, string) ([]string, error)) {
	if len(args) > 3 {
		c.writeSubcommandSyntaxError(args)
		return
	}
	pattern := ""
	if len(args) == 3 {
		if c.patternTooLong(args[2]) {
			return
		}
		pattern = string(args[2])
	}
	if r := c.srv.remote; r != nil {
		ctx, cancel := c.remoteContext()
		names, err := remote(r, ctx, pattern)
		cancel()
		if err != nil {
			c.writeRemoteError(err)
			return
		}
		c.writeBulkStrings(names)
		return
	}
	if len(args) == 2 {
		c.writeBulkStrings(all())
	} else {
		c.writeBulkStrings(matching(pattern))
	}
}

func cmdPubSubNumSub(c *conn, args [][]byte) {
	c.pubsubNumSub(args, c.srv.broker.NumSub, Remote.NumSub)
}

func cmdPubSubShardNumSub(c *conn, args [][]byte) {
	c.pubsubNumSub(args, c.srv.broker.ShardNumSub, Remote.ShardNumSub)
}

// pubsubNumSub answers PUBSUB NUMSUB or SHARDNUMSUB from the broker, or
// from the backend when there is one.
func (c *conn) pubsubNumSub(args [][]byte, local func(string) int,
	remote func(Remote, context.Context, ...string) ([]int, error)) {
	names := args[2:]
	counts := make([]int, len(names))
	if r := c.srv.remote; r != nil && len(names) > 0 {
		channels := make([]string, len(names))
		for i, ch := range names {
			channels[i] = string(ch)
		}
		ctx, cancel := c.remoteContext()
		got, err := remote(r, ctx, channels...)
		cancel()
		if err == nil && len(got) != len(names) {
			err = fmt.Errorf("%d counts for %d channels", len(got), len(names))
		}
		if err != nil {
			c.writeRemoteError(err)
			return
		}
		counts = got
	} else if r == nil {
		for i, ch := range names {
			counts[i] = local(string(ch))
		}
	}
	c.writeArrayLen(2 * len(names))
	for i, ch := range names {
		c.writeBulk(ch)
		c.writeInt(int64(counts[i]))
	}
}

func cmdPubSubNumPat(c *conn, _ [][]byte) {
	if r := c.srv.remote; r != nil {
		ctx, cancel := c.remoteContext()
		n, err := r.NumPat(ctx)
		cancel()
		if err != nil {
			c.writeRemoteError(err)
			return
		}
		c.writeInt(int64(n))
		return
	}
	c.writeInt(int64(c.srv.broker.Stats().Patterns))
}

// writeSubcommandSyntaxError is Redis's reply to a known subcommand called
// with arguments it does not take.
func (c *conn) writeSubcommandSyntaxError(args [][]byte) {
	c.writeError(sanitize(fmt.Sprintf("ERR unknown subcommand or wrong number of arguments for '%s'. Try %s HELP.",
		clip(cString(args[1]), 128), upper([]byte(cString(args[0]))))))
}

func upper(b []byte) string {
	out := make([]byte, len(b))
	for i, ch := range b {
		if 'a' <= ch && ch <= 'z' {
			ch -= 'a' - 'A'
		}
		out[i] = ch
	}
	return string(out)
}
