package server

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// mustMatch checks that got matches want, where each "{n}" in want stands
// for an integer (ids, ports, ages, lengths that depend on them), "{*}" for
// any text without spaces and "{...}" for the rest of a line.
func mustMatch(t *testing.T, got []byte, want string) {
	t.Helper()
	re := regexp.QuoteMeta(want)
	re = strings.ReplaceAll(re, `\{n\}`, `-?[0-9]+`)
	re = strings.ReplaceAll(re, `\{\*\}`, `[^ ]*`)
	re = strings.ReplaceAll(re, `\{\.\.\.\}`, `[^\n]*`)
	if !regexp.MustCompile(`^` + re + `$`).Match(got) {
		t.Fatalf("reply:\n got %q\nwant %q", got, want)
	}
}

// verbatim returns the RESP framing of a CLIENT LIST / INFO reply with a
// length placeholder: a bulk string in RESP2, a verbatim string in RESP3.
func verbatim(proto int, body string) string {
	if proto == 3 {
		return "={n}\r\ntxt:" + body + "\r\n"
	}
	return "${n}\r\n" + body + "\r\n"
}

func (c *testClient) clientID() int64 {
	c.t.Helper()
	c.send("CLIENT", "ID")
	return c.read().Int
}

func TestClientIDNameInfo(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		null := map[int]string{2: "$-1\r\n", 3: "_\r\n"}[proto]
		id := c.clientID()
		c.mustDo(null, "CLIENT", "GETNAME")
		c.mustDo("-ERR Client names cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETNAME", "a b")
		c.mustDo("+OK\r\n", "CLIENT", "SETNAME", "worker-1")
		c.mustDo("$8\r\nworker-1\r\n", "CLIENT", "GETNAME")
		c.mustDo("+OK\r\n", "CLIENT", "SETNAME", "")
		c.mustDo(null, "CLIENT", "GETNAME")
		c.mustDo("-ERR wrong number of arguments for 'client|id' command\r\n", "CLIENT", "ID", "x")
		c.mustDo("-ERR wrong number of arguments for 'client' command\r\n", "CLIENT")
		c.mustDo("-ERR unknown subcommand 'nope'. Try CLIENT HELP.\r\n", "CLIENT", "nope")

		local := c.conn.LocalAddr().String()
		c.send("CLIENT", "INFO")
		mustMatch(t, c.read().Bytes(), verbatim(proto, fmt.Sprintf("id=%d addr=%s laddr=%s fd={n} name= age={n} idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 "+
			"qbuf=26 qbuf-free={n} argv-mem=10 multi-mem=0 rbs={n} rbp={n} obl=0 oll=0 omem=0 tot-mem={n} events=r cmd=client|info user=default redir=-1 resp=%d\n",
			id, local, s.Addr(), proto)))

		c.mustDo("+OK\r\n", "CLIENT", "SETNAME", "me")
		c.mustDo("+OK\r\n", "SELECT", "5")
		c.mustDo("+OK\r\n", "CLIENT", "NO-EVICT", "on")
		c.mustDo("+OK\r\n", "CLIENT", "NO-TOUCH", "ON")
		c.send("CLIENT", "INFO")
		mustMatch(t, c.read().Bytes(), verbatim(proto, "id={n} addr={*} laddr={*} fd={n} name=me age={n} idle=0 flags=eT db=5 sub=0 psub=0 ssub=0 {...} cmd=client|info user=default redir=-1 resp={n}\n"))
		c.mustDo("+OK\r\n", "CLIENT", "NO-EVICT", "OFF")
		c.mustDo("+OK\r\n", "CLIENT", "NO-TOUCH", "off")
		c.mustDo("-ERR syntax error\r\n", "CLIENT", "NO-EVICT", "maybe")
		c.mustDo("-ERR syntax error\r\n", "CLIENT", "NO-TOUCH", "maybe")
		c.mustDo("-ERR wrong number of arguments for 'client|no-evict' command\r\n", "CLIENT", "NO-EVICT")
		c.send("CLIENT", "INFO")
		mustMatch(t, c.read().Bytes(), verbatim(proto, "id={n} addr={*} laddr={*} fd={n} name=me age={n} idle=0 flags=N db=5 {...}\n"))
	})
}

