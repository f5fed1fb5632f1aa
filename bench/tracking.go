package main

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// trackingModes are the CLIENT TRACKING settings the tracking case
// compares, each with the options it sends ("" for tracking off).
var trackingModes = []struct{ name, options string }{
	{"tracking off", ""},
	{"tracking on", "on"},
	{"tracking BCAST", "on BCAST"},
}

// trackingCase measures what CLIENT TRACKING costs GET and SET: the
// getset load (cfg.kvConns connections, depth commands in flight, every
// key preloaded) on RESP3 connections with tracking off, in the default
// mode and in BCAST mode (no prefix: every key), each on fresh
// connections. The GET phase runs first, so that in the default mode the
// keys are tracked when the SET phase overwrites them: a SET then sends
// an invalidation to each connection that read its key, and in BCAST mode
// every SET sends one to every connection. Invalidations are read and
// counted as output, not as replies. Rows are GET/s and SET/s per mode;
// the report's ratio compares each with redis-server under the same load.
func trackingCase(cfg *config, depth int) benchCase {
	desc := kvDesc(cfg, depth)
	var metrics []metric
	for _, m := range trackingModes {
		metrics = append(metrics,
			metric{label: "GET/s, " + m.name + ", " + desc, unit: perSecond},
			metric{label: "SET/s, " + m.name + ", " + desc, unit: perSecond})
	}
	return benchCase{
		group:   "tracking",
		name:    fmt.Sprintf("tracking %d conns × %d", cfg.kvConns, depth),
		metrics: metrics,
		run: func(cfg *config, s *server) (caseResult, error) {
			var res caseResult
			var cpus []cpuUsage
			for _, m := range trackingModes {
				rates, cpu, err := runTracking(cfg, s, depth, m.options)
				if err != nil {
					return caseResult{}, fmt.Errorf("%s: %w", m.name, err)
				}
				res.values = append(res.values, rates...)
				cpus = append(cpus, cpu...)
			}
			res.cpu = combineCPU(cpus)
			return res, s.checkAlive()
		},
	}
}

// runTracking runs the GET and SET phases against s on connections that
// sent HELLO 3 and, unless options is empty, CLIENT TRACKING options.
func runTracking(cfg *config, s *server, depth int, options string) ([]float64, []cpuUsage, error) {
	clients, err := dialKV(s, cfg.kvConns)
	if err != nil {
		return nil, nil, err
	}
	defer closeKV(clients)
	if err := setupTracking(clients, options); err != nil {
		return nil, nil, err
	}
	if _, err := s.do(5*time.Second, "FLUSHALL"); err != nil {
		return nil, nil, err
	}
	keys := newKVKeys(cfg.kvKeys)
	value := makePayload(cfg.kvValue)
	sets := keys.setRing(value)
	if err := preload(s, clients, sets, cfg.kvKeys); err != nil {
		return nil, nil, err
	}
	var rates []float64
	var cpus []cpuUsage
	for _, p := range []kvPhase{
		{name: fmt.Sprintf("GET ×%d %s", depth, options), ring: keys.getRing(), depth: depth, check: checkValue(value)},
		{name: fmt.Sprintf("SET ×%d %s", depth, options), ring: sets, depth: depth, check: checkOK},
	} {
		rate, cpu, err := p.run(cfg, s, clients)
		if err != nil {
			return nil, nil, err
		}
		rates, cpus = append(rates, rate), append(cpus, cpu)
	}
	return rates, cpus, nil
}

// setupTracking switches every client to RESP3 and turns tracking on with
// options (nothing more when options is empty).
func setupTracking(clients []*kvClient, options string) error {
	setup := appendCommandStrings(nil, "HELLO", "3")
	n := 1
	if options != "" {
		args := append([]string{"CLIENT", "TRACKING"}, strings.Fields(options)...)
		setup = appendCommandStrings(setup, args...)
		n++
	}
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.conn.SetDeadline(time.Now().Add(setupTimeout))
			defer c.conn.SetDeadline(time.Time{})
			errs[i] = c.roundTrip(setup, n, func(f frame) error {
				if f.kind != '%' && f.kind != '+' {
					return fmt.Errorf("setup answered %q %q", f.kind, f.last)
				}
				return nil
			})
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
