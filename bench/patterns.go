package main

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
)

// patternsPerConn is how many patterns each pattern subscriber holds.
const patternsPerConn = 100

// patternsWindow bounds the PUBLISH commands in flight in the patterns case.
// It is deep enough that a server which matches patterns fast is limited by
// delivering (each published channel matches a pattern of a different
// subscriber connection, so a shallow pipeline costs one write per
// publish), and shallow enough that redis-server, which tests every pattern
// on every PUBLISH (about a millisecond at 10,000 patterns) and answers a
// whole input buffer at once, does not answer in bursts that are large
// against the measured window.
const patternsWindow = 400

// publishPayload is the payload size of the publish-rate cases.
const publishPayload = 64

// patternShape is one shape of subscribed pattern: pattern(k) is the k-th
// pattern of the shape and channel(k) a channel that matches pattern(k) and
// no other pattern of the shape.
type patternShape struct {
	name             string
	pattern, channel func(k int) string
}

// patternShapes are the shapes the issue names: a common prefix with
// different suffixes, a common suffix, a literal prefix, and an inner
// literal with wildcards around it.
var patternShapes = []patternShape{
	{"common prefix orders:*:r{k}",
		func(k int) string { return fmt.Sprintf("orders:*:r%d", k) },
		func(k int) string { return fmt.Sprintf("orders:eu:r%d", k) }},
	{"common suffix t{k}:*:events",
		func(k int) string { return fmt.Sprintf("t%d:*:events", k) },
		func(k int) string { return fmt.Sprintf("t%d:x:events", k) }},
	{"literal prefix user:{k}:*",
		func(k int) string { return fmt.Sprintf("user:%d:*", k) },
		func(k int) string { return fmt.Sprintf("user:%d:profile", k) }},
	{"inner literal *:k{k}:*",
		func(k int) string { return fmt.Sprintf("*:k%d:*", k) },
		func(k int) string { return fmt.Sprintf("a:k%d:b", k) }},
}

// patternSet is what one patterns case subscribes and publishes to.
type patternSet struct {
	name     string
	pattern  func(i int) string // the i-th subscribed pattern
	channels func(n int) []string
}

// shapeSet subscribes n patterns of one shape and publishes to one channel
// per 100 patterns (so at most 1% of the patterns ever match), spread over
// the range of k, each matching exactly one pattern.
func shapeSet(shape patternShape) patternSet {
	return patternSet{
		name:    shape.name,
		pattern: shape.pattern,
		channels: func(n int) []string {
			count := max(1, n/100)
			var channels []string
			for j := range count {
				channels = append(channels, shape.channel(j*n/count))
			}
			return channels
		},
	}
}

// mixedSet takes the four shapes in turn, n/4 patterns of each.
var mixedSet = patternSet{
	name: "all four shapes mixed",
	pattern: func(i int) string {
		return patternShapes[i%len(patternShapes)].pattern(i / len(patternShapes))
	},
	channels: func(n int) []string {
		shapes := len(patternShapes)
		perShape := max(1, n/100/shapes)
		ks := max(1, n/shapes)
		var channels []string
		for j := range perShape {
			for _, shape := range patternShapes {
				channels = append(channels, shape.channel(j*ks/perShape))
			}
		}
		return channels
	},
}

// patternsCase measures the PUBLISH rate while cfg.patterns patterns of set
// are subscribed (100 per connection). The publisher pipelines PUBLISH
// commands round-robin over the set's channels, each of which matches
// exactly one pattern; every reply is checked to be 1, and the pattern
// subscribers read their pmessage frames. The figure is PUBLISH replies per
// second.
func patternsCase(cfg *config, set patternSet) benchCase {
	return benchCase{
		group: "patterns",
		name:  fmt.Sprintf("patterns %d, %s", cfg.patterns, set.name),
		metrics: []metric{{
			label: fmt.Sprintf("PUBLISH/s, %s patterns (≤1%% match): %s", thousands(int64(cfg.patterns)), set.name),
			unit:  perSecond,
		}},
		run: func(cfg *config, s *server) (caseResult, error) { return runPatterns(cfg, s, set) },
	}
}

