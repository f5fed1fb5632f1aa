// Package gateway serves Herald's channels to browsers and services over
// HTTP: WebSocket at /ws, Server-Sent Events at /sse, publishing with
// POST /publish/{channel}, PUBSUB-style counts at /channels and /numsub,
// and presence (who joined a channel) at /presence/{channel}. It reaches fan-out only through a bus.Bus, so the same gateway
// runs over the in-process broker or, later, a Redis backend.
//
// Each WebSocket or SSE connection is a client (client.go): a
// broker.Subscriber with a bounded output queue, written by a goroutine
// that exists only while there is output. A published message is encoded
// once per wire format (a WebSocket frame, an SSE event) and the bytes are
// copied into each client's queue; publishing never waits for a client, and
// a client whose queue passes Config.MaxQueueBytes is disconnected.
//
// The wire protocols are described in PROTOCOL.md.
package gateway

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/heraldhq/herald/bus"
	"github.com/heraldhq/herald/internal/wait"
)

// Gateway is the HTTP handler. Create it with New and stop it with
// Shutdown, which also closes the WebSocket and SSE connections that
// http.Server.Shutdown does not know about (they are hijacked).
type Gateway struct {
	cfg Config
	bus bus.Bus
	mux *http.ServeMux

	mu      sync.Mutex
	clients map[*client]struct{}
	closed  bool
	wg      sync.WaitGroup // one per client's serving goroutine

	// reserved counts the places reserveClient holds for clients being
	// upgraded (limits.go), when Config.MaxClients is set. Guarded by mu.
	reserved int

	presence *presence // who joined which channel (presence.go)

	stats  Stats
	meters meters // for /metrics (metrics.go)
}

// Stats counts what the gateway has done, for logs and metrics.
type Stats struct {
	// SlowConsumerDisconnects counts clients closed because their queue
	// passed MaxQueueBytes.
	SlowConsumerDisconnects atomic.Int64
	// Published counts messages published through the gateway.
	Published atomic.Int64
	// RejectedClients counts WebSocket and SSE clients refused because
	// the gateway held MaxClients.
	RejectedClients atomic.Int64
}

// New returns a gateway publishing and subscribing through b.
func New(cfg Config, b bus.Bus) *Gateway {
	g := &Gateway{
		cfg:     cfg.withDefaults(),
		bus:     b,
		mux:     http.NewServeMux(),
		clients: make(map[*client]struct{}),
	}
	g.presence = newPresence(g)
	if lo, ok := g.cfg.Authenticator.(LoopbackOnly); ok && lo.AllowRemote {
		g.cfg.Logger.Warn("gateway: remote clients allowed without authentication")
	}
	g.initMetrics()
	g.routes()
	return g
}

// ServeHTTP implements http.Handler.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mux.ServeHTTP(w, r)
}

// Stats returns the gateway's counters.
func (g *Gateway) Stats() *Stats { return &g.stats }

// Clients returns the number of connected WebSocket and SSE clients.
func (g *Gateway) Clients() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.clients)
}

var errShuttingDown = errors.New("gateway shutting down")

// addClient registers c, in the place reserveClient reserved, and counts
// its serving goroutine; it fails after Shutdown.
func (g *Gateway) addClient(c *client) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.cfg.MaxClients > 0 {
		g.reserved-- // the place reserveClient reserved becomes c's
	}
	if g.closed {
		return errShuttingDown
	}
	g.clients[c] = struct{}{}
	g.wg.Add(1)
	return nil
}

func (g *Gateway) removeClient(c *client) {
	g.mu.Lock()
	delete(g.clients, c)
	g.mu.Unlock()
	g.wg.Done()
}

// Shutdown closes every WebSocket and SSE client (WebSocket close code
// 1001) and waits for them to finish or ctx to end. New connections are
// refused afterwards. It does not close the bus.
func (g *Gateway) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	g.closed = true
	for c := range g.clients {
		c.goAway()
	}
	g.mu.Unlock()
	return wait.Group(ctx, &g.wg)
}
