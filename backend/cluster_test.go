package backend

import (
	"context"
	"time"

	"fmt"
	"github.com/heraldhq/herald/broker"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
)

// clusterURL is the backend URL of c, naming all its nodes.
func clusterURL(c *redistest.Cluster) string {
	return "redis-cluster://" + strings.Join(c.Addrs(), ",")
}

// spreadChannels returns n channel names and checks that every primary of
// c serves at least one of them.
func spreadChannels(t *testing.T, c *redistest.Cluster, n int) []string {
	t.Helper()
	var names []string
	owners := map[string]bool{}
	for i := range n {
		name := fmt.Sprintf("ch-%d", i)
		names = append(names, name)
		owner, err := c.SlotOwner(slotOf(name))
		if err != nil {
			t.Fatal(err)
		}
		owners[owner] = true
	}
	if len(owners) != len(c.Addrs()) {
		t.Fatalf("%d channels reach only %d of %d primaries", n, len(owners), len(c.Addrs()))
	}
	return names
}

// TestCluster runs two Herald nodes on a real 3-primary Redis Cluster.
// The subtests share the cluster and run in order.
func TestCluster(t *testing.T) {
	c := redistest.StartCluster(t, 3)
	url := clusterURL(c)
	a, b := openNode(t, url), openNode(t, url)
	channels := spreadChannels(t, c, 24)

	t.Run("channels", func(t *testing.T) {
		inA, inB := a.inbox(t), b.inbox(t)
		a.subscribe(inA, channels...)
		b.subscribe(inB, channels...)
		for _, ch := range channels {
			if n := a.publish(ch, "from-a"); n != 2 {
				t.Fatalf("Publish %s counted %d, want 2 (one per node)", ch, n)
			}
			b.publish(ch, "from-b")
		}
		var want []string
		for _, ch := range channels {
			want = append(want, "message "+ch+" from-a", "message "+ch+" from-b")
		}
		expectSet(t, inA, want) // in publish order per channel; channels on different nodes interleave
		expectSet(t, inB, want)
		counts, err := a.bk.NumSub(ctxT(t), channels[0], channels[1], "nobody")
		if err != nil || !slices.Equal(counts, []int{2, 2, 0}) {
			t.Fatalf("NumSub = %v, %v", counts, err)
		}
		listed, err := b.bk.Channels(ctxT(t), "ch-*")
		want = slices.Clone(channels)
		slices.Sort(want)
		if err != nil || !slices.Equal(listed, want) {
			t.Fatalf("Channels = %q, %v; want %q", listed, err, want)
		}
		// Each message touched its slot's shard only: no node other than
		// the owner saw a classic PUBLISH, since nobody holds patterns.
		if b.bk.Stats().PatternsActive {
			t.Fatal("PatternsActive without patterns")
		}
		for _, ch := range channels {
			a.bk.Unsubscribe(ctxT(t), inA, ch)
			b.bk.Unsubscribe(ctxT(t), inB, ch)
		}
		expectClean(t, c)
	})

	t.Run("patterns", func(t *testing.T) {
		inB, marker := b.inbox(t), b.inbox(t)
		b.subscribe(marker, "b-marker")
		b.psubscribe(inB, "ch-1*") // served by the pattern node alone
		b.psubscribe(inB, "*-2")   // may match keyspace channels: on every primary
		eventually(t, "A learns that patterns are held", func() (bool, string) {
			return a.bk.Stats().PatternsActive, ""
		})
		if n, err := a.bk.NumPat(ctxT(t)); err != nil || n != 2 {
			t.Fatalf("NumPat = %d, %v; want 2", n, err)
		}
		var want []string
		for _, ch := range channels {
			a.publish(ch, "p")
			if strings.HasPrefix(ch, "ch-1") {
				want = append(want, "pmessage ch-1* "+ch+" p")
			}
			if strings.HasSuffix(ch, "-2") {
				want = append(want, "pmessage *-2 "+ch+" p") // once, though three primaries heard it
			}
		}
		expectSet(t, inB, want)
		expectQuiet(t, b, marker, "b-marker")
		b.bk.PUnsubscribe(ctxT(t), inB, "ch-1*")
		b.bk.PUnsubscribe(ctxT(t), inB, "*-2")
		b.bk.Unsubscribe(ctxT(t), marker, "b-marker")
		expectClean(t, c)
		eventually(t, "A learns that no patterns are held", func() (bool, string) {
			return !a.bk.Stats().PatternsActive, ""
		})
	})

	t.Run("shard channels", func(t *testing.T) {
		inA := a.inbox(t)
		a.ssubscribe(inA, channels...)
		for _, ch := range channels {
			if n, err := b.bk.SPublish(ctxT(t), ch, []byte("s")); err != nil || n != 1 {
				t.Fatalf("SPublish %s = %d, %v; want 1", ch, n, err)
			}
			expectNext(t, inA, "smessage "+ch+" s")
		}
		listed, err := b.bk.ShardChannels(ctxT(t), "")
		want := slices.Clone(channels)
		slices.Sort(want)
		if err != nil || !slices.Equal(listed, want) {
			t.Fatalf("ShardChannels = %q, %v", listed, err)
		}
		if n, err := b.bk.ShardNumSub(ctxT(t), channels[3], "x"); err != nil || !slices.Equal(n, []int{1, 0}) {
			t.Fatalf("ShardNumSub = %v, %v", n, err)
		}
		// A classic publish on the same name does not reach shard
		// subscribers.
		if n := b.publish(channels[0], "classic"); n != 0 {
			t.Fatalf("Publish counted %d shard subscribers", n)
		}
		b.bk.SPublish(ctxT(t), channels[0], []byte("after"))
		expectNext(t, inA, "smessage "+channels[0]+" after")
		for _, ch := range channels {
			a.bk.SUnsubscribe(ctxT(t), inA, ch)
		}
		expectClean(t, c)
	})

	t.Run("keyspace notifications", func(t *testing.T) {
		for _, addr := range c.Addrs() {
			if _, err := c.Do(addr, "CONFIG", "SET", "notify-keyspace-events", "KA"+"E"); err != nil {
				t.Fatal(err)
			}
		}
		in := b.inbox(t)
		b.subscribe(in, "__keyevent@0__:set")
		b.psubscribe(in, "__keyspace@0__:ch-*")
		for _, key := range channels {
			owner, _ := c.SlotOwner(slotOf(key))
			if _, err := c.Do(owner, "SET", key, "v"); err != nil {
				t.Fatal(err)
			}
			// Redis raises keyspace before keyevent.
			expectNext(t, in, "pmessage __keyspace@0__:ch-* __keyspace@0__:"+key+" set")
			expectNext(t, in, "message __keyevent@0__:set "+key)
		}
		b.bk.Unsubscribe(ctxT(t), in, "__keyevent@0__:set")
		b.bk.PUnsubscribe(ctxT(t), in, "__keyspace@0__:ch-*")
		expectClean(t, c)
		for _, key := range channels { // a slot with keys cannot be migrated empty
			owner, _ := c.SlotOwner(slotOf(key))
			c.Do(owner, "DEL", key)
		}
	})

	t.Run("faults", func(t *testing.T) {
		in, sys := b.inbox(t), b.inbox(t)
		b.subscribe(sys, SystemChannel)
		b.subscribe(in, channels...)
		gaps := b.bk.Stats().Gaps

		// Every pub/sub connection to one node is killed.
		victim := c.Addrs()[1]
		if n, err := c.KillPubSub(victim); err != nil || n == 0 {
			t.Fatalf("KillPubSub = %d, %v", n, err)
		}
		expectEvent(t, sys, "gap", victim)
		expectEvent(t, sys, "resumed", victim)
		checkDelivery(t, a, in, channels, "after-kill")

		// A slot moves: Redis drops its shard subscribers, who must
		// follow it to the new owner.
		slot := slotOf(channels[0])
		from, _ := c.SlotOwner(slot)
		to := c.Addrs()[0]
		if from == to {
			to = c.Addrs()[2]
		}
		if err := c.MigrateSlot(slot, to); err != nil {
			t.Fatal(err)
		}
		if ev := expectEvent(t, sys, "gap", from); !strings.Contains(ev.Reason, "slot moved") || ev.Channels != 1 {
			t.Fatalf("gap event for the migration: %+v", ev)
		}
		checkDelivery(t, a, in, channels, "after-migration")

		// A node stops and comes back.
		c.Stop(2)
		expectEvent(t, sys, "gap", c.Addrs()[2])
		if err := c.Restart(2); err != nil {
			t.Fatal(err)
		}
		expectEvent(t, sys, "resumed", c.Addrs()[2])
		checkDelivery(t, a, in, channels, "after-restart")

		if st := b.bk.Stats(); st.Gaps < gaps+3 || st.Connected != 3 {
			t.Fatalf("Stats = %+v, want at least %d gaps and 3 nodes connected", st, gaps+3)
		}
	})
}

