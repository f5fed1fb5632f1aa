package server

// The settings of limits.go: timeout, proto-max-multibulk-len,
// max-subscriptions-per-client and max-pattern-len, in CONFIG and at work.

import (
	"net"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/resp"
)

// TestLimitSettingsConfig: CONFIG GET shows the new settings' defaults,
// CONFIG SET checks their ranges with Redis's reasons and changes them.
func TestLimitSettingsConfig(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s.Addr())
	c.mustDo("*8\r\n$7\r\ntimeout\r\n$1\r\n0\r\n$23\r\nproto-max-multibulk-len\r\n$10\r\n2147483647\r\n"+
		"$28\r\nmax-subscriptions-per-client\r\n$1\r\n0\r\n$15\r\nmax-pattern-len\r\n$4\r\n1024\r\n",
		"CONFIG", "GET", "timeout", "proto-max-multibulk-len", "max-subscriptions-per-client", "max-pattern-len")
	failed := func(param, reason string) string {
		return "-ERR CONFIG SET failed (possibly related to argument '" + param + "') - " + reason + "\r\n"
	}
	for _, tc := range []struct{ want, name, value string }{
		{failed("timeout", "argument must be between 0 and 2147483647 inclusive"), "timeout", "-1"},
		{failed("timeout", "argument couldn't be parsed into an integer"), "timeout", "1s"},
		{failed("proto-max-multibulk-len", "argument must be between 1 and 2147483647 inclusive"), "proto-max-multibulk-len", "0"},
		{failed("max-subscriptions-per-client", "argument must be between 0 and 2147483647 inclusive"), "max-subscriptions-per-client", "2147483648"},
		{failed("max-pattern-len", "argument must be between 0 and 2147483647 inclusive"), "max-pattern-len", "-1"},
	} {
		c.mustDo(tc.want, "CONFIG", "SET", tc.name, tc.value)
	}
	c.mustDo("+OK\r\n", "CONFIG", "SET", "timeout", "300", "proto-max-multibulk-len", "1000",
		"max-subscriptions-per-client", "10", "max-pattern-len", "0")
	c.mustDo("*8\r\n$7\r\ntimeout\r\n$3\r\n300\r\n$23\r\nproto-max-multibulk-len\r\n$4\r\n1000\r\n"+
		"$28\r\nmax-subscriptions-per-client\r\n$2\r\n10\r\n$15\r\nmax-pattern-len\r\n$1\r\n0\r\n",
		"CONFIG", "GET", "timeout", "proto-max-multibulk-len", "max-subscriptions-per-client", "max-pattern-len")
	if st := s.settings(); st.Timeout != 300 || st.ProtoMaxMultibulkLen != 1000 || st.MaxSubscriptionsPerClient != 10 || st.MaxPatternLen >= 0 {
		t.Errorf("settings after CONFIG SET: %+v", st.Config)
	}
}

// TestProtoMaxMultibulkLen: a command with more arguments than the limit
// gets Redis's protocol error and the client is closed; CONFIG SET applies
// to connections already open.
func TestProtoMaxMultibulkLen(t *testing.T) {
	s := startServer(t, Config{ProtoMaxMultibulkLen: 4})
	c := dial(t, s.Addr())
	c.mustDo("$2\r\nhi\r\n", "ECHO", "hi")
	c.mustDo(":0\r\n", "PUBLISH", "ch", "x")
	c.send("SUBSCRIBE", "a", "b", "c", "d")
	c.mustRead("-ERR Protocol error: invalid multibulk length\r\n")
	c.expectClosed()

	admin, other := dial(t, s.Addr()), dial(t, s.Addr())
	other.mustDo("+PONG\r\n", "PING")
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "proto-max-multibulk-len", "5")
	other.mustDo("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", "SUBSCRIBE", "a", "b", "c", "d")
	other.read() // the acks of b, c, d
	other.read()
	other.read()
	other.send("SUBSCRIBE", "a", "b", "c", "d", "e")
	other.mustRead("-ERR Protocol error: invalid multibulk length\r\n")
	other.expectClosed()
}

