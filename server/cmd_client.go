package server

import (
	"fmt"
	"sort"
	"time"
	"unsafe"

	"github.com/heraldhq/herald/internal/resp"
)

// registerClient registers CLIENT and its subcommands. The meta literals
// are what redis-server 7.0.15 reports in COMMAND INFO; SETINFO and
// NO-TOUCH are Redis 7.2's (see cmdClientSetInfo).
func registerClient(t commandTable) {
	client := t.add(&command{name: "client", arity: -2, meta: commandMeta{categories: []string{"@slow"}}})
	meta := commandMeta{flags: []string{"noscript", "loading", "stale"}, categories: []string{"@slow", "@connection"}}
	admin := commandMeta{flags: []string{"admin", "noscript", "loading", "stale"}, categories: []string{"@admin", "@slow", "@dangerous", "@connection"}}
	client.addSub(&command{name: "id", arity: 2, run: func(c *conn, _ [][]byte) { c.writeInt(c.id) }, meta: meta})
	client.addSub(&command{name: "getname", arity: 2, run: cmdClientGetName, meta: meta})
	client.addSub(&command{name: "setname", arity: 3, run: cmdClientSetName, meta: meta})
	client.addSub(&command{name: "setinfo", arity: 4, run: cmdClientSetInfo, meta: meta})
	client.addSub(&command{name: "list", arity: -2, run: cmdClientList, meta: admin})
	client.addSub(&command{name: "info", arity: 2, run: cmdClientInfo, meta: meta})
	client.addSub(&command{name: "kill", arity: -3, run: cmdClientKill, meta: admin})
	client.addSub(&command{name: "reply", arity: 3, run: cmdClientReply, meta: meta})
	client.addSub(&command{name: "no-evict", arity: 3, run: cmdClientNoEvict, meta: admin})
	client.addSub(&command{name: "no-touch", arity: 3, run: cmdClientNoTouch, meta: meta})
	client.addSub(&command{name: "help", arity: 2, run: func(c *conn, _ [][]byte) { c.writeHelp(helpClient) },
		meta: commandMeta{flags: []string{"loading", "stale"}, categories: []string{"@slow", "@connection"}}})
}

func cmdClientGetName(c *conn, _ [][]byte) {
	c.info.Lock()
	name := c.info.name
	c.info.Unlock()
	if name == "" {
		c.writeNull()
		return
	}
	c.writeBulkString(name)
}

func cmdClientSetName(c *conn, args [][]byte) {
	if !validClientName(args[2]) {
		c.writeError(errClientName)
		return
	}
	c.info.Lock()
	c.info.name = string(args[2])
	c.info.Unlock()
	c.writeOK()
}

// cmdClientSetInfo is CLIENT SETINFO LIB-NAME|LIB-VER value, a Redis 7.2
// command that go-redis v9 and other clients send on connect. Herald
// accepts it with 7.2's semantics and errors rather than answer 7.0's
// unknown-subcommand error: the clients ignore either, but accepting it
// keeps their connect pipeline free of errors and records the library.
// The 7.0 CLIENT LIST format has no field for it, so it is not listed.
func cmdClientSetInfo(c *conn, args [][]byte) {
	attr := cString(args[2])
	lower := lowerASCII(string(args[2]))
	if lower != "lib-name" && lower != "lib-ver" {
		c.writeError(sanitize(fmt.Sprintf(errSetInfoOptionFmt, attr)))
		return
	}
	if !validClientName(args[3]) {
		c.writeError(sanitize(fmt.Sprintf(errSetInfoValueFmt, attr)))
		return
	}
	c.info.Lock()
	if lower == "lib-name" {
		c.info.libName = string(args[3])
	} else {
		c.info.libVer = string(args[3])
	}
	c.info.Unlock()
	c.writeOK()
}

// cmdClientReply is CLIENT REPLY ON|OFF|SKIP. Under OFF and SKIP, push
// messages and subscribe acknowledgements still arrive, as in Redis.
func cmdClientReply(c *conn, args [][]byte) {
	switch lowerASCII(string(args[2])) {
	case "on":
		c.replyMode = replyOn
		c.writeOK()
	case "off":
		c.replyMode = replyOff
	case "skip":
		if c.replyMode != replyOff {
			c.replyMode = replySkipNext
		}
	default:
		c.writeError(errSyntax)
	}
}

