package server

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
)

// Deadlines of the differential suite. A reply is read with replyTimeout;
// only the end-of-script check of a connection whose replies are off waits
// for silence, and then only quietTimeout.
const (
	replyTimeout = 3 * time.Second
	quietTimeout = 150 * time.Millisecond
)

// session is one script of the differential suite, run on a fresh Herald
// and on the suite's redis-server.
type session struct {
	name   string
	skip   string // not empty: the session is skipped, and this says why
	script string
}

// diffEnv is a redis-server and the Herald configuration that matches the
// arguments it was started with.
type diffEnv struct {
	redis    *redistest.Server
	password string // requirepass of both, "" for none
	herald   Config
}

// newDiffEnv starts a redis-server with redisArgs for the sessions of one
// test. herald must configure Herald the same way.
func newDiffEnv(t *testing.T, herald Config, redisArgs ...string) *diffEnv {
	t.Helper()
	herald.Logger = slog.New(slog.DiscardHandler)
	return &diffEnv{redis: redistest.Start(t, redisArgs...), password: herald.RequirePass, herald: herald}
}

// run runs each session as a sub-test, one after the other: a fresh Herald
// each time, and the redis-server reset to no clients in between.
func (e *diffEnv) run(t *testing.T, sessions []session) {
	t.Helper()
	for _, s := range sessions {
		t.Run(s.name, func(t *testing.T) {
			if s.skip != "" {
				t.Skip(s.skip)
			}
			steps, err := parseScript(s.script)
			if err != nil {
				t.Fatal(err)
			}
			h := startServer(t, e.herald)
			r := newSessionRun(t, e.redis.Addr(), h.Addr().String())
			t.Cleanup(func() {
				r.closeAll()
				e.reset(t)
			})
			r.runSteps(steps)
		})
	}
}

// reset disconnects every client of the redis-server but its own, so the
// next session starts with no subscriptions. CLIENT KILL frees the clients
// before it replies.
func (e *diffEnv) reset(t *testing.T) {
	t.Helper()
	var cmds [][]string
	if e.password != "" {
		cmds = append(cmds, []string{"AUTH", e.password})
	}
	cmds = append(cmds,
		[]string{"CLIENT", "KILL", "TYPE", "pubsub", "SKIPME", "yes"},
		[]string{"PUBSUB", "NUMPAT"},
		// Last, itself included: closed after its reply, so once redisDo
		// has seen the close, no client is left for the next session's
		// CLIENT LIST to show.
		[]string{"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"})
	got, err := redisDo(e.redis.Addr(), cmds)
	if err != nil {
		t.Fatalf("reset redis-server: %v", err)
	}
	if numpat := got[len(got)-2]; numpat.Kind != ':' || numpat.Int != 0 {
		t.Fatalf("reset redis-server: PUBSUB NUMPAT = %s after killing its clients", numpat)
	}
}

// redisDo runs commands on a new connection, returns their replies and
// then waits for the server to close the connection, if it will.
func redisDo(addr string, cmds [][]string) ([]resp.Value, error) {
	return redisDoTimeout(addr, cmds, replyTimeout)
}

// redisDoTimeout is redisDo with the whole exchange bounded by timeout.
func redisDoTimeout(addr string, cmds [][]string, timeout time.Duration) ([]resp.Value, error) {
	nc, err := net.DialTimeout("tcp", addr, replyTimeout)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(timeout))
	var out []byte
	for _, c := range cmds {
		out = append(out, encodeCommand(c...)...)
	}
	if _, err := nc.Write(out); err != nil {
		return nil, err
	}
	r := bufio.NewReader(nc)
	vals := make([]resp.Value, len(cmds))
	for i := range vals {
		if vals[i], err = resp.ReadValue(r); err != nil {
			return nil, err
		}
	}
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		return vals, fmt.Errorf("connection not closed after the replies: %v", err)
	}
	return vals, nil
}

// side is one server's half of a session.
type side struct {
	name  string
	addr  string
	conns map[string]*scriptConn
}

// scriptConn is one named connection of a session.
type scriptConn struct {
	nc     net.Conn
	r      *bufio.Reader
	closed bool // the script saw the server close it
}

