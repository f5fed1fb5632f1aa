package server

import (
	"fmt"
	"slices"
	"strings"
)

// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO, as Redis 7.0's
// networking.c, with its checks in its order and its error texts. The
// state they set is tracking.go's.

// registerTracking adds the tracking subcommands to CLIENT, their
// COMMAND DOCS, and the read-only commands' key tracking. It runs after
// every other registration.
func registerTracking(t commandTable) {
	client := t["client"]
	meta := commandMeta{flags: []string{"noscript", "loading", "stale"}, categories: []string{"@slow", "@connection"}}
	client.addSub(&command{name: "tracking", arity: -3, run: cmdClientTracking, meta: meta})
	client.addSub(&command{name: "caching", arity: 3, run: cmdClientCaching, meta: meta})
	client.addSub(&command{name: "getredir", arity: 2, run: cmdClientGetRedir, meta: meta})
	client.addSub(&command{name: "trackinginfo", arity: 2, run: cmdClientTrackingInfo, meta: meta})
	for name, doc := range trackingDocs {
		commandDocs[name] = doc
	}
	trackReads(t)
}

// trackingOptions are CLIENT TRACKING's parsed options.
type trackingOptions struct {
	redirect                     int64
	bcast, optin, optout, noloop bool
	prefixes                     []string
}

// cmdClientTracking is CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...]
// [BCAST] [OPTIN] [OPTOUT] [NOLOOP].
func cmdClientTracking(c *conn, args [][]byte) {
	var o trackingOptions
	for j := 3; j < len(args); j++ {
		more := len(args) - 1 - j
		switch opt := lowerASCII(string(args[j])); {
		case opt == "redirect" && more > 0:
			j++
			if o.redirect != 0 {
				c.writeError(errTrackingOneRedirect)
				return
			}
			id, ok := parseInteger(args[j])
			if !ok {
				c.writeError(errNotInteger)
				return
			}
			// The target must exist now; it may go later, which
			// breaks the redirection.
			if id <= 0 || c.srv.connByID(id) == nil {
				c.writeError(errTrackingNoRedirect)
				return
			}
			o.redirect = id
		case opt == "bcast":
			o.bcast = true
		case opt == "optin":
			o.optin = true
		case opt == "optout":
			o.optout = true
		case opt == "noloop":
			o.noloop = true
		case opt == "prefix" && more > 0:
			j++
			o.prefixes = append(o.prefixes, string(args[j]))
		default:
			c.writeError(errSyntax)
			return
		}
	}
	on, ok := onOff(args[2])
	switch {
	case !ok:
		c.writeError(errSyntax)
	case !on:
		c.srv.disableTracking(c)
		c.writeOK()
	default:
		c.enableTracking(o)
	}
}

// enableTracking checks o against itself and the client's state and turns
// tracking on, as Redis's CLIENT TRACKING ON and enableTracking.
func (c *conn) enableTracking(o trackingOptions) {
	st := c.tracking
	wasOn := st != nil && st.on
	switch {
	case !o.bcast && len(o.prefixes) > 0:
		c.writeError(errTrackingPrefixNoBcast)
		return
	case wasOn && st.bcast != o.bcast:
		c.writeError(errTrackingSwitchBcast)
		return
	case o.bcast && (o.optin || o.optout):
		c.writeError(errTrackingOptBcast)
		return
	case o.optin && o.optout:
		c.writeError(errTrackingOptBoth)
		return
	case wasOn && ((o.optin && st.optout) || (o.optout && st.optin)):
		c.writeError(errTrackingSwitchOpt)
		return
	}
	if o.bcast && !c.checkPrefixes(o.prefixes) {
		return
	}
	// The reply is queued before tracking starts: as in Redis, an
	// invalidation another client's write broadcasts comes after it.
	c.writeOK()
	c.commitReply()
	t := &c.srv.tracking
	t.mu.Lock()
	if st == nil {
		st = &trackingState{}
		c.tracking = st
	}
	if !st.on {
		t.clients++
	}
	t.used.Store(true)
	st.on = true
	st.redirect = o.redirect
	st.brokenRedir, st.bcast, st.optin, st.optout, st.noloop = false, o.bcast, o.optin, o.optout, o.noloop
	if o.bcast {
		if len(o.prefixes) == 0 {
			c.addPrefixLocked("")
		}
		for _, p := range o.prefixes {
			c.addPrefixLocked(p)
		}
	}
	t.mu.Unlock()
}

// checkPrefixes refuses prefixes that overlap one another or the client's
// own, as Redis's checkPrefixCollisionsOrReply, whose quirk it keeps: an
// overlap within the list found for any prefix but the first is replied
// as an error and yet tracking is enabled, with a second reply, OK.
func (c *conn) checkPrefixes(prefixes []string) bool {
	var own []string
	if c.tracking != nil {
		own = c.tracking.prefixes
	}
	for i, p := range prefixes {
		for _, q := range own {
			if overlaps(p, q) {
				c.writeError(sanitize(fmt.Sprintf(errPrefixOverlapOwnFmt, cString([]byte(p)), cString([]byte(q)))))
				return false
			}
		}
		for _, q := range prefixes[i+1:] {
			if overlaps(p, q) {
				c.writeError(sanitize(fmt.Sprintf(errPrefixOverlapListFmt, cString([]byte(p)), cString([]byte(q)))))
				return i != 0
			}
		}
	}
	return true
}

