package gateway

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gobwas/ws"
	"github.com/heraldhq/herald/broker"
)

// A WebSocket client whose queue passes MaxQueueBytes within one batch of
// publishes is closed with 1008 and a reason; the others are unaffected.
func TestSlowWebSocketClosedWithReason(t *testing.T) {
	e := start(t, Config{MaxQueueBytes: 4096})
	slow := e.dialWS(t)
	slow.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "flood"})
	calm := e.dialWS(t)
	calm.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "calm"})

	var batch broker.Batch
	payload := bytes.Repeat([]byte("x"), 100)
	for i := 0; i < 100; i++ {
		e.srv.Broker().Publish([]byte("flood"), payload, &batch)
	}
	batch.Flush()
	if code, reason := slow.closed(); code != ws.StatusPolicyViolation || !strings.Contains(reason, "slow consumer") {
		t.Fatalf("close %d %q, want 1008 slow consumer", code, reason)
	}
	if n := e.gw.Stats().SlowConsumerDisconnects.Load(); n != 1 {
		t.Fatalf("%d slow-consumer disconnects counted, want 1", n)
	}
	rdb := e.redis(t)
	rdb.Publish(ctx(t), "calm", "still here")
	if m := calm.message(); m["data"] != "still here" {
		t.Fatalf("calm client got %v", m)
	}
	eventually(t, "the slow client to go", func() bool { return e.gw.Clients() == 1 })
}

// A client that stops reading fills its socket, then its queue, and is
// disconnected; publishing never waits for it.
func TestSlowClientsDisconnected(t *testing.T) {
	e := start(t, Config{MaxQueueBytes: 64 << 10})
	w := e.dialWS(t)
	w.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "flood"})
	s := e.dialSSE(t, "channel=flood")
	s.event("ready")
	calm := e.dialSSE(t, "channel=calm")
	calm.event("ready")

	payload := bytes.Repeat([]byte("y"), 16<<10)
	for i := 0; i < 4000 && e.gw.Stats().SlowConsumerDisconnects.Load() < 2; i++ {
		e.gw.bus.Publish(context.Background(), "flood", payload)
	}
	if n := e.gw.Stats().SlowConsumerDisconnects.Load(); n != 2 {
		t.Fatalf("%d slow-consumer disconnects, want 2", n)
	}
	eventually(t, "the slow clients to go", func() bool { return e.gw.Clients() == 1 })
	e.redis(t).Publish(ctx(t), "calm", "ok")
	if _, payload, _ := calm.message(); payload != "ok" {
		t.Fatalf("calm client got %q", payload)
	}
}

// Shutdown closes WebSocket clients with 1001 and ends SSE streams with a
// close event.
func TestShutdownClosesClients(t *testing.T) {
	e := start(t, Config{})
	w := e.dialWS(t)
	w.ack(map[string]any{"id": 1, "type": "ping"})
	s := e.dialSSE(t, "channel=a")
	s.event("ready")
	if err := e.gw.Shutdown(ctx(t)); err != nil {
		t.Fatal(err)
	}
	if code, _ := w.closed(); code != ws.StatusGoingAway {
		t.Fatalf("close code %d, want 1001", code)
	}
	if ev := s.event("close"); ev.data != `{"reason":"server shutting down"}` {
		t.Fatalf("close event %+v", ev)
	}
	if e.gw.Clients() != 0 {
		t.Fatal("clients left after Shutdown")
	}
}
