package server

import (
	"context"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/heraldhq/herald/broker"
)

func TestSubscribePublish(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, sub *testClient, proto int) {
		push := "*"
		if proto == 3 {
			push = ">"
		}
		pub := dial(t, s.Addr())
		sub.mustDo(push+"3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", "SUBSCRIBE", "news")
		sub.mustDo(push+"3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:2\r\n", "PSUBSCRIBE", "n*")
		pub.mustDo(":2\r\n", "PUBLISH", "news", "hello")
		sub.mustRead(push + "3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n")
		sub.mustRead(push + "4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n")
		pub.mustDo(":0\r\n", "SPUBLISH", "news", "x")
		sub.mustDo(push+"3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n", "UNSUBSCRIBE")
		sub.mustDo(push+"3\r\n$12\r\npunsubscribe\r\n$2\r\nn*\r\n:0\r\n", "PUNSUBSCRIBE")
		null := "$-1\r\n"
		if proto == 3 {
			null = "_\r\n"
		}
		sub.mustDo(push+"3\r\n$11\r\nunsubscribe\r\n"+null+":0\r\n", "UNSUBSCRIBE")
		sub.mustDo("+PONG\r\n", "PING")
	})
}

// TestPubSubReplies checks, byte for byte and without a redis-server, the
// replies of every pub/sub command in RESP2 and RESP3 (the bytes are
// redis-server 7.0.15's; TestDiffPubSub compares the same and more with a
// live one): ack counts, which count channels plus patterns but shard
// channels apart; one frame per matching subscription, the channel's
// first; the sharded namespace; PUBSUB's subcommands; what RESP2 allows in
// subscribed mode; bare unsubscribes with nothing left.
func TestPubSubReplies(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, sub *testClient, proto int) {
		push, null := "*", "$-1\r\n"
		if proto == 3 {
			push, null = ">", "_\r\n"
		}
		ack := func(kind, name string, count int) string {
			nameBulk := null
			if name != "" {
				nameBulk = bulkString(name)
			}
			return push + "3\r\n" + bulkString(kind) + nameBulk + ":" + strconv.Itoa(count) + "\r\n"
		}
		pub := dial(t, s.Addr())

		sub.mustDo(ack("ssubscribe", "s1", 1), "SSUBSCRIBE", "s1", "s2")
		sub.mustRead(ack("ssubscribe", "s2", 2))
		sub.mustDo(ack("subscribe", "c", 1), "SUBSCRIBE", "c")
		sub.mustDo(ack("psubscribe", "c*", 2), "PSUBSCRIBE", "c*", "?")
		sub.mustRead(ack("psubscribe", "?", 3))

		pub.mustDo(":3\r\n", "PUBLISH", "c", "hi")
		sub.mustRead(push + "3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$2\r\nhi\r\n")
		// The pattern frames come after the channel's, in an order Redis
		// does not define.
		want := map[string]bool{
			push + "4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$1\r\nc\r\n$2\r\nhi\r\n": true,
			push + "4\r\n$8\r\npmessage\r\n$1\r\n?\r\n$1\r\nc\r\n$2\r\nhi\r\n":  true,
		}
		for range 2 {
			got := string(sub.read().Bytes())
			if !want[got] {
				t.Fatalf("pattern frame %q, want one of %q", got, slices.Collect(maps.Keys(want)))
			}
			delete(want, got)
		}
		pub.mustDo(":1\r\n", "SPUBLISH", "s1", "x")
		sub.mustRead(push + "3\r\n$8\r\nsmessage\r\n$2\r\ns1\r\n$1\r\nx\r\n")
		pub.mustDo(":0\r\n", "SPUBLISH", "c", "x")
		pub.mustDo(":0\r\n", "PUBLISH", "s1", "x")

		pub.mustDo("*1\r\n$1\r\nc\r\n", "PUBSUB", "CHANNELS")
		pub.mustDo("*0\r\n", "PUBSUB", "CHANNELS", "x*")
		pub.mustDo("*6\r\n$1\r\nc\r\n:1\r\n$2\r\ns1\r\n:0\r\n$4\r\nnope\r\n:0\r\n", "PUBSUB", "NUMSUB", "c", "s1", "nope")
		pub.mustDo("*0\r\n", "PUBSUB", "NUMSUB")
		pub.mustDo(":2\r\n", "PUBSUB", "NUMPAT")
		pub.mustDo("*1\r\n$2\r\ns1\r\n", "PUBSUB", "SHARDCHANNELS", "s1")
		pub.mustDo("*4\r\n$2\r\ns1\r\n:1\r\n$1\r\nc\r\n:0\r\n", "PUBSUB", "SHARDNUMSUB", "s1", "c")
		pub.send("PUBSUB", "SHARDCHANNELS")
		if v := pub.read(); v.Kind != '*' || len(v.Elems) != 2 {
			t.Fatalf("PUBSUB SHARDCHANNELS: %q", v.Bytes())
		}
		pub.send("PUBSUB", "HELP")
		if v := pub.read(); v.Kind != '*' || len(v.Elems) == 0 ||
			v.Elems[0].Str != "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" {
			t.Fatalf("PUBSUB HELP: %q", v.Bytes())
		}

		if proto == 2 {
			const onlySub = "only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
			sub.mustDo("-ERR Can't execute 'get': "+onlySub, "GET", "k")
			sub.mustDo("-ERR Can't execute 'publish': "+onlySub, "PUBLISH", "c", "x")
			sub.mustDo("*2\r\n$4\r\npong\r\n$0\r\n\r\n", "PING")
			sub.mustDo("*2\r\n$4\r\npong\r\n$2\r\nhi\r\n", "PING", "hi")
		} else {
			sub.mustDo("$1\r\ne\r\n", "ECHO", "e")
			sub.mustDo("+PONG\r\n", "PING")
			sub.mustDo("$2\r\nhi\r\n", "PING", "hi")
		}

		sub.mustDo(ack("sunsubscribe", "s1", 1), "SUNSUBSCRIBE", "s1")
		sub.mustDo(ack("unsubscribe", "c", 2), "UNSUBSCRIBE", "c")
		sub.mustDo(ack("punsubscribe", "c*", 1), "PUNSUBSCRIBE", "c*", "?")
		sub.mustRead(ack("punsubscribe", "?", 0))
		sub.mustDo(ack("sunsubscribe", "s2", 0), "SUNSUBSCRIBE")
		sub.mustDo(ack("unsubscribe", "", 0), "UNSUBSCRIBE")
		sub.mustDo(ack("punsubscribe", "", 0), "PUNSUBSCRIBE")
		sub.mustDo(ack("sunsubscribe", "", 0), "SUNSUBSCRIBE")
		sub.mustDo("+PONG\r\n", "PING")
	})
}