// TestMaxSubscriptionsPerClient: a subscribe command that would take a
// client past the limit is refused whole with Herald's error, in RESP2
// subscribed mode and in RESP3; what the client held stays and is
// delivered; names held already and repeated names do not count twice.
func TestMaxSubscriptionsPerClient(t *testing.T) {
	s := startServer(t, Config{MaxSubscriptionsPerClient: 3})
	const refused = "-ERR max subscriptions per client reached (max-subscriptions-per-client is 3)\r\n"
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		// Channels of its own per protocol: the server may not have seen
		// the previous protocol's client go yet when this one publishes.
		n := func(name string) string { return name + strconv.Itoa(proto) }
		ack := func(kind, name string, n int) string {
			head := "*3\r\n"
			if proto == resp.RESP3 {
				head = ">3\r\n"
			}
			return head + bulkString(kind) + bulkString(name) + ":" + string(rune('0'+n)) + "\r\n"
		}
		c.mustDo(ack("subscribe", n("a"), 1), "SUBSCRIBE", n("a"), n("b"))
		c.mustRead(ack("subscribe", n("b"), 2))
		// a is held and c is repeated: one new subscription, within the limit.
		c.mustDo(ack("subscribe", n("a"), 2), "SUBSCRIBE", n("a"), n("c"), n("c"))
		c.mustRead(ack("subscribe", n("c"), 3))
		c.mustRead(ack("subscribe", n("c"), 3))
		c.mustDo(refused, "SUBSCRIBE", n("d"))
		c.mustDo(refused, "SUBSCRIBE", n("a"), n("d"))
		c.mustDo(refused, "PSUBSCRIBE", n("p*"))
		c.mustDo(refused, "SSUBSCRIBE", n("s"))
		// Re-subscribing to what it holds is no new subscription.
		c.mustDo(ack("subscribe", n("b"), 3), "SUBSCRIBE", n("b"))

		// What it held is still delivered.
		pub := dial(t, s.Addr())
		pub.mustDo(":1\r\n", "PUBLISH", n("c"), "hello")
		head := "*3\r\n"
		if proto == resp.RESP3 {
			head = ">3\r\n"
		}
		c.mustRead(head + "$7\r\nmessage\r\n" + bulkString(n("c")) + "$5\r\nhello\r\n")
		pub.mustDo(":0\r\n", "PUBLISH", n("d"), "hello")

		c.mustDo(ack("unsubscribe", n("b"), 2), "UNSUBSCRIBE", n("b"))
		c.mustDo(ack("ssubscribe", n("s"), 1), "SSUBSCRIBE", n("s"))
		c.mustDo(refused, "PSUBSCRIBE", n("p*"))
		if proto == resp.RESP2 {
			c.mustDo("*2\r\n$4\r\npong\r\n$0\r\n\r\n", "PING") // still in subscribed mode
		}
	})
	if n := s.stats.subscriptionLimitRefusals.Load(); n != 2*5 {
		t.Errorf("subscriptionLimitRefusals = %d, want 10", n)
	}

	// CONFIG SET lowers the limit for clients already subscribed: they keep
	// what they hold and may take no more.
	c := dial(t, s.Addr())
	c.mustDo("*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n", "SUBSCRIBE", "x", "y")
	c.mustRead("*3\r\n$9\r\nsubscribe\r\n$1\r\ny\r\n:2\r\n")
	dial(t, s.Addr()).mustDo("+OK\r\n", "CONFIG", "SET", "max-subscriptions-per-client", "1")
	c.mustDo("-ERR max subscriptions per client reached (max-subscriptions-per-client is 1)\r\n", "SUBSCRIBE", "z")
	dial(t, s.Addr()).mustDo(":1\r\n", "PUBLISH", "y", "still")
}

