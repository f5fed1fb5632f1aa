package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// The SSE stream's fixed parts (see PROTOCOL.md).
const (
	sseHeader = "HTTP/1.1 200 OK\r\n" +
		"Content-Type: text/event-stream\r\n" +
		"Cache-Control: no-store\r\n" +
		"Connection: close\r\n" +
		"X-Accel-Buffering: no\r\n" +
		"\r\n"
	sseHeartbeat   = ": heartbeat\n\n"
	sseSlowClose   = "event: close\ndata: {\"reason\":\"slow consumer\"}\n\n"
	sseAwayClose   = "event: close\ndata: {\"reason\":\"server shutting down\"}\n\n"
	sseFailedClose = "event: close\ndata: {\"reason\":\"subscribe failed\"}\n\n"
)

// handleSSE serves /sse?channel=a&channel=b&pattern=orders:*. After the
// checks it takes the connection over from net/http (an SSE stream held
// inside a handler costs several times the memory), writes the response
// header itself and serves the stream on a goroutine of its own, reading
// only to notice the client leaving.
func (g *Gateway) handleSSE(w http.ResponseWriter, r *http.Request) {
	auth := g.authenticate(w, r)
	if auth == nil {
		return
	}
	q := r.URL.Query()
	channels, patterns := q["channel"], q["pattern"]
	if status, code, text := checkSSESubscriptions(auth, channels, patterns); status != 0 {
		writeError(w, status, code, text)
		return
	}
	if status, code, text := g.sseSubscribeLimit(channels, patterns); status != 0 {
		writeError(w, status, code, text)
		return
	}
	if !g.reserveClient(w) {
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		g.unreserveClient()
		writeError(w, http.StatusInternalServerError, codeUnavailable, "streaming is not supported on this connection")
		return
	}
	nc, _, err := hj.Hijack()
	if err != nil {
		g.unreserveClient()
		return
	}
	c := newClient(g, nc, r.RemoteAddr, auth)
	c.format, c.sse, c.nextID = formatSSE, true, 1
	c.heartbeatFrame = []byte(sseHeartbeat)
	c.slowFrame, c.awayFrame = []byte(sseSlowClose), []byte(sseAwayClose)
	if err := g.addClient(c); err != nil {
		nc.SetWriteDeadline(time.Now().Add(time.Second))
		nc.Write([]byte("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
		nc.Close()
		return
	}
	// Serve on a fresh goroutine and let net/http's handler return: its
	// request, response and buffers are then freed rather than pinned for
	// the life of the stream.
	lastEventID := r.Header.Get("Last-Event-ID")
	go func() {
		// The header goes out at once, on a fresh socket whose buffer is
		// empty, so that what the queue holds (and may drop) is only events.
		nc.SetWriteDeadline(time.Now().Add(g.cfg.WriteTimeout))
		if _, err := nc.Write([]byte(sseHeader)); err != nil {
			c.cleanup()
			return
		}
		c.openSSE(lastEventID, channels, patterns)
		c.startHeartbeat()
		c.startExpiry()
		// Wait on a fresh goroutine, whose stack has not grown.
		go c.discardInput()
	}()
}

// discardInput reads until the client leaves (it sends nothing), then
// cleans up.
func (c *client) discardInput() {
	var buf [64]byte
	for {
		if _, err := c.nc.Read(buf[:]); err != nil {
			c.cleanup()
			return
		}
	}
}

// checkSSESubscriptions validates the requested subscriptions and returns
// an HTTP status, error code and text when they cannot be served.
func checkSSESubscriptions(auth Authorizer, channels, patterns []string) (int, string, string) {
	if len(channels)+len(patterns) == 0 {
		return http.StatusBadRequest, codeBadRequest, "give at least one channel= or pattern= parameter"
	}
	for _, c := range channels {
		if c == "" {
			return http.StatusBadRequest, codeBadRequest, "empty channel name"
		}
		if !auth.CanSubscribe(c) {
			return http.StatusForbidden, codeForbidden, "not allowed to subscribe to channel " + jsonQuote(c)
		}
	}
	for _, p := range patterns {
		if p == "" {
			return http.StatusBadRequest, codeBadRequest, "empty pattern"
		}
		if !auth.CanPSubscribe(p) {
			return http.StatusForbidden, codeForbidden, "not allowed to subscribe to pattern " + jsonQuote(p)
		}
	}
	return 0, "", ""
}

// openSSE queues a gap event for a reconnecting
// client and the ready event, then subscribes. Output is held until every
// subscription is in place, so ready comes first and, once a client sees
// it, nothing published afterwards is missed.
func (c *client) openSSE(lastEventID string, channels, patterns []string) {
	c.mu.Lock()
	c.hold = true
	if lastEventID != "" {
		if last, err := strconv.ParseUint(lastEventID, 10, 64); err == nil {
			c.nextID = last + 1 // ids keep increasing across reconnections
		}
		gap, _ := json.Marshal(map[string]string{"last_event_id": lastEventID})
		c.out = append(c.out, "event: gap\ndata: "...)
		c.out = append(append(c.out, gap...), "\n\n"...)
	}
	if channels == nil {
		channels = []string{}
	}
	if patterns == nil {
		patterns = []string{}
	}
	ready, _ := json.Marshal(map[string][]string{"channels": channels, "patterns": patterns})
	c.out = append(c.out, "id: "...)
	c.out = strconv.AppendUint(c.out, c.nextID, 10)
	c.nextID++
	c.out = append(c.out, "\nevent: ready\ndata: "...)
	c.out = append(append(c.out, ready...), "\n\n"...)
	c.mu.Unlock()

	ctx := context.Background()
	for _, ch := range channels {
		if _, err := c.gw.bus.Subscribe(ctx, c, ch); err != nil {
			c.closeWith([]byte(sseFailedClose))
			return
		}
	}
	for _, p := range patterns {
		if _, err := c.gw.bus.PSubscribe(ctx, c, p); err != nil {
			c.closeWith([]byte(sseFailedClose))
			return
		}
	}
	c.release()
}
