package broker_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/heraldhq/herald/broker"
)

// watchLog is a Watcher that records what it is told.
type watchLog struct {
	mu  sync.Mutex
	got []string
}

func (w *watchLog) Watch(kind broker.Kind, name string, on bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	sign := "-"
	if on {
		sign = "+"
	}
	w.got = append(w.got, fmt.Sprintf("%s%c:%s", sign, "cps"[kind], name))
}

func (w *watchLog) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	got := w.got
	w.got = nil
	return got
}

func expectWatched(t *testing.T, w *watchLog, want ...string) {
	t.Helper()
	if got := w.take(); !slices.Equal(got, want) {
		t.Fatalf("watcher told:\n got %q\nwant %q", got, want)
	}
}

// TestWatcherFirstAndLast checks that the watcher hears of a name's first
// subscriber and its last, of every kind, through every way of leaving, and
// of nothing in between.
func TestWatcherFirstAndLast(t *testing.T) {
	b := broker.New()
	w := new(watchLog)
	b.SetWatcher(w)
	r1, r2 := new(recorder), new(recorder)

	b.Subscribe(r1, "a")
	b.Subscribe(r1, "a")
	b.Subscribe(r2, "a")
	b.PSubscribe(r1, "a*")
	b.PSubscribe(r2, "a*")
	b.SSubscribe(r1, "a")
	b.SSubscribe(r2, "a")
	expectWatched(t, w, "+c:a", "+p:a*", "+s:a")

	b.Unsubscribe(r1, "a")
	b.Unsubscribe(r1, "a")
	b.PUnsubscribe(r1, "a*")
	b.SUnsubscribe(r1, "a")
	b.Unsubscribe(r1, "never")
	expectWatched(t, w)

	b.Unsubscribe(r2, "a")
	b.PUnsubscribe(r2, "a*")
	b.SUnsubscribe(r2, "a")
	expectWatched(t, w, "-c:a", "-p:a*", "-s:a")

	b.Subscribe(r1, "x")
	b.Subscribe(r2, "x")
	b.PSubscribe(r1, "x*")
	b.SSubscribe(r1, "x")
	b.Subscribe(r1, "y")
	expectWatched(t, w, "+c:x", "+p:x*", "+s:x", "+c:y")
	b.UnsubscribeAll(r1)
	got := w.take()
	slices.Sort(got)
	if want := []string{"-c:y", "-p:x*", "-s:x"}; !slices.Equal(got, want) {
		t.Fatalf("UnsubscribeAll told the watcher %q, want %q", got, want)
	}
	b.UnsubscribeAll(r2)
	expectWatched(t, w, "-c:x")
}

// TestWatcherOrder checks that, with subscriptions changing from many
// goroutines, replaying what the watcher was told ends in the broker's own
// state: every name told "on" last is subscribed, and no other.
func TestWatcherOrder(t *testing.T) {
	b := broker.New()
	w := new(watchLog)
	b.SetWatcher(w)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := new(recorder)
			for i := range 400 {
				name := fmt.Sprint("c", (i+g)%5)
				switch i % 4 {
				case 0, 1:
					b.Subscribe(r, name)
				case 2:
					b.Unsubscribe(r, name)
				case 3:
					if i%8 == 3 {
						b.UnsubscribeAll(r)
					}
				}
			}
			if g%2 == 0 {
				b.UnsubscribeAll(r)
			}
		}()
	}
	wg.Wait()
	on := map[string]bool{}
	for _, e := range w.take() {
		name := e[3:]
		if on[name] == (e[0] == '+') {
			t.Fatalf("watcher told %q twice in a row", e)
		}
		on[name] = e[0] == '+'
	}
	var replayed []string
	for name, isOn := range on {
		if isOn {
			replayed = append(replayed, name)
		}
	}
	expectStrings(t, "channels replayed from the watcher", replayed, b.Channels())
}

// TestDeliverChannel checks that a message from a backend reaches the
// channel's subscribers only, not the patterns matching it, and is flushed
// by the batch as Publish's deliveries are.
func TestDeliverChannel(t *testing.T) {
	b := broker.New()
	r, p := new(recorder), new(recorder)
	b.Subscribe(r, "news")
	b.PSubscribe(p, "n*")
	b.SSubscribe(p, "news")

	expectInt(t, "DeliverChannel news", b.DeliverChannel([]byte("news"), []byte("hi"), nil), 1)
	expectDeliveries(t, r, msg("news", "hi"))
	expectDeliveries(t, p)
	expectInt(t, "flushes", r.flushes, 1)

	batch := new(broker.Batch)
	b.DeliverChannel([]byte("news"), []byte("1"), batch)
	b.DeliverChannel([]byte("news"), []byte("2"), batch)
	expectInt(t, "pending in batch", batch.Len(), 1)
	batch.Flush()
	expectInt(t, "flushes after a batch of two", r.flushes, 2)
	expectDeliveries(t, r, msg("news", "1"), msg("news", "2"))

	expectInt(t, "DeliverChannel nobody", b.DeliverChannel([]byte("none"), []byte("x"), nil), 0)
}

// TestDeliverPattern checks that a pattern match from a backend reaches the
// subscribers of exactly that pattern, as a pmessage, without matching the
// channel again, and nobody else.
func TestDeliverPattern(t *testing.T) {
	b := broker.New()
	star, nstar, ch := new(recorder), new(recorder), new(recorder)
	b.PSubscribe(star, "*")
	b.PSubscribe(nstar, "n*")
	b.Subscribe(ch, "news")

	expectInt(t, "DeliverPattern n*", b.DeliverPattern("n*", []byte("news"), []byte("hi"), nil), 1)
	expectDeliveries(t, nstar, pmsg("n*", "news", "hi"))
	expectDeliveries(t, star)
	expectDeliveries(t, ch)

	// The backend matched: the broker does not second-guess it.
	expectInt(t, "DeliverPattern n* on x", b.DeliverPattern("n*", []byte("x"), []byte("y"), nil), 1)
	expectDeliveries(t, nstar, pmsg("n*", "x", "y"))
	expectInt(t, "DeliverPattern unknown", b.DeliverPattern("q*", []byte("q"), []byte("y"), nil), 0)

	// Shard delivery from a backend is SPublish, which reaches shard
	// subscribers only.
	b.SSubscribe(ch, "news")
	expectInt(t, "SPublish news", b.SPublish([]byte("news"), []byte("s"), nil), 1)
	expectDeliveries(t, ch, smsg("news", "s"))
	expectDeliveries(t, star)
}
