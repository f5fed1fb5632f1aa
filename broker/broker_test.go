package broker_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/heraldhq/herald/broker"
	"go.uber.org/goleak"
)

// TestMain fails the package if a test leaves goroutines running (an
// overflowing Inbox unsubscribes from a goroutine of its own).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// delivery is what a recorder keeps of one Deliver call.
type delivery struct {
	kind                      broker.Kind
	pattern, channel, payload string
}

func msg(channel, payload string) delivery {
	return delivery{broker.KindMessage, "", channel, payload}
}

func pmsg(pattern, channel, payload string) delivery {
	return delivery{broker.KindPMessage, pattern, channel, payload}
}

func smsg(channel, payload string) delivery {
	return delivery{broker.KindSMessage, "", channel, payload}
}

// recorder is a Subscriber that records its deliveries and, as the RESP
// server's connections do, adds itself to the publisher's batch once per
// batch and counts its flushes.
type recorder struct {
	mu      sync.Mutex
	got     []delivery
	queued  bool
	flushes int
}

func (r *recorder) Deliver(m *broker.Message, batch *broker.Batch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, delivery{m.Kind, m.Pattern, string(m.Channel), string(m.Payload)})
	if !r.queued {
		r.queued = true
		batch.Add(r)
	}
}

func (r *recorder) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queued = false
	r.flushes++
}

// take returns and forgets the deliveries so far.
func (r *recorder) take() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.got = nil
	return got
}

func expectDeliveries(t *testing.T, r *recorder, want ...delivery) {
	t.Helper()
	got := r.take()
	if !slices.Equal(got, want) {
		t.Fatalf("deliveries:\n got %v\nwant %v", got, want)
	}
}

func expectInt(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %d, want %d", what, got, want)
	}
}

func expectStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	got = slices.Clone(got)
	slices.Sort(got)
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", what, got, want)
	}
}

func publish(b *broker.Broker, channel, payload string) int {
	return b.Publish([]byte(channel), []byte(payload), nil)
}

// TestSubscribeCounts checks the counts the (un)subscribe calls return,
// which the RESP acknowledgements carry: channels plus patterns, shard
// channels apart, duplicates ignored, unknown names harmless.
func TestSubscribeCounts(t *testing.T) {
	b := broker.New()
	r := new(recorder)
	expectInt(t, "Subscribe a", b.Subscribe(r, "a"), 1)
	expectInt(t, "Subscribe a again", b.Subscribe(r, "a"), 1)
	expectInt(t, "Subscribe b", b.Subscribe(r, "b"), 2)
	expectInt(t, "PSubscribe a*", b.PSubscribe(r, "a*"), 3)
	expectInt(t, "PSubscribe a* again", b.PSubscribe(r, "a*"), 3)
	expectInt(t, "SSubscribe a", b.SSubscribe(r, "a"), 1)
	expectInt(t, "SSubscribe s", b.SSubscribe(r, "s"), 2)
	expectInt(t, "SSubscribe s again", b.SSubscribe(r, "s"), 2)

	ch, pat, sh := b.Counts(r)
	if ch != 2 || pat != 1 || sh != 2 {
		t.Fatalf("Counts = %d %d %d, want 2 1 2", ch, pat, sh)
	}
	channels, patterns, shards := b.Holdings(r)
	expectStrings(t, "held channels", channels, []string{"a", "b"})
	expectStrings(t, "held patterns", patterns, []string{"a*"})
	expectStrings(t, "held shard channels", shards, []string{"a", "s"})

	expectInt(t, "Unsubscribe nothing-held", b.Unsubscribe(r, "zzz"), 3)
	expectInt(t, "PUnsubscribe nothing-held", b.PUnsubscribe(r, "zzz"), 3)
	expectInt(t, "SUnsubscribe nothing-held", b.SUnsubscribe(r, "zzz"), 2)
	expectInt(t, "Unsubscribe a", b.Unsubscribe(r, "a"), 2)
	expectInt(t, "PUnsubscribe a*", b.PUnsubscribe(r, "a*"), 1)
	expectInt(t, "SUnsubscribe a", b.SUnsubscribe(r, "a"), 1)
	expectInt(t, "Unsubscribe b", b.Unsubscribe(r, "b"), 0)
	expectInt(t, "SUnsubscribe s", b.SUnsubscribe(r, "s"), 0)

	ch, pat, sh = b.Counts(r)
	if ch+pat+sh != 0 {
		t.Fatalf("Counts after unsubscribing everything = %d %d %d", ch, pat, sh)
	}
	if st := b.Stats(); st != (broker.Stats{}) {
		t.Fatalf("Stats after unsubscribing everything = %+v", st)
	}
	// A subscriber the broker never saw.
	stranger := new(recorder)
	expectInt(t, "Unsubscribe by a stranger", b.Unsubscribe(stranger, "a"), 0)
	expectInt(t, "PUnsubscribe by a stranger", b.PUnsubscribe(stranger, "a*"), 0)
	expectInt(t, "SUnsubscribe by a stranger", b.SUnsubscribe(stranger, "a"), 0)
	c, p, s := b.Holdings(stranger)
	if c != nil || p != nil || s != nil {
		t.Fatalf("Holdings of a stranger = %q %q %q", c, p, s)
	}
}