// onOff parses ON or OFF, any case.
func onOff(arg []byte) (on, ok bool) {
	switch lowerASCII(string(arg)) {
	case "on":
		return true, true
	case "off":
		return false, true
	}
	return false, false
}

// cmdClientNoEvict is CLIENT NO-EVICT ON|OFF. Herald never evicts clients
// for memory; the flag is kept and shown in CLIENT LIST ("e").
func cmdClientNoEvict(c *conn, args [][]byte) {
	on, ok := onOff(args[2])
	if !ok {
		c.writeError(errSyntax)
		return
	}
	c.info.Lock()
	c.info.noEvict = on
	c.info.Unlock()
	c.writeOK()
}

// cmdClientNoTouch is CLIENT NO-TOUCH ON|OFF, from Redis 7.2, accepted for
// the reason SETINFO is. Herald has no keys to touch yet; the flag is kept
// and shown in CLIENT LIST ("T"), as 7.2 shows it.
func cmdClientNoTouch(c *conn, args [][]byte) {
	on, ok := onOff(args[2])
	if !ok {
		c.writeError(errSyntax)
		return
	}
	c.info.Lock()
	c.info.noTouch = on
	c.info.Unlock()
	c.writeOK()
}

// clientType names a CLIENT LIST / KILL TYPE. Herald has no master or
// replica connections, so those types match nobody.
type clientType int

const (
	typeNormal clientType = iota
	typePubSub
	typeMaster
	typeReplica
)

func parseClientType(name []byte) (clientType, bool) {
	switch lowerASCII(string(name)) {
	case "normal":
		return typeNormal, true
	case "pubsub":
		return typePubSub, true
	case "master":
		return typeMaster, true
	case "replica", "slave":
		return typeReplica, true
	}
	return 0, false
}

// typeOf is the client's type: pubsub while it holds a subscription.
func (c *conn) typeOf() clientType {
	c.out.mu.Lock()
	defer c.out.mu.Unlock()
	if c.out.pubsub {
		return typePubSub
	}
	return typeNormal
}

// cmdClientList is CLIENT LIST [TYPE type] [ID id ...]: one line per client,
// by id, in Redis 7.0's format; a verbatim string in RESP3.
func cmdClientList(c *conn, args [][]byte) {
	var out []byte
	switch {
	case len(args) == 4 && equalFoldASCII(string(args[2]), "type"):
		typ, ok := parseClientType(args[3])
		if !ok {
			c.writeError(sanitize(fmt.Sprintf(errClientTypeFmt, cString(args[3]))))
			return
		}
		for _, other := range c.srv.connList() {
			if other.typeOf() == typ {
				out = c.appendClientLine(out, other, "client|list")
			}
		}
	case len(args) > 3 && equalFoldASCII(string(args[2]), "id"):
		for _, a := range args[3:] {
			id, ok := parseInteger(a)
			if !ok {
				c.writeError(errInvalidClientID)
				return
			}
			if other := c.srv.connByID(id); other != nil {
				out = c.appendClientLine(out, other, "client|list")
			}
		}
	case len(args) != 2:
		c.writeError(errSyntax)
		return
	default:
		for _, other := range c.srv.connList() {
			out = c.appendClientLine(out, other, "client|list")
		}
	}
	c.writeVerbatim(string(out))
}

// cmdClientInfo is CLIENT INFO: the calling client's CLIENT LIST line.
func cmdClientInfo(c *conn, _ [][]byte) {
	c.writeVerbatim(string(c.appendClientLine(nil, c, "client|info")))
}

