package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// scaleoutChannel is the channel of the scaleout case.
const scaleoutChannel = "bench:scaleout"

// scaleoutCase measures one load in several setups of Herald, in one run,
// and reports them side by side: cfg.scaleSubs RESP subscribers of one
// channel on one node and a RESP publisher on a node, with payloads of
// cfg.latPayload bytes. The setups (-scaleout-setups) are
//
//   - embedded: one Herald node, subscribers and publisher both on it;
//   - redis: a throwaway redis-server and two Herald nodes started with
//     --backend redis://; subscribers on node A, publisher on node B, so
//     every message goes publisher → B → redis-server → A → subscribers;
//   - cluster: the same over a 3-primary Redis Cluster (redis-cli --cluster
//     create) and --backend redis-cluster://, where B's PUBLISH is an
//     SPUBLISH to the primary owning the channel's slot.
//
// Every process of a setup is pinned to the server core, so each setup
// gets the same one core and the figures say what the extra hops cost in
// CPU, not what more cores would buy. Each setup is measured as wsFanoutCase
// measures a server: first latency (cfg.scaleLatRate PUBLISH per second,
// one at a time, stamped; p50 and p99 of stamp-to-read time over all
// deliveries in the window), then throughput (pipelined batches with the
// flow control of fanoutCase; message frames received by all subscribers
// per second). The setups take turns, the first one rotating from run to
// run; a setup that fails leaves its cells of that run empty, with a note.
func scaleoutCase(cfg *config) benchCase {
	desc := fmt.Sprintf("%s subs × %d B", thousands(int64(cfg.scaleSubs)), cfg.latPayload)
	lat := fmt.Sprintf("%s, %d msg/s", desc, cfg.scaleLatRate)
	c := benchCase{
		group:      "scaleout",
		name:       fmt.Sprintf("scaleout %d subs", cfg.scaleSubs),
		heraldOnly: true,
		metrics: []metric{
			{label: "deliveries/s, " + desc, unit: perSecond},
			{label: "publish→receive latency p50, " + lat, unit: microseconds, lower: true},
			{label: "publish→receive latency p99, " + lat, unit: microseconds, lower: true},
		},
	}
	for _, setup := range cfg.scaleSetups {
		c.columns = append(c.columns, column{heading: setup.heading, short: setup.name})
	}
	turn := 0
	c.run = func(cfg *config, s *server) (caseResult, error) {
		turn++
		return runScaleout(cfg, s, turn-1)
	}
	return c
}

// A scaleoutSetup is one way of serving the scaleout load.
type scaleoutSetup struct {
	name    string // as -scaleout-setups names it
	heading string // column heading of the report
	// start returns the setup's processes; embedded is the fresh Herald
	// node the runner started for this run.
	start func(cfg *config, embedded *server) (*topology, error)
}

// scaleoutSetups are the setups -scaleout-setups may name.
var scaleoutSetups = []scaleoutSetup{
	{name: "embedded", heading: "1 node, embedded broker", start: embeddedTopology},
	{name: "redis", heading: "2 nodes over redis-server", start: redisTopology},
	{name: "cluster", heading: "2 nodes over a 3-primary cluster", start: clusterTopology},
}

// scaleoutSetupNames lists every setup's name, comma-separated.
func scaleoutSetupNames() string {
	var names []string
	for _, s := range scaleoutSetups {
		names = append(names, s.name)
	}
	return strings.Join(names, ",")
}

// parseSetups parses a comma-separated list of setup names.
func parseSetups(list string) ([]scaleoutSetup, error) {
	var out []scaleoutSetup
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(scaleoutSetups, func(s scaleoutSetup) bool { return s.name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown setup %q (want %s)", name, scaleoutSetupNames())
		}
		out = append(out, scaleoutSetups[i])
	}
	return out, nil
}

