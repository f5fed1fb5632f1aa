package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// CLIBinary is the program StartCluster forms the cluster with.
const CLIBinary = "redis-cli"

// clusterTimeout bounds forming the cluster and each wait for it to agree.
const clusterTimeout = 30 * time.Second

// Cluster is a running Redis Cluster of primaries without replicas, stopped
// when the test that started it ends.
type Cluster struct {
	t     testing.TB
	bin   string
	nodes []*clusterNode
}

// clusterNode is one redis-server of a Cluster.
type clusterNode struct {
	addr, dir string
	args      []string

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{}
	stopped bool
}

// StartCluster starts primaries cluster-enabled redis-servers on free
// loopback ports, without persistence, forms them into one cluster with
// redis-cli --cluster create (no replicas), waits until every node reports
// cluster_state:ok and agrees on the slots, and stops them when the test
// ends. Like Start, it skips the test without redis-server or redis-cli
// unless HERALD_REQUIRE_REDIS=1, where it fails.
func StartCluster(t testing.TB, primaries int) *Cluster {
	t.Helper()
	return StartClusterWithReplicas(t, primaries, 0)
}

// StartClusterWithReplicas is StartCluster with replicas replicas per
// primary; Addrs lists the primaries first (redis-cli makes the first
// primaries of the list the primaries).
func StartClusterWithReplicas(t testing.TB, primaries, replicas int) *Cluster {
	t.Helper()
	if primaries < 1 || replicas < 0 {
		t.Fatalf("StartCluster: %d primaries, %d replicas", primaries, replicas)
	}
	bin := Find(t)
	cli, err := exec.LookPath(CLIBinary)
	if err != nil {
		switch verdict, msg := Decide(err, os.Getenv(RequireEnv)); verdict {
		case Fail:
			t.Fatal(strings.ReplaceAll(msg, Binary, CLIBinary))
		case Skip:
			t.Skip(strings.ReplaceAll(msg, Binary, CLIBinary))
		}
	}
	c := &Cluster{t: t, bin: bin}
	t.Cleanup(c.stopAll)
	for range primaries * (1 + replicas) {
		n, err := c.startNode()
		if err != nil {
			t.Fatalf("start cluster node: %v", err)
		}
		c.nodes = append(c.nodes, n)
	}
	args := append([]string{"--cluster", "create"}, c.Addrs()...)
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	cmd := exec.Command(cli, args...)
	done := make(chan struct{})
	var out []byte
	go func() {
		out, err = cmd.CombinedOutput()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(clusterTimeout):
		cmd.Process.Kill()
		<-done
		err = fmt.Errorf("timed out after %v", clusterTimeout)
	}
	if err != nil {
		t.Fatalf("redis-cli --cluster create: %v\n%s", err, out)
	}
	if err := c.WaitAgreed(); err != nil {
		t.Fatal(err)
	}
	return c
}

// startNode starts one cluster-enabled redis-server, retrying when the
// free port is taken before it binds.
func (c *Cluster) startNode() (*clusterNode, error) {
	var lastErr error
	for range 3 {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		dir := c.t.TempDir()
		n := &clusterNode{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), dir: dir}
		n.args = []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(dir, "nodes.conf"),
			"--cluster-node-timeout", "5000",
			"--save", "", "--appendonly", "no", "--daemonize", "no",
			"--dir", dir, "--logfile", filepath.Join(dir, "redis.log")}
		if lastErr = c.run(n); lastErr == nil {
			return n, nil
		}
		if !errors.Is(lastErr, errPortTaken) {
			break
		}
	}
	return nil, lastErr
}

// run starts n's process and waits for it to answer PING.
func (c *Cluster) run(n *clusterNode) error {
	cmd := exec.Command(c.bin, n.args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	if err := waitReady(n.addr, exited); err != nil {
		cmd.Process.Kill()
		<-exited
		log, _ := os.ReadFile(filepath.Join(n.dir, "redis.log"))
		if strings.Contains(string(log), "Address already in use") {
			return errPortTaken
		}
		return fmt.Errorf("%w\nargs: %q\nlog:\n%s", err, n.args, log)
	}
	n.mu.Lock()
	n.cmd, n.exited, n.stopped = cmd, exited, false
	n.mu.Unlock()
	return nil
}

func (n *clusterNode) stop() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil || n.stopped {
		return
	}
	n.cmd.Process.Kill()
	<-n.exited
	n.stopped = true
}

func (c *Cluster) stopAll() {
	for _, n := range c.nodes {
		n.stop()
	}
}

// Primaries returns the addresses of the running nodes that are primaries
// now, sorted.
func (c *Cluster) Primaries() ([]string, error) {
	var out []string
	for _, n := range c.nodes {
		if n.isStopped() {
			continue
		}
		role, err := Do(n.addr, "ROLE")
		if err != nil {
			return nil, err
		}
		if a, _ := role.([]any); len(a) > 0 && a[0] == "master" {
			out = append(out, n.addr)
		}
	}
	sort.Strings(out)
	return out, nil
}

