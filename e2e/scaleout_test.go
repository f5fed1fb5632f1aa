package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/heraldhq/herald/backend"
	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/gateway"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/server"
)

// TestMain fails the package if a test leaves goroutines running, but for
// one of rueidis's: after a cluster topology refresh its cluster client
// closes the replaced connections from a goroutine that sleeps five seconds
// first, and Close does not wait for it; nor for a delayed refresh's
// goroutine, asleep for up to a second (see backend's TestMain).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*clusterClient)._refresh.func2"),
		goleak.IgnoreAnyFunction("github.com/redis/rueidis.(*call).DelayDo.func1"))
}

// node is one Herald node as `herald serve --backend URL` runs it: a RESP
// server and a web gateway on one broker, mirrored in the backend.
type node struct {
	srv  *server.Server
	bk   *backend.Backend
	http *httptest.Server
	resp *redis.Client // a RESP client of this node
}

func startNode(t *testing.T, url string) *node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	bk, err := backend.Open(ctx, url, broker.New(), backend.Options{Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.StartLocal(server.Config{Broker: bk.Broker(), Remote: bk})
	if err != nil {
		bk.Close()
		t.Fatal(err)
	}
	gw := gateway.New(gateway.Config{}, bk)
	n := &node{srv: srv, bk: bk, http: httptest.NewServer(gw)}
	n.resp = redis.NewClient(&redis.Options{Addr: srv.Addr().String(), Protocol: 3})
	t.Cleanup(func() {
		n.resp.Close()
		n.http.Close()
		gw.Shutdown(context.Background())
		srv.Close()
		bk.Close()
	})
	return n
}

// channels returns n channel names that hash to slots all over the slot
// space.
func channels(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("orders:%d", i)
	}
	return out
}

// TestScaleOutSingleRedis runs the scale-out scenario on one redis-server.
func TestScaleOutSingleRedis(t *testing.T) {
	r := redistest.Start(t)
	url := "redis://" + r.Addr()
	runScaleOut(t, url, func() int {
		n, err := redistest.KillPubSub(r.Addr())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}, r.Addr())
}

// TestScaleOutCluster runs it on a real Redis Cluster of three primaries,
// where channels travel as shard channels, each on its slot's primary.
func TestScaleOutCluster(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	url := "redis-cluster://" + strings.Join(c.Addrs(), ",")
	// The test's channels must cover every primary.
	owners := map[string]bool{}
	for _, ch := range channels(24) {
		slot, err := redistest.Do(c.Addrs()[0], "CLUSTER", "KEYSLOT", ch)
		if err != nil {
			t.Fatal(err)
		}
		owner, err := c.SlotOwner(int(slot.(int64)))
		if err != nil {
			t.Fatal(err)
		}
		owners[owner] = true
	}
	if len(owners) != 3 {
		t.Fatalf("the test's channels hash to %d primaries, want 3", len(owners))
	}
	runScaleOut(t, url, func() int {
		total := 0
		for _, addr := range c.Addrs() {
			n, err := c.KillPubSub(addr)
			if err != nil {
				t.Fatal(err)
			}
			total += n
		}
		return total
	}, c.Addrs()...)
}

