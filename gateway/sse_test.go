package gateway

import (
	"bytes"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The stream opens with ready once subscribed; messages published over RESP
// arrive as events with increasing ids, the channel and pattern in a JSON
// first line, multi-line payloads over several data lines and binary ones
// in base64.
func TestSSEReceivesRESPPublish(t *testing.T) {
	e := start(t, Config{})
	c := e.dialSSE(t, "channel=news&channel=sport&pattern=orders:*")
	ready := c.event("ready")
	if ready.id != "1" || ready.data != `{"channels":["news","sport"],"patterns":["orders:*"]}` {
		t.Fatalf("ready event %+v", ready)
	}
	rdb := e.redis(t)
	if n, err := rdb.Publish(ctx(t), "news", "line one\nline two").Result(); err != nil || n != 1 {
		t.Fatalf("PUBLISH: %d, %v", n, err)
	}
	h, payload, id := c.message()
	if h["channel"] != "news" || h["pattern"] != nil || payload != "line one\nline two" || id != "2" {
		t.Fatalf("message %v %q id %s", h, payload, id)
	}
	rdb.Publish(ctx(t), "orders:42", "shipped")
	h, payload, id = c.message()
	if h["channel"] != "orders:42" || h["pattern"] != "orders:*" || payload != "shipped" || id != "3" {
		t.Fatalf("pattern message %v %q id %s", h, payload, id)
	}
	for _, bin := range [][]byte{{0xff, 0, 1}, []byte("a\r\nb")} {
		rdb.Publish(ctx(t), "sport", bin)
		h, payload, _ = c.message()
		got, err := base64.StdEncoding.DecodeString(payload)
		if h["encoding"] != "base64" || err != nil || !bytes.Equal(got, bin) {
			t.Fatalf("binary message %v %q", h, payload)
		}
	}
	rdb.Publish(ctx(t), "sport", "")
	if h, payload, _ = c.message(); h["channel"] != "sport" || payload != "" {
		t.Fatalf("empty message %v %q", h, payload)
	}
}

// HTTP and WebSocket publishes reach SSE subscribers too.
func TestSSEReceivesGatewayPublish(t *testing.T) {
	e := start(t, Config{})
	c := e.dialSSE(t, "channel=news")
	c.event("ready")
	w := e.dialWS(t)
	if got := w.ack(map[string]any{"id": 1, "type": "publish", "channel": "news", "data": "from ws"}); got["receivers"] != 1.0 {
		t.Fatalf("publish ack %v", got)
	}
	if _, payload, _ := c.message(); payload != "from ws" {
		t.Fatalf("got %q", payload)
	}
	if n := postPublish(t, e, "news", "from http"); n != 1 {
		t.Fatalf("HTTP publish counted %d", n)
	}
	if _, payload, _ := c.message(); payload != "from http" {
		t.Fatalf("got %q", payload)
	}
}

// A client reconnecting with Last-Event-ID first gets a gap event, and ids
// continue from where it was.
func TestSSELastEventID(t *testing.T) {
	e := start(t, Config{})
	c := e.dialSSE(t, "channel=news", "Last-Event-ID: 41")
	gap := c.event("gap")
	if gap.data != `{"last_event_id":"41"}` {
		t.Fatalf("gap event %+v", gap)
	}
	if ready := c.event("ready"); ready.id != "42" {
		t.Fatalf("ready event %+v, want id 42", ready)
	}
	e.redis(t).Publish(ctx(t), "news", "x")
	if _, _, id := c.message(); id != "43" {
		t.Fatalf("message id %s, want 43", id)
	}
}

// Heartbeats are comment lines.
func TestSSEHeartbeat(t *testing.T) {
	e := start(t, Config{Heartbeat: 20 * time.Millisecond})
	c := e.dialSSE(t, "channel=news")
	c.event("ready")
	ev, err := c.next()
	if err != nil || ev.comment != "heartbeat" {
		t.Fatalf("got %+v, %v; want a heartbeat", ev, err)
	}
}

// Bad requests are refused before the stream opens.
func TestSSEBadRequests(t *testing.T) {
	e := start(t, Config{})
	for _, q := range []string{"", "channel=", "pattern="} {
		_, status := e.dialSSEStatus(t, q)
		if !strings.Contains(status, " 400 ") {
			t.Errorf("GET /sse?%s: %s", q, status)
		}
	}
}

// A client that leaves is unsubscribed.
func TestSSEDisconnect(t *testing.T) {
	e := start(t, Config{})
	c := e.dialSSE(t, "channel=news&pattern=n*")
	c.event("ready")
	c.nc.Close()
	rdb := e.redis(t)
	eventually(t, "the subscriptions to go", func() bool {
		n, _ := rdb.Publish(ctx(t), "news", "x").Result()
		return n == 0 && e.gw.Clients() == 0
	})
}

func TestAppendSSEData(t *testing.T) {
	for in, want := range map[string]string{
		"":        "data: \n\n",
		"a":       "data: a\n\n",
		"a\nb":    "data: a\ndata: b\n\n",
		"a\n":     "data: a\ndata: \n\n",
		" x\n\ny": "data:  x\ndata: \ndata: y\n\n",
	} {
		if got := string(appendSSEData(nil, []byte(in))); got != want {
			t.Errorf("appendSSEData(%s) = %q, want %q", strconv.Quote(in), got, want)
		}
	}
}
