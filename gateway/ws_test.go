package gateway

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
)

// Messages published over RESP reach WebSocket subscribers of the channel
// and of matching patterns, and the RESP PUBLISH counts them.
func TestWebSocketReceivesRESPPublish(t *testing.T) {
	e := start(t, Config{})
	c := e.dialWS(t)
	if got := c.ack(map[string]any{"id": 1, "type": "subscribe", "channels": []string{"news", "sport"}}); got["count"] != 2.0 {
		t.Fatalf("subscribe ack %v, want count 2", got)
	}
	if got := c.ack(map[string]any{"id": "p", "type": "psubscribe", "pattern": "orders:*"}); got["count"] != 3.0 || got["id"] != "p" {
		t.Fatalf("psubscribe ack %v", got)
	}
	rdb := e.redis(t)
	if n, err := rdb.Publish(ctx(t), "news", "hello").Result(); err != nil || n != 1 {
		t.Fatalf("PUBLISH news: %d, %v", n, err)
	}
	if m := c.message(); m["channel"] != "news" || m["data"] != "hello" || m["pattern"] != nil {
		t.Fatalf("message %v", m)
	}
	if n, _ := rdb.Publish(ctx(t), "orders:42", `{"status":"shipped"}`).Result(); n != 1 {
		t.Fatalf("PUBLISH orders:42 counted %d", n)
	}
	if m := c.message(); m["channel"] != "orders:42" || m["pattern"] != "orders:*" || m["data"] != `{"status":"shipped"}` {
		t.Fatalf("pattern message %v", m)
	}
	// A payload that is not UTF-8 arrives intact as data_b64.
	bin := []byte{0xff, 0x00, 0xfe, 'x'}
	rdb.Publish(ctx(t), "sport", bin)
	m := c.message()
	got, err := base64.StdEncoding.DecodeString(m["data_b64"].(string))
	if err != nil || !bytes.Equal(got, bin) || m["data"] != nil {
		t.Fatalf("binary message %v", m)
	}
	if got := c.ack(map[string]any{"id": 2, "type": "unsubscribe", "channel": "news"}); got["count"] != 2.0 {
		t.Fatalf("unsubscribe ack %v", got)
	}
	if got := c.ack(map[string]any{"id": 3, "type": "punsubscribe", "patterns": []string{"orders:*"}}); got["count"] != 1.0 {
		t.Fatalf("punsubscribe ack %v", got)
	}
	if n, _ := rdb.Publish(ctx(t), "news", "gone").Result(); n != 0 {
		t.Fatalf("PUBLISH after unsubscribe counted %d", n)
	}
	// Without names, as Redis's UNSUBSCRIBE and PUNSUBSCRIBE: every name of
	// the kind; with none left, an ack all the same.
	c.ack(map[string]any{"id": 4, "type": "subscribe", "channels": []string{"a", "b"}})
	c.ack(map[string]any{"id": 5, "type": "psubscribe", "pattern": "p:*"})
	if got := c.ack(map[string]any{"id": 6, "type": "unsubscribe"}); got["count"] != 1.0 {
		t.Fatalf("unsubscribe from all channels acked %v, want count 1 (the pattern)", got)
	}
	if got := c.ack(map[string]any{"id": 7, "type": "unsubscribe"}); got["count"] != 1.0 {
		t.Fatalf("unsubscribe with no channel held acked %v, want count 1", got)
	}
	if got := c.ack(map[string]any{"id": 8, "type": "punsubscribe"}); got["count"] != 0.0 {
		t.Fatalf("punsubscribe from all patterns acked %v, want count 0", got)
	}
	if n, _ := rdb.PubSubNumSub(ctx(t), "sport", "a").Result(); n["sport"] != 0 || n["a"] != 0 {
		t.Fatalf("after unsubscribing from all, NUMSUB %v", n)
	}
}

