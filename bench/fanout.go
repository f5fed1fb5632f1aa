package main

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// fanoutLagBytes bounds the bytes of published-but-not-yet-received
// messages, summed over all subscribers. With output-buffer limits off, it
// is what keeps a server's memory bounded; it shrinks the batches only for
// large payloads to thousands of subscribers.
const fanoutLagBytes = 512 << 20

// fanoutMaxLag returns the number of PUBLISH commands per batch, at most
// batch, and maxLag, how many messages the average subscriber may be behind
// before the publisher waits: two batches, so that the server always has
// the next batch to read while it writes the last one out.
func fanoutMaxLag(batch, subs, frameSize int) (maxLag, perBatch int64) {
	perBatch = int64(max(1, min(batch, fanoutLagBytes/(2*subs*frameSize))))
	return 2 * perBatch, perBatch
}

// fanoutCase measures deliveries per second from one pipelining publisher
// to subs subscribers of one channel, with payloads of size bytes.
//
// Every subscriber has its own connection and goroutine and counts whole
// "message" frames; the figure is the number of frames all subscribers
// received per second over the measured window, not the number published.
// The publisher writes batches of cfg.batch PUBLISH commands and reads the
// replies on a second goroutine; it pauses while the average subscriber is
// more than two batches behind, so the comparison is of steady delivery,
// not of how much a server can buffer.
//
// The figure depends on the batch size: both servers write to a subscriber
// once per batch they read, not once per message, so larger batches mean
// fewer system calls per delivery and higher rates for both.
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
	maxLag, perBatch := fanoutMaxLag(cfg.batch, subs, counter.size)
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
