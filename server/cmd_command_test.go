package server

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/internal/resp"
	"github.com/redis/go-redis/v9"
)

// The expected bytes below are redis-server 7.0.15's replies.

func TestCommandInfo(t *testing.T) {
	s := startServer(t, Config{})
	want := map[int][2]string{
		2: {
			"*3\r\n*10\r\n$4\r\nping\r\n:-1\r\n*1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@fast\r\n+@connection\r\n*2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n" +
				"*10\r\n$10\r\nssubscribe\r\n:-2\r\n*4\r\n+pubsub\r\n+noscript\r\n+loading\r\n+stale\r\n:1\r\n:-1\r\n:1\r\n*2\r\n+@pubsub\r\n+@slow\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*1\r\n+not_key\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n$-1\r\n",
			"*1\r\n*10\r\n$11\r\npubsub|help\r\n:2\r\n*2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*1\r\n+@slow\r\n*0\r\n*0\r\n*0\r\n",
		},
		3: {
			"*3\r\n*10\r\n$4\r\nping\r\n:-1\r\n~1\r\n+fast\r\n:0\r\n:0\r\n:0\r\n~2\r\n+@fast\r\n+@connection\r\n~2\r\n$25\r\nrequest_policy:all_shards\r\n$29\r\nresponse_policy:all_succeeded\r\n~0\r\n~0\r\n" +
				"*10\r\n$10\r\nssubscribe\r\n:-2\r\n~4\r\n+pubsub\r\n+noscript\r\n+loading\r\n+stale\r\n:1\r\n:-1\r\n:1\r\n~2\r\n+@pubsub\r\n+@slow\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~1\r\n+not_key\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n_\r\n",
			"*1\r\n*10\r\n$11\r\npubsub|help\r\n:2\r\n~2\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~1\r\n+@slow\r\n~0\r\n~0\r\n~0\r\n",
		},
	}
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		c.mustDo(want[proto][0], "COMMAND", "INFO", "ping", "SSUBSCRIBE", "nosuch")
		c.mustDo(want[proto][1], "COMMAND", "INFO", "PUBSUB|HELP")
		c.mustDo("*1\r\n"+map[int]string{2: "$-1\r\n", 3: "_\r\n"}[proto], "COMMAND", "INFO", "client|nosuch")
		c.mustDo(":"+strconv.Itoa(len(commands))+"\r\n", "COMMAND", "COUNT")
		c.mustDo("-ERR wrong number of arguments for 'command|count' command\r\n", "COMMAND", "COUNT", "x")
		c.mustDo("-ERR unknown subcommand 'nope'. Try COMMAND HELP.\r\n", "COMMAND", "nope")

		// COMMAND and COMMAND INFO describe every command, subcommands nested.
		for _, args := range [][]string{{"COMMAND"}, {"COMMAND", "INFO"}} {
			c.send(args...)
			v := c.read()
			if len(v.Elems) != len(commands) {
				t.Fatalf("%v: %d entries, want %d", args, len(v.Elems), len(commands))
			}
			for _, e := range v.Elems {
				cmd := commands[e.Elems[0].Str]
				if len(e.Elems) != 10 || cmd == nil || len(e.Elems[9].Elems) != len(cmd.subs) {
					t.Fatalf("%v: entry %s", args, e)
				}
			}
		}
		c.send("COMMAND", "HELP")
		if v := c.read(); len(v.Elems) != 21 || v.Elems[0].Str != "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:" {
			t.Fatalf("COMMAND HELP replied %s", v)
		}
	})
}

