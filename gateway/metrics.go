package gateway

import (
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldhq/herald/broker"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// /metrics serves the Prometheus text format from a registry of the
// gateway's own (never the global default registry, so that tests and
// embedders can run several gateways in one process). Almost everything is
// read at scrape time from counters that exist anyway; the names are listed
// in README.md ("Metrics").
//
// Costs on the delivery path: a client counts its deliveries in a plain
// field under the lock Deliver takes anyway, and one delivery in
// latencySampleEvery per client reads the clock. Each socket read or write
// adds its byte count to a per-transport atomic: one add per system call,
// not per message.

// transport indexes the gateway's per-transport counters.
type transport uint8

const (
	transportWebSocket transport = iota
	transportSSE
	transportHTTP // POST /publish: publishing only
	numTransports
)

var transportNames = [numTransports]string{"websocket", "sse", "http"}

// transport is the client's transport.
func (c *client) transport() transport {
	if c.sse {
		return transportSSE
	}
	return transportWebSocket
}

// latencySampleEvery: one delivery in this many to each client is timed
// from its queueing to the end of the write that carries it.
const latencySampleEvery = 64

// TransportStats is what another transport serving the same channels (the
// RESP server) reports to /metrics: see AddTransport. Counters count from
// the transport's start.
type TransportStats struct {
	// Connections is the number of connected clients.
	Connections int
	// Published counts messages its clients published.
	Published int64
	// Delivered counts messages queued to its clients.
	Delivered int64
	// BytesIn and BytesOut count bytes read from and written to sockets.
	BytesIn, BytesOut int64
	// SlowConsumerDisconnects counts clients closed for not reading fast
	// enough (for RESP, the output-buffer limit).
	SlowConsumerDisconnects int64
}

// meters are the gateway's counters for /metrics beyond Stats, and the
// registry that exports them.
type meters struct {
	published       [numTransports]atomic.Int64
	slowConsumers   [numTransports]atomic.Int64
	bytesIn         [numTransports]atomic.Int64 // one add per socket read
	bytesOut        [numTransports]atomic.Int64 // one add per socket write
	deliveredClosed [numTransports]atomic.Int64 // by closed clients; live ones keep client.delivered

	latency    [numTransports]prometheus.Observer
	latencyVec *prometheus.HistogramVec
	registry   *prometheus.Registry

	mu     sync.Mutex
	others []namedTransport // AddTransport
}

type namedTransport struct {
	name  string
	stats func() TransportStats
}

// Metric descriptions of the collector. The latency histogram is a
// HistogramVec registered beside it.
var (
	descConnections = prometheus.NewDesc("herald_connections",
		"Connected clients by transport.", []string{"transport"}, nil)
	descPublished = prometheus.NewDesc("herald_messages_published_total",
		"Messages published, by the transport of the publisher.", []string{"transport"}, nil)
	descDelivered = prometheus.NewDesc("herald_messages_delivered_total",
		"Messages queued to subscribers, by the transport of the subscriber.", []string{"transport"}, nil)
	descBytesIn = prometheus.NewDesc("herald_net_input_bytes_total",
		"Bytes read from client sockets, by transport.", []string{"transport"}, nil)
	descBytesOut = prometheus.NewDesc("herald_net_output_bytes_total",
		"Bytes written to client sockets, by transport.", []string{"transport"}, nil)
	descSlow = prometheus.NewDesc("herald_slow_consumer_disconnects_total",
		"Clients disconnected for passing their output limit, by transport.", []string{"transport"}, nil)
	descChannels = prometheus.NewDesc("herald_pubsub_channels",
		"Channels with at least one subscriber.", nil, nil)
	descPatterns = prometheus.NewDesc("herald_pubsub_patterns",
		"Patterns with at least one subscriber.", nil, nil)
	descShardChannels = prometheus.NewDesc("herald_pubsub_shard_channels",
		"Shard channels with at least one subscriber.", nil, nil)
	descTopChannel = prometheus.NewDesc("herald_top_channel_published",
		"Estimated messages published to each of the busiest channels since start (at most TopChannels series; a sampled space-saving sketch).",
		[]string{"channel"}, nil)
)

// TopChannels is the number of busiest channels /metrics reports.
const TopChannels = 10

// initMetrics creates the gateway's registry: its collector, the latency
// histogram, and the Go runtime and process collectors.
func (g *Gateway) initMetrics() {
	m := &g.meters
	m.registry = prometheus.NewRegistry()
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "herald_delivery_latency_seconds",
		Help: "Time from queueing a message to a subscriber (during the publish) until the socket write that carries it has ended; one delivery in 64 per connection is timed.",
		// 50µs to about 3.3s, ×4 per bucket.
		Buckets: prometheus.ExponentialBuckets(50e-6, 4, 9),
	}, []string{"transport"})
	for _, t := range []transport{transportWebSocket, transportSSE} {
		m.latency[t] = latency.WithLabelValues(transportNames[t])
	}
	m.latencyVec = latency
	m.registry.MustRegister(gatewayCollector{g}, latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// Registry returns the registry /metrics serves, so that an embedder can
// add its own collectors.
func (g *Gateway) Registry() *prometheus.Registry { return g.meters.registry }

// AddTransport adds another transport serving the same channels to
// /metrics: stats is called at each scrape and its values are exported
// with the label transport=name, which must not be the gateway's own
// ("websocket", "sse", "http"). cmd/herald adds the RESP server as "resp".
func (g *Gateway) AddTransport(name string, stats func() TransportStats) {
	g.meters.mu.Lock()
	defer g.meters.mu.Unlock()
	g.meters.others = append(g.meters.others, namedTransport{name, stats})
}

// DeliveryLatencyObserver returns a function that records a delivery
// latency in herald_delivery_latency_seconds with the label
// transport=name, for another transport to report to (cmd/herald passes
// it to the RESP server's SetDeliveryLatencyObserver).
func (g *Gateway) DeliveryLatencyObserver(name string) func(time.Duration) {
	o := g.meters.latencyVec.WithLabelValues(name)
	return func(d time.Duration) { o.Observe(d.Seconds()) }
}

// handleMetrics serves the registry in the Prometheus text format, to
// clients the Authenticator admits (channel names appear in it).
func (g *Gateway) handleMetrics(w http.ResponseWriter, r *http.Request) {
	auth := g.authenticate(w, r)
	if auth == nil {
		return
	}
	// The busiest channels are named here: only a client that may see
	// every channel (a token whose subscribe globs include "*") may scrape.
	if !auth.CanPSubscribe("*") {
		writeError(w, http.StatusForbidden, codeForbidden, "metrics need a grant for every channel (subscribe \"*\")")
		return
	}
	promhttp.HandlerFor(g.meters.registry, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// gatewayCollector reads the gateway's counters, its clients, the other
// transports' stats and the broker's counts at each scrape.
type gatewayCollector struct{ g *Gateway }

// Describe implements prometheus.Collector.
func (gc gatewayCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descConnections, descPublished, descDelivered,
		descBytesIn, descBytesOut, descSlow, descChannels, descPatterns, descShardChannels, descTopChannel} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (gc gatewayCollector) Collect(ch chan<- prometheus.Metric) {
	g, m := gc.g, &gc.g.meters
	counter := func(d *prometheus.Desc, v int64, label string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), label)
	}
	gauge := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}

	conns, delivered := g.clientCounts()
	for _, t := range []transport{transportWebSocket, transportSSE} {
		name := transportNames[t]
		gauge(descConnections, conns[t], name)
		counter(descDelivered, delivered[t]+m.deliveredClosed[t].Load(), name)
		counter(descBytesOut, m.bytesOut[t].Load(), name)
		counter(descSlow, m.slowConsumers[t].Load(), name)
	}
	counter(descBytesIn, m.bytesIn[transportWebSocket].Load(), "websocket")
	for _, t := range []transport{transportWebSocket, transportHTTP} {
		counter(descPublished, m.published[t].Load(), transportNames[t])
	}

	m.mu.Lock()
	others := m.others
	m.mu.Unlock()
	for _, o := range others {
		s := o.stats()
		gauge(descConnections, int64(s.Connections), o.name)
		counter(descPublished, s.Published, o.name)
		counter(descDelivered, s.Delivered, o.name)
		counter(descBytesIn, s.BytesIn, o.name)
		counter(descBytesOut, s.BytesOut, o.name)
		counter(descSlow, s.SlowConsumerDisconnects, o.name)
	}

	if b := g.broker(); b != nil {
		st := b.Stats()
		gauge(descChannels, int64(st.Channels))
		gauge(descPatterns, int64(st.Patterns))
		gauge(descShardChannels, int64(st.ShardChannels))
		for _, c := range b.BusiestChannels(TopChannels) {
			gauge(descTopChannel, c.Published, c.Channel)
		}
	}
}

