package gateway

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// postPublish publishes body on channel over HTTP and returns the receiver
// count.
func postPublish(t *testing.T, e *env, channel, body string) int {
	t.Helper()
	resp, err := http.Post(e.http.URL+"/publish/"+channel, "application/octet-stream", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Receivers int }
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST /publish/%s: %s %s", channel, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Receivers
}

// getJSON gets path and decodes its JSON body into v, returning the status.
func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q", url, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp.StatusCode
}

// An HTTP publish reaches RESP, WebSocket and SSE subscribers, and counts
// them all.
func TestHTTPPublishReachesEveryTransport(t *testing.T) {
	e := start(t, Config{})
	rdb := e.redis(t)
	sub := rdb.Subscribe(ctx(t), "news")
	defer sub.Close()
	if _, err := sub.Receive(ctx(t)); err != nil {
		t.Fatal(err)
	}
	w := e.dialWS(t)
	w.ack(map[string]any{"id": 1, "type": "subscribe", "channel": "news"})
	s := e.dialSSE(t, "pattern=ne*")
	s.event("ready")

	if n := postPublish(t, e, "news", "hello"); n != 3 {
		t.Fatalf("receivers %d, want 3", n)
	}
	if msg, err := sub.ReceiveMessage(ctx(t)); err != nil || msg.Payload != "hello" {
		t.Fatalf("RESP got %+v, %v", msg, err)
	}
	if m := w.message(); m["data"] != "hello" {
		t.Fatalf("WebSocket got %v", m)
	}
	if h, payload, _ := s.message(); payload != "hello" || h["pattern"] != "ne*" {
		t.Fatalf("SSE got %v %q", h, payload)
	}
	// Channel names may hold slashes.
	if n := postPublish(t, e, "a/b", "x"); n != 0 {
		t.Fatalf("receivers %d", n)
	}
}

func TestHTTPPublishTooLarge(t *testing.T) {
	e := start(t, Config{MaxMessageBytes: 10})
	resp, err := http.Post(e.http.URL+"/publish/news", "text/plain", strings.NewReader(strings.Repeat("x", 11)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out httpError
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || out.Code != codeTooLarge || !strings.Contains(out.Error, "10 bytes") {
		t.Fatalf("got %s %+v", resp.Status, out)
	}
	if n := postPublish(t, e, "news", strings.Repeat("x", 10)); n != 0 {
		t.Fatalf("receivers %d", n)
	}
}

// /channels and /numsub answer as PUBSUB CHANNELS and NUMSUB, counting RESP
// and gateway subscribers alike; /healthz answers ok.
func TestHTTPCounts(t *testing.T) {
	e := start(t, Config{})
	rdb := e.redis(t)
	sub := rdb.Subscribe(ctx(t), "news", "orders:1")
	defer sub.Close()
	sub.Receive(ctx(t))
	sub.Receive(ctx(t))
	w := e.dialWS(t)
	w.ack(map[string]any{"id": 1, "type": "subscribe", "channels": []string{"news", "sport"}})

	var chans struct{ Channels []string }
	getJSON(t, e.http.URL+"/channels", &chans)
	if !slices.Equal(chans.Channels, []string{"news", "orders:1", "sport"}) {
		t.Fatalf("channels %q", chans.Channels)
	}
	getJSON(t, e.http.URL+"/channels?pattern=orders:*", &chans)
	if !slices.Equal(chans.Channels, []string{"orders:1"}) {
		t.Fatalf("channels orders:* %q", chans.Channels)
	}
	getJSON(t, e.http.URL+"/channels?pattern=none*", &chans)
	if chans.Channels == nil || len(chans.Channels) != 0 {
		t.Fatalf("channels none* %q", chans.Channels)
	}
	var numsub struct{ NumSub map[string]int }
	getJSON(t, e.http.URL+"/numsub?channel=news&channel=sport&channel=nobody", &numsub)
	if want := map[string]int{"news": 2, "sport": 1, "nobody": 0}; !mapsEqual(numsub.NumSub, want) {
		t.Fatalf("numsub %v, want %v", numsub.NumSub, want)
	}
	var health map[string]string
	if status := getJSON(t, e.http.URL+"/healthz", &health); status != 200 || health["status"] != "ok" {
		t.Fatalf("healthz %d %v", status, health)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestHTTPMethods(t *testing.T) {
	e := start(t, Config{})
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/publish/news", http.StatusMethodNotAllowed},
		{"POST", "/publish/", http.StatusBadRequest},
		{"GET", "/nothing", http.StatusNotFound},
		{"GET", "/ws", http.StatusBadRequest}, // not an upgrade
	} {
		r, _ := http.NewRequest(tc.method, e.http.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
	}
}