// runScaleout measures every setup once, starting with the turn-th.
func runScaleout(cfg *config, embedded *server, turn int) (caseResult, error) {
	setups := cfg.scaleSetups
	perSetup := 3
	res := caseResult{values: make([]float64, perSetup*len(setups))}
	var usages []cpuUsage
	failed := 0
	for i := range setups {
		k := (turn + i) % len(setups)
		setup := setups[k]
		values, cpu, notes, err := measureSetup(cfg, embedded, setup)
		for _, n := range notes {
			res.notes = append(res.notes, setup.name+": "+n)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "    %s: FAILED: %v\n", setup.name, err)
			res.notes = append(res.notes, fmt.Sprintf("%s failed: %s", setup.name, firstLine(err.Error())))
			for m := range perSetup {
				res.values[k*perSetup+m] = math.NaN()
			}
			failed++
			continue
		}
		copy(res.values[k*perSetup:], values)
		usages = append(usages, cpu)
	}
	if failed == len(setups) {
		return caseResult{}, errors.New("every setup failed")
	}
	res.cpu = telltaleUsage(usages)
	return res, nil
}

// telltaleUsage picks, of several setups' CPU use, one that makes the run
// suspect if there is one, so that the runner flags it.
func telltaleUsage(usages []cpuUsage) cpuUsage {
	for _, u := range usages {
		if u.clientBound() || u.busyMachine() {
			return u
		}
	}
	return usages[0]
}

// measureSetup starts setup, measures it and stops what it started.
func measureSetup(cfg *config, embedded *server, setup scaleoutSetup) ([]float64, cpuUsage, []string, error) {
	began := time.Now()
	topo, err := setup.start(cfg, embedded)
	if err != nil {
		return nil, cpuUsage{}, nil, err
	}
	defer topo.stop()
	values, cpu, notes, err := measureTopology(cfg, topo)
	if err != nil {
		return nil, cpu, notes, err
	}
	fmt.Fprintf(os.Stderr, "    %-8s %s, %s, %s  (%4.1fs) cpu: %s, client %.0f%%, rest %.0f%%\n", setup.name,
		formatValue(perSecond, values[0]), formatValue(microseconds, values[1]), formatValue(microseconds, values[2]),
		time.Since(began).Seconds(), topo.cpuShares(cpu), 100*cpu.client, 100*cpu.other)
	return values, cpu, notes, nil
}

// scaleoutReceiver is the state the subscribers' goroutines share.
type scaleoutReceiver struct {
	base     time.Time
	from, to time.Duration // stamps in [from, to) are sampled
	counter  fastCounter
	counting atomic.Bool  // the throughput phase: count frames, read no stamps
	received atomic.Int64 // message frames, all phases
	sampled  atomic.Int64 // latency samples taken
	notify   func()       // wakes the throughput publisher
}

// receive reads message frames from fr until an error: in the latency
// phase it records the latency of stamped ones (all frames of one read
// share the time of that read), in the throughput phase it only counts.
func (r *scaleoutReceiver) receive(fr *frameReader, samples *[]time.Duration) error {
	for {
		if err := fr.fill(); err != nil {
			return err
		}
		if r.counting.Load() {
			n, err := r.counter.count(fr)
			if n > 0 {
				r.received.Add(n)
				r.notify()
			}
			if err != nil {
				return err
			}
			continue
		}
		now := time.Since(r.base)
		n, sampled := int64(0), int64(0)
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
			if sent >= r.from && sent < r.to {
				*samples = append(*samples, now-sent)
				sampled++
			}
			n++
		}
		r.sampled.Add(sampled)
		r.received.Add(n)
	}
}