// appendClientLine appends other's CLIENT LIST line, newline included, as
// seen by c running the command named running. Values are the truest
// Herald has for each Redis field:
//
//	fd          the socket's descriptor, -1 for a connection without one
//	idle        seconds since the client's last command (0 for c itself)
//	qbuf        unparsed input held (for c itself: the whole buffer, the
//	            command being run included, as Redis shows it)
//	qbuf-free   spare room in that buffer (0 for another client: Herald
//	            tracks only how much it holds, and an idle one holds none)
//	argv-mem    bytes of the arguments of the command being run
//	rbs, rbp    size and use of the pending output buffer (Herald keeps no
//	            peak; rbp is the current use)
//	obl, oll    bytes in the outbox, and 1 while a write to the socket is in
//	            flight
//	omem        output not yet on the wire: what client-output-buffer-limit
//	            is checked against
//	tot-mem     the connection's struct and buffers
//	events      r, and w while output waits for the socket
//	flags       P subscribed, x in MULTI, t tracking, R its redirect broken,
//	            B broadcasting, d a WATCHed key changed, e no-evict,
//	            T no-touch (7.2), else N
func (c *conn) appendClientLine(b []byte, other *conn, running string) []byte {
	var l clientLine
	other.snapshot(&l)
	now := time.Now()
	qbufCap := l.qbuf
	if other == c {
		l.cmd, l.lastActive = running, now
		l.qbuf, l.qbufFree, qbufCap = len(c.rbuf), cap(c.rbuf)-len(c.rbuf), cap(c.rbuf)
		for _, a := range c.args {
			l.argvMem += len(a)
		}
	}
	ch, pat, sh := c.srv.broker.Counts(other)
	totMem := int(unsafe.Sizeof(conn{})) + qbufCap + l.rbs + l.inflight + l.argvMem
	b = fmt.Appendf(b, "id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d multi=%d",
		other.id, other.remoteAddr, other.localAddr, other.fd(), l.name,
		int64(now.Sub(other.created)/time.Second), int64(now.Sub(l.lastActive)/time.Second),
		l.flags(), l.db, ch, pat, sh, l.multi)
	return fmt.Appendf(b, " qbuf=%d qbuf-free=%d argv-mem=%d multi-mem=0 rbs=%d rbp=%d obl=%d oll=%d omem=%d tot-mem=%d events=%s cmd=%s user=%s redir=%d resp=%d\n",
		l.qbuf, l.qbufFree, l.argvMem, l.rbs, l.obl, l.obl, l.oll(), l.obl+l.inflight, totMem, l.events(), l.cmdName(), l.user, l.redir, l.resp)
}

// clientLine is a consistent copy of what CLIENT LIST shows of a client,
// taken under the client's locks.
type clientLine struct {
	name, cmd, user    string
	db, qbuf, qbufFree int
	argvMem            int
	lastActive         time.Time
	noEvict, noTouch   bool
	pubsub, waiting    bool
	inMulti, dirtyCAS  bool // flags x and d
	blocked            bool // flag b: waiting in BLPOP, XREAD BLOCK and the like
	multi              int  // commands queued in MULTI, -1 outside
	rbs, obl, inflight int
	resp               int

	tracking string // CLIENT TRACKING's flags: t, R (broken redirect), B (BCAST)
	redir    int64  // its redirect, 0 for none, -1 when off
}

// snapshot copies what other goroutines may read of c.
func (c *conn) snapshot(l *clientLine) {
	c.info.Lock()
	l.name, l.cmd, l.db, l.qbuf = c.info.name, c.info.lastCommand, c.info.db, c.info.queryBuf
	if c.user != nil {
		l.user = c.user.name
	}
	l.lastActive, l.noEvict, l.noTouch = c.info.lastActive, c.info.noEvict, c.info.noTouch
	l.inMulti, l.multi = c.info.inMulti, -1
	if l.inMulti {
		l.multi = c.info.multiQueued
	}
	c.info.Unlock()
	l.dirtyCAS = c.tx.watch.Dirty() // atomic
	l.blocked = c.blocked.Load()
	l.tracking, l.redir = c.srv.trackingListFields(c)
	c.out.mu.Lock()
	l.pubsub, l.waiting = c.out.pubsub, c.out.waiting
	l.rbs, l.obl, l.inflight = len(c.out.chunks)*chunkSize, c.out.size, c.out.inflight
	l.resp = resp.RESP2
	if c.out.format == uint8(formatRESP3) {
		l.resp = resp.RESP3
	}
	c.out.mu.Unlock()
}

func (l *clientLine) flags() string {
	var f []byte
	if l.pubsub {
		f = append(f, 'P')
	}
	if l.inMulti {
		f = append(f, 'x')
	}
	if l.blocked {
		f = append(f, 'b')
	}
	f = append(f, l.tracking...)
	if l.dirtyCAS {
		f = append(f, 'd')
	}
	if l.noEvict {
		f = append(f, 'e')
	}
	if l.noTouch {
		f = append(f, 'T')
	}
	if len(f) == 0 {
		return "N"
	}
	return string(f)
}

