package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
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
	releaseEvery      = 5 * time.Second
	idleAllocBytes    = 1 << 20  // allocated in one period, at most, to count as idle
	minRetainedToFree = 16 << 20 // retained beyond the live heap, at least, to be worth a collection
)

// shouldRelease decides, from two samples a period apart, whether the
// process is idle while holding much more heap than it uses: garbage that
// no collection will reclaim because nothing allocates, as after a burst
// of connections (each handshake and first command leaves buffers behind).
func shouldRelease(prev, cur memorySample) bool {
	if cur.allocated-prev.allocated > idleAllocBytes || cur.inUse <= cur.live {
		return false
	}
	retained := cur.inUse - cur.live
	return retained > minRetainedToFree && retained > cur.live/2
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
