package broker_test

import (
	"testing"

	"github.com/heraldhq/herald/broker"
)

// TestHolds: Holds tells each kind of subscription apart, and forgets what
// was unsubscribed.
func TestHolds(t *testing.T) {
	b := broker.New()
	r, other := new(recorder), new(recorder)
	b.Subscribe(r, "news")
	b.PSubscribe(r, "n*")
	b.SSubscribe(r, "shard")
	for _, tc := range []struct {
		kind broker.Kind
		name string
		want bool
	}{
		{broker.KindMessage, "news", true},
		{broker.KindPMessage, "news", false},
		{broker.KindSMessage, "news", false},
		{broker.KindPMessage, "n*", true},
		{broker.KindMessage, "n*", false},
		{broker.KindSMessage, "shard", true},
		{broker.KindMessage, "shard", false},
	} {
		if got := b.Holds(r, tc.kind, tc.name); got != tc.want {
			t.Errorf("Holds(%v, %q) = %v, want %v", tc.kind, tc.name, got, tc.want)
		}
	}
	if b.Holds(other, broker.KindMessage, "news") {
		t.Error("a subscriber that holds nothing holds news")
	}
	b.Unsubscribe(r, "news")
	if b.Holds(r, broker.KindMessage, "news") {
		t.Error("news is held after UNSUBSCRIBE")
	}
	b.UnsubscribeAll(r)
	if b.Holds(r, broker.KindPMessage, "n*") || b.Holds(r, broker.KindSMessage, "shard") {
		t.Error("subscriptions held after UnsubscribeAll")
	}
}
