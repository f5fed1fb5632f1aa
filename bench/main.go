// Command bench compares Herald with redis-server on the same pub/sub
// workloads, in one run, and prints a Markdown table of medians with the
// ratio Herald/Redis.
//
// Run it from the module root:
//
//	go run ./bench                      # everything, 3 runs (~10 minutes)
//	go run ./bench -quick               # smoke test, under a minute
//	go run ./bench -only redis -cases fanout,idle
//	go run ./bench -out BENCHMARKS.md   # also write the report
//	go run ./bench -only herald -cases wsidle,wsfanout   # WebSocket cases
//	go run ./bench -only herald -cases scaleout   # two nodes over a Redis backend
//	go run ./bench -cases getset,notify           # keyspace: GET/SET, notifications
//	go run ./bench -cases tracking                # GET/SET with CLIENT TRACKING off, default, BCAST
//	go run ./bench -cases streams                 # XADD, and XREADGROUP + XACK in a group
//	go run ./bench -cases aof                     # SET and XADD with appendonly no, everysec, always
//	go run ./bench -cases fanin                   # many publishers, one subscriber (SUBSCRIBE, PSUBSCRIBE)
//
// Every case runs on a freshly started server; for each case the two servers
// take turns, the first one alternating between runs. The server is pinned to
// one core and this program to the other (taskset; this program re-executes
// itself under taskset and runs with GOMAXPROCS 1), so the figures compare
// the servers per core. See the doc comments of fanoutCase, latencyCase,
// patternsCase, noSubscriberCase, idleCase, wsIdleCase, wsFanoutCase,
// scaleoutCase, getSetCase, trackingCase, notifyCase, streamAddCase,
// streamGroupCase, aofCase and faninCase for what each row measures;
// go run ./bench -h lists the flags.
//
// Both servers run with the pubsub output-buffer limit off
// (client-output-buffer-limit "pubsub 0 0 0"). With limits on, a subscriber
// that falls behind during a burst is disconnected, and the two servers
// would not be measured doing the same work; instead the fan-out publisher
// bounds the backlog itself (see fanoutLagBytes). -output-limit keeps each
// server's default limit.
//
// The progress log on stderr shows every run with the CPU use of the
// server, of this program and of the rest of the machine during the
// measured window. A run in which this program's core was saturated (†) or
// other work was using the machine (‡) is marked in the table.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// config is the parsed command line.
type config struct {
	only            string // "", "redis" or "herald"
	heraldBin       string // prebuilt Herald; empty means build ./cmd/herald
	redisBin        string
	cases           map[string]bool
	runs            int
	quick           bool
	out             string
	subs            []int
	payloads        []int
	batch           int
	warmup          time.Duration
	duration        time.Duration
	latSubs         int
	latRate         int
	latPayload      int
	patterns        int
	idleConns       int
	idleWaits       []time.Duration
	idleShared      bool
	wsSubs          []int
	wsDeliveries    int
	scaleSubs       int
	scaleLatRate    int
	scaleSetups     []scaleoutSetup
	kvConns         int
	kvKeys          int
	kvValue         int
	getsetDepths    []int
	notifyDepths    []int
	streamDepths    []int // streams case: XADD in flight per connection, a case each
	streamCounts    []int // streams case: XREADGROUP COUNT, a case each
	streamMaxLen    int   // MAXLEN ~ of every XADD; 0: none
	streamConsumers int
	streamProducers int
	aofDepths       []int  // aof case: commands in flight per connection
	aofDir          string // aof case: parent of the servers' directories; empty: the bench's temp dir
	faninPubs       int    // fanin case: publisher connections
	faninPayload    int    // fanin case: payload bytes
	faninDepths     []int  // fanin case: PUBLISH in flight per publisher, a pair of cases each
	maxClients      int    // computed: above every case's connection count
	noOutputLimit   bool
	pin             bool
	serverCPU       string
	clientCPU       string
	tmpDir          string
	trace           bool
	cpuProfile      string
	commandLine     string
}

