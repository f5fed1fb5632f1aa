package main

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// notifyPattern is the notify case's subscriber pattern: every keyspace and
// keyevent channel of every database.
const notifyPattern = "__key*@*__:*"

// notifyLagBytes bounds how far, in bytes of events, the notify case's
// subscriber may fall behind the acknowledged SETs before the writers wait.
const notifyLagBytes = 1 << 20

// notifyCase measures what keyspace notifications cost write throughput:
// SET/s as getSetCase measures it (cfg.kvConns connections, depth commands
// in flight each, overwriting preloaded keys), once with
// notify-keyspace-events "" and once with KEA, on the same server, with
// one subscriber connection PSUBSCRIBEd to __key*@*__:* in both phases.
//
// With KEA every SET raises two events, a keyspace one (set on
// __keyspace@0__:<key>) and a keyevent one (the key on
// __keyevent@0__:set), which the subscriber reads as fast as it can,
// counting bytes. Keys have a fixed width, so the bytes of a SET's two
// pmessage frames are known; after the window the case waits until the
// subscriber has exactly the bytes of every acknowledged SET, and fails
// the run otherwise. The writers wait while the subscriber is more than
// notifyLagBytes behind, so the figure is a rate at which the events are
// delivered, not one at which they pile up in the server's output buffer
// (its limit is off, see main). With notifications off, the subscriber
// must receive nothing.
//
// The phases' order alternates from run to run of each server. The third
// row is each run's on/off ratio, the median over the runs; the last three
// rows are the same per CPU-second of the server (see perServerCPU).
func notifyCase(cfg *config, depth int) benchCase {
	desc := kvDesc(cfg, depth)
	turns := map[serverKind]int{}
	return benchCase{
		group: "notify",
		name:  fmt.Sprintf("notify %d conns × %d", cfg.kvConns, depth),
		metrics: []metric{
			{label: "SET/s, notify-keyspace-events \"\", " + desc, unit: perSecond},
			{label: "SET/s, KEA + 1 psubscriber of `" + notifyPattern + "`, " + desc, unit: perSecond},
			{label: "SET/s KEA / \"\" (each run's ratio), " + desc, unit: ratioUnit},
			{label: "SET per server CPU-second, notify-keyspace-events \"\", " + desc, unit: perSecond},
			{label: "SET per server CPU-second, KEA + 1 psubscriber, " + desc, unit: perSecond},
			{label: "SET per server CPU-second KEA / \"\" (each run's ratio), " + desc, unit: ratioUnit},
		},
		run: func(cfg *config, s *server) (caseResult, error) {
			turns[s.kind]++
			return runNotify(cfg, s, depth, turns[s.kind]%2 == 0)
		},
	}
}

// runNotify runs the notify case against s, the phase with notifications
// on first if onFirst.
func runNotify(cfg *config, s *server, depth int, onFirst bool) (caseResult, error) {
	clients, err := dialKV(s, cfg.kvConns+1)
	if err != nil {
		return caseResult{}, err
	}
	defer closeKV(clients)
	sub, clients := clients[0], clients[1:]
	keys := newKVKeys(cfg.kvKeys)
	sets := keys.setRing(makePayload(cfg.kvValue))
	if err := preload(s, clients, sets, cfg.kvKeys); err != nil {
		return caseResult{}, err
	}
	psubscribe := appendCommandStrings(nil, "PSUBSCRIBE", notifyPattern)
	readers, err := subscribeAll([]net.Conn{sub.conn}, func(int) []byte { return psubscribe }, 1, 4096)
	if err != nil {
		return caseResult{}, err
	}
	sub.fr = readers[0]
	events := newEventReader(sub, keys)
	go events.run()
	defer events.stop()

	rates, perCPU := map[bool]float64{}, map[bool]float64{}
	var cpus []cpuUsage
	for _, on := range []bool{onFirst, !onFirst} {
		rate, cpu, err := notifyPhase(cfg, s, clients, sets, depth, events, on)
		if err != nil {
			return caseResult{}, errors.Join(err, s.checkAlive())
		}
		rates[on], perCPU[on] = rate, perServerCPU(rate, cpu)
		cpus = append(cpus, cpu)
	}
	res := caseResult{values: []float64{
		rates[false], rates[true], rates[true] / rates[false],
		perCPU[false], perCPU[true], perCPU[true] / perCPU[false],
	}, cpu: combineCPU(cpus)}
	if n := events.waits.Load(); n > 0 {
		res.notes = append(res.notes, fmt.Sprintf("writers waited %d times for the subscriber to catch up", n))
	}
	return res, s.checkAlive()
}

// notifyPhase sets notify-keyspace-events to KEA if on, else to "", and
// measures SET/s; it then checks what the subscriber received.
func notifyPhase(cfg *config, s *server, clients []*kvClient, sets commandRing, depth int, events *eventReader, on bool) (float64, cpuUsage, error) {
	flags, name := "", fmt.Sprintf("SET ×%d off", depth)
	if on {
		flags, name = "KEA", fmt.Sprintf("SET ×%d KEA", depth)
	}
	f, err := s.do(5*time.Second, "CONFIG", "SET", "notify-keyspace-events", flags)
	if err != nil || f.kind != '+' {
		return 0, cpuUsage{}, fmt.Errorf("CONFIG SET notify-keyspace-events %q answered %q %q (%v)", flags, f.kind, f.last, err)
	}
	before := events.received.Load()
	var done atomic.Int64
	phase := kvPhase{name: name, ring: sets, depth: depth, check: checkOK, done: &done}
	if on {
		phase.before = events.gate(&done, before)
	}
	rate, cpu, err := phase.run(cfg, s, clients)
	if err != nil {
		return 0, cpu, err
	}
	want := before
	if on {
		want += done.Load() * events.perSet
	}
	if got := events.waitFor(want, kvStallTimeout); got != want {
		return 0, cpu, fmt.Errorf("%s: the subscriber received %d bytes of events, want %d (%d SETs × %d B)%s",
			name, got-before, want-before, done.Load(), events.perSet, events.errText())
	}
	return rate, cpu, nil
}

