package server

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/resp"
)

// Races between ACL changes and the clients they concern, which Redis,
// single-threaded, cannot have: each test repeats a race that, lost, leaves
// a client holding or hearing what its user may no longer.

// A client that revokes its own channel while messages keep being
// published to it gets nothing after its ACL SETUSER reply: it leaves the
// broker before the reply, not when it closes after it.
func TestACLRevokeOwnChannelNothingAfterReply(t *testing.T) {
	s := startServer(t, Config{})
	admin := dial(t, s.Addr())
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			s.Broker().Publish([]byte("room"), []byte("m"), nil)
		}
	}()
	defer func() { stop.Store(true); wg.Wait() }()
	for round := 0; round < 40; round++ {
		admin.mustDo("+OK\r\n", "ACL", "SETUSER", "gina", "on", ">pw", "+@all", "~*", "&room")
		c := dial(t, s.Addr())
		c.send("HELLO", "3", "AUTH", "gina", "pw")
		c.read()
		c.send("SUBSCRIBE", "room")
		for v := c.read(); v.Kind != '>' || v.Elems[0].Str != "subscribe"; v = c.read() {
		}
		c.send("ACL", "SETUSER", "gina", "resetchannels")
		for {
			v := c.read()
			if v.Kind == '+' {
				break // the reply; what came before it may be messages
			}
			if v.Kind != '>' || v.Elems[0].Str != "message" {
				t.Fatalf("round %d: before the reply: %q", round, v.Bytes())
			}
		}
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if v, err := resp.ReadValue(c.r); err == nil {
			t.Fatalf("round %d: after ACL SETUSER's reply: %q", round, v.Bytes())
		} else if strings.Contains(err.Error(), "timeout") {
			t.Fatalf("round %d: not closed: %v", round, err)
		}
		c.conn.Close()
	}
}

// A SUBSCRIBE checked before an ACL SETUSER that revokes its channel, and
// subscribed after the SETUSER looked at what the client held, does not
// leave the client subscribed: the channel comes last in a long SUBSCRIBE,
// so that the revocation often lands while it subscribes the others.
func TestACLSubscribeRacingRevoke(t *testing.T) {
	s := startServer(t, Config{})
	admin := dial(t, s.Addr())
	args := []string{"SUBSCRIBE"}
	for i := 0; i < 2000; i++ {
		args = append(args, fmt.Sprintf("ok:%d", i))
	}
	args = append(args, "secret")
	for round := 0; round < 30; round++ {
		admin.mustDo("+OK\r\n", "ACL", "SETUSER", "hal", "on", ">pw", "+@all", "~*", "resetchannels", "&ok:*", "&secret")
		c := dial(t, s.Addr())
		c.mustDo("+OK\r\n", "AUTH", "hal", "pw")
		c.send(args...)
		// Let the SUBSCRIBE start, then revoke while it runs.
		waitFor(t, "the subscribe to start", func() bool { return s.Broker().NumSub("ok:0") == 1 })
		admin.mustDo("+OK\r\n", "ACL", "SETUSER", "hal", "resetchannels", "&ok:*")
		waitFor(t, "the secret channel to be dropped", func() bool { return s.Broker().NumSub("secret") == 0 && s.Broker().NumSub("ok:0") == 0 })
		c.conn.Close()
		waitFor(t, "the client to go", func() bool { return len(s.connList()) == 1 })
	}
}

// An AUTH that looked its user up before ACL DELUSER removed it does not
// leave the client authenticated as the deleted user. The password is
// long, so that hashing it keeps AUTH between its look-up and its effect
// long enough for DELUSER to land there.
func TestACLAuthRacingDelUser(t *testing.T) {
	s := startServer(t, Config{})
	admin := dial(t, s.Addr())
	pass := strings.Repeat("p", 1<<20)
	for round := 0; round < 30; round++ {
		admin.mustDo("+OK\r\n", "ACL", "SETUSER", "ida", "on", ">"+pass, "+@all", "~*", "&*")
		c := dial(t, s.Addr())
		c.send("AUTH", "ida", pass)
		time.Sleep(time.Duration(round%5) * time.Millisecond) // land at different points of the hashing
		admin.mustDo(":1\r\n", "ACL", "DELUSER", "ida")
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		v, err := resp.ReadValue(c.r)
		if err != nil {
			c.conn.Close()
			continue // closed as a client of the deleted user
		}
		if v.Kind == '-' {
			c.conn.Close()
			continue // WRONGPASS: AUTH came after DELUSER
		}
		c.send("ACL", "WHOAMI")
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if w, err := resp.ReadValue(c.r); err == nil {
			t.Fatalf("round %d: AUTH %q, then a client of the deleted user: WHOAMI %q", round, v.Bytes(), w.Bytes())
		}
		c.conn.Close()
	}
}