// pinnedEnv marks the process that runs under taskset, so it does not
// re-exec itself again.
const pinnedEnv = "HERALD_BENCH_PINNED"

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	if cfg.pin && os.Getenv(pinnedEnv) == "" {
		reexecPinned(cfg) // returns only if pinning is impossible
	}
	if err := run(cfg); err != nil {
		killLiveServers()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// parseFlags parses args into a config; -quick changes the defaults of the
// flags that are not given explicitly.
func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	cfg := &config{}
	fs.StringVar(&cfg.only, "only", "", "run one server only: redis or herald")
	fs.StringVar(&cfg.heraldBin, "herald", "", "prebuilt herald binary (default: go build ./cmd/herald)")
	fs.StringVar(&cfg.redisBin, "redis", "redis-server", "redis-server binary")
	casesFlag := fs.String("cases", strings.Join(defaultCases, ","), "comma-separated cases to run: "+strings.Join(caseGroups, ", ")+
		" (wsidle and wsfanout are Herald-only WebSocket cases, scaleout compares Herald setups, getset, tracking and notify measure the keyspace, streams and aof Streams and the append-only file, fanin many publishers to one subscriber; they run only when named)")
	fs.IntVar(&cfg.runs, "runs", 3, "runs per case and server; the table shows medians")
	fs.BoolVar(&cfg.quick, "quick", false, "smoke test: 1 run, short windows, 2,000 idle connections, 1,000 WebSocket subscribers")
	fs.StringVar(&cfg.out, "out", "", "also write the report to this file (e.g. BENCHMARKS.md)")
	subsFlag := fs.String("subs", "1,100,1000,5000", "fan-out subscriber counts")
	payloadsFlag := fs.String("payloads", "16,256,4096", "fan-out payload sizes in bytes")
	fs.IntVar(&cfg.batch, "batch", 64, "fan-out: PUBLISH commands per pipelined batch, two batches in flight")
	fs.DurationVar(&cfg.warmup, "warmup", time.Second, "load before each measured window")
	fs.DurationVar(&cfg.duration, "duration", 2*time.Second, "measured window of each rate and latency case")
	fs.IntVar(&cfg.latSubs, "lat-subs", 10, "latency case: subscribers")
	fs.IntVar(&cfg.latRate, "lat-rate", 1000, "latency case: messages per second")
	fs.IntVar(&cfg.latPayload, "lat-payload", 64, "latency case: payload bytes (at least 16)")
	fs.IntVar(&cfg.patterns, "patterns", 10000, "patterns case: subscribed patterns")
	fs.IntVar(&cfg.idleConns, "idle-conns", 10000, "idle case: subscriber connections")
	idleWaitsFlag := fs.String("idle-wait", "1s,15s", "idle case: times after the last ack to read RSS at, one row each")
	fs.BoolVar(&cfg.idleShared, "idle-shared", false, "idle case: all connections subscribe to one channel")
	wsSubsFlag := fs.String("ws-subs", "1000,10000", "wsfanout case: WebSocket subscriber counts")
	fs.IntVar(&cfg.wsDeliveries, "ws-lat-deliveries", 10000, "wsfanout case: deliveries per second of its latency phase (messages/s = this / subscribers, at least 1)")
	fs.IntVar(&cfg.scaleSubs, "scaleout-subs", 1000, "scaleout case: subscribers")
	fs.IntVar(&cfg.scaleLatRate, "scaleout-lat-rate", 10, "scaleout case: messages per second of its latency phase (10,000 deliveries/s to 1,000 subscribers, as in wsfanout)")
	setupsFlag := fs.String("scaleout-setups", scaleoutSetupNames(), "scaleout case: setups to compare, the first being the base of the ratios")
	fs.IntVar(&cfg.kvConns, "kv-conns", 50, "getset and notify cases: client connections")
	fs.IntVar(&cfg.kvKeys, "kv-keys", 100000, "getset and notify cases: keys")
	fs.IntVar(&cfg.kvValue, "kv-value", 64, "getset and notify cases: value bytes")
	getsetFlag := fs.String("getset-pipeline", "1,16,64", "getset case: commands in flight per connection, a pair of rows each (1: one at a time)")
	notifyFlag := fs.String("notify-pipeline", "1,16", "notify case: commands in flight per connection, three rows each")
	streamsFlag := fs.String("streams-pipeline", "1,16", "streams case: XADD commands in flight per connection (-kv-conns), a pair of rows each")
	countsFlag := fs.String("stream-count", "100", "streams case: XREADGROUP COUNT, a pair of rows each")
	fs.IntVar(&cfg.streamMaxLen, "stream-maxlen", 100000, "streams and aof cases: MAXLEN ~ of every XADD (0: none)")
	fs.IntVar(&cfg.streamConsumers, "stream-consumers", 10, "streams case: consumers in the XREADGROUP group")
	fs.IntVar(&cfg.streamProducers, "stream-producers", 4, "streams case: connections feeding the XREADGROUP group, pipelining XADD")
	aofFlag := fs.String("aof-pipeline", "1,16", "aof case: commands in flight per connection, three cases (AOF off, everysec, always) each")
	fs.StringVar(&cfg.aofDir, "aof-dir", "", "aof case: where each server run gets its directory (default: the bench's temp dir)")
	fs.IntVar(&cfg.faninPubs, "fanin-publishers", 50, "fanin case: publisher connections, all publishing to the one channel of one subscriber connection")
	fs.IntVar(&cfg.faninPayload, "fanin-payload", 64, "fanin case: payload bytes")
	faninFlag := fs.String("fanin-pipeline", "1,16", "fanin case: PUBLISH commands in flight per publisher, two cases each (the subscriber using SUBSCRIBE, then PSUBSCRIBE)")
	outputLimit := fs.Bool("output-limit", false, "keep each server's default pubsub output-buffer limit (default: both run with 'pubsub 0 0 0')")
	fs.BoolVar(&cfg.pin, "pin", true, "pin the server and this program to different cores with taskset")
	fs.StringVar(&cfg.serverCPU, "server-cpu", "0", "taskset CPU list for the server")
	fs.StringVar(&cfg.clientCPU, "client-cpu", "1", "taskset CPU list for this program")
	fs.BoolVar(&cfg.trace, "trace", false, "print the counter of every rate case each 100 ms")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the load generator to this file")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if cfg.quick {
		quickDefaults(cfg, set, idleWaitsFlag)
		if !set["ws-subs"] {
			*wsSubsFlag = "1000"
		}
	}
	cfg.noOutputLimit = !*outputLimit
	if err := finishConfig(cfg, args, *casesFlag, *subsFlag, *payloadsFlag, *idleWaitsFlag); err != nil {
		return cfg, err
	}
	var err error
	if cfg.wsSubs, err = parseInts(*wsSubsFlag, 1); err != nil {
		return cfg, fmt.Errorf("-ws-subs: %w", err)
	}
	if cfg.wsDeliveries < 1 {
		return cfg, fmt.Errorf("-ws-lat-deliveries must be positive")
	}
	if cfg.cases["wsfanout"] {
		cfg.maxClients = max(cfg.maxClients, slices.Max(cfg.wsSubs)+100)
	}
	if cfg.scaleSubs < 1 || cfg.scaleLatRate < 1 {
		return cfg, fmt.Errorf("-scaleout-subs and -scaleout-lat-rate must be positive")
	}
	if cfg.scaleSetups, err = parseSetups(*setupsFlag); err != nil {
		return cfg, fmt.Errorf("-scaleout-setups: %w", err)
	}
	if cfg.cases["scaleout"] {
		cfg.maxClients = max(cfg.maxClients, cfg.scaleSubs+100)
	}
	if err := finishKeyspaceConfig(cfg, *getsetFlag, *notifyFlag); err != nil {
		return cfg, err
	}
	if err := finishStreamConfig(cfg, *streamsFlag, *countsFlag, *aofFlag); err != nil {
		return cfg, err
	}
	return cfg, finishFaninConfig(cfg, *faninFlag)
}

