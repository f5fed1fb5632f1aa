package gateway

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gobwas/ws"
	"github.com/gobwas/ws/wsutil"
	"github.com/heraldhq/herald/bus"
	"github.com/heraldhq/herald/server"
	"github.com/redis/go-redis/v9"
)

// waitTimeout bounds every wait in these tests.
const waitTimeout = 5 * time.Second

// env is a RESP server and a gateway over its broker, on real sockets.
type env struct {
	srv  *server.Server
	gw   *Gateway
	http *httptest.Server
}

// start starts a RESP server on 127.0.0.1:0 and a gateway over its broker
// on an httptest server; t.Cleanup stops both.
func start(t *testing.T, cfg Config) *env {
	t.Helper()
	return startWith(t, cfg, server.Config{}, nil)
}

// startWith is start with the RESP server configured by scfg, and setup, if
// not nil, run on both before the gateway serves.
func startWith(t *testing.T, cfg Config, scfg server.Config, setup func(*server.Server, *Gateway)) *env {
	t.Helper()
	srv, err := server.StartLocal(scfg)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	gw := New(cfg, bus.NewLocal(srv.Broker()))
	if setup != nil {
		setup(srv, gw)
	}
	hs := httptest.NewServer(gw)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := gw.Shutdown(ctx); err != nil {
			t.Errorf("gateway shutdown: %v", err)
		}
		hs.Close()
		srv.Close()
	})
	return &env{srv: srv, gw: gw, http: hs}
}

// redis returns a go-redis client of the RESP server.
func (e *env) redis(t *testing.T) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: e.srv.Addr().String(), DisableIdentity: true})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// ctx returns a context that ends after waitTimeout.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return c
}

// eventually polls cond until it holds or waitTimeout passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// wsClient is a test WebSocket client.
type wsClient struct {
	t    *testing.T
	nc   net.Conn
	rw   io.ReadWriter
	seen []map[string]any // messages read while waiting for a reply
}

type readWriter struct {
	io.Reader
	io.Writer
}

// dialWS opens a WebSocket to the gateway.
func (e *env) dialWS(t *testing.T) *wsClient {
	t.Helper()
	return dialWSURL(t, "ws"+strings.TrimPrefix(e.http.URL, "http")+"/ws")
}

