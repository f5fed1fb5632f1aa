package server

import (
	"strconv"
	"testing"
)

// helloReply is HELLO's reply as redis-server 7.0.15 writes it, for a
// client with the given id: a map in RESP3, a flat array in RESP2.
func helloReply(proto int, id int64) string {
	head := "*14\r\n"
	if proto == 3 {
		head = "%7\r\n"
	}
	return head + "$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n" +
		"$5\r\nproto\r\n:" + strconv.Itoa(proto) + "\r\n$2\r\nid\r\n:" + strconv.FormatInt(id, 10) + "\r\n" +
		"$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n"
}

// TestConnectionReplies checks the connection commands' replies byte for
// byte without a redis-server (the bytes are redis-server 7.0.15's;
// TestDiffConnection compares many more cases with a live one): HELLO's
// map with a Redis version, its errors and options, AUTH with no password
// set, SELECT, RESET leaving subscribed mode, and QUIT.
func TestConnectionReplies(t *testing.T) {
	s := startServer(t, Config{})
	c, other := dial(t, s.Addr()), dial(t, s.Addr())
	c.send("CLIENT", "ID")
	id := c.read().Int

	c.mustDo(helloReply(2, id), "HELLO")
	c.mustDo("-NOPROTO unsupported protocol version\r\n", "HELLO", "4")
	c.mustDo(helloReply(3, id), "HELLO", "3", "SETNAME", "n1")
	c.mustDo("$2\r\nn1\r\n", "CLIENT", "GETNAME")
	c.mustDo(helloReply(2, id), "HELLO", "2", "AUTH", "default", "x")
	c.mustDo("-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n", "AUTH", "x")
	c.mustDo("+OK\r\n", "AUTH", "default", "x")
	c.mustDo("-ERR DB index is out of range\r\n", "SELECT", "16")
	c.mustDo("+OK\r\n", "SELECT", "15")
	c.mustDo("*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n", "SUBSCRIBE", "x")
	c.mustDo("+RESET\r\n", "RESET")
	other.mustDo("*2\r\n$1\r\nx\r\n:0\r\n", "PUBSUB", "NUMSUB", "x")
	c.mustDo("+PONG\r\n", "PING")
	c.mustDo("$-1\r\n", "CLIENT", "GETNAME")
	c.mustDo("-ERR wrong number of arguments for 'echo' command\r\n", "ECHO")
	c.mustDo("-ERR unknown command 'NOPE', with args beginning with: 'a' \r\n", "NOPE", "a")
	c.mustDo("+OK\r\n", "QUIT")
	c.expectClosed()
}
