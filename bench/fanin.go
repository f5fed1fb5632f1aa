package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
)

// faninChannel is the one channel the fanin case publishes to.
const faninChannel = "bench:fanin"

// faninPattern is the pattern of the fanin case's psubscriber; it matches
// faninChannel.
const faninPattern = "bench:*"

// faninLagBytes bounds how far, in bytes of message frames, the fanin
// case's subscriber may fall behind the acknowledged PUBLISHes before the
// publishers wait (but never below two rounds of every publisher's
// commands in flight, so the bound does not throttle a subscriber that
// keeps up).
const faninLagBytes = 1 << 20

// faninSubscriberBuf is the read buffer of the fanin case's subscriber.
const faninSubscriberBuf = 256 << 10

// faninCase measures fan-in: cfg.faninPubs publisher connections, each
// keeping depth PUBLISH commands of a cfg.faninPayload-byte payload in
// flight (1: one at a time; more: a pipeline whose replies are all read
// before the next batch, as in getSetCase), all to one channel, which one
// subscriber connection reads as fast as it can: with SUBSCRIBE to the
// channel, or, if pattern, with PSUBSCRIBE to faninPattern.
//
// Every PUBLISH reply must be :1 (one receiver). The subscriber checks
// every frame it reads byte for byte against the one message (or
// pmessage) frame every PUBLISH must deliver, and counts them; any other
// frame fails the run. The publishers wait while the subscriber is more
// than faninLagBytes of frames behind the acknowledged PUBLISHes, so the
// figure is a delivery rate, not the growth of the subscriber's output
// buffer (its limit is off, see main). After the window the case waits
// until the subscriber has exactly one frame per acknowledged PUBLISH,
// and fails the run otherwise.
//
// Rows: PUBLISH replies per second (with one subscriber, also deliveries
// per second), and the same per CPU-second of the server (see
// perServerCPU). A server that writes a subscriber once per event-loop
// turn delivers the PUBLISHes of many clients ready at once in one write;
// the progress log gives the messages per subscriber read.
func faninCase(cfg *config, depth int, pattern bool) benchCase {
	desc := faninDesc(cfg, depth, pattern)
	name := fmt.Sprintf("fanin %d pubs × %d", cfg.faninPubs, depth)
	if pattern {
		name += " psub"
	}
	return benchCase{
		group: "fanin",
		name:  name,
		metrics: []metric{
			{label: "PUBLISH/s (= deliveries/s), " + desc, unit: perSecond},
			{label: "PUBLISH per server CPU-second, " + desc, unit: perSecond},
		},
		run: func(cfg *config, s *server) (caseResult, error) {
			return runFanin(cfg, s, depth, pattern)
		},
	}
}

// faninDesc describes the fanin load for row labels.
func faninDesc(cfg *config, depth int, pattern bool) string {
	inFlight := "1 at a time"
	if depth > 1 {
		inFlight = fmt.Sprintf("pipeline %d", depth)
	}
	sub := "1 subscriber"
	if pattern {
		sub = "1 psubscriber of `" + faninPattern + "`"
	}
	return fmt.Sprintf("%d publishers × %s → %s, %d B", cfg.faninPubs, inFlight, sub, cfg.faninPayload)
}

// faninFrame returns the frame one PUBLISH of payload to faninChannel
// delivers to a RESP2 subscriber: a message, or with pattern a pmessage
// of faninPattern.
func faninFrame(payload []byte, pattern bool) []byte {
	if pattern {
		return appendCommand(nil, []byte("pmessage"), []byte(faninPattern), []byte(faninChannel), payload)
	}
	return appendCommand(nil, []byte("message"), []byte(faninChannel), payload)
}

// faninLag returns how many frames of frameLen bytes the subscriber may be
// behind before the publishers wait.
func faninLag(publishers, depth, frameLen int) int64 {
	return int64(max(faninLagBytes/frameLen, 2*publishers*depth))
}

// exactCounter returns a count function for an eventReader that consumes
// frames that are all exactly want, and fails at the first byte that
// differs, even in a frame not yet complete.
func exactCounter(want []byte) func(fr *frameReader) (int64, error) {
	return func(fr *frameReader) (int64, error) {
		b := fr.buf[fr.r:fr.w]
		var n int64
		for len(b) >= len(want) {
			if !bytes.Equal(b[:len(want)], want) {
				fr.r += int(n) * len(want)
				return n, fmt.Errorf("received a frame starting %.40q, want the %d-byte frame %.40q…", b, len(want), want)
			}
			b = b[len(want):]
			n++
		}
		fr.r += int(n) * len(want)
		if !bytes.Equal(b, want[:len(b)]) {
			return n, fmt.Errorf("received a partial frame %.40q, want the %d-byte frame %.40q…", b, len(want), want)
		}
		return n, nil
	}
}

// checkOneReceiver accepts the :1 of a PUBLISH that reached the one
// subscriber.
func checkOneReceiver(f frame) error {
	if f.kind != ':' || f.num != 1 {
		return fmt.Errorf("PUBLISH answered %q %d %q, want :1", f.kind, f.num, f.last)
	}
	return nil
}

// runFanin runs the fanin case against s.
func runFanin(cfg *config, s *server, depth int, pattern bool) (caseResult, error) {
	clients, err := dialKV(s, cfg.faninPubs+1)
	if err != nil {
		return caseResult{}, err
	}
	defer closeKV(clients)
	sub, pubs := clients[0], clients[1:]
	subscribe := appendCommandStrings(nil, "SUBSCRIBE", faninChannel)
	if pattern {
		subscribe = appendCommandStrings(nil, "PSUBSCRIBE", faninPattern)
	}
	readers, err := subscribeAll([]net.Conn{sub.conn}, func(int) []byte { return subscribe }, 1, faninSubscriberBuf)
	if err != nil {
		return caseResult{}, err
	}
	sub.fr = readers[0]

	payload := makePayload(cfg.faninPayload)
	want := faninFrame(payload, pattern)
	events := newFrameEventReader(sub, faninLag(cfg.faninPubs, depth, len(want)), exactCounter(want))
	go events.run()
	defer events.stop()

	var ring commandRing
	publish := appendCommand(nil, []byte("PUBLISH"), []byte(faninChannel), payload)
	for range depth {
		ring.add(publish)
	}
	var done atomic.Int64
	name := fmt.Sprintf("PUBLISH ×%d", depth)
	if pattern {
		name += " psub"
	}
	phase := kvPhase{name: name, ring: ring, depth: depth, check: checkOneReceiver, done: &done, before: events.gate(&done, 0)}
	rate, cpu, err := phase.run(cfg, s, pubs)
	if err != nil {
		return caseResult{}, errors.Join(err, s.checkAlive())
	}
	acked := done.Load()
	got := events.waitFor(acked, kvStallTimeout)
	if got != acked || events.failed.Load() {
		return caseResult{}, errors.Join(fmt.Errorf("%s: the subscriber received %d frames, want one per acknowledged PUBLISH (%d)%s",
			name, got, acked, events.errText()), s.checkAlive())
	}
	if reads := events.reads.Load(); reads > 0 {
		fmt.Fprintf(os.Stderr, "    subscriber: %s frames in %s reads, %.1f per read\n",
			thousands(got), thousands(reads), float64(got)/float64(reads))
	}
	res := caseResult{values: []float64{rate, perServerCPU(rate, cpu)}, cpu: cpu}
	if n := events.waits.Load(); n > 0 {
		res.notes = append(res.notes, fmt.Sprintf("publishers waited %d times for the subscriber to catch up", n))
	}
	return res, s.checkAlive()
}