// TestManySubscriptions crosses the size at which subscriber and name sets
// switch from slices to maps, both ways.
func TestManySubscriptions(t *testing.T) {
	b := broker.New()
	const n = 100
	subs := make([]*recorder, n)
	for i := range subs {
		subs[i] = new(recorder)
		b.Subscribe(subs[i], "shared")
	}
	one := subs[0]
	for i := range n {
		expectInt(t, "Subscribe", b.Subscribe(one, fmt.Sprint("own.", i)), i+2)
	}
	expectInt(t, "NumSub shared", b.NumSub("shared"), n)
	expectInt(t, "PUBLISH shared", publish(b, "shared", "x"), n)
	for i, s := range subs {
		if got := s.take(); len(got) != 1 {
			t.Fatalf("subscriber %d got %v", i, got)
		}
	}
	// Remove most of them again, from the middle, and check who is left.
	for i := 1; i < n-3; i++ {
		expectInt(t, "Unsubscribe", b.Unsubscribe(subs[i], "shared"), 0)
	}
	expectInt(t, "NumSub shared", b.NumSub("shared"), 4)
	expectInt(t, "PUBLISH shared", publish(b, "shared", "y"), 4)
	for i, s := range subs {
		got := s.take()
		if want := i == 0 || i >= n-3; (len(got) == 1) != want {
			t.Fatalf("subscriber %d got %v", i, got)
		}
	}
	for i := range n - 5 {
		b.Unsubscribe(one, fmt.Sprint("own.", i))
	}
	channels, _, _ := b.Holdings(one)
	expectStrings(t, "channels left", channels, []string{"own.95", "own.96", "own.97", "own.98", "own.99", "shared"})
}

// TestPublishCounts checks the number Publish returns, which PUBLISH
// replies: one per delivery, so a subscriber of a channel and of two
// patterns matching it counts three times, and patterns that match nothing
// count nothing.
func TestPublishCounts(t *testing.T) {
	b := broker.New()
	r1, r2, r3 := new(recorder), new(recorder), new(recorder)
	b.Subscribe(r1, "news.sport")
	b.PSubscribe(r1, "news.*")
	b.PSubscribe(r1, "*.sport")
	b.PSubscribe(r1, "weather.*") // matches nothing published below
	b.Subscribe(r2, "news.sport")
	b.PSubscribe(r3, "news.*")
	b.PSubscribe(r3, "n?ws.[a-z]*")

	expectInt(t, "PUBLISH news.sport", publish(b, "news.sport", "goal"), 6)
	// The channel's frame first, then the patterns' (in an order Redis
	// does not define).
	got := r1.take()
	if len(got) != 3 || got[0] != msg("news.sport", "goal") {
		t.Fatalf("r1 got %v", got)
	}
	expectStrings(t, "r1's patterns", []string{got[1].pattern, got[2].pattern}, []string{"*.sport", "news.*"})
	expectDeliveries(t, r2, msg("news.sport", "goal"))
	got = r3.take()
	expectStrings(t, "r3's patterns", []string{got[0].pattern, got[1].pattern}, []string{"n?ws.[a-z]*", "news.*"})
	for _, d := range got {
		if d.kind != broker.KindPMessage || d.channel != "news.sport" || d.payload != "goal" {
			t.Fatalf("r3 got %v", d)
		}
	}

	expectInt(t, "PUBLISH news.weather", publish(b, "news.weather", "rain"), 3)
	expectDeliveries(t, r1, pmsg("news.*", "news.weather", "rain"))
	expectDeliveries(t, r2)
	expectInt(t, "PUBLISH nobody", publish(b, "nobody", "x"), 0)
	expectInt(t, "PUBLISH empty channel", publish(b, "", "x"), 0)

	expectInt(t, "NumSub news.sport", b.NumSub("news.sport"), 2)
	expectInt(t, "NumSub news.*", b.NumSub("news.*"), 0) // patterns are not channels
	if st := b.Stats(); st != (broker.Stats{Channels: 1, Patterns: 4}) {
		t.Fatalf("Stats = %+v, want 1 channel, 4 patterns", st)
	}
}

