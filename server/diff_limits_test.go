package server

import (
	"bufio"
	"errors"
	"io"
	"net"
	"regexp"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// TestDiffTimeout runs the same clients against redis-server and Herald,
// both with timeout 1, and compares which of them the server closes for
// idleness: the idle, the half-written, the unsubscribed and the one in
// MULTI are closed; the subscribed, the shard-subscribed and the blocked
// are not, and the subscribed still work afterwards.
func TestDiffTimeout(t *testing.T) {
	r := redistest.Start(t, "--timeout", "1")
	h := startServer(t, Config{Timeout: 1})
	redisClosed := timeoutScenarioRetried(t, r.Addr())
	heraldClosed := timeoutScenarioRetried(t, h.Addr().String())
	if !slices.Equal(redisClosed, heraldClosed) {
		t.Fatalf("closed for idleness: redis-server %v, Herald %v", redisClosed, heraldClosed)
	}
	if want := []string{"half", "idle", "multi", "unsub"}; !slices.Equal(heraldClosed, want) {
		t.Fatalf("closed %v, want %v", heraldClosed, want)
	}
}

// timeoutScenarioRetried runs timeoutScenario until its clients were set
// up well within the timeout: on a loaded machine (go test -race ./...
// runs packages side by side) the test can be descheduled for a second
// between connecting a client and writing to it, and the server then
// rightly closes that client as idle before it is used.
func timeoutScenarioRetried(t *testing.T, addr string) []string {
	t.Helper()
	for range 4 {
		if names, ok := timeoutScenario(t, addr); ok {
			return names
		}
		t.Logf("%s: the clients' setup took too long on this machine; again", addr)
	}
	t.Fatalf("%s: could not set the clients up within the timeout", addr)
	return nil
}

// timeoutScenario connects the clients of TestDiffTimeout to addr, waits
// until the server has had time to close the idle ones, checks that the
// others work, and returns the names of those closed, sorted. ok is false,
// and the clients are closed, when setting them up took half the timeout
// or more, which makes the run meaningless.
func timeoutScenario(t *testing.T, addr string) (names []string, ok bool) {
	t.Helper()
	type client struct {
		nc net.Conn
		r  *bufio.Reader
	}
	clients := map[string]*client{}
	open := func(name string, send ...[]byte) *client {
		nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { nc.Close() })
		c := &client{nc, bufio.NewReader(nc)}
		for _, b := range send {
			nc.Write(b)
		}
		clients[name] = c
		return c
	}
	read := func(name string) resp.Value {
		t.Helper()
		c := clients[name]
		c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		v, err := resp.ReadValue(c.r)
		if err != nil {
			t.Fatalf("%s: %s: %v", addr, name, err)
		}
		return v
	}
	start, failed := time.Now(), false
	for _, x := range []struct {
		name    string
		send    [][]byte
		replies int
	}{
		{"sub", [][]byte{encodeCommand("SUBSCRIBE", "news")}, 1},
		{"ssub", [][]byte{encodeCommand("SSUBSCRIBE", "shard")}, 1},
		{"blocked", [][]byte{encodeCommand("CLIENT", "SETNAME", "blocked"), encodeCommand("BLPOP", "timeout:list", "0")}, 1},
		{"half", [][]byte{[]byte("*2\r\n$4\r\nPI")}, 0},
		{"unsub", [][]byte{encodeCommand("SUBSCRIBE", "x"), encodeCommand("UNSUBSCRIBE", "x")}, 2},
		{"multi", [][]byte{encodeCommand("MULTI"), encodeCommand("PING")}, 2},
		// The client that checks the survivors at the end is subscribed
		// (in RESP3, so it may still publish), which exempts it from the
		// timeout: on a loaded machine a second may pass between its
		// commands. It is set up here, where the time setting up takes
		// is checked, not after the wait.
		{"other", [][]byte{encodeCommand("HELLO", "3"), encodeCommand("SUBSCRIBE", "timeout:keepalive")}, 2},
		{"idle", [][]byte{encodeCommand("PING")}, 1}, // last: the least idle
	} {
		c := open(x.name, x.send...)
		for range x.replies {
			c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := resp.ReadValue(c.r); err != nil {
				t.Logf("%s: %s: %v", addr, x.name, err)
				failed = true
				break
			}
		}
	}
	if failed || time.Since(start) >= 500*time.Millisecond {
		for _, c := range clients {
			c.nc.Close()
		}
		return nil, false
	}
	// Once the server closes "idle", every client it would close has been
	// idle longer and was closed by the same check (a moment is allowed
	// for the closes of one check to land). 10 s is the hang check.
	closedWithin := func(c *client, d time.Duration) bool {
		c.nc.SetReadDeadline(time.Now().Add(d))
		_, err := c.r.Peek(1)
		return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)
	}
	if !closedWithin(clients["idle"], 10*time.Second) {
		t.Fatalf("%s: the idle client was not closed", addr)
	}
	for name, c := range clients {
		if name != "other" && closedWithin(c, 200*time.Millisecond) {
			names = append(names, name)
		}
	}
	slices.Sort(names)

	// The survivors work.
	other := clients["other"]
	if v := func() resp.Value { other.nc.Write(encodeCommand("PUBLISH", "news", "hi")); return read("other") }(); v.Int != 1 {
		t.Errorf("%s: PUBLISH to the subscriber: %s", addr, v.Bytes())
	}
	if v := read("sub"); len(v.Elems) != 3 || v.Elems[2].Str != "hi" {
		t.Errorf("%s: the subscriber got %s", addr, v.Bytes())
	}
	// The blocked client is still there, still blocked. (It is not
	// unblocked to check it: redis-server's cron can close a client whose
	// BLPOP was just served, idle since it blocked, before its reply is
	// written.)
	other.nc.Write(encodeCommand("CLIENT", "LIST"))
	if v := read("other"); !regexp.MustCompile(`name=blocked .*flags=b .*cmd=blpop`).MatchString(v.Str) {
		t.Errorf("%s: the blocked client is not listed as blocked in BLPOP: %q %q %v", addr, v.Kind, v.Str, v.Elems)
	}
	return names, true
}
