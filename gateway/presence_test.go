package gateway

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/broker"
	"github.com/redis/go-redis/v9"
)

// presenceSub subscribes a RESP client to channel's companion channel.
func presenceSub(t *testing.T, e *env, channel string) *redis.PubSub {
	t.Helper()
	sub := e.redis(t).Subscribe(ctx(t), PresencePrefix+channel)
	t.Cleanup(func() { sub.Close() })
	if _, err := sub.Receive(ctx(t)); err != nil {
		t.Fatal(err)
	}
	return sub
}

// wantEvent reads the next presence event from a RESP subscriber.
func wantEvent(t *testing.T, sub *redis.PubSub, event, channel, id string) {
	t.Helper()
	msg, err := sub.ReceiveMessage(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"event":"` + event + `","channel":"` + channel + `","id":"` + id + `"}`
	if msg.Channel != PresencePrefix+channel || msg.Payload != want {
		t.Fatalf("got %s %s, want %s%s %s", msg.Channel, msg.Payload, PresencePrefix, channel, want)
	}
}

// wantMembers checks GET /presence/{channel}.
func wantMembers(t *testing.T, e *env, channel string, want ...string) {
	t.Helper()
	var out struct {
		Channel string
		Members []string
	}
	if status := getJSON(t, e.http.URL+"/presence/"+channel, &out); status != http.StatusOK {
		t.Fatalf("GET /presence/%s: %d", channel, status)
	}
	if want == nil {
		want = []string{}
	}
	if out.Channel != channel || !slices.Equal(out.Members, want) || out.Members == nil {
		t.Fatalf("GET /presence/%s: %+v, want members %q", channel, out, want)
	}
}

// Join and leave are acked with the identity, change GET /presence and
// reach RESP, WebSocket and SSE subscribers of the companion channel.
func TestPresenceJoinLeave(t *testing.T) {
	e := start(t, Config{})
	sub := presenceSub(t, e, "room")
	watcher := e.dialWS(t)
	watcher.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "__presence__:room"})
	sse := e.dialSSE(t, "channel=__presence__:room")
	sse.event("ready")

	wantMembers(t, e, "room")
	w := e.dialWS(t)
	if m := w.ack(map[string]any{"id": 1, "type": "join", "channel": "room", "name": "alice"}); m["as"] != "alice" {
		t.Fatalf("join ack %v, want as alice", m)
	}
	wantEvent(t, sub, "join", "room", "alice")
	wantMembers(t, e, "room", "alice")
	if m := watcher.message(); m["channel"] != "__presence__:room" || m["data"] != `{"event":"join","channel":"room","id":"alice"}` {
		t.Fatalf("WebSocket watcher got %v", m)
	}
	if h, payload, _ := sse.message(); h["channel"] != "__presence__:room" || payload != `{"event":"join","channel":"room","id":"alice"}` {
		t.Fatalf("SSE watcher got %v %q", h, payload)
	}

	// Joining again as the same identity changes nothing; as another, fails.
	w.ack(map[string]any{"id": 2, "type": "join", "channel": "room", "name": "alice"})
	if m := w.do(map[string]any{"id": 3, "type": "join", "channel": "room", "name": "bob"}); m["code"] != codeBadRequest {
		t.Fatalf("join under a second name: %v", m)
	}

	if m := w.ack(map[string]any{"id": 4, "type": "leave", "channel": "room"}); m["as"] != "alice" {
		t.Fatalf("leave ack %v", m)
	}
	wantEvent(t, sub, "leave", "room", "alice")
	wantMembers(t, e, "room")
	if m := watcher.message(); m["data"] != `{"event":"leave","channel":"room","id":"alice"}` {
		t.Fatalf("WebSocket watcher got %v", m)
	}
}

func TestPresenceRequestErrors(t *testing.T) {
	e := start(t, Config{})
	w := e.dialWS(t)
	for _, tc := range []struct {
		req  map[string]any
		code string
	}{
		{map[string]any{"type": "join", "channel": "room"}, codeBadRequest},
		{map[string]any{"type": "join", "name": "alice"}, codeBadRequest},
		{map[string]any{"type": "join", "channel": "room", "name": strings.Repeat("a", maxPresenceName+1)}, codeBadRequest},
		{map[string]any{"type": "leave", "channel": "room"}, codeBadRequest},
		{map[string]any{"type": "leave"}, codeBadRequest},
		{map[string]any{"type": "publish", "channel": "__presence__:room", "data": "forged"}, codeForbidden},
	} {
		tc.req["id"] = 1
		if m := w.do(tc.req); m["type"] != "error" || m["code"] != tc.code {
			t.Errorf("%v: got %v, want error %s", tc.req, m, tc.code)
		}
	}
	w.ack(map[string]any{"id": 2, "type": "join", "channel": "room", "name": strings.Repeat("é", maxPresenceName/2)})

	resp, err := http.Post(e.http.URL+"/publish/__presence__:room", "text/plain", strings.NewReader("forged"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST /publish/__presence__:room: %s, want 403", resp.Status)
	}
}

// A connection that ends without leaving leaves every channel it joined.
func TestPresenceAbruptDisconnect(t *testing.T) {
	e := start(t, Config{})
	a, b := presenceSub(t, e, "a"), presenceSub(t, e, "b")
	w := e.dialWS(t)
	w.ack(map[string]any{"id": 1, "type": "join", "channel": "a", "name": "carol"})
	w.ack(map[string]any{"id": 2, "type": "join", "channel": "b", "name": "carol"})
	wantEvent(t, a, "join", "a", "carol")
	wantEvent(t, b, "join", "b", "carol")
	w.nc.Close()
	wantEvent(t, a, "leave", "a", "carol")
	wantEvent(t, b, "leave", "b", "carol")
	wantMembers(t, e, "a")
	wantMembers(t, e, "b")
}

// Shutdown makes every client leave.
func TestPresenceShutdown(t *testing.T) {
	e := start(t, Config{})
	sub := presenceSub(t, e, "room")
	w := e.dialWS(t)
	w.ack(map[string]any{"id": 1, "type": "join", "channel": "room", "name": "dave"})
	wantEvent(t, sub, "join", "room", "dave")
	if err := e.gw.Shutdown(ctx(t)); err != nil {
		t.Fatal(err)
	}
	wantEvent(t, sub, "leave", "room", "dave")
	wantMembers(t, e, "room")
}

// A slow consumer, closed for passing its queue limit, leaves.
func TestPresenceSlowConsumerLeaves(t *testing.T) {
	e := start(t, Config{MaxQueueBytes: 4096})
	sub := presenceSub(t, e, "room")
	slow := e.dialWS(t)
	slow.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "flood"})
	slow.ack(map[string]any{"id": 2, "type": "join", "channel": "room", "name": "erin"})
	wantEvent(t, sub, "join", "room", "erin")
	var batch broker.Batch
	for range 100 {
		e.srv.Broker().Publish([]byte("flood"), bytes.Repeat([]byte("x"), 100), &batch)
	}
	batch.Flush()
	wantEvent(t, sub, "leave", "room", "erin")
	wantMembers(t, e, "room")
}

// A connection closed because its token expired leaves.
func TestPresenceTokenExpiryLeaves(t *testing.T) {
	e := startTokens(t)
	sub := presenceSub(t, e, "room")
	w := e.dialWSToken(t, "header", sign(t, []string{"room"}, nil, 2*time.Second))
	w.ack(map[string]any{"id": 1, "type": "join", "channel": "room"})
	wantEvent(t, sub, "join", "room", "alice")
	wantEvent(t, sub, "leave", "room", "alice")
	if code, reason := w.closed(); code != closeTokenExpired || reason != "token expired" {
		t.Fatalf("close %d %q, want token expired", code, reason)
	}
}

// Two connections of one identity count once: one join event when the
// first joins, one leave event when the last leaves.
func TestPresenceSameIdentityTwice(t *testing.T) {
	e := start(t, Config{})
	sub := presenceSub(t, e, "room")
	rdb := e.redis(t)
	w1, w2 := e.dialWS(t), e.dialWS(t)
	w1.ack(map[string]any{"id": 1, "type": "join", "channel": "room", "name": "bob"})
	wantEvent(t, sub, "join", "room", "bob")
	w2.ack(map[string]any{"id": 1, "type": "join", "channel": "room", "name": "bob"})
	wantMembers(t, e, "room", "bob")
	w1.ack(map[string]any{"id": 2, "type": "leave", "channel": "room"})
	wantMembers(t, e, "room", "bob")

	// Neither the second join nor the first leave published anything: the
	// next message is this marker.
	if err := rdb.Publish(ctx(t), PresencePrefix+"room", "marker").Err(); err != nil {
		t.Fatal(err)
	}
	if msg, err := sub.ReceiveMessage(ctx(t)); err != nil || msg.Payload != "marker" {
		t.Fatalf("got %v %v, want the marker", msg, err)
	}
	w2.nc.Close()
	wantEvent(t, sub, "leave", "room", "bob")
	wantMembers(t, e, "room")
}

// With tokens, a client is present as its token's sub, whatever name it
// claims, and only where it may subscribe; GET /presence follows the same
// rule.
func TestPresenceToken(t *testing.T) {
	e := startTokens(t)
	sub := presenceSub(t, e, "room")
	tok := sign(t, []string{"room", "__presence__:*"}, []string{"*"}, time.Minute)
	w := e.dialWSToken(t, "query", tok)

	if m := w.do(map[string]any{"id": 1, "type": "join", "channel": "room", "name": "mallory"}); m["code"] != codeForbidden {
		t.Fatalf("join claiming another name: %v", m)
	}
	if m := w.do(map[string]any{"id": 2, "type": "join", "channel": "other"}); m["code"] != codeForbidden {
		t.Fatalf("join without the subscribe right: %v", m)
	}
	if m := w.ack(map[string]any{"id": 3, "type": "join", "channel": "room"}); m["as"] != "alice" {
		t.Fatalf("join ack %v, want as alice", m)
	}
	wantEvent(t, sub, "join", "room", "alice")
	w.ack(map[string]any{"id": 4, "type": "join", "channel": "room", "name": "alice"})
	if m := w.do(map[string]any{"id": 5, "type": "publish", "channel": "__presence__:room", "data": "forged"}); m["code"] != codeForbidden {
		t.Fatalf("publish on the companion channel: %v", m)
	}

	resp, body := e.httpToken(t, "GET", "/presence/room", "header", tok, "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /presence/room: %s %v", resp.Status, body)
	}
	if got, _ := json.Marshal(body["members"]); string(got) != `["alice"]` {
		t.Fatalf("GET /presence/room: %v", body)
	}
	if resp, body := e.httpToken(t, "GET", "/presence/other", "header", tok, ""); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("GET /presence/other: %s %v, want 403", resp.Status, body)
	}
	if resp, _ := e.httpToken(t, "GET", "/presence/room", "none", "", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("GET /presence/room without a token: %s, want 401", resp.Status)
	}
}
