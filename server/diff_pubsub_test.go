package server

import (
	"fmt"
	"strings"
	"testing"
)

// TestDiffPubSub compares the pub/sub commands: acks and their counts,
// deliveries, the sharded namespace and PUBSUB introspection.
func TestDiffPubSub(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, sessions(
		forProtocols("subscribe acks", "a", `
			a: SUBSCRIBE x y x            => 3
			a: PSUBSCRIBE p* x p*         => 3
			a: SSUBSCRIBE s1 s2 s1        => 3
			a: UNSUBSCRIBE y nope y       => 3
			a: PUNSUBSCRIBE x nope        => 2
			a: SUNSUBSCRIBE s1 nope       => 2
			a: UNSUBSCRIBE                => 1
			a: PUNSUBSCRIBE               => 1
			a: SUNSUBSCRIBE               => 1
			a: UNSUBSCRIBE                => 1
			a: PUNSUBSCRIBE               => 1
			a: SUNSUBSCRIBE               => 1
			a: PING                       => 1
		`),
		forProtocols("bare unsubscribe with nothing", "a", `
			a: UNSUBSCRIBE                => 1
			a: PUNSUBSCRIBE               => 1
			a: SUNSUBSCRIBE               => 1
			a: PING                       => 1
			a: SSUBSCRIBE s               => 1
			a: UNSUBSCRIBE                => 1
			a: PUNSUBSCRIBE               => 1
			a: PING                       => 1
			a: SUNSUBSCRIBE nope          => 1
			a: SUNSUBSCRIBE s s           => 2
			a: PING                       => 1
		`),
		forProtocols("bare unsubscribe from several", "a", `
			a: SUBSCRIBE c1 c2 c3 c4 c5   => 5
			a: PSUBSCRIBE p1 p2 p3        => 3
			a: SSUBSCRIBE s1 s2 s3        => 3
			a: UNSUBSCRIBE                => 5 acks
			a: SUNSUBSCRIBE               => 3 acks
			a: PUNSUBSCRIBE               => 3 acks
			a: PING                       => 1
		`),
		forProtocols("counts mix channels and patterns, not shards", "a", `
			a: SSUBSCRIBE s1 s2           => 2
			a: SUBSCRIBE c1               => 1
			a: PSUBSCRIBE p1              => 1
			a: SSUBSCRIBE s3              => 1
			a: SUBSCRIBE c2               => 1
			a: UNSUBSCRIBE c1             => 1
			a: SUNSUBSCRIBE s1            => 1
			a: PUNSUBSCRIBE p1            => 1
			a: UNSUBSCRIBE c2             => 1
			a: PING                       => 1
			a: SUNSUBSCRIBE               => 2 acks
			a: PING                       => 1
		`),
		forProtocols("publish receivers", "b", `
			a: SUBSCRIBE news              => 1
			b: SUBSCRIBE news              => 1
			b: PSUBSCRIBE n* *s ne?s x*    => 4
			c: PUBLISH news hello          => 1; a: 1; b: 1; b: 3 any
			c: PUBLISH nabs x              => 1; b: 2 any
			c: PUBLISH nope x              => 1; b: 1
			c: PUBLISH other x             => 1
			c: PUBLISH "" ""               => 1
			c: SPUBLISH news x             => 1
			a: PSUBSCRIBE news             => 1
			c: PUBLISH news again          => 1; a: 2; b: 1; b: 3 any
			b: PUNSUBSCRIBE n* *s          => 2
			c: PUBLISH news "a\r\nb\x00c"  => 1; a: 2; b: 2
			a: UNSUBSCRIBE news            => 1
			c: PUBLISH news last           => 1; a: 1; b: 2
		`),
		forProtocols("pattern syntax", "a", `
			a: PSUBSCRIBE h?llo h*llo h[ae]llo h[^e]llo h[a-b]llo "h\\*" "\\" "[" "a[" *         => 10
			c: PUBLISH hello x             => 1; a: 4 any
			c: PUBLISH hallo x             => 1; a: 6 any
			c: PUBLISH hllo x              => 1; a: 2 any
			c: PUBLISH h* x                => 1; a: 2 any
			c: PUBLISH "\\" x              => 1; a: 2 any
			c: PUBLISH [ x                 => 1; a: 1
			c: PUBLISH a[ x                => 1; a: 1
			c: PUBLISH "h\xc3\xa9llo" x    => 1; a: 2 any
		`),
		forProtocols("publish order in a pipeline", "a", `
			a: SUBSCRIBE x y               => 2
			a: PSUBSCRIBE *                => 1
			c~ "*3\r\n$7\r\nPUBLISH\r\n$1\r\nx\r\n$1\r\n1\r\n" "*3\r\n$7\r\nPUBLISH\r\n$1\r\ny\r\n$1\r\n2\r\n" "PUBLISH z 3\r\n" => 3; a: 5
		`),
		forProtocols("sharded namespace", "a", `
			a: SSUBSCRIBE news             => 1
			b: SUBSCRIBE news              => 1
			c: PSUBSCRIBE *                => 1
			d: SPUBLISH news x             => 1; a: 1
			d: PUBLISH news y              => 1; b: 1; c: 1
			d: SPUBLISH nope x             => 1
			d: PUBSUB SHARDCHANNELS        => 1
			d: PUBSUB SHARDNUMSUB news other => 1
			d: PUBSUB CHANNELS             => 1
			d: PUBSUB NUMSUB news          => 1
			d: PUBSUB NUMPAT               => 1
			a: SUBSCRIBE news              => 1
			a: SSUBSCRIBE other            => 1
			a: PSUBSCRIBE n*               => 1
			d: SPUBLISH news z             => 1; a: 1
			d: PUBLISH news z              => 1; a: 2; b: 1; c: 1
		`),
		forProtocols("pubsub introspection", "c", `
			a: SUBSCRIBE foo bar foobar "with space" => 4
			a: PSUBSCRIBE f* b*            => 2
			b: SUBSCRIBE foo               => 1
			b: SSUBSCRIBE sfoo sbar        => 2
			c: PUBSUB CHANNELS             => 1 sorted
			c: PUBSUB CHANNELS f*          => 1 sorted
			c: PUBSUB CHANNELS *a*         => 1 sorted
			c: PUBSUB CHANNELS [fb]?o      => 1 sorted
			c: PUBSUB CHANNELS nomatch     => 1
			c: PUBSUB CHANNELS "" => 1
			c: PUBSUB NUMSUB               => 1
			c: PUBSUB NUMSUB foo foo nope bar f* => 1
			c: PUBSUB NUMPAT               => 1
			c: PUBSUB SHARDCHANNELS        => 1 sorted
			c: PUBSUB SHARDCHANNELS s?oo   => 1
			c: PUBSUB SHARDNUMSUB          => 1
			c: PUBSUB SHARDNUMSUB sfoo foo => 1
			c: pubsub channels F*          => 1
			c: PubSub NumSub foo           => 1
			b: QUIT                        => 1 closed
			c: PUBSUB NUMSUB foo           => 1
			c: PUBSUB SHARDCHANNELS        => 1
		`),
		forProtocols("many subscriptions", "a", manySubscriptionsScript(24)),
		forProtocols("binary names and large payloads", "a", `
			a: SUBSCRIBE "" "\r\n" "\x00" "a b" => 4
			a: PSUBSCRIBE "\x00*"          => 1
			c: PUBLISH "" empty            => 1; a: 1
			c: PUBLISH "\x00" nul          => 1; a: 2
			c: PUBLISH "\r\n" crlf         => 1; a: 1
			c: PUBSUB NUMSUB "" "\x00" "a b" => 1
			c: PUBSUB CHANNELS             => 1 sorted
			c: PUBLISH "a b" "`+strings.Repeat("payload ", 20000)+`" => 1; a: 1
			a: UNSUBSCRIBE "\x00" ""       => 2
			a: UNSUBSCRIBE                 => 2 acks
		`),
		forProtocols("patterns shared by clients", "a b", `
			a: PSUBSCRIBE p* q*            => 2
			b: PSUBSCRIBE p* r*            => 2
			c: PUBSUB NUMPAT               => 1
			c: PUBLISH pq x                => 1; a: 1; b: 1
			a: PUNSUBSCRIBE p*             => 1
			c: PUBSUB NUMPAT               => 1
			b: PUNSUBSCRIBE p*             => 1
			c: PUBSUB NUMPAT               => 1
			c: PUBLISH pq x                => 1
			c: PUBLISH qr x                => 1; a: 1
		`),
		forProtocols("pubsub errors and help", "c", `
			c: PUBSUB                      => 1
			c: PUBSUB NOPE                 => 1
			c: PUBSUB nope x y             => 1
			c: PUBSUB CHANNELS a b         => 1
			c: PUBSUB SHARDCHANNELS a b    => 1
			c: PUBSUB NUMPAT x             => 1
			c: PUBSUB HELP                 => 1
			c: PUBSUB help x               => 1
			c: PUBLISH x                   => 1
			c: PUBLISH x y z               => 1
			c: SPUBLISH x                  => 1
			c: SUBSCRIBE                   => 1
			c: PSUBSCRIBE                  => 1
			c: SSUBSCRIBE                  => 1
		`),
	))
}

