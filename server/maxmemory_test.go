package server

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/keyspace"
)

// TestDiffMaxMemory compares the OOM refusals with redis-server's: a
// maxmemory of 1 byte is below what either server uses empty, so every
// command Redis refuses is refused, and the evicting policies evict every
// key and still refuse.
func TestDiffMaxMemory(t *testing.T) {
	t.Parallel()
	env := newDiffEnv(t, Config{})
	env.run(t, needCommands(sessions(
		forProtocols("OOM under noeviction and when nothing is left", "b", `
			a: FLUSHALL                                => 1
			a: CONFIG SET notify-keyspace-events KEA   => 1
			b: PSUBSCRIBE __key*@*__:*                 => 1
			a: SET k v                                 => 1; b: 2
			a: SET k2 v EX 100                         => 1; b: 4
			a: CONFIG SET maxmemory 1                  => 1
			a: CONFIG GET maxmemory                    => 1
			a: SET x y                                 => 1
			a: INCR n                                  => 1
			a: GET k                                   => 1
			a: PUBLISH ch x                            => 1
			a: MULTI                                   => 1
			a: GET k                                   => 1
			a: PING                                    => 1
			a: EXEC                                    => 1
			a: MULTI                                   => 1
			a: DISCARD                                 => 1
			a: DEL k2                                  => 1; b: 2
			a: CONFIG SET maxmemory-policy volatile-lru => 1
			a: SET x y                                 => 1
			a: CONFIG SET maxmemory-policy allkeys-lru => 1
			a: SET x y                                 => 1; b: 2
			a: DBSIZE                                  => 1
			a: CONFIG SET maxmemory-policy noeviction  => 1
			a: CONFIG SET maxmemory 0                  => 1
			a: SET x y                                 => 1; b: 2
			a: CONFIG SET notify-keyspace-events ""    => 1
			a: FLUSHALL                                => 1
		`),
		forProtocols("CONFIG SET maxmemory evicts at once", "b", `
			a: FLUSHALL                                => 1
			a: CONFIG SET notify-keyspace-events Ee    => 1
			b: PSUBSCRIBE __key*@*__:*                 => 1
			a: SET k1 v                                => 1
			a: SET k2 v                                => 1
			a: CONFIG SET maxmemory-policy allkeys-random => 1
			a: CONFIG SET maxmemory 1                  => 1; b: 2 any
			a: DBSIZE                                  => 1
			a: CONFIG SET maxmemory 0                  => 1
			a: CONFIG SET maxmemory-policy noeviction  => 1
			a: CONFIG SET notify-keyspace-events ""    => 1
		`),
		forProtocols("maxmemory settings", "a", `
			a: CONFIG GET maxmemory-policy             => 1
			a: CONFIG GET maxmemory-samples            => 1
			a: CONFIG SET maxmemory-policy nope        => 1
			a: CONFIG SET maxmemory-policy ALLKEYS-LFU => 1
			a: CONFIG GET maxmemory-policy             => 1
			a: CONFIG SET maxmemory-policy noeviction  => 1
			a: CONFIG SET maxmemory-samples 0          => 1
			a: CONFIG SET maxmemory-samples x          => 1
			a: CONFIG SET maxmemory-samples 10         => 1
			a: CONFIG GET maxmemory-samples            => 1
			a: CONFIG SET maxmemory-samples 5          => 1
			a: CONFIG SET maxmemory -1                 => 1
			a: CONFIG SET maxmemory 1.5mb              => 1
			a: CONFIG SET maxmemory 10mb               => 1
			a: CONFIG GET maxmemory                    => 1
			a: CONFIG SET maxmemory 0                  => 1
		`),
	), "set", "get", "incr", "del"))
}

// memInfoField returns a field of INFO's reply.
func memInfoField(t *testing.T, c *testClient, section, field string) string {
	t.Helper()
	c.send("INFO", section)
	v := c.read()
	text := v.Str
	for _, line := range strings.Split(text, "\r\n") {
		if k, val, ok := strings.Cut(line, ":"); ok && k == field {
			return val
		}
	}
	t.Fatalf("INFO %s has no %s: %q", section, field, text)
	return ""
}

