package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// The WebSocket cases run on Herald alone (Redis has no WebSocket), with
// its gateway on a free HTTP port; their Redis cells show – and they have no
// ratio. The RESP rows of the same run (idle, latency, fan-out) are the
// nearest comparison, but they are not the same work, so no ratio is taken.

// wsRequest returns a WebSocket request of the gateway's JSON protocol.
func wsRequest(id int, typ, channel string) []byte {
	return fmt.Appendf(nil, `{"id":%d,"type":%q,"channel":%s}`, id, typ, strconv.Quote(channel))
}

// wsIdleCase measures the memory an idle WebSocket subscriber costs Herald,
// as idleCase does for RESP: RSS a fixed time after the last of
// cfg.idleConns WebSocket connections got the ack of its subscribe, minus
// RSS before the first connection, divided by the number of connections.
// Each connection upgrades at /ws, subscribes to a channel of its own
// (bench:wsidle:<i>) and then sends nothing more. One row per -idle-wait.
func wsIdleCase(cfg *config) benchCase {
	c := benchCase{
		group: "wsidle", name: fmt.Sprintf("wsidle %d conns", cfg.idleConns),
		heraldOnly: true, gateway: true, run: runWSIdle,
	}
	for _, wait := range cfg.idleWaits {
		c.metrics = append(c.metrics, metric{
			label: fmt.Sprintf("bytes per idle WebSocket subscriber, %s conns (own channel each), RSS %v after last ack",
				thousands(int64(cfg.idleConns)), wait),
			unit:  bytesUnit,
			lower: true,
		})
	}
	return c
}

// runWSIdle runs the wsidle case against s.
func runWSIdle(cfg *config, s *server) (caseResult, error) {
	before, err := rssBytes(s.pid)
	if err != nil {
		return caseResult{}, err
	}
	request := func(i int) []byte { return wsRequest(1, "subscribe", fmt.Sprintf("bench:wsidle:%d", i)) }
	wcs, err := wsSubscribeAll(s.http, cfg.idleConns, request, 1024)
	if err != nil {
		return caseResult{}, err
	}
	defer closeAll(wsNetConns(wcs))
	res, err := idleRSS(cfg, s, before, time.Now(), cfg.idleConns)
	return res, errors.Join(err, s.checkAlive())
}

// idleRSS reads the server's RSS at each -idle-wait after lastAck and
// returns, for each, the growth since before per connection.
func idleRSS(cfg *config, s *server, before int64, lastAck time.Time, conns int) (caseResult, error) {
	var res caseResult
	for _, wait := range cfg.idleWaits {
		time.Sleep(time.Until(lastAck.Add(wait)))
		rss, err := rssBytes(s.pid)
		if err != nil {
			return caseResult{}, err
		}
		res.values = append(res.values, float64(rss-before)/float64(conns))
	}
	return res, nil
}

// wsFanoutChannel is the channel of the wsfanout case.
const wsFanoutChannel = "bench:wsfanout"

// wsFanoutCase measures broadcast to subs WebSocket subscribers of one
// channel, each with its own connection, read by its own goroutine with the
// minimal client of wsclient.go. The publisher uses RESP on Herald's RESP
// port, so the figures are for the gateway's delivery side; payloads are
// cfg.latPayload bytes. One server run has two phases:
//
//  1. Latency: wsLatencyRate PUBLISH per second (about
//     -ws-lat-deliveries deliveries per second in all, so 10 msg/s to 1,000
//     subscribers and 1 msg/s to 10,000: the server finishes one broadcast
//     before the next, and the figure is the spread of one broadcast, not
//     queueing behind earlier ones), one at a time, each payload stamped
//     with its send time as in latencyCase; every subscriber records
//     stamp-to-read time for each message. p50 and p99 over all deliveries
//     of the messages sent in the measured window, which is stretched to
//     two messages if the rate is too low for -duration. With thousands of
//     subscribers on the load generator's one core, the p99 includes the
//     time that core takes to wake every subscriber once.
//  2. Throughput: pipelined PUBLISH batches with the flow control of
//     fanoutCase (pausing while the average subscriber is more than two
//     batches behind); deliveries per second are the message frames all
//     subscribers received per second over the window.
func wsFanoutCase(cfg *config, subs int) benchCase {
	desc := fmt.Sprintf("%s WebSocket subs × %d B", thousands(int64(subs)), cfg.latPayload)
	lat := fmt.Sprintf("%s, %d msg/s", desc, wsLatencyRate(cfg, subs))
	return benchCase{
		group:      "wsfanout",
		name:       fmt.Sprintf("wsfanout %d subs", subs),
		heraldOnly: true,
		gateway:    true,
		metrics: []metric{
			{label: "WebSocket fan-out deliveries/s, " + desc, unit: perSecond},
			{label: "WebSocket publish→receive latency p50, " + lat, unit: microseconds, lower: true},
			{label: "WebSocket publish→receive latency p99, " + lat, unit: microseconds, lower: true},
		},
		run: func(cfg *config, s *server) (caseResult, error) { return runWSFanout(cfg, s, subs) },
	}
}

// wsLatencyRate is the publish rate of the wsfanout latency phase.
func wsLatencyRate(cfg *config, subs int) int { return max(1, cfg.wsDeliveries/subs) }

// wsLatencyConfig returns cfg with the latency settings of the wsfanout
// latency phase: its rate, and a window that holds at least two messages.
func wsLatencyConfig(cfg *config, subs int) *config {
	lc := *cfg
	lc.latRate = wsLatencyRate(cfg, subs)
	lc.duration = max(cfg.duration, 2*time.Second/time.Duration(lc.latRate))
	return &lc
}