func TestCommandDocs(t *testing.T) {
	s := startServer(t, Config{})
	want := map[int]string{
		2: "*4\r\n$4\r\nping\r\n*10\r\n$7\r\nsummary\r\n$15\r\nPing the server\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$7\r\nmessage\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\nflags\r\n*1\r\n+optional\r\n" +
			"$8\r\nflushall\r\n*12\r\n$7\r\nsummary\r\n$34\r\nRemove all keys from all databases\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$57\r\nO(N) where N is the total number of keys in all databases\r\n$7\r\nhistory\r\n*2\r\n*2\r\n$5\r\n4.0.0\r\n$41\r\nAdded the `ASYNC` flushing mode modifier.\r\n*2\r\n$5\r\n6.2.0\r\n$40\r\nAdded the `SYNC` flushing mode modifier.\r\n$9\r\narguments\r\n*1\r\n*8\r\n$4\r\nname\r\n$5\r\nasync\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*8\r\n$4\r\nname\r\n$5\r\nasync\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$5\r\nASYNC\r\n$5\r\nsince\r\n$5\r\n4.0.0\r\n*8\r\n$4\r\nname\r\n$4\r\nsync\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nSYNC\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n",
		3: "%2\r\n$4\r\nping\r\n%5\r\n$7\r\nsummary\r\n$15\r\nPing the server\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$10\r\nconnection\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$7\r\nmessage\r\n$4\r\ntype\r\n$6\r\nstring\r\n$5\r\nflags\r\n~1\r\n+optional\r\n" +
			"$8\r\nflushall\r\n%6\r\n$7\r\nsummary\r\n$34\r\nRemove all keys from all databases\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$57\r\nO(N) where N is the total number of keys in all databases\r\n$7\r\nhistory\r\n~2\r\n*2\r\n$5\r\n4.0.0\r\n$41\r\nAdded the `ASYNC` flushing mode modifier.\r\n*2\r\n$5\r\n6.2.0\r\n$40\r\nAdded the `SYNC` flushing mode modifier.\r\n$9\r\narguments\r\n*1\r\n%4\r\n$4\r\nname\r\n$5\r\nasync\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%4\r\n$4\r\nname\r\n$5\r\nasync\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$5\r\nASYNC\r\n$5\r\nsince\r\n$5\r\n4.0.0\r\n%4\r\n$4\r\nname\r\n$4\r\nsync\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nSYNC\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n",
	}
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		c.mustDo(want[proto], "COMMAND", "DOCS", "ping", "FLUSHALL", "nosuch")
		c.mustDo(map[int]string{2: "*0\r\n", 3: "%0\r\n"}[proto], "COMMAND", "DOCS", "nosuch")
		c.send("COMMAND", "DOCS")
		if v := c.read(); len(v.Elems) != 2*len(commands) {
			t.Fatalf("COMMAND DOCS: %d elements, want %d", len(v.Elems), 2*len(commands))
		}
		c.send("COMMAND", "DOCS", "client")
		v := c.read()
		subs := v.Elems[1].Elems[len(v.Elems[1].Elems)-1]
		if len(subs.Elems) != 2*len(commands["client"].subs) {
			t.Fatalf("COMMAND DOCS client: subcommands %s", subs)
		}
	})
}

// TestCommandDocsComplete: every command and subcommand has an entry in
// commandDocs, and every entry a command.
func TestCommandDocsComplete(t *testing.T) {
	names := map[string]bool{}
	for _, cmd := range commands {
		names[cmd.name] = true
		for _, sub := range cmd.subs {
			names[sub.name] = true
		}
	}
	for name := range names {
		if commandDocs[name] == nil {
			t.Errorf("%s has no commandDocs entry", name)
		}
	}
	for name := range commandDocs {
		if !names[name] {
			t.Errorf("commandDocs has %s, which is not a command", name)
		}
	}
}

