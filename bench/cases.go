package main

import (
	"fmt"
	"os"
	"time"
)

// A metric is one row of the report.
type metric struct {
	label string
	unit  unit
	lower bool // lower is better (latency, memory)
}

// unit says how a metric's values are printed.
type unit int

const (
	perSecond    unit = iota // a rate, printed as 1.23 M
	microseconds             // a latency, printed as 85 µs
	bytesUnit                // a size, printed as 2,104 B
	ratioUnit                // a ratio of two rates, printed as 0.85
)

// A benchCase is one measurement made on a fresh server. It produces one
// value per metric.
type benchCase struct {
	group   string // the name -cases selects it by
	name    string // a short name for the progress log
	metrics []metric
	// heraldOnly cases are not run on Redis (its cells show –); gateway
	// starts Herald with its HTTP gateway on a free port.
	heraldOnly, gateway bool
	// columns, when set, makes the case a side-by-side comparison of
	// setups of Herald alone (see scaleoutCase): its values hold every
	// metric for the first column, then for the second, and so on, and it
	// gets a table of its own.
	columns []column
	// serverArgs, when set, gives the server options of its own (the aof
	// case's persistence), with a directory made for the run and removed
	// after it (server.dir), on the same filesystem for both servers.
	serverArgs func(kind serverKind, dir string) []string
	run        func(cfg *config, s *server) (caseResult, error)
}

// caseResult is what one run of a case on one server produced.
type caseResult struct {
	values []float64 // one per metric
	cpu    cpuUsage  // during the measured window, if there was one
	notes  []string  // anything odd that did not invalidate the run
}

// cpuUsage is how busy each side was during a measurement, in cores.
// Other is the rest of the machine's busy time: other processes, and kernel
// work (such as softirq) not charged to either side.
type cpuUsage struct {
	client, server, other float64
	servers               []float64 // per server process, when there are several; they sum to server
	measured              bool
}

// String prints the usage for the progress log.
func (u cpuUsage) String() string {
	if !u.measured {
		return ""
	}
	return fmt.Sprintf("server cpu %3.0f%%, client cpu %3.0f%%, rest of machine %3.0f%%",
		100*u.server, 100*u.client, 100*u.other)
}

// busyMachine reports whether something besides the two sides used a
// noticeable part of the machine, which makes the run suspect.
func (u cpuUsage) busyMachine() bool { return u.measured && u.other > 0.25 }

// clientBound reports whether the load generator's core, rather than the
// server's, looks like the limit.
func (u cpuUsage) clientBound() bool {
	return u.measured && u.client > 0.95 && u.server < 0.90
}

// A cpuMeter measures CPU use of this process and of the server processes
// between start and stop.
type cpuMeter struct {
	pids       []int
	start      time.Time
	self, busy time.Duration
	peers      []time.Duration
}

// startCPU starts measuring; pids are the server's processes.
func startCPU(pids ...int) cpuMeter {
	m := cpuMeter{pids: pids, start: time.Now(), self: selfCPUTime()}
	for _, pid := range pids {
		t, _ := cpuTime(pid)
		m.peers = append(m.peers, t)
	}
	m.busy, _ = machineBusyTime()
	return m
}

// stop returns the usage since start, in cores; server is the sum over
// the server processes.
func (m cpuMeter) stop() cpuUsage {
	wall := time.Since(m.start).Seconds()
	busy, err := machineBusyTime()
	if err != nil || wall <= 0 {
		return cpuUsage{}
	}
	u := cpuUsage{client: (selfCPUTime() - m.self).Seconds() / wall, measured: true}
	for i, pid := range m.pids {
		t, err := cpuTime(pid)
		if err != nil {
			return cpuUsage{}
		}
		share := (t - m.peers[i]).Seconds() / wall
		u.server += share
		if len(m.pids) > 1 {
			u.servers = append(u.servers, share)
		}
	}
	u.other = max(0, (busy-m.busy).Seconds()/wall-u.client-u.server)
	return u
}

// measureRate lets a running load warm up, then returns how fast count
// grew per second over cfg.duration, with the CPU use of both sides.
// With -trace it prints the count every 100 ms.
func measureRate(cfg *config, s *server, count func() int64) (float64, cpuUsage) {
	return measureRateOf(cfg, []int{s.pid}, count)
}