// wsMessagePrefix is how the gateway's message frames on the wsfanout
// channel begin; the payload (printable, so never escaped) follows.
var wsMessagePrefix = []byte(`{"type":"message","channel":"` + wsFanoutChannel + `","data":"`)

// wsReceiver is the state one subscriber's goroutine shares with the case.
type wsReceiver struct {
	base     time.Time
	from, to time.Duration // stamps in [from, to) are sampled
	samples  [][]time.Duration
	received atomic.Int64 // message frames, all phases
	sampled  atomic.Int64 // latency samples taken
	notify   func()       // wakes the throughput publisher
}

// receive reads message frames from wc until an error, counting them and
// sampling the latency of stamped ones. All frames of one read share the
// time of that read.
func (r *wsReceiver) receive(wc *wsConn, samples *[]time.Duration) error {
	for {
		if err := wc.fill(); err != nil {
			return err
		}
		now := time.Since(r.base)
		n, sampled := int64(0), int64(0)
		for {
			f, ok, err := wc.buffered()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			if err := checkControl(f); err != nil {
				return err
			}
			if f.op != wsText && f.op != wsBinary {
				continue
			}
			if !bytes.HasPrefix(f.payload, wsMessagePrefix) {
				return fmt.Errorf("unexpected frame %.80q", f.payload)
			}
			sent, err := parseStamp(f.payload[len(wsMessagePrefix):])
			if err != nil {
				return err
			}
			if sent >= r.from && sent < r.to {
				*samples = append(*samples, now-sent)
				sampled++
			}
			n++
		}
		if sampled > 0 {
			r.sampled.Add(sampled)
		}
		if n > 0 {
			r.received.Add(n)
			r.notify()
		}
	}
}

// runWSFanout runs one wsfanout case against s.
func runWSFanout(cfg *config, s *server, subs int) (caseResult, error) {
	request := wsRequest(1, "subscribe", wsFanoutChannel)
	wcs, err := wsSubscribeAll(s.http, subs, func(int) []byte { return request }, subscriberBufSize(subs))
	if err != nil {
		return caseResult{}, err
	}
	wsConns := wsNetConns(wcs)
	defer closeAll(wsConns)
	pubConns, err := dialMany(s.addr, 2) // paced, then pipelined
	if err != nil {
		return caseResult{}, err
	}
	defer closeAll(pubConns)

	// The throughput publisher exists from the start so that receivers
	// can notify it; it runs only in phase 2. Its payloads carry the
	// largest stamp, outside every latency window.
	payload := makePayload(cfg.latPayload)
	writeStamp(payload, math.MaxInt64)
	frameSize := 2 + len(wsMessagePrefix) + len(payload) + 2
	maxLag, perBatch := fanoutMaxLag(cfg.batch, subs, frameSize)
	batches := publishBatches(int(perBatch), int(perBatch), func(int) string { return wsFanoutChannel }, payload)
	pub := newPublisher(pubConns[1], batches, perBatch, max(4096, 4*perBatch), int64(subs))

	latCfg := wsLatencyConfig(cfg, subs)
	rcv := &wsReceiver{
		base: time.Now(), from: latCfg.warmup, to: latCfg.warmup + latCfg.duration,
		samples: make([][]time.Duration, subs), notify: pub.notify,
	}
	var (
		stopping atomic.Bool
		dropped  atomic.Int64
		wg       sync.WaitGroup
		errs     = make([]error, subs)
	)
	expected := latCfg.latRate * int(latCfg.duration.Seconds()+1)
	for i, wc := range wcs {
		rcv.samples[i] = make([]time.Duration, 0, expected)
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := rcv.receive(wc, &rcv.samples[i])
			if !stopping.Load() {
				errs[i] = err
				dropped.Add(1)
				pub.fail(fmt.Errorf("subscriber: %w", err))
			}
		}()
	}
	finish := func() error {
		stopping.Store(true)
		closeAll(pubConns)
		closeAll(wsConns)
		wg.Wait()
		err := errors.Join(s.checkAlive(), pub.err(), errors.Join(errs...))
		if n := dropped.Load(); err != nil && n > 0 {
			err = fmt.Errorf("%d of %d subscribers were disconnected: %w", n, subs, err)
		}
		return err
	}

	// Phase 1: latency.
	paced := newPublisher(pubConns[0], nil, 1, math.MaxInt64, int64(subs))
	go paced.readReplies()
	sentInWindow, err := publishPaced(pubConns[0], wsFanoutChannel, latCfg, rcv.base, func() {})
	if err != nil {
		pub.fail(err)
	}
	want := int64(sentInWindow) * int64(subs)
	for deadline := time.Now().Add(2 * time.Second); rcv.sampled.Load() < want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	phase1 := rcv.received.Load()

	// Phase 2: pipelined throughput.
	pub.gate = func(sent int64) bool { return sent-(rcv.received.Load()-phase1)/int64(subs) < maxLag }
	stop := make(chan struct{})
	go pub.readReplies()
	go pub.run(stop)
	rate, cpu := measureRate(cfg, s, rcv.received.Load)
	close(stop)

	if err := errors.Join(finish(), paced.err()); err != nil {
		return caseResult{}, err
	}
	all := slices.Concat(rcv.samples...)
	if len(all) == 0 {
		return caseResult{}, errors.New("no stamped message was received")
	}
	slices.Sort(all)
	res := caseResult{
		values: []float64{rate, micros(percentile(all, 50)), micros(percentile(all, 99))},
		cpu:    cpu,
	}
	if got := int64(len(all)); got != want {
		res.notes = append(res.notes, fmt.Sprintf("latency phase: received %d of %d deliveries", got, want))
	}
	if n := pub.wrong.Load() + paced.wrong.Load(); n > 0 {
		res.notes = append(res.notes, fmt.Sprintf("%d PUBLISH replies were not %d", n, subs))
	}
	return res, nil
}