// TestEviction fills past a small maxmemory with each policy: used_memory
// stays within it, evicted_keys counts, every eviction is notified, and
// the volatile policies evict only keys with an expiry.
func TestEviction(t *testing.T) {
	if commands["set"] == nil || commands["expire"] == nil {
		t.Skip("Herald has no SET or EXPIRE yet")
	}
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			limit := keyspace.BaselineMemory + 20_000
			s := startServer(t, Config{MaxMemory: int64(limit), MaxMemoryPolicy: policy, NotifyKeyspaceEvents: "Ee"})
			sub := dial(t, s.Addr())
			sub.mustDo("*3\r\n$10\r\npsubscribe\r\n$22\r\n__keyevent@*__:evicted\r\n:1\r\n", "PSUBSCRIBE", "__keyevent@*__:evicted")
			c := dial(t, s.Addr())
			volatile := strings.HasPrefix(policy, "volatile")
			for i := range 500 {
				key := "k" + strconv.Itoa(i)
				args := []string{"SET", key, strings.Repeat("x", 100)}
				if volatile && i%2 == 0 {
					args = append(args, "EX", strconv.Itoa(1000+i))
				}
				c.send(args...)
				// Under a volatile policy, once the keys without expiry
				// fill the memory nothing can be evicted for a write.
				if v := c.read(); v.Kind != '+' && !(volatile && string(v.Bytes()) == "-"+keyspace.ErrOOM.Error()+"\r\n") {
					t.Fatalf("SET replied %q", v.Bytes())
				}
				if used, _ := strconv.Atoi(memInfoField(t, c, "memory", "used_memory")); used > limit+200 {
					t.Fatalf("after %d SETs used_memory %d > maxmemory %d", i+1, used, limit)
				}
			}
			evicted, _ := strconv.Atoi(memInfoField(t, c, "stats", "evicted_keys"))
			if evicted < 100 {
				t.Fatalf("evicted_keys %d", evicted)
			}
			for range evicted {
				v := sub.read()
				key := v.Elems[3].Str
				n, _ := strconv.Atoi(strings.TrimPrefix(key, "k"))
				if volatile && n%2 != 0 {
					t.Fatalf("%s evicted %s, which has no expiry", policy, key)
				}
			}
			if got := memInfoField(t, c, "memory", "maxmemory_policy"); got != policy {
				t.Fatalf("maxmemory_policy %q", got)
			}
		})
	}
}

// TestEvictionNoEviction: writes past maxmemory get the OOM error, reads
// and deletes do not, and deleting makes room again.
func TestEvictionNoEviction(t *testing.T) {
	if commands["set"] == nil || commands["del"] == nil {
		t.Skip("Herald has no SET or DEL yet")
	}
	s := startServer(t, Config{MaxMemory: keyspace.BaselineMemory + 5_000})
	c := dial(t, s.Addr())
	oom := "-" + keyspace.ErrOOM.Error() + "\r\n"
	i := 0
	for ; i < 1000; i++ {
		c.send("SET", fmt.Sprint("k", i), strings.Repeat("x", 100))
		if v := c.read(); v.Kind == '-' {
			if string(v.Bytes()) != oom {
				t.Fatalf("SET refused with %q", v.Bytes())
			}
			break
		}
	}
	if i == 0 || i == 1000 {
		t.Fatalf("OOM after %d SETs", i)
	}
	c.mustDo("$100\r\n"+strings.Repeat("x", 100)+"\r\n", "GET", "k0")
	c.mustDo(":1\r\n", "DEL", "k0")
	c.mustDo(":1\r\n", "DEL", "k1")
	c.mustDo("+OK\r\n", "SET", "again", "x")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "maxmemory", "0")
	c.mustDo("+OK\r\n", "SET", "more", strings.Repeat("x", 10000))
	if got := memInfoField(t, c, "memory", "maxmemory_human"); got != "0B" {
		t.Fatalf("maxmemory_human %q", got)
	}
}
