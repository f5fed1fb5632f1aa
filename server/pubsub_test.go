package server

import "testing"

func TestSubscribePublish(t *testing.T) {
	s := startServer(t, Config{})
	protocols(t, s, func(t *testing.T, sub *testClient, proto int) {
		push := "*"
		if proto == 3 {
			push = ">"
		}
		pub := dial(t, s.Addr())
		sub.mustDo(push+"3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", "SUBSCRIBE", "news")
		sub.mustDo(push+"3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:2\r\n", "PSUBSCRIBE", "n*")
		pub.mustDo(":2\r\n", "PUBLISH", "news", "hello")
		sub.mustRead(push + "3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n")
		sub.mustRead(push + "4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$5\r\nhello\r\n")
		pub.mustDo(":0\r\n", "SPUBLISH", "news", "x")
		sub.mustDo(push+"3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n", "UNSUBSCRIBE")
		sub.mustDo(push+"3\r\n$12\r\npunsubscribe\r\n$2\r\nn*\r\n:0\r\n", "PUNSUBSCRIBE")
		null := "$-1\r\n"
		if proto == 3 {
			null = "_\r\n"
		}
		sub.mustDo(push+"3\r\n$11\r\nunsubscribe\r\n"+null+":0\r\n", "UNSUBSCRIBE")
		sub.mustDo("+PONG\r\n", "PING")
	})
}