// An eventReader reads the subscriber connection of the notify and fanin
// cases, counting what it receives, and holds writers back while it lags.
// It counts bytes (notify) or, with a count function, frames (fanin).
type eventReader struct {
	client *kvClient
	perSet int64 // units owed for one acknowledged command: the bytes of a SET's two pmessage frames, or 1 frame
	lag    int64 // units the reader may be behind before writers wait
	// count, if set, consumes the complete frames in the reader's buffer
	// and returns how many there were; an error ends the reader. Without
	// it the reader counts bytes.
	count    func(fr *frameReader) (int64, error)
	received atomic.Int64 // units received
	reads    atomic.Int64 // reads that returned data, counted with count only
	waits    atomic.Int64 // times a writer waited for the reader
	stopping atomic.Bool
	failed   atomic.Bool

	mu      sync.Mutex
	cond    *sync.Cond
	waiting atomic.Int32 // writers in cond.Wait, or about to be
	err     error        // why the reader stopped; guarded by mu
}

// newEventReader returns a reader of sub, whose subscription matches the
// events of keys.
func newEventReader(sub *kvClient, keys kvKeys) *eventReader {
	r := &eventReader{client: sub, perSet: int64(setEventBytes(keys.key(0))), lag: notifyLagBytes}
	r.cond = sync.NewCond(&r.mu)
	return r
}

// newFrameEventReader returns a reader of sub that counts frames with count,
// one owed per acknowledged command, letting writers run at most lag
// frames ahead.
func newFrameEventReader(sub *kvClient, lag int64, count func(fr *frameReader) (int64, error)) *eventReader {
	r := &eventReader{client: sub, perSet: 1, lag: lag, count: count}
	r.cond = sync.NewCond(&r.mu)
	return r
}

// setEventBytes returns the bytes of the pmessage frames a SET of key
// raises under KEA in database 0: the keyspace event, then the keyevent.
func setEventBytes(key string) int {
	b := appendCommandStrings(nil, "pmessage", notifyPattern, "__keyspace@0__:"+key, "set")
	b = appendCommandStrings(b, "pmessage", notifyPattern, "__keyevent@0__:set", key)
	return len(b)
}

// run reads until the connection ends, or count finds a frame it does
// not expect, then wakes any waiting writer.
func (r *eventReader) run() {
	var err error
	if r.count != nil {
		err = r.readFrames()
	} else {
		err = r.readBytes()
	}
	r.mu.Lock()
	if !r.stopping.Load() {
		r.err = err
	}
	r.mu.Unlock()
	r.failed.Store(true)
	r.wake()
}

// readBytes counts bytes until a read fails.
func (r *eventReader) readBytes() error {
	fr := r.client.fr
	// Bytes the subscribe left in the buffer are events already.
	r.received.Add(int64(fr.w - fr.r))
	buf := make([]byte, 256<<10)
	for {
		n, err := r.client.conn.Read(buf)
		if n > 0 {
			r.received.Add(int64(n))
			r.wake()
		}
		if err != nil {
			return err
		}
	}
}

// readFrames counts frames with r.count until it or a read fails; the
// frames the subscribe left in the buffer are counted first.
func (r *eventReader) readFrames() error {
	fr := r.client.fr
	for {
		n, err := r.count(fr)
		if n > 0 {
			r.received.Add(n)
			r.wake()
		}
		if err != nil {
			return err
		}
		if err := fr.fill(); err != nil {
			return err
		}
		r.reads.Add(1)
	}
}

// stop closes the subscriber's connection, ending run.
func (r *eventReader) stop() {
	r.stopping.Store(true)
	r.client.conn.Close()
}

// errText describes why the reader stopped, if it did.
func (r *eventReader) errText() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		return ""
	}
	return "; subscriber: " + r.err.Error()
}

// wake wakes the writers waiting in a gate.
func (r *eventReader) wake() {
	if r.waiting.Load() > 0 {
		r.mu.Lock()
		r.cond.Broadcast()
		r.mu.Unlock()
	}
}

// gate returns a kvPhase.before that waits while what is owed for the
// acknowledged commands in done (counted from base units received) runs
// more than r.lag ahead of what the reader has received.
func (r *eventReader) gate(done *atomic.Int64, base int64) func(stopping *atomic.Bool) {
	open := func() bool {
		return r.failed.Load() || base+done.Load()*r.perSet-r.received.Load() <= r.lag
	}
	return func(stopping *atomic.Bool) {
		if stopping.Load() {
			r.mu.Lock()
			r.cond.Broadcast()
			r.mu.Unlock()
			return
		}
		if open() {
			return
		}
		r.waits.Add(1)
		r.mu.Lock()
		r.waiting.Add(1)
		for !open() && !stopping.Load() {
			r.cond.Wait()
		}
		r.waiting.Add(-1)
		r.mu.Unlock()
	}
}

// waitFor polls until the reader has received want units in all, the reader
// stops or timeout passes, and returns what it has received.
func (r *eventReader) waitFor(want int64, timeout time.Duration) int64 {
	deadline := time.Now().Add(timeout)
	for {
		got := r.received.Load()
		if got >= want || r.failed.Load() || time.Now().After(deadline) {
			// A moment more, so that bytes beyond want show up too.
			time.Sleep(20 * time.Millisecond)
			return r.received.Load()
		}
		time.Sleep(5 * time.Millisecond)
	}
}
