package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
)

// environment describes the machine and the software under test.
type environment struct {
	lines [][2]string // name, value
}

// text renders the environment for the progress log.
func (e environment) text() string {
	var b strings.Builder
	for _, l := range e.lines {
		fmt.Fprintf(&b, "bench: %-12s %s\n", l[0]+":", l[1])
	}
	return b.String()
}

// describeEnvironment collects what a reader needs to judge the figures.
func describeEnvironment(cfg *config, specs []serverSpec) environment {
	var e environment
	add := func(k, v string) { e.lines = append(e.lines, [2]string{k, v}) }
	add("date", time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	add("command", "`"+cfg.commandLine+"`")
	add("go", runtime.Version())
	for _, s := range specs {
		switch s.kind {
		case kindRedis:
			out, err := exec.Command(s.bin, "--version").Output()
			add("redis", strings.TrimSpace(string(out))+errText(err))
		case kindHerald:
			out, err := exec.Command(s.bin, "version").Output()
			add("herald", strings.TrimSpace(string(out))+errText(err)+", "+heraldRevision(s.bin, cfg.heraldBin == ""))
		}
	}
	add("cpu", fmt.Sprintf("%s, %d cores online; kernel %s", cpuModel(), numOnlineCPUs(), osRelease()))
	if cfg.pin {
		add("pinning", fmt.Sprintf("server on CPU %s, load generator on CPU %s (GOMAXPROCS %d)",
			cfg.serverCPU, cfg.clientCPU, runtime.GOMAXPROCS(0)))
	} else {
		add("pinning", fmt.Sprintf("none (GOMAXPROCS %d)", runtime.GOMAXPROCS(0)))
	}
	limit := "off for both (client-output-buffer-limit \"pubsub 0 0 0\")"
	if !cfg.noOutputLimit {
		limit = "each server's default"
	}
	add("servers", fmt.Sprintf("fresh per case, maxclients %d, pubsub output-buffer limit %s", cfg.maxClients, limit))
	add("runs", fmt.Sprintf("%d per case and server, medians shown; warmup %v, window %v; fan-out batch %d",
		cfg.runs, cfg.warmup, cfg.duration, cfg.batch))
	return e
}

// heraldRevision describes the Herald under test: the git revision of the
// working tree it was built from, or the binary's path if prebuilt.
func heraldRevision(bin string, built bool) string {
	if !built {
		return bin + " (prebuilt)"
	}
	rev, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "built from the working tree (no git revision)"
	}
	desc := "built from " + strings.TrimSpace(string(rev))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		desc += " with uncommitted changes"
	}
	return desc
}

// cpuModel returns the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// numOnlineCPUs counts the machine's CPUs, not just those this process may
// run on.
func numOnlineCPUs() int {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return runtime.NumCPU()
	}
	n := 0
	for _, r := range strings.Split(strings.TrimSpace(string(b)), ",") {
		var lo, hi int
		if c, _ := fmt.Sscanf(r, "%d-%d", &lo, &hi); c == 2 {
			n += hi - lo + 1
		} else {
			n++
		}
	}
	return n
}

// osRelease returns the kernel release.
func osRelease() string {
	b, _ := os.ReadFile("/proc/sys/kernel/osrelease")
	return strings.TrimSpace(string(b))
}

// errText renders a non-nil error as a suffix.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return " (" + err.Error() + ")"
}