// measureTopology runs the scaleout load on topo: subscribers on its
// subscriber node, the publisher on its publisher node. It returns
// deliveries/s, p50 and p99 in µs.
func measureTopology(cfg *config, topo *topology) ([]float64, cpuUsage, []string, error) {
	subs := cfg.scaleSubs
	subConns, err := dialMany(topo.subNode.addr, subs)
	if err != nil {
		return nil, cpuUsage{}, nil, err
	}
	defer closeAll(subConns)
	pubConns, err := dialMany(topo.pubNode.addr, 2) // paced, then pipelined
	if err != nil {
		return nil, cpuUsage{}, nil, err
	}
	defer closeAll(pubConns)
	subscribe := appendCommandStrings(nil, "SUBSCRIBE", scaleoutChannel)
	readers, err := subscribeAll(subConns, func(int) []byte { return subscribe }, 1, subscriberBufSize(subs))
	if err != nil {
		return nil, cpuUsage{}, nil, err
	}
	if err := topo.awaitRoute(cfg); err != nil {
		return nil, cpuUsage{}, nil, err
	}

	// The throughput publisher exists from the start so that receivers
	// can notify it; its payloads carry the largest stamp, outside the
	// latency window.
	payload := makePayload(cfg.latPayload)
	writeStamp(payload, math.MaxInt64)
	counter := newFastCounter(messageHeader(scaleoutChannel, len(payload)), len(payload))
	maxLag, perBatch := fanoutMaxLag(cfg.batch, subs, counter.size)
	batches := publishBatches(int(perBatch), int(perBatch), func(int) string { return scaleoutChannel }, payload)
	pub := newPublisher(pubConns[1], batches, perBatch, max(4096, 4*perBatch), topo.expect)

	latCfg := *cfg
	latCfg.latRate = cfg.scaleLatRate
	rcv := &scaleoutReceiver{
		base: time.Now(), from: cfg.warmup, to: cfg.warmup + cfg.duration,
		counter: counter, notify: pub.notify,
	}
	samples := make([][]time.Duration, subs)
	expected := cfg.scaleLatRate * int(cfg.duration.Seconds()+1)
	var (
		stopping atomic.Bool
		dropped  atomic.Int64
		wg       sync.WaitGroup
		errs     = make([]error, subs)
	)
	for i, fr := range readers {
		samples[i] = make([]time.Duration, 0, expected)
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := rcv.receive(fr, &samples[i])
			if !stopping.Load() {
				errs[i] = err
				dropped.Add(1)
				pub.fail(fmt.Errorf("subscriber: %w", err))
			}
		}()
	}

	// Phase 1: latency.
	paced := newPublisher(pubConns[0], nil, 1, math.MaxInt64, topo.expect)
	go paced.readReplies()
	sentInWindow, err := publishPaced(pubConns[0], scaleoutChannel, &latCfg, rcv.base, func() {})
	if err != nil {
		pub.fail(err)
	}
	want := int64(sentInWindow) * int64(subs)
	for deadline := time.Now().Add(2 * time.Second); rcv.sampled.Load() < want && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}

	// Phase 2: pipelined throughput.
	rcv.counting.Store(true)
	phase1 := rcv.received.Load()
	pub.gate = func(sent int64) bool { return sent-(rcv.received.Load()-phase1)/int64(subs) < maxLag }
	stop := make(chan struct{})
	go pub.readReplies()
	go pub.run(stop)
	rate, cpu := measureRateOf(cfg, topo.pids(), rcv.received.Load)

	stopping.Store(true)
	pub.stop(stop)
	closeAll(pubConns)
	closeAll(subConns)
	wg.Wait()
	err = errors.Join(topo.checkAlive(), pub.err(), paced.err(), errors.Join(errs...))
	if n := dropped.Load(); err != nil && n > 0 {
		err = fmt.Errorf("%d of %d subscribers were disconnected: %w", n, subs, err)
	}
	if err != nil {
		return nil, cpu, nil, err
	}
	all := slices.Concat(samples...)
	if len(all) == 0 {
		return nil, cpu, nil, errors.New("no stamped message was received")
	}
	slices.Sort(all)
	var notes []string
	if got := int64(len(all)); got != want {
		notes = append(notes, fmt.Sprintf("latency phase: received %d of %d deliveries", got, want))
	}
	if n := pub.wrong.Load() + paced.wrong.Load(); n > 0 {
		notes = append(notes, fmt.Sprintf("%d PUBLISH replies were not %d", n, topo.expect))
	}
	return []float64{rate, micros(percentile(all, 50)), micros(percentile(all, 99))}, cpu, notes, nil
}