// finishFaninConfig checks the flags of the fanin case.
func finishFaninConfig(cfg *config, depths string) error {
	var err error
	if cfg.faninDepths, err = parseInts(depths, 1); err != nil {
		return fmt.Errorf("-fanin-pipeline: %w", err)
	}
	if cfg.faninPubs < 1 || cfg.faninPayload < 1 {
		return fmt.Errorf("-fanin-publishers and -fanin-payload must be positive")
	}
	if cfg.cases["fanin"] {
		cfg.maxClients = max(cfg.maxClients, cfg.faninPubs+100)
	}
	return nil
}

// finishStreamConfig checks the flags of the streams and aof cases.
func finishStreamConfig(cfg *config, depths, counts, aofDepths string) error {
	var err error
	if cfg.streamDepths, err = parseInts(depths, 1); err != nil {
		return fmt.Errorf("-streams-pipeline: %w", err)
	}
	if cfg.streamCounts, err = parseInts(counts, 1); err != nil {
		return fmt.Errorf("-stream-count: %w", err)
	}
	if cfg.aofDepths, err = parseInts(aofDepths, 1); err != nil {
		return fmt.Errorf("-aof-pipeline: %w", err)
	}
	if cfg.streamConsumers < 1 || cfg.streamProducers < 1 {
		return fmt.Errorf("-stream-consumers and -stream-producers must be positive")
	}
	if least := 4 * streamProducerBatch * cfg.streamProducers; cfg.streamMaxLen != 0 && cfg.streamMaxLen < least {
		return fmt.Errorf("-stream-maxlen must be 0 (none) or at least 4 batches of %d per producer (%d)", streamProducerBatch, least)
	}
	if deepest := slices.Max(cfg.aofDepths); cfg.cases["aof"] && cfg.kvKeys < cfg.kvConns*deepest {
		return fmt.Errorf("-kv-keys must be at least -kv-conns × the deepest -aof-pipeline (%d)", cfg.kvConns*deepest)
	}
	cfg.maxClients = max(cfg.maxClients, cfg.streamProducers+cfg.streamConsumers+100)
	return nil
}

