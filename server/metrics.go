package server

import "time"

// Metrics is a snapshot of the RESP server's counters, for an exporter such
// as the gateway's /metrics. Counters count from the server's start (CONFIG
// RESETSTAT zeroes the byte counts, as it does INFO's).
type Metrics struct {
	// Connections is the number of connected clients.
	Connections int
	// Published counts PUBLISH and SPUBLISH commands run.
	Published int64
	// Delivered counts messages queued to RESP subscribers, whoever
	// published them.
	Delivered int64
	// NetInputBytes and NetOutputBytes are INFO's total_net_input_bytes
	// and total_net_output_bytes.
	NetInputBytes, NetOutputBytes int64
	// OutputLimitDisconnects counts clients closed for passing their
	// output-buffer limit (client_output_buffer_limit_disconnections).
	OutputLimitDisconnects int64
}

// Metrics returns the server's counters. It visits every connection, as
// INFO does, so it costs one short lock per connection; call it when
// scraped, not per message.
func (s *Server) Metrics() Metrics {
	conns := s.connList()
	m := Metrics{
		Connections:            len(conns),
		Published:              s.stats.publishedClosed.Load(),
		Delivered:              s.stats.deliveredClosed.Load(),
		OutputLimitDisconnects: s.stats.outputLimitDisconnects.Load(),
	}
	for _, c := range conns {
		m.Published += c.published.Load()
		c.out.mu.Lock()
		m.Delivered += c.delivered
		c.out.mu.Unlock()
	}
	m.NetInputBytes, m.NetOutputBytes = s.netBytes()
	return m
}

// latencySampleEvery: one delivery in this many to each connection is
// timed, when a latency observer is set.
const latencySampleEvery = 64

// SetDeliveryLatencyObserver makes the server time one delivery in 64 to
// each connection, from its queueing in the connection's outbox (during
// the publish) until the outbox has drained to the socket, and pass the
// time to observe. Nil, the default, turns timing off. observe is called
// by the connections' writers and must be quick and safe for concurrent
// use.
func (s *Server) SetDeliveryLatencyObserver(observe func(time.Duration)) {
	if observe == nil {
		s.latencyObserver.Store(nil)
		return
	}
	s.latencyObserver.Store(&observe)
}

// noteDeliveryLocked counts a delivery and, for one in latencySampleEvery
// when an observer is set, notes when it was queued unless an earlier
// sample still waits. c.out.mu is held.
func (c *conn) noteDeliveryLocked() {
	c.delivered++
	if c.delivered%latencySampleEvery == 1 && c.latencySampledAt.IsZero() && c.srv.latencyObserver.Load() != nil {
		c.latencySampledAt = time.Now()
	}
}

// takeLatencySampleLocked returns the queue time of the waiting sample, if
// any, and forgets it; called when the outbox has drained. A closing
// connection's sample is dropped: its output may never be written.
// c.out.mu is held.
func (c *conn) takeLatencySampleLocked() time.Time {
	t := c.latencySampledAt
	c.latencySampledAt = time.Time{}
	if c.out.closed {
		return time.Time{}
	}
	return t
}

// observeLatency reports the time since sampledAt, unless it is zero.
func (c *conn) observeLatency(sampledAt time.Time) {
	if sampledAt.IsZero() {
		return
	}
	if observe := c.srv.latencyObserver.Load(); observe != nil {
		(*observe)(time.Since(sampledAt))
	}
}
