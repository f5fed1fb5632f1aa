package server

// Limits Redis has no setting for (Herald's proto-max-multibulk-len,
// max-subscriptions-per-client, max-pattern-len) and Redis's idle client
// timeout. LIMITS.md lists every limit.

import (
	"crypto/tls"
	"fmt"
	"math"
	"net"
	"time"

	"github.com/heraldhq/herald/broker"
)

// protoMaxMultibulkLen is proto-max-multibulk-len as CONFIG GET shows it:
// Redis's INT_MAX when unset.
func (st *settings) protoMaxMultibulkLen() int {
	if st.ProtoMaxMultibulkLen <= 0 {
		return math.MaxInt32
	}
	return st.ProtoMaxMultibulkLen
}

// SubscriptionLimits returns max-subscriptions-per-client and
// max-pattern-len as they are now, CONFIG SET included; zero or less means
// no limit. A gateway serving the same channels takes them as its
// gateway.Config.SubscriptionLimits, so one setting bounds every client.
func (s *Server) SubscriptionLimits() (maxSubscriptionsPerClient, maxPatternLen int) {
	st := s.settings()
	return st.MaxSubscriptionsPerClient, st.MaxPatternLen
}

// subscribeRefused checks a SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE of names
// against max-pattern-len and max-subscriptions-per-client. If the command
// would pass one, it writes Herald's error and reports true: the command
// is refused whole, and the subscriptions the client holds stay.
func (c *conn) subscribeRefused(kind broker.Kind, names [][]byte) bool {
	st := c.srv.settings()
	if kind == broker.KindPMessage && c.patternTooLong(names...) {
		return true
	}
	limit := st.MaxSubscriptionsPerClient
	if limit <= 0 || c.subscribed+len(names) <= limit {
		return false // within the limit even if every name is new
	}
	fresh := 0
	seen := make(map[string]struct{}, len(names))
	for _, n := range names {
		if _, dup := seen[string(n)]; dup {
			continue
		}
		seen[string(n)] = struct{}{}
		if !c.srv.broker.Holds(c, kind, string(n)) {
			fresh++
		}
	}
	if c.subscribed+fresh <= limit {
		return false
	}
	c.srv.stats.subscriptionLimitRefusals.Add(1)
	c.writeError(fmt.Sprintf(errMaxSubscriptionsFmt, limit))
	return true
}

// patternTooLong writes Herald's error and reports true if a pattern is
// longer than max-pattern-len.
func (c *conn) patternTooLong(patterns ...[]byte) bool {
	limit := c.srv.settings().MaxPatternLen
	if limit <= 0 {
		return false
	}
	for _, p := range patterns {
		if len(p) > limit {
			c.writeError(fmt.Sprintf(errPatternTooLongFmt, limit))
			return true
		}
	}
	return false
}

// idleCheckInterval is how often idle clients are looked for: Redis's
// clientsCron visits every client about once a second.
const idleCheckInterval = time.Second

// touch records an interaction with the client (Redis's lastinteraction):
// bytes read from it, or written to it.
func (c *conn) touch() { c.lastInteraction.Store(time.Now().UnixNano()) }

// idleLoop closes the clients idle for more than timeout seconds, as
// Redis's clientsCronHandleTimeout: not those subscribed to anything, nor
// those blocked in BLPOP and the like. As Redis, it says nothing to the
// client; it counts, and logs at debug level (Redis at verbose). It runs
// from the first Serve until Shutdown.
func (s *Server) idleLoop(done chan struct{}) {
	defer s.wg.Done()
	t := time.NewTicker(idleCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case now := <-t.C:
			if timeout := s.settings().Timeout; timeout > 0 {
				s.closeIdleClients(now, time.Duration(timeout)*time.Second)
			}
		}
	}
}

// closeIdleClients closes the clients idle for more than timeout at now.
func (s *Server) closeIdleClients(now time.Time, timeout time.Duration) {
	var idle []*conn
	cutoff := now.Add(-timeout).UnixNano()
	s.mu.Lock()
	for _, c := range s.conns {
		if c.lastInteraction.Load() < cutoff && !c.blocked.Load() && !c.isPubSub() {
			idle = append(idle, c)
		}
	}
	s.mu.Unlock()
	for _, c := range idle {
		if c.killed.Swap(true) {
			continue
		}
		s.stats.idleTimeouts.Add(1)
		s.logger().Debug("closing idle client", "id", c.id, "addr", c.remoteAddr)
		c.kill()
	}
}

// isPubSub reports whether the client holds a subscription (Redis's
// CLIENT_PUBSUB flag).
func (c *conn) isPubSub() bool {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	return c.out.pubsub
}

// setKeepAlive applies tcp-keepalive to a new client's connection as
// Redis's anetKeepAlive does: probes after seconds of silence, then every
// third of that, three times; none when the setting is 0. Connections that
// are not TCP (net.Pipe in tests) are left alone.
func setKeepAlive(nc net.Conn, seconds int) {
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		if t, isTLS := nc.(*tls.Conn); isTLS {
			tc, ok = t.NetConn().(*net.TCPConn)
		}
	}
	if !ok {
		return
	}
	if seconds <= 0 {
		tc.SetKeepAlive(false)
		return
	}
	idle := time.Duration(seconds) * time.Second
	tc.SetKeepAliveConfig(net.KeepAliveConfig{Enable: true, Idle: idle, Interval: max(idle/3, time.Second), Count: 3})
}
