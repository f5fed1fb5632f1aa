package main

import (
	"math"
	"strings"
	"testing"
)

func TestParseFlagsScaleout(t *testing.T) {
	cfg, err := parseFlags([]string{"-only", "herald", "-cases", "scaleout", "-scaleout-subs", "2000", "-scaleout-setups", "redis,embedded"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.maxClients <= 2000 {
		t.Errorf("maxclients %d is not above the scaleout subscribers", cfg.maxClients)
	}
	if len(cfg.scaleSetups) != 2 || cfg.scaleSetups[0].name != "redis" || cfg.scaleSetups[1].name != "embedded" {
		t.Errorf("setups %v", cfg.scaleSetups)
	}
	if cases := allCases(cfg); len(cases) != 1 || len(cases[0].columns) != 2 || !cases[0].heraldOnly {
		t.Errorf("cases %+v", cases)
	}
	if _, err := parseFlags([]string{"-scaleout-setups", "embedded,nope"}); err == nil {
		t.Error("an unknown setup was accepted")
	}
	if def, _ := parseFlags(nil); def.cases["scaleout"] {
		t.Error("scaleout runs by default")
	}
}

// TestColumnsTable checks the side-by-side table: medians per column over
// the runs, a setup that failed in one run (NaN) marked, ratios to the
// first column, and no Redis/Herald table when nothing else ran.
func TestColumnsTable(t *testing.T) {
	bc := benchCase{
		group: "scaleout", name: "scaleout", heraldOnly: true,
		metrics: []metric{{label: "rate", unit: perSecond}, {label: "p99", unit: microseconds, lower: true}},
		columns: []column{{"one node", "embedded"}, {"two nodes", "redis"}},
	}
	cr := caseResults{bc: bc, values: map[serverKind][][]float64{kindHerald: {
		{2e6, 100, 1e6, 300},
		{2e6, 200, math.NaN(), math.NaN()},
		{4e6, 300, 1e6, 500},
	}}}
	var b strings.Builder
	writeColumns(&b, cr)
	got := b.String()
	for _, want := range []string{
		"| scenario | one node | two nodes | redis / embedded | spread embedded / redis |",
		"| rate | 2.00 M | 1.00 M * | 0.50 | 100% / 0% |",
		"| p99 | 200 µs | 400 µs * | 2.00 | 100% / 50% |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if vs := formatValues(bc, cr.values[kindHerald][0]); vs != "2.00 M, 100 µs, 1.00 M, 300 µs" {
		t.Errorf("formatValues = %q", vs)
	}
	cfg := &config{runs: 3}
	report := formatReport(cfg, environment{}, nil, []caseResults{cr})
	if strings.Contains(report, "Herald/Redis") {
		t.Errorf("a report of side-by-side cases only has the Redis/Herald table:\n%s", report)
	}
}
