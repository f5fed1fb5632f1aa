package gateway

import (
	"errors"
	"net/http"
	"slices"

	"github.com/gobwas/ws"
)

// DefaultMaxPatternLen is Config.MaxPatternLen's default, the RESP server's
// max-pattern-len: matching a pattern against a channel costs up to
// len(pattern) × len(channel) steps.
const DefaultMaxPatternLen = 1024

// codeTooMany refuses a subscribe past Config.MaxSubscriptionsPerClient.
const codeTooMany = "too_many"

// subscribeLimit checks a subscribe of names (patterns when pattern is
// true) by a client that holds channels and patterns against the limits.
// It returns the error code and text of a refusal, or "" when the
// subscribe is within them. Names held already, and repeated names, do not
// count.
func (g *Gateway) subscribeLimit(channels, patterns, names []string, pattern bool) (code, text string) {
	if limit := g.cfg.MaxPatternLen; pattern && limit > 0 {
		for _, p := range names {
			if len(p) > limit {
				return codeTooLarge, "pattern longer than the limit of " + itoa(int64(limit)) + " bytes"
			}
		}
	}
	limit := g.cfg.MaxSubscriptionsPerClient
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
	if c.gw.cfg.MaxSubscriptionsPerClient > 0 {
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

// errTooManyClients refuses a WebSocket or SSE client past
// Config.MaxClients, as the RESP server's maxclients does.
var errTooManyClients = errors.New("max number of clients reached")

// fullCloseFrame closes a WebSocket accepted in a race past MaxClients:
// 1013, try again later.
var fullCloseFrame = closeFrame(ws.StatusCode(1013), errTooManyClients.Error())

// refuseIfFull answers 503 (code too_many) and reports true when the
// gateway holds Config.MaxClients WebSocket and SSE clients already. It is
// asked before the upgrade, so that the refusal is a plain HTTP answer;
// addClient enforces the limit for the connections that race past it.
func (g *Gateway) refuseIfFull(w http.ResponseWriter) bool {
	if g.cfg.MaxClients <= 0 || g.Clients() < g.cfg.MaxClients {
		return false
	}
	g.stats.RejectedClients.Add(1)
	writeError(w, http.StatusServiceUnavailable, codeTooMany, errTooManyClients.Error())
	return true
}
