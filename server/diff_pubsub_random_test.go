package server

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/glob"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// TestDiffPubSubRandom drives the same random sequence of pub/sub commands
// through redis-server and Herald: subscribers in RESP2 and RESP3 that
// subscribe and unsubscribe to channels, patterns and shard channels (bare
// unsubscribes included), quit and come back; a publisher that publishes,
// publishes to shards and asks PUBSUB. Every reply and every delivered frame
// is compared byte for byte, except where Redis's order is its hash order
// (the pattern frames of one publish, the acks of a bare unsubscribe, the
// lists of PUBSUB CHANNELS and SHARDCHANNELS), which are compared as
// multisets. A model of each subscriber's subscriptions says how many frames
// to read; a frame too many or too few shows as a mismatch on the next read.
func TestDiffPubSubRandom(t *testing.T) {
	t.Parallel()
	redisAddr := redistest.Start(t).Addr()
	s := startServer(t, Config{})
	heraldAddr := s.Addr().String()
	rng := rand.New(rand.NewPCG(2, 17))
	pick := func(xs ...string) string { return xs[rng.IntN(len(xs))] }
	channel := func() string {
		return pick("a", "b", "ab", "a.b", "n1", "news", "x:1:eu", "x:2:us", "", "h\xc3\xa9", "[x]")
	}
	pattern := func() string {
		return pick("a*", "?", "*b", "[ab]*", "n*", "*", "x:*:eu", "*:*", "a\\.b", "[^a]*", "h?", "\\[x]", "[", "x:[12]:*", "n[0-9]")
	}

	const subscribers = 4
	subs := make([]*randomSubscriber, subscribers)
	dialSub := func(i int) {
		proto := 2 + rng.IntN(2)
		subs[i] = &randomSubscriber{
			proto:    proto,
			redis:    rawDial(t, redisAddr, strconv.Itoa(proto)),
			herald:   rawDial(t, heraldAddr, strconv.Itoa(proto)),
			channels: map[string]bool{}, patterns: map[string]bool{}, shards: map[string]bool{},
		}
	}
	for i := range subs {
		dialSub(i)
	}
	pubRedis, pubHerald := rawDial(t, redisAddr, "2"), rawDial(t, heraldAddr, "2")
	// What the run covered, so that a generator that drifts into doing
	// nothing fails rather than passes.
	var frames, patternFrames, bareAcks int

	for step := range 2500 {
		i := rng.IntN(subscribers)
		sub := subs[i]
		var cmd []string
		switch op := rng.IntN(20); {
		case op < 6: // subscribe
			kind := pick("SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE")
			cmd = []string{kind}
			for range 1 + rng.IntN(3) {
				if kind == "PSUBSCRIBE" {
					cmd = append(cmd, pattern())
				} else {
					cmd = append(cmd, channel())
				}
			}
			sub.compare(t, step, cmd, len(cmd)-1, false)
			for _, name := range cmd[1:] {
				sub.held(kind)[name] = true
			}
		case op < 9: // unsubscribe from names
			kind := pick("UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE")
			cmd = []string{kind}
			for range 1 + rng.IntN(2) {
				if kind == "PUNSUBSCRIBE" {
					cmd = append(cmd, pattern())
				} else {
					cmd = append(cmd, channel())
				}
			}
			sub.compare(t, step, cmd, len(cmd)-1, false)
			for _, name := range cmd[1:] {
				delete(sub.held(kind), name)
			}
		case op < 10: // unsubscribe from everything of a kind
			kind := pick("UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE")
			cmd = []string{kind}
			sub.compare(t, step, cmd, max(1, len(sub.held(kind))), true)
			bareAcks += len(sub.held(kind))
			clear(sub.held(kind))
		case op < 11:
			cmd = []string{"PING"}
			sub.compare(t, step, cmd, 1, false)
		case op < 12 && rng.IntN(4) == 0:
			cmd = []string{"QUIT"}
			sub.compare(t, step, cmd, 1, false)
			sub.redis.Close()
			sub.herald.Close()
			dialSub(i)
		case op < 16:
			ch, payload := channel(), "m"+strconv.Itoa(step)
			cmd = []string{"PUBLISH", ch, payload}
			comparePublisher(t, step, cmd, pubRedis, pubHerald, false)
			for _, sub := range subs {
				n := len(sub.matching(ch))
				patternFrames += n
				if sub.channels[ch] {
					n++
				}
				frames += n
				sub.compareFrames(t, step, cmd, n, sub.channels[ch])
			}
		case op < 18:
			ch := channel()
			cmd = []string{"SPUBLISH", ch, "s" + strconv.Itoa(step)}
			comparePublisher(t, step, cmd, pubRedis, pubHerald, false)
			for _, sub := range subs {
				if sub.shards[ch] {
					frames++
					sub.compareFrames(t, step, cmd, 1, true)
				}
			}
		default:
			var sorted bool
			switch rng.IntN(5) {
			case 0:
				cmd, sorted = []string{"PUBSUB", "CHANNELS"}, true
				if rng.IntN(2) == 0 {
					cmd = append(cmd, pattern())
				}
			case 1:
				cmd, sorted = []string{"PUBSUB", "SHARDCHANNELS"}, true
				if rng.IntN(2) == 0 {
					cmd = append(cmd, pattern())
				}
			case 2:
				cmd = []string{"PUBSUB", "NUMSUB", channel(), channel()}
			case 3:
				cmd = []string{"PUBSUB", "SHARDNUMSUB", channel(), channel()}
			default:
				cmd = []string{"PUBSUB", "NUMPAT"}
			}
			comparePublisher(t, step, cmd, pubRedis, pubHerald, sorted)
		}
	}
	// Nothing left unread: each subscriber's next reply is its PING's.
	for _, sub := range subs {
		sub.compare(t, -1, []string{"PING"}, 1, false)
	}
	t.Logf("%d frames compared (%d to patterns); bare unsubscribes dropped %d subscriptions", frames, patternFrames, bareAcks)
	if frames < 1000 || patternFrames < 300 || bareAcks < 50 {
		t.Fatalf("the run covered too little: %d frames, %d to patterns, %d dropped by bare unsubscribes", frames, patternFrames, bareAcks)
	}
}

