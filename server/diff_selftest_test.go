package server

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// These tests check the differential runner itself, without redis-server:
// a difference, extra bytes and a script that Redis does not meet must
// each fail the session, with both transcripts side by side.

// recorder is a reporter that keeps what it is told.
type recorder struct {
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// runAgainst runs script with redisAddr playing redis-server and returns
// what the session reported.
func runAgainst(t *testing.T, redisAddr, heraldAddr, script string) string {
	t.Helper()
	steps, err := parseScript(script)
	if err != nil {
		t.Fatal(err)
	}
	rec := new(recorder)
	r := newSessionRun(rec, redisAddr, heraldAddr)
	r.timeout = 300 * time.Millisecond // the failures tested here wait for it
	r.runSteps(steps)
	r.closeAll()
	return strings.Join(rec.errors, "\n")
}

// cannedServer accepts connections and answers the n-th read on each with
// replies[n], so that a test can make a server send what it wants.
func cannedServer(t *testing.T, replies ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				buf := make([]byte, 4096)
				for _, reply := range replies {
					if _, err := nc.Read(buf); err != nil {
						return
					}
					nc.Write([]byte(reply))
				}
				nc.Read(buf) // until the client closes
			}()
		}
	}()
	return l.Addr().String()
}

func TestDiffRunnerReportsMismatch(t *testing.T) {
	t.Parallel()
	open := startServer(t, Config{})
	locked := startServer(t, Config{RequirePass: "x"})
	got := runAgainst(t, open.Addr().String(), locked.Addr().String(), `
		a: NOPE      => 1
		a: PING      => 1
	`)
	for _, want := range []string{"MISMATCH at script line 3", "redis-server", "herald", "!! a< +PONG", "a< (error) NOAUTH", `"+PONG\r\n"`} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}

func TestDiffRunnerReportsExtraBytes(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	extra := cannedServer(t, "+PONG\r\n+PONG\r\n", "$"+fmt.Sprint(len(sentinel))+"\r\n"+sentinel+"\r\n")
	got := runAgainst(t, s.Addr().String(), extra, `a: PING => 1`)
	if !strings.Contains(got, "MISMATCH") || !strings.Contains(got, "extra or missing bytes") {
		t.Errorf("extra reply not reported:\n%s", got)
	}
}

func TestDiffRunnerReportsScriptError(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	got := runAgainst(t, s.Addr().String(), s.Addr().String(), `
		a: PING      => 2
	`)
	if !strings.Contains(got, "script error") || !strings.Contains(got, "sent 1 of the 2 replies") {
		t.Errorf("a count Redis does not meet is not reported as a script error:\n%s", got)
	}
	got = runAgainst(t, s.Addr().String(), s.Addr().String(), `
		a~ "PING\r\nPING\r\n" => 1
	`)
	if !strings.Contains(got, "script error") || !strings.Contains(got, "did not expect") {
		t.Errorf("a count below Redis's is not reported as a script error:\n%s", got)
	}
}

func TestDiffRunnerReportsNotClosed(t *testing.T) {
	t.Parallel()
	s := startServer(t, Config{})
	closing := startServer(t, Config{})
	got := runAgainst(t, closing.Addr().String(), s.Addr().String(), `a: QUIT => 1 closed`)
	if got != "" {
		t.Errorf("same behaviour reported:\n%s", got)
	}
	got = runAgainst(t, s.Addr().String(), s.Addr().String(), `a: PING => 1 closed`)
	if !strings.Contains(got, "script error") || !strings.Contains(got, "did not close") {
		t.Errorf("an open connection expected closed is not reported:\n%s", got)
	}
}
