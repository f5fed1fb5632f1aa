package backend

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/heraldhq/herald/bus"
	"path/filepath"
	"strings"
	"time"

	"fmt"
	"github.com/heraldhq/herald/broker"
	"slices"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
)

// TestSingle runs two Herald nodes on one redis-server: delivery both
// ways for channels, patterns and shard channels, counts as Redis reports
// them, and reference counting checked with PUBSUB on the Redis side.
func TestSingle(t *testing.T) {
	srv := redistest.Start(t)
	url := "redis://" + srv.Addr() + "/0"
	a, b := openNode(t, url), openNode(t, url)

	inA, inB, inB2 := a.inbox(t), b.inbox(t), b.inbox(t)
	a.subscribe(inA, "news", "a-marker")
	b.subscribe(inB, "news", "b-marker")
	b.subscribe(inB2, "news")

	// Each node counts once, however many local subscribers it has.
	if n := a.publish("news", "1"); n != 2 {
		t.Fatalf("Publish counted %d receivers, want 2 (one per node)", n)
	}
	expectNext(t, inA, "message news 1")
	expectNext(t, inB, "message news 1")
	expectNext(t, inB2, "message news 1")
	b.publish("news", "2")
	expectNext(t, inA, "message news 2")
	expectNext(t, inB, "message news 2")
	expectNext(t, inB2, "message news 2")

	counts, err := a.bk.NumSub(ctxT(t), "news", "a-marker", "none")
	if err != nil || !slices.Equal(counts, []int{2, 1, 0}) {
		t.Fatalf("NumSub = %v, %v; want [2 1 0]", counts, err)
	}
	chans, err := b.bk.Channels(ctxT(t), "")
	if err != nil || !slices.Equal(chans, []string{"a-marker", "b-marker", "news"}) {
		t.Fatalf("Channels = %q, %v", chans, err)
	}

	// Patterns: a pattern on B hears A's publish once, as a pmessage;
	// the channel subscribers are not told twice.
	b.psubscribe(inB2, "n*")
	if n := a.publish("news", "3"); n != 3 {
		t.Fatalf("Publish counted %d receivers, want 3", n)
	}
	expectNext(t, inA, "message news 3")
	expectNext(t, inB, "message news 3")
	expectNext(t, inB2, "message news 3")
	expectNext(t, inB2, "pmessage n* news 3")
	expectQuiet(t, b, inB, "b-marker")
	if n, err := a.bk.NumPat(ctxT(t)); err != nil || n != 1 {
		t.Fatalf("NumPat = %d, %v; want 1", n, err)
	}

	// Shard channels are their own namespace.
	a.ssubscribe(inA, "news")
	if n, err := b.bk.SPublish(ctxT(t), "news", []byte("s")); err != nil || n != 1 {
		t.Fatalf("SPublish = %d, %v; want 1", n, err)
	}
	expectNext(t, inA, "smessage news s")
	sc, err := b.bk.ShardChannels(ctxT(t), "")
	if err != nil || !slices.Equal(sc, []string{"news"}) {
		t.Fatalf("ShardChannels = %q, %v", sc, err)
	}
	if n, err := b.bk.ShardNumSub(ctxT(t), "news", "x"); err != nil || !slices.Equal(n, []int{1, 0}) {
		t.Fatalf("ShardNumSub = %v, %v", n, err)
	}
	expectQuiet(t, b, inB, "b-marker")

	// Reference counting: the backend subscription goes with the last
	// local subscriber, and not before.
	b.bk.Unsubscribe(ctxT(t), inB, "news")
	b.publish("news", "4")
	expectNext(t, inB2, "message news 4")
	b.bk.Unsubscribe(ctxT(t), inB2, "news")
	b.bk.PUnsubscribe(ctxT(t), inB2, "n*")
	a.bk.SUnsubscribe(ctxT(t), inA, "news")
	eventually(t, "B's subscription to news dropped", func() (bool, string) {
		r, err := redistest.Do(srv.Addr(), "PUBSUB", "NUMSUB", "news")
		return fmt.Sprint(r) == "[news 1]" && err == nil, fmt.Sprint(r, err)
	})
	eventually(t, "patterns and shard channels dropped", func() (bool, string) {
		p, _ := redistest.Do(srv.Addr(), "PUBSUB", "NUMPAT")
		s, _ := redistest.Do(srv.Addr(), "PUBSUB", "SHARDCHANNELS")
		return fmt.Sprint(p, s) == "0 []", fmt.Sprint(p, s)
	})
	expectNext(t, inA, "message news 4")
	a.publish("news", "5")
	expectNext(t, inA, "message news 5")
	expectQuiet(t, b, inB, "b-marker")

	// Subscribed in the broker directly, as the RESP server does, then
	// Sync: the subscription is held by the backend when it returns.
	direct := b.inbox(t)
	for i := range 50 {
		b.b.Subscribe(direct, fmt.Sprint("direct-", i))
	}
	b.b.PSubscribe(direct, "direct-p*")
	if err := b.bk.Sync(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if n := a.publish("direct-49", "d"); n != 1 {
		t.Fatalf("Publish after Sync counted %d, want 1", n)
	}
	expectNext(t, direct, "message direct-49 d")
	if n := a.publish("direct-p1", "d"); n != 1 {
		t.Fatalf("Publish after Sync counted %d, want 1", n)
	}
	expectNext(t, direct, "pmessage direct-p* direct-p1 d")

	if st := a.bk.Stats(); st.Gaps != 0 || st.Connected != 1 {
		t.Fatalf("Stats = %+v", st)
	}
}

// TestSingleFault kills the backend's pub/sub connections on the server
// and checks that delivery resumes without anyone subscribing again
// locally, and that the gap was counted and announced on SystemChannel.
func TestSingleFault(t *testing.T) {
	srv := redistest.Start(t)
	url := "redis://" + srv.Addr()
	a, b := openNode(t, url), openNode(t, url)
	in, sys := b.inbox(t), b.inbox(t)
	b.subscribe(in, "news")
	b.psubscribe(in, "n*")
	b.subscribe(sys, SystemChannel)
	a.publish("news", "before")
	expectNext(t, in, "message news before")
	expectNext(t, in, "pmessage n* news before")

	killed, err := redistest.KillPubSub(srv.Addr())
	if err != nil || killed != 1 {
		t.Fatalf("KillPubSub = %d, %v; want 1 (B's; A subscribes to nothing)", killed, err)
	}
	expectEvent(t, sys, "gap", srv.Addr())
	expectEvent(t, sys, "resumed", srv.Addr())
	eventually(t, "B subscribed again", func() (bool, string) {
		r, err := redistest.Do(srv.Addr(), "PUBSUB", "NUMSUB", "news")
		p, _ := redistest.Do(srv.Addr(), "PUBSUB", "NUMPAT")
		return fmt.Sprint(r, p) == "[news 1] 1" && err == nil, fmt.Sprint(r, p, err)
	})
	a.publish("news", "after")
	expectNext(t, in, "message news after")
	expectNext(t, in, "pmessage n* news after")
	st := b.bk.Stats()
	if st.Gaps != 1 || st.Reconnects != 1 || st.Connected != 1 {
		t.Fatalf("Stats after one lost connection: %+v", st)
	}

	// A subscription made while the server is away completes once it is
	// back.
	redistest.KillPubSub(srv.Addr())
	in2 := b.inbox(t)
	b.subscribe(in2, "later")
	a.publish("later", "x")
	expectNext(t, in2, "message later x")
}

// sysEvent is a message on SystemChannel.
type sysEvent struct {
	Event, Node, Reason, Time string
	Channels                  int
	GapMS                     int64 `json:"gap_ms"`
}

// expectEvent reads the next gap event from a SystemChannel subscriber.
func expectEvent(t *testing.T, sys *broker.Inbox, event, node string) sysEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	d, err := sys.Next(ctx)
	if err != nil {
		t.Fatalf("waiting for a %s event: %v", event, err)
	}
	var ev sysEvent
	if err := json.Unmarshal(d.Payload, &ev); err != nil || d.Channel != SystemChannel || ev.Event != event || ev.Node != node || ev.Time == "" {
		t.Fatalf("got %s %s, want a %s event for %s", d.Channel, d.Payload, event, node)
	}
	return ev
}