// finishKeyspaceConfig checks the flags of the keyspace cases.
func finishKeyspaceConfig(cfg *config, getset, notify string) error {
	var err error
	if cfg.getsetDepths, err = parseInts(getset, 1); err != nil {
		return fmt.Errorf("-getset-pipeline: %w", err)
	}
	if cfg.notifyDepths, err = parseInts(notify, 1); err != nil {
		return fmt.Errorf("-notify-pipeline: %w", err)
	}
	if cfg.kvConns < 1 || cfg.kvValue < 1 {
		return fmt.Errorf("-kv-conns and -kv-value must be positive")
	}
	if deepest := max(slices.Max(cfg.getsetDepths), slices.Max(cfg.notifyDepths)); cfg.kvKeys < cfg.kvConns*deepest {
		return fmt.Errorf("-kv-keys must be at least -kv-conns × the deepest pipeline (%d)", cfg.kvConns*deepest)
	}
	cfg.maxClients = max(cfg.maxClients, cfg.kvConns+100)
	return nil
}

// quickDefaults shortens everything the user did not set explicitly.
func quickDefaults(cfg *config, set map[string]bool, idleWaits *string) {
	if !set["runs"] {
		cfg.runs = 1
	}
	if !set["warmup"] {
		cfg.warmup = 150 * time.Millisecond
	}
	if !set["duration"] {
		cfg.duration = 400 * time.Millisecond
	}
	if !set["idle-conns"] {
		cfg.idleConns = 2000
	}
	if !set["idle-wait"] {
		*idleWaits = "1s"
	}
}

// finishConfig checks the flags and fills in the derived fields.
func finishConfig(cfg *config, args []string, cases, subs, payloads, idleWaits string) error {
	var err error
	if cfg.only != "" && cfg.only != string(kindRedis) && cfg.only != string(kindHerald) {
		return fmt.Errorf("-only must be redis or herald, not %q", cfg.only)
	}
	cfg.cases = map[string]bool{}
	for _, c := range strings.Split(cases, ",") {
		c = strings.TrimSpace(c)
		if !slices.Contains(caseGroups, c) {
			return fmt.Errorf("unknown case %q (want %s)", c, strings.Join(caseGroups, ", "))
		}
		cfg.cases[c] = true
	}
	if cfg.subs, err = parseInts(subs, 1); err != nil {
		return fmt.Errorf("-subs: %w", err)
	}
	if cfg.payloads, err = parseInts(payloads, 1); err != nil {
		return fmt.Errorf("-payloads: %w", err)
	}
	for _, w := range strings.Split(idleWaits, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(w))
		if err != nil {
			return fmt.Errorf("-idle-wait: %w", err)
		}
		cfg.idleWaits = append(cfg.idleWaits, d)
	}
	slices.Sort(cfg.idleWaits)
	switch {
	case cfg.runs < 1:
		return fmt.Errorf("-runs must be at least 1")
	case cfg.batch < 1:
		return fmt.Errorf("-batch must be at least 1")
	case cfg.latPayload < stampLen:
		return fmt.Errorf("-lat-payload must be at least %d", stampLen)
	case cfg.latRate < 1 || cfg.latSubs < 1 || cfg.patterns < 1 || cfg.idleConns < 1:
		return fmt.Errorf("-lat-rate, -lat-subs, -patterns and -idle-conns must be positive")
	case cfg.duration <= 0 || cfg.warmup < 0:
		return fmt.Errorf("-duration must be positive and -warmup not negative")
	}
	most := max(cfg.idleConns, slices.Max(cfg.subs), cfg.latSubs, cfg.patterns/patternsPerConn)
	cfg.maxClients = most + 100
	cfg.commandLine = "go run ./bench" + shellJoin(args)
	return nil
}

