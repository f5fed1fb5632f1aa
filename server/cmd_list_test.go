package server

import (
	"testing"
	"time"
)

// TestParseBlockTimeout: the cases checked against redis-server 7.0.15.
func TestParseBlockTimeout(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"0", 0, ""}, {"-0", 0, ""}, {"-0.0001", 0, ""}, {"0.0001", time.Millisecond, ""}, {"1e-300", time.Millisecond, ""},
		{"1.5", 1500 * time.Millisecond, ""}, {"+2", 2 * time.Second, ""}, {".5e-3", time.Millisecond, ""}, {"1.", time.Second, ""},
		{"0x10", 16 * time.Second, ""}, {"0x1p-20", time.Millisecond, ""}, {"0x0.001", time.Millisecond, ""}, {"1E1", 10 * time.Second, ""},
		{"9223372036854775", 0, ""}, // further than Herald waits: forever, as Redis's overflowed deadline
		{"-1", 0, errTimeoutNegative}, {"-0.5", 0, errTimeoutNegative}, {"inf", 0, errTimeoutNegative},
		{"-Infinity", 0, errTimeoutNegative}, {"1e300", 0, errTimeoutNegative}, {"9223372036854776", 0, errTimeoutNegative},
		{"x", 0, errTimeoutNotFloat}, {"nan", 0, errTimeoutNotFloat}, {" 1", 0, errTimeoutNotFloat}, {"1 ", 0, errTimeoutNotFloat},
		{"1_0", 0, errTimeoutNotFloat}, {"", 0, errTimeoutNotFloat}, {"0x", 0, errTimeoutNotFloat}, {"1e", 0, errTimeoutNotFloat},
		{".", 0, errTimeoutNotFloat}, {"+-1", 0, errTimeoutNotFloat}, {"1e5000", 0, errTimeoutNotFloat}, {"0b1", 0, errTimeoutNotFloat},
		{"0o7", 0, errTimeoutNotFloat}, {"1e-5000", 0, errTimeoutNotFloat}, {"1e-4940", time.Millisecond, ""},
	} {
		got, err := parseBlockTimeout([]byte(tc.in))
		if got != tc.want || err != tc.err {
			t.Errorf("parseBlockTimeout(%q) = %v, %q; want %v, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// TestBlockingDroppedWaiter: a waiter whose connection is closing when its
// turn comes is dropped, and the element goes to the next one.
func TestBlockingDroppedWaiter(t *testing.T) {
	s := startServer(t, Config{})
	a, b := dial(t, s.Addr()), dial(t, s.Addr())
	a.send("BLPOP", "l", "0")
	waitWaiting(t, s, 1)
	b.send("BLPOP", "l", "0")
	waitWaiting(t, s, 2)
	s.ks.Lock()
	s.blocked.byKey[blockKey{0, "l"}][0].c.killed.Store(true) // as kill does before closing
	s.ks.Unlock()
	p := dial(t, s.Addr())
	p.mustDo(":1\r\n", "RPUSH", "l", "x")
	b.mustRead("*2\r\n$1\r\nl\r\n$1\r\nx\r\n")
	waitWaiting(t, s, 0)
	p.mustDo(":0\r\n", "LLEN", "l")
}