// measureRateOf is measureRate for a server made of several processes.
func measureRateOf(cfg *config, pids []int, count func() int64) (float64, cpuUsage) {
	start := time.Now()
	traceSleep(cfg, start, count, cfg.warmup)
	meter := startCPU(pids...)
	c0, t0 := count(), time.Now()
	traceSleep(cfg, start, count, cfg.duration)
	c1, t1 := count(), time.Now()
	return float64(c1-c0) / t1.Sub(t0).Seconds(), meter.stop()
}

// traceSleep sleeps for d, printing count every 100 ms if cfg.trace is set.
func traceSleep(cfg *config, start time.Time, count func() int64, d time.Duration) {
	end := time.Now().Add(d)
	if !cfg.trace {
		time.Sleep(d)
		return
	}
	for now := time.Now(); now.Before(end); now = time.Now() {
		time.Sleep(min(100*time.Millisecond, end.Sub(now)))
		fmt.Fprintf(os.Stderr, "    %6.3fs %d\n", time.Since(start).Seconds(), count())
	}
}

// allCases returns every case the configuration selects, in report order.
func allCases(cfg *config) []benchCase {
	var cases []benchCase
	if cfg.cases["fanout"] {
		for _, subs := range cfg.subs {
			for _, size := range cfg.payloads {
				cases = append(cases, fanoutCase(subs, size))
			}
		}
	}
	if cfg.cases["latency"] {
		cases = append(cases, latencyCase(cfg))
	}
	if cfg.cases["patterns"] {
		for _, shape := range patternShapes {
			cases = append(cases, patternsCase(cfg, shapeSet(shape)))
		}
		cases = append(cases, patternsCase(cfg, mixedSet))
	}
	if cfg.cases["nosub"] {
		cases = append(cases, noSubscriberCase(cfg))
	}
	if cfg.cases["idle"] {
		cases = append(cases, idleCase(cfg))
	}
	if cfg.cases["wsidle"] {
		cases = append(cases, wsIdleCase(cfg))
	}
	if cfg.cases["wsfanout"] {
		for _, subs := range cfg.wsSubs {
			cases = append(cases, wsFanoutCase(cfg, subs))
		}
	}
	if cfg.cases["scaleout"] {
		cases = append(cases, scaleoutCase(cfg))
	}
	if cfg.cases["getset"] {
		for _, depth := range cfg.getsetDepths {
			cases = append(cases, getSetCase(cfg, depth))
		}
	}
	if cfg.cases["tracking"] {
		for _, depth := range cfg.getsetDepths {
			cases = append(cases, trackingCase(cfg, depth))
		}
	}
	if cfg.cases["notify"] {
		for _, depth := range cfg.notifyDepths {
			cases = append(cases, notifyCase(cfg, depth))
		}
	}
	if cfg.cases["streams"] {
		for _, depth := range cfg.streamDepths {
			cases = append(cases, streamAddCase(cfg, depth))
		}
		for _, count := range cfg.streamCounts {
			cases = append(cases, streamGroupCase(cfg, count))
		}
	}
	if cfg.cases["fanin"] {
		for _, depth := range cfg.faninDepths {
			cases = append(cases, faninCase(cfg, depth, false), faninCase(cfg, depth, true))
		}
	}
	if cfg.cases["aof"] {
		for _, depth := range cfg.aofDepths {
			for _, m := range aofModes {
				cases = append(cases, aofCase(cfg, m.fsync, m.name, depth))
			}
		}
	}
	return cases
}

// caseGroups are the names -cases accepts.
var caseGroups = []string{"fanout", "latency", "patterns", "nosub", "idle", "wsidle", "wsfanout", "scaleout", "getset", "tracking", "notify", "streams", "aof", "fanin"}

// defaultCases are the cases run without -cases: the WebSocket cases are
// Herald-only and slow to set up (10,000 WebSocket handshakes), and
// scaleout is Herald-only and starts its own redis-servers, so they run
// only when named; so do the keyspace cases getset, tracking and notify, which
// measure the keyspace rather than pub/sub, streams and aof (Streams and
// the append-only file), and fanin, which measures many publishers to one
// subscriber.
var defaultCases = []string{"fanout", "latency", "patterns", "nosub", "idle"}