// TestEmbeddedBroker: a Go program's in-process subscriber on the server's
// broker (the README's "Embedding Herald") shares channels and patterns
// with the RESP clients, both ways, and is counted as they are.
func TestEmbeddedBroker(t *testing.T) {
	s := startServer(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b := s.Broker()
	inbox := b.NewInbox(0)
	defer inbox.Close()
	inbox.PSubscribe("orders:*")

	c, sub := dial(t, s.Addr()), dial(t, s.Addr())
	c.mustDo(":1\r\n", "PUBSUB", "NUMPAT")
	c.mustDo(":1\r\n", "PUBLISH", "orders:42", "shipped")
	d, err := inbox.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != broker.KindPMessage || d.Pattern != "orders:*" || d.Channel != "orders:42" || string(d.Payload) != "shipped" {
		t.Fatalf("the inbox got %+v", d)
	}

	sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", "SUBSCRIBE", "news")
	if n := b.Publish([]byte("news"), []byte("hello"), nil); n != 1 {
		t.Fatalf("Broker.Publish reached %d subscribers, want 1", n)
	}
	sub.mustRead("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n")

	inbox.Close()
	c.mustDo(":0\r\n", "PUBSUB", "NUMPAT")
	c.mustDo(":0\r\n", "PUBLISH", "orders:43", "x")
}

// TestPublishersShareSubscriberWrites: messages that several clients
// publish at once reach their subscriber in fewer writes than messages,
// as redis-server writes a client's output once per event-loop turn: a
// publisher lets the connections that are ready run before it flushes the
// subscribers it delivered to (conn.serve), and their messages join the
// same write. With GOMAXPROCS 1 the connections take turns, as on a busy
// server; without the yield every message would be a write of its own.
func TestPublishersShareSubscriberWrites(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	s := startServer(t, Config{})
	sub := dial(t, s.Addr())
	id := sub.clientID()
	sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$5\r\nfanin\r\n:1\r\n", "SUBSCRIBE", "fanin")
	var subConn *conn
	for _, c := range s.connList() {
		if c.id == id {
			subConn = c
		}
	}
	if subConn == nil {
		t.Fatal("the subscriber's connection is not listed")
	}
	const publishers, rounds = 20, 5
	pubs := make([]*testClient, publishers)
	for i := range pubs {
		pubs[i] = dial(t, s.Addr())
		pubs[i].mustDo("+PONG\r\n", "PING")
	}
	before := subConn.writes.Load()
	for range rounds {
		for _, p := range pubs {
			p.send("PUBLISH", "fanin", "m")
		}
		for _, p := range pubs {
			p.mustRead(":1\r\n")
		}
		for range publishers {
			if v := sub.read(); len(v.Elems) != 3 || v.Elems[2].Str != "m" {
				t.Fatalf("the subscriber got %s", v.Bytes())
			}
		}
	}
	writes := subConn.writes.Load() - before
	t.Logf("%d messages in %d writes", publishers*rounds, writes)
	if writes > publishers*rounds/2 {
		t.Fatalf("%d messages took %d writes to the subscriber, want at most half as many", publishers*rounds, writes)
	}
}
