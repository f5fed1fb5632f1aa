package main

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// kvStallTimeout is how long a keyspace phase waits, after its window, for
// every connection to get the replies of the batch it has in flight.
const kvStallTimeout = 10 * time.Second

// kvPreloadDepth is the pipeline depth of the unmeasured preload.
const kvPreloadDepth = 256

// getSetCase measures SET and GET throughput over a keyspace of cfg.kvKeys
// keys (bench:key:<n>, fixed width) with values of cfg.kvValue bytes, from
// cfg.kvConns connections that each keep depth commands in flight: depth 1
// is one command at a time (redis-benchmark's default), a larger depth is a
// pipeline (redis-benchmark -P depth) whose replies are all read before the
// next batch is written.
//
// One server run preloads every key (pipelined, not measured; DBSIZE must
// then be cfg.kvKeys), then measures a SET phase, which overwrites existing
// keys, and a GET phase, each with its own warmup and window. Keys go in a
// fixed random order, each connection starting at its own place in it.
// Every reply is checked: +OK for SET, the value for GET; a wrong reply
// fails the run. The figure is replies per second over all connections;
// a second pair of rows divides it by the server's CPU use in the window
// (see perServerCPU), which is steadier when other work shares the machine.
//
// Every connection has its own goroutine on the load generator's one core,
// so at depth 1 the client pays a write and a read per command, as the
// server does; the † mark says when it was the limit.
func getSetCase(cfg *config, depth int) benchCase {
	desc := kvDesc(cfg, depth)
	return benchCase{
		group: "getset",
		name:  fmt.Sprintf("getset %d conns × %d", cfg.kvConns, depth),
		metrics: []metric{
			{label: "SET/s, " + desc, unit: perSecond},
			{label: "GET/s, " + desc, unit: perSecond},
			{label: "SET per server CPU-second, " + desc, unit: perSecond},
			{label: "GET per server CPU-second, " + desc, unit: perSecond},
		},
		run: func(cfg *config, s *server) (caseResult, error) {
			return runGetSet(cfg, s, depth)
		},
	}
}

// kvDesc describes the load of a keyspace case for its row labels.
func kvDesc(cfg *config, depth int) string {
	inFlight := "1 at a time"
	if depth > 1 {
		inFlight = fmt.Sprintf("pipeline %d", depth)
	}
	return fmt.Sprintf("%d conns × %s, %s keys × %d B", cfg.kvConns, inFlight, thousands(int64(cfg.kvKeys)), cfg.kvValue)
}

// runGetSet runs the getset case against s.
func runGetSet(cfg *config, s *server, depth int) (caseResult, error) {
	clients, err := dialKV(s, cfg.kvConns)
	if err != nil {
		return caseResult{}, err
	}
	defer closeKV(clients)
	keys := newKVKeys(cfg.kvKeys)
	value := makePayload(cfg.kvValue)
	sets := keys.setRing(value)
	if err := preload(s, clients, sets, cfg.kvKeys); err != nil {
		return caseResult{}, err
	}
	var rates, perCPU []float64
	var cpus []cpuUsage
	for _, p := range []kvPhase{
		{name: fmt.Sprintf("SET ×%d", depth), ring: sets, depth: depth, check: checkOK},
		{name: fmt.Sprintf("GET ×%d", depth), ring: keys.getRing(), depth: depth, check: checkValue(value)},
	} {
		rate, cpu, err := p.run(cfg, s, clients)
		if err != nil {
			return caseResult{}, err
		}
		rates, perCPU = append(rates, rate), append(perCPU, perServerCPU(rate, cpu))
		cpus = append(cpus, cpu)
	}
	return caseResult{values: append(rates, perCPU...), cpu: combineCPU(cpus)}, s.checkAlive()
}