// runScaleOut checks, with two nodes on the backend at url: a WebSocket
// subscriber on node A hears RESP publishes made on node B, on channels and
// a pattern; a RESP subscriber on B hears a WebSocket publish made on A;
// counts are the backend's; the backend holds a channel only while a node
// has a subscriber; and after killBackendLinks drops the nodes' pub/sub
// connections to the backend, delivery resumes without the subscriber
// doing anything, with the gap reported on the system channel.
func runScaleOut(t *testing.T, url string, killBackendLinks func() int, redisAddrs ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	a, b := startNode(t, url), startNode(t, url)

	ws := dialWS(t, a.http.URL)
	chs := channels(24)
	ws.ack(t, map[string]any{"type": "subscribe", "channels": chs})
	ws.ack(t, map[string]any{"type": "psubscribe", "pattern": "pat:*"})
	ws.ack(t, map[string]any{"type": "subscribe", "channel": backend.SystemChannel})

	// B → A, channels: each publish counts node A once, whatever number of
	// clients it serves.
	for i, ch := range chs {
		n, err := b.resp.Publish(ctx, ch, fmt.Sprintf("m%d", i)).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("PUBLISH %s on node B = %d receivers, want 1 (node A)", ch, n)
		}
	}
	// Order holds per channel; channels on different shards travel on
	// different connections, so across channels it does not.
	got := map[any]any{}
	for range chs {
		m := ws.message(t)
		if _, dup := got[m["channel"]]; dup {
			t.Fatalf("node A got a second message on %v: %v", m["channel"], m)
		}
		got[m["channel"]] = m["data"]
	}
	for i, ch := range chs {
		if want := fmt.Sprintf("m%d", i); got[ch] != want {
			t.Errorf("node A got %v on %s, want %s", got[ch], ch, want)
		}
	}
	// B → A, a pattern.
	if _, err := b.resp.Publish(ctx, "pat:x", "p").Result(); err != nil {
		t.Fatal(err)
	}
	if m := ws.message(t); m["pattern"] != "pat:*" || m["channel"] != "pat:x" || m["data"] != "p" {
		t.Fatalf("pattern message on node A = %v", m)
	}

	// A → B: a WebSocket publish reaches a RESP subscriber of node B.
	sub := b.resp.Subscribe(ctx, "back")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil { // the subscribe ack
		t.Fatal(err)
	}
	if rep := ws.ack(t, map[string]any{"type": "publish", "channel": "back", "data": "hi"}); rep["receivers"] != float64(1) {
		t.Errorf("publish on node A acked %v, want 1 receiver (node B)", rep)
	}
	select {
	case m := <-sub.Channel():
		if m.Channel != "back" || m.Payload != "hi" {
			t.Fatalf("node B's RESP subscriber got %v", m)
		}
	case <-ctx.Done():
		t.Fatal("node B's RESP subscriber got nothing")
	}

	// Counts are the backend's, the same from either node.
	for _, n := range []*node{a, b} {
		got, err := n.resp.PubSubNumSub(ctx, chs[0], "back", "nobody").Result()
		if err != nil {
			t.Fatal(err)
		}
		if got[chs[0]] != 1 || got["back"] != 1 || got["nobody"] != 0 {
			t.Errorf("PUBSUB NUMSUB = %v, want %s:1 back:1 nobody:0", got, chs[0])
		}
	}

	// Reference counting: when A's last subscriber of a channel leaves, A
	// stops holding it in the backend. The client's unsubscribe is done
	// locally at once; the backend's follows without being waited for.
	ws.ack(t, map[string]any{"type": "unsubscribe", "channel": chs[0]})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		got, err := b.resp.PubSubNumSub(ctx, chs[0]).Result()
		if err != nil {
			t.Fatal(err)
		}
		if got[chs[0]] == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the backend still counts %d subscribers of %s after node A's last one left", got[chs[0]], chs[0])
		}
	}
	if n, err := b.resp.Publish(ctx, chs[0], "gone").Result(); err != nil || n != 0 {
		t.Errorf("PUBLISH %s after node A's last subscriber left = %d, %v; want 0 receivers", chs[0], n, err)
	}

	// Faults: the backend drops the nodes' subscriptions. The WebSocket
	// subscriber stays connected and is told of the gap; delivery resumes.
	if killed := killBackendLinks(); killed == 0 {
		t.Fatalf("no pub/sub connection to kill on %v", redisAddrs)
	}
	sawGap := false
	for deadline := time.Now().Add(20 * time.Second); ; {
		if time.Now().After(deadline) {
			t.Fatal("delivery did not resume after the backend dropped the nodes' connections")
		}
		n, err := b.resp.Publish(ctx, chs[1], "after").Result()
		if err != nil {
			t.Logf("publish during the gap: %v", err)
		}
		m, ok := ws.messageWithin(t, 100*time.Millisecond)
		for ok && m["channel"] == backend.SystemChannel {
			if strings.Contains(fmt.Sprint(m["data"]), `"event":"gap"`) {
				sawGap = true
			}
			m, ok = ws.messageWithin(t, 100*time.Millisecond)
		}
		if ok {
			if m["channel"] != chs[1] || m["data"] != "after" {
				t.Fatalf("after the gap node A got %v", m)
			}
			if n != 1 {
				t.Errorf("PUBLISH after the gap = %d receivers, want 1", n)
			}
			break
		}
	}
	if !sawGap {
		t.Error("no gap event on " + backend.SystemChannel)
	}
	if a.bk.Stats().Gaps == 0 {
		t.Error("node A's backend counted no gap")
	}
}

// TestBackendUnreachableAtStart: a node whose backend cannot be reached
// does not start, and says why.
func TestBackendUnreachableAtStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := backend.Open(ctx, "redis://127.0.0.1:1", broker.New(), backend.Options{Timeout: time.Second})
	if err == nil {
		t.Fatal("Open of an unreachable backend succeeded")
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error %q does not name the backend", err)
	}
}

// A pipelined batch of publishes on a backend node goes to Redis in one
// round trip, and the replies keep their order and CLIENT REPLY's rules
// among the other commands of the pipeline.
func TestScaleOutPipelinedPublish(t *testing.T) {
	r := redistest.Start(t)
	a, b := startNode(t, "redis://"+r.Addr()), startNode(t, "redis://"+r.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	sub := a.resp.Subscribe(ctx, "a")
	defer sub.Close()
	if _, err := sub.Receive(ctx); err != nil {
		t.Fatal(err)
	}

	nc, err := net.Dial("tcp", b.srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	var pipeline strings.Builder
	for _, cmd := range [][]string{
		{"PUBLISH", "a", "1"}, {"PUBLISH", "a", "2"}, {"PING"}, {"SPUBLISH", "s", "x"}, {"PUBLISH", "a", "3"},
		{"CLIENT", "REPLY", "SKIP"}, {"PUBLISH", "a", "4"}, {"PUBLISH", "a", "5"}, {"NOSUCHCOMMAND"}, {"PUBLISH", "a", "6"},
	} {
		fmt.Fprintf(&pipeline, "*%d\r\n", len(cmd))
		for _, arg := range cmd {
			fmt.Fprintf(&pipeline, "$%d\r\n%s\r\n", len(arg), arg)
		}
	}
	if _, err := nc.Write([]byte(pipeline.String())); err != nil {
		t.Fatal(err)
	}
	want := ":1\r\n:1\r\n+PONG\r\n:0\r\n:1\r\n:1\r\n-ERR unknown command 'NOSUCHCOMMAND', with args beginning with: \r\n:1\r\n"
	got := make([]byte, len(want))
	if _, err := io.ReadFull(nc, got); err != nil || string(got) != want {
		t.Fatalf("replies %q, %v; want %q", got, err, want)
	}
	for i := 1; i <= 6; i++ {
		select {
		case m := <-sub.Channel():
			if m.Payload != strconv.Itoa(i) {
				t.Fatalf("message %d: %q", i, m.Payload)
			}
		case <-ctx.Done():
			t.Fatalf("message %d did not arrive", i)
		}
	}
}
