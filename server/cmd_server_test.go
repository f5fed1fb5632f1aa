package server

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/resp"
)

func TestFlushDBSizeTimeDebug(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		for _, cmd := range []string{"FLUSHALL", "FLUSHDB"} {
			c.mustDo("+OK\r\n", cmd)
			c.mustDo("+OK\r\n", cmd, "ASYNC")
			c.mustDo("+OK\r\n", cmd, "sync")
			c.mustDo("-ERR syntax error\r\n", cmd, "nope")
			c.mustDo("-ERR syntax error\r\n", cmd, "SYNC", "ASYNC")
		}
		c.mustDo(":0\r\n", "DBSIZE")
		c.mustDo("-ERR wrong number of arguments for 'dbsize' command\r\n", "DBSIZE", "x")
		c.mustDo("-ERR wrong number of arguments for 'time' command\r\n", "TIME", "x")
		c.mustDo("-ERR wrong number of arguments for 'debug' command\r\n", "DEBUG")
		c.mustDo("-"+errDebugDisabled+"\r\n", "DEBUG", "SLEEP", "0")

		before := time.Now().Unix()
		c.send("TIME")
		v := c.read()
		after := time.Now().Unix()
		if v.Kind != '*' || len(v.Elems) != 2 || v.Elems[0].Kind != '$' || v.Elems[1].Kind != '$' {
			t.Fatalf("TIME replied %s", v)
		}
		sec, err1 := strconv.ParseInt(v.Elems[0].Str, 10, 64)
		usec, err2 := strconv.ParseInt(v.Elems[1].Str, 10, 64)
		if err1 != nil || err2 != nil || sec < before || sec > after || usec < 0 || usec > 999999 {
			t.Fatalf("TIME replied %s, want seconds in [%d, %d]", v, before, after)
		}
	})
}

func TestFunction(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		c.mustDo("+OK\r\n", "FUNCTION", "FLUSH")
		c.mustDo("+OK\r\n", "FUNCTION", "FLUSH", "ASYNC")
		c.mustDo("+OK\r\n", "FUNCTION", "flush", "sync")
		c.mustDo("-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\r\n", "FUNCTION", "FLUSH", "nope")
		c.mustDo("-ERR unknown subcommand or wrong number of arguments for 'flush'. Try FUNCTION HELP.\r\n", "FUNCTION", "flush", "async", "sync")
		c.mustDo("-ERR FUNCTION LOAD is not supported by Herald: it has no scripting engine\r\n", "FUNCTION", "LOAD", "#!lua name=x\nreturn 1")
		c.mustDo("-ERR FUNCTION LIST is not supported by Herald: it has no scripting engine\r\n", "FUNCTION", "list")
		c.mustDo("-ERR wrong number of arguments for 'function|load' command\r\n", "FUNCTION", "LOAD")
		c.mustDo("-ERR wrong number of arguments for 'function' command\r\n", "FUNCTION")
		c.mustDo("-ERR unknown subcommand 'nope'. Try FUNCTION HELP.\r\n", "FUNCTION", "nope")
		c.send("FUNCTION", "HELP")
		if v := c.read(); len(v.Elems) != 40 || v.Elems[0].Str != "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" {
			t.Fatalf("FUNCTION HELP replied %s", v)
		}
	})
}

// infoFields parses INFO text into field → value, failing on any line that
// is not a header, a field or the blank line between sections.
func infoFields(t *testing.T, text string) map[string]string {
	t.Helper()
	if !strings.HasSuffix(text, "\r\n") {
		t.Fatalf("INFO text does not end in CRLF: %q", text)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
		if line == "" || strings.HasPrefix(line, "# ") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("INFO line %q", line)
		}
		fields[k] = v
	}
	return fields
}

// info runs INFO with args and returns its fields.
func (c *testClient) info(t *testing.T, args ...string) map[string]string {
	t.Helper()
	c.send(append([]string{"INFO"}, args...)...)
	v := c.read()
	text := v.Str
	switch {
	case v.Kind == '=' && strings.HasPrefix(text, "txt:"):
		text = strings.TrimPrefix(text, "txt:")
	case v.Kind != '$':
		t.Fatalf("INFO replied %s", v)
	}
	return infoFields(t, text)
}

func TestInfoSections(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		wrap := func(body string) string {
			if proto == resp.RESP3 {
				return "=" + strconv.Itoa(len(body)+4) + "\r\ntxt:" + body + "\r\n"
			}
			return "$" + strconv.Itoa(len(body)) + "\r\n" + body + "\r\n"
		}
		c.mustDo(wrap("# Keyspace\r\n"), "INFO", "keyspace")
		c.mustDo(wrap(""), "INFO", "nosuchsection")
		c.mustDo(wrap(""), "INFO", "commandstats")
		c.mustDo(wrap("# Cluster\r\ncluster_enabled:0\r\n\r\n# Keyspace\r\n"), "INFO", "KEYSPACE", "cluster", "Cluster")
		c.mustDo(wrap("# Modules\r\n"), "INFO", "modules")

		headers := "# Server # Clients # Memory # Persistence # Stats # Replication # CPU # Modules # Cluster # Keyspace"
		for _, args := range [][]string{{"INFO"}, {"INFO", "default"}, {"INFO", "ALL"}, {"INFO", "everything", "server"}} {
			c.send(args...)
			v := c.read()
			var got []string
			for _, line := range strings.Split(v.Str, "\r\n") {
				if strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "txt:# ") {
					got = append(got, strings.TrimPrefix(line, "txt:"))
				}
			}
			if strings.Join(got, " ") != headers {
				t.Errorf("%v sections: %q, want %q", args, got, headers)
			}
		}

		f := c.info(t, "server", "replication", "memory", "cpu")
		for field, want := range map[string]string{
			"redis_version": Version, "herald_version": HeraldVersion, "redis_mode": "standalone",
			"run_id": s.runID, "tcp_port": strconv.Itoa(s.Addr().(*net.TCPAddr).Port), "config_file": "",
			"role": "master", "connected_slaves": "0", "mem_allocator": "go", "maxmemory_policy": "noeviction",
		} {
			if f[field] != want {
				t.Errorf("%s:%s, want %s", field, f[field], want)
			}
		}
		for _, field := range []string{"process_id", "uptime_in_seconds", "arch_bits", "used_memory", "used_memory_rss", "master_repl_offset"} {
			if n, err := strconv.ParseInt(f[field], 10, 64); err != nil || n < 0 {
				t.Errorf("%s:%q is not a count", field, f[field])
			}
		}
		if n, _ := strconv.ParseInt(f["used_memory"], 10, 64); n == 0 {
			t.Errorf("used_memory:0")
		}
		if len(f["master_replid"]) != 40 || f["master_replid"] == s.runID {
			t.Errorf("master_replid:%s", f["master_replid"])
		}
		if _, err := strconv.ParseFloat(f["used_cpu_user"], 64); err != nil || !strings.Contains(f["used_cpu_user"], ".") {
			t.Errorf("used_cpu_user:%s", f["used_cpu_user"])
		}
	})
}

