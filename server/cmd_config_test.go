package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer collects a server's log: the server writes it from its
// connections' goroutines while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestConfigGet(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		m := map[int]string{2: "*", 3: "%"}[proto]
		pairs := func(n int) string { // a map of n pairs: a flat array in RESP2
			if proto == 2 {
				n *= 2
			}
			return m[:1] + strconv.Itoa(n) + "\r\n"
		}
		port := strconv.Itoa(s.Addr().(*net.TCPAddr).Port)
		c.mustDo(pairs(1)+"$10\r\nmaxclients\r\n$5\r\n10000\r\n", "CONFIG", "GET", "maxclients")
		c.mustDo(pairs(1)+"$4\r\nPORT\r\n$"+strconv.Itoa(len(port))+"\r\n"+port+"\r\n", "CONFIG", "GET", "PORT", "port")
		c.mustDo(pairs(1)+"$4\r\nbind\r\n$9\r\n127.0.0.1\r\n", "CONFIG", "GET", "bind")
		c.mustDo(pairs(0), "CONFIG", "GET", "nosuch")
		c.mustDo(pairs(1)+"$26\r\nclient-output-buffer-limit\r\n$67\r\nnormal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60\r\n",
			"CONFIG", "GET", "client-output-buffer-limit")
		c.mustDo(pairs(2)+"$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n$25\r\nclient-query-buffer-limit\r\n$10\r\n1073741824\r\n",
			"CONFIG", "GET", "proto-max-bulk-len", "client-query-buffer-limit")
		c.mustDo(pairs(4)+"$9\r\ndatabases\r\n$2\r\n16\r\n$4\r\nsave\r\n$0\r\n\r\n$10\r\nappendonly\r\n$2\r\nno\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n",
			"CONFIG", "GET", "databases", "save", "appendonly", "notify-keyspace-events")
		c.mustDo(pairs(10)+"$14\r\nacllog-max-len\r\n$3\r\n128\r\n$15\r\nmax-pattern-len\r\n$4\r\n1024\r\n$28\r\nmax-subscriptions-per-client\r\n$1\r\n0\r\n"+
			"$10\r\nmaxclients\r\n$5\r\n10000\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n"+
			"$17\r\nmaxmemory-samples\r\n$1\r\n5\r\n$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n"+
			"$23\r\nproto-max-multibulk-len\r\n$10\r\n2147483647\r\n"+
			"$23\r\ntracking-table-max-keys\r\n$7\r\n1000000\r\n", "CONFIG", "GET", "*MAX*")
		c.mustDo(pairs(1)+"$11\r\nrequirepass\r\n$0\r\n\r\n", "CONFIG", "GET", "requirepas?", "requirepass")
		c.mustDo("-ERR wrong number of arguments for 'config|get' command\r\n", "CONFIG", "GET")
		c.mustDo("-ERR wrong number of arguments for 'config' command\r\n", "CONFIG")
		c.mustDo("-ERR unknown subcommand 'nope'. Try CONFIG HELP.\r\n", "CONFIG", "nope")
		c.mustDo("-ERR The server is running without a config file\r\n", "CONFIG", "REWRITE")
		c.mustDo("-ERR wrong number of arguments for 'config|rewrite' command\r\n", "CONFIG", "REWRITE", "x")
		c.mustDo("-ERR wrong number of arguments for 'config|resetstat' command\r\n", "CONFIG", "RESETSTAT", "x")
		c.send("CONFIG", "HELP")
		if v := c.read(); len(v.Elems) != 11 || v.Elems[0].Str != "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" {
			t.Fatalf("CONFIG HELP replied %s", v)
		}
	})
}

