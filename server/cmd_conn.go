package server

import (
	"fmt"
	"math"

	"github.com/heraldhq/herald/keyspace"

	"github.com/heraldhq/herald/broker"
	"github.com/heraldhq/herald/internal/resp"
)

// Version is the Redis version Herald reports in HELLO and INFO, so that
// clients' version checks pass: Herald implements Redis 7.0's behaviour.
const Version = "7.0.15"

// HeraldVersion is Herald's own version, reported in INFO.
const HeraldVersion = "0.1.0"

// numDatabases is the number of databases SELECT accepts, as Redis's default.
const numDatabases = keyspace.NumDatabases

func registerConnection(t commandTable) {
	connMeta := func(flags ...string) commandMeta {
		return commandMeta{flags: flags, categories: []string{"@fast", "@connection"}}
	}
	t.add(&command{name: "ping", arity: -1, flags: flagPubSubContext | flagHot, run: cmdPing, meta: connMeta("fast")})
	t.add(&command{name: "echo", arity: 2, flags: flagHot, run: cmdEcho, meta: connMeta("loading", "stale", "fast")})
	t.add(&command{name: "quit", arity: -1, flags: flagPubSubContext | flagNoAuth, run: cmdQuit,
		meta: connMeta("noscript", "loading", "stale", "fast", "no_auth", "allow_busy")})
	t.add(&command{name: "reset", arity: 1, flags: flagPubSubContext | flagNoAuth, run: cmdReset,
		meta: connMeta("noscript", "loading", "stale", "fast", "no_auth", "allow_busy")})
	t.add(&command{name: "select", arity: 2, run: cmdSelect, meta: connMeta("loading", "stale", "fast")})
	t.add(&command{name: "auth", arity: -2, flags: flagNoAuth, run: cmdAuth,
		meta: connMeta("noscript", "loading", "stale", "fast", "no_auth", "allow_busy")})
	t.add(&command{name: "hello", arity: -1, flags: flagNoAuth, run: cmdHello,
		meta: connMeta("noscript", "loading", "stale", "fast", "no_auth", "allow_busy")})
}

func cmdPing(c *conn, args [][]byte) {
	if len(args) > 2 {
		c.writeArity("ping")
		return
	}
	if c.subscribed > 0 && c.proto == resp.RESP2 {
		c.writeArrayLen(2)
		c.writeBulkString("pong")
		if len(args) == 2 {
			c.writeBulk(args[1])
		} else {
			c.writeBulkString("")
		}
		return
	}
	if len(args) == 2 {
		c.writeBulk(args[1])
		return
	}
	c.writeSimple("PONG")
}

func cmdEcho(c *conn, args [][]byte) { c.writeBulk(args[1]) }

func cmdQuit(c *conn, _ [][]byte) {
	c.closeAfterReply()
	c.writeOK()
}

func cmdReset(c *conn, _ [][]byte) {
	c.discardTransaction()
	c.srv.disableTracking(c)
	if c.subscribed > 0 {
		c.srv.broker.UnsubscribeAll(c)
		c.noteSubscriptions()
	}
	c.setProto(resp.RESP2)
	if c.replyMode != replySkipThis {
		// Like Redis, RESET ends CLIENT REPLY OFF, but the SKIP that
		// applies to RESET itself still swallows its reply.
		c.replyMode = replyOn
	}
	c.setUser(c.srv.acl().defaultUser(), !c.srv.acl().authRequired())
	c.info.Lock()
	c.db = 0
	c.info.name, c.info.db, c.info.noEvict, c.info.noTouch = "", 0, false, false
	c.info.Unlock()
	c.writeSimple("RESET")
}

func cmdSelect(c *conn, args [][]byte) {
	id, ok := parseInteger(args[1])
	if !ok {
		c.writeError(errNotInteger)
		return
	}
	if id < math.MinInt32 || id > math.MaxInt32 {
		c.writeError(errIntRange)
		return
	}
	if id < 0 || id >= numDatabases {
		c.writeError(errDBIndex)
		return
	}
	c.db = int(id)
	c.info.Lock()
	c.info.db = int(id)
	c.info.Unlock()
	c.writeOK()
}

func cmdAuth(c *conn, args [][]byte) {
	if len(args) > 3 {
		c.writeError(errSyntax)
		return
	}
	user := []byte("default")
	if len(args) == 2 {
		// Redis keeps the old error for the one-argument form when the
		// default user needs no password.
		if c.srv.acl().defaultUser().perms.Load().nopass {
			c.writeError(errAuthNoPassword)
			return
		}
	} else {
		user = args[1]
	}
	if !c.authenticate(args, user, args[len(args)-1]) {
		c.writeError(errWrongPass)
		return
	}
	c.writeOK()
}

// cmdHello runs HELLO [protover [AUTH user pass] [SETNAME name]]. As in
// Redis 7.0, the options take effect one by one as they are read: an AUTH
// or SETNAME before a bad option is kept although HELLO fails, and the
// protocol changes only when everything succeeded.
func cmdHello(c *conn, args [][]byte) {
	proto := 0
	if len(args) >= 2 {
		v, ok := parseInteger(args[1])
		if !ok {
			c.writeError(errProtoNotInteger)
			return
		}
		if v < 2 || v > 3 {
			c.writeError(errNoProto)
			return
		}
		proto = int(v)
	}
	for i := 2; i < len(args); i++ {
		more := len(args) - i - 1
		switch opt := string(args[i]); {
		case equalFoldASCII(opt, "auth") && more >= 2:
			if !c.authenticate(args, args[i+1], args[i+2]) {
				c.writeError(errWrongPass)
				return
			}
			i += 2
		case equalFoldASCII(opt, "setname") && more >= 1:
			if !validClientName(args[i+1]) {
				c.writeError(errClientName)
				return
			}
			c.info.Lock()
			c.info.name = string(args[i+1])
			c.info.Unlock()
			i++
		default:
			c.writeError(sanitize(fmt.Sprintf(errHelloOptionFmt, cString(args[i]))))
			return
		}
	}
	if !c.authed {
		c.writeError(errHelloNoAuth)
		return
	}
	if proto != 0 {
		c.setProto(proto)
	}
	c.writeMapLen(7)
	c.writeBulkString("server")
	c.writeBulkString("redis")
	c.writeBulkString("version")
	c.writeBulkString(Version)
	c.writeBulkString("proto")
	c.writeInt(int64(c.proto))
	c.writeBulkString("id")
	c.writeInt(c.id)
	c.writeBulkString("mode")
	c.writeBulkString("standalone")
	c.writeBulkString("role")
	c.writeBulkString("master")
	c.writeBulkString("modules")
	c.writeArrayLen(0)
}

// setProto switches the connection's protocol and the frame format its
// deliveries use.
func (c *conn) setProto(proto int) {
	c.proto = proto
	c.out.mu.Lock()
	c.out.format = uint8(formatFor(proto))
	c.out.mu.Unlock()
}

// validClientName reports whether name may be a client name: Redis refuses
// spaces, newlines and other characters outside '!'..'~'.
func validClientName(name []byte) bool {
	for _, ch := range name {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

var _ broker.Subscriber = (*conn)(nil)
