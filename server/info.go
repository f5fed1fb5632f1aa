package server

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// INFO: the sections Redis 7.0 prints, in its order, with the fields that
// apply to Herald. Values are Herald's own; constants are printed only
// where they are true of Herald (no persistence, no replicas, no keyspace
// yet). Sections Herald cannot fill honestly (commandstats, latencystats,
// errorstats) are left out: asking for them yields nothing, as an unknown
// section does in Redis.

// infoSection is one INFO section: its name as the header shows it, and a
// function appending its "field:value\r\n" lines.
type infoSection struct {
	name   string
	fields func(s *Server, b *infoBuilder)
}

var infoSections = []infoSection{
	{"Server", (*Server).infoServer},
	{"Clients", (*Server).infoClients},
	{"Memory", (*Server).infoMemory},
	{"Persistence", (*Server).infoPersistence},
	{"Stats", (*Server).infoStats},
	{"Replication", (*Server).infoReplication},
	{"CPU", (*Server).infoCPU},
	{"Modules", func(*Server, *infoBuilder) {}},
	{"Cluster", func(_ *Server, b *infoBuilder) { b.add("cluster_enabled", "0") }},
	{"Keyspace", (*Server).infoKeyspace},
}

// infoBuilder accumulates INFO text.
type infoBuilder struct{ strings.Builder }

func (b *infoBuilder) add(field, value string) {
	b.WriteString(field)
	b.WriteByte(':')
	b.WriteString(value)
	b.WriteString("\r\n")
}

func (b *infoBuilder) addInt(field string, v int64) { b.add(field, strconv.FormatInt(v, 10)) }

// cmdInfo is INFO [section ...]: a bulk string, a verbatim string in RESP3.
// The Stats and Keyspace sections read the keyspace: INFO takes its lock,
// unless it holds it already (in EXEC, or when INFO is flagged so).
func cmdInfo(c *conn, args [][]byte) {
	if !c.inExec && (c.lastCommand == nil || c.lastCommand.flags&flagKeyspace == 0) {
		c.srv.ks.Lock()
		defer c.srv.ks.Unlock()
	}
	c.writeVerbatim(c.srv.infoText(args[1:]))
}

// infoText renders the sections named (any case); none means "default".
// "all", "default" and "everything" are every section Herald has. Unknown
// names are ignored, and the sections come out in Redis's order whatever
// the order asked.
func (s *Server) infoText(names [][]byte) string {
	want := make(map[string]bool)
	if len(names) == 0 {
		want["default"] = true
	}
	for _, n := range names {
		want[lowerASCII(string(n))] = true
	}
	all := want["all"] || want["default"] || want["everything"]
	var b infoBuilder
	for _, sec := range infoSections {
		if !all && !want[lowerASCII(sec.name)] {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + sec.name + "\r\n")
		sec.fields(s, &b)
	}
	return b.String()
}

func (s *Server) infoServer(b *infoBuilder) {
	uptime := time.Since(s.started)
	b.add("redis_version", Version)
	b.add("herald_version", HeraldVersion)
	b.add("redis_mode", "standalone")
	b.add("os", osDescription())
	b.addInt("arch_bits", strconv.IntSize)
	b.add("go_version", runtime.Version())
	b.addInt("process_id", int64(os.Getpid()))
	b.add("run_id", s.runID)
	b.addInt("tcp_port", int64(s.listenPort()))
	b.addInt("server_time_usec", time.Now().UnixMicro())
	b.addInt("uptime_in_seconds", int64(uptime/time.Second))
	b.addInt("uptime_in_days", int64(uptime/(24*time.Hour)))
	exe, _ := os.Executable()
	b.add("executable", exe)
	b.add("config_file", "")
}

func (s *Server) infoClients(b *infoBuilder) {
	conns := s.connList()
	var maxIn, maxOut int64
	for _, c := range conns {
		c.info.Lock()
		maxIn = max(maxIn, int64(c.info.queryBuf))
		c.info.Unlock()
		c.out.mu.Lock()
		maxOut = max(maxOut, c.out.pending())
		c.out.mu.Unlock()
	}
	b.addInt("connected_clients", int64(len(conns)))
	b.add("cluster_connections", "0")
	b.addInt("maxclients", int64(s.settings().MaxClients))
	b.addInt("client_recent_max_input_buffer", maxIn)
	b.addInt("client_recent_max_output_buffer", maxOut)
	b.addInt("blocked_clients", s.blocked.waiting.Load())
	trackingClients, _, _, _ := s.trackingInfo()
	b.addInt("tracking_clients", int64(trackingClients))
	b.add("clients_in_timeout_table", "0")
}