// parseInts parses a comma-separated list of integers of at least least.
func parseInts(s string, least int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, err
		}
		if n < least {
			return nil, fmt.Errorf("%d is less than %d", n, least)
		}
		out = append(out, n)
	}
	return out, nil
}

// shellJoin quotes args for a shell, each preceded by a space.
func shellJoin(args []string) string {
	var b strings.Builder
	for _, a := range args {
		b.WriteByte(' ')
		if a != "" && strings.Trim(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,/:") == "" {
			b.WriteString(a)
		} else {
			b.WriteString("'" + strings.ReplaceAll(a, "'", `'\''`) + "'")
		}
	}
	return b.String()
}

// reexecPinned replaces this process with itself under taskset on the
// client core. It returns, with a warning, only when pinning is impossible,
// and then turns pinning off for the servers too.
func reexecPinned(cfg *config) {
	taskset, err := exec.LookPath("taskset")
	if err == nil && runtime.NumCPU() < 2 {
		err = fmt.Errorf("only %d CPU available", runtime.NumCPU())
	}
	var self string
	if err == nil {
		self, err = os.Executable()
	}
	if err == nil {
		args := append([]string{"taskset", "-c", cfg.clientCPU, self}, os.Args[1:]...)
		err = syscall.Exec(taskset, args, append(os.Environ(), pinnedEnv+"=1"))
	}
	fmt.Fprintf(os.Stderr, "bench: not pinning to cores: %v\n", err)
	cfg.pin = false
}

// raiseFileLimit raises RLIMIT_NOFILE to its hard limit, for this process
// and the servers it starts, and checks that it covers need descriptors.
func raiseFileLimit(need int) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	lim.Cur = lim.Max
	// Calling Setrlimit also stops os/exec from restoring the original soft
	// limit in children, so the servers inherit the raised one.
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	if lim.Cur < uint64(need) {
		return fmt.Errorf("open-file limit %d is below the %d this run needs (lower -idle-conns)", lim.Cur, need)
	}
	return nil
}

// run builds what it needs, runs every case and prints the report.
func run(cfg *config) error {
	// The client's GOMAXPROCS is the number of cores it is pinned to.
	runtime.GOMAXPROCS(runtime.NumCPU())
	debug.SetGCPercent(400) // buffers are allocated up front; keep GC quiet
	if err := raiseFileLimit(cfg.maxClients + 64); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "herald-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	cfg.tmpDir = tmp

	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-interrupts
		killLiveServers()
		os.RemoveAll(tmp)
		os.Exit(130)
	}()

	if cfg.cpuProfile != "" {
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	specs, err := serverSpecs(cfg)
	if err != nil {
		return err
	}
	env := describeEnvironment(cfg, specs)
	fmt.Fprint(os.Stderr, env.text())
	results := runCases(cfg, specs, allCases(cfg))
	report := formatReport(cfg, env, specs, results)
	fmt.Print(report)
	if cfg.out != "" {
		if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bench: wrote %s\n", cfg.out)
	}
	return nil
}

// serverSpecs returns the servers to compare, Redis first, building Herald
// if no binary was given.
func serverSpecs(cfg *config) ([]serverSpec, error) {
	var specs []serverSpec
	if cfg.only != string(kindHerald) {
		bin, err := exec.LookPath(cfg.redisBin)
		if err != nil {
			return nil, fmt.Errorf("redis-server: %w (apt-get install redis-server, or -only herald)", err)
		}
		specs = append(specs, serverSpec{kind: kindRedis, bin: bin})
	}
	if cfg.only != string(kindRedis) {
		bin := cfg.heraldBin
		if bin == "" {
			root, err := moduleRoot()
			if err != nil {
				return nil, err
			}
			fmt.Fprintln(os.Stderr, "bench: building ./cmd/herald")
			if bin, err = buildHerald(root, cfg.tmpDir); err != nil {
				return nil, fmt.Errorf("%w\n(use -only redis to benchmark redis-server alone)", err)
			}
		} else if abs, err := filepath.Abs(bin); err == nil {
			bin = abs
		}
		specs = append(specs, serverSpec{kind: kindHerald, bin: bin, args: []string{"serve"}})
	}
	return specs, nil
}

// moduleRoot returns the directory of the main module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("cannot find the module root (run from the repository): %v", err)
	}
	return filepath.Dir(gomod), nil
}