// TestMaxPatternLen: PSUBSCRIBE and PUBSUB CHANNELS / SHARDCHANNELS refuse
// a pattern longer than max-pattern-len (1024 by default), and take it
// once the limit is off; PUNSUBSCRIBE takes any pattern.
func TestMaxPatternLen(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s.Addr())
	const refused = "-ERR pattern too long (max-pattern-len is 1024)\r\n"
	longest, tooLong := strings.Repeat("a", 1023)+"*", strings.Repeat("a", 1024)+"*"
	c.mustDo("*3\r\n$10\r\npsubscribe\r\n$1024\r\n"+longest+"\r\n:1\r\n", "PSUBSCRIBE", longest)
	c.mustDo(refused, "PSUBSCRIBE", tooLong)
	c.mustDo(refused, "PSUBSCRIBE", "ok*", tooLong)
	c.mustDo("*3\r\n$12\r\npunsubscribe\r\n$1025\r\n"+tooLong+"\r\n:1\r\n", "PUNSUBSCRIBE", tooLong)

	other := dial(t, s.Addr())
	other.mustDo(refused, "PUBSUB", "CHANNELS", tooLong)
	other.mustDo(refused, "PUBSUB", "SHARDCHANNELS", tooLong)
	other.mustDo("*0\r\n", "PUBSUB", "CHANNELS", longest)
	other.mustDo("+OK\r\n", "CONFIG", "SET", "max-pattern-len", "0")
	other.mustDo("*0\r\n", "PUBSUB", "CHANNELS", tooLong)
	c.mustDo("*3\r\n$10\r\npsubscribe\r\n$1025\r\n"+tooLong+"\r\n:2\r\n", "PSUBSCRIBE", tooLong)
	other.mustDo("+OK\r\n", "CONFIG", "SET", "max-pattern-len", "8")
	other.mustDo("-ERR pattern too long (max-pattern-len is 8)\r\n", "PUBSUB", "CHANNELS", "123456789")
}

// TestTimeout: with timeout set (here by CONFIG SET, at run time) idle
// clients are closed, silently, as Redis's clientsCronHandleTimeout closes
// them: one that sent nothing since its last reply, one that sent half a
// command, one that unsubscribed from everything. Clients subscribed to a
// channel or a shard channel, and one blocked in BLPOP, idle as long, stay;
// the blocked one is an ordinary client again once served.
func TestTimeout(t *testing.T) {
	s := startServer(t, Config{})
	// The clients that must stay connect first: they are idle longest.
	sub := dial(t, s.Addr())
	sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", "SUBSCRIBE", "news")
	ssub := dial(t, s.Addr())
	ssub.mustDo("*3\r\n$10\r\nssubscribe\r\n$5\r\nshard\r\n:1\r\n", "SSUBSCRIBE", "shard")
	blocked := dial(t, s.Addr())
	blocked.send("BLPOP", "list", "0")
	waitWaiting(t, s, 1)

	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "timeout", "1")
	half := dial(t, s.Addr())
	half.sendRaw([]byte("*2\r\n$4\r\nPI"))
	unsub := dial(t, s.Addr())
	unsub.mustDo("*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n", "SUBSCRIBE", "x")
	unsub.mustDo("*3\r\n$11\r\nunsubscribe\r\n$1\r\nx\r\n:0\r\n", "UNSUBSCRIBE", "x")

	for _, c := range []*testClient{admin, half, unsub} {
		c.expectClosed()
	}
	waitFor(t, "the idle clients to be counted", func() bool { return s.stats.idleTimeouts.Load() == 3 })

	pub := dial(t, s.Addr())
	sub.mustDo("*2\r\n$4\r\npong\r\n$0\r\n\r\n", "PING")
	pub.mustDo(":1\r\n", "PUBLISH", "news", "still here")
	sub.mustRead("*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$10\r\nstill here\r\n")
	pub.mustDo(":1\r\n", "SPUBLISH", "shard", "me too")
	ssub.mustRead("*3\r\n$8\r\nsmessage\r\n$5\r\nshard\r\n$6\r\nme too\r\n")
	pub.mustDo(":1\r\n", "LPUSH", "list", "v")
	blocked.mustRead("*2\r\n$4\r\nlist\r\n$1\r\nv\r\n")
	blocked.expectClosed()
	pub.expectClosed() // idle since its LPUSH, a little longer than blocked
	if n := s.stats.idleTimeouts.Load(); n != 5 {
		t.Errorf("idleTimeouts = %d, want 5", n)
	}
}

