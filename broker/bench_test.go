package broker_test

import (
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/heraldhq/herald/broker"
)

// encodes counts the calls of the test formats' encoders.
var encodes atomic.Int64

// Two wire formats for tests, standing in for RESP2 and RESP3.
var (
	testFormat  = broker.RegisterFormat(func(dst []byte, m *broker.Message) []byte { return encodeTest(dst, m, false) })
	otherFormat = broker.RegisterFormat(func(dst []byte, m *broker.Message) []byte { return encodeTest(dst, m, true) })
)

func encodeTest(dst []byte, m *broker.Message, upper bool) []byte {
	encodes.Add(1)
	kind := map[broker.Kind]string{broker.KindMessage: "message", broker.KindPMessage: "pmessage", broker.KindSMessage: "smessage"}[m.Kind]
	if upper {
		kind = map[broker.Kind]string{broker.KindMessage: "MESSAGE", broker.KindPMessage: "PMESSAGE", broker.KindSMessage: "SMESSAGE"}[m.Kind]
	}
	dst = append(dst, kind...)
	if m.Kind == broker.KindPMessage {
		dst = append(dst, '|')
		dst = append(dst, m.Pattern...)
	}
	dst = append(dst, '|')
	dst = append(dst, m.Channel...)
	dst = append(dst, '|')
	return append(dst, m.Payload...)
}

// framer is a subscriber that does what a connection does on delivery,
// minus the socket: it appends the message's frame in its format to its
// buffer and joins the publisher's batch; Flush empties the buffer when
// reset is set.
type framer struct {
	format broker.Format
	buf    []byte
	queued bool
	reset  bool
}

func (f *framer) Deliver(m *broker.Message, batch *broker.Batch) {
	f.buf = append(f.buf, m.Frame(f.format)...)
	if !f.queued {
		f.queued = true
		batch.Add(f)
	}
}

func (f *framer) Flush() {
	f.queued = false
	if f.reset {
		f.buf = f.buf[:0]
	}
}

func benchmarkPublish(b *testing.B, subscribers int) {
	br := broker.New()
	for range subscribers {
		br.Subscribe(&framer{format: testFormat, reset: true}, "bench")
	}
	channel := []byte("bench")
	payload := make([]byte, 64)
	var batch broker.Batch
	b.ReportAllocs()
	for b.Loop() {
		if n := br.Publish(channel, payload, &batch); n != subscribers {
			b.Fatalf("Publish reached %d, want %d", n, subscribers)
		}
		batch.Flush()
	}
	b.ReportMetric(float64(subscribers)*float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}

func BenchmarkPublish1Subscribers(b *testing.B)     { benchmarkPublish(b, 1) }
func BenchmarkPublish100Subscribers(b *testing.B)   { benchmarkPublish(b, 100) }
func BenchmarkPublish10000Subscribers(b *testing.B) { benchmarkPublish(b, 10000) }

// BenchmarkPublish10000Patterns publishes with 10,000 patterns subscribed,
// one subscriber each, in several shapes; each publish matches exactly one
// pattern, so the cost is finding it.
func BenchmarkPublish10000Patterns(b *testing.B) {
	const patterns = 10000
	shapes := []struct {
		name    string
		pattern func(i int) string
		channel func(i int) string
	}{
		{"prefix", func(i int) string { return "user:" + strconv.Itoa(i) + ":*" },
			func(i int) string { return "user:" + strconv.Itoa(i) + ":login" }},
		{"shared-prefix", func(i int) string { return "orders:*:" + strconv.Itoa(i) },
			func(i int) string { return "orders:eu:" + strconv.Itoa(i) }},
		{"suffix", func(i int) string { return "*." + strconv.Itoa(i) + ".events" },
			func(i int) string { return "app." + strconv.Itoa(i) + ".events" }},
		{"infix", func(i int) string { return "*:" + strconv.Itoa(i) + ":*" },
			func(i int) string { return "x:" + strconv.Itoa(i) + ":y" }},
	}
	for _, shape := range shapes {
		b.Run(shape.name, func(b *testing.B) {
			br := broker.New()
			for i := range patterns {
				br.PSubscribe(&framer{format: testFormat, reset: true}, shape.pattern(i))
			}
			channels := make([][]byte, 64)
			for i := range channels {
				channels[i] = []byte(shape.channel(i * 151 % patterns))
			}
			payload := make([]byte, 64)
			var batch broker.Batch
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if n := br.Publish(channels[i%len(channels)], payload, &batch); n != 1 {
					b.Fatalf("%s reached %d subscribers, want 1", channels[i%len(channels)], n)
				}
				batch.Flush()
				i++
			}
		})
	}
}