// randomSubscriber is one subscriber on each server and what it holds.
type randomSubscriber struct {
	proto                      int
	redis, herald              *rawConn
	channels, patterns, shards map[string]bool
}

// held returns the set an (un)subscribe command of kind changes.
func (s *randomSubscriber) held(kind string) map[string]bool {
	switch kind {
	case "PSUBSCRIBE", "PUNSUBSCRIBE":
		return s.patterns
	case "SSUBSCRIBE", "SUNSUBSCRIBE":
		return s.shards
	}
	return s.channels
}

// matching returns the patterns s holds that match channel.
func (s *randomSubscriber) matching(channel string) []string {
	var out []string
	for p := range s.patterns {
		if glob.MatchString(p, channel) {
			out = append(out, p)
		}
	}
	return out
}

// compare sends cmd on both connections and compares the n replies each
// gets. With anyOrder the replies are acks of a bare unsubscribe: their
// kinds and counts are compared in order, their names as a multiset.
func (s *randomSubscriber) compare(t *testing.T, step int, cmd []string, n int, anyOrder bool) {
	t.Helper()
	for _, c := range []*rawConn{s.redis, s.herald} {
		if _, err := c.Write(encodeCommand(cmd...)); err != nil {
			t.Fatal(err)
		}
	}
	r, h := readValues(t, s.redis, n), readValues(t, s.herald, n)
	if anyOrder {
		r, h = ackNamesSorted(r), ackNamesSorted(h)
	}
	if !slices.Equal(r, h) {
		t.Fatalf("step %d, RESP%d subscriber, %q:\n redis  %q\n herald %q", step, s.proto, cmd, r, h)
	}
}

// compareFrames reads the n frames a publish gave s on each server. When
// first is set the first is the channel's frame, compared as it is; the
// pattern frames after it are compared as a multiset.
func (s *randomSubscriber) compareFrames(t *testing.T, step int, cmd []string, n int, first bool) {
	t.Helper()
	r, h := readValues(t, s.redis, n), readValues(t, s.herald, n)
	from := 0
	if first {
		from = 1
	}
	if n > from {
		slices.Sort(r[from:])
		slices.Sort(h[from:])
	}
	if !slices.Equal(r, h) {
		t.Fatalf("step %d, RESP%d subscriber, frames of %q:\n redis  %q\n herald %q", step, s.proto, cmd, r, h)
	}
}

// comparePublisher runs cmd on the publisher's connections and compares the
// replies; sorted compares an array's elements as a multiset.
func comparePublisher(t *testing.T, step int, cmd []string, r, h *rawConn, sorted bool) {
	t.Helper()
	rv, hv := r.do(t, cmd...), h.do(t, cmd...)
	norm := func(v resp.Value) string {
		if !sorted {
			return string(v.Bytes())
		}
		var elems []string
		for _, e := range v.Elems {
			elems = append(elems, string(e.Bytes()))
		}
		slices.Sort(elems)
		return fmt.Sprintf("%c%d %q", v.Kind, len(v.Elems), elems)
	}
	if norm(rv) != norm(hv) {
		t.Fatalf("step %d, %q:\n redis  %q\n herald %q", step, cmd, rv.Bytes(), hv.Bytes())
	}
}

// readValues reads n replies or pushes from c, as wire bytes.
func readValues(t *testing.T, c *rawConn, n int) []string {
	t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = string(rawRead(t, c).Bytes())
	}
	return out
}

// ackNamesSorted rewrites the acks of a bare unsubscribe so that they
// compare whatever the order: each ack's kind and count stay in place, and
// the names, sorted, follow.
func ackNamesSorted(acks []string) []string {
	var shapes, names []string
	for _, a := range acks {
		v, err := resp.ReadValue(bufio.NewReader(strings.NewReader(a)))
		if err != nil || len(v.Elems) != 3 {
			return acks // not an ack: compared as it is, and reported
		}
		shapes = append(shapes, fmt.Sprintf("%c %s %s", v.Kind, v.Elems[0].Bytes(), v.Elems[2].Bytes()))
		names = append(names, string(v.Elems[1].Bytes()))
	}
	slices.Sort(names)
	return append(shapes, fmt.Sprintf("%q", names))
}
