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
// redis-server tests every pattern on every PUBLISH, about a millisecond at
// 10,000 patterns, and answers a whole input buffer at once; a small window
// keeps its replies from arriving in bursts that are large against the
// measured window.
const patternsWindow = 100

// publishPayload is the payload size of the publish-rate cases.
const publishPayload = 64

// patternFor returns the i-th of the subscribed patterns. Four shapes take
// turns, each numbered by k = i/4: a common prefix with different suffixes,
// a common suffix, a literal prefix, and an inner literal.
func patternFor(i int) string {
	k := i / 4
	switch i % 4 {
	case 0:
		return fmt.Sprintf("orders:*:r%d", k)
	case 1:
		return fmt.Sprintf("t%d:*:events", k)
	case 2:
		return fmt.Sprintf("user:%d:*", k)
	default:
		return fmt.Sprintf("*:k%d:*", k)
	}
}

// patternChannels returns the channels the patterns case publishes to: one
// per 100 patterns (so at most 1% of the patterns ever match), spread over
// the four shapes and over the range of k, each matching exactly one
// pattern: patternFor(4*k + shape).
func patternChannels(patterns int) []string {
	perShape := max(1, patterns/100/4)
	ks := max(1, patterns/4)
	var channels []string
	for j := range perShape {
		k := j * ks / perShape
		channels = append(channels,
			fmt.Sprintf("orders:eu:r%d", k),
			fmt.Sprintf("t%d:x:events", k),
			fmt.Sprintf("user:%d:profile", k),
			fmt.Sprintf("a:k%d:b", k))
	}
	return channels
}

// patternsCase measures the PUBLISH rate while cfg.patterns patterns are
// subscribed (100 per connection). The publisher pipelines PUBLISH commands
// round-robin over patternChannels, each of which matches exactly one
// pattern; every reply is checked to be 1, and the pattern subscribers
// read their pmessage frames. The figure is PUBLISH replies per second.
func patternsCase(cfg *config) benchCase {
	return benchCase{
		group: "patterns",
		name:  fmt.Sprintf("patterns %d", cfg.patterns),
		metrics: []metric{{
			label: fmt.Sprintf("PUBLISH/s with %s patterns subscribed (≤1%% match)", thousands(int64(cfg.patterns))),
			unit:  perSecond,
		}},
		run: runPatterns,
	}
}

// runPatterns runs the patterns case against s.
func runPatterns(cfg *config, s *server) (caseResult, error) {
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
			args = append(args, patternFor(first(conn)+i))
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

	channels := patternChannels(cfg.patterns)
	perBatch := len(channels)
	for perBatch%2 == 0 && perBatch > 25 {
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
