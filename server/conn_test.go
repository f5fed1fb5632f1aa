package server

import "testing"

// Under CLIENT REPLY OFF, QUIT and a protocol error still close the
// connection. This departs from redis-server 7.0, which marks such a client
// close-after-reply but, having no reply to write, leaves it open: it then
// ignores all input and keeps its subscriptions until some push is written.
// Herald closes it at once, as Redis 7.2 does for QUIT.
func TestCloseUnderReplyOff(t *testing.T) {
	s := startServer(t, Config{})
	for _, tc := range []struct {
		name string
		send []byte
	}{
		{"quit", encodeCommand("QUIT")},
		{"protocol error", []byte("*x\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, s.Addr())
			c.send("CLIENT", "REPLY", "OFF")
			c.send("SUBSCRIBE", "x")
			c.mustRead("*3\r\n$9\r\nsubscribe\r\n$1\r\nx\r\n:1\r\n")
			c.sendRaw(tc.send)
			c.expectClosed()
			waitFor(t, "the closed client's subscription to go", func() bool { return s.Broker().NumSub("x") == 0 })
		})
	}
}