// TestClientSetInfo: SETINFO is accepted with Redis 7.2's semantics and
// errors (see cmdClientSetInfo).
func TestClientSetInfo(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		c.mustDo("+OK\r\n", "CLIENT", "SETINFO", "LIB-NAME", "go-redis(,go1.26)")
		c.mustDo("+OK\r\n", "CLIENT", "SETINFO", "lib-ver", "9.7.0")
		c.mustDo("+OK\r\n", "CLIENT", "SETINFO", "lib-ver", "")
		c.mustDo("-ERR Unrecognized option 'lib-nam'\r\n", "CLIENT", "SETINFO", "lib-nam", "x")
		c.mustDo("-ERR LIB-NAME cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETINFO", "LIB-NAME", "a b")
		c.mustDo("-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n", "CLIENT", "SETINFO", "lib-ver", "1\n2")
		c.mustDo("-ERR wrong number of arguments for 'client|setinfo' command\r\n", "CLIENT", "SETINFO", "lib-name")
		self := s.connByID(c.clientID())
		self.info.Lock()
		name, ver := self.info.libName, self.info.libVer
		self.info.Unlock()
		if name != "go-redis(,go1.26)" || ver != "" {
			t.Errorf("lib-name %q lib-ver %q", name, ver)
		}
	})
}

func TestClientList(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		// The other protocol's subscriber closed at its sub-test's end;
		// wait until the server has seen it go.
		waitFor(t, "the previous sub-test's clients to leave", func() bool { return len(s.connList()) == 1 })
		sub := dial(t, s.Addr())
		sub.mustDo("+OK\r\n", "CLIENT", "SETNAME", "listener")
		subID := sub.clientID()
		sub.mustDo("*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n", "SUBSCRIBE", "a")
		sub.mustDo("*3\r\n$10\r\npsubscribe\r\n$2\r\nb*\r\n:2\r\n", "PSUBSCRIBE", "b*")
		sub.mustDo("*3\r\n$10\r\nssubscribe\r\n$1\r\nc\r\n:1\r\n", "SSUBSCRIBE", "c")
		id := c.clientID()

		subLine := fmt.Sprintf("id=%d addr=%s laddr=%s fd={n} name=listener age={n} idle={n} flags=P db=0 sub=1 psub=1 ssub=1 multi=-1 "+
			"qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs={n} rbp={n} obl={n} oll={n} omem={n} tot-mem={n} events={*} cmd=ssubscribe user=default redir=-1 resp=2\n",
			subID, sub.conn.LocalAddr(), s.Addr())
		ownLine := fmt.Sprintf("id=%d addr=%s laddr=%s fd={n} name= age={n} idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 "+
			"qbuf={n} qbuf-free={n} argv-mem={n} multi-mem=0 rbs={n} rbp={n} obl=0 oll=0 omem=0 tot-mem={n} events=r cmd=client|list user=default redir=-1 resp=%d\n",
			id, c.conn.LocalAddr(), s.Addr(), proto)
		c.send("CLIENT", "LIST", "TYPE", "pubsub")
		mustMatch(t, c.read().Bytes(), verbatim(proto, subLine))
		c.send("CLIENT", "LIST", "type", "NORMAL")
		mustMatch(t, c.read().Bytes(), verbatim(proto, ownLine))
		c.send("CLIENT", "LIST")
		mustMatch(t, c.read().Bytes(), verbatim(proto, ownLine+subLine))
		c.send("CLIENT", "LIST", "ID", strconv.FormatInt(id, 10), "999999", strconv.FormatInt(subID, 10))
		mustMatch(t, c.read().Bytes(), verbatim(proto, ownLine+subLine))

		empty := map[int]string{2: "$0\r\n\r\n", 3: "=4\r\ntxt:\r\n"}[proto]
		c.mustDo(empty, "CLIENT", "LIST", "TYPE", "master")
		c.mustDo(empty, "CLIENT", "LIST", "TYPE", "replica")
		c.mustDo(empty, "CLIENT", "LIST", "ID", "0", "-1")
		c.mustDo("-ERR Unknown client type 'foo'\r\n", "CLIENT", "LIST", "TYPE", "foo")
		c.mustDo("-ERR Invalid client ID\r\n", "CLIENT", "LIST", "ID", "1", "x")
		c.mustDo("-ERR syntax error\r\n", "CLIENT", "LIST", "ID")
		c.mustDo("-ERR syntax error\r\n", "CLIENT", "LIST", "TYPE")
		c.mustDo("-ERR syntax error\r\n", "CLIENT", "LIST", "TYPE", "normal", "ID", "1")
		c.mustDo("-ERR syntax error\r\n", "CLIENT", "LIST", "foo")
	})
}