// manySubscriptionsScript subscribes n connections to one channel and one
// connection to n channels, patterns and shard channels, past the sizes at
// which the broker's sets switch representation, and unsubscribes again.
func manySubscriptionsScript(n int) string {
	var b strings.Builder
	var names, patterns, shards []string
	for i := range n {
		names = append(names, fmt.Sprintf("ch%d", i))
		patterns = append(patterns, fmt.Sprintf("ch%d*", i))
		shards = append(shards, fmt.Sprintf("sh%d", i))
		fmt.Fprintf(&b, "s%d: SUBSCRIBE crowd => 1\n", i)
	}
	fmt.Fprintf(&b, "a: SUBSCRIBE %s => %d\n", strings.Join(names, " "), n)
	fmt.Fprintf(&b, "a: PSUBSCRIBE %s => %d\n", strings.Join(patterns, " "), n)
	fmt.Fprintf(&b, "a: SSUBSCRIBE %s => %d\n", strings.Join(shards, " "), n)
	fmt.Fprintf(&b, "a: SUBSCRIBE crowd => 1\n")
	fmt.Fprintf(&b, "c: PUBSUB NUMSUB crowd ch0 ch%d => 1\n", n-1)
	fmt.Fprintf(&b, "c: PUBSUB NUMPAT => 1\n")
	fmt.Fprintf(&b, "c: PUBLISH ch1 x => 1; a: 1; a: 1\n")
	fmt.Fprintf(&b, "c: PUBLISH ch12 x => 1; a: 1; a: 2 any\n") // ch1* and ch12*
	fmt.Fprintf(&b, "c: SPUBLISH sh%d x => 1; a: 1\n", n-1)
	var crowd strings.Builder
	for i := range n {
		fmt.Fprintf(&crowd, "; s%d: 1", i)
	}
	fmt.Fprintf(&b, "c: PUBLISH crowd y => 1; a: 1%s\n", crowd.String())
	fmt.Fprintf(&b, "a: UNSUBSCRIBE ch3 ch4 => 2\n")
	fmt.Fprintf(&b, "a: UNSUBSCRIBE => %d acks\n", n-1)
	fmt.Fprintf(&b, "a: PUNSUBSCRIBE => %d acks\n", n)
	fmt.Fprintf(&b, "a: SUNSUBSCRIBE => %d acks\n", n)
	for i := 0; i < n; i += 2 {
		fmt.Fprintf(&b, "s%d: UNSUBSCRIBE => 1\n", i)
	}
	fmt.Fprintf(&b, "c: PUBSUB NUMSUB crowd => 1\n")
	fmt.Fprintf(&b, "c: PUBLISH crowd z => 1")
	for i := 1; i < n; i += 2 {
		fmt.Fprintf(&b, "; s%d: 1", i)
	}
	b.WriteString("\n")
	return b.String()
}
