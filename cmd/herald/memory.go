package main

import (
	"context"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"syscall"
	"time"
)

// memorySample is what releaseIdleMemory reads of the Go runtime.
type memorySample struct {
	allocated uint64 // bytes allocated since the process started
	inUse     uint64 // heap bytes in objects (live or not yet collected) and in free spans
	live      uint64 // heap bytes live at the last garbage collection
}

var memoryMetrics = []string{
	"/gc/heap/allocs:bytes",
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/free:bytes",
	"/gc/heap/live:bytes",
}

func readMemory() memorySample {
	s := make([]metrics.Sample, len(memoryMetrics))
	for i, name := range memoryMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	return memorySample{
		allocated: s[0].Value.Uint64(),
		inUse:     s[1].Value.Uint64() + s[2].Value.Uint64(),
		live:      s[3].Value.Uint64(),
	}
}

// Thresholds of releaseIdleMemory.
const (
	releaseEvery      = time.Second
	idleAllocBytes    = 1 << 20  // allocated in one period, at most, to count as idle
	minRetainedToFree = 16 << 20 // retained beyond the live heap, at least, to be worth a collection
)

// shouldRelease decides, from two samples a period apart, whether the
// process is idle while holding much more heap than it uses: garbage that
// no collection will reclaim because nothing allocates, as after a burst
// of connections (each handshake and first command leaves buffers behind).
//
// live is as of the last collection, which may have run in the middle of
// the burst, when most of the burst's buffers were still in use: so live
// can be well above what is live now, and the test against it is loose (a
// quarter) to still see that garbage. After a release, in use is about
// live, so an idle process does not release again and again.
func shouldRelease(prev, cur memorySample) bool {
	if cur.allocated-prev.allocated > idleAllocBytes || cur.inUse <= cur.live {
		return false
	}
	retained := cur.inUse - cur.live
	return retained > minRetainedToFree && retained > cur.live/4
}

// releaseIdleMemory returns that memory to the operating system, as Redis's
// cron frees idle clients' query buffers: an idle server's resident size
// then reflects its connections, not its last burst. It costs one garbage
// collection, and only when the process is idle. It returns when ctx ends.
func releaseIdleMemory(ctx context.Context) {
	t := time.NewTicker(releaseEvery)
	defer t.Stop()
	prev := readMemory()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		cur := readMemory()
		if shouldRelease(prev, cur) {
			debug.FreeOSMemory()
			cur = readMemory()
		}
		prev = cur
	}
}

// stackStartSetting is the runtime setting serve runs with: goroutines
// start with the smallest stack rather than the running average of stack
// use. Each connection's reader starts on a fresh goroutine once its
// handshake is done (see the server's and the gateway's read loops); an
// average taken while a burst of handshakes ran, whose stacks are deep,
// would start every one of those readers, and so every idle connection,
// with a stack twice the size it needs, and a stack never shrinks below
// four times its use. Measured: `go run ./bench -only herald -cases wsidle`
// (BENCHMARKS.md). The runtime reads the setting only at start-up, and
// //go:debug does not accept it, so serve re-executes itself with it.
const stackStartSetting = "adaptivestackstart=0"

// stackStartEnv returns the GODEBUG value to re-execute with, or false when
// the environment already decides the setting (an operator's choice wins).
func stackStartEnv(godebug string) (string, bool) {
	for _, kv := range strings.Split(godebug, ",") {
		if strings.HasPrefix(strings.TrimSpace(kv), "adaptivestackstart=") {
			return "", false
		}
	}
	if godebug == "" {
		return stackStartSetting, true
	}
	return godebug + "," + stackStartSetting, true
}

// reexecWithSmallStacks replaces the process with itself, the same
// arguments and GODEBUG set by stackStartEnv, and returns only if that is
// not needed or not possible (the server then runs with the default).
func reexecWithSmallStacks() {
	godebug, ok := stackStartEnv(os.Getenv("GODEBUG"))
	if !ok {
		return
	}
	exe, err := os.Executable()
	if err != nil {
		return
	}
	env := append(os.Environ(), "GODEBUG="+godebug) // the last wins
	syscall.Exec(exe, os.Args, env)
}