// TestConfigSetErrors: Redis's error for each bad CONFIG SET, checked
// against redis-server 7.0.15, and nothing changes when one fails.
func TestConfigSetErrors(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s.Addr())
	failed := func(param, reason string) string {
		return "-ERR CONFIG SET failed (possibly related to argument '" + param + "') - " + reason + "\r\n"
	}
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n", []string{"nosuch", "1"}},
		{"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n", []string{"maxclients", "5", "nosuch", "1"}},
		{"-ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'\r\n", []string{"nosuch", "3", "databases", "16"}},
		// An empty name is unknown too (found by FuzzCommands: it was taken
		// for no unknown name, and the nil setting crashed the server).
		{"-ERR Unknown option or number of arguments for CONFIG SET - ''\r\n", []string{"", "x"}},
		{"-ERR Unknown option or number of arguments for CONFIG SET - ''\r\n", []string{"maxmemory", "1", "", "y"}},
		{"-ERR Unknown option or number of arguments for CONFIG SET - ''\r\n", []string{"", "y", "nosuch", "1"}},
		{"-ERR syntax error\r\n", []string{"maxclients", "1", "2"}},
		{"-ERR wrong number of arguments for 'config|set' command\r\n", []string{"maxclients"}},
		{failed("maxclients", "argument couldn't be parsed into an integer"), []string{"MAXCLIENTS", "abc"}},
		{failed("maxclients", "argument couldn't be parsed into an integer"), []string{"maxclients", "05"}},
		{failed("maxclients", "argument couldn't be parsed into an integer"), []string{"maxclients", "abc", "port", "xyz"}},
		{failed("maxclients", "argument must be between 1 and 4294967295 inclusive"), []string{"maxclients", "0"}},
		{failed("maxclients", "argument must be between 1 and 4294967295 inclusive"), []string{"maxclients", "4294967296"}},
		{failed("MAXCLIENTS", "duplicate parameter"), []string{"maxclients", "10", "MAXCLIENTS", "3"}},
		{failed("port", "argument must be between 0 and 65535 inclusive"), []string{"port", "70000"}},
		{failed("databases", "can't set immutable config"), []string{"maxclients", "3", "databases", "16"}},
		{failed("appendonly", "argument must be 'yes' or 'no'"), []string{"appendonly", "maybe"}},
		{failed("save", "Invalid save parameters"), []string{"save", "900"}},
		{failed("save", "Herald keeps no data on disk"), []string{"save", "900 1"}},
		{failed("notify-keyspace-events", "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."), []string{"notify-keyspace-events", "Q"}},
		{failed("client-output-buffer-limit", "Wrong number of arguments in buffer limit configuration."), []string{"client-output-buffer-limit", "pubsub 1 2"}},
		{failed("client-output-buffer-limit", "Invalid client class specified in buffer limit configuration."), []string{"client-output-buffer-limit", "master 1 2 3"}},
		{failed("client-output-buffer-limit", "Error in hard, soft or soft_seconds setting in buffer limit configuration."), []string{"client-output-buffer-limit", "pubsub 05 +2 03"}},
		{failed("client-output-buffer-limit", "Error in hard, soft or soft_seconds setting in buffer limit configuration."), []string{"client-output-buffer-limit", "pubsub 1 2 -3"}},
		{failed("proto-max-bulk-len", "argument must be a memory value"), []string{"proto-max-bulk-len", "+5mb"}},
		{failed("proto-max-bulk-len", "argument must be a memory value"), []string{"proto-max-bulk-len", "1.5mb"}},
		{failed("proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 inclusive"), []string{"proto-max-bulk-len", "mb"}},
		{failed("proto-max-bulk-len", "argument must be between 1048576 and 9223372036854775807 inclusive"), []string{"proto-max-bulk-len", "9999999999gb"}},
		{failed("client-query-buffer-limit", "argument must be between 1048576 and 9223372036854775807 inclusive"), []string{"client-query-buffer-limit", "1kb"}},
		{failed("maxclients", "argument couldn't be parsed into an integer"), []string{"proto-max-bulk-len", "2mb", "maxclients", "x"}},
	} {
		c.mustDo(tc.want, append([]string{"CONFIG", "SET"}, tc.args...)...)
	}
	// The failed CONFIG SETs changed nothing, the valid values in them included.
	c.mustDo("*4\r\n$10\r\nmaxclients\r\n$5\r\n10000\r\n$18\r\nproto-max-bulk-len\r\n$9\r\n536870912\r\n",
		"CONFIG", "GET", "maxclients", "proto-max-bulk-len")

	for _, args := range [][]string{
		{"save", ""}, {"appendonly", "NO"}, {"notify-keyspace-events", ""}, {"client-output-buffer-limit", ""},
		{"proto-max-bulk-len", "05mb", "client-query-buffer-limit", "2000000B"},
		{"client-output-buffer-limit", "PUBSUB 1k 2KB 3 replica 1 1 1"},
	} {
		c.mustDo("+OK\r\n", append([]string{"CONFIG", "SET"}, args...)...)
	}
	// notify-keyspace-events reads back normalised, as Redis writes it.
	for _, tc := range []struct{ set, get string }{{"Kx", "xK"}, {"KEAmn", "AKEm"}, {"Ex$g", "g$xE"}, {"nK", "nK"}, {"", ""}} {
		c.mustDo("+OK\r\n", "CONFIG", "SET", "notify-keyspace-events", tc.set)
		c.mustDo(fmt.Sprintf("*2\r\n$22\r\nnotify-keyspace-events\r\n$%d\r\n%s\r\n", len(tc.get), tc.get), "CONFIG", "GET", "notify-keyspace-events")
	}
	c.mustDo("*6\r\n$18\r\nproto-max-bulk-len\r\n$7\r\n5242880\r\n$25\r\nclient-query-buffer-limit\r\n$7\r\n2000000\r\n$26\r\nclient-output-buffer-limit\r\n$43\r\nnormal 0 0 0 slave 1 1 1 pubsub 1000 2048 3\r\n",
		"CONFIG", "GET", "proto-max-bulk-len", "client-query-buffer-limit", "client-output-buffer-limit")
}