// TestNamespaces: shard channels, channels and patterns are separate.
func TestNamespaces(t *testing.T) {
	b := broker.New()
	plain, shard, pattern := new(recorder), new(recorder), new(recorder)
	b.Subscribe(plain, "orders")
	b.SSubscribe(shard, "orders")
	b.PSubscribe(pattern, "ord*")

	expectInt(t, "PUBLISH orders", publish(b, "orders", "p"), 2)
	expectDeliveries(t, plain, msg("orders", "p"))
	expectDeliveries(t, pattern, pmsg("ord*", "orders", "p"))
	expectDeliveries(t, shard)

	expectInt(t, "SPUBLISH orders", b.SPublish([]byte("orders"), []byte("s"), nil), 1)
	expectDeliveries(t, shard, smsg("orders", "s"))
	expectDeliveries(t, plain)
	expectDeliveries(t, pattern)
	expectInt(t, "SPUBLISH ordinary", b.SPublish([]byte("ordinary"), []byte("s"), nil), 0)

	expectStrings(t, "Channels", b.Channels(), []string{"orders"})
	expectStrings(t, "ShardChannels", b.ShardChannels(), []string{"orders"})
	expectInt(t, "NumSub", b.NumSub("orders"), 1)
	expectInt(t, "ShardNumSub", b.ShardNumSub("orders"), 1)
	expectInt(t, "ShardNumSub of a plain channel", b.ShardNumSub("nothing"), 0)

	// Unsubscribing in one namespace leaves the other.
	b.Unsubscribe(shard, "orders") // not a plain subscriber: no effect
	expectInt(t, "ShardNumSub after a plain UNSUBSCRIBE", b.ShardNumSub("orders"), 1)
	b.SUnsubscribe(plain, "orders")
	expectInt(t, "NumSub after a SUNSUBSCRIBE", b.NumSub("orders"), 1)
}

// TestChannelListing checks PUBSUB CHANNELS and SHARDCHANNELS, with and
// without a pattern: sorted, only channels that have subscribers.
func TestChannelListing(t *testing.T) {
	b := broker.New()
	r := new(recorder)
	for _, c := range []string{"b.1", "a.2", "a.1", "c"} {
		b.Subscribe(r, c)
		b.SSubscribe(r, "s."+c)
	}
	b.PSubscribe(r, "z*") // patterns are not listed
	if got := b.Channels(); !slices.Equal(got, []string{"a.1", "a.2", "b.1", "c"}) {
		t.Fatalf("Channels = %q", got)
	}
	if got := b.ChannelsMatching("a.*"); !slices.Equal(got, []string{"a.1", "a.2"}) {
		t.Fatalf("ChannelsMatching a.* = %q", got)
	}
	if got := b.ChannelsMatching("?"); !slices.Equal(got, []string{"c"}) {
		t.Fatalf("ChannelsMatching ? = %q", got)
	}
	if got := b.ChannelsMatching("nothing*"); len(got) != 0 {
		t.Fatalf("ChannelsMatching nothing* = %q", got)
	}
	if got := b.ShardChannels(); !slices.Equal(got, []string{"s.a.1", "s.a.2", "s.b.1", "s.c"}) {
		t.Fatalf("ShardChannels = %q", got)
	}
	if got := b.ShardChannelsMatching("s.[ab].1"); !slices.Equal(got, []string{"s.a.1", "s.b.1"}) {
		t.Fatalf("ShardChannelsMatching = %q", got)
	}
	b.Unsubscribe(r, "a.2")
	if got := b.Channels(); !slices.Equal(got, []string{"a.1", "b.1", "c"}) {
		t.Fatalf("Channels after unsubscribing a.2 = %q", got)
	}
}

// TestUnsubscribeAll drops everything one subscriber holds and nothing
// anybody else holds.
func TestUnsubscribeAll(t *testing.T) {
	b := broker.New()
	gone, stays := new(recorder), new(recorder)
	for _, s := range []*recorder{gone, stays} {
		b.Subscribe(s, "shared")
		b.PSubscribe(s, "sh*")
		b.SSubscribe(s, "shard")
	}
	for i := range 40 { // enough to use the map-backed sets
		b.Subscribe(gone, fmt.Sprint("c", i))
		b.PSubscribe(gone, fmt.Sprint("p", i, "*"))
		b.SSubscribe(gone, fmt.Sprint("s", i))
	}
	b.UnsubscribeAll(gone)
	b.UnsubscribeAll(gone) // twice is harmless
	b.UnsubscribeAll(new(recorder))

	ch, pat, sh := b.Counts(gone)
	if ch+pat+sh != 0 {
		t.Fatalf("Counts after UnsubscribeAll = %d %d %d", ch, pat, sh)
	}
	if st := b.Stats(); st != (broker.Stats{Channels: 1, Patterns: 1, ShardChannels: 1}) {
		t.Fatalf("Stats = %+v, want what the other subscriber holds", st)
	}
	expectInt(t, "PUBLISH shared", publish(b, "shared", "x"), 2)
	expectInt(t, "PUBLISH c1", publish(b, "c1", "x"), 0)
	expectInt(t, "PUBLISH p1x", publish(b, "p1x", "x"), 0)
	expectDeliveries(t, gone)
	expectDeliveries(t, stays, msg("shared", "x"), pmsg("sh*", "shared", "x"))
	// The subscriber can come back.
	expectInt(t, "Subscribe after UnsubscribeAll", b.Subscribe(gone, "shared"), 1)
	expectInt(t, "NumSub shared", b.NumSub("shared"), 2)
}