func TestCommandListAndGetKeys(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		c.mustDo("*6\r\n$15\r\npubsub|channels\r\n$11\r\npubsub|help\r\n$13\r\npubsub|numpat\r\n$13\r\npubsub|numsub\r\n$20\r\npubsub|shardchannels\r\n$18\r\npubsub|shardnumsub\r\n",
			"COMMAND", "LIST", "FILTERBY", "PATTERN", "PUBSUB|*")
		c.mustDo("*13\r\n$10\r\npsubscribe\r\n$7\r\npublish\r\n$15\r\npubsub|channels\r\n$13\r\npubsub|numpat\r\n$13\r\npubsub|numsub\r\n$20\r\npubsub|shardchannels\r\n$18\r\npubsub|shardnumsub\r\n$12\r\npunsubscribe\r\n$8\r\nspublish\r\n$10\r\nssubscribe\r\n$9\r\nsubscribe\r\n$12\r\nsunsubscribe\r\n$11\r\nunsubscribe\r\n",
			"COMMAND", "LIST", "filterby", "aclcat", "PubSub")
		c.mustDo("*0\r\n", "COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch")
		c.mustDo("*0\r\n", "COMMAND", "LIST", "FILTERBY", "MODULE", "x")
		for _, bad := range [][]string{{"FILTERBY"}, {"x"}, {"FILTERBY", "foo", "x"}, {"FILTERBY", "PATTERN", "x", "y"}} {
			c.mustDo("-ERR syntax error\r\n", append([]string{"COMMAND", "LIST"}, bad...)...)
		}
		c.send("COMMAND", "LIST")
		if v := c.read(); !slices.ContainsFunc(v.Elems, func(e resp.Value) bool { return e.Str == "client|kill" }) {
			t.Fatalf("COMMAND LIST: %s", v)
		}

		c.mustDo("-ERR The command has no key arguments\r\n", "COMMAND", "GETKEYS", "spublish", "ch", "msg")
		c.mustDo("-ERR The command has no key arguments\r\n", "COMMAND", "GETKEYSANDFLAGS", "ssubscribe", "a", "b")
		c.mustDo("-ERR The command has no key arguments\r\n", "COMMAND", "GETKEYS", "CLIENT", "LIST")
		c.mustDo("-ERR Invalid command specified\r\n", "COMMAND", "GETKEYS", "client", "nosuch")
		c.mustDo("-ERR Invalid command specified\r\n", "COMMAND", "GETKEYS", "nosuch", "a")
		c.mustDo("-ERR wrong number of arguments for 'command|getkeys' command\r\n", "COMMAND", "GETKEYS", "ping")
	})
}

// TestCommandMatchesRedis compares COMMAND INFO and COMMAND DOCS for every
// command Herald has with redis-server's, in both protocols, apart from the
// list of subcommands (Herald has fewer) and the two Redis 7.2
// subcommands that 7.0 lacks.
func TestCommandMatchesRedis(t *testing.T) {
	redisAddr := redistest.Start(t).Addr()
	s := startServer(t, Config{})
	var names []string
	for _, cmd := range commands.sorted() {
		names = append(names, cmd.name)
		for _, sub := range cmd.sortedSubs() {
			if sub.name != "client|setinfo" && sub.name != "client|no-touch" {
				names = append(names, sub.name)
			}
		}
	}
	for _, proto := range []string{"2", "3"} {
		redisConn, heraldConn := rawDial(t, redisAddr, proto), rawDial(t, s.Addr().String(), proto)
		for _, name := range names {
			for _, sub := range []string{"INFO", "DOCS"} {
				want := withoutSubcommands(redisConn.do(t, "COMMAND", sub, name))
				got := withoutSubcommands(heraldConn.do(t, "COMMAND", sub, name))
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Errorf("RESP%s COMMAND %s %s:\n herald %s\n  redis %s", proto, sub, name, got, want)
				}
			}
		}
	}
}

