package gateway

import (
	"net/http"
	"time"

	"github.com/gobwas/ws"
)

// closeTokenExpired is the WebSocket close code of a connection whose token
// expired: 1008 (policy violation), with the reason "token expired".
const closeTokenExpired = ws.StatusPolicyViolation

// The frames that close a connection whose token expired.
var (
	expiredCloseFrame = closeFrame(closeTokenExpired, "token expired")
	sseExpiredClose   = []byte("event: close\ndata: {\"reason\":\"token expired\"}\n\n")
)

// expirer is implemented by an Authenticator whose rights end at a time
// (TokenAuth): the gateway closes a connection then.
type expirer interface {
	closeAt(auth Authorizer) (at time.Time, ok bool)
}

// originExempter is implemented by an Authenticator that can tell a
// request carrying its own proof (a token in a header or the query) from
// one relying on something the browser sends by itself (a cookie, a
// loopback address). Only the latter get the Origin check.
type originExempter interface {
	skipOriginCheck(r *http.Request) bool
}

// needsOriginCheck reports whether r must pass the Origin check.
func (g *Gateway) needsOriginCheck(r *http.Request) bool {
	e, ok := g.cfg.Authenticator.(originExempter)
	return !ok || !e.skipOriginCheck(r)
}

// startExpiry arms a timer that closes the client when its rights expire,
// if they do. cleanup stops it.
func (c *client) startExpiry() {
	e, ok := c.gw.cfg.Authenticator.(expirer)
	if !ok {
		return
	}
	at, ok := e.closeAt(c.auth)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.expiry = time.AfterFunc(time.Until(at), c.expire)
	}
}

// expire closes the client, telling it its token expired.
func (c *client) expire() {
	c.gw.cfg.Logger.Info("gateway: closing a client whose token expired", "addr", c.addr)
	if c.sse {
		c.closeWith(sseExpiredClose)
	} else {
		c.closeWith(expiredCloseFrame)
	}
}