// TestClientKill covers both forms; the killed client sees its connection
// closed, and is gone from CLIENT LIST and the broker by the time KILL
// replies.
func TestClientKill(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		victim := dial(t, s.Addr())
		victim.mustDo("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", "SUBSCRIBE", "news")
		addr := victim.conn.LocalAddr().String()
		c.mustDo("+OK\r\n", "CLIENT", "KILL", addr)
		victim.expectClosed()
		c.mustDo("*2\r\n$4\r\nnews\r\n:0\r\n", "PUBSUB", "NUMSUB", "news")
		c.mustDo("-ERR No such client\r\n", "CLIENT", "KILL", addr)

		byID := dial(t, s.Addr())
		c.mustDo(":1\r\n", "CLIENT", "KILL", "ID", strconv.FormatInt(byID.clientID(), 10))
		byID.expectClosed()

		subscriber, normal := dial(t, s.Addr()), dial(t, s.Addr())
		subscriber.mustDo("*3\r\n$10\r\nssubscribe\r\n$1\r\ns\r\n:1\r\n", "SSUBSCRIBE", "s")
		normal.mustDo("+PONG\r\n", "PING")
		c.mustDo(":1\r\n", "CLIENT", "KILL", "TYPE", "pubsub")
		subscriber.expectClosed()
		c.mustDo(":1\r\n", "CLIENT", "KILL", "TYPE", "normal", "USER", "default")
		normal.expectClosed()
		c.mustDo("+PONG\r\n", "PING") // SKIPME yes by default

		other := dial(t, s.Addr())
		other.mustDo("+PONG\r\n", "PING")
		c.mustDo(":0\r\n", "CLIENT", "KILL", "ADDR", addr)
		c.mustDo(":0\r\n", "CLIENT", "KILL", "LADDR", "1.2.3.4:5")
		c.mustDo(":0\r\n", "CLIENT", "KILL", "ADDR", other.conn.LocalAddr().String(), "LADDR", "1.2.3.4:5")
		c.mustDo(":1\r\n", "CLIENT", "KILL", "ADDR", other.conn.LocalAddr().String(), "LADDR", s.Addr().String())
		other.expectClosed()
		c.send("CLIENT", "LIST")
		mustMatch(t, c.read().Bytes(), verbatim(proto, "id={n} {...}\n"))

		for _, tc := range []struct {
			want string
			args []string
		}{
			{"-ERR client-id should be greater than 0\r\n", []string{"ID", "0"}},
			{"-ERR client-id should be greater than 0\r\n", []string{"ID", "x"}},
			{"-ERR Unknown client type 'foo'\r\n", []string{"TYPE", "foo"}},
			{"-ERR No such user 'nobody'\r\n", []string{"USER", "nobody"}},
			{"-ERR syntax error\r\n", []string{"SKIPME", "maybe"}},
			{"-ERR syntax error\r\n", []string{"MAXAGE", "10"}},
			{"-ERR syntax error\r\n", []string{"ID", "5", "ID"}},
			{"-ERR No such client\r\n", []string{"ID"}},
			{"-ERR wrong number of arguments for 'client|kill' command\r\n", nil},
		} {
			c.mustDo(tc.want, append([]string{"CLIENT", "KILL"}, tc.args...)...)
		}
	})
}

// TestClientKillSelf: the old form and SKIPME no kill the caller after its
// reply.
func TestClientKillSelf(t *testing.T) {
	s := startServer(t, Config{})
	c := dial(t, s.Addr())
	c.mustDo("+OK\r\n", "CLIENT", "KILL", c.conn.LocalAddr().String())
	c.expectClosed()

	c = dial(t, s.Addr())
	c.mustDo(":1\r\n", "CLIENT", "KILL", "ID", strconv.FormatInt(c.clientID(), 10), "SKIPME", "no")
	c.expectClosed()
	waitFor(t, "the killed clients to go", func() bool { return len(s.connList()) == 0 })
}

// TestClientReply: OFF and SKIP drop replies, but subscribe acks and
// messages still arrive.
func TestClientReply(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, c *testClient, proto int) {
		push := map[int]string{2: "*", 3: ">"}[proto]
		pub := dial(t, s.Addr())
		c.send("CLIENT", "REPLY", "OFF")
		c.send("PING")
		c.mustDo(push+"3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n", "SUBSCRIBE", "x")
		pub.mustDo(":1\r\n", "PUBLISH", "x", "hi")
		c.mustRead(push + "3\r\n$7\r\nmessage\r\n$1\r\nx\r\n$2\r\nhi\r\n")
		c.mustDo(push+"3\r\n$11\r\nunsubscribe\r\n$1\r\nx\r\n:0\r\n", "UNSUBSCRIBE")
		c.send("CLIENT", "REPLY", "SKIP") // ignored while OFF
		c.mustDo("+OK\r\n", "CLIENT", "REPLY", "ON")
		c.send("CLIENT", "REPLY", "SKIP")
		c.send("ECHO", "skipped")
		c.mustDo("$4\r\nseen\r\n", "ECHO", "seen")
		c.mustDo("-ERR syntax error\r\n", "CLIENT", "REPLY", "maybe")
	})
}