// broker returns the in-process broker behind the bus, or nil when the
// bus has none (a Redis backend): the subscription counts and busiest
// channels are then not reported.
func (g *Gateway) broker() *broker.Broker {
	if l, ok := g.bus.(interface{ Broker() *broker.Broker }); ok {
		return l.Broker()
	}
	return nil
}

// clientCounts counts the connected clients and the messages delivered to
// them, by transport.
func (g *Gateway) clientCounts() (conns, delivered [numTransports]int64) {
	g.mu.Lock()
	clients := make([]*client, 0, len(g.clients))
	for c := range g.clients {
		clients = append(clients, c)
	}
	g.mu.Unlock()
	for _, c := range clients {
		t := c.transport()
		conns[t]++
		c.mu.Lock()
		delivered[t] += c.delivered
		c.mu.Unlock()
	}
	return conns, delivered
}

// noteDeliveryLocked counts a delivery and, for one in latencySampleEvery,
// notes when it was queued unless an earlier sample is still queued.
// Lock held.
func (c *client) noteDeliveryLocked() {
	c.delivered++
	if c.delivered%latencySampleEvery == 1 && c.sampledAt.IsZero() {
		c.sampledAt = time.Now()
	}
}

// takeSampleLocked returns the queue time of the sampled delivery in the
// output a writer is taking, and forgets it. Lock held.
func (c *client) takeSampleLocked() time.Time {
	t := c.sampledAt
	c.sampledAt = time.Time{}
	return t
}

// wrote counts n bytes written and, once the write that carries a sampled
// delivery has ended (complete), records its latency.
func (c *client) wrote(n int, sample time.Time, complete bool) {
	t := c.transport()
	if n > 0 {
		c.gw.meters.bytesOut[t].Add(int64(n))
	}
	if complete && !sample.IsZero() {
		c.gw.meters.latency[t].Observe(time.Since(sample).Seconds())
	}
}

// foldDeliveredLocked moves the client's delivery count to the gateway's
// total of closed clients, when it closes. Lock held.
func (c *client) foldDeliveredLocked() {
	c.gw.meters.deliveredClosed[c.transport()].Add(c.delivered)
	c.delivered = 0
}

// countingReader counts the bytes read through it into n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (cr countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	if n > 0 {
		cr.n.Add(int64(n))
	}
	return n, err
}
