package backend

import (
	"encoding/json"
	"time"
)

// SystemChannel is the local channel on which the backend announces gaps:
// times when messages published through the backend may have been lost
// for this node's subscribers (at most once delivery), because a
// connection to Redis dropped or Redis dropped shard subscriptions when a
// slot moved. Clients subscribe to it as to any channel; it is never
// mirrored in Redis, so each node reports its own gaps. Each message is a
// JSON object:
//
//	{"event":"gap","node":"10.0.0.7:6379","reason":"connection lost: EOF","time":"2026-01-02T15:04:05.999Z"}
//	{"event":"gap","node":"10.0.0.7:6379","reason":"the server dropped shard subscriptions (slot moved)","channels":12,"time":"..."}
//	{"event":"resumed","node":"10.0.0.7:6379","gap_ms":420,"time":"..."}
//
// "gap" says delivery from that node stopped (for "channels" subscriptions,
// when given); "resumed" says the connection is back, its subscriptions are
// being made again, and how long it was down. Stats().Gaps counts the
// "gap" events.
const SystemChannel = "__herald__:backend"

// gapEvent is one message on SystemChannel.
type gapEvent struct {
	Event    string `json:"event"`
	Node     string `json:"node,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Channels int    `json:"channels,omitempty"`
	GapMS    int64  `json:"gap_ms,omitempty"`
	Time     string `json:"time"`
}

// gap counts a gap and announces it locally.
func (e *engine) gap(ev gapEvent) {
	e.gaps.Add(1)
	e.announce(ev)
}

// gapEnded announces that the connection to node is back after d.
func (e *engine) gapEnded(node string, d time.Duration) {
	e.announce(gapEvent{Event: "resumed", Node: node, GapMS: max(d.Milliseconds(), 1)})
}

func (e *engine) announce(ev gapEvent) {
	ev.Time = time.Now().UTC().Format(time.RFC3339Nano)
	payload, _ := json.Marshal(ev)
	e.broker.Publish([]byte(SystemChannel), payload, nil)
}