// reporter is where a session reports failures: the test, or a recorder
// in the runner's own tests.
type reporter interface {
	Errorf(format string, args ...any)
}

// sessionRun runs one session's steps on both servers in lock step.
type sessionRun struct {
	t       reporter
	sides   [2]*side      // redis-server first: it decides what a step produces
	timeout time.Duration // for each group of replies; replyTimeout by default
	tr      transcript
}

// newSessionRun prepares a session between the redis-server at redisAddr
// and the Herald at heraldAddr. The caller closes it with closeAll.
func newSessionRun(t reporter, redisAddr, heraldAddr string) *sessionRun {
	return &sessionRun{t: t, timeout: replyTimeout, sides: [2]*side{
		{name: "redis-server", addr: redisAddr, conns: map[string]*scriptConn{}},
		{name: "herald", addr: heraldAddr, conns: map[string]*scriptConn{}},
	}}
}

func (r *sessionRun) runSteps(steps []step) {
	for _, s := range steps {
		if !r.runStep(s) {
			return
		}
	}
	r.checkQuiet()
}

// runStep sends a step on both servers and compares its replies. It
// returns false once the session must stop.
func (r *sessionRun) runStep(s step) bool {
	r.tr.sent(s.conn, s.text)
	for _, sd := range r.sides {
		c, err := sd.conn(s.conn)
		if err != nil {
			return r.fail(s, "script error", fmt.Sprintf("%s: %v", sd.name, err))
		}
		c.nc.SetWriteDeadline(time.Now().Add(replyTimeout))
		if _, err := c.nc.Write(s.send); err != nil {
			// A server that closes the connection mid-write resets it;
			// the replies and the close are checked below.
			r.tr.note(sd == r.sides[1], fmt.Sprintf("%s~ write: %v", s.conn, err))
		}
	}
	for _, g := range s.expect {
		if !r.compareGroup(s, g) {
			return false
		}
	}
	return true
}

// compareGroup reads a group's replies from both servers and compares them.
func (r *sessionRun) compareGroup(s step, g group) bool {
	redisConn, heraldConn := r.sides[0].conns[g.conn], r.sides[1].conns[g.conn]
	if redisConn == nil || redisConn.closed {
		return r.fail(s, "script error", fmt.Sprintf("connection %q is not open", g.conn))
	}
	want, err := readReplies(redisConn, g.count, r.timeout)
	if err != nil {
		r.tr.replies(g.conn, normalize(want, g.flags), nil, -1)
		return r.fail(s, "script error", fmt.Sprintf("redis-server sent %d of the %d replies the script expects on %q: %v",
			len(want), g.count, g.conn, err))
	}
	got, err := readReplies(heraldConn, g.count, r.timeout)
	nWant, nGot := normalize(want, g.flags), normalize(got, g.flags)
	same, at := sameReplies(nWant, nGot)
	r.tr.replies(g.conn, nWant, nGot, at)
	if err != nil {
		return r.fail(s, "MISMATCH", fmt.Sprintf("herald sent %d of %d replies on %q: %v", len(got), g.count, g.conn, err))
	}
	if !same {
		return r.fail(s, "MISMATCH", fmt.Sprintf("reply %d of %d on %q:\n  redis-server %q\n  herald       %q",
			at+1, g.count, g.conn, clipBytes(nWant[at].Bytes()), clipBytes(nGot[at].Bytes())))
	}
	if g.flags.closed {
		return r.checkClosed(s, g.conn)
	}
	return true
}

// checkClosed checks that both servers closed conn after their replies.
func (r *sessionRun) checkClosed(s step, name string) bool {
	for i, sd := range r.sides {
		c := sd.conns[name]
		if err := expectEOF(c, r.timeout); err != nil {
			kind := "MISMATCH"
			if i == 0 {
				kind = "script error"
			}
			r.tr.note(i == 1, fmt.Sprintf("%s< not closed", name))
			return r.fail(s, kind, fmt.Sprintf("%s did not close %q: %v", sd.name, name, err))
		}
		c.closed = true
		c.nc.Close()
	}
	r.tr.both(fmt.Sprintf("%s< (closed)", name))
	return true
}