// checkDelivery publishes on every channel from a until in has received
// each: a publish made before a resubscription completed is lost, as
// at-most-once allows, so one that arrives shows the subscription is back.
func checkDelivery(t *testing.T, a *node, in *broker.Inbox, channels []string, payload string) {
	t.Helper()
	for _, ch := range channels {
		eventually(t, "delivery on "+ch, func() (bool, string) {
			a.publish(ch, payload)
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			for {
				d, err := in.Next(ctx)
				if err != nil {
					return false, err.Error()
				}
				if d.Channel == ch && string(d.Payload) == payload {
					return true, ""
				}
			}
		})
	}
	// Drain duplicates of the retries.
}

// expectClean waits until no node of c holds a subscription but Herald's
// own pattern notice channel.
func expectClean(t *testing.T, c *redistest.Cluster) {
	t.Helper()
	for _, addr := range c.Addrs() {
		eventually(t, "no subscriptions left on "+addr, func() (bool, string) {
			ch, err1 := c.Do(addr, "PUBSUB", "CHANNELS")
			sh, err2 := c.Do(addr, "PUBSUB", "SHARDCHANNELS")
			np, err3 := c.Do(addr, "PUBSUB", "NUMPAT")
			got := fmt.Sprint(ch, sh, np)
			left := fmt.Sprint(sh)
			return err1 == nil && err2 == nil && err3 == nil && fmt.Sprint(ch) == "[]" && fmt.Sprint(np) == "0" &&
				(left == "[]" || left == "["+patternsChannel+"]"), got
		})
	}
}