// formatReport renders the environment, the table of medians and the notes
// as Markdown.
func formatReport(cfg *config, env environment, specs []serverSpec, results []caseResults) string {
	var b strings.Builder
	b.WriteString("# Herald vs redis-server\n\n")
	for _, l := range env.lines {
		fmt.Fprintf(&b, "- %s: %s\n", l[0], l[1])
	}
	// Cases with columns of their own get a table of their own, after this one.
	plain := len(results) == 0 || slices.ContainsFunc(results, func(cr caseResults) bool { return len(cr.bc.columns) == 0 })
	if plain {
		b.WriteString("\n| scenario | Redis | Herald | Herald/Redis | spread R / H |\n")
		b.WriteString("|---|---:|---:|---:|---:|\n")
	}
	var footnotes []string
	for _, cr := range results {
		rows := cr.bc.metrics
		if len(cr.bc.columns) > 0 {
			rows = nil
		}
		for m, mt := range rows {
			redis, rOK := cellValues(cr, kindRedis, m)
			herald, hOK := cellValues(cr, kindHerald, m)
			ratio := "–"
			if rOK && hOK && median(redis) != 0 {
				ratio = fmt.Sprintf("%.2f", median(herald)/median(redis))
			}
			label := mt.label
			if cr.client {
				label += " †"
			}
			if cr.busy {
				label += " ‡"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s / %s |\n", label,
				cell(cr, kindRedis, mt.unit, redis, rOK), cell(cr, kindHerald, mt.unit, herald, hOK),
				ratio, spread(redis), spread(herald))
		}
		for kind, errs := range cr.errors {
			footnotes = append(footnotes, fmt.Sprintf("%s, %s: %d of %d runs failed: %s",
				cr.bc.name, kind, len(errs), cfg.runs, strings.Join(slices.Compact(errs), "; ")))
		}
		footnotes = append(footnotes, cr.notes...)
	}
	if plain {
		b.WriteString("\nRates: higher is better, so a ratio above 1 favours Herald. " +
			"Latency and bytes: lower is better, so a ratio below 1 favours Herald. " +
			"Spread is (max − min) / median over the runs.\n")
	}
	for _, cr := range results {
		if len(cr.bc.columns) > 0 {
			writeColumns(&b, cr)
		}
	}
	if slices.ContainsFunc(results, func(cr caseResults) bool { return cr.client }) {
		b.WriteString("† In at least one run the load generator's core was saturated while the server's was not: " +
			"the server may be faster than shown.\n")
	}
	if slices.ContainsFunc(results, func(cr caseResults) bool { return cr.busy }) {
		b.WriteString("‡ In at least one run other work (another process, or kernel work charged to neither side) " +
			"used more than a quarter of a core: that row is suspect; rerun on a quiet machine.\n")
	}
	if len(footnotes) > 0 {
		b.WriteString("\nNotes:\n\n")
		for _, f := range footnotes {
			fmt.Fprintf(&b, "- %s\n", f)
		}
	}
	b.WriteString(methods)
	return b.String()
}

