package gateway

import (
	"strings"
	"testing"
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