// infoMemory: used_memory is what maxmemory compares with, the keyspace's
// accounted bytes plus a fixed baseline (keyspace.UsedMemory; see
// keyspace/evict.go), so that eviction starts when used_memory passes
// maxmemory as in Redis; used_memory_rss is the process's resident set
// from /proc/self/statm, or the Go runtime's total where there is no
// /proc. Keyspace lock held.
func (s *Server) infoMemory(b *infoBuilder) {
	used := uint64(s.usedMemory())
	rss, ok := residentBytes()
	if !ok {
		samples := []metrics.Sample{
			{Name: "/memory/classes/total:bytes"},
			{Name: "/memory/classes/heap/released:bytes"},
		}
		metrics.Read(samples)
		if samples[0].Value.Kind() == metrics.KindUint64 && samples[1].Value.Kind() == metrics.KindUint64 {
			rss = samples[0].Value.Uint64() - samples[1].Value.Uint64()
		}
	}
	b.add("used_memory", strconv.FormatUint(used, 10))
	b.add("used_memory_human", bytesToHuman(used))
	b.add("used_memory_rss", strconv.FormatUint(rss, 10))
	b.add("used_memory_rss_human", bytesToHuman(rss))
	s.infoMaxMemory(b)
	b.add("mem_allocator", "go")
}

// infoPersistence: Herald keeps nothing on disk. As in Redis, the last save
// time of a server that never saved is its start.
func (s *Server) infoPersistence(b *infoBuilder) {
	for _, f := range []string{"loading", "async_loading", "rdb_changes_since_last_save", "rdb_bgsave_in_progress"} {
		b.add(f, "0")
	}
	b.addInt("rdb_last_save_time", s.started.Unix())
	b.add("rdb_last_bgsave_status", "ok")
	b.add("rdb_last_bgsave_time_sec", "-1")
	b.add("rdb_current_bgsave_time_sec", "-1")
	b.add("rdb_saves", "0")
	s.infoAOF(b)
}

func (s *Server) infoStats(b *infoBuilder) {
	in, out := s.netBytes()
	bs := s.broker.Stats()
	b.addInt("total_connections_received", s.stats.connections.Load())
	b.addInt("total_commands_processed", s.stats.commands.Load())
	b.addInt("instantaneous_ops_per_sec", s.ops.perSecond())
	b.addInt("total_net_input_bytes", in)
	b.addInt("total_net_output_bytes", out)
	b.addInt("rejected_connections", s.stats.rejected.Load())
	ks := s.ks.Stats()
	b.addInt("expired_keys", ks.ExpiredKeys)
	b.addInt("evicted_keys", ks.EvictedKeys)
	b.addInt("keyspace_hits", ks.KeyspaceHits)
	b.addInt("keyspace_misses", ks.KeyspaceMiss)
	b.addInt("pubsub_channels", int64(bs.Channels))
	b.addInt("pubsub_patterns", int64(bs.Patterns))
	b.addInt("pubsubshard_channels", int64(bs.ShardChannels))
	_, trackedKeys, trackedItems, trackedPrefixes := s.trackingInfo()
	b.addInt("tracking_total_keys", int64(trackedKeys))
	b.addInt("tracking_total_items", int64(trackedItems))
	b.addInt("tracking_total_prefixes", int64(trackedPrefixes))
	b.addInt("total_error_replies", s.stats.errorReplies.Load())
	reads, writes := s.ioCalls()
	b.addInt("total_reads_processed", reads)
	b.addInt("total_writes_processed", writes)
	b.addInt("client_query_buffer_limit_disconnections", s.stats.queryLimitDisconnects.Load())
	b.addInt("client_output_buffer_limit_disconnections", s.stats.outputLimitDisconnects.Load())
}

func (s *Server) infoReplication(b *infoBuilder) {
	replID := sha1.Sum([]byte("replid:" + s.runID))
	b.add("role", "master")
	b.add("connected_slaves", "0")
	b.add("master_failover_state", "no-failover")
	b.add("master_replid", hex.EncodeToString(replID[:]))
	b.add("master_replid2", strings.Repeat("0", 40))
	b.add("master_repl_offset", "0")
	b.add("second_repl_offset", "-1")
	b.add("repl_backlog_active", "0")
	b.add("repl_backlog_first_byte_offset", "0")
	b.add("repl_backlog_histlen", "0")
}

func (s *Server) infoCPU(b *infoBuilder) {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	seconds := func(t syscall.Timeval) string {
		return fmt.Sprintf("%d.%06d", int64(t.Sec), int64(t.Usec))
	}
	b.add("used_cpu_sys", seconds(self.Stime))
	b.add("used_cpu_user", seconds(self.Utime))
	b.add("used_cpu_sys_children", seconds(children.Stime))
	b.add("used_cpu_user_children", seconds(children.Utime))
}

// netBytes sums the bytes read and written by every connection, live and
// closed.
func (s *Server) netBytes() (in, out int64) {
	for _, c := range s.connList() {
		in += c.netIn.Load()
		out += c.netOut.Load()
	}
	return in + s.stats.netInClosed.Load(), out + s.stats.netOutClosed.Load()
}

// ioCalls is INFO's total_reads_processed and total_writes_processed: the
// reads that brought input (or its end) and the writes to sockets, of
// live and closed connections. Redis counts its read and write events, a
// read or write call each.
func (s *Server) ioCalls() (reads, writes int64) {
	for _, c := range s.connList() {
		reads += c.reads.Load()
		writes += c.writes.Load()
	}
	return reads + s.stats.readsClosed.Load(), writes + s.stats.writesClosed.Load()
}