// withoutSubcommands drops the subcommands from a COMMAND INFO or DOCS
// reply for one command.
func withoutSubcommands(v resp.Value) resp.Value {
	if len(v.Elems) == 0 {
		return v
	}
	if v.Kind == '*' && len(v.Elems) == 1 && len(v.Elems[0].Elems) == 10 { // INFO
		v.Elems[0].Elems = v.Elems[0].Elems[:9]
		return v
	}
	doc := &v.Elems[1] // DOCS: name, map
	for i := 0; i+1 < len(doc.Elems); i += 2 {
		if doc.Elems[i].Str == "subcommands" {
			doc.Elems = slices.Delete(slices.Clone(doc.Elems), i, i+2)
		}
	}
	return v
}

type rawConn struct {
	net.Conn
	r *bufio.Reader
}

func rawDial(t *testing.T, addr, proto string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &rawConn{nc, bufio.NewReader(nc)}
	c.do(t, "HELLO", proto)
	return c
}

func (c *rawConn) do(t *testing.T, args ...string) resp.Value {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(encodeCommand(args...)); err != nil {
		t.Fatal(err)
	}
	v, err := resp.ReadValue(c.r)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestGoRedisServerCommands: go-redis v9 parses Herald's COMMAND, INFO,
// CONFIG and CLIENT replies, in RESP2 and RESP3.
func TestGoRedisServerCommands(t *testing.T) {
	ctx := context.Background()
	for _, proto := range []int{2, 3} {
		t.Run("RESP"+strconv.Itoa(proto), func(t *testing.T) {
			s := startServer(t, Config{})
			rdb := redis.NewClient(&redis.Options{Addr: s.Addr().String(), Protocol: proto, PoolSize: 1, DialTimeout: 2 * time.Second})
			t.Cleanup(func() { rdb.Close() })
			infos, err := rdb.Command(ctx).Result()
			if err != nil {
				t.Fatalf("COMMAND: %v", err)
			}
			if info := infos["publish"]; info == nil || info.Arity != 3 || !slices.Contains(info.Flags, "pubsub") || !slices.Contains(info.ACLFlags, "@pubsub") {
				t.Errorf("COMMAND publish: %+v", info)
			}
			if list, err := rdb.CommandList(ctx, &redis.FilterBy{Pattern: "client|*"}).Result(); err != nil || !slices.Contains(list, "client|setinfo") {
				t.Errorf("COMMAND LIST: %v %v", list, err)
			}
			if cfg, err := rdb.ConfigGet(ctx, "max*").Result(); err != nil || cfg["maxclients"] != "10000" {
				t.Errorf("CONFIG GET: %v %v", cfg, err)
			}
			if err := rdb.ConfigSet(ctx, "maxclients", "100").Err(); err != nil {
				t.Errorf("CONFIG SET: %v", err)
			}
			info, err := rdb.InfoMap(ctx, "clients", "server").Result()
			if err != nil || info["Clients"]["maxclients"] != "100" || info["Server"]["redis_version"] != Version {
				t.Errorf("INFO: %v %v", info, err)
			}
			me, err := rdb.ClientInfo(ctx).Result()
			if err != nil || me.ID == 0 || me.LastCmd != "client|info" || me.Resp != proto {
				t.Errorf("CLIENT INFO: %+v %v", me, err)
			}
			if list, err := rdb.ClientList(ctx).Result(); err != nil || !strings.Contains(list, "id="+strconv.FormatInt(me.ID, 10)+" ") {
				t.Errorf("CLIENT LIST: %q %v", list, err)
			}
			if n, err := rdb.ClientKillByFilter(ctx, "ID", "999999").Result(); err != nil || n != 0 {
				t.Errorf("CLIENT KILL: %d %v", n, err)
			}
			if now, err := rdb.Time(ctx).Result(); err != nil || time.Since(now).Abs() > time.Minute {
				t.Errorf("TIME: %v %v", now, err)
			}
			if n, err := rdb.DBSize(ctx).Result(); err != nil || n != 0 {
				t.Errorf("DBSIZE: %d %v", n, err)
			}
			if err := rdb.FlushAll(ctx).Err(); err != nil {
				t.Errorf("FLUSHALL: %v", err)
			}
		})
	}
}