// checkQuiet ends a script: on every open connection a PING must get its
// reply with nothing left over before it. A connection whose replies are
// off (CLIENT REPLY OFF) gets no reply from redis-server, and must then stay
// silent on Herald too.
func (r *sessionRun) checkQuiet() {
	names := make([]string, 0, len(r.sides[0].conns))
	for name, c := range r.sides[0].conns {
		if !c.closed {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	end := step{text: "(end of script) PING " + sentinel, send: encodeCommand("PING", sentinel)}
	for _, name := range names {
		end.conn = name
		r.tr.sent(name, "PING "+sentinel+"  (end of script)")
		for _, sd := range r.sides {
			c := sd.conns[name]
			c.nc.SetWriteDeadline(time.Now().Add(replyTimeout))
			c.nc.Write(end.send)
		}
		want, redisErr := readUntilSentinel(r.sides[0].conns[name], r.timeout)
		if len(want) > 1 || (len(want) == 1 && redisErr != nil) {
			r.tr.replies(name, want, nil, -1)
			r.fail(end, "script error", fmt.Sprintf("redis-server sent replies on %q the script did not expect", name))
			return
		}
		if len(want) == 0 { // replies are off on this connection
			got, err := readUntilSentinel(r.sides[1].conns[name], quietTimeout)
			if len(got) > 0 || !isTimeout(err) {
				r.tr.replies(name, nil, got, 0)
				r.fail(end, "MISMATCH", fmt.Sprintf("herald sent on %q, whose replies are off as on redis-server: %v", name, err))
				return
			}
			r.tr.both(name + "< (no reply: replies are off)")
			continue
		}
		got, err := readReplies(r.sides[1].conns[name], 1, r.timeout)
		same, at := sameReplies(want, got)
		r.tr.replies(name, want, got, at)
		if err != nil || !same {
			r.fail(end, "MISMATCH", fmt.Sprintf("herald's output on %q before the closing PING's reply differs (extra or missing bytes): %v", name, err))
			return
		}
	}
}

// fail reports a failed step with both transcripts side by side and
// returns false.
func (r *sessionRun) fail(s step, kind, msg string) bool {
	r.t.Errorf("%s at script line %d: %s\n    %s\n\n%s", kind, s.line, s.text, msg, r.tr.render())
	return false
}

func (r *sessionRun) closeAll() {
	for _, sd := range r.sides {
		for _, c := range sd.conns {
			c.nc.Close()
		}
	}
}

// conn returns the named connection, opening it on first use.
func (sd *side) conn(name string) (*scriptConn, error) {
	if c := sd.conns[name]; c != nil {
		if c.closed {
			return nil, fmt.Errorf("connection %q was closed", name)
		}
		return c, nil
	}
	nc, err := net.DialTimeout("tcp", sd.addr, replyTimeout)
	if err != nil {
		return nil, err
	}
	c := &scriptConn{nc: nc, r: bufio.NewReader(nc)}
	sd.conns[name] = c
	return c, nil
}

// readReplies reads n replies, all within timeout.
func readReplies(c *scriptConn, n int, timeout time.Duration) ([]resp.Value, error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	vals := make([]resp.Value, 0, n)
	for range n {
		v, err := resp.ReadValue(c.r)
		if err != nil {
			return vals, err
		}
		vals = append(vals, v)
	}
	return vals, nil
}

// readUntilSentinel reads replies until the one answering the closing PING
// (included), an error, or the timeout.
func readUntilSentinel(c *scriptConn, timeout time.Duration) ([]resp.Value, error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	var vals []resp.Value
	for {
		v, err := resp.ReadValue(c.r)
		if err != nil {
			return vals, err
		}
		vals = append(vals, v)
		if isSentinelReply(v) {
			return vals, nil
		}
	}
}

// expectEOF checks that the server closes c with nothing more to read.
func expectEOF(c *scriptConn, timeout time.Duration) error {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	v, err := resp.ReadValue(c.r)
	switch {
	case err == nil:
		return fmt.Errorf("sent %s instead of closing", v)
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
		return nil
	}
	return err
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }

func clipBytes(b []byte) []byte {
	if len(b) > 400 {
		return append(b[:400:400], "..."...)
	}
	return b
}
