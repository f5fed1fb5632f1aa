package main

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// The publisher of a fan-out case pauses while the average subscriber is
// more than maxLag messages behind. maxLag is the largest value (within
// [2, 4096]) that keeps the total backlog, maxLag × subscribers, within both
// budgets: enough that the pipeline never runs dry, small enough that a
// server never holds seconds of work (redis-server runs everything one read
// of pipelined input holds through PUBLISH before it writes to any
// subscriber) and that, with output-buffer limits off, its memory stays
// bounded.
const (
	fanoutLagDeliveries = 64 << 10
	fanoutLagBytes      = 64 << 20
)

// fanoutMaxLag returns maxLag for subs subscribers and frames of frameSize
// bytes, and the number of PUBLISH commands to write per batch.
func fanoutMaxLag(subs, frameSize int) (maxLag, perBatch int64) {
	lag := min(fanoutLagDeliveries/subs, fanoutLagBytes/(subs*frameSize))
	maxLag = int64(min(4096, max(2, lag)))
	return maxLag, min(128, max(1, maxLag/4))
}

// fanoutCase measures deliveries per second from one pipelining publisher
// to subs subscribers of one channel, with payloads of size bytes.
//
// Every subscriber has its own connection and goroutine and counts whole
// "message" frames; the figure is the number of frames all subscribers
// received per second over the measured window, not the number published.
// The publisher writes batches of PUBLISH commands and reads the replies
// on a second goroutine; it pauses while the average subscriber is more
// than maxLag messages behind, so the comparison is of steady delivery, not
// of how much a server can buffer.
func fanoutCase(subs, size int) benchCase {
	return benchCase{
		group: "fanout",
		name:  fmt.Sprintf("fanout %d subs × %d B", subs, size),
		metrics: []metric{{
			label: fmt.Sprintf("fan-out deliveries/s, %d subs × %d B", subs, size),
			unit:  perSecond,
		}},
		run: func(cfg *config, s *server) (caseResult, error) {
			return runFanout(cfg, s, subs, size)
		},
	}
}

// runFanout runs one fan-out case against s.
func runFanout(cfg *config, s *server, subs, size int) (caseResult, error) {
	const channel = "bench:fanout"
	conns, err := dialMany(s.addr, subs+1)
	if err != nil {
		return caseResult{}, err
	}
	defer closeAll(conns)
	subscribe := appendCommandStrings(nil, "SUBSCRIBE", channel)
	readers, err := subscribeAll(conns[:subs], func(int) []byte { return subscribe }, 1, subscriberBufSize(subs))
	if err != nil {
		return caseResult{}, err
	}

	counter := newFastCounter(messageHeader(channel, size), size)
	maxLag, perBatch := fanoutMaxLag(subs, counter.size)
	batches := publishBatches(int(perBatch), int(perBatch), func(int) string { return channel }, makePayload(size))
	pub := newPublisher(conns[subs], batches, perBatch, max(4096, 4*perBatch), int64(subs))
	var delivered atomic.Int64
	pub.gate = func(sent int64) bool { return sent-delivered.Load()/int64(subs) < maxLag }

	var (
		stopping atomic.Bool
		dropped  atomic.Int64 // subscribers whose connection ended early
		wg       sync.WaitGroup
	)
	for _, fr := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := counter.count(fr)
				if n > 0 {
					delivered.Add(n)
					pub.notify()
				}
				if err == nil {
					err = fr.fill()
				}
				if err != nil {
					if !stopping.Load() {
						dropped.Add(1)
						pub.fail(fmt.Errorf("subscriber: %w", err))
					}
					return
				}
			}
		}()
	}
	stop := make(chan struct{})
	go pub.readReplies()
	go pub.run(stop)

	rate, cpu := measureRate(cfg, s, delivered.Load)

	stopping.Store(true)
	pub.stop(stop)
	closeAll(conns)
	wg.Wait()
	if err := errors.Join(s.checkAlive(), pub.err()); err != nil {
		if n := dropped.Load(); n > 0 {
			err = fmt.Errorf("%d of %d subscribers were disconnected: %w", n, subs, err)
		}
		return caseResult{}, err
	}
	res := caseResult{values: []float64{rate}, cpu: cpu}
	if n := pub.wrong.Load(); n > 0 {
		res.notes = append(res.notes, fmt.Sprintf("%d PUBLISH replies were not %d", n, subs))
	}
	return res, nil
}
