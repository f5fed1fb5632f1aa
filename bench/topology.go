package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// A topology is the processes of one scaleout setup.
type topology struct {
	subNode, pubNode *server   // the Herald nodes of the subscribers and of the publisher
	backend          []*server // the redis-servers behind the nodes, if any
	// expect is what every PUBLISH should answer: the number of receivers
	// the node (or, through a backend, Redis) counts.
	expect int64
	owned  []*server // started for this setup; stop stops them
}

// topologySeq numbers the log files of the processes topologies start,
// apart from the runner's own.
var topologySeq atomic.Int64

func init() { topologySeq.Store(900) }

// embeddedTopology is one node: the runner's fresh Herald.
func embeddedTopology(cfg *config, embedded *server) (*topology, error) {
	return &topology{subNode: embedded, pubNode: embedded, expect: int64(cfg.scaleSubs)}, nil
}

// redisTopology starts a redis-server and two Herald nodes on it.
func redisTopology(cfg *config, embedded *server) (*topology, error) {
	t := &topology{expect: 1} // Redis counts node A once
	redis, err := t.start(cfg, serverSpec{kind: kindRedis, bin: cfg.redisBin})
	if err != nil {
		return nil, t.fail(err)
	}
	t.backend = []*server{redis}
	return t, t.startNodes(cfg, embedded.spec, "redis://"+redis.addr)
}

// clusterTopology starts a Redis Cluster of three primaries and two
// Herald nodes on it.
func clusterTopology(cfg *config, embedded *server) (*topology, error) {
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, fmt.Errorf("the cluster setup needs redis-cli: %w", err)
	}
	t := &topology{expect: 1} // SPUBLISH counts node A once
	for i := range 3 {
		seq := topologySeq.Load() + 1
		spec := serverSpec{kind: kindRedis, bin: cfg.redisBin, args: []string{
			"--cluster-enabled", "yes", "--cluster-node-timeout", "5000",
			"--cluster-config-file", filepath.Join(cfg.tmpDir, fmt.Sprintf("nodes-%03d-%d.conf", seq, i)),
		}}
		node, err := t.start(cfg, spec)
		if err != nil {
			return nil, t.fail(err)
		}
		t.backend = append(t.backend, node)
	}
	var addrs []string
	for _, node := range t.backend {
		addrs = append(addrs, node.addr)
	}
	if err := formCluster(cli, addrs); err != nil {
		return nil, t.fail(err)
	}
	if err := t.awaitCluster(); err != nil {
		return nil, t.fail(err)
	}
	return t, t.startNodes(cfg, embedded.spec, "redis-cluster://"+strings.Join(addrs, ","))
}

// formCluster joins the redis-servers at addrs into a cluster of
// primaries, as internal/redistest does.
func formCluster(cli string, addrs []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	return nil
}

// awaitCluster polls CLUSTER INFO until every node of t's backend reports
// the cluster ok, knowing every node and every slot.
func (t *topology) awaitCluster() error {
	want := [][]byte{
		[]byte("cluster_state:ok"),
		[]byte("cluster_slots_ok:16384"),
		fmt.Appendf(nil, "cluster_known_nodes:%d", len(t.backend)),
	}
	deadline := time.Now().Add(setupTimeout)
	for _, node := range t.backend {
		for {
			info, err := node.do(time.Second, "CLUSTER", "INFO")
			if err == nil && !slices.ContainsFunc(want, func(w []byte) bool { return !bytes.Contains(info.last, w) }) {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("cluster node %s not ready after %v: %v %q", node.addr, setupTimeout, err, info.last)
			}
			time.Sleep(20 * time.Millisecond) // polling servers we cannot wait on otherwise
		}
	}
	return nil
}

// startNodes starts Herald nodes A (subscribers) and B (publisher) with
// --backend url.
func (t *topology) startNodes(cfg *config, herald serverSpec, url string) error {
	spec := herald
	spec.args = append(slices.Clone(herald.args), "--backend", url)
	var err error
	if t.subNode, err = t.start(cfg, spec); err != nil {
		return t.fail(err)
	}
	if t.pubNode, err = t.start(cfg, spec); err != nil {
		return t.fail(err)
	}
	return nil
}

// start starts one process of the topology, pinned like every server.
func (t *topology) start(cfg *config, spec serverSpec) (*server, error) {
	s, err := startServer(cfg, spec, int(topologySeq.Add(1)), false)
	if err != nil {
		return nil, err
	}
	t.owned = append(t.owned, s)
	return s, nil
}

// fail stops what t started and returns err.
func (t *topology) fail(err error) error {
	t.stop()
	return err
}

// stop stops the processes t started, Herald nodes first.
func (t *topology) stop() {
	for i := len(t.owned) - 1; i >= 0; i-- {
		t.owned[i].stop()
	}
	t.owned = nil
}

// processes returns every process of t: node A, node B (if it is
// another), then the backend.
func (t *topology) processes() []*server {
	ps := []*server{t.subNode}
	if t.pubNode != t.subNode {
		ps = append(ps, t.pubNode)
	}
	return append(ps, t.backend...)
}

// pids returns the process ids of processes.
func (t *topology) pids() []int {
	var pids []int
	for _, p := range t.processes() {
		pids = append(pids, p.pid)
	}
	return pids
}

// cpuShares describes how the server-side CPU of u split over processes.
func (t *topology) cpuShares(u cpuUsage) string {
	if len(u.servers) == 0 {
		return fmt.Sprintf("node %.0f%%", 100*u.server)
	}
	names := []string{"node A", "node B"}
	for i := range t.backend {
		names = append(names, fmt.Sprintf("redis %d", i+1))
	}
	if len(t.backend) == 1 {
		names[2] = "redis"
	}
	parts := []string{fmt.Sprintf("servers %.0f%%", 100*u.server)}
	for i, share := range u.servers {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", names[i], 100*share))
	}
	return strings.Join(parts, ", ")
}

// checkAlive reports any process of t that exited during the case.
func (t *topology) checkAlive() error {
	var errs []error
	for _, p := range t.processes() {
		errs = append(errs, p.checkAlive())
	}
	return errors.Join(errs...)
}

// awaitRoute publishes a probe on the publisher's node until its PUBLISH
// answers t.expect receivers, so that the subscriptions have reached the
// backend before anything is measured. The probe carries stamp 0, which
// no latency window holds.
func (t *topology) awaitRoute(cfg *config) error {
	probe := makePayload(cfg.latPayload)
	writeStamp(probe, 0)
	deadline := time.Now().Add(setupTimeout)
	for {
		f, err := t.pubNode.do(time.Second, "PUBLISH", scaleoutChannel, string(probe))
		if err == nil && f.kind == ':' && f.num == t.expect {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PUBLISH on the publisher's node did not answer %d within %v: %q %d %q, %v",
				t.expect, setupTimeout, f.kind, f.num, f.last, err)
		}
		time.Sleep(10 * time.Millisecond) // polling: the nodes offer nothing to wait on
	}
}
