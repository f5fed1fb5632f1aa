package broker_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/heraldhq/herald/broker"
)

func nextCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func expectNext(t *testing.T, in *broker.Inbox, want broker.Delivery) {
	t.Helper()
	got, err := in.Next(nextCtx(t))
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	if got.Kind != want.Kind || got.Pattern != want.Pattern || got.Channel != want.Channel || string(got.Payload) != string(want.Payload) {
		t.Fatalf("Next = %+v, want %+v", got, want)
	}
}

// TestInboxDelivery: an inbox receives what it subscribed to, in order,
// across channels, patterns and shard channels, with its own copy of the
// bytes.
func TestInboxDelivery(t *testing.T) {
	b := broker.New()
	in := b.NewInbox(0)
	defer in.Close()
	in.Subscribe("a", "b")
	in.PSubscribe("a*")
	in.SSubscribe("s")

	channel, payload := []byte("a"), []byte("one")
	if n := b.Publish(channel, payload, nil); n != 2 {
		t.Fatalf("Publish a = %d, want 2", n)
	}
	// The publisher's buffers are its own again once Publish returns.
	copy(channel, "z")
	copy(payload, "XXX")
	b.Publish([]byte("b"), []byte("two"), nil)
	b.SPublish([]byte("s"), []byte("three"), nil)
	b.Publish([]byte("s"), []byte("not shard"), nil)

	expectNext(t, in, broker.Delivery{Kind: broker.KindMessage, Channel: "a", Payload: []byte("one")})
	expectNext(t, in, broker.Delivery{Kind: broker.KindPMessage, Pattern: "a*", Channel: "a", Payload: []byte("one")})
	expectNext(t, in, broker.Delivery{Kind: broker.KindMessage, Channel: "b", Payload: []byte("two")})
	expectNext(t, in, broker.Delivery{Kind: broker.KindSMessage, Channel: "s", Payload: []byte("three")})

	in.Unsubscribe("a")
	in.PUnsubscribe("a*")
	in.SUnsubscribe("s")
	if n := b.Publish([]byte("a"), []byte("gone"), nil); n != 0 {
		t.Fatalf("Publish after Unsubscribe reached %d", n)
	}
	b.Publish([]byte("b"), []byte("four"), nil)
	expectNext(t, in, broker.Delivery{Kind: broker.KindMessage, Channel: "b", Payload: []byte("four")})
}

// TestInboxNextWaits: Next blocks until a message comes or its context
// ends.
func TestInboxNextWaits(t *testing.T) {
	b := broker.New()
	in := b.NewInbox(0)
	defer in.Close()
	in.Subscribe("later")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := in.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next on an empty inbox = %v, want the context's error", err)
	}

	got := make(chan broker.Delivery, 1)
	go func() {
		d, err := in.Next(nextCtx(t))
		if err != nil {
			t.Errorf("Next: %v", err)
		}
		got <- d
	}()
	b.Publish([]byte("later"), []byte("now"), nil)
	select {
	case d := <-got:
		if string(d.Payload) != "now" {
			t.Fatalf("got %q", d.Payload)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not wake up")
	}
}

