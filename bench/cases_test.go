package main

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/glob"
)

// TestPatternChannelsMatchOnePatternEach checks the patterns cases'
// premise: every published channel matches exactly one subscribed pattern,
// so at most 1% of the patterns ever match. Matching is Redis's, through
// Herald's matcher (checked against redis-server in internal/glob).
func TestPatternChannelsMatchOnePatternEach(t *testing.T) {
	sets := []patternSet{mixedSet}
	for _, shape := range patternShapes {
		sets = append(sets, shapeSet(shape))
	}
	for _, set := range sets {
		for _, n := range []int{400, 10000} {
			channels := set.channels(n)
			if len(channels)*100 > n {
				t.Errorf("%s, %d patterns: %d channels, more than 1%%", set.name, n, len(channels))
			}
			matched := map[string]bool{}
			for _, ch := range channels {
				var hits []string
				for i := range n {
					if p := set.pattern(i); glob.MatchString(p, ch) {
						hits = append(hits, p)
					}
				}
				if len(hits) != 1 {
					t.Errorf("%s, %d patterns: channel %q matches %v, want exactly one", set.name, n, ch, hits)
				}
				for _, h := range hits {
					matched[h] = true
				}
			}
			if len(matched) != len(channels) {
				t.Errorf("%s, %d patterns: channels match %d distinct patterns, want %d", set.name, n, len(matched), len(channels))
			}
		}
	}
}

func TestStampRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{0, 1, time.Microsecond + 3, 90 * time.Minute} {
		b := makePayload(64)
		writeStamp(b, d)
		got, err := parseStamp(b)
		if err != nil || got != d {
			t.Errorf("stamp %v read back as %v, %v", d, got, err)
		}
	}
	if _, err := parseStamp([]byte("short")); err == nil {
		t.Error("parseStamp accepted a payload without a stamp")
	}
}

func TestPercentileAndMedian(t *testing.T) {
	sorted := make([]time.Duration, 100)
	for i := range sorted {
		sorted[i] = time.Duration(i + 1)
	}
	if p := percentile(sorted, 50); p != 50 {
		t.Errorf("p50 = %v, want 50", p)
	}
	if p := percentile(sorted, 99); p != 99 {
		t.Errorf("p99 = %v, want 99", p)
	}
	if p := percentile(sorted[:1], 99); p != 1 {
		t.Errorf("p99 of one = %v, want 1", p)
	}
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Errorf("median = %v, want 2", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Errorf("median = %v, want 2.5", m)
	}
}

func TestFanoutMaxLagBounds(t *testing.T) {
	for _, subs := range []int{1, 100, 1000, 5000, 100000} {
		for _, frameSize := range []int{50, 4150} {
			lag, batch := fanoutMaxLag(64, subs, frameSize)
			if batch < 1 || batch > 64 || lag != 2*batch {
				t.Errorf("fanoutMaxLag(64, %d, %d) = %d, %d", subs, frameSize, lag, batch)
			}
			if batch > 1 && lag*int64(subs*frameSize) > fanoutLagBytes {
				t.Errorf("fanoutMaxLag(64, %d, %d) = %d, %d: over the byte budget", subs, frameSize, lag, batch)
			}
		}
	}
	if _, batch := fanoutMaxLag(64, 1000, 50); batch != 64 {
		t.Errorf("small frames: batch %d, want 64", batch)
	}
}

func TestFormatting(t *testing.T) {
	cases := []struct{ got, want string }{
		{thousands(0), "0"},
		{thousands(1234567), "1,234,567"},
		{thousands(-1000), "-1,000"},
		{formatValue(perSecond, 2_413_000), "2.41 M"},
		{formatValue(perSecond, 81_240), "81.2 k"},
		{formatValue(microseconds, 85.2), "85 µs"},
		{formatValue(microseconds, 1500), "1.50 ms"},
		{formatValue(bytesUnit, 2104.4), "2,104 B"},
		{shellJoin([]string{"-out", "BENCHMARKS.md", "-idle-wait", "2s,15s"}), " -out BENCHMARKS.md -idle-wait 2s,15s"},
		{shellJoin([]string{"-only", "it's", ""}), ` -only 'it'\''s' ''`},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestParseFlagsQuickKeepsExplicitFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-quick", "-runs", "3", "-cases", "fanout,idle"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.runs != 3 || cfg.idleConns != 2000 || !cfg.cases["idle"] || cfg.cases["latency"] {
		t.Errorf("runs %d, idle conns %d, cases %v", cfg.runs, cfg.idleConns, cfg.cases)
	}
	if cfg.maxClients <= cfg.idleConns || cfg.maxClients <= 5000 {
		t.Errorf("maxclients %d is not above every case's connection count", cfg.maxClients)
	}
	if _, err := parseFlags([]string{"-cases", "nope"}); err == nil {
		t.Error("an unknown case was accepted")
	}
}
