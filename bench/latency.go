package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// stampLen is the size of the send time written at the start of every
// latency payload: nanoseconds since the case's base time, as 16 hex digits.
const stampLen = 16

// latencyCase measures publish-to-receive latency at a fixed, moderate rate:
// one publisher sends cfg.latRate PUBLISH commands per second, one at a time
// and each stamped with its send time, to cfg.latSubs subscribers of one
// channel. Every subscriber computes, for each message, the time from the
// stamp to the read that returned it; p50 and p99 are taken over all
// deliveries of messages sent during the measured window. Both sides share
// this process's clock, so there is no clock skew.
//
// The defaults (10 subscribers, 1,000 messages per second) keep both cores
// lightly loaded. Every delivery costs the load generator a wake-up and a
// read, and its subscribers take turns on one core, so with many
// subscribers the later ones would wait for the earlier ones' reads and the
// figure would measure the load generator more than the server.
func latencyCase(cfg *config) benchCase {
	desc := fmt.Sprintf("%d subs, %d msg/s × %d B", cfg.latSubs, cfg.latRate, cfg.latPayload)
	return benchCase{
		group: "latency",
		name:  "latency " + desc,
		metrics: []metric{
			{label: "publish→receive latency p50, " + desc, unit: microseconds, lower: true},
			{label: "publish→receive latency p99, " + desc, unit: microseconds, lower: true},
		},
		run: runLatency,
	}
}

// runLatency runs the latency case against s.
func runLatency(cfg *config, s *server) (caseResult, error) {
	const channel = "bench:latency"
	subs := cfg.latSubs
	conns, err := dialMany(s.addr, subs+1)
	if err != nil {
		return caseResult{}, err
	}
	defer closeAll(conns)
	subscribe := appendCommandStrings(nil, "SUBSCRIBE", channel)
	readers, err := subscribeAll(conns[:subs], func(int) []byte { return subscribe }, 1, 64<<10)
	if err != nil {
		return caseResult{}, err
	}

	base := time.Now()
	windowStart := cfg.warmup
	windowEnd := cfg.warmup + cfg.duration
	expected := int(cfg.latRate) * int(cfg.duration.Seconds()+1)
	samples := make([][]time.Duration, subs) // per subscriber, so no locking
	var (
		received atomic.Int64
		stopping atomic.Bool
		wg       sync.WaitGroup
		errs     = make([]error, subs)
	)
	for i, fr := range readers {
		samples[i] = make([]time.Duration, 0, expected)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = receiveStamped(fr, base, windowStart, windowEnd, &samples[i], &received)
			if stopping.Load() {
				errs[i] = nil
			}
		}()
	}

	pubConn := conns[subs]
	pub := newPublisher(pubConn, nil, 1, math.MaxInt64, int64(subs))
	go pub.readReplies()
	var meter cpuMeter
	sentInWindow, err := publishPaced(pubConn, channel, cfg, base, func() { meter = startCPU(s.pid) })
	cpu := meter.stop()
	if err != nil {
		pub.fail(err)
	}
	// Let the last messages arrive, then stop.
	want := int64(sentInWindow) * int64(subs)
	for deadline := time.Now().Add(time.Second); received.Load() < want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	stopping.Store(true)
	closeAll(conns)
	wg.Wait()
	if err := errors.Join(append(errs, s.checkAlive(), pub.err())...); err != nil {
		return caseResult{}, err
	}

	all := slices.Concat(samples...)
	if len(all) == 0 {
		return caseResult{}, errors.New("no message was received")
	}
	slices.Sort(all)
	res := caseResult{
		values: []float64{micros(percentile(all, 50)), micros(percentile(all, 99))},
		cpu:    cpu,
	}
	if got := int64(len(all)); got != want {
		res.notes = append(res.notes, fmt.Sprintf("received %d of %d deliveries", got, want))
	}
	if n := pub.wrong.Load(); n > 0 {
		res.notes = append(res.notes, fmt.Sprintf("%d PUBLISH replies were not %d", n, subs))
	}
	return res, nil
}

// receiveStamped reads message frames from fr and appends, for each one
// stamped inside [from, to), its latency to samples. All frames that
// arrived in one read share the time of that read.
func receiveStamped(fr *frameReader, base time.Time, from, to time.Duration, samples *[]time.Duration, received *atomic.Int64) error {
	for {
		if err := fr.fill(); err != nil {
			return err
		}
		now := time.Since(base)
		n := int64(0)
		for {
			f, ok, err := fr.buffered()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			sent, err := parseStamp(f.last)
			if err != nil {
				return err
			}
			if sent >= from && sent < to {
				*samples = append(*samples, now-sent)
				n++
			}
		}
		received.Add(n)
	}
}

// publishPaced publishes cfg.latRate stamped messages per second on conn
// until the end of the measured window, calls atWindow once as the window
// starts, and returns how many messages it sent with a stamp inside the
// window. A message that is due while the publisher is late is sent at
// once, so a stall shows up as latency, not as fewer samples.
func publishPaced(conn net.Conn, channel string, cfg *config, base time.Time, atWindow func()) (int, error) {
	windowEnd := cfg.warmup + cfg.duration
	payload := makePayload(cfg.latPayload)
	command := appendCommand(nil, []byte("PUBLISH"), []byte(channel), payload)
	stampAt := len(command) - 2 - len(payload) // the payload's first byte
	interval := time.Second / time.Duration(cfg.latRate)
	inWindow := 0
	for i := 0; ; i++ {
		due := time.Duration(i) * interval
		if due >= windowEnd {
			return inWindow, nil
		}
		if wait := due - time.Since(base); wait > 0 {
			time.Sleep(wait)
		}
		now := time.Since(base)
		writeStamp(command[stampAt:], now)
		if _, err := conn.Write(command); err != nil {
			return inWindow, fmt.Errorf("publish: %w", err)
		}
		if now >= cfg.warmup && now < windowEnd {
			if inWindow == 0 {
				atWindow()
			}
			inWindow++
		}
	}
}

// writeStamp writes d as 16 hex digits at the start of b.
func writeStamp(b []byte, d time.Duration) {
	var raw [8]byte
	for i := range raw {
		raw[i] = byte(uint64(d) >> (56 - 8*i))
	}
	hex.Encode(b[:stampLen], raw[:])
}

// parseStamp reads the stamp writeStamp wrote at the start of payload.
func parseStamp(payload []byte) (time.Duration, error) {
	if len(payload) < stampLen {
		return 0, fmt.Errorf("payload of %d bytes has no stamp", len(payload))
	}
	var raw [8]byte
	if _, err := hex.Decode(raw[:], payload[:stampLen]); err != nil {
		return 0, fmt.Errorf("bad stamp %q", payload[:stampLen])
	}
	var v uint64
	for _, c := range raw {
		v = v<<8 | uint64(c)
	}
	return time.Duration(v), nil
}

// percentile returns the p-th percentile (nearest rank) of sorted values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// micros converts d to microseconds.
func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
