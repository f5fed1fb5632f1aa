package main

// End-to-end tests of the herald binary: built with go build, run as a
// process, talked to over TCP, stopped with signals.

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// processTimeout bounds every wait on a herald process.
const processTimeout = 10 * time.Second

// buildHerald builds the command into dir and returns the binary's path.
func buildHerald(t *testing.T, dir string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(dir, "herald")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// syncBuffer is a bytes.Buffer safe for a process's output goroutine and
// the test to use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// heraldProcess is a running herald.
type heraldProcess struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan struct{}
	err    error // Wait's result, once exited is closed
}

func startHerald(t *testing.T, bin string, args ...string) *heraldProcess {
	t.Helper()
	p := &heraldProcess{cmd: exec.Command(bin, args...), stderr: new(syncBuffer), exited: make(chan struct{})}
	p.cmd.Stdout = p.stderr
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start herald: %v", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("herald %s output:\n%s", strings.Join(args, " "), p.stderr)
		}
	})
	return p
}

// wait waits for the process to exit and returns its exit code.
func (p *heraldProcess) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-p.exited:
	case <-time.After(processTimeout):
		t.Fatalf("herald still running after %v", processTimeout)
	}
	var exit *exec.ExitError
	if errors.As(p.err, &exit) {
		return exit.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("wait: %v", p.err)
	}
	return 0
}

// running reports whether the process has not exited.
func (p *heraldProcess) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// waitOutput waits until the process has written s.
func (p *heraldProcess) waitOutput(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(processTimeout)
	for !strings.Contains(p.stderr.String(), s) {
		if !p.running() {
			t.Fatalf("herald exited before writing %q", s)
		}
		if time.Now().After(deadline) {
			t.Fatalf("herald did not write %q", s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// freePort returns a port nothing listens on at the moment.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// dialReady connects to addr, retrying until the server is up.
func dialReady(t *testing.T, p *heraldProcess, addr string) net.Conn {
	t.Helper()
	deadline := time.Now().Add(processTimeout)
	for {
		nc, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return nc
		}
		if !p.running() {
			t.Fatalf("herald exited: %v", p.err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("herald does not accept on %s: %v", addr, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// roundTrip sends a command line and reads one reply line.
func roundTrip(t *testing.T, nc net.Conn, r *bufio.Reader, command string) string {
	t.Helper()
	nc.SetDeadline(time.Now().Add(processTimeout))
	if _, err := nc.Write([]byte(command)); err != nil {
		t.Fatalf("write: %v", err)
	}
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("read reply to %q: %v", command, err)
	}
	return line
}

// listeningSockets counts the TCP sockets in LISTEN state that process pid
// holds, from /proc.
func listeningSockets(t *testing.T, pid int) int {
	t.Helper()
	listening := map[string]bool{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(table)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) > 9 && f[3] == "0A" { // state LISTEN
				listening[f[9]] = true
			}
		}
	}
	fds, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + fd.Name())
		if err != nil {
			continue
		}
		if inode, ok := strings.CutPrefix(target, "socket:["); ok && listening[strings.TrimSuffix(inode, "]")] {
			n++
		}
	}
	return n
}

func TestServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	bin := buildHerald(t, t.TempDir())

	// herald serve --port N answers PING; SIGTERM closes the clients and
	// exits 0.
	t.Run("SIGTERM", func(t *testing.T) {
		addr := "127.0.0.1:" + strconv.Itoa(freePort(t))
		p := startHerald(t, bin, "serve", "--port", addr[strings.LastIndex(addr, ":")+1:], "--http-port", "0")
		nc := dialReady(t, p, addr)
		defer nc.Close()
		r := bufio.NewReader(nc)
		if got := roundTrip(t, nc, r, "PING\r\n"); got != "+PONG\r\n" {
			t.Fatalf("PING: %q", got)
		}
		if got := roundTrip(t, nc, r, "*2\r\n$9\r\nSUBSCRIBE\r\n$1\r\nc\r\n"); got != "*3\r\n" {
			t.Fatalf("SUBSCRIBE: %q", got)
		}
		if n := listeningSockets(t, p.cmd.Process.Pid); n != 1 {
			t.Fatalf("herald holds %d listening sockets, want 1", n)
		}
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t); code != 0 {
			t.Fatalf("exit code %d after SIGTERM, want 0", code)
		}
		// The subscribed client was disconnected, not left hanging.
		nc.SetReadDeadline(time.Now().Add(processTimeout))
		for {
			if _, err := r.ReadByte(); err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatal("client still connected after herald exited")
				}
				break
			}
		}
	})

	// A port that cannot be bound is fatal, and the message names it.
	t.Run("PortInUse", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
		p := startHerald(t, bin, "serve", "--port", port, "--http-port", "0")
		if code := p.wait(t); code == 0 {
			t.Fatal("herald exited 0 with its port taken")
		}
		if out := p.stderr.String(); !strings.Contains(out, "127.0.0.1:"+port) {
			t.Fatalf("the error does not name 127.0.0.1:%s:\n%s", port, out)
		}
	})

	// --port 0: no TCP listener, and the process stays up until stopped.
	t.Run("Port0", func(t *testing.T) {
		p := startHerald(t, bin, "serve", "--port", "0", "--http-port", "0")
		p.waitOutput(t, "ready to accept connections")
		if n := listeningSockets(t, p.cmd.Process.Pid); n != 0 {
			t.Fatalf("herald --port 0 holds %d listening sockets", n)
		}
		if !p.running() {
			t.Fatalf("herald --port 0 exited: %v", p.err)
		}
		if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t); code != 0 {
			t.Fatalf("exit code %d after SIGINT, want 0", code)
		}
	})

	// A bad option is a usage error, exit code 2, naming the option.
	t.Run("BadOption", func(t *testing.T) {
		p := startHerald(t, bin, "serve", "--no-such-option", "1")
		if code := p.wait(t); code != 2 {
			t.Fatalf("exit code %d, want 2", code)
		}
		if out := p.stderr.String(); !strings.Contains(out, "--no-such-option") {
			t.Fatalf("the error does not name the option:\n%s", out)
		}
	})
}