// TestInboxOverflow: an inbox holding its limit of undelivered messages is
// closed and unsubscribed when one more arrives, and Next says why; the
// publisher is not held up and other subscribers are unaffected.
func TestInboxOverflow(t *testing.T) {
	const limit = 10
	b := broker.New()
	slow := b.NewInbox(limit)
	fast := b.NewInbox(limit)
	defer fast.Close()
	slow.Subscribe("c")
	slow.PSubscribe("x*")
	slow.SSubscribe("s")
	fast.Subscribe("c")

	for i := range limit {
		if n := b.Publish([]byte("c"), []byte(strconv.Itoa(i)), nil); n != 2 {
			t.Fatalf("publish %d reached %d", i, n)
		}
		expectNext(t, fast, broker.Delivery{Kind: broker.KindMessage, Channel: "c", Payload: []byte(strconv.Itoa(i))})
	}
	b.Publish([]byte("c"), []byte("overflow"), nil) // the eleventh: one too many for slow
	expectNext(t, fast, broker.Delivery{Kind: broker.KindMessage, Channel: "c", Payload: []byte("overflow")})

	if _, err := slow.Next(nextCtx(t)); !errors.Is(err, broker.ErrSlowConsumer) {
		t.Fatalf("Next after overflow = %v, want ErrSlowConsumer", err)
	}
	// The queued messages are dropped, not handed out after the error.
	if _, err := slow.Next(nextCtx(t)); !errors.Is(err, broker.ErrSlowConsumer) {
		t.Fatalf("Next again = %v, want ErrSlowConsumer", err)
	}
	// Unsubscribing happens in the background: wait for it.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ch, pat, sh := b.Counts(slow)
		if ch+pat+sh == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the overflowed inbox still holds %d %d %d subscriptions", ch, pat, sh)
		}
		time.Sleep(time.Millisecond)
	}
	if n := b.Publish([]byte("c"), []byte("after"), nil); n != 1 {
		t.Fatalf("Publish after the overflow reached %d, want 1", n)
	}
	if st := b.Stats(); st != (broker.Stats{Channels: 1}) {
		t.Fatalf("Stats = %+v, want only fast's channel", st)
	}
	slow.Close() // closing an overflowed inbox is harmless
	if _, err := slow.Next(nextCtx(t)); !errors.Is(err, broker.ErrSlowConsumer) {
		t.Fatalf("Next after Close of an overflowed inbox = %v, want ErrSlowConsumer still", err)
	}
}

// TestInboxOverflowWhileReading: an inbox that keeps up is never cut off,
// however many messages pass through it.
func TestInboxOverflowWhileReading(t *testing.T) {
	const limit, messages = 4, 1000
	b := broker.New()
	in := b.NewInbox(limit)
	defer in.Close()
	in.Subscribe("c")
	for i := range messages {
		b.Publish([]byte("c"), []byte(strconv.Itoa(i)), nil)
		if i%limit == limit-1 {
			for j := i - limit + 1; j <= i; j++ {
				expectNext(t, in, broker.Delivery{Kind: broker.KindMessage, Channel: "c", Payload: []byte(strconv.Itoa(j))})
			}
		}
	}
}

// TestInboxClose: Close unsubscribes, wakes a waiting Next and makes every
// later Next return ErrClosed.
func TestInboxClose(t *testing.T) {
	b := broker.New()
	in := b.NewInbox(0)
	in.Subscribe("c")
	in.PSubscribe("*")
	in.SSubscribe("s")

	errc := make(chan error, 1)
	go func() {
		_, err := in.Next(nextCtx(t))
		errc <- err
	}()
	in.Close()
	select {
	case err := <-errc:
		// Next may have started before or after Close.
		if !errors.Is(err, broker.ErrClosed) {
			t.Fatalf("waiting Next = %v, want ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake Next")
	}
	if st := b.Stats(); st != (broker.Stats{}) {
		t.Fatalf("Stats after Close = %+v", st)
	}
	if n := b.Publish([]byte("c"), []byte("x"), nil); n != 0 {
		t.Fatalf("Publish after Close reached %d", n)
	}
	if _, err := in.Next(nextCtx(t)); !errors.Is(err, broker.ErrClosed) {
		t.Fatalf("Next after Close = %v, want ErrClosed", err)
	}
	in.Close() // twice is harmless
}

// TestInboxSubscribeAfterClose: a closed inbox drops every delivery, so it
// must not hold subscriptions either: they would count in PUBLISH's reply
// and in PUBSUB NUMSUB forever.
func TestInboxSubscribeAfterClose(t *testing.T) {
	b := broker.New()
	in := b.NewInbox(0)
	in.Close()
	in.Subscribe("c")
	in.PSubscribe("p*")
	in.SSubscribe("s")
	if n := b.Publish([]byte("c"), []byte("x"), nil); n != 0 {
		t.Errorf("Publish to a closed inbox's channel counted %d deliveries", n)
	}
	if st := b.Stats(); st != (broker.Stats{}) {
		t.Errorf("a closed inbox holds subscriptions: %+v", st)
	}
}
