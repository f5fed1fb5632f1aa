// Package redistest starts throwaway redis-server processes for tests that
// compare Herald with the real thing.
//
// A test calls Start; without a redis-server on the PATH the test is
// skipped with a message saying so, unless the environment sets
// HERALD_REQUIRE_REDIS=1 (CI does), where it fails instead: a differential
// suite that silently skips in CI proves nothing.
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// RequireEnv is the environment variable that turns a missing redis-server
// from a skip into a failure.
const RequireEnv = "HERALD_REQUIRE_REDIS"

// Binary is the program Start runs, looked up on the PATH.
const Binary = "redis-server"

// startTimeout bounds how long Start waits for redis-server to answer PING.
const startTimeout = 10 * time.Second

// Server is a running redis-server, stopped when the test that started it
// ends.
type Server struct {
	addr    string
	args    []string
	logFile string
}

// Addr returns the server's host:port.
func (s *Server) Addr() string { return s.addr }

// Args returns the command-line arguments redis-server was started with.
func (s *Server) Args() []string { return s.args }

// Log returns what redis-server has written to its log so far.
func (s *Server) Log() string {
	b, err := os.ReadFile(s.logFile)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}

// Verdict is what a test does about a redis-server it needs.
type Verdict int

const (
	// Run: redis-server is on the PATH.
	Run Verdict = iota
	// Skip: it is not, and nobody requires it.
	Skip
	// Fail: it is not, and RequireEnv says it must be.
	Fail
)

// Decide says whether a test runs, skips or fails, given the result of
// looking redis-server up on the PATH and the value of RequireEnv. The
// message explains a Skip or a Fail.
func Decide(lookErr error, require string) (Verdict, string) {
	if lookErr == nil {
		return Run, ""
	}
	if require == "1" {
		return Fail, fmt.Sprintf("%s is not on the PATH (%v) and %s=1 requires it: install it (Debian: apt-get install redis-server)",
			Binary, lookErr, RequireEnv)
	}
	return Skip, fmt.Sprintf("%s is not on the PATH (%v): skipping the comparison with Redis (set %s=1 to make this a failure)",
		Binary, lookErr, RequireEnv)
}

// Find returns the path of redis-server, or skips or fails t as Decide
// says.
func Find(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath(Binary)
	switch verdict, msg := Decide(err, os.Getenv(RequireEnv)); verdict {
	case Fail:
		t.Fatal(msg)
	case Skip:
		t.Skip(msg)
	}
	return bin
}

// Start starts a redis-server on 127.0.0.1 at a free port, without
// persistence, with extra appended to its arguments (as "--requirepass",
// "secret"). It returns once the server answers PING and stops it when the
// test ends.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin := Find(t)
	var lastErr error
	for range 3 { // the free port may be taken before redis-server binds it
		s, err := start(t, bin, extra)
		if err == nil {
			return s
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("start %s: %v", Binary, lastErr)
	return nil
}

var errPortTaken = errors.New("port already in use")

func start(t testing.TB, bin string, extra []string) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	dir := t.TempDir()
	s := &Server{
		addr:    net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		logFile: filepath.Join(dir, "redis.log"),
	}
	s.args = append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--dir", dir, "--logfile", s.logFile}, extra...)
	cmd := exec.Command(bin, s.args...)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	stop := func() {
		cmd.Process.Kill()
		<-exited
	}
	if err := waitReady(s.addr, exited); err != nil {
		stop()
		if strings.Contains(s.Log(), "Address already in use") {
			return nil, errPortTaken
		}
		return nil, fmt.Errorf("%w\nargs: %q\nlog:\n%s", err, s.args, s.Log())
	}
	t.Cleanup(stop)
	return s, nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago: it
// listens on port 0 and closes the listener.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls addr until the server there answers PING (with PONG, or
// with NOAUTH when it requires a password), the process exits, or
// startTimeout passes.
func waitReady(addr string, exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	backoff := time.Millisecond
	for {
		err := ping(addr, deadline)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("%s exited before answering PING", Binary)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not answer PING on %s within %v: %w", Binary, addr, startTimeout, err)
		}
		time.Sleep(backoff) // polling a process we cannot wait on otherwise
		backoff = min(2*backoff, 20*time.Millisecond)
	}
}

// ping sends one PING to addr and checks the answer.
func ping(addr string, deadline time.Time) error {
	nc, err := net.DialTimeout("tcp", addr, time.Until(deadline))
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.SetDeadline(deadline)
	if _, err := nc.Write([]byte("*1\r\n$4\r\nPING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(nc).ReadString('\n')
	if err != nil {
		return err
	}
	if line == "+PONG\r\n" || strings.HasPrefix(line, "-NOAUTH") {
		return nil
	}
	return fmt.Errorf("PING answered %q", line)
}