// Addrs returns the nodes' host:port addresses, in the order they were
// started (redis-cli gives them the slots in that order: the first holds
// slot 0; with replicas, the first primaries are the primaries).
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		out[i] = n.addr
	}
	return out
}

// Do sends one command to the node at addr and returns its reply: a string,
// an int64, nil, a []any, or an error for an error reply (which Do also
// returns as its error).
func (c *Cluster) Do(addr string, args ...string) (any, error) {
	return Do(addr, args...)
}

// KillPubSub closes every client connection in pub/sub mode on the node at
// addr (CLIENT KILL TYPE pubsub) and returns how many there were.
func (c *Cluster) KillPubSub(addr string) (int, error) {
	return KillPubSub(addr)
}

// KillPubSub closes every client connection in pub/sub mode on the
// redis-server at addr (CLIENT KILL TYPE pubsub) and returns how many there
// were.
func KillPubSub(addr string) (int, error) {
	r, err := Do(addr, "CLIENT", "KILL", "TYPE", "pubsub")
	if err != nil {
		return 0, err
	}
	n, _ := r.(int64)
	return int(n), nil
}

// Stop kills the node at index i (in Addrs order) at once, as a crash.
func (c *Cluster) Stop(i int) {
	c.nodes[i].stop()
}

// Restart starts the node at index i again on its old port and with its
// old cluster configuration, so it rejoins as the node it was, and waits
// until the cluster agrees again.
func (c *Cluster) Restart(i int) error {
	n := c.nodes[i]
	n.stop()
	if err := c.run(n); err != nil {
		return err
	}
	return c.WaitAgreed()
}

// Failover promotes a replica of the primary at addr with CLUSTER
// FAILOVER (a coordinated, manual failover: the old primary becomes its
// replica), waits until the cluster agrees, and returns the new primary's
// address.
func (c *Cluster) Failover(addr string) (string, error) {
	id, err := c.NodeID(addr)
	if err != nil {
		return "", err
	}
	deadline := time.Now().Add(clusterTimeout)
	var replica string
	for replica == "" {
		// The replica is known once the gossip carried it, and can take
		// over once its replication link is up.
		r, err := Do(addr, "CLUSTER", "REPLICAS", id)
		if err != nil {
			return "", err
		}
		if lines, _ := r.([]any); len(lines) > 0 {
			if fields := strings.Fields(fmt.Sprint(lines[0])); len(fields) > 1 {
				candidate, _, _ := strings.Cut(fields[1], "@")
				role, _ := Do(candidate, "ROLE")
				if a, _ := role.([]any); len(a) > 3 && a[0] == "slave" && a[3] == "connected" {
					replica = candidate
					break
				}
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("%s has no connected replica after %v", addr, clusterTimeout)
		}
		time.Sleep(20 * time.Millisecond) // polling servers we cannot wait on otherwise
	}
	if _, err := Do(replica, "CLUSTER", "FAILOVER"); err != nil {
		return "", err
	}
	for {
		role, err := Do(replica, "ROLE")
		if a, _ := role.([]any); err == nil && len(a) > 0 && a[0] == "master" {
			if err := c.WaitAgreed(); err != nil {
				return "", err
			}
			return replica, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("%s not promoted after %v", replica, clusterTimeout)
		}
		time.Sleep(20 * time.Millisecond) // polling a server we cannot wait on otherwise
	}
}

// NodeID returns the cluster node ID of the node at addr.
func (c *Cluster) NodeID(addr string) (string, error) {
	r, err := Do(addr, "CLUSTER", "MYID")
	if err != nil {
		return "", err
	}
	s, _ := r.(string)
	return s, nil
}

// MigrateSlot moves slot, which must hold no keys, from the node that owns
// it to the node at to, the way redis-cli --cluster reshard does for an
// empty slot, and waits until every node agrees. Shard channel subscribers
// of the slot on its old owner receive an unsolicited sunsubscribe.
func (c *Cluster) MigrateSlot(slot int, to string) error {
	from, err := c.SlotOwner(slot)
	if err != nil {
		return err
	}
	if from == to {
		return nil
	}
	fromID, err := c.NodeID(from)
	if err != nil {
		return err
	}
	toID, err := c.NodeID(to)
	if err != nil {
		return err
	}
	s := strconv.Itoa(slot)
	steps := []struct {
		addr string
		args []string
	}{
		{to, []string{"CLUSTER", "SETSLOT", s, "IMPORTING", fromID}},
		{from, []string{"CLUSTER", "SETSLOT", s, "MIGRATING", toID}},
		{to, []string{"CLUSTER", "SETSLOT", s, "NODE", toID}},
		{from, []string{"CLUSTER", "SETSLOT", s, "NODE", toID}},
	}
	for _, st := range steps {
		if _, err := Do(st.addr, st.args...); err != nil {
			return fmt.Errorf("%s on %s: %w", strings.Join(st.args, " "), st.addr, err)
		}
	}
	for _, n := range c.nodes {
		if n.addr != from && n.addr != to && !n.isStopped() {
			if _, err := Do(n.addr, "CLUSTER", "SETSLOT", s, "NODE", toID); err != nil {
				return fmt.Errorf("CLUSTER SETSLOT on %s: %w", n.addr, err)
			}
		}
	}
	return c.WaitAgreed()
}

func (n *clusterNode) isStopped() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stopped
}