// TestClusterFailover promotes a replica while a node holds subscriptions
// on its primary: the node follows the slots to the new primary, without
// its subscriber subscribing again, and reports the gap.
func TestClusterFailover(t *testing.T) {
	c := redistest.StartClusterWithReplicas(t, 3, 1)
	a, b := openNode(t, clusterURL(c)), openNode(t, clusterURL(c))
	var channels []string
	for i := range 12 {
		channels = append(channels, fmt.Sprintf("fo-%d", i))
	}
	in, sys := b.inbox(t), b.inbox(t)
	b.subscribe(sys, SystemChannel)
	b.subscribe(in, channels...)
	checkDelivery(t, a, in, channels, "before")

	old, err := c.SlotOwner(slotOf(channels[0]))
	if err != nil {
		t.Fatal(err)
	}
	promoted, err := c.Failover(old)
	if err != nil {
		t.Fatal(err)
	}
	ev := expectEvent(t, sys, "gap", old)
	t.Logf("gap event: %+v; %s promoted in place of %s", ev, promoted, old)
	checkDelivery(t, a, in, channels, "after-failover")
	eventually(t, "B subscribed at the promoted primary", func() (bool, string) {
		r, err := c.Do(promoted, "PUBSUB", "SHARDNUMSUB", channels[0])
		return fmt.Sprint(r) == fmt.Sprintf("[%s 1]", channels[0]) && err == nil, fmt.Sprint(r, err)
	})
	if st := b.bk.Stats(); st.Gaps == 0 || st.Nodes != 3 {
		t.Fatalf("Stats = %+v", st)
	}
}