// A WebSocket publish reaches RESP subscribers, and its ack counts them.
func TestWebSocketPublishReachesRESP(t *testing.T) {
	e := start(t, Config{})
	rdb := e.redis(t)
	sub := rdb.Subscribe(ctx(t), "news")
	defer sub.Close()
	if _, err := sub.Receive(ctx(t)); err != nil { // the subscribe confirmation
		t.Fatal(err)
	}
	c := e.dialWS(t)
	if got := c.ack(map[string]any{"id": 7, "type": "publish", "channel": "news", "data": "héllo\nworld"}); got["receivers"] != 1.0 {
		t.Fatalf("publish ack %v", got)
	}
	msg, err := sub.ReceiveMessage(ctx(t))
	if err != nil || msg.Channel != "news" || msg.Payload != "héllo\nworld" {
		t.Fatalf("RESP got %+v, %v", msg, err)
	}
	bin := []byte{0, 1, 0xff}
	c.ack(map[string]any{"id": 8, "type": "publish", "channel": "news", "data_b64": base64.StdEncoding.EncodeToString(bin)})
	msg, err = sub.ReceiveMessage(ctx(t))
	if err != nil || msg.Payload != string(bin) {
		t.Fatalf("RESP got %+v, %v", msg, err)
	}
	if got := c.ack(map[string]any{"id": 9, "type": "publish", "channel": "nobody", "data": ""}); got["receivers"] != 0.0 {
		t.Fatalf("publish to no one: %v", got)
	}
}

// Bad requests get an error reply with the request's id, and the
// connection keeps working.
func TestWebSocketRequestErrors(t *testing.T) {
	e := start(t, Config{})
	c := e.dialWS(t)
	for _, tc := range []struct {
		req  string
		code string
	}{
		{`not json`, codeBadJSON},
		{`[1,2]`, codeBadJSON},
		{`{"id":1}`, codeBadRequest},
		{`{"id":2,"type":"shout"}`, codeUnknownType},
		{`{"id":3,"type":"subscribe"}`, codeBadRequest},
		{`{"id":4,"type":"subscribe","channels":["a",""]}`, codeBadRequest},
		{`{"id":5,"type":"psubscribe","channels":["a"]}`, codeBadRequest},
		{`{"id":6,"type":"publish","data":"x"}`, codeBadRequest},
		{`{"id":7,"type":"publish","channel":"a"}`, codeBadRequest},
		{`{"id":8,"type":"publish","channel":"a","data":"x","data_b64":"eA=="}`, codeBadRequest},
		{`{"id":9,"type":"publish","channel":"a","data_b64":"!!"}`, codeBadRequest},
		{`{"id":10,"type":"unsubscribe","channels":[""]}`, codeBadRequest},
		{`{"id":11,"type":"subscribe","channels":"a"}`, codeBadJSON},
	} {
		c.sendRaw(ws.OpText, []byte(tc.req))
		m, err := c.next()
		if err != nil {
			t.Fatalf("%s: %v", tc.req, err)
		}
		if m["type"] != "error" || m["code"] != tc.code || m["text"] == "" {
			t.Errorf("%s: got %v, want error %s", tc.req, m, tc.code)
		}
		if strings.Contains(tc.req, `"id":`) && !strings.Contains(tc.req, `"channels":"a"`) && m["id"] == nil {
			t.Errorf("%s: reply %v has no id", tc.req, m)
		}
	}
	// Binary frames carry requests too; the connection still works.
	c.sendRaw(ws.OpBinary, []byte(`{"id":"b","type":"ping"}`))
	if m, err := c.next(); err != nil || m["type"] != "ack" || m["id"] != "b" {
		t.Fatalf("ping in a binary frame: %v, %v", m, err)
	}
	c.ack(map[string]any{"id": 12, "type": "ping"})
}