// SlotOwner returns the address of the primary that owns slot, as the
// first running node sees it.
func (c *Cluster) SlotOwner(slot int) (string, error) {
	for _, n := range c.nodes {
		if n.isStopped() {
			continue
		}
		owners, err := slotOwners(n.addr)
		if err != nil {
			return "", err
		}
		for _, o := range owners {
			if o.start <= slot && slot <= o.end {
				return o.addr, nil
			}
		}
		return "", fmt.Errorf("slot %d has no owner", slot)
	}
	return "", errors.New("no node is running")
}

type slotRange struct {
	start, end int
	addr       string
}

// slotOwners returns the slot ranges CLUSTER SLOTS reports at addr.
func slotOwners(addr string) ([]slotRange, error) {
	r, err := Do(addr, "CLUSTER", "SLOTS")
	if err != nil {
		return nil, err
	}
	var out []slotRange
	entries, _ := r.([]any)
	for _, e := range entries {
		fields, _ := e.([]any)
		if len(fields) < 3 {
			continue
		}
		start, _ := fields[0].(int64)
		end, _ := fields[1].(int64)
		primary, _ := fields[2].([]any)
		if len(primary) < 2 {
			continue
		}
		host, _ := primary[0].(string)
		port, _ := primary[1].(int64)
		out = append(out, slotRange{int(start), int(end), net.JoinHostPort(host, strconv.FormatInt(port, 10))})
	}
	return out, nil
}

// WaitAgreed waits until every running node reports cluster_state:ok and
// the same slot owners, for at most clusterTimeout.
func (c *Cluster) WaitAgreed() error {
	deadline := time.Now().Add(clusterTimeout)
	for {
		err := c.agreed()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster not agreed after %v: %w", clusterTimeout, err)
		}
		time.Sleep(20 * time.Millisecond) // polling servers we cannot wait on otherwise
	}
}

func (c *Cluster) agreed() error {
	var first string
	for _, n := range c.nodes {
		if n.isStopped() {
			continue
		}
		info, err := Do(n.addr, "CLUSTER", "INFO")
		if err != nil {
			return err
		}
		if s, _ := info.(string); !strings.Contains(s, "cluster_state:ok") {
			return fmt.Errorf("%s: cluster_state not ok", n.addr)
		}
		owners, err := slotOwners(n.addr)
		if err != nil {
			return err
		}
		var b strings.Builder
		covered := 0
		for _, o := range sortRanges(owners) {
			fmt.Fprintf(&b, "%d-%d@%s ", o.start, o.end, o.addr)
			covered += o.end - o.start + 1
		}
		if covered != 16384 {
			return fmt.Errorf("%s: %d slots covered", n.addr, covered)
		}
		if first == "" {
			first = b.String()
		} else if b.String() != first {
			return fmt.Errorf("%s sees slots %s, another node %s", n.addr, b.String(), first)
		}
	}
	return nil
}

func sortRanges(rs []slotRange) []slotRange {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].start < rs[j-1].start; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
	return rs
}

// doTimeout bounds one Do.
const doTimeout = 5 * time.Second

// Do sends one command to the redis-server at addr on a new connection and
// returns its reply (RESP2): a string, an int64, nil, a []any, or an error
// for an error reply, which is also returned as the error.
func Do(addr string, args ...string) (any, error) {
	nc, err := net.DialTimeout("tcp", addr, doTimeout)
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(doTimeout))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := io.WriteString(nc, b.String()); err != nil {
		return nil, err
	}
	reply, err := readReply(bufio.NewReader(nc))
	if err != nil {
		return nil, err
	}
	if e, ok := reply.(error); ok {
		return nil, e
	}
	return reply, nil
}

// readReply reads one RESP2 reply.
func readReply(r *bufio.Reader) (any, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return nil, err
	}
	if len(line) < 3 {
		return nil, fmt.Errorf("short reply line %q", line)
	}
	body := line[1 : len(line)-2]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return errors.New(body), nil
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		out := make([]any, n)
		for i := range out {
			if out[i], err = readReply(r); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown reply %q", line)
}
