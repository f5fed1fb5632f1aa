package backend

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald/broker"
)

// testTimeout bounds each wait in these tests.
const testTimeout = 10 * time.Second

// node is one Herald node in a test: a broker and the backend it shares.
type node struct {
	t  *testing.T
	b  *broker.Broker
	bk *Backend
}

func openNode(t *testing.T, url string) *node {
	t.Helper()
	b := broker.New()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	bk, err := Open(ctx, url, b, Options{MinBackoff: 10 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bk.Close() })
	return &node{t, b, bk}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// inbox returns a local subscriber, closed at the end of test t.
func (n *node) inbox(t *testing.T) *broker.Inbox {
	in := n.b.NewInbox(0)
	t.Cleanup(in.Close)
	return in
}

// expectSet reads len(want) deliveries from in, in any order, and checks
// that they are want.
func expectSet(t *testing.T, in *broker.Inbox, want []string) {
	t.Helper()
	missing := map[string]int{}
	for _, w := range want {
		missing[w]++
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	for range want {
		d, err := in.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for deliveries: %v; still missing %v", err, missing)
		}
		got := describe(d)
		if missing[got] == 0 {
			t.Fatalf("unexpected delivery %q; still missing %v", got, missing)
		}
		missing[got]--
	}
}

func (n *node) subscribe(in *broker.Inbox, channels ...string) {
	n.t.Helper()
	for _, c := range channels {
		if _, err := n.bk.Subscribe(ctxT(n.t), in, c); err != nil {
			n.t.Fatalf("Subscribe %q: %v", c, err)
		}
	}
}

func (n *node) psubscribe(in *broker.Inbox, patterns ...string) {
	n.t.Helper()
	for _, p := range patterns {
		if _, err := n.bk.PSubscribe(ctxT(n.t), in, p); err != nil {
			n.t.Fatalf("PSubscribe %q: %v", p, err)
		}
	}
}

func (n *node) ssubscribe(in *broker.Inbox, channels ...string) {
	n.t.Helper()
	for _, c := range channels {
		if _, err := n.bk.SSubscribe(ctxT(n.t), in, c); err != nil {
			n.t.Fatalf("SSubscribe %q: %v", c, err)
		}
	}
}

func (n *node) publish(channel, payload string) int {
	n.t.Helper()
	got, err := n.bk.Publish(ctxT(n.t), channel, []byte(payload))
	if err != nil {
		n.t.Fatalf("Publish %q: %v", channel, err)
	}
	return got
}

// describe is how a test spells a delivery: "message ch payload",
// "pmessage pat ch payload", "smessage ch payload".
func describe(d broker.Delivery) string {
	switch d.Kind {
	case broker.KindPMessage:
		return fmt.Sprintf("pmessage %s %s %s", d.Pattern, d.Channel, d.Payload)
	case broker.KindSMessage:
		return fmt.Sprintf("smessage %s %s", d.Channel, d.Payload)
	}
	return fmt.Sprintf("message %s %s", d.Channel, d.Payload)
}

// expectNext reads the next delivery of in and checks it.
func expectNext(t *testing.T, in *broker.Inbox, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	d, err := in.Next(ctx)
	if err != nil {
		t.Fatalf("waiting for %q: %v", want, err)
	}
	if got := describe(d); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// expectNone checks that in has nothing queued, after a round trip that
// would have brought a stray message: a marker published on a channel in
// was subscribed to by the caller arrives first.
func expectQuiet(t *testing.T, n *node, in *broker.Inbox, marker string) {
	t.Helper()
	n.publish(marker, "marker")
	expectNext(t, in, "message "+marker+" marker")
}

// eventually polls cond until it holds or the test's deadline passes.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not so after %v (%s)", what, testTimeout, detail)
		}
		time.Sleep(5 * time.Millisecond) // polling Redis, which has no event to wait on
	}
}

func contains(s []string, x string) bool {
	for _, y := range s {
		if y == x {
			return true
		}
	}
	return false
}