// overlaps reports whether one of a and b is a prefix of the other: the
// same key would be invalidated for both.
func overlaps(a, b string) bool {
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// addPrefixLocked registers c for BCAST invalidations under prefix.
// tracker.mu held.
func (c *conn) addPrefixLocked(prefix string) {
	t := &c.srv.tracking
	if t.prefixes == nil {
		t.prefixes = make(map[string]*bcastPrefix)
	}
	p := t.prefixes[prefix]
	if p == nil {
		p = &bcastPrefix{keys: make(map[string]*conn), clients: make(map[*conn]struct{})}
		t.prefixes[prefix] = p
	}
	if _, ok := p.clients[c]; ok {
		return
	}
	p.clients[c] = struct{}{}
	st := c.tracking
	i, _ := slices.BinarySearch(st.prefixes, prefix)
	st.prefixes = slices.Insert(st.prefixes, i, prefix)
}

// cmdClientCaching is CLIENT CACHING YES|NO: whether the next command's
// keys are tracked, in OPTIN or OPTOUT mode.
func cmdClientCaching(c *conn, args [][]byte) {
	st := c.tracking
	if st == nil || !st.on {
		c.writeError(errCachingNotTracking)
		return
	}
	switch lowerASCII(string(args[2])) {
	case "yes":
		if !st.optin {
			c.writeError(errCachingYes)
			return
		}
	case "no":
		if !st.optout {
			c.writeError(errCachingNo)
			return
		}
	default:
		c.writeError(errSyntax)
		return
	}
	c.srv.tracking.mu.Lock()
	st.caching = true
	c.srv.tracking.mu.Unlock()
	c.writeOK()
}

// cmdClientGetRedir is CLIENT GETREDIR: the redirect target's id, 0 for
// none, -1 when tracking is off.
func cmdClientGetRedir(c *conn, _ [][]byte) {
	st := c.tracking
	if st == nil || !st.on {
		c.writeInt(-1)
		return
	}
	c.writeInt(st.redirect)
}

// cmdClientTrackingInfo is CLIENT TRACKINGINFO: flags, redirect and
// prefixes.
func cmdClientTrackingInfo(c *conn, _ [][]byte) {
	var st trackingState
	if c.tracking != nil {
		c.srv.tracking.mu.Lock()
		st = *c.tracking
		c.srv.tracking.mu.Unlock()
	}
	flags := []string{"off"}
	if st.on {
		flags[0] = "on"
	}
	if st.bcast {
		flags = append(flags, "bcast")
	}
	if st.optin {
		flags = append(flags, "optin")
		if st.caching {
			flags = append(flags, "caching-yes")
		}
	}
	if st.optout {
		flags = append(flags, "optout")
		if st.caching {
			flags = append(flags, "caching-no")
		}
	}
	if st.noloop {
		flags = append(flags, "noloop")
	}
	if st.brokenRedir {
		flags = append(flags, "broken_redirect")
	}
	c.writeMapLen(3)
	c.writeBulkString("flags")
	c.writeSetLen(len(flags))
	for _, f := range flags {
		c.writeBulkString(f)
	}
	c.writeBulkString("redirect")
	if st.on {
		c.writeInt(st.redirect)
	} else {
		c.writeInt(-1)
	}
	c.writeBulkString("prefixes")
	c.writeBulkStrings(st.prefixes)
}

// trackingDocs are COMMAND DOCS of the tracking subcommands, as Redis
// 7.0.15 reports them.
var trackingDocs = map[string]*commandDoc{
	"client|tracking": {
		summary:    "Enable or disable server assisted client side caching support",
		since:      "6.0.0",
		group:      "connection",
		complexity: "O(1). Some options may introduce additional complexity.",
		args: []docArg{
			{name: "status", kind: "oneof", args: []docArg{
				{name: "on", kind: "pure-token", token: "ON"},
				{name: "off", kind: "pure-token", token: "OFF"},
			}},
			{name: "client-id", kind: "integer", token: "REDIRECT", flags: []string{"optional"}},
			{name: "prefix", kind: "string", token: "PREFIX", flags: []string{"optional", "multiple", "multiple_token"}},
			{name: "bcast", kind: "pure-token", token: "BCAST", flags: []string{"optional"}},
			{name: "optin", kind: "pure-token", token: "OPTIN", flags: []string{"optional"}},
			{name: "optout", kind: "pure-token", token: "OPTOUT", flags: []string{"optional"}},
			{name: "noloop", kind: "pure-token", token: "NOLOOP", flags: []string{"optional"}},
		},
	},
	"client|caching": {
		summary:    "Instruct the server about tracking or not keys in the next request",
		since:      "6.0.0",
		group:      "connection",
		complexity: "O(1)",
		args: []docArg{
			{name: "mode", kind: "oneof", args: []docArg{
				{name: "yes", kind: "pure-token", token: "YES"},
				{name: "no", kind: "pure-token", token: "NO"},
			}},
		},
	},
	"client|getredir": {
		summary:    "Get tracking notifications redirection client ID if any",
		since:      "6.0.0",
		group:      "connection",
		complexity: "O(1)",
	},
	"client|trackinginfo": {
		summary:    "Return information about server assisted client side caching for the current connection",
		since:      "6.2.0",
		group:      "connection",
		complexity: "O(1)",
	},
}
