package bus

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/heraldhq/herald/broker"
)

func TestLocal(t *testing.T) {
	ctx := context.Background()
	b := broker.New()
	l := NewLocal(b)
	in := b.NewInbox(0)
	defer in.Close()

	mustCount := func(n int, err error, want int) {
		t.Helper()
		if err != nil || n != want {
			t.Fatalf("got %d, %v; want %d", n, err, want)
		}
	}
	n, err := l.Subscribe(ctx, in, "news")
	mustCount(n, err, 1)
	n, err = l.PSubscribe(ctx, in, "n*")
	mustCount(n, err, 2)
	n, err = l.Publish(ctx, "news", []byte("hi"))
	mustCount(n, err, 2)
	for _, want := range []string{"", "n*"} {
		d, err := in.Next(ctx)
		if err != nil || d.Channel != "news" || d.Pattern != want || string(d.Payload) != "hi" {
			t.Fatalf("delivery %+v, %v", d, err)
		}
	}
	chans, err := l.Channels(ctx, "")
	if err != nil || !slices.Equal(chans, []string{"news"}) {
		t.Fatalf("Channels: %q, %v", chans, err)
	}
	chans, _ = l.Channels(ctx, "x*")
	if len(chans) != 0 {
		t.Fatalf("Channels x*: %q", chans)
	}
	counts, err := l.NumSub(ctx, "news", "other")
	if err != nil || !slices.Equal(counts, []int{1, 0}) {
		t.Fatalf("NumSub: %v, %v", counts, err)
	}
	n, err = l.Unsubscribe(ctx, in, "news")
	mustCount(n, err, 1)
	n, err = l.PUnsubscribe(ctx, in, "n*")
	mustCount(n, err, 0)
	l.Subscribe(ctx, in, "a")
	if err := l.UnsubscribeAll(ctx, in); err != nil {
		t.Fatal(err)
	}
	if counts, _ := l.NumSub(ctx, "a"); counts[0] != 0 {
		t.Fatalf("after UnsubscribeAll: %v", counts)
	}
	l.Close()
	if _, err := l.Publish(ctx, "a", nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Publish after Close: %v", err)
	}
}
