package server

import (
	"bufio"
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/resp"
)

// startServer starts a Herald on 127.0.0.1 at a free port and stops it
// when the test ends.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	s, err := StartLocal(cfg)
	if err != nil {
		t.Fatalf("start server: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testClient is a raw RESP client for byte-level tests.
type testClient struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func dial(t testing.TB, addr net.Addr) *testClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr.String(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &testClient{t: t, conn: conn, r: bufio.NewReader(conn)}
}

// command encodes args as a RESP array of bulk strings.
func encodeCommand(args ...string) []byte {
	var b []byte
	b = resp.AppendArrayLen(b, len(args))
	for _, a := range args {
		b = resp.AppendBulkString(b, a)
	}
	return b
}

// send writes one command.
func (c *testClient) send(args ...string) {
	c.t.Helper()
	c.sendRaw(encodeCommand(args...))
}

// sendRaw writes bytes as they are.
func (c *testClient) sendRaw(p []byte) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.conn.Write(p); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read reads one reply, failing the test after five seconds.
func (c *testClient) read() resp.Value {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	v, err := resp.ReadValue(c.r)
	if err != nil {
		c.t.Fatalf("read reply: %v", err)
	}
	return v
}

// mustDo sends a command and checks that the reply's wire bytes are want.
func (c *testClient) mustDo(want string, args ...string) {
	c.t.Helper()
	c.send(args...)
	c.mustRead(want)
}

// mustRead reads one reply and checks its wire bytes.
func (c *testClient) mustRead(want string) {
	c.t.Helper()
	got := c.read()
	if !bytes.Equal(got.Bytes(), []byte(want)) {
		c.t.Fatalf("reply:\n got %q\nwant %q", got.Bytes(), want)
	}
}

// expectClosed checks that the server closes the connection.
func (c *testClient) expectClosed() {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if v, err := resp.ReadValue(c.r); err == nil {
		c.t.Fatalf("connection still open: read %s", v)
	} else if strings.Contains(err.Error(), "timeout") {
		c.t.Fatalf("connection not closed: %v", err)
	}
}

// waitFor polls cond until it holds, failing the test after five seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// protocols runs f as a sub-test for RESP2 and for RESP3; in RESP3 the
// client has sent HELLO 3.
func protocols(t *testing.T, s *Server, f func(t *testing.T, c *testClient, proto int)) {
	for _, proto := range []int{resp.RESP2, resp.RESP3} {
		before := len(s.connList())
		t.Run(map[int]string{2: "RESP2", 3: "RESP3"}[proto], func(t *testing.T) {
			c := dial(t, s.Addr())
			if proto == resp.RESP3 {
				c.send("HELLO", "3")
				c.read()
			}
			f(t, c, proto)
		})
		// The subtest's clients are closed (its cleanups have run); the
		// next starts once the server has seen them go, so that what they
		// held (subscriptions) cannot show in its counts.
		for deadline := time.Now().Add(5 * time.Second); len(s.connList()) > before && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
}
