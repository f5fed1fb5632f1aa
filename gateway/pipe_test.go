package gateway

import (
	"encoding/base64"
	"net"
	"testing"

	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/bus"
)

func base64Decode(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }

// newPipeClient returns a WebSocket client core over a local bus whose
// output is only queued, never written (its writer is held), for tests
// that call the request handler directly.
func newPipeClient(tb testing.TB) *client {
	a, b := net.Pipe()
	tb.Cleanup(func() { a.Close(); b.Close() })
	g := New(Config{}, bus.NewLocal(broker.New()))
	return &client{gw: g, nc: a, auth: AllowAll{}, format: formatWebSocket, hold: true}
}

// takeOutput returns and clears the queued output.
func (c *client) takeOutput() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.out
	c.out = nil
	return out
}
