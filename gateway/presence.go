package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// PresencePrefix starts the companion channel of each channel's presence
// events: joins and leaves of "room" are published on "__presence__:room"
// (see PROTOCOL.md).
const PresencePrefix = "__presence__:"

// maxPresenceName is the longest name, in bytes, a client may join under
// when it has no token.
const maxPresenceName = 128

// presence knows who is in which channel: the identities that joined it,
// each counted once per connection that joined as that identity. Only the
// first join and the last leave of an identity are published.
//
// Lock order: emit, then mu; Bus.Publish is called holding emit but never
// mu, and neither is held while the broker or a client.mu is held (a
// delivery never calls back into presence). emit keeps the events of a
// channel in the order of the changes they report: without it, a last
// leave and the next first join of the same identity could be published
// the other way round.
type presence struct {
	gw *Gateway

	emit sync.Mutex // held across a change and the publish of its event

	mu      sync.Mutex
	members map[string]map[string]int // channel -> identity -> connections joined
}

func newPresence(g *Gateway) *presence {
	return &presence{gw: g, members: make(map[string]map[string]int)}
}

// presenceEvent is the payload published on a companion channel.
type presenceEvent struct {
	Event   string `json:"event"` // "join" or "leave"
	Channel string `json:"channel"`
	ID      string `json:"id"`
}

// join counts one more connection of id in channel and publishes a join
// event if it is the first. The error is the bus's, after the count
// changed.
func (p *presence) join(channel, id string) error {
	p.emit.Lock()
	defer p.emit.Unlock()
	p.mu.Lock()
	ids := p.members[channel]
	if ids == nil {
		ids = make(map[string]int)
		p.members[channel] = ids
	}
	ids[id]++
	first := ids[id] == 1
	p.mu.Unlock()
	if !first {
		return nil
	}
	return p.publish("join", channel, id)
}

// leave counts one connection of id fewer in channel and publishes a leave
// event if it was the last.
func (p *presence) leave(channel, id string) error {
	p.emit.Lock()
	defer p.emit.Unlock()
	p.mu.Lock()
	ids := p.members[channel]
	if ids[id] == 0 { // cannot happen: the client joined
		p.mu.Unlock()
		return nil
	}
	ids[id]--
	last := ids[id] == 0
	if last {
		delete(ids, id)
		if len(ids) == 0 {
			delete(p.members, channel)
		}
	}
	p.mu.Unlock()
	if !last {
		return nil
	}
	return p.publish("leave", channel, id)
}

// publish publishes an event on channel's companion channel. emit held.
func (p *presence) publish(event, channel, id string) error {
	body, err := json.Marshal(presenceEvent{Event: event, Channel: channel, ID: id})
	if err != nil {
		return err
	}
	_, err = p.gw.bus.Publish(context.Background(), PresencePrefix+channel, body)
	return err
}

// list returns the identities in channel, sorted.
func (p *presence) list(channel string) []string {
	p.mu.Lock()
	ids := make([]string, 0, len(p.members[channel]))
	for id := range p.members[channel] {
		ids = append(ids, id)
	}
	p.mu.Unlock()
	slices.Sort(ids)
	return ids
}

// identity returns who the client joins as: the token's subject when it
// has one (a name, if given, must equal it), else the name it chose.
func (c *client) identity(name string) (string, *reply) {
	if who, ok := c.auth.(interface{ Identity() string }); ok {
		sub := who.Identity()
		if name != "" && name != sub {
			r := errorReply(codeForbidden, "name must be the token's sub "+jsonQuote(sub))
			return "", &r
		}
		return sub, nil
	}
	var problem string
	switch {
	case name == "":
		problem = "join needs a name"
	case len(name) > maxPresenceName:
		problem = "name longer than " + itoa(maxPresenceName) + " bytes"
	case !utf8.ValidString(name):
		problem = "name is not valid UTF-8"
	default:
		return name, nil
	}
	r := errorReply(codeBadRequest, problem)
	return "", &r
}

// join makes the client present in req.Channel. Joining a channel twice
// as the same identity is acknowledged and changes nothing. c.joined is
// owned by the reading goroutine, which also runs cleanup.
func (c *client) join(req *request) reply {
	if req.Channel == "" {
		return errorReply(codeBadRequest, "join needs a channel")
	}
	id, bad := c.identity(req.Name)
	if bad != nil {
		return *bad
	}
	if !c.auth.CanSubscribe(req.Channel) {
		return errorReply(codeForbidden, "not allowed to subscribe to channel "+jsonQuote(req.Channel))
	}
	if was, ok := c.joined[req.Channel]; ok {
		if was != id {
			return errorReply(codeBadRequest, "already joined "+jsonQuote(req.Channel)+" as "+jsonQuote(was))
		}
		return reply{Type: "ack", As: id}
	}
	if c.joined == nil {
		c.joined = make(map[string]string)
	}
	c.joined[req.Channel] = id
	if err := c.gw.presence.join(req.Channel, id); err != nil {
		return errorReply(codeUnavailable, err.Error())
	}
	return reply{Type: "ack", As: id}
}

// leave ends the client's presence in req.Channel.
func (c *client) leave(req *request) reply {
	if req.Channel == "" {
		return errorReply(codeBadRequest, "leave needs a channel")
	}
	id, ok := c.joined[req.Channel]
	if !ok {
		return errorReply(codeBadRequest, "not joined to "+jsonQuote(req.Channel))
	}
	delete(c.joined, req.Channel)
	if err := c.gw.presence.leave(req.Channel, id); err != nil {
		return errorReply(codeUnavailable, err.Error())
	}
	return reply{Type: "ack", As: id}
}

// leaveAll ends the client's presence everywhere, as it disconnects.
func (c *client) leaveAll() {
	for channel, id := range c.joined {
		if err := c.gw.presence.leave(channel, id); err != nil {
			c.gw.cfg.Logger.Warn("gateway: presence leave failed", "addr", c.addr, "channel", channel, "error", err)
		}
	}
	c.joined = nil
}

// handlePresence answers {"channel": "room", "members": ["alice", "bob"]}
// for GET /presence/{channel}, to a client that may subscribe to it.
func (g *Gateway) handlePresence(w http.ResponseWriter, r *http.Request) {
	auth, channel := g.authenticateChannel(w, r)
	if auth == nil {
		return
	}
	if !auth.CanSubscribe(channel) {
		writeError(w, http.StatusForbidden, codeForbidden, "not allowed to subscribe to channel "+jsonQuote(channel))
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Channel string   `json:"channel"`
		Members []string `json:"members"`
	}{channel, g.presence.list(channel)})
}

// isPresenceChannel reports whether channel is a companion channel, on
// which only the gateway publishes: clients of the gateway cannot forge
// presence events (RESP clients can; keep them trusted).
func isPresenceChannel(channel string) bool {
	return strings.HasPrefix(channel, PresencePrefix)
}