// TestBatchFlushesOncePerSubscriber: a batch of publishes flushes each
// subscriber that received something once, at the batch's end; Publish
// with no batch flushes before it returns.
func TestBatchFlushesOncePerSubscriber(t *testing.T) {
	b := broker.New()
	a, c, idle := new(recorder), new(recorder), new(recorder)
	b.Subscribe(a, "x")
	b.PSubscribe(a, "*")
	b.Subscribe(c, "y")
	b.Subscribe(idle, "z")

	var batch broker.Batch
	for range 10 {
		b.Publish([]byte("x"), []byte("1"), &batch)
		b.Publish([]byte("y"), []byte("2"), &batch)
		b.SPublish([]byte("x"), []byte("3"), &batch)
	}
	expectInt(t, "batch.Len", batch.Len(), 2)
	if a.flushes+c.flushes != 0 {
		t.Fatal("flushed before the batch ended")
	}
	batch.Flush()
	expectInt(t, "batch.Len after Flush", batch.Len(), 0)
	expectInt(t, "a's flushes", a.flushes, 1)
	expectInt(t, "c's flushes", c.flushes, 1)
	expectInt(t, "idle's flushes", idle.flushes, 0)
	expectInt(t, "a's deliveries", len(a.take()), 30) // 10 × (channel + pattern) + 10 × pattern for y
	expectInt(t, "c's deliveries", len(c.take()), 10)

	publish(b, "y", "now")
	expectInt(t, "c's flushes after an unbatched publish", c.flushes, 2)
}

// TestFramesEncodedOnce: with many subscribers in one format, a message is
// encoded once per format and kind, and every subscriber gets the same
// bytes.
func TestFramesEncodedOnce(t *testing.T) {
	b := broker.New()
	var subs []*framer
	for i := range 50 {
		f := &framer{format: testFormat}
		if i%2 == 1 {
			f.format = otherFormat
		}
		subs = append(subs, f)
		b.Subscribe(f, "ch")
		b.PSubscribe(f, "c*")
	}
	before := encodes.Load()
	expectInt(t, "PUBLISH", publish(b, "ch", "payload"), 100)
	// Two formats × two kinds (message, pmessage).
	if n := encodes.Load() - before; n != 4 {
		t.Fatalf("encoded %d times for 100 deliveries, want 4", n)
	}
	for i, f := range subs {
		want := "message|ch|payload" + "pmessage|c*|ch|payload"
		if f.format == otherFormat {
			want = "MESSAGE|ch|payload" + "PMESSAGE|c*|ch|payload"
		}
		if string(f.buf) != want {
			t.Fatalf("subscriber %d got %q, want %q", i, f.buf, want)
		}
	}
}

// TestConcurrentPublishAndSubscribe runs publishers and subscription
// changes at once, for the race detector.
func TestConcurrentPublishAndSubscribe(t *testing.T) {
	b := broker.New()
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			var batch broker.Batch
			for i := range 500 {
				b.Publish(fmt.Appendf(nil, "ch.%d", i%8), []byte("x"), &batch)
				if i%16 == 0 {
					batch.Flush()
				}
				b.SPublish([]byte("shard"), []byte("y"), nil)
			}
			batch.Flush()
			_ = p
		})
	}
	for s := range 4 {
		wg.Go(func() {
			r := new(recorder)
			for i := range 200 {
				b.Subscribe(r, fmt.Sprintf("ch.%d", (i+s)%8))
				b.PSubscribe(r, "ch.*")
				b.SSubscribe(r, "shard")
				b.Counts(r)
				b.Channels()
				b.Unsubscribe(r, fmt.Sprintf("ch.%d", (i+s)%8))
				if i%10 == 0 {
					b.UnsubscribeAll(r)
				}
			}
			b.UnsubscribeAll(r)
		})
	}
	wg.Wait()
	if st := b.Stats(); st != (broker.Stats{}) {
		t.Fatalf("Stats after everyone left = %+v", st)
	}
}
