package gateway

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"github.com/heraldhq/herald/broker"
)

// request is a client's WebSocket request (see PROTOCOL.md). Channel and
// Channels are merged, as are Pattern and Patterns.
type request struct {
	ID       json.RawMessage `json:"id"`
	Type     string          `json:"type"`
	Channel  string          `json:"channel"`
	Channels []string        `json:"channels"`
	Pattern  string          `json:"pattern"`
	Patterns []string        `json:"patterns"`
	Data     *string         `json:"data"`
	DataB64  *string         `json:"data_b64"`
	Name     string          `json:"name"` // join without a token
}

// reply answers one request: an ack or an error.
type reply struct {
	ID        json.RawMessage `json:"id,omitempty"`
	Type      string          `json:"type"`
	Count     *int            `json:"count,omitempty"`
	Receivers *int            `json:"receivers,omitempty"`
	As        string          `json:"as,omitempty"` // join, leave: the identity
	Code      string          `json:"code,omitempty"`
	Text      string          `json:"text,omitempty"`
}

// names merges a request's single and list forms.
func names(one string, many []string) []string {
	if one != "" {
		return append([]string{one}, many...)
	}
	return many
}

// handleRequest executes one request and sends exactly one reply. It
// reports whether the request was a hot one (publish, ping), which a
// client may send at a high rate.
func (c *client) handleRequest(payload []byte) (hot bool) {
	var req request
	if err := json.Unmarshal(payload, &req); err != nil {
		c.reply(reply{Type: "error", Code: codeBadJSON, Text: "request is not a JSON object: " + err.Error()})
		return false
	}
	rep := c.execute(&req)
	rep.ID = req.ID
	c.reply(rep)
	return req.Type == "publish" || req.Type == "ping"
}

func (c *client) execute(req *request) reply {
	switch req.Type {
	case "subscribe":
		return c.subscribe(names(req.Channel, req.Channels), "channel", c.auth.CanSubscribe, c.gw.bus.Subscribe)
	case "unsubscribe":
		return c.unsubscribe(names(req.Channel, req.Channels), "channel", c.gw.bus.Unsubscribe)
	case "psubscribe":
		return c.subscribe(names(req.Pattern, req.Patterns), "pattern", c.auth.CanPSubscribe, c.gw.bus.PSubscribe)
	case "punsubscribe":
		return c.unsubscribe(names(req.Pattern, req.Patterns), "pattern", c.gw.bus.PUnsubscribe)
	case "publish":
		return c.publish(req)
	case "join":
		return c.join(req)
	case "leave":
		return c.leave(req)
	case "ping":
		return reply{Type: "ack"}
	case "":
		return errorReply(codeBadRequest, "missing type")
	}
	return errorReply(codeUnknownType, "unknown type "+jsonQuote(req.Type))
}

func errorReply(code, text string) reply {
	return reply{Type: "error", Code: code, Text: text}
}

// subscribe applies change to every name, after checking them all with
// allowed (nil: no check), and acks with the subscription count after the
// last one.
func (c *client) subscribe(list []string, what string, allowed func(string) bool,
	change func(context.Context, broker.Subscriber, string) (int, error)) reply {
	if len(list) == 0 {
		return errorReply(codeBadRequest, "no "+what+" given")
	}
	for _, n := range list {
		if n == "" {
			return errorReply(codeBadRequest, "empty "+what+" name")
		}
		if allowed != nil && !allowed(n) {
			return errorReply(codeForbidden, "not allowed to subscribe to "+what+" "+jsonQuote(n))
		}
	}
	if code, text := c.wsSubscribeLimit(list, what == "pattern"); code != "" {
		return errorReply(code, text)
	}
	count := 0
	for _, n := range list {
		var err error
		if count, err = change(context.Background(), c, n); err != nil {
			return errorReply(codeUnavailable, err.Error())
		}
	}
	return reply{Type: "ack", Count: &count}
}

// unsubscribe applies change to every name, or, as Redis's UNSUBSCRIBE
// and PUNSUBSCRIBE without arguments, to every name of its kind the client
// holds, and acks with the subscription count after the last one.
func (c *client) unsubscribe(list []string, what string,
	change func(context.Context, broker.Subscriber, string) (int, error)) reply {
	if len(list) == 0 {
		channels, patterns := c.gw.bus.Holdings(c)
		if list = channels; what == "pattern" {
			list = patterns
		}
		if len(list) == 0 {
			count := len(channels) + len(patterns)
			return reply{Type: "ack", Count: &count}
		}
	}
	return c.subscribe(list, what, nil, change)
}

// publish publishes data (or data_b64, decoded) on channel and acks with
// the receiver count.
func (c *client) publish(req *request) reply {
	if req.Channel == "" {
		return errorReply(codeBadRequest, "publish needs a channel")
	}
	var payload []byte
	switch {
	case req.Data != nil && req.DataB64 != nil:
		return errorReply(codeBadRequest, "give data or data_b64, not both")
	case req.Data != nil:
		payload = []byte(*req.Data)
	case req.DataB64 != nil:
		var err error
		if payload, err = base64.StdEncoding.DecodeString(*req.DataB64); err != nil {
			return errorReply(codeBadRequest, "data_b64 is not base64: "+err.Error())
		}
	default:
		return errorReply(codeBadRequest, "publish needs data or data_b64")
	}
	if !c.auth.CanPublish(req.Channel) || isPresenceChannel(req.Channel) {
		return errorReply(codeForbidden, "not allowed to publish to "+jsonQuote(req.Channel))
	}
	n, err := c.gw.bus.Publish(context.Background(), req.Channel, payload)
	if err != nil {
		return errorReply(codeUnavailable, err.Error())
	}
	c.gw.stats.Published.Add(1)
	c.gw.meters.published[transportWebSocket].Add(1)
	return reply{Type: "ack", Receivers: &n}
}

// reply sends rep as a text frame.
func (c *client) reply(rep reply) {
	body, err := json.Marshal(rep)
	if err != nil { // an id that is not valid JSON cannot happen: it was parsed
		body, _ = json.Marshal(errorReply(codeBadRequest, err.Error()))
	}
	c.send(frameInPlace(body, 0))
}

func jsonQuote(s string) string { return string(appendJSONString(nil, s)) }
