package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serverKind names one of the two servers under comparison.
type serverKind string

const (
	kindRedis  serverKind = "redis"
	kindHerald serverKind = "herald"
)

// serverSpec says how to start one kind of server.
type serverSpec struct {
	kind serverKind
	bin  string   // path of the executable
	args []string // arguments before the per-start ones (e.g. "serve")
}

// A server is one running server process, started fresh for one case.
type server struct {
	kind   serverKind
	spec   serverSpec // how it was started
	pid    int
	addr   string
	http   string // the gateway's host:port, empty when it was started without one
	dir    string // the directory of a case with serverArgs, else empty
	cmd    *exec.Cmd
	log    string        // file holding the server's stdout and stderr
	exited chan struct{} // closed when the process has exited
	killed bool          // set by stop, so an exit is not reported as a crash
}

// liveServers tracks started servers so an interrupt can kill them.
var liveServers = struct {
	sync.Mutex
	m map[*server]struct{}
}{m: map[*server]struct{}{}}

// killLiveServers kills every server that has not been stopped yet.
func killLiveServers() {
	liveServers.Lock()
	defer liveServers.Unlock()
	for s := range liveServers.m {
		s.cmd.Process.Kill()
	}
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// startServer starts spec on a free port, pinned to cfg.serverCPU when
// pinning is on, and waits until it answers PING. With gateway set (Herald
// only), Herald also listens for HTTP on a free port and startServer waits
// for its /healthz too; otherwise Herald runs with --http-port 0. Extra
// options come last; Redis runs without persistence unless they set
// appendonly.
func startServer(cfg *config, spec serverSpec, seq int, gateway bool, extra ...string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append([]string{}, spec.args...)
	args = append(args,
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--maxclients", strconv.Itoa(cfg.maxClients))
	httpAddr := ""
	if spec.kind == kindHerald {
		httpPort := 0
		if gateway {
			if httpPort, err = freePort(); err != nil {
				return nil, err
			}
			httpAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(httpPort))
		}
		args = append(args, "--http-port", strconv.Itoa(httpPort))
	}
	if cfg.noOutputLimit {
		args = append(args, "--client-output-buffer-limit", "pubsub 0 0 0")
	}
	if spec.kind == kindRedis {
		args = append(args, "--save", "")
		if !slices.Contains(extra, "--appendonly") {
			args = append(args, "--appendonly", "no")
		}
	}
	args = append(args, extra...)
	name := spec.bin
	if cfg.pin {
		args = append([]string{"-c", cfg.serverCPU, spec.bin}, args...)
		name = "taskset"
	}
	logPath := filepath.Join(cfg.tmpDir, fmt.Sprintf("%s-%03d.log", spec.kind, seq))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(name, args...)
	cmd.Dir = cfg.tmpDir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.kind, err)
	}
	// taskset execs the server, so the pid is the server's own.
	s := &server{
		kind: spec.kind, spec: spec, pid: cmd.Process.Pid, cmd: cmd, log: logPath,
		addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), http: httpAddr, exited: make(chan struct{}),
	}
	liveServers.Lock()
	liveServers.m[s] = struct{}{}
	liveServers.Unlock()
	go func() { cmd.Wait(); close(s.exited) }()
	if err := s.waitReady(10 * time.Second); err != nil {
		s.stop()
		return nil, fmt.Errorf("%s did not answer PING: %w\n%s", spec.kind, err, s.logTail())
	}
	if s.http != "" {
		if err := s.waitHealthy(10 * time.Second); err != nil {
			s.stop()
			return nil, fmt.Errorf("%s gateway did not answer /healthz: %w\n%s", spec.kind, err, s.logTail())
		}
	}
	return s, nil
}

// waitHealthy polls the gateway's /healthz until it answers 200 or the
// timeout passes.
func (s *server) waitHealthy(timeout time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get("http://" + s.http + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("/healthz answered %s", resp.Status)
		}
		if s.hasExited() {
			return errors.New("server exited")
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitReady polls with PING until the server answers +PONG or the timeout
// passes.
func (s *server) waitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := s.ping()
		if err == nil {
			return nil
		}
		if s.hasExited() {
			return errors.New("server exited")
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// ping sends one PING on a new connection and checks the reply.
func (s *server) ping() error {
	reply, err := s.do(time.Second, "PING")
	if err != nil {
		return err
	}
	if reply.kind != '+' || string(reply.last) != "PONG" {
		return fmt.Errorf("PING answered %q %q", reply.kind, reply.last)
	}
	return nil
}

// do sends one command on a new connection and returns its reply.
func (s *server) do(timeout time.Duration, args ...string) (frame, error) {
	conn, err := net.DialTimeout("tcp", s.addr, timeout)
	if err != nil {
		return frame{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write(appendCommandStrings(nil, args...)); err != nil {
		return frame{}, err
	}
	f, err := newFrameReader(conn, 4096).next()
	if err == nil {
		f.last = bytes.Clone(f.last)
	}
	return f, err
}

// hasExited reports whether the server process has exited.
func (s *server) hasExited() bool {
	select {
	case <-s.exited:
		return true
	default:
		return false
	}
}

// checkAlive returns an error, with the end of the server's log, if the
// server exited before stop was called.
func (s *server) checkAlive() error {
	if s.hasExited() && !s.killed {
		return fmt.Errorf("%s exited during the case (%v)\n%s", s.kind, s.cmd.ProcessState, s.logTail())
	}
	return nil
}

// stop kills the server and waits for it to exit.
func (s *server) stop() {
	s.killed = true
	// SIGTERM first, so a server can finish cleanly (and write a CPU
	// profile when HERALD_CPUPROFILE is set); SIGKILL if it lingers.
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	liveServers.Lock()
	delete(liveServers.m, s)
	liveServers.Unlock()
}

// logTail returns the last lines of the server's log.
func (s *server) logTail() string {
	b, _ := os.ReadFile(s.log)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return "  | " + strings.Join(lines, "\n  | ")
}

// rssBytes reads VmRSS from /proc/<pid>/status.
func rssBytes(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fields := strings.Fields(rest) // "12345 kB"
			kb, err := strconv.ParseInt(fields[0], 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmRSS line")
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat;
// it is 100 on every Linux architecture Go supports.
const clockTicks = 100

// cpuTime returns the user plus system CPU time a process has used.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; fields are counted after its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("bad stat line")
	}
	fields := strings.Fields(string(b[i+1:]))
	if len(fields) < 13 {
		return 0, errors.New("short stat line")
	}
	// fields[0] is the state (field 3), so utime (14) and stime (15) are 11, 12.
	ut, err1 := strconv.ParseInt(fields[11], 10, 64)
	st, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// machineBusyTime returns the CPU time all cores have spent on anything but
// idling, from the first line of /proc/stat.
func machineBusyTime() (time.Duration, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, errors.New("unexpected /proc/stat")
	}
	var busy int64
	for i, f := range fields[1:9] {
		if i == 3 || i == 4 || i == 7 { // idle, iowait, and steal (time the host took)
			continue
		}
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		busy += v
	}
	return time.Duration(busy) * time.Second / clockTicks, nil
}

// selfCPUTime returns the CPU time this process has used.
func selfCPUTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// buildHerald compiles ./cmd/herald from the module root into dir.
func buildHerald(moduleRoot, dir string) (string, error) {
	out := filepath.Join(dir, "herald")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/herald")
	cmd.Dir = moduleRoot
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/herald: %v\n%s", err, msg)
	}
	return out, nil
}