// Protocol violations close the connection with the code that names them.
func TestWebSocketProtocolViolations(t *testing.T) {
	e := start(t, Config{MaxMessageBytes: 1024})
	t.Run("InvalidUTF8", func(t *testing.T) {
		c := e.dialWS(t)
		c.sendRaw(ws.OpText, []byte("{\"id\":1,\"type\":\"ping\",\"x\":\"\xff\"}"))
		if code, _ := c.closed(); code != ws.StatusInvalidFramePayloadData {
			t.Fatalf("close code %d, want 1007", code)
		}
	})
	t.Run("Oversized", func(t *testing.T) {
		c := e.dialWS(t)
		c.sendRaw(ws.OpText, bytes.Repeat([]byte("x"), 2000))
		if code, reason := c.closed(); code != ws.StatusMessageTooBig || !strings.Contains(reason, "1024") {
			t.Fatalf("close %d %q, want 1009", code, reason)
		}
	})
	t.Run("OversizedFragmented", func(t *testing.T) {
		c := e.dialWS(t)
		for i := 0; i < 3; i++ {
			op := ws.OpContinuation
			if i == 0 {
				op = ws.OpText
			}
			f := ws.MaskFrame(ws.NewFrame(op, false, bytes.Repeat([]byte("x"), 500)))
			if err := ws.WriteFrame(c.nc, f); err != nil {
				break // the server may close before the last fragment
			}
		}
		if code, _ := c.closed(); code != ws.StatusMessageTooBig {
			t.Fatalf("close code %d, want 1009", code)
		}
	})
	t.Run("Unmasked", func(t *testing.T) {
		c := e.dialWS(t)
		ws.WriteFrame(c.nc, ws.NewTextFrame([]byte(`{"type":"ping"}`)))
		if code, _ := c.closed(); code != ws.StatusProtocolError {
			t.Fatalf("close code %d, want 1002", code)
		}
	})
	t.Run("ClientClose", func(t *testing.T) {
		c := e.dialWS(t)
		f := ws.MaskFrame(ws.NewCloseFrame(ws.NewCloseFrameBody(ws.StatusNormalClosure, "bye")))
		ws.WriteFrame(c.nc, f)
		if code, _ := c.closed(); code != ws.StatusNormalClosure {
			t.Fatalf("close code %d, want 1000", code)
		}
	})
	t.Run("PingPong", func(t *testing.T) {
		c := e.dialWS(t)
		ws.WriteFrame(c.nc, ws.MaskFrame(ws.NewPingFrame([]byte("hi"))))
		c.nc.SetReadDeadline(time.Now().Add(waitTimeout))
		f, err := ws.ReadFrame(c.rw)
		if err != nil || f.Header.OpCode != ws.OpPong || string(f.Payload) != "hi" {
			t.Fatalf("got %+v, %v; want pong hi", f.Header, err)
		}
	})
	eventually(t, "every client to be gone", func() bool { return e.gw.Clients() == 0 })
}

// A client that disconnects abruptly is unsubscribed and forgotten.
func TestWebSocketAbruptDisconnect(t *testing.T) {
	e := start(t, Config{})
	c := e.dialWS(t)
	c.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "news"})
	c.ack(map[string]any{"id": 2, "type": "psubscribe", "pattern": "n*"})
	c.nc.Close()
	rdb := e.redis(t)
	eventually(t, "the subscriptions to go", func() bool {
		n, _ := rdb.Publish(ctx(t), "news", "x").Result()
		return n == 0 && e.gw.Clients() == 0
	})
}

// A client that sends nothing, not even pongs, is closed after IdleTimeout.
func TestWebSocketIdleTimeout(t *testing.T) {
	e := start(t, Config{Heartbeat: -1, IdleTimeout: 50 * time.Millisecond})
	c := e.dialWS(t)
	c.closed()
	eventually(t, "the client to be gone", func() bool { return e.gw.Clients() == 0 })
}

// Heartbeats are WebSocket pings.
func TestWebSocketHeartbeat(t *testing.T) {
	e := start(t, Config{Heartbeat: 20 * time.Millisecond})
	c := e.dialWS(t)
	c.nc.SetReadDeadline(time.Now().Add(waitTimeout))
	f, err := ws.ReadFrame(c.rw)
	if err != nil || f.Header.OpCode != ws.OpPing {
		t.Fatalf("got %+v, %v; want a ping", f.Header, err)
	}
}
