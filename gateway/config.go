package gateway

import (
	"log/slog"
	"time"
)

// Config configures a Gateway. Zero values mean the defaults each field
// names, filled in by withDefaults.
type Config struct {
	// MaxMessageBytes bounds a published payload: an HTTP publish body
	// (larger gets 413) and a WebSocket message from a client (larger
	// closes the connection with code 1009). Zero means 1 MiB.
	MaxMessageBytes int64
	// BodyTimeout bounds the reading of an HTTP publish body, so that a
	// client sending it a byte at a time does not hold its connection
	// forever; past it the request fails and the connection closes. Zero
	// means 10 seconds.
	BodyTimeout time.Duration
	// MaxClients bounds the WebSocket and SSE clients connected (or being
	// upgraded) at once: more are answered 503, code "too_many", before
	// any upgrade. Zero means no limit.
	MaxClients int
	// MaxSubscriptionsPerClient bounds the channels and patterns one
	// WebSocket or SSE client holds together: a subscribe that would pass
	// it is refused whole (code "too_many"; an SSE request gets 400). Zero
	// means no limit.
	MaxSubscriptionsPerClient int
	// MaxPatternLen bounds a pattern's length in bytes (code "too_large";
	// an SSE request gets 400). Zero means DefaultMaxPatternLen; negative
	// means no limit.
	MaxPatternLen int
	// SubscriptionLimits, when set, is asked at each subscribe for the
	// limits in force, in place of MaxSubscriptionsPerClient and
	// MaxPatternLen (same meanings, but a pattern length of zero means no
	// limit), so that a change at run time (the RESP server's CONFIG SET
	// max-subscriptions-per-client and max-pattern-len) reaches the
	// gateway's clients too. It is called without the gateway's locks and
	// must be cheap.
	SubscriptionLimits func() (maxSubscriptionsPerClient, maxPatternLen int)
	// MaxQueueBytes bounds each WebSocket or SSE client's pending output. A
	// client whose queue would pass it is a slow consumer: it is
	// disconnected (WebSocket close code 1008, reason "slow consumer"; an
	// SSE "close" event) and the publisher never waits. Zero means 4 MiB.
	MaxQueueBytes int
	// Heartbeat is how often an idle stream is pinged: a WebSocket ping
	// frame, an SSE comment line. Zero means 25 seconds; negative turns
	// heartbeats off.
	Heartbeat time.Duration
	// IdleTimeout closes a WebSocket connection from which nothing (not
	// even a pong) arrived for that long. Zero means three heartbeats, or no
	// timeout when heartbeats are off; negative means no timeout.
	IdleTimeout time.Duration
	// WriteTimeout bounds one write to a client's socket. Zero means 10
	// seconds.
	WriteTimeout time.Duration
	// AllowRemote lets clients that are not on a loopback address use the
	// gateway when no Authenticator is set. False (the default) answers
	// them 403. Ignored when Authenticator is set.
	AllowRemote bool
	// AllowOrigins lists the origins (as "https://example.com") whose pages
	// may use the gateway from a browser; "*" allows any. Empty means only
	// requests without an Origin header or whose Origin names the host the
	// request was sent to, so that a page from elsewhere cannot use a
	// loopback client's rights. With a TokenAuth the check applies only to
	// requests whose token is a cookie.
	AllowOrigins []string
	// Authenticator decides what each request may do. Nil means
	// LoopbackOnly{AllowRemote: AllowRemote}; NewTokenAuth requires tokens.
	Authenticator Authenticator
	// Logger receives the gateway's log. Nil means slog.Default().
	Logger *slog.Logger
}

// Defaults of Config's zero values.
const (
	DefaultMaxMessageBytes = 1 << 20
	DefaultMaxQueueBytes   = 4 << 20
	DefaultHeartbeat       = 25 * time.Second
	DefaultWriteTimeout    = 10 * time.Second
	DefaultBodyTimeout     = 10 * time.Second
)

func (c Config) withDefaults() Config {
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.MaxQueueBytes <= 0 {
		c.MaxQueueBytes = DefaultMaxQueueBytes
	}
	if c.Heartbeat == 0 {
		c.Heartbeat = DefaultHeartbeat
	}
	if c.IdleTimeout == 0 && c.Heartbeat > 0 {
		c.IdleTimeout = 3 * c.Heartbeat
	}
	if c.MaxPatternLen == 0 {
		c.MaxPatternLen = DefaultMaxPatternLen
	}
	if c.BodyTimeout <= 0 {
		c.BodyTimeout = DefaultBodyTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Authenticator == nil {
		c.Authenticator = LoopbackOnly{AllowRemote: c.AllowRemote}
	}
	return c
}