// methods explains the rows, for readers of BENCHMARKS.md; the doc comments
// of the case functions say the same at more length.
const methods = `
How the rows are measured (bench/*.go has the details):

- Fan-out: one channel, N subscriber connections each read by its own goroutine, which counts
  whole "message" frames; one publisher pipelines PUBLISH in batches (-batch, fewer only when
  the backlog would pass 512 MB) and reads the replies on a second goroutine, pausing while the
  average subscriber is more than two batches behind. The figure is frames received by all
  subscribers per second over the window, after a warmup. Larger batches raise both servers'
  rates (one write per subscriber per batch), so compare ratios, not absolute figures.
- Latency: one publisher sends PUBLISH at a fixed rate, one command at a time, each payload
  stamped with its send time; every subscriber records stamp-to-read time for each message.
  p50 and p99 over all deliveries of the messages sent in the window.
- Patterns: one row per shape (orders:*:r{k}, t{k}:*:events, user:{k}:*, *:k{k}:*), all the
  patterns of that shape, and a row with the four shapes mixed; 100 patterns per connection. The
  publisher pipelines PUBLISH (up to 400 in flight) round-robin over channels of which each
  matches exactly one pattern (1% of the patterns match any of them). PUBLISH replies per second.
- No subscribers: pipelined PUBLISH to a channel nobody subscribes to; replies per second.
- Idle: server RSS (VmRSS) at a fixed time after the last subscribe ack, minus RSS before the
  first connection, divided by the number of connections; each connection subscribes once.
- WebSocket rows (Herald only; Redis has no WebSocket, so its cells are – and there is no
  ratio; they run only when named: -only herald -cases wsidle,wsfanout). Herald is started
  with its HTTP gateway on a free port and the bench waits for /healthz. The subscribers are a
  minimal client in bench/wsclient.go: HTTP upgrade at /ws, one masked subscribe request each,
  then unmasked server frames read into a buffer of its own.
- WebSocket idle: as Idle, with WebSocket connections that each subscribe to a channel of their
  own and wait for the ack; RSS at a fixed time after the last ack. The nearest comparison is
  Herald's own RESP idle row, which the same connection count gives.
- WebSocket fan-out: N WebSocket subscribers of one channel, each read by its own goroutine;
  the publisher uses RESP on Herald's RESP port. One server run has two phases. Latency:
  PUBLISH one at a time at about 10,000 deliveries/s in all (10 msg/s to 1,000 subscribers,
  1 msg/s to 10,000; -ws-lat-deliveries), payloads stamped with their send time; p50 and p99
  of stamp-to-read time over all deliveries in the window (stretched to two messages when the
  rate is low). Each message is one broadcast finished before the next, so p99 is about the
  time until the last subscriber has it, which includes the load generator waking every
  subscriber on its one core. Throughput: pipelined PUBLISH batches with the flow control of
  Fan-out; message frames received by all subscribers per second. The same figures over RESP
  come from -cases fanout,latency -subs N -payloads 64 -lat-subs N -lat-rate 10000/N.
- Scale-out (Herald only, run only when named: -only herald -cases scaleout). One load in
  several setups, each measured in every run, the first setup rotating between runs:
  embedded, one Herald node with the subscribers and the publisher; redis, a throwaway
  redis-server (no persistence, pubsub output-buffer limit as above) and two Herald nodes
  started with --backend redis://, the subscribers on node A and the publisher on node B;
  cluster, the same over three cluster-enabled redis-servers joined by redis-cli --cluster
  create and --backend redis-cluster://. Every process of a setup is pinned to the server
  core, so each setup has the same one core: the rows say what the extra hops cost, not what
  more machines would buy. A cross-node message costs B a PUBLISH parsed and forwarded to
  Redis (SPUBLISH to the primary owning the channel's slot in a cluster), Redis one
  "message" push to A's pub/sub connection, and A one parse and the fan-out that the
  embedded node does alone; the PUBLISH reply is Redis's receiver count, node A counted
  once. Each setup runs the WebSocket fan-out's two phases over RESP: latency (PUBLISH one
  at a time at -scaleout-lat-rate, stamped; p50 and p99 of stamp-to-read time over all
  deliveries in the window, which includes the load generator waking every subscriber on
  its core), then throughput (pipelined batches with the flow control of Fan-out; frames
  received by all subscribers per second). Before measuring, a probe PUBLISH on node B is
  repeated until its reply counts the subscribers (node A, through a backend).
- GET/SET (run only when named: -cases getset). N connections (-kv-conns), each with its own
  goroutine, keep 1 command (no pipeline) or P commands (-getset-pipeline) in flight, writing a
  batch and reading all its replies before the next, over K fixed-width keys (-kv-keys) with
  values of -kv-value bytes, in a fixed random order. The keys are preloaded (not measured,
  then checked with DBSIZE); the SET phase overwrites them, then the GET phase reads them, each
  with its own warmup and window. Every reply is checked (+OK, the value). Replies per second,
  and replies per second divided by the server's CPU use in the window (its share of a core,
  from /proc/<pid>/stat): per server CPU-second, steadier when other work shares the machine.
- Keyspace notifications (run only when named: -cases notify). SET/s as in GET/SET on one
  server run, once with notify-keyspace-events "" and once with KEA (order alternating between
  runs), with one subscriber connection PSUBSCRIBEd to __key*@*__:* in both. Under KEA each SET
  raises a keyspace and a keyevent pmessage; the subscriber reads everything, the writers pause
  while it is more than 1 MB of events behind, and after the window its bytes must equal those
  of every acknowledged SET's two events (none with ""). The third row is each run's on/off
  ratio, and the ratio column compares the two servers' ratios. The same three rows follow per
  server CPU-second, as in GET/SET.
- XADD (run only when named: -cases streams). N connections (-kv-conns) keep 1 or P XADD
  (-streams-pipeline) in flight as in GET/SET, each XADD key MAXLEN ~ M * f <value> (-stream-maxlen,
  -kv-value) with an auto ID, round-robin over 16 streams. Every reply must be an entry ID
  (<ms>-<seq>). Replies per second, and per server CPU-second as in GET/SET.
- XREADGROUP (run only when named: -cases streams). One stream, one group, C consumer
  connections (-stream-consumers) each looping XREADGROUP ... COUNT n BLOCK 100 STREAMS key >
  (-stream-count) and one XACK of the IDs it read, while P producer connections
  (-stream-producers) pipeline XADD in batches of 64 each (MAXLEN ~ as above), pausing while
  more than four COUNTs per consumer are added but not acknowledged. Entries read and
  acknowledged per second over all consumers (the server does the producers' XADDs too), and
  per server CPU-second. Every reply is checked
  (entry IDs; one stream with 1 to n entries of increasing IDs, each the field and a value of
  the right size; XACK's count), and after the window the consumers drain the stream: every
  entry added must be acknowledged, and XPENDING must count none. The notes give the mean
  entries per XREADGROUP reply: a server that serves a blocked consumer at each XADD of a
  pipeline hands out fewer per reply.
- AOF (run only when named: -cases aof). The GET/SET load (preload, then a SET phase) followed
  by an XADD phase as above, on servers started with --appendonly no, or --appendonly yes
  --appendfsync everysec|always, both with --dir a directory made for the run (under -aof-dir,
  by default the bench's temp dir, so one filesystem for both) and removed after it, and
  --auto-aof-rewrite-percentage 0 (appending is measured, not rewriting); Redis also with
  --aof-use-rdb-preamble no. Every reply is checked; with the AOF on, the directory must grow in
  each phase by at least the bytes of the values acknowledged (polled for up to 3 s), and with
  it off it must stay empty. One case per setting and pipeline depth (-aof-pipeline).
- Fan-in (run only when named: -cases fanin). N publisher connections (-fanin-publishers, 50),
  each with its own goroutine, keep 1 PUBLISH (no pipeline) or P (-fanin-pipeline) in flight as
  in GET/SET, all to one channel, with payloads of -fanin-payload bytes; one subscriber
  connection, SUBSCRIBEd to the channel (or, in the second case of each depth, PSUBSCRIBEd to
  bench:*), reads as fast as it can and checks every frame byte for byte against the message
  (pmessage) a PUBLISH delivers. Every reply must be :1; the publishers pause while the
  subscriber is more than 1 MB of frames behind (at least two rounds of every publisher's
  commands), and after the window it must hold exactly one frame per acknowledged PUBLISH.
  PUBLISH replies per second (with one subscriber, deliveries per second), and per server
  CPU-second as in GET/SET. The progress log gives the frames per subscriber read, a hint of
  how many clients' PUBLISHes the server joined into one write.
- Every case runs on a freshly started server; the two servers take turns, the first one
  alternating between runs.
`