// runPatterns runs the patterns case for set against s.
func runPatterns(cfg *config, s *server, set patternSet) (caseResult, error) {
	subConns := (cfg.patterns + patternsPerConn - 1) / patternsPerConn
	conns, err := dialMany(s.addr, subConns+1)
	if err != nil {
		return caseResult{}, err
	}
	defer closeAll(conns)
	first := func(conn int) int { return conn * patternsPerConn }
	count := func(conn int) int { return min(cfg.patterns, first(conn+1)) - first(conn) }
	psubscribe := func(conn int) []byte {
		args := []string{"PSUBSCRIBE"}
		for i := range count(conn) {
			args = append(args, set.pattern(first(conn)+i))
		}
		return appendCommandStrings(nil, args...)
	}
	// Connections hold different numbers of patterns only if cfg.patterns
	// is not a multiple of patternsPerConn; read acks per connection.
	var readers []*frameReader
	for c := range subConns {
		r, err := subscribeAll(conns[c:c+1], func(int) []byte { return psubscribe(c) }, count(c), 64<<10)
		if err != nil {
			return caseResult{}, err
		}
		readers = append(readers, r...)
	}

	channels := set.channels(cfg.patterns)
	perBatch := len(channels)
	for perBatch%2 == 0 && perBatch > 100 {
		perBatch /= 2
	}
	batches := publishBatches(len(channels), perBatch, func(i int) string { return channels[i] }, makePayload(publishPayload))
	pub := newPublisher(conns[subConns], batches, int64(perBatch), patternsWindow, 1)
	return runPublishRate(cfg, s, pub, conns, readers)
}

// runPublishRate runs pub against s until the measured window is over,
// while readers drain (and count) whatever the subscribers receive, and
// returns PUBLISH replies per second. It closes conns at the end.
func runPublishRate(cfg *config, s *server, pub *publisher, conns []net.Conn, readers []*frameReader) (caseResult, error) {
	var (
		stopping  atomic.Bool
		delivered atomic.Int64
		wg        sync.WaitGroup
	)
	for _, fr := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := drain(fr, &delivered); err != nil && !stopping.Load() {
				pub.fail(fmt.Errorf("subscriber: %w", err))
			}
		}()
	}
	stop := make(chan struct{})
	go pub.readReplies()
	go pub.run(stop)

	rate, cpu := measureRate(cfg, s, pub.replied.Load)

	stopping.Store(true)
	pub.stop(stop)
	closeAll(conns)
	wg.Wait()
	if err := errors.Join(s.checkAlive(), pub.err()); err != nil {
		return caseResult{}, err
	}
	res := caseResult{values: []float64{rate}, cpu: cpu}
	if n := pub.wrong.Load(); n > 0 {
		res.notes = append(res.notes, fmt.Sprintf("%d PUBLISH replies were not %d", n, pub.expect))
	}
	return res, nil
}

// drain reads frames from fr until the connection ends, adding the number
// of frames to delivered after each read.
func drain(fr *frameReader, delivered *atomic.Int64) error {
	for {
		var n int64
		for {
			_, ok, err := fr.buffered()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			n++
		}
		delivered.Add(n)
		if err := fr.fill(); err != nil {
			return err
		}
	}
}

// noSubscriberCase measures pipelined PUBLISH to a channel nobody is
// subscribed to: the cost of parsing a command and finding no receiver.
// Every reply is checked to be 0; the figure is replies per second.
func noSubscriberCase(cfg *config) benchCase {
	return benchCase{
		group: "nosub",
		name:  "publish, no subscribers",
		metrics: []metric{{
			label: fmt.Sprintf("PUBLISH/s to a channel with no subscribers, %d B", publishPayload),
			unit:  perSecond,
		}},
		run: func(cfg *config, s *server) (caseResult, error) {
			conns, err := dialMany(s.addr, 1)
			if err != nil {
				return caseResult{}, err
			}
			defer closeAll(conns)
			const perBatch = 128
			batches := publishBatches(perBatch, perBatch, func(int) string { return "bench:nobody" }, makePayload(publishPayload))
			pub := newPublisher(conns[0], batches, perBatch, 4096, 0)
			return runPublishRate(cfg, s, pub, conns, nil)
		},
	}
}

// thousands formats n with commas: 10000 becomes "10,000".
func thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