func dialWSURL(t *testing.T, url string) *wsClient {
	t.Helper()
	nc, br, _, err := ws.Dial(ctx(t), url)
	if err != nil {
		t.Fatalf("dial %s: %v", url, err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &wsClient{t: t, nc: nc, rw: readWriter{nc, nc}}
	if br != nil {
		c.rw = readWriter{br, nc}
	}
	return c
}

// send sends v as a JSON text message.
func (c *wsClient) send(v any) {
	c.t.Helper()
	p, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(ws.OpText, p)
}

func (c *wsClient) sendRaw(op ws.OpCode, p []byte) {
	c.t.Helper()
	c.nc.SetWriteDeadline(time.Now().Add(waitTimeout))
	if err := wsutil.WriteClientMessage(c.nc, op, p); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next reads the next JSON message from the server (answering pings).
func (c *wsClient) next() (map[string]any, error) {
	c.nc.SetReadDeadline(time.Now().Add(waitTimeout))
	p, err := wsutil.ReadServerText(c.rw)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(p, &m); err != nil {
		c.t.Fatalf("server sent invalid JSON %q: %v", p, err)
	}
	return m, nil
}

// do sends a request and returns its reply, keeping messages that come
// before it for message.
func (c *wsClient) do(req map[string]any) map[string]any {
	c.t.Helper()
	c.send(req)
	for {
		m, err := c.next()
		if err != nil {
			c.t.Fatalf("reading the reply to %v: %v", req, err)
		}
		if m["type"] == "message" {
			c.seen = append(c.seen, m)
			continue
		}
		if req["id"] != nil && fmt.Sprint(m["id"]) != fmt.Sprint(req["id"]) {
			c.t.Fatalf("reply %v to request %v: wrong id", m, req)
		}
		return m
	}
}

// ack sends a request and fails unless it is acked.
func (c *wsClient) ack(req map[string]any) map[string]any {
	c.t.Helper()
	m := c.do(req)
	if m["type"] != "ack" {
		c.t.Fatalf("request %v: got %v, want an ack", req, m)
	}
	return m
}

// message returns the next pushed message.
func (c *wsClient) message() map[string]any {
	c.t.Helper()
	if len(c.seen) > 0 {
		m := c.seen[0]
		c.seen = c.seen[1:]
		return m
	}
	m, err := c.next()
	if err != nil {
		c.t.Fatalf("reading a message: %v", err)
	}
	if m["type"] != "message" {
		c.t.Fatalf("got %v, want a message", m)
	}
	return m
}

// closed reads until the server closes and returns the close code and
// reason (code 0 when the connection ended without a close frame).
func (c *wsClient) closed() (ws.StatusCode, string) {
	c.t.Helper()
	for {
		c.nc.SetReadDeadline(time.Now().Add(waitTimeout))
		_, err := wsutil.ReadServerText(c.rw)
		var ce wsutil.ClosedError
		switch {
		case errors.As(err, &ce):
			return ce.Code, ce.Reason
		case err != nil:
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.t.Fatal("connection still open")
			}
			return 0, err.Error()
		}
	}
}

// sseClient is a test SSE client over a raw connection.
type sseClient struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

// sseEvent is one event of a stream; comment holds a comment line's text.
type sseEvent struct {
	id, event, data, comment string
}

// dialSSE opens /sse with query and extra header lines, and checks the
// response status.
func (e *env) dialSSE(t *testing.T, query string, header ...string) *sseClient {
	t.Helper()
	c, status := e.dialSSEStatus(t, query, header...)
	if !strings.Contains(status, " 200 ") {
		t.Fatalf("GET /sse?%s: %s", query, status)
	}
	return c
}

func (e *env) dialSSEStatus(t *testing.T, query string, header ...string) (*sseClient, string) {
	t.Helper()
	nc, err := net.Dial("tcp", e.http.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	req := "GET /sse?" + query + " HTTP/1.1\r\nHost: " + e.http.Listener.Addr().String() + "\r\n"
	for _, h := range header {
		req += h + "\r\n"
	}
	nc.SetDeadline(time.Now().Add(waitTimeout))
	if _, err := io.WriteString(nc, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	c := &sseClient{t: t, nc: nc, r: bufio.NewReader(nc)}
	status, err := c.r.ReadString('\n')
	if err != nil {
		t.Fatalf("reading the status: %v", err)
	}
	for { // skip the header
		line, err := c.r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the header: %v", err)
		}
		if line == "\r\n" {
			break
		}
	}
	return c, status
}

// next reads the next event or comment.
func (c *sseClient) next() (sseEvent, error) {
	var ev sseEvent
	var data []string
	hasData := false
	for {
		c.nc.SetReadDeadline(time.Now().Add(waitTimeout))
		line, err := c.r.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if hasData || ev.event != "" || ev.id != "" || ev.comment != "" {
				ev.data = strings.Join(data, "\n")
				return ev, nil
			}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "":
			ev.comment = value
		case "id":
			ev.id = value
		case "event":
			ev.event = value
		case "data":
			data = append(data, value)
			hasData = true
		}
	}
}

// event reads the next event, skipping heartbeats, and checks its type.
func (c *sseClient) event(want string) sseEvent {
	c.t.Helper()
	for {
		ev, err := c.next()
		if err != nil {
			c.t.Fatalf("reading an event: %v", err)
		}
		if ev.comment != "" {
			continue
		}
		if ev.event == "" {
			ev.event = "message"
		}
		if ev.event != want {
			c.t.Fatalf("got event %+v, want %q", ev, want)
		}
		return ev
	}
}

// message reads a message event and splits it into its JSON header and
// payload.
func (c *sseClient) message() (map[string]any, string, string) {
	c.t.Helper()
	ev := c.event("message")
	head, payload, ok := strings.Cut(ev.data, "\n")
	if !ok {
		c.t.Fatalf("message event without payload line: %+v", ev)
	}
	var h map[string]any
	if err := json.Unmarshal([]byte(head), &h); err != nil {
		c.t.Fatalf("message header %q: %v", head, err)
	}
	return h, payload, ev.id
}