// cellValues returns the values of metric m over a server's successful runs.
func cellValues(cr caseResults, kind serverKind, m int) ([]float64, bool) {
	var vs []float64
	for _, run := range cr.values[kind] {
		vs = append(vs, run[m])
	}
	return vs, len(vs) > 0
}

// cell renders a median, or why there is none.
func cell(cr caseResults, kind serverKind, u unit, vs []float64, ok bool) string {
	switch {
	case ok && len(cr.errors[kind]) > 0:
		return formatValue(u, median(vs)) + " *"
	case ok:
		return formatValue(u, median(vs))
	case len(cr.errors[kind]) > 0:
		return "failed"
	}
	return "–"
}

// median returns the median of vs (the mean of the middle two if even).
func median(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(vs))
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// spread returns (max − min) / median as a percentage, or "–" for fewer
// than two values.
func spread(vs []float64) string {
	if len(vs) < 2 || median(vs) == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*(slices.Max(vs)-slices.Min(vs))/median(vs))
}

// formatValues renders one run's values for the progress log.
func formatValues(bc benchCase, vs []float64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = formatValue(bc.metrics[i%len(bc.metrics)].unit, v)
	}
	return strings.Join(parts, ", ")
}

// formatValue renders v in its unit.
func formatValue(u unit, v float64) string {
	switch u {
	case microseconds:
		if v >= 1000 {
			return fmt.Sprintf("%.2f ms", v/1000)
		}
		return fmt.Sprintf("%.0f µs", v)
	case bytesUnit:
		return thousands(int64(v+0.5)) + " B"
	case ratioUnit:
		return fmt.Sprintf("%.2f", v)
	}
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2f M", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f k", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