// TestTimeoutSlowReader: a client reading a long reply slowly, for longer
// than the timeout, is not idle: every part written counts, as every write
// counts in Redis.
func TestTimeoutSlowReader(t *testing.T) {
	const size = 4 << 20
	s := startServer(t, Config{Timeout: 1})
	c := dialSmallReceiveBuffer(t, s.Addr(), 4096)
	c.mustDo("+OK\r\n", "SET", "big", strings.Repeat("v", size))
	if err := serverSide(t, s, c.conn).nc.(*net.TCPConn).SetWriteBuffer(4096); err != nil {
		t.Fatal(err)
	}
	c.send("GET", "big")
	want := len("$4194304\r\n") + size + 2
	got := 0
	buf := make([]byte, 64<<10)
	start := time.Now()
	for got < want {
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := c.r.Read(buf)
		if err != nil {
			t.Fatalf("after %d of %d bytes in %v: %v", got, want, time.Since(start), err)
		}
		got += n
		time.Sleep(50 * time.Millisecond * time.Duration(n) / time.Duration(len(buf)))
	}
	t.Logf("read the reply in %v", time.Since(start))
	c.mustDo("+PONG\r\n", "PING")
	if n := s.stats.idleTimeouts.Load(); n != 0 {
		t.Errorf("idleTimeouts = %d", n)
	}
}

// TestTCPKeepAlive: tcp-keepalive (300 by default, as Redis) sets a new
// connection's probes as Redis's anetKeepAlive does: idle for the setting,
// then every third of it, three times; 0 turns them off. CONFIG SET
// applies to the connections accepted afterwards.
func TestTCPKeepAlive(t *testing.T) {
	s := startServer(t, Config{})
	admin := dial(t, s.Addr())
	admin.mustDo("*2\r\n$13\r\ntcp-keepalive\r\n$3\r\n300\r\n", "CONFIG", "GET", "tcp-keepalive")
	admin.mustDo("-ERR CONFIG SET failed (possibly related to argument 'tcp-keepalive') - argument must be between 0 and 2147483647 inclusive\r\n",
		"CONFIG", "SET", "tcp-keepalive", "-1")
	probes := func() (on, idle, interval, count int) {
		c := dial(t, s.Addr())
		c.mustDo("+PONG\r\n", "PING")
		raw, err := serverSide(t, s, c.conn).nc.(*net.TCPConn).SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		raw.Control(func(fd uintptr) {
			on, _ = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
			idle, _ = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE)
			interval, _ = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL)
			count, _ = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT)
		})
		return
	}
	if on, idle, interval, count := probes(); on == 0 || idle != 300 || interval != 100 || count != 3 {
		t.Errorf("default: keepalive %d, idle %d, interval %d, count %d; want on, 300, 100, 3", on, idle, interval, count)
	}
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tcp-keepalive", "60")
	if on, idle, interval, count := probes(); on == 0 || idle != 60 || interval != 20 || count != 3 {
		t.Errorf("tcp-keepalive 60: keepalive %d, idle %d, interval %d, count %d", on, idle, interval, count)
	}
	admin.mustDo("+OK\r\n", "CONFIG", "SET", "tcp-keepalive", "0")
	admin.mustDo("*2\r\n$13\r\ntcp-keepalive\r\n$1\r\n0\r\n", "CONFIG", "GET", "tcp-keepalive")
	if on, _, _, _ := probes(); on != 0 {
		t.Error("tcp-keepalive 0: the connection still has keep-alive on")
	}
}
