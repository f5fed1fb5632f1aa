package gateway

import (
	"errors"
	"net/http"
	"slices"
)

// DefaultMaxPatternLen is Config.MaxPatternLen's default, the RESP server's
// max-pattern-len: some of what matching a channel costs grows with the
// patterns' length (LIMITS.md).
const DefaultMaxPatternLen = 1024

// codeTooMany refuses a subscribe past Config.MaxSubscriptionsPerClient.
const codeTooMany = "too_many"

// subscriptionLimits is the limits in force: Config.SubscriptionLimits',
// or the fixed ones. A limit of zero or less is none.
func (g *Gateway) subscriptionLimits() (maxSubscriptions, maxPatternLen int) {
	if g.cfg.SubscriptionLimits != nil {
		return g.cfg.SubscriptionLimits()
	}
	return g.cfg.MaxSubscriptionsPerClient, g.cfg.MaxPatternLen
}

// subscribeLimit checks a subscribe of names (patterns when pattern is
// true) by a client that holds channels and patterns against the limits.
// It returns the error code and text of a refusal, or "" when the
// subscribe is within them. Names held already, and repeated names, do not
// count.
func (g *Gateway) subscribeLimit(channels, patterns, names []string, pattern bool) (code, text string) {
	limit, patternLimit := g.subscriptionLimits()
	if pattern && patternLimit > 0 {
		for _, p := range names {
			if len(p) > patternLimit {
				return codeTooLarge, "pattern longer than the limit of " + itoa(int64(patternLimit)) + " bytes"
			}
		}
	}
	holding := len(channels) + len(patterns)
	if limit <= 0 || holding+len(names) <= limit {
		return "", ""
	}
	same := channels
	if pattern {
		same = patterns
	}
	held := make(map[string]struct{}, len(same))
	for _, n := range same {
		held[n] = struct{}{}
	}
	fresh := make(map[string]struct{}, len(names))
	for _, n := range names {
		if _, ok := held[n]; !ok {
			fresh[n] = struct{}{}
		}
	}
	if holding+len(fresh) <= limit {
		return "", ""
	}
	return codeTooMany, "more than the limit of " + itoa(int64(limit)) + " subscriptions per client"
}

// wsSubscribeLimit checks a WebSocket subscribe or psubscribe of names
// against the limits.
func (c *client) wsSubscribeLimit(names []string, pattern bool) (code, text string) {
	var channels, patterns []string
	if limit, _ := c.gw.subscriptionLimits(); limit > 0 {
		channels, patterns = c.gw.bus.Holdings(c)
	}
	return c.gw.subscribeLimit(channels, patterns, names, pattern)
}

// sseSubscribeLimit checks an SSE request's subscriptions against the
// limits: its channels are counted as held, its patterns as subscribed.
func (g *Gateway) sseSubscribeLimit(channels, patterns []string) (int, string, string) {
	distinct := func(names []string) []string { return slices.Compact(slices.Sorted(slices.Values(names))) }
	if code, text := g.subscribeLimit(distinct(channels), nil, patterns, true); code != "" {
		return http.StatusBadRequest, code, text
	}
	return 0, "", ""
}

// errTooManyClients is the refusal of a WebSocket or SSE client past
// Config.MaxClients, as the RESP server's maxclients words it.
var errTooManyClients = errors.New("max number of clients reached")

// reserveClient reserves a place for a WebSocket or SSE client before its
// upgrade, so that the refusal past Config.MaxClients is a plain HTTP
// answer (503, code too_many) and clients racing in together cannot pass
// the limit. On true the caller must hand the place to addClient or give it
// back with unreserveClient.
func (g *Gateway) reserveClient(w http.ResponseWriter) bool {
	if g.cfg.MaxClients <= 0 {
		return true
	}
	g.mu.Lock()
	full := len(g.clients)+g.reserved >= g.cfg.MaxClients
	if !full {
		g.reserved++
	}
	g.mu.Unlock()
	if full {
		g.stats.RejectedClients.Add(1)
		writeError(w, http.StatusServiceUnavailable, codeTooMany, errTooManyClients.Error())
	}
	return !full
}

// unreserveClient gives back a place reserveClient reserved.
func (g *Gateway) unreserveClient() {
	if g.cfg.MaxClients > 0 {
		g.mu.Lock()
		g.reserved--
		g.mu.Unlock()
	}
}