func (l *clientLine) oll() int {
	if l.inflight > 0 {
		return 1
	}
	return 0
}

func (l *clientLine) events() string {
	if l.waiting {
		return "rw"
	}
	return "r"
}

func (l *clientLine) cmdName() string {
	if l.cmd == "" {
		return "NULL"
	}
	return l.cmd
}

// fd returns the connection's file descriptor, or -1.
func (c *conn) fd() int {
	fd := -1
	if c.raw != nil {
		c.raw.Control(func(d uintptr) { fd = int(d) })
	}
	return fd
}

// connByID returns the connected client with id, or nil.
func (s *Server) connByID(id int64) *conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns[id]
}

// sortConns orders connections by id, as CLIENT LIST prints them.
func sortConns(cs []*conn) {
	sort.Slice(cs, func(i, j int) bool { return cs[i].id < cs[j].id })
}

// killFilter selects the clients CLIENT KILL closes; zero fields match all.
type killFilter struct {
	id          int64
	addr, laddr *string
	typ         *clientType
	user        *aclUser
	skipMe      bool
}

// cmdClientKill is CLIENT KILL ip:port (+OK, or "No such client"), or the
// filter form CLIENT KILL [ID id] [ADDR ip:port] [LADDR ip:port] [TYPE t]
// [USER name] [SKIPME yes|no] (the number killed). The killed clients are
// closed and gone from CLIENT LIST before the reply; the caller itself, if
// it matches (old form, or SKIPME no), is closed after its reply.
func cmdClientKill(c *conn, args [][]byte) {
	if len(args) == 3 {
		addr := string(args[2])
		if c.srv.killClients(c, killFilter{addr: &addr}) == 0 {
			c.writeError(errNoSuchClient)
			return
		}
		c.writeOK()
		return
	}
	f, errText := parseKillFilter(c.srv.acl(), args[2:])
	if errText != "" {
		c.writeError(errText)
		return
	}
	c.writeInt(int64(c.srv.killClients(c, f)))
}

// parseKillFilter parses CLIENT KILL's option/value pairs, with Redis's
// errors.
func parseKillFilter(users *aclStore, opts [][]byte) (killFilter, string) {
	f := killFilter{skipMe: true}
	for i := 0; i < len(opts); i += 2 {
		if i+1 >= len(opts) {
			return f, errSyntax
		}
		value := opts[i+1]
		switch lowerASCII(string(opts[i])) {
		case "id":
			id, ok := parseInteger(value)
			if !ok || id < 1 {
				return f, errClientIDPositive
			}
			f.id = id
		case "type":
			typ, ok := parseClientType(value)
			if !ok {
				return f, sanitize(fmt.Sprintf(errClientTypeFmt, cString(value)))
			}
			f.typ = &typ
		case "addr":
			s := string(value)
			f.addr = &s
		case "laddr":
			s := string(value)
			f.laddr = &s
		case "user":
			f.user = users.user(string(value))
			if f.user == nil {
				return f, sanitize(fmt.Sprintf(errNoSuchUserFmt, cString(value)))
			}
		case "skipme":
			switch lowerASCII(string(value)) {
			case "yes":
				f.skipMe = true
			case "no":
				f.skipMe = false
			default:
				return f, errSyntax
			}
		default:
			return f, errSyntax
		}
	}
	return f, ""
}

// killClients closes the clients f matches, as seen from caller, and
// returns how many. Each is dropped from the client list and from the
// broker at once, as Redis frees it at once; its goroutine finishes the
// cleanup. The caller is only marked to close after its reply.
func (s *Server) killClients(caller *conn, f killFilter) int {
	killed := 0
	for _, c := range s.connList() {
		switch {
		case f.addr != nil && c.remoteAddr != *f.addr,
			f.laddr != nil && c.localAddr != *f.laddr,
			f.typ != nil && c.typeOf() != *f.typ,
			f.id != 0 && c.id != f.id,
			f.user != nil && c.connUser() != f.user,
			c == caller && f.skipMe:
			continue
		}
		killed++
		if c == caller {
			caller.closeAfterReply()
			continue
		}
		// As Redis frees a client: its subscriptions and its entry go
		// before its socket, so whoever sees the close sees it gone.
		s.removeConn(c)
		s.broker.UnsubscribeAll(c)
		c.kill()
	}
	return killed
}