// TestSingleURLForms connects through a password and a unix socket.
func TestSingleURLForms(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "redis.sock")
	srv := redistest.Start(t, "--requirepass", "secret", "--unixsocket", sock, "--unixsocketperm", "700")
	a := openNode(t, "redis://:secret@"+srv.Addr()+"/0")
	b := openNode(t, "unix://:secret@"+sock)
	resp2 := openNode(t, "redis://:secret@"+srv.Addr()+"?protocol=2")
	in, in2 := b.inbox(t), resp2.inbox(t)
	b.subscribe(in, "news")
	resp2.subscribe(in2, "news")
	resp2.psubscribe(in2, "n*")
	if n := a.publish("news", "hi"); n != 3 {
		t.Fatalf("Publish counted %d, want 3", n)
	}
	expectNext(t, in, "message news hi")
	expectNext(t, in2, "message news hi")
	expectNext(t, in2, "pmessage n* news hi")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := Open(ctx, "redis://:wrong@"+srv.Addr(), broker.New(), Options{}); err == nil || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("Open with a wrong password: %v (want an error that does not show the password)", err)
	}

	// After Close every method fails with bus.ErrClosed, and the local
	// subscriber stays subscribed locally.
	b.bk.Close()
	if _, err := b.bk.Publish(ctxT(t), "news", nil); !errors.Is(err, bus.ErrClosed) {
		t.Fatalf("Publish after Close: %v", err)
	}
	if _, err := b.bk.Subscribe(ctxT(t), in, "other"); !errors.Is(err, bus.ErrClosed) {
		t.Fatalf("Subscribe after Close: %v", err)
	}
	if b.b.NumSub("news") != 1 {
		t.Fatal("Close unsubscribed a local subscriber")
	}
}