// The branches' shared state under load, for -race: ACL SETUSER granting
// and revoking a channel while clients of that user subscribe and
// publish, tracking clients redirecting to targets that come and go,
// CLIENT LIST and CLIENT KILL USER reading every client. At the end the
// server still answers, and no client holds the channel it may not.
func TestACLTrackingConcurrent(t *testing.T) {
	s := startServer(t, Config{})
	admin := dial(t, s.Addr())
	admin.mustDo("+OK\r\n", "ACL", "SETUSER", "kim", "on", ">pw", "+@all", "~*", "&feed", "&__redis__:invalidate")
	var wg sync.WaitGroup
	run := func(f func(c *testClient, i int)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				nc, err := net.DialTimeout("tcp", s.Addr().String(), 5*time.Second)
				if err != nil {
					t.Error(err)
					return
				}
				c := &testClient{t: t, conn: nc, r: bufio.NewReader(nc)}
				nc.SetDeadline(time.Now().Add(5 * time.Second))
				f(c, i)
				nc.Close()
			}
		}()
	}
	// Reads that end in an error are a client closed by a revocation or
	// CLIENT KILL: expected, so these goroutines only write and drain.
	drain := func(c *testClient, n int) {
		for range n {
			if _, err := resp.ReadValue(c.r); err != nil {
				return
			}
		}
	}
	send := func(c *testClient, args ...string) { c.conn.Write(encodeCommand(args...)) }
	run(func(c *testClient, i int) { // subscribers of kim
		send(c, "AUTH", "kim", "pw")
		send(c, "SUBSCRIBE", "feed", "__redis__:invalidate")
		drain(c, 3)
	})
	run(func(c *testClient, i int) { // publishers and writers
		send(c, "PUBLISH", "feed", "x")
		send(c, "SET", "k", strconv.Itoa(i))
		send(c, "CLIENT", "LIST")
		drain(c, 3)
	})
	run(func(c *testClient, i int) { // tracking clients redirecting to the newest client
		send(c, "HELLO", "3", "AUTH", "kim", "pw")
		drain(c, 1)
		var target int64
		for _, o := range s.connList() {
			target = max(target, o.id)
		}
		send(c, "CLIENT", "TRACKING", "on", "REDIRECT", strconv.FormatInt(target, 10))
		send(c, "GET", "k")
		send(c, "CLIENT", "TRACKINGINFO")
		drain(c, 3)
	})
	run(func(c *testClient, i int) { // the administrator
		if i%2 == 0 {
			send(c, "ACL", "SETUSER", "kim", "resetchannels", "&__redis__:invalidate")
		} else {
			send(c, "ACL", "SETUSER", "kim", "&feed")
		}
		if i%10 == 9 {
			send(c, "CLIENT", "KILL", "USER", "kim")
		}
		drain(c, 1+boolInt(i%10 == 9))
	})
	wg.Wait()
	admin.mustDo("+OK\r\n", "ACL", "SETUSER", "kim", "resetchannels")
	waitFor(t, "no client of kim on feed", func() bool { return s.Broker().NumSub("feed") == 0 })
	admin.mustDo("+PONG\r\n", "PING")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// An AUTH overtaken by an ACL LOAD that replaces its user with one of the
// same name and password succeeds as the new user (or is closed with the
// old one), never refused: the user it looked up is gone, so it looks
// again.
func TestACLAuthRacingLoad(t *testing.T) {
	pass := strings.Repeat("p", 1<<20)
	file := filepath.Join(t.TempDir(), "users.acl")
	line := "user default on nopass ~* &* +@all\nuser ida on #" + hashPassword(pass) + " ~* &* +@all\n"
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, Config{ACLFile: file})
	admin := dial(t, s.Addr())
	for round := range 30 {
		c := dial(t, s.Addr())
		c.send("AUTH", "ida", pass)
		time.Sleep(time.Duration(round%5) * time.Millisecond)
		admin.mustDo("+OK\r\n", "ACL", "LOAD")
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		v, err := resp.ReadValue(c.r)
		if err == nil && v.Kind == '-' {
			t.Fatalf("round %d: AUTH as a user the file keeps: %q", round, v.Bytes())
		}
		if err == nil {
			// Closed, when the AUTH was done before the LOAD replaced
			// the user (as Redis closes the clients of replaced users).
			c.send("ACL", "WHOAMI")
			if w, err := resp.ReadValue(c.r); err == nil && w.Str != "ida" {
				t.Fatalf("round %d: WHOAMI %q", round, w.Bytes())
			}
			for _, o := range s.connList() {
				if u := o.connUser(); u.deleted.Load() {
					t.Fatalf("round %d: a client of a replaced user %s", round, u.name)
				}
			}
		}
		c.conn.Close()
	}
}

