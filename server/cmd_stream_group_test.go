package server

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestStreamGroupAtLeastOnce runs a consumer group the way an application
// does, through go-redis: consumer "a" reads entries with XREADGROUP and
// dies before acknowledging some of them; consumer "b" reads the rest, then
// takes a's pending entries over with XAUTOCLAIM (page by page, following
// the cursor) and acknowledges them. Every entry added is acknowledged
// exactly once or reported deleted, and nothing stays pending.
func TestStreamGroupAtLeastOnce(t *testing.T) {
	for _, proto := range []int{2, 3} {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			t.Parallel()
			s := startServer(t, Config{})
			ctx := context.Background()
			producer := newGoRedis(t, s.Addr(), proto)
			const key, group, total = "jobs", "workers", 300
			if err := producer.XGroupCreateMkStream(ctx, key, group, "$").Err(); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{} // id -> payload
			for i := range total {
				payload := strconv.Itoa(i)
				id, err := producer.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []string{"n", payload}}).Result()
				if err != nil {
					t.Fatal(err)
				}
				want[id] = payload
			}
			done := map[string]int{} // id -> times acknowledged (or reported deleted)
			process := func(c *redis.Client, msgs []redis.XMessage) {
				t.Helper()
				for _, m := range msgs {
					if m.Values["n"] != want[m.ID] {
						t.Fatalf("entry %s: got %v, want n=%s", m.ID, m.Values, want[m.ID])
					}
					n, err := c.XAck(ctx, key, group, m.ID).Result()
					if err != nil || n != 1 {
						t.Fatalf("XACK %s = %d, %v; want 1", m.ID, n, err)
					}
					done[m.ID]++
				}
			}

			// Consumer a takes 120 entries and acknowledges the first 40 only.
			a := newGoRedis(t, s.Addr(), proto)
			streams, err := a.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: "a", Streams: []string{key, ">"}, Count: 120, Block: -1}).Result()
			if err != nil || len(streams) != 1 || len(streams[0].Messages) != 120 {
				t.Fatalf("a's XREADGROUP: %v, %v", streams, err)
			}
			process(a, streams[0].Messages[:40])
			lost := streams[0].Messages[40:]
			a.Close() // a dies

			// An entry a held is deleted meanwhile: XAUTOCLAIM reports it.
			if n, err := producer.XDel(ctx, key, lost[5].ID).Result(); err != nil || n != 1 {
				t.Fatalf("XDEL: %d, %v", n, err)
			}

			// Consumer b reads what nobody had, blocking for more at the
			// end: one more entry arrives while it waits.
			b := newGoRedis(t, s.Addr(), proto)
			for {
				streams, err := b.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: "b", Streams: []string{key, ">"}, Count: 50, Block: -1}).Result()
				if err == redis.Nil {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				process(b, streams[0].Messages)
			}
			late := make(chan []redis.XStream, 1)
			go func() {
				streams, _ := b.XReadGroup(ctx, &redis.XReadGroupArgs{Group: group, Consumer: "b", Streams: []string{key, ">"}, Block: 10 * time.Second}).Result()
				late <- streams
			}()
			waitFor(t, "the XREADGROUP to block", func() bool { return s.blocked.waiting.Load() == 1 })
			id, err := producer.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []string{"n", "late"}}).Result()
			if err != nil {
				t.Fatal(err)
			}
			want[id] = "late"
			streams = <-late
			if len(streams) != 1 || len(streams[0].Messages) != 1 || streams[0].Messages[0].ID != id {
				t.Fatalf("blocked XREADGROUP got %v, want %s", streams, id)
			}
			process(b, streams[0].Messages)

			// b takes a's pending entries over, 7 at a time.
			cursor, pages := "0-0", 0
			for {
				reply, err := b.Do(ctx, "XAUTOCLAIM", key, group, "b", 0, cursor, "COUNT", 7).Slice()
				if err != nil || len(reply) != 3 {
					t.Fatalf("XAUTOCLAIM: %v, %v", reply, err)
				}
				process(b, xMessages(t, reply[1]))
				for _, del := range reply[2].([]any) {
					done[del.(string)]++
				}
				pages++
				if cursor = reply[0].(string); cursor == "0-0" {
					break
				}
			}
			if pages < 80/7 {
				t.Errorf("XAUTOCLAIM took %d pages for 80 entries with COUNT 7", pages)
			}
			for id := range want {
				if done[id] != 1 {
					t.Errorf("entry %s handled %d times, want once", id, done[id])
				}
			}
			if len(done) != len(want) {
				t.Errorf("%d entries handled, %d added", len(done), len(want))
			}
			pending, err := producer.XPending(ctx, key, group).Result()
			if err != nil || pending.Count != 0 {
				t.Errorf("XPENDING after the takeover: %+v, %v", pending, err)
			}
			groups, err := producer.XInfoGroups(ctx, key).Result()
			if err != nil || len(groups) != 1 || groups[0].Pending != 0 || groups[0].Lag != 0 || groups[0].Consumers != 2 {
				t.Errorf("XINFO GROUPS: %+v, %v", groups, err)
			}
			consumers, err := producer.XInfoConsumers(ctx, key, group).Result()
			if err != nil || len(consumers) != 2 || consumers[0].Name != "a" || consumers[0].Pending != 0 || consumers[1].Pending != 0 {
				t.Errorf("XINFO CONSUMERS: %+v, %v", consumers, err)
			}
		})
	}
}

// xMessages converts the entries of a raw XAUTOCLAIM reply.
func xMessages(t *testing.T, v any) []redis.XMessage {
	t.Helper()
	var out []redis.XMessage
	for _, e := range v.([]any) {
		pair := e.([]any)
		fields := pair[1].([]any)
		m := redis.XMessage{ID: pair[0].(string), Values: map[string]any{}}
		for i := 0; i+1 < len(fields); i += 2 {
			m.Values[fields[i].(string)] = fields[i+1]
		}
		out = append(out, m)
	}
	return out
}

// TestStreamGroupWaitersOfRemovedKeys checks that the ways a stream
// leaves the keyspace (DEL, UNLINK, overwritten by SET or RENAME, FLUSHDB)
// all end an XREADGROUP wait on it with Redis 7.0.15's UNBLOCKED error.
func TestStreamGroupWaitersOfRemovedKeys(t *testing.T) {
	s := startServer(t, Config{})
	c := newGoRedis(t, s.Addr(), 2)
	ctx := context.Background()
	for _, remove := range [][]any{{"DEL", "s"}, {"SET", "s", "x"}, {"FLUSHDB"}, {"UNLINK", "s"}, {"RENAME", "other", "s"}} {
		t.Run(fmt.Sprint(remove), func(t *testing.T) {
			c.FlushAll(ctx)
			if err := c.XGroupCreateMkStream(ctx, "s", "g", "$").Err(); err != nil {
				t.Fatal(err)
			}
			c.Set(ctx, "other", "v", 0)
			got := make(chan error, 1)
			waiter := newGoRedis(t, s.Addr(), 2)
			go func() {
				got <- waiter.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "g", Consumer: "c", Streams: []string{"s", ">"}, Block: 0}).Err()
			}()
			waitFor(t, "the XREADGROUP to block", func() bool { return s.blocked.waiting.Load() == 1 })
			if err := c.Do(ctx, remove...).Err(); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-got:
				if err == nil || err.Error() != errGroupKeyDeleted {
					t.Errorf("the waiter got %v, want %q", err, errGroupKeyDeleted)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the waiter was not told that its stream is gone")
			}
		})
	}
}
