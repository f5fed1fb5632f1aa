package redistest

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestCluster starts a 3-primary cluster and exercises what fault tests
// use: killing pub/sub connections, migrating a slot (which sends shard
// subscribers an unsolicited sunsubscribe), and stopping and restarting a
// node; the nodes are gone after the test.
func TestCluster(t *testing.T) {
	var addrs []string
	t.Run("run", func(t *testing.T) {
		c := StartCluster(t, 3)
		addrs = c.Addrs()
		if len(addrs) != 3 {
			t.Fatalf("Addrs = %q", addrs)
		}
		// "foo" hashes to slot 12182, the third node's.
		owner, err := c.SlotOwner(12182)
		if err != nil || owner != addrs[2] {
			t.Fatalf("SlotOwner(12182) = %q, %v; want %s", owner, err, addrs[2])
		}
		if _, err := c.Do(addrs[0], "SPUBLISH", "foo", "x"); err == nil || !strings.HasPrefix(err.Error(), "MOVED 12182 ") {
			t.Fatalf("SPUBLISH foo on the first node: %v, want MOVED", err)
		}

		sub := dialSub(t, addrs[2], "SSUBSCRIBE", "foo")
		expectPush(t, sub, "ssubscribe", "foo")
		if err := c.MigrateSlot(12182, addrs[0]); err != nil {
			t.Fatal(err)
		}
		if owner, _ := c.SlotOwner(12182); owner != addrs[0] {
			t.Fatalf("after MigrateSlot the owner is %s, want %s", owner, addrs[0])
		}
		expectPush(t, sub, "sunsubscribe", "foo")

		dialSub(t, addrs[1], "SUBSCRIBE", "bar")
		if n, err := c.KillPubSub(addrs[1]); err != nil || n != 1 {
			t.Fatalf("KillPubSub = %d, %v; want 1", n, err)
		}

		c.Stop(1)
		if _, err := Do(addrs[1], "PING"); err == nil {
			t.Fatal("a stopped node answers PING")
		}
		if err := c.Restart(1); err != nil {
			t.Fatal(err)
		}
		if r, err := Do(addrs[1], "PING"); err != nil || r != "PONG" {
			t.Fatalf("PING after Restart: %v, %v", r, err)
		}
	})
	for _, a := range addrs {
		if nc, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			nc.Close()
			t.Fatalf("cluster node %s still accepts connections after its test ended", a)
		}
	}
}

// subConn is a raw connection in pub/sub mode.
type subConn struct {
	nc net.Conn
	r  *bufio.Reader
}

func dialSub(t *testing.T, addr string, args ...string) *subConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	if _, err := nc.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	return &subConn{nc, bufio.NewReader(nc)}
}

func expectPush(t *testing.T, s *subConn, kind, channel string) {
	t.Helper()
	r, err := readReply(s.r)
	if err != nil {
		t.Fatalf("read %s: %v", kind, err)
	}
	a, _ := r.([]any)
	if len(a) != 3 || a[0] != kind || a[1] != channel {
		t.Fatalf("got %v, want [%s %s n]", r, kind, channel)
	}
}

// TestClusterFailover starts a cluster with a replica per primary and
// promotes the replica of the first primary.
func TestClusterFailover(t *testing.T) {
	c := StartClusterWithReplicas(t, 3, 1)
	primaries, err := c.Primaries()
	if err != nil || len(primaries) != 3 || len(c.Addrs()) != 6 {
		t.Fatalf("Primaries = %q, %v; Addrs = %q", primaries, err, c.Addrs())
	}
	old, _ := c.SlotOwner(0)
	promoted, err := c.Failover(old)
	if err != nil {
		t.Fatal(err)
	}
	if now, _ := c.SlotOwner(0); now != promoted || promoted == old {
		t.Fatalf("after Failover(%s) slot 0 is served by %s, want the promoted %s", old, now, promoted)
	}
}
