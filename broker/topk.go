package broker

import (
	"math"
	"math/rand/v2"
	"sort"
	"sync"
)

// The busiest channels are estimated with a space-saving sketch (Metwally,
// Agrawal and El Abbadi, 2005) fed by a sample of publishes, so that
// /metrics can show them without one series per channel.
//
// Cost on the publish path: a decrement of a counter in the publisher's
// Batch, which says when the next sampled publish comes (a geometric draw,
// so each publish is sampled with probability 1/topSampleEvery whether a
// batch carries one publish or thousands). A sampled publish, one in
// topSampleEvery, draws the next gap (a random number and a logarithm) and
// takes the sketch's mutex for a map update, or a scan of at most
// topCapacity counters when the channel is not monitored.
const (
	// topSampleEvery: one publish in this many is counted.
	topSampleEvery = 16
	// topCapacity is the number of channels the sketch monitors. It is
	// larger than the number reported, which makes the top few accurate.
	topCapacity = 64
)

// ChannelCount is one of the busiest channels and an estimate of how many
// messages were published to it since the broker started.
type ChannelCount struct {
	Channel   string
	Published int64
}

// topChannels is a space-saving sketch: at most topCapacity monitored
// channels, each with a count that overestimates its true count by at most
// the count of the channel it replaced. A channel that is not monitored
// replaces the one with the smallest count and inherits that count plus
// one. The zero value is ready to use.
type topChannels struct {
	mu     sync.Mutex
	counts map[string]int64 // in samples
}

// sample counts channel with probability 1/topSampleEvery, using batch's
// countdown to the next sampled publish.
func (t *topChannels) sample(channel []byte, batch *Batch) {
	if batch.sampleIn == 0 {
		batch.sampleIn = 1 + geometricGap()
	}
	batch.sampleIn--
	if batch.sampleIn == 0 {
		t.add(channel)
	}
}

// logKeep is ln(1 - 1/topSampleEvery).
var logKeep = math.Log1p(-1.0 / topSampleEvery)

// geometricGap draws how many publishes go unsampled before the next
// sampled one, when each is sampled with probability 1/topSampleEvery.
func geometricGap() uint32 {
	u := 1 - rand.Float64() // in (0, 1]
	return uint32(min(math.Floor(math.Log(u)/logKeep), 1<<20))
}

// add counts one sample of channel.
func (t *topChannels) add(channel []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.counts[string(channel)]; ok {
		t.counts[string(channel)]++
		return
	}
	if t.counts == nil {
		t.counts = make(map[string]int64, topCapacity)
	}
	if len(t.counts) < topCapacity {
		t.counts[string(channel)] = 1
		return
	}
	var minName string
	minCount := int64(-1)
	for name, n := range t.counts {
		if minCount < 0 || n < minCount {
			minName, minCount = name, n
		}
	}
	delete(t.counts, minName)
	t.counts[string(channel)] = minCount + 1
}

// top returns the k channels with the largest counts, largest first, with
// the counts scaled from samples to publishes.
func (t *topChannels) top(k int) []ChannelCount {
	t.mu.Lock()
	out := make([]ChannelCount, 0, len(t.counts))
	for name, n := range t.counts {
		out = append(out, ChannelCount{Channel: name, Published: n * topSampleEvery})
	}
	t.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Published != out[j].Published {
			return out[i].Published > out[j].Published
		}
		return out[i].Channel < out[j].Channel
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// BusiestChannels returns at most k channels (k at most 64) that received
// the most PUBLISH calls since the broker started, busiest first, with
// estimated counts. The estimate comes from a sample of one publish in 16:
// a channel needs a few hundred publishes before its count means much.
// Shard channels (SPUBLISH) are not counted.
func (b *Broker) BusiestChannels(k int) []ChannelCount {
	return b.top.top(k)
}