// resetStats is CONFIG RESETSTAT: it zeroes the counters INFO reports, as
// Redis's resetServerStats does.
func (s *Server) resetStats() {
	st := &s.stats
	for _, n := range []interface{ Store(int64) }{&st.connections, &st.commands, &st.rejected,
		&st.outputLimitDisconnects, &st.errorReplies, &st.queryLimitDisconnects, &st.netInClosed, &st.netOutClosed, &st.readsClosed, &st.writesClosed} {
		n.Store(0)
	}
	for _, c := range s.connList() {
		c.netIn.Store(0)
		c.netOut.Store(0)
		c.reads.Store(0)
		c.writes.Store(0)
	}
	s.ops.reset()
}

// listenPort is the TCP port the server listens on: the first listener's,
// which for StartLocal is the one the system picked, else the configured.
func (s *Server) listenPort() int {
	if a, ok := s.Addr().(*net.TCPAddr); ok {
		return a.Port
	}
	return s.settings().Port
}

// osDescription is what Redis prints as os: the kernel's name, release and
// machine, as uname shows them.
func osDescription() string {
	name := map[string]string{"linux": "Linux", "darwin": "Darwin", "freebsd": "FreeBSD", "netbsd": "NetBSD", "openbsd": "OpenBSD"}[runtime.GOOS]
	if name == "" {
		name = runtime.GOOS
	}
	machine := map[string]string{"amd64": "x86_64", "386": "i686", "arm64": "aarch64", "arm": "armv7l"}[runtime.GOARCH]
	if machine == "" || (runtime.GOOS == "darwin" && runtime.GOARCH == "arm64") {
		machine = runtime.GOARCH
	}
	release := ""
	if r, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		release = strings.TrimSpace(string(r))
	}
	return strings.Join(strings.Fields(name+" "+release+" "+machine), " ")
}

// residentBytes reads the resident set size from /proc/self/statm.
func residentBytes() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0, false
	}
	pages, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return 0, false
	}
	return pages * uint64(os.Getpagesize()), true
}

// bytesToHuman formats n as Redis's bytesToHuman does: 1023B, 1.50K,
// 2.00M, up to P; beyond that plain bytes again.
func bytesToHuman(n uint64) string {
	if n < 1024 {
		return strconv.FormatUint(n, 10) + "B"
	}
	unit := uint64(1024)
	for _, suffix := range "KMGTP" {
		if n/unit < 1024 {
			return fmt.Sprintf("%.2f%c", float64(n)/float64(unit), suffix)
		}
		unit *= 1024
	}
	return strconv.FormatUint(n, 10) + "B"
}

// opsSampler computes instantaneous_ops_per_sec as Redis does: every 100 ms
// it samples total_commands_processed, and INFO reports the mean rate of the
// last 16 samples. One goroutine per server runs it, from the first Serve
// until Shutdown.
type opsSampler struct {
	mu       sync.Mutex
	rates    [16]int64
	next     int
	lastOps  int64
	lastTime time.Time
}

const opsSampleInterval = 100 * time.Millisecond

// startSamplerLocked starts the sampler once. s.mu is held on entry.
func (s *Server) startSamplerLocked() {
	if s.samplerDone != nil {
		return
	}
	s.samplerDone = make(chan struct{})
	s.ops.sample(s.stats.commands.Load(), time.Now())
	s.wg.Add(4)
	go s.sampleLoop(s.samplerDone)
	go s.cronLoop(s.samplerDone)
	go s.idleLoop(s.samplerDone)
	go s.broadcastLoop(s.samplerDone) // CLIENT TRACKING's BCAST (tracking.go)
}

// stopSamplerLocked stops the sampler if it runs. s.mu is held on entry.
func (s *Server) stopSamplerLocked() {
	if s.samplerDone != nil {
		select {
		case <-s.samplerDone:
		default:
			close(s.samplerDone)
		}
	}
}

func (s *Server) sampleLoop(done chan struct{}) {
	defer s.wg.Done()
	t := time.NewTicker(opsSampleInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			s.ops.sample(s.stats.commands.Load(), now)
		}
	}
}

// sample records the rate since the previous sample.
func (o *opsSampler) sample(ops int64, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.lastTime.IsZero() {
		if ms := now.Sub(o.lastTime).Milliseconds(); ms > 0 {
			o.rates[o.next] = max(ops-o.lastOps, 0) * 1000 / ms
			o.next = (o.next + 1) % len(o.rates)
		}
	}
	o.lastOps, o.lastTime = ops, now
}

// perSecond is the mean of the recorded rates.
func (o *opsSampler) perSecond() int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	var sum int64
	for _, r := range o.rates {
		sum += r
	}
	return sum / int64(len(o.rates))
}

// reset forgets the samples (CONFIG RESETSTAT sets the command count to 0).
func (o *opsSampler) reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rates = [16]int64{}
	o.lastOps = 0
}
