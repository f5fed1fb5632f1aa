package gateway

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gobwas/ws"
)

// TestSubscriptionLimits: a WebSocket subscribe or psubscribe that would
// take a client past MaxSubscriptionsPerClient is refused whole with code
// too_many, names held and repeated not counting; a pattern longer than
// MaxPatternLen is refused with too_large; what the client holds stays.
// SSE requests past either limit get 400.
func TestSubscriptionLimits(t *testing.T) {
	e := start(t, Config{MaxSubscriptionsPerClient: 3, MaxPatternLen: 8})
	c := e.dialWS(t)
	c.ack(map[string]any{"id": 1, "type": "subscribe", "channels": []string{"a", "b"}})
	c.ack(map[string]any{"id": 2, "type": "subscribe", "channels": []string{"a", "c", "c"}})
	for i, req := range []map[string]any{
		{"type": "subscribe", "channel": "d"},
		{"type": "subscribe", "channels": []string{"a", "d"}},
		{"type": "psubscribe", "pattern": "p*"},
	} {
		req["id"] = 10 + i
		if m := c.do(req); m["type"] != "error" || m["code"] != "too_many" {
			t.Errorf("%v: got %v, want error too_many", req, m)
		}
	}
	c.ack(map[string]any{"id": 20, "type": "unsubscribe", "channel": "b"})
	if m := c.do(map[string]any{"id": 21, "type": "psubscribe", "pattern": "123456789"}); m["type"] != "error" || m["code"] != "too_large" {
		t.Errorf("a 9-byte pattern: got %v, want error too_large", m)
	}
	c.ack(map[string]any{"id": 22, "type": "psubscribe", "pattern": "1234567*"})
	if n := e.srv.Broker().NumSub("c"); n != 1 {
		t.Errorf("NUMSUB c = %d after the refusals, want 1", n)
	}

	for _, q := range []string{"channel=a&channel=b&channel=c&pattern=x*", "pattern=" + strings.Repeat("x", 9)} {
		if _, status := e.dialSSEStatus(t, q); !strings.Contains(status, " 400 ") {
			t.Errorf("GET /sse?%s: %s", q, status)
		}
	}
	e.dialSSE(t, "channel=a&channel=a&channel=b&pattern=x*")

	// By default patterns are bounded at 1024 bytes and subscriptions not.
	d := start(t, Config{})
	w := d.dialWS(t)
	if m := w.do(map[string]any{"id": 1, "type": "psubscribe", "pattern": strings.Repeat("x", 1025)}); m["code"] != "too_large" {
		t.Errorf("a 1025-byte pattern: got %v", m)
	}
	many := make([]string, 5000)
	for i := range many {
		many[i] = "ch" + itoa(int64(i))
	}
	w.ack(map[string]any{"id": 2, "type": "subscribe", "channels": many})
}

// TestSubscriptionLimitsLive: with Config.SubscriptionLimits the limits
// in force at each subscribe apply, and zero means none for both.
func TestSubscriptionLimitsLive(t *testing.T) {
	var maxSubs, maxPattern atomic.Int64
	maxSubs.Store(1)
	e := start(t, Config{
		MaxSubscriptionsPerClient: 100, // overridden
		SubscriptionLimits:        func() (int, int) { return int(maxSubs.Load()), int(maxPattern.Load()) },
	})
	c := e.dialWS(t)
	c.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "a"})
	if m := c.do(map[string]any{"id": 2, "type": "subscribe", "channel": "b"}); m["code"] != "too_many" {
		t.Fatalf("a second channel under a limit of 1: got %v, want too_many", m)
	}
	maxSubs.Store(3)
	c.ack(map[string]any{"id": 3, "type": "subscribe", "channel": "b"})
	long := strings.Repeat("x", 2000) // past DefaultMaxPatternLen: zero is no limit here
	c.ack(map[string]any{"id": 4, "type": "psubscribe", "pattern": long})
	maxSubs.Store(0)
	maxPattern.Store(4)
	if m := c.do(map[string]any{"id": 5, "type": "psubscribe", "pattern": "abcd*"}); m["code"] != "too_large" {
		t.Fatalf("a 5-byte pattern under a limit of 4: got %v, want too_large", m)
	}
	c.ack(map[string]any{"id": 6, "type": "subscribe", "channels": []string{"c", "d", "e"}})
	if _, status := e.dialSSEStatus(t, "pattern=abcd*"); !strings.Contains(status, " 400 ") {
		t.Errorf("SSE with a 5-byte pattern under a limit of 4: %s", status)
	}
}

// TestMaxClients: past MaxClients WebSocket and SSE clients get 503 with
// code too_many before any upgrade, counted; once a client leaves, a new
// one is accepted.
func TestMaxClients(t *testing.T) {
	e := start(t, Config{MaxClients: 2})
	first := e.dialWS(t)
	first.ack(map[string]any{"id": 1, "type": "ping"})
	e.dialSSE(t, "channel=a")
	eventually(t, "two clients", func() bool { return e.gw.Clients() == 2 })

	url := "ws" + strings.TrimPrefix(e.http.URL, "http") + "/ws"
	_, _, _, err := ws.Dial(ctx(t), url)
	var status ws.StatusError
	if !errors.As(err, &status) || int(status) != http.StatusServiceUnavailable {
		t.Fatalf("a third WebSocket: %v, want 503", err)
	}
	if _, st := e.dialSSEStatus(t, "channel=a"); !strings.Contains(st, " 503 ") {
		t.Fatalf("a third SSE client: %s", st)
	}
	resp, err := http.Get(e.http.URL + "/sse?channel=a")
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]string
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if body["code"] != "too_many" || body["error"] != "max number of clients reached" {
		t.Errorf("refusal body %v", body)
	}
	if n := e.gw.Stats().RejectedClients.Load(); n != 3 {
		t.Errorf("RejectedClients = %d, want 3", n)
	}
	first.ack(map[string]any{"id": 2, "type": "ping"}) // the clients in are served

	first.nc.Close()
	eventually(t, "the WebSocket client to leave", func() bool { return e.gw.Clients() == 1 })
	e.dialWS(t).ack(map[string]any{"id": 1, "type": "ping"})
}