// TestPublishMany checks a pipelined batch of publishes: counts and
// errors per message, channel and shard channel alike, in order.
func TestPublishMany(t *testing.T) {
	for _, mode := range []string{"single", "cluster"} {
		t.Run(mode, func(t *testing.T) {
			var url string
			if mode == "single" {
				url = "redis://" + redistest.Start(t).Addr()
			} else {
				url = clusterURL(redistest.StartCluster(t, 3))
			}
			a, b := openNode(t, url), openNode(t, url)
			in := b.inbox(t)
			b.subscribe(in, "x", "y")
			b.ssubscribe(in, "x")
			counts, errs := a.bk.PublishMany(ctxT(t), []Message{
				{Channel: "x", Payload: []byte("1")},
				{Channel: "y", Payload: []byte("2")},
				{Channel: "x", Payload: []byte("3"), Shard: true},
				{Channel: "none", Payload: []byte("4")},
				{Channel: "x", Payload: []byte("5")},
			})
			if !slices.Equal(counts, []int{1, 1, 1, 0, 1}) || slices.ContainsFunc(errs, func(e error) bool { return e != nil }) {
				t.Fatalf("PublishMany = %v, %v", counts, errs)
			}
			expectSet(t, in, []string{"message x 1", "message y 2", "smessage x 3", "message x 5"})
		})
	}
}

// TestOpenUnreachable checks that Open gives up within its timeout when
// nothing answers, for one server and for a cluster.
func TestOpenUnreachable(t *testing.T) {
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprint("127.0.0.1:", port)
	for _, url := range []string{"redis://" + addr, "redis-cluster://" + addr} {
		start := time.Now()
		_, err := Open(context.Background(), url, broker.New(), Options{Timeout: 300 * time.Millisecond})
		if err == nil || time.Since(start) > 3*time.Second {
			t.Fatalf("Open %s: %v after %v", url, err, time.Since(start))
		}
	}
	// A single server is not a cluster.
	srv := redistest.Start(t)
	if _, err := Open(ctxT(t), "redis-cluster://"+srv.Addr(), broker.New(), Options{Timeout: time.Second}); err == nil {
		t.Fatal("Open redis-cluster:// on a server without cluster mode succeeded")
	}
}
