package e2e

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
)

// wsClient is a WebSocket client of the gateway's JSON protocol: a reader
// goroutine sorts pushed messages from replies.
type wsClient struct {
	conn     net.Conn
	messages chan map[string]any
	replies  chan map[string]any
	nextID   int
}

func dialWS(t *testing.T, httpURL string) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, _, err := ws.Dial(ctx, "ws"+strings.TrimPrefix(httpURL, "http")+"/ws")
	if err != nil {
		t.Fatal(err)
	}
	c := &wsClient{conn: conn, messages: make(chan map[string]any, 1024), replies: make(chan map[string]any, 16)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			p, err := wsutil.ReadServerText(conn)
			if err != nil {
				return
			}
			var m map[string]any
			if json.Unmarshal(p, &m) != nil {
				continue
			}
			if m["type"] == "message" {
				c.messages <- m
			} else {
				c.replies <- m
			}
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return c
}

// ack sends req with a fresh id and returns its reply, failing the test
// unless it is an ack.
func (c *wsClient) ack(t *testing.T, req map[string]any) map[string]any {
	t.Helper()
	c.nextID++
	req["id"] = c.nextID
	p, _ := json.Marshal(req)
	if err := wsutil.WriteClientText(c.conn, p); err != nil {
		t.Fatal(err)
	}
	select {
	case rep := <-c.replies:
		if rep["type"] != "ack" || rep["id"] != float64(c.nextID) {
			t.Fatalf("%s: reply %v", p, rep)
		}
		return rep
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no reply", p)
		return nil
	}
}

// message returns the next pushed message, failing the test after a while.
func (c *wsClient) message(t *testing.T) map[string]any {
	t.Helper()
	m, ok := c.messageWithin(t, 10*time.Second)
	if !ok {
		t.Fatal("no message")
	}
	return m
}

// messageWithin returns the next pushed message, or false after d.
func (c *wsClient) messageWithin(t *testing.T, d time.Duration) (map[string]any, bool) {
	t.Helper()
	select {
	case m := <-c.messages:
		return m, true
	case <-time.After(d):
		return nil, false
	}
}
