package broker

import (
	"strconv"
	"testing"
)

// The sketch keeps at most topCapacity channels however many are
// published to, and a channel far busier than the rest stays on top.
func TestTopChannelsBounded(t *testing.T) {
	var top topChannels
	for i := range 10_000 {
		top.add([]byte("hot"))
		top.add([]byte("cold:" + strconv.Itoa(i)))
	}
	if n := len(top.counts); n > topCapacity {
		t.Fatalf("sketch holds %d channels, want at most %d", n, topCapacity)
	}
	got := top.top(5)
	if len(got) != 5 {
		t.Fatalf("top(5) returned %d channels", len(got))
	}
	if got[0].Channel != "hot" || got[0].Published < 10_000*topSampleEvery {
		t.Fatalf("busiest %+v, want hot with at least %d", got[0], 10_000*topSampleEvery)
	}
}

// Publish feeds the sketch through BusiestChannels.
func TestBusiestChannels(t *testing.T) {
	b := New()
	for range 20 * topSampleEvery {
		b.Publish([]byte("news"), []byte("x"), nil)
	}
	got := b.BusiestChannels(10)
	if len(got) != 1 || got[0].Channel != "news" || got[0].Published == 0 {
		t.Fatalf("BusiestChannels = %+v, want news", got)
	}
}

// Each publish is sampled with probability 1/topSampleEvery, whether its
// batch is fresh or long-lived.
func TestTopChannelsSampleRate(t *testing.T) {
	const n = 160_000
	for _, fresh := range []bool{false, true} {
		var top topChannels
		var batch Batch
		for range n {
			if fresh {
				batch = Batch{}
			}
			top.sample([]byte("c"), &batch)
		}
		got, want := top.counts["c"], int64(n/topSampleEvery)
		if got < want*9/10 || got > want*11/10 {
			t.Errorf("fresh batches %v: %d samples of %d publishes, want about %d", fresh, got, n, want)
		}
	}
}

func BenchmarkTopChannelsSample(b *testing.B) {
	var top topChannels
	var batch Batch
	ch := []byte("channel")
	for b.Loop() {
		top.sample(ch, &batch)
	}
}
