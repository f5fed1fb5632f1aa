// Package backend lets several Herald nodes share one real Redis server or
// Redis Cluster as their fan-out, so that a client of node A receives what
// is published on node B. It implements bus.Bus, for the web gateway, and
// offers what the RESP server needs beside it (SPublish, SSubscribe,
// ShardNumSub, ShardChannels, NumPat).
//
// # URLs
//
//	redis://[user:password@]host:port[/db]        one server (db only matters to keyspace channel names)
//	rediss://[user:password@]host:port[/db]       the same over TLS (Options.TLSConfig to configure it)
//	unix://[user:password@]/path/redis.sock[?db=n]
//	redis-cluster://[user:password@]host1:port1,host2:port2,...   seed nodes of a cluster
//	rediss-cluster://...                           a cluster over TLS
//
// # How subscriptions flow
//
// Local subscribers stay broker.Subscribers in the local broker, as without
// a backend. The broker tells the backend (broker.Watcher) when a channel,
// pattern or shard channel gains its first local subscriber and loses its
// last; the backend holds exactly one Redis subscription per such name
// (reference counting), made and dropped in order by one goroutine on one
// pub/sub connection per Redis node. A node with nobody on a channel
// receives nothing for it. Subscribe, PSubscribe and SSubscribe return
// once the Redis subscription the name needs is confirmed (made by this
// call or already in flight), so a publish made anywhere after that
// reaches the subscriber. Unsubscribing is not waited for.
//
// What Redis pushes is delivered through the broker's entry points for
// remote messages: a message to the channel's local subscribers only
// (broker.DeliverChannel), a pmessage to the subscribers of exactly that
// pattern (broker.DeliverPattern), an smessage with broker.SPublish; so
// nothing is matched twice. Publish does not deliver locally: the node's
// own subscribers hear the message back from Redis, like everyone else.
//
// # Counts differ from a single server
//
// Redis sees one subscriber per Herald node, not per client. So PUBLISH's
// receiver count, PUBSUB NUMSUB, SHARDNUMSUB and NUMPAT count each Herald
// node once per channel or pattern its clients hold (plus any other Redis
// clients subscribed directly), and PUBSUB CHANNELS lists the channels
// held anywhere. Names under __herald__: are Herald's own and left out.
//
// # Namespaces
//
// Herald keeps channels and shard channels apart, as Redis 7 does. In
// Redis, a Herald channel C is the channel C (SUBSCRIBE/PUBLISH) on one
// server, and the shard channel C (SSUBSCRIBE/SPUBLISH) in a cluster; a
// Herald shard channel C is always the shard channel "__herald__:shard:C".
// The prefix keeps the two namespaces apart in a cluster, where both are
// carried by sharded pub/sub, and lets one connection tell them apart.
// Hash tags keep working (the prefix has no braces); without one, a shard
// channel's slot is that of the prefixed name. Other Redis clients of the
// cluster reach Herald's channel subscribers with SPUBLISH C.
//
// # Cluster mode
//
// Channel traffic is sharded: a publish is one SPUBLISH to the primary
// owning the channel's slot, and each node SSUBSCRIBEs, on that primary,
// only to the channels its clients hold. A message touches one shard.
//
// Pattern subscriptions cannot be sharded. They are classic PSUBSCRIBEs,
// made on the "pattern node" (the primary owning the slot of the shard
// channel __herald__:patterns), or on every primary when the pattern may
// match a keyspace notification channel (see below). For a pattern to hear
// a publish, the publish must also be a classic PUBLISH, which the cluster
// broadcasts to every node over its bus. Herald does that only while some
// node holds patterns: a node that makes its first pattern subscription on
// the pattern node announces "on" on the shard channel
// __herald__:patterns, to which every Herald node subscribes, before its
// PSubscribe returns; one that drops its last announces "off", and the
// others then ask the pattern node's PUBSUB NUMPAT whether any remain. Each
// node also asks NUMPAT once a second and after every reconnection, so a
// missed notice costs at most a second. While patterns are held, every
// publish costs an SPUBLISH plus a PUBLISH to the pattern node, which the
// cluster bus copies to every node: the sharding gain is lost for as long
// as anyone holds a pattern. A pmessage for an ordinary channel is taken
// from the pattern node only (every primary hears the broadcast). A node
// that learns of a new pattern elsewhere a moment late misses the patterns'
// matches of publishes made in that moment (at most once). Publish's count
// is then SPUBLISH's plus the pattern node's PUBLISH count.
//
// Keyspace notifications are raised on the node holding the key, so a
// subscription to a __keyspace@ or __keyevent@ channel (SUBSCRIBE), or to
// a pattern that may match one, is made on every primary, and the events
// of all primaries are merged. A message published by a client on such a
// channel name is heard from every primary: do not publish on them.
// NUMSUB for them is the pattern node's.
//
// PUBSUB CHANNELS and SHARDCHANNELS ask every primary and merge; NUMSUB
// and SHARDNUMSUB ask the channel's slot owner; NUMPAT asks the pattern
// node, which holds every node's patterns.
//
// # Faults and gaps
//
// When a pub/sub connection drops, or a node fails, the backend reconnects
// with exponential backoff (Options.MinBackoff to MaxBackoff, with jitter)
// and subscribes again to everything its local subscribers still hold;
// they stay subscribed and notice nothing but the gap. In a cluster a lost
// connection, a MOVED reply or an unsolicited sunsubscribe (Redis drops
// shard subscribers when their slot migrates) also makes the backend read
// the slots again (CLUSTER SLOTS) and follow the slot to its new owner or
// a promoted replica. Messages published meanwhile are lost: delivery is
// at most once. Each gap is counted (Stats().Gaps) and announced as a JSON
// event on the local channel SystemChannel, "__herald__:backend" (see its
// documentation for the format).
//
// # Client
//
// The backend uses rueidis: its dedicated connections take pub/sub push
// hooks, so one connection per node carries any number of channels,
// patterns and shard channels, subscribed and unsubscribed as they come
// (with go-redis, issue 4 measured 201 connections for 200 shard channels
// where rueidis used 3), the backend keeps full control of ordering,
// confirmation and resubscription, and rueidis's auto-pipelining batches
// concurrent PUBLISH and SPUBLISH calls into few round trips.
package backend
