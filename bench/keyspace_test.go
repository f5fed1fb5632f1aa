package main

import (
	"math"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestCommandRingBatches(t *testing.T) {
	var r commandRing
	for _, c := range []string{"a", "bb", "ccc", "dddd", "eeeee"} {
		r.add([]byte(c))
	}
	if r.len() != 5 {
		t.Fatalf("len %d, want 5", r.len())
	}
	pos := 0
	var got []string
	for range 4 {
		got = append(got, string(r.batch(&pos, 2)))
	}
	// The third batch would run past the end, so it starts again at 0.
	if want := []string{"abb", "cccdddd", "abb", "cccdddd"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("batches %q, want %q", got, want)
	}
}

func TestKVKeysFixedWidth(t *testing.T) {
	keys := newKVKeys(100000)
	if keys.key(7) != "bench:key:00007" || keys.key(99999) != "bench:key:99999" {
		t.Errorf("keys %q, %q", keys.key(7), keys.key(99999))
	}
	seen := map[int]bool{}
	for _, i := range keys.order {
		seen[i] = true
	}
	if len(seen) != 100000 {
		t.Errorf("order covers %d keys, want 100000", len(seen))
	}
	if again := newKVKeys(100000); again.order[0] != keys.order[0] || again.order[99] != keys.order[99] {
		t.Error("the key order differs between runs")
	}
}

func TestSetEventBytes(t *testing.T) {
	want := "*4\r\n$8\r\npmessage\r\n$12\r\n__key*@*__:*\r\n$22\r\n__keyspace@0__:bench:k\r\n$3\r\nset\r\n" +
		"*4\r\n$8\r\npmessage\r\n$12\r\n__key*@*__:*\r\n$18\r\n__keyevent@0__:set\r\n$7\r\nbench:k\r\n"
	if got := setEventBytes("bench:k"); got != len(want) {
		t.Errorf("setEventBytes = %d, want %d", got, len(want))
	}
}

func TestCombineCPU(t *testing.T) {
	quiet := cpuUsage{client: 0.5, server: 1, other: 0.1, measured: true}
	bound := cpuUsage{client: 1, server: 0.5, other: 0.3, measured: true}
	u := combineCPU([]cpuUsage{quiet, bound, {}})
	if !u.busyMachine() || !u.clientBound() || u.other != 0.3 {
		t.Errorf("combined %+v: want busy and client-bound", u)
	}
	if u := combineCPU([]cpuUsage{quiet, quiet}); u.busyMachine() || u.clientBound() || u.server != 1 {
		t.Errorf("combined %+v", u)
	}
}

func TestParseFlagsKeyspace(t *testing.T) {
	def, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if def.cases["getset"] || def.cases["notify"] {
		t.Error("keyspace cases run by default")
	}
	cfg, err := parseFlags([]string{"-cases", "getset,notify", "-getset-pipeline", "1,64", "-notify-pipeline", "16"})
	if err != nil {
		t.Fatal(err)
	}
	cases := allCases(cfg)
	if len(cases) != 3 || cases[0].group != "getset" || cases[2].group != "notify" || len(cases[2].metrics) != 6 {
		t.Errorf("cases %+v", cases)
	}
	if _, err := parseFlags([]string{"-kv-keys", "100", "-kv-conns", "50", "-getset-pipeline", "16"}); err == nil {
		t.Error("fewer keys than commands in flight was accepted")
	}
}

// TestKeyspaceCasesAgainstRedis runs short getset and notify cases against
// a real redis-server, when one is on the PATH: every reply and the exact
// bytes of the notifications are checked by the cases themselves.
func TestKeyspaceCasesAgainstRedis(t *testing.T) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on the PATH")
	}
	if testing.Short() {
		t.Skip("starts redis-server")
	}
	cfg := &config{
		kvConns: 4, kvKeys: 1000, kvValue: 64, maxClients: 100, noOutputLimit: true,
		warmup: 50 * time.Millisecond, duration: 150 * time.Millisecond, tmpDir: t.TempDir(),
	}
	spec := serverSpec{kind: kindRedis, bin: bin}
	notify := notifyCase(cfg, 4) // twice: off first, then on first
	for i, bc := range []benchCase{getSetCase(cfg, 1), getSetCase(cfg, 8), notify, notify} {
		res, err := runOnce(cfg, spec, bc, i)
		if err != nil {
			t.Fatalf("%s: %v", bc.name, err)
		}
		for m, v := range res.values {
			label := bc.metrics[m].label
			// A per-CPU figure is NaN when the server's CPU time in
			// the short window was under one 10 ms tick, which a
			// loaded machine (go test runs packages side by side)
			// makes common; TestPerServerCPU checks the arithmetic.
			if math.IsNaN(v) && strings.Contains(label, "per server CPU-second") {
				t.Logf("%s: %s: server CPU not measurable in the window", bc.name, label)
				continue
			}
			if !(v > 0) {
				t.Errorf("%s: %s = %v", bc.name, label, v)
			}
		}
	}
}

// TestPerServerCPU: a rate divided by the server's share of a core, and NaN
// when no CPU time was measured.
func TestPerServerCPU(t *testing.T) {
	if got := perServerCPU(1000, cpuUsage{measured: true, server: 0.25}); got != 4000 {
		t.Errorf("1000/s at a quarter of a core: %v, want 4000", got)
	}
	for _, cpu := range []cpuUsage{{}, {measured: true}} {
		if got := perServerCPU(1000, cpu); !math.IsNaN(got) {
			t.Errorf("%+v: %v, want NaN", cpu, got)
		}
	}
}