// perServerCPU returns rate divided by the server's share of a core in the
// window: commands per CPU-second of the server. When other work takes the
// server's core part of the time, the rate falls but this figure much
// less; it is what a server does with the CPU it gets, not how fast it
// answers. CPU time is counted in 10 ms ticks, so over a 2 s window at a
// quarter of a core it is good to about 2%.
func perServerCPU(rate float64, cpu cpuUsage) float64 {
	if !cpu.measured || cpu.server <= 0 {
		return math.NaN()
	}
	return rate / cpu.server
}

// kvKeys is a keyspace of fixed-width keys in a fixed random order.
type kvKeys struct {
	order []int // a permutation of the key numbers
	width int   // digits of the key number
}

// newKVKeys returns n keys in an order that is the same in every run.
func newKVKeys(n int) kvKeys {
	rng := rand.New(rand.NewPCG(5, 7))
	return kvKeys{order: rng.Perm(n), width: len(strconv.Itoa(n - 1))}
}

// key returns the name of key number i.
func (k kvKeys) key(i int) string {
	return fmt.Sprintf("bench:key:%0*d", k.width, i)
}

// setRing returns a SET of value for every key, in the keys' order.
func (k kvKeys) setRing(value []byte) commandRing {
	var r commandRing
	for _, i := range k.order {
		r.add(appendCommand(nil, []byte("SET"), []byte(k.key(i)), value))
	}
	return r
}

// getRing returns a GET of every key, in the keys' order.
func (k kvKeys) getRing() commandRing {
	var r commandRing
	for _, i := range k.order {
		r.add(appendCommandStrings(nil, "GET", k.key(i)))
	}
	return r
}

// A commandRing holds pre-encoded commands back to back, so that any run
// of consecutive commands is one slice to write.
type commandRing struct {
	buf []byte
	off []int // off[i] is where command i starts; one more entry marks the end
}

// add appends one encoded command.
func (r *commandRing) add(command []byte) {
	if len(r.off) == 0 {
		r.off = append(r.off, 0)
	}
	r.buf = append(r.buf, command...)
	r.off = append(r.off, len(r.buf))
}

// len returns the number of commands.
func (r commandRing) len() int { return max(0, len(r.off)-1) }

// batch returns n consecutive commands starting at *pos and advances *pos;
// a batch that would run past the end starts again at the first command.
func (r commandRing) batch(pos *int, n int) []byte {
	if *pos+n > r.len() {
		*pos = 0
	}
	b := r.buf[r.off[*pos]:r.off[*pos+n]]
	*pos += n
	return b
}

// A kvClient is one connection of a keyspace case, kept across its phases.
type kvClient struct {
	conn net.Conn
	fr   *frameReader
	pos  int // the next command of the ring to send
}

// dialKV opens n client connections to s.
func dialKV(s *server, n int) ([]*kvClient, error) {
	conns, err := dialMany(s.addr, n)
	if err != nil {
		return nil, err
	}
	clients := make([]*kvClient, n)
	for i, c := range conns {
		clients[i] = &kvClient{conn: c, fr: newFrameReader(c, 64<<10)}
	}
	return clients, nil
}

// closeKV closes every client's connection.
func closeKV(clients []*kvClient) {
	for _, c := range clients {
		c.conn.Close()
	}
}

// roundTrip writes commands and reads n replies, checking each.
func (c *kvClient) roundTrip(commands []byte, n int, check func(frame) error) error {
	if _, err := c.conn.Write(commands); err != nil {
		return err
	}
	for n > 0 {
		f, ok, err := c.fr.buffered()
		if err != nil {
			return err
		}
		if !ok {
			if err := c.fr.fill(); err != nil {
				return err
			}
			continue
		}
		if f.kind == '-' {
			return fmt.Errorf("error reply %q", f.last)
		}
		if f.kind == '>' {
			continue // an invalidation of the tracking case: not a reply
		}
		if err := check(f); err != nil {
			return err
		}
		n--
	}
	return nil
}

// checkOK accepts the +OK of a SET.
func checkOK(f frame) error {
	if f.kind != '+' || string(f.last) != "OK" {
		return fmt.Errorf("SET answered %q %q, want +OK", f.kind, f.last)
	}
	return nil
}