// A subscriber that QUITs, or kills itself with CLIENT KILL, while
// messages keep being published to it gets nothing after the reply, as
// Redis adds nothing to a client closing after its reply.
func TestClosingSubscriberNothingAfterReply(t *testing.T) {
	s := startServer(t, Config{})
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			s.Broker().Publish([]byte("room"), []byte("m"), nil)
		}
	}()
	defer func() { stop.Store(true); wg.Wait() }()
	for round := range 150 {
		c := dial(t, s.Addr())
		c.send("HELLO", "3")
		c.read()
		id := c.clientID()
		c.send("SUBSCRIBE", "room")
		for v := c.read(); v.Kind != '>' || v.Elems[0].Str != "subscribe"; v = c.read() {
		}
		if round%2 == 0 {
			c.send("QUIT")
		} else {
			c.send("CLIENT", "KILL", "ID", strconv.FormatInt(id, 10), "SKIPME", "no")
		}
		for {
			v := c.read()
			if v.Kind == '+' || v.Kind == ':' {
				break
			}
			if v.Kind != '>' || v.Elems[0].Str != "message" {
				t.Fatalf("round %d: before the reply: %q", round, v.Bytes())
			}
		}
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if v, err := resp.ReadValue(c.r); err == nil {
			t.Fatalf("round %d: after the reply: %q", round, v.Bytes())
		}
		c.conn.Close()
	}
}

// A BCAST tracking client that QUITs while keys keep changing gets no
// invalidation after QUIT's reply.
func TestClosingTrackerNothingAfterReply(t *testing.T) {
	s := startServer(t, Config{})
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w := dial(t, s.Addr())
		for i := 0; !stop.Load(); i++ {
			w.send("SET", "k", strconv.Itoa(i))
			w.read()
		}
	}()
	defer func() { stop.Store(true); wg.Wait() }()
	for round := range 150 {
		c := dial(t, s.Addr())
		c.send("HELLO", "3")
		c.read()
		// An invalidation may come before the reply: enableTracking
		// lets broadcasts reach c before its reply is queued.
		c.send("CLIENT", "TRACKING", "on", "BCAST")
		c.send("QUIT")
		for v := c.read(); v.Kind != '+'; v = c.read() {
		}
		for {
			v := c.read()
			if v.Kind == '+' {
				break
			}
			if v.Kind != '>' || v.Elems[0].Str != "invalidate" {
				t.Fatalf("round %d: before the reply: %q", round, v.Bytes())
			}
		}
		c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		if v, err := resp.ReadValue(c.r); err == nil {
			t.Fatalf("round %d: after the reply: %q", round, v.Bytes())
		}
		c.conn.Close()
	}
}

// CLIENT TRACKING ON's reply comes before any invalidation, however busy
// the writers: its reply is queued before the client is registered under
// the tracker's lock, which a broadcast takes to find the clients it
// sends to (holding that lock here shows the order, which a race between
// real writers shows only rarely).
func TestTrackingReplyBeforeInvalidations(t *testing.T) {
	s := New(Config{})
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	c := newConn(s, p1, 1)
	c.proto = resp.RESP3
	c.out.format = uint8(formatRESP3)
	s.tracking.mu.Lock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.execute([][]byte{[]byte("CLIENT"), []byte("TRACKING"), []byte("on"), []byte("BCAST")})
	}()
	queued := func() bool {
		c.out.mu.Lock()
		defer c.out.mu.Unlock()
		return c.out.size > 0
	}
	deadline := time.Now().Add(5 * time.Second)
	for !queued() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	ok := queued()
	s.tracking.mu.Unlock()
	<-done
	if !ok {
		t.Fatal("CLIENT TRACKING registered the client before queueing its reply: a broadcast could precede it")
	}
}