// TestInfoStats: the counters move with what clients do, and CONFIG
// RESETSTAT zeroes them.
func TestInfoStats(t *testing.T) {
	s := startServer(t, Config{MaxClients: 3})
	c := dial(t, s.Addr())
	sub := dial(t, s.Addr())
	sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", "SUBSCRIBE", "a")
	sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$1\r\nb\r\n:2\r\n", "SUBSCRIBE", "b")
	sub.mustDo("*3\r\n$10\r\npsubscribe\r\n$2\r\nb*\r\n:3\r\n", "PSUBSCRIBE", "b*")
	sub.mustDo("*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n", "SSUBSCRIBE", "s")
	c.mustDo("-ERR wrong number of arguments for 'ping' command\r\n", "PING", "a", "b")
	dial(t, s.Addr())
	refused := dial(t, s.Addr())
	refused.mustRead("-ERR max number of clients reached\r\n")

	f := c.info(t)
	want := map[string]string{
		"connected_clients": "3", "maxclients": "3", "blocked_clients": "0",
		"pubsub_channels": "2", "pubsub_patterns": "1", "pubsubshard_channels": "1",
		"total_connections_received": "3", "total_commands_processed": "5", "rejected_connections": "1",
		"total_error_replies": "1", "client_output_buffer_limit_disconnections": "0",
		"client_query_buffer_limit_disconnections": "0", "keyspace_hits": "0",
	}
	for field, v := range want {
		if f[field] != v {
			t.Errorf("%s:%s, want %s", field, f[field], v)
		}
	}
	in, _ := strconv.Atoi(f["total_net_input_bytes"])
	out, _ := strconv.Atoi(f["total_net_output_bytes"])
	if in < 100 || out < 100 {
		t.Errorf("total_net_input_bytes:%d total_net_output_bytes:%d", in, out)
	}
	// Six commands sent one at a time, five replies written before INFO's.
	reads, _ := strconv.Atoi(f["total_reads_processed"])
	writes, _ := strconv.Atoi(f["total_writes_processed"])
	if reads < 6 || writes < 5 {
		t.Errorf("total_reads_processed:%d total_writes_processed:%d, want at least 6 and 5", reads, writes)
	}

	c.mustDo("+OK\r\n", "CONFIG", "RESETSTAT")
	f = c.info(t, "stats")
	for _, field := range []string{"total_connections_received", "rejected_connections", "total_error_replies"} {
		if f[field] != "0" {
			t.Errorf("after RESETSTAT %s:%s, want 0", field, f[field])
		}
	}
	if f["total_commands_processed"] != "1" { // RESETSTAT itself, as in Redis
		t.Errorf("after RESETSTAT total_commands_processed:%s, want 1", f["total_commands_processed"])
	}
	if in, _ := strconv.Atoi(f["total_net_input_bytes"]); in > 64 {
		t.Errorf("after RESETSTAT total_net_input_bytes:%d", in)
	}
	// RESETSTAT's reply, and INFO's read, as redis-server counts them.
	if f["total_reads_processed"] != "1" || f["total_writes_processed"] != "1" {
		t.Errorf("after RESETSTAT total_reads_processed:%s total_writes_processed:%s, want 1 and 1",
			f["total_reads_processed"], f["total_writes_processed"])
	}
}

// TestInfoOpsPerSec: instantaneous_ops_per_sec, sampled every 100 ms, rises
// while commands run.
func TestInfoOpsPerSec(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s.Addr())
	waitFor(t, "instantaneous_ops_per_sec to rise", func() bool {
		for range 50 {
			c.mustDo("+PONG\r\n", "PING")
		}
		n, _ := strconv.Atoi(c.info(t, "stats")["instantaneous_ops_per_sec"])
		return n > 0
	})
}

func TestBytesToHuman(t *testing.T) {
	for n, want := range map[uint64]string{0: "0B", 1023: "1023B", 1024: "1.00K", 1536: "1.50K",
		1237480: "1.18M", 25276026880: "23.54G", 1 << 40: "1.00T", 1 << 50: "1.00P", 1 << 62: "4611686018427387904B"} {
		if got := bytesToHuman(n); got != want {
			t.Errorf("bytesToHuman(%d) = %q, want %q", n, got, want)
		}
	}
}