// checkValue returns a check that accepts a bulk string holding value.
func checkValue(value []byte) func(frame) error {
	return func(f frame) error {
		if f.kind != '$' || !bytes.Equal(f.last, value) {
			return fmt.Errorf("GET answered %q with %d bytes, want the %d-byte value", f.kind, len(f.last), len(value))
		}
		return nil
	}
}

// preload SETs every command of ring once, the clients sharing the work,
// and checks that the server then holds keys keys.
func preload(s *server, clients []*kvClient, ring commandRing, keys int) error {
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.conn.SetDeadline(time.Now().Add(setupTimeout))
			defer c.conn.SetDeadline(time.Time{})
			end := (i + 1) * ring.len() / len(clients)
			for pos := i * ring.len() / len(clients); pos < end; {
				n := min(kvPreloadDepth, end-pos)
				if err := c.roundTrip(ring.buf[ring.off[pos]:ring.off[pos+n]], n, checkOK); err != nil {
					errs[i] = fmt.Errorf("preload on connection %d: %w", i, err)
					return
				}
				pos += n
			}
			c.pos = i * ring.len() / len(clients)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	f, err := s.do(5*time.Second, "DBSIZE")
	if err != nil {
		return fmt.Errorf("DBSIZE: %w", err)
	}
	if f.kind != ':' || f.num != int64(keys) {
		return fmt.Errorf("DBSIZE after preloading %d keys answered %q %d", keys, f.kind, f.num)
	}
	return nil
}

// A kvPhase is one measured phase of a keyspace case: every client sends
// depth commands of ring at a time and reads their replies, checked by
// check, until the window is over.
type kvPhase struct {
	name  string // for the progress log, e.g. "SET ×16"
	ring  commandRing
	depth int
	check func(frame) error
	// before, if set, is called before each batch; it may block (the
	// notify case waits there while its subscriber lags).
	before func(stopping *atomic.Bool)
	// done counts replies; the phase adds to it as replies arrive.
	done *atomic.Int64
}

// run measures the phase against s and returns replies per second with the
// CPU use of the window, which it also prints on the progress log.
func (p kvPhase) run(cfg *config, s *server, clients []*kvClient) (float64, cpuUsage, error) {
	if p.done == nil {
		p.done = new(atomic.Int64)
	}
	var (
		stopping atomic.Bool
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stopping.Load() {
				if p.before != nil {
					if p.before(&stopping); stopping.Load() {
						return
					}
				}
				if err := c.roundTrip(p.ring.batch(&c.pos, p.depth), p.depth, p.check); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("%s on connection %d: %w", p.name, i, err)
					}
					mu.Unlock()
					stopping.Store(true)
					return
				}
				p.done.Add(int64(p.depth))
			}
		}()
	}
	rate, cpu := measureRate(cfg, s, p.done.Load)
	stopping.Store(true)
	if p.before != nil {
		p.before(&stopping) // wakes anyone it holds back
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(kvStallTimeout):
		closeKV(clients)
		<-finished
		return 0, cpu, fmt.Errorf("%s: a connection was still waiting for replies %v after the window (server stalled?)",
			p.name, kvStallTimeout)
	}
	fmt.Fprintf(os.Stderr, "    %-10s %s/s  %s\n", p.name, formatValue(perSecond, rate), cpu)
	return rate, cpu, firstErr
}

// combineCPU sums up the CPU use of a run's phases for the runner's marks:
// the mean use of each side, the most the rest of the machine used in any
// phase, and the figures of a phase that was bound by the load generator,
// if one was.
func combineCPU(phases []cpuUsage) cpuUsage {
	var u cpuUsage
	n := 0
	for _, p := range phases {
		if p.measured {
			n++
		}
	}
	for _, p := range phases {
		if !p.measured {
			continue
		}
		u.measured = true
		u.client += p.client / float64(n)
		u.server += p.server / float64(n)
		u.other = max(u.other, p.other)
	}
	for _, p := range phases {
		if p.clientBound() {
			u.client, u.server = p.client, p.server
		}
	}
	return u
}
