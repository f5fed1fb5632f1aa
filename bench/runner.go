package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// caseResults holds, for one case, every run's values per server.
type caseResults struct {
	bc     benchCase
	values map[serverKind][][]float64 // per server, per successful run, one per metric
	errors map[serverKind][]string    // per server, failed runs
	notes  []string                   // warnings worth a footnote
	client bool                       // some run looked bound by the load generator
	busy   bool                       // in some run, other work used the machine
}

// runCases runs every case cfg.runs times on each server, a fresh server
// each time. Within a case the servers take turns and the one that goes
// first alternates from run to run, so slow drift of the machine affects
// both alike. A failed run is logged and left out of the medians.
func runCases(cfg *config, specs []serverSpec, cases []benchCase) []caseResults {
	var all []caseResults
	seq := 0
	for _, bc := range cases {
		cr := caseResults{bc: bc, values: map[serverKind][][]float64{}, errors: map[serverKind][]string{}}
		for r := range cfg.runs {
			for i := range specs {
				spec := specs[(i+r)%len(specs)]
				if bc.heraldOnly && spec.kind != kindHerald {
					continue
				}
				seq++
				began := time.Now()
				res, err := runOnce(cfg, spec, bc, seq)
				prefix := fmt.Sprintf("%-36s %-6s run %d/%d (%4.1fs):", bc.name, spec.kind, r+1, cfg.runs,
					time.Since(began).Seconds())
				if err != nil {
					fmt.Fprintf(os.Stderr, "%s FAILED: %v\n", prefix, err)
					cr.errors[spec.kind] = append(cr.errors[spec.kind], firstLine(err.Error()))
					continue
				}
				cr.values[spec.kind] = append(cr.values[spec.kind], res.values)
				fmt.Fprintf(os.Stderr, "%s %s  %s\n", prefix, formatValues(bc, res.values), res.cpu)
				for _, n := range res.notes {
					fmt.Fprintf(os.Stderr, "    note: %s\n", n)
					cr.notes = append(cr.notes, fmt.Sprintf("%s, %s run %d: %s", bc.name, spec.kind, r+1, n))
				}
				if res.cpu.busyMachine() {
					cr.busy = true
					fmt.Fprintln(os.Stderr, "    note: other work used the machine during the window; this run is suspect")
				}
				if res.cpu.clientBound() {
					cr.client = true
					fmt.Fprintln(os.Stderr, "    note: the load generator's core was saturated; the server may be faster than shown")
				}
			}
		}
		all = append(all, cr)
	}
	return all
}

// runOnce starts a fresh server, runs one case against it and stops it.
func runOnce(cfg *config, spec serverSpec, bc benchCase, seq int) (caseResult, error) {
	var extra []string
	dir := ""
	if bc.serverArgs != nil {
		parent := cfg.aofDir
		if parent == "" {
			parent = cfg.tmpDir
		}
		var err error
		if dir, err = os.MkdirTemp(parent, fmt.Sprintf("%s-%03d-", spec.kind, seq)); err != nil {
			return caseResult{}, err
		}
		defer os.RemoveAll(dir)
		extra = bc.serverArgs(spec.kind, dir)
	}
	s, err := startServer(cfg, spec, seq, bc.gateway, extra...)
	if err != nil {
		return caseResult{}, err
	}
	s.dir = dir
	defer s.stop()
	warnMaxClients(cfg, s)
	return bc.run(cfg, s)
}

// warnMaxClients warns when a server runs with fewer clients allowed than
// asked for (redis-server lowers maxclients to fit its open-file limit).
// Servers that do not answer CONFIG GET are not checked.
func warnMaxClients(cfg *config, s *server) {
	f, err := s.do(2*time.Second, "CONFIG", "GET", "maxclients")
	if err != nil || f.kind != '*' {
		return
	}
	if n, err := parseInt(f.last); err == nil && n < int64(cfg.maxClients) {
		fmt.Fprintf(os.Stderr, "bench: warning: %s runs with maxclients %d, asked for %d\n", s.kind, n, cfg.maxClients)
	}
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
