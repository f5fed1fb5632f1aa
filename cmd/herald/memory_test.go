package main

import "testing"

func TestShouldRelease(t *testing.T) {
	const mb = 1 << 20
	base := memorySample{allocated: 500 * mb, inUse: 100 * mb, live: 20 * mb}
	for _, tc := range []struct {
		name string
		cur  memorySample
		want bool
	}{
		{"idle, much retained", memorySample{allocated: 500 * mb, inUse: 100 * mb, live: 20 * mb}, true},
		{"busy: allocating", memorySample{allocated: 520 * mb, inUse: 100 * mb, live: 20 * mb}, false},
		{"idle, little retained", memorySample{allocated: 500 * mb, inUse: 30 * mb, live: 20 * mb}, false},
		{"idle, retained small against the live heap", memorySample{allocated: 500 * mb, inUse: 120 * mb, live: 100 * mb}, false},
		{"idle after a burst, live stale from mid-burst", memorySample{allocated: 500 * mb, inUse: 150 * mb, live: 100 * mb}, true},
		{"live above in use (stale sample)", memorySample{allocated: 500 * mb, inUse: 10 * mb, live: 20 * mb}, false},
	} {
		if got := shouldRelease(base, tc.cur); got != tc.want {
			t.Errorf("%s: shouldRelease = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestStackStartEnv(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "adaptivestackstart=0", true},
		{"gctrace=1", "gctrace=1,adaptivestackstart=0", true},
		{"adaptivestackstart=1", "", false},
		{"gctrace=1, adaptivestackstart=0", "", false},
	} {
		got, ok := stackStartEnv(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("stackStartEnv(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