// TestConfigSetMaxClients: a lower maxclients refuses the next connection
// at once, and a higher one admits it again.
func TestConfigSetMaxClients(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s.Addr())
	dial(t, s.Addr()).mustDo("+PONG\r\n", "PING")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "maxclients", "2")
	refused := dial(t, s.Addr())
	refused.mustRead("-ERR max number of clients reached\r\n")
	refused.expectClosed()
	c.mustDo("+OK\r\n", "CONFIG", "SET", "maxclients", "3")
	dial(t, s.Addr()).mustDo("+PONG\r\n", "PING")
	if got := c.info(t, "clients")["maxclients"]; got != "3" {
		t.Errorf("maxclients:%s", got)
	}
}

// TestConfigSetOutputLimit: a pubsub limit set at run time disconnects a
// subscriber that does not read, counted in INFO and logged with the
// client's id and address.
func TestConfigSetOutputLimit(t *testing.T) {
	var log lockedBuffer
	s := startServer(t, Config{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0")
	sub := dial(t, s.Addr())
	sub.send("CLIENT", "ID")
	subID := sub.read().Int
	sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$4\r\nfeed\r\n:1\r\n", "SUBSCRIBE", "feed")
	payload := strings.Repeat("x", 64<<10)
	waitFor(t, "the subscriber to be cut off", func() bool {
		c.send("PUBLISH", "feed", payload)
		return c.read().Int == 0
	})
	if got := c.info(t, "stats")["client_output_buffer_limit_disconnections"]; got != "1" {
		t.Errorf("client_output_buffer_limit_disconnections:%s, want 1", got)
	}
	wantLog := fmt.Sprintf("level=WARN msg=\"client closed for overcoming of output buffer limits\" id=%d addr=%s", subID, sub.conn.LocalAddr())
	if got := log.String(); !strings.Contains(got, wantLog) {
		t.Errorf("the log does not have %q:\n%s", wantLog, got)
	}
	sub.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, sub.conn); err != nil && !errors.Is(err, net.ErrClosed) && !strings.Contains(err.Error(), "reset") {
		t.Errorf("the subscriber's connection was not closed: %v", err)
	}
}

// TestConfigSetProtoMaxBulkLen: the limit applies at once, to connections
// already open.
func TestConfigSetProtoMaxBulkLen(t *testing.T) {
	s := startServer(t, Config{})
	c, other := dial(t, s.Addr()), dial(t, s.Addr())
	other.mustDo("+PONG\r\n", "PING")
	c.mustDo("+OK\r\n", "CONFIG", "SET", "proto-max-bulk-len", "1mb")
	other.sendRaw([]byte("*2\r\n$4\r\nECHO\r\n$1048577\r\n"))
	other.mustRead("-ERR Protocol error: invalid bulk length\r\n")
	other.expectClosed()
}

// TestConfigSetRequirePass: new connections must authenticate; existing
// ones stay authenticated, as in Redis.
func TestConfigSetRequirePass(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "CONFIG", "SET", "requirepass", "sesame")
	c.mustDo("+PONG\r\n", "PING")
	fresh := dial(t, s.Addr())
	fresh.mustDo("-NOAUTH Authentication required.\r\n", "PING")
	fresh.mustDo("+OK\r\n", "AUTH", "sesame")
	c.mustDo("*2\r\n$11\r\nrequirepass\r\n$6\r\nsesame\r\n", "CONFIG", "GET", "requirepass")
}

// TestConfigSetPort: CONFIG SET port moves the listener; connections
// already open stay. An address that cannot be bound leaves the listener
// where it was.
func TestConfigSetPort(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s.Addr())
	old := s.Addr().String()

	c.mustDo("-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n",
		"CONFIG", "SET", "bind", "127.0.0.1 192.0.2.1")
	dial(t, s.Addr()).mustDo("+PONG\r\n", "PING")

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	c.mustDo("+OK\r\n", "CONFIG", "SET", "port", port)
	c.mustDo("*2\r\n$4\r\nport\r\n$"+strconv.Itoa(len(port))+"\r\n"+port+"\r\n", "CONFIG", "GET", "port")
	if got := s.Addr().String(); got != "127.0.0.1:"+port {
		t.Fatalf("listening on %s, want port %s", got, port)
	}
	dial(t, s.Addr()).mustDo("+PONG\r\n", "PING")
	if conn, err := net.DialTimeout("tcp", old, time.Second); err == nil {
		conn.Close()
		t.Errorf("the old address %s still accepts", old)
	}
	c.mustDo("+PONG\r\n", "PING")

	c.mustDo("+OK\r\n", "CONFIG", "SET", "port", "0")
	if s.Addr() != nil {
		t.Errorf("port 0 left a listener on %s", s.Addr())
	}
	c.mustDo("+PONG\r\n", "PING")
}

func TestParseMemory(t *testing.T) {
	for in, want := range map[string]int64{"0": 0, "05": 5, "1k": 1000, "1KB": 1024, "2mb": 2 << 20, "3G": 3e9, "1gb": 1 << 30, "7b": 7} {
		if got, err := ParseMemory(in); err != nil || got != want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"-1", "+1", " 1", "1.5mb", "1tb", "x", "99999999999999999999", "9999999999gb"} {
		if got, err := ParseMemory(in); err == nil {
			t.Errorf("ParseMemory(%q) = %d, want an error", in, got)
		}
	}
}
